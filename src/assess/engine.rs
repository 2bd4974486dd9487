//! The one small engine: from the indicators an analyst ticked in a set, which dimensions are
//! present (and which indicators made them so), and whether the set's combination rule makes a
//! presumed victim. Pure: the catalogue holds every rule.

use super::catalogue::{Catalogue, DimensionId, Grade, IndicatorId, Minimums, RuleId, SetId};
use serde::Serialize;
use std::collections::HashSet;

/// One dimension, evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionResult {
    pub id: DimensionId,
    pub present: bool,
    pub strong: u32,
    pub medium: u32,
    pub weak: u32,
    /// The ticked indicators of this dimension that count in this set, in catalogue order.
    pub made_by: Vec<IndicatorId>,
    /// The alternative of the dimension rule that made it present.
    pub met: Option<Minimums>,
}

/// One group of the combination rule: at least one of `any_of` must be present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupResult {
    pub any_of: Vec<DimensionId>,
    /// The dimensions of the group that are present.
    pub met_by: Vec<DimensionId>,
    pub satisfied: bool,
}

/// The outcome of an assessment: a presumption that supports the analyst, never a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub set: SetId,
    /// Every dimension of the catalogue, in display order.
    pub dimensions: Vec<DimensionResult>,
    /// The set's combination rule is met: suggests HTCDS PossibleVictimOfTrafficking.
    pub presumed_victim: bool,
    /// The rule that decided (the set's age group).
    pub rule: RuleId,
    /// The rule's groups, satisfied or not, in the rule's order.
    pub explanation: Vec<GroupResult>,
    /// Counted indicators whose grade in this set is provisional (the UI says so).
    pub provisional: Vec<IndicatorId>,
    /// Ticked ids that do not count: unknown to the catalogue or not used in this set.
    pub ignored: Vec<IndicatorId>,
}

impl Outcome {
    pub fn dimension(&self, id: &DimensionId) -> Option<&DimensionResult> {
        self.dimensions.iter().find(|d| &d.id == id)
    }
}

