//! Data-driven urgency: the catalogue's `[[urgency]]` rules give a report its level from its
//! facts, and say why. The rules are data the catalogue reads; this module takes them as they
//! are given and knows nothing of the catalogue.
//!
//! The first rule, in file order, whose facts in `when` all hold wins; the last rule has an empty
//! `when` and gives the default. The explanation is the Fluent keys of the facts of the rule that
//! matched (`urgency-reason-child-involved`, …), or for a rule without facts the key of its
//! `reason` (`urgency-reason-no-urgent-fact`). Changing the rules is a change of the catalogue
//! file, not of the code.

use crate::types::Level;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Duration};

/// What the rules may ask about a report. The caller establishes each fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// A child is involved (the reporter said so, or the analyst chose a child set).
    ChildInvolved,
    /// The exploitation is still happening.
    StillHappening,
    /// Someone is in danger right now (the warning sign `immediate_danger`).
    ImmediateDanger,
    /// A venue or city is given and the incident is within the last
    /// [`ACTIONABLE_WITHIN_DAYS`] days or still happening: see [`actionable_place_and_time`].
    ActionablePlaceAndTime,
    /// An assessment's outcome is a presumed victim.
    PresumedVictim,
}

impl Fact {
    pub const ALL: [Fact; 5] = [
        Fact::ChildInvolved,
        Fact::StillHappening,
        Fact::ImmediateDanger,
        Fact::ActionablePlaceAndTime,
        Fact::PresumedVictim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChildInvolved => "child_involved",
            Self::StillHappening => "still_happening",
            Self::ImmediateDanger => "immediate_danger",
            Self::ActionablePlaceAndTime => "actionable_place_and_time",
            Self::PresumedVictim => "presumed_victim",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The Fluent key that explains this fact: `urgency-reason-child-involved`, …
    pub fn reason_key(self) -> ReasonKey {
        ReasonKey::of(self.as_str())
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Fluent key that explains an urgency level, e.g. `urgency-reason-still-happening`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReasonKey(String);

impl ReasonKey {
    /// The key for a fact or rule reason id: `urgency-reason-<id with - for _>`.
    pub fn of(id: &str) -> Self {
        Self(crate::types::vocabulary::key("urgency-reason", id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReasonKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One `[[urgency]]` rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgencyRule {
    pub level: Level,
    /// All must hold; empty for the final, default rule.
    pub when: Vec<Fact>,
    /// The rule's own id (unique): stored with a decision, and explains a rule without facts.
    pub reason: String,
}

impl UrgencyRule {
    fn matches(&self, facts: &[Fact]) -> bool {
        self.when.iter().all(|f| facts.contains(f))
    }

    /// The Fluent keys that explain this rule: its facts, or its reason when it has none.
    pub fn reason_keys(&self) -> Vec<ReasonKey> {
        if self.when.is_empty() {
            vec![ReasonKey::of(&self.reason)]
        } else {
            self.when.iter().map(|f| f.reason_key()).collect()
        }
    }
}

/// The urgency of a report, with the rule that decided and its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub level: Level,
    /// The `reason` id of the rule that matched (empty only if the catalogue had no rules).
    pub rule: String,
    /// Fluent keys, in the rule's order: "critical: child involved; still happening".
    pub reasons: Vec<ReasonKey>,
}

/// Applies urgency rules (the catalogue's, `Catalogue::urgency_rules`, in their order) to the
/// facts of a report.
pub fn decide(rules: &[UrgencyRule], facts: &[Fact]) -> Decision {
    match rules.iter().find(|r| r.matches(facts)) {
        Some(rule) => Decision {
            level: rule.level,
            rule: rule.reason.clone(),
            reasons: rule.reason_keys(),
        },
        // A validated catalogue always ends with a default rule; this is the empty fallback.
        None => Decision {
            level: Level::Normal,
            rule: String::new(),
            reasons: Vec::new(),
        },
    }
}

/// The level and the Fluent keys that explain it.
pub fn urgency(rules: &[UrgencyRule], facts: &[Fact]) -> (Level, Vec<ReasonKey>) {
    let d = decide(rules, facts);
    (d.level, d.reasons)
}

/// How recent an incident must be for its place and time to be actionable.
pub const ACTIONABLE_WITHIN_DAYS: i64 = 30;

/// The fact `actionable_place_and_time`: a venue or city is given, and the incident date is
/// within the last [`ACTIONABLE_WITHIN_DAYS`] days of `today` or it is still happening.
pub fn actionable_place_and_time(
    venue_or_city_given: bool,
    incident_date: Option<Date>,
    still_happening: bool,
    today: Date,
) -> bool {
    let recent = incident_date
        .is_some_and(|d| d <= today && today - d <= Duration::days(ACTIONABLE_WITHIN_DAYS));
    venue_or_city_given && (still_happening || recent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::catalogue::{builtin, load_file, load_str};
    use time::macros::date;

    const BUILTIN_TEXT: &str = include_str!("catalogue.toml");

    fn facts(
        child: bool,
        ongoing: bool,
        danger: bool,
        actionable: bool,
        presumed: bool,
    ) -> Vec<Fact> {
        [
            (child, Fact::ChildInvolved),
            (ongoing, Fact::StillHappening),
            (danger, Fact::ImmediateDanger),
            (actionable, Fact::ActionablePlaceAndTime),
            (presumed, Fact::PresumedVictim),
        ]
        .into_iter()
        .filter_map(|(on, f)| on.then_some(f))
        .collect()
    }

    fn keys(k: &[&str]) -> Vec<ReasonKey> {
        k.iter()
            .map(|s| ReasonKey(format!("urgency-reason-{s}")))
            .collect()
    }

    #[test]
    fn shipped_rules_reproduce_todays_urgency_for_all_combinations() {
        let cat = builtin();
        for bits in 0..16u8 {
            let (child, ongoing, danger, actionable) =
                (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0);
            // The rule tipline used before urgency became data: critical when a child is
            // involved and it is still happening, or someone is in danger now; high when a
            // child is involved or it is still happening; normal otherwise.
            let before = if (child && ongoing) || danger {
                Level::Critical
            } else if child || ongoing {
                Level::High
            } else {
                Level::Normal
            };
            let (level, reasons) = urgency(
                cat.urgency_rules(),
                &facts(child, ongoing, danger, actionable, false),
            );
            assert_eq!(level, before, "bits {bits:04b}");
            assert!(!reasons.is_empty());
        }
    }

    #[test]
    fn the_level_explains_itself() {
        let cat = builtin();
        let all = facts(true, true, true, true, true);
        assert_eq!(
            urgency(cat.urgency_rules(), &all),
            (
                Level::Critical,
                keys(&["child-involved", "still-happening"])
            )
        );
        assert_eq!(
            urgency(
                cat.urgency_rules(),
                &facts(false, false, true, false, false)
            ),
            (Level::Critical, keys(&["immediate-danger"]))
        );
        assert_eq!(
            urgency(cat.urgency_rules(), &facts(true, false, false, true, false)),
            (Level::High, keys(&["child-involved"]))
        );
        assert_eq!(
            urgency(cat.urgency_rules(), &[]),
            (Level::Normal, keys(&["no-urgent-fact"]))
        );
        let d = decide(cat.urgency_rules(), &[]);
        assert_eq!(d.rule, "no_urgent_fact");
    }

    #[test]
    fn a_presumed_victim_is_high_and_critical_when_ongoing_at_a_known_place() {
        let cat = builtin();
        assert_eq!(
            urgency(
                cat.urgency_rules(),
                &facts(false, false, false, false, true)
            ),
            (Level::High, keys(&["presumed-victim"]))
        );
        assert_eq!(
            urgency(cat.urgency_rules(), &facts(false, true, false, true, true)),
            (
                Level::Critical,
                keys(&[
                    "presumed-victim",
                    "still-happening",
                    "actionable-place-and-time"
                ])
            )
        );
        // Ongoing without a place to act on stays high.
        assert_eq!(
            urgency(cat.urgency_rules(), &facts(false, true, false, false, true)).0,
            Level::High
        );
    }

    #[test]
    fn low_is_unused_by_the_shipped_rules() {
        let cat = builtin();
        for bits in 0..32u8 {
            let f = facts(
                bits & 1 != 0,
                bits & 2 != 0,
                bits & 4 != 0,
                bits & 8 != 0,
                bits & 16 != 0,
            );
            assert_ne!(urgency(cat.urgency_rules(), &f).0, Level::Low);
        }
    }

    #[test]
    fn a_changed_rule_in_an_override_file_changes_the_outcome() {
        let old = "[[urgency]]\nlevel = \"high\"\nwhen = [\"still_happening\"]";
        assert!(BUILTIN_TEXT.contains(old));
        let text = BUILTIN_TEXT
            .replace(
                old,
                "[[urgency]]\nlevel = \"critical\"\nwhen = [\"still_happening\"]",
            )
            .replace(
                "level = \"normal\"\nwhen = []",
                "level = \"low\"\nwhen = []",
            );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalogue.toml");
        std::fs::write(&path, text).unwrap();
        let cat = load_file(&path).unwrap();
        let ongoing = facts(false, true, false, false, false);
        assert_eq!(urgency(builtin().urgency_rules(), &ongoing).0, Level::High);
        assert_eq!(
            urgency(cat.urgency_rules(), &ongoing),
            (Level::Critical, keys(&["still-happening"]))
        );
        assert_eq!(urgency(cat.urgency_rules(), &[]).0, Level::Low);
    }

    #[test]
    fn rules_apply_in_file_order() {
        // Moving the default first makes every report normal.
        let default = "\n[[urgency]]\nlevel = \"normal\"\nwhen = []\nreason = \"no_urgent_fact\"\n";
        assert!(BUILTIN_TEXT.contains(default));
        let first = BUILTIN_TEXT.replace(default, "\n");
        let idx = first.find("\n[[urgency]]").unwrap();
        let mut text = first.clone();
        text.insert_str(idx, default);
        // A default followed by other rules is refused: they could never apply.
        let err = load_str(&text, "test").unwrap_err().to_string();
        assert!(err.contains("can never apply"), "{err}");
    }

    #[test]
    fn actionable_needs_a_place_and_a_recent_or_ongoing_time() {
        let today = date!(2026 - 03 - 31);
        assert!(actionable_place_and_time(
            true,
            Some(date!(2026 - 03 - 01)),
            false,
            today
        ));
        assert!(actionable_place_and_time(true, Some(today), false, today));
        assert!(!actionable_place_and_time(
            true,
            Some(date!(2026 - 02 - 28)),
            false,
            today
        ));
        assert!(actionable_place_and_time(true, None, true, today));
        assert!(actionable_place_and_time(
            true,
            Some(date!(2020 - 01 - 01)),
            true,
            today
        ));
        assert!(!actionable_place_and_time(false, Some(today), true, today));
        assert!(!actionable_place_and_time(true, None, false, today));
        // A date after today is not "within the last 30 days".
        assert!(!actionable_place_and_time(
            true,
            Some(date!(2026 - 04 - 02)),
            false,
            today
        ));
    }

    #[test]
    fn levels_and_facts_round_trip_their_ids() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        for f in Fact::ALL {
            assert_eq!(Fact::parse(f.as_str()), Some(f));
        }
        assert_eq!(Level::Critical.fluent_key(), "urgency-critical");
        assert_eq!(
            Fact::ActionablePlaceAndTime.reason_key().as_str(),
            "urgency-reason-actionable-place-and-time"
        );
        assert!(Level::Critical < Level::High && Level::Normal < Level::Low);
    }
}