/// Evaluates the ticked indicators in `set`. Repeated ids count once; ids the set does not use
/// are ignored (and listed in [`Outcome::ignored`]).
pub fn evaluate(cat: &Catalogue, set: &SetId, ticked: &[IndicatorId]) -> Outcome {
    let set = *set;
    let ticked_set: HashSet<&IndicatorId> = ticked.iter().collect();

    let mut dimensions = Vec::with_capacity(cat.dimensions().len());
    let mut provisional = Vec::new();
    for dim in cat.dimensions() {
        let (mut strong, mut medium, mut weak) = (0u32, 0u32, 0u32);
        let mut made_by = Vec::new();
        for ind in cat.indicators_in(dim, set) {
            if !ticked_set.contains(ind.id()) {
                continue;
            }
            match ind.grade(set) {
                Some(Grade::Strong) => strong += 1,
                Some(Grade::Medium) => medium += 1,
                Some(Grade::Weak) => weak += 1,
                None => continue,
            }
            if ind.is_provisional(set) {
                provisional.push(ind.id().clone());
            }
            made_by.push(ind.id().clone());
        }
        let met = cat.dimension_rule_met(strong, medium, weak);
        dimensions.push(DimensionResult {
            id: dim.clone(),
            present: met.is_some(),
            strong,
            medium,
            weak,
            made_by,
            met,
        });
    }

    let rule = set.rule();
    let explanation: Vec<GroupResult> = cat
        .combination_rule(rule)
        .map(|r| {
            r.all_of
                .iter()
                .map(|group| {
                    let met_by: Vec<DimensionId> = group
                        .iter()
                        .filter(|d| dimensions.iter().any(|r| &r.id == *d && r.present))
                        .cloned()
                        .collect();
                    GroupResult {
                        any_of: group.clone(),
                        satisfied: !met_by.is_empty(),
                        met_by,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let presumed_victim = !explanation.is_empty() && explanation.iter().all(|g| g.satisfied);

    let mut seen = HashSet::new();
    let ignored = ticked
        .iter()
        .filter(|id| cat.grade(id, set).is_none() && seen.insert(*id))
        .cloned()
        .collect();

    Outcome {
        set,
        dimensions,
        presumed_victim,
        rule,
        explanation,
        provisional,
        ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::catalogue::{builtin, load_str};
    use proptest::prelude::*;

    fn dim(s: &str) -> DimensionId {
        DimensionId::new(s)
    }

    /// `n` indicators of `grade` in `dimension` and `set`, from the catalogue (panics if fewer).
    fn pick(set: SetId, dimension: &str, grade: Grade, n: usize) -> Vec<IndicatorId> {
        let found: Vec<IndicatorId> = builtin()
            .indicators_in(&dim(dimension), set)
            .into_iter()
            .filter(|i| i.grade(set) == Some(grade))
            .map(|i| i.id().clone())
            .collect();
        assert!(
            found.len() >= n,
            "{set} {dimension} has {} {grade:?}",
            found.len()
        );
        found.into_iter().take(n).collect()
    }

    fn present(set: SetId, dimension: &str, ticked: &[IndicatorId]) -> bool {
        evaluate(builtin(), &set, ticked)
            .dimension(&dim(dimension))
            .unwrap()
            .present
    }

    fn ticks(parts: &[(Grade, usize)], set: SetId, dimension: &str) -> Vec<IndicatorId> {
        parts
            .iter()
            .flat_map(|(g, n)| pick(set, dimension, *g, *n))
            .collect()
    }

    const COERCION: &str = "coercion_at_destination";

    #[test]
    fn two_strong_make_a_dimension_present() {
        let t = ticks(&[(Grade::Strong, 2)], SetId::AdultLabour, COERCION);
        assert!(present(SetId::AdultLabour, COERCION, &t));
    }

    #[test]
    fn one_strong_alone_is_not_enough() {
        let t = ticks(&[(Grade::Strong, 1)], SetId::AdultLabour, COERCION);
        assert!(!present(SetId::AdultLabour, COERCION, &t));
    }

    #[test]
    fn one_strong_and_one_medium_or_weak_are_enough() {
        let set = SetId::AdultLabour;
        let t = ticks(&[(Grade::Strong, 1), (Grade::Medium, 1)], set, COERCION);
        assert!(present(set, COERCION, &t));
        let t = ticks(&[(Grade::Strong, 1), (Grade::Weak, 1)], set, COERCION);
        assert!(present(set, COERCION, &t));
    }

    #[test]
    fn three_medium_yes_two_medium_no() {
        let set = SetId::AdultLabour;
        let three = ticks(&[(Grade::Medium, 3)], set, COERCION);
        assert!(present(set, COERCION, &three));
        assert!(!present(set, COERCION, &three[..2]));
    }

    #[test]
    fn two_medium_and_one_weak_yes() {
        let set = SetId::AdultLabour;
        let t = ticks(&[(Grade::Medium, 2), (Grade::Weak, 1)], set, COERCION);
        let outcome = evaluate(builtin(), &set, &t);
        let d = outcome.dimension(&dim(COERCION)).unwrap();
        assert!(d.present);
        assert_eq!((d.strong, d.medium, d.weak), (0, 2, 1));
        assert_eq!(d.made_by.len(), 3);
    }

    #[test]
    fn the_dimension_rule_is_the_reference_formula() {
        let cat = builtin();
        for s in 0..6u32 {
            for m in 0..6u32 {
                for w in 0..6u32 {
                    let reference =
                        s >= 2 || (s >= 1 && m + w >= 1) || m >= 3 || (m >= 2 && w >= 1);
                    assert_eq!(
                        cat.dimension_rule_met(s, m, w).is_some(),
                        reference,
                        "{s} {m} {w}"
                    );
                }
            }
        }
    }

    #[test]
    fn weak_indicators_alone_never_make_a_dimension_present() {
        let cat = builtin();
        for w in [1, 2, 3, 10, 1000, u32::MAX] {
            assert!(cat.dimension_rule_met(0, 0, w).is_none());
        }
        // Every weak indicator of every set ticked at once: nothing is present.
        for set in SetId::ALL {
            let weak: Vec<IndicatorId> = cat
                .indicators_of_set(set)
                .into_iter()
                .filter(|i| i.grade(set) == Some(Grade::Weak))
                .map(|i| i.id().clone())
                .collect();
            let outcome = evaluate(cat, &set, &weak);
            assert!(outcome.dimensions.iter().all(|d| !d.present), "{set}");
            assert!(!outcome.presumed_victim);
        }
    }

    /// Indicators that make `dimension` present in `set`, using the catalogue's grades.
    fn make_present(set: SetId, dimension: &str) -> Vec<IndicatorId> {
        let cat = builtin();
        let by = |g| -> Vec<IndicatorId> {
            cat.indicators_in(&dim(dimension), set)
                .into_iter()
                .filter(|i| i.grade(set) == Some(g))
                .map(|i| i.id().clone())
                .collect()
        };
        let (s, m, w) = (by(Grade::Strong), by(Grade::Medium), by(Grade::Weak));
        let t: Vec<IndicatorId> = if s.len() >= 2 {
            s.into_iter().take(2).collect()
        } else if m.len() >= 3 {
            m.into_iter().take(3).collect()
        } else if !s.is_empty() && !m.is_empty() {
            vec![s[0].clone(), m[0].clone()]
        } else {
            m.into_iter().take(2).chain(w.into_iter().take(1)).collect()
        };
        assert!(
            present(set, dimension, &t),
            "cannot make {dimension} present in {set}"
        );
        t
    }

    fn with(set: SetId, dims: &[&str]) -> Outcome {
        let t: Vec<IndicatorId> = dims.iter().flat_map(|d| make_present(set, d)).collect();
        evaluate(builtin(), &set, &t)
    }

    const RECRUITMENT: [&str; 3] = [
        "deceptive_recruitment",
        "coercive_recruitment",
        "recruitment_abuse_of_vulnerability",
    ];
    const EXPLOITATION: &str = "exploitative_conditions";
    const MEANS: [&str; 2] = [COERCION, "abuse_of_vulnerability_at_destination"];

    #[test]
    fn adult_needs_recruitment_exploitation_and_means() {
        for set in [SetId::AdultLabour, SetId::AdultSexual] {
            for r in RECRUITMENT {
                for m in MEANS {
                    let o = with(set, &[r, EXPLOITATION, m]);
                    assert!(o.presumed_victim, "{set} {r} {m}");
                    assert_eq!(o.rule, RuleId::Adult);
                    assert!(o.explanation.iter().all(|g| g.satisfied));
                }
                let o = with(set, &[r, EXPLOITATION]);
                assert!(!o.presumed_victim, "{set} without means");
                assert_eq!(
                    o.explanation
                        .iter()
                        .map(|g| g.satisfied)
                        .collect::<Vec<_>>(),
                    [true, true, false]
                );
            }
            assert!(!with(set, &[EXPLOITATION, COERCION]).presumed_victim);
            assert!(!with(set, &[RECRUITMENT[0], COERCION]).presumed_victim);
        }
    }

    #[test]
    fn child_needs_recruitment_and_exploitation_only() {
        for set in [SetId::ChildLabour, SetId::ChildSexual] {
            for r in RECRUITMENT {
                let o = with(set, &[r, EXPLOITATION]);
                assert!(o.presumed_victim, "{set} {r}");
                assert_eq!(o.rule, RuleId::Child);
                assert_eq!(o.explanation.len(), 2);
                assert_eq!(o.explanation[0].met_by, vec![dim(r)]);
            }
            assert!(!with(set, &[EXPLOITATION, COERCION]).presumed_victim);
            assert!(!with(set, &[RECRUITMENT[1], COERCION]).presumed_victim);
        }
    }

    #[test]
    fn the_same_ticks_are_presumed_for_a_child_but_not_an_adult() {
        let t: Vec<IndicatorId> = [
            "deceived_nature_of_job",
            "deceived_wages_earnings",
            "excessive_working_days_or_hours",
            "low_or_no_salary",
        ]
        .map(IndicatorId::from)
        .into();
        assert!(evaluate(builtin(), &SetId::ChildLabour, &t).presumed_victim);
        assert!(!evaluate(builtin(), &SetId::AdultLabour, &t).presumed_victim);
    }

    #[test]
    fn ticks_outside_the_set_are_ignored_and_repeats_count_once() {
        let cat = builtin();
        let t: Vec<IndicatorId> = [
            "low_or_no_salary",
            "no_social_protection",
            "bad_living_conditions",
            "no_social_protection",
            "no_such_indicator",
            "low_or_no_salary",
        ]
        .map(IndicatorId::from)
        .into();
        let child = evaluate(cat, &SetId::ChildLabour, &t);
        let d = child.dimension(&dim(EXPLOITATION)).unwrap();
        assert_eq!(d.medium, 2);
        assert!(!d.present);
        assert_eq!(
            d.made_by,
            vec![
                IndicatorId::from("bad_living_conditions"),
                IndicatorId::from("low_or_no_salary")
            ]
        );
        assert_eq!(
            child.ignored,
            vec![
                IndicatorId::from("no_social_protection"),
                IndicatorId::from("no_such_indicator")
            ]
        );
        let adult = evaluate(cat, &SetId::AdultLabour, &t);
        assert!(adult.dimension(&dim(EXPLOITATION)).unwrap().present);
        assert!(adult.provisional.is_empty());
        let sexual = evaluate(cat, &SetId::AdultSexual, &t);
        assert_eq!(sexual.provisional.len(), 3);
    }

    #[test]
    fn an_override_can_change_the_combination_rule() {
        // A hotline that (wrongly) dropped the means from the adult rule: data, not code.
        let text = include_str!("catalogue.toml").replacen(
            "    [\"exploitative_conditions\"],\n    [\"coercion_at_destination\", \
             \"abuse_of_vulnerability_at_destination\"],\n",
            "    [\"exploitative_conditions\"],\n",
            1,
        );
        assert_ne!(text, include_str!("catalogue.toml"));
        let cat = load_str(&text, "test").unwrap();
        let t: Vec<IndicatorId> = [RECRUITMENT[0], EXPLOITATION]
            .iter()
            .flat_map(|d| make_present(SetId::AdultLabour, d))
            .collect();
        assert!(!evaluate(builtin(), &SetId::AdultLabour, &t).presumed_victim);
        assert!(evaluate(&cat, &SetId::AdultLabour, &t).presumed_victim);
    }

    fn set_strategy() -> impl Strategy<Value = SetId> {
        prop::sample::select(SetId::ALL.to_vec())
    }

    fn ids(mask: &[bool]) -> Vec<IndicatorId> {
        builtin()
            .indicators()
            .iter()
            .zip(mask)
            .filter(|(_, on)| **on)
            .map(|(i, _)| i.id().clone())
            .collect()
    }

    proptest! {
        #[test]
        fn adding_an_indicator_never_removes_a_dimension_or_the_presumption(
            set in set_strategy(),
            mask in prop::collection::vec(any::<bool>(), 67),
            extra in 0usize..67,
        ) {
            let cat = builtin();
            let before_ids = ids(&mask);
            let mut after_ids = before_ids.clone();
            after_ids.push(cat.indicators()[extra].id().clone());
            let before = evaluate(cat, &set, &before_ids);
            let after = evaluate(cat, &set, &after_ids);
            for (b, a) in before.dimensions.iter().zip(&after.dimensions) {
                prop_assert!(!b.present || a.present, "{} lost", b.id);
                prop_assert!(a.made_by.len() >= b.made_by.len());
            }
            prop_assert!(!before.presumed_victim || after.presumed_victim);
        }

        #[test]
        fn order_and_repeats_of_ticks_do_not_matter(
            set in set_strategy(),
            mask in prop::collection::vec(any::<bool>(), 67),
            seed in any::<u64>(),
        ) {
            let cat = builtin();
            let t = ids(&mask);
            let mut shuffled: Vec<IndicatorId> = t.iter().rev().cloned().collect();
            if let Some(first) = t.get((seed as usize) % t.len().max(1)) {
                shuffled.push(first.clone());
            }
            let (a, mut b) = (evaluate(cat, &set, &t), evaluate(cat, &set, &shuffled));
            // Only the list of ignored ids keeps the order they were ticked in.
            b.ignored.reverse();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn presumed_exactly_when_every_group_has_a_present_dimension(
            set in set_strategy(),
            mask in prop::collection::vec(any::<bool>(), 67),
        ) {
            let cat = builtin();
            let o = evaluate(cat, &set, &ids(&mask));
            let present: Vec<&str> = o.dimensions.iter().filter(|d| d.present).map(|d| d.id.as_str()).collect();
            let has = |d: &str| present.contains(&d);
            let recruitment = RECRUITMENT.iter().any(|d| has(d));
            let means = MEANS.iter().any(|d| has(d));
            let expected = match set.rule() {
                RuleId::Adult => recruitment && has(EXPLOITATION) && means,
                RuleId::Child => recruitment && has(EXPLOITATION),
            };
            prop_assert_eq!(o.presumed_victim, expected);
            for d in &o.dimensions {
                let reference = d.strong >= 2 || (d.strong >= 1 && d.medium + d.weak >= 1)
                    || d.medium >= 3 || (d.medium >= 2 && d.weak >= 1);
                prop_assert_eq!(d.present, reference);
            }
        }
    }
}
