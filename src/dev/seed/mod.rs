//! Synthetic reports for tests and benchmarks (`tipline dev seed`): realistic, multilingual and
//! reproducible from a seed.
//!
//! Every report is typed the way a reporter types one — a [`ReportInput`] with phone numbers in
//! national or international form, e-mail addresses in odd case, the same profile link written
//! three ways, a venue with or without its accents — and goes through the form's own validation
//! ([`validate`]) to become a [`ValidReport`]; intake then extracts, normalises, seals and indexes
//! it as it does any report.
//!
//! - **Texts**: narratives of 40–150 words in English, French, German or Dutch (the report's
//!   language), built from sentence templates per language and category (`texts.toml`) with
//!   Zipf-weighted words and inflected forms (work/works/worked/working,
//!   travaille/travaillent/travaillait/travaillé, arbeitet/arbeitete/gearbeitet, werkt/werkte/
//!   gewerkt…), plus descriptions of people and, for abuse material, where it was found.
//! - **Facts**: every category, countries weighted towards Europe (`world.toml`), cities and
//!   venues, warning signs, incident dates, age groups, channels and campaigns, contact details
//!   for the reporters who leave them.
//! - **Identifiers shared in clusters**: reports belong to *networks* whose sizes follow a power
//!   law, each with its phones, e-mail addresses, sites, platform profiles, adverts, handles,
//!   plates, IBANs and venue; a report uses some of its network's identifiers, in the identifier
//!   fields or mentioned in the narrative. Most identifiers appear in one report, some in 2–10,
//!   a few in 50 or more.
//! - **Time**: reports are received over the two years before `now`, in index order.
//!
//! Report `i` depends only on the seed, the number of reports, `i` and `now`: each report draws
//! from its own random stream (ChaCha8, stream `i + 1`; stream 0 builds the networks), so any
//! range of reports can be generated on its own, in parallel, with the same result.

mod generator;
mod texts;
mod world;
mod writer;

pub use generator::{Generator, Typed};

use texts::{Lang, RawLanguage};
use world::{RawWorld, World, language_code};

use crate::intake::categories::{self, CATEGORIES, Category, FormKind};
use crate::intake::report::{Channel, ReportInput, validate};
use crate::intake::submit::BulkReport;
use crate::types::LANGUAGES;
use crate::types::vocabulary::WARNING_SIGNS;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 20_260_101;

const TEXTS: &str = include_str!("texts.toml");
const WORLD: &str = include_str!("world.toml");

/// Share of reports that belong to a network shared with other reports; the others have
/// identifiers of their own.
const NETWORK_SHARE: f64 = 0.45;
/// Exponent of the power law of network sizes: P(size ≥ s) ∝ s^-(ALPHA - 1).
const ALPHA: f64 = 2.3;
/// Received times are spread over this span before `now`.
const SPAN_DAYS: i64 = 730;
/// Most identifiers a narrative mentions.
const MAX_MENTIONS: usize = 4;
/// Narrative length in words (full form).
const MIN_WORDS: usize = 40;
const MAX_WORDS: usize = 150;

/// How often each category is reported (every category must have a weight; a test checks).
const CATEGORY_WEIGHTS: &[(&str, u32)] = &[
    ("sexual_exploitation", 22),
    ("labour_exploitation", 22),
    ("domestic_servitude", 7),
    ("child_sexual_exploitation", 7),
    ("child_travel_tourism", 3),
    ("online_grooming", 6),
    ("abuse_material_online", 9),
    ("forced_begging_criminality", 6),
    ("forced_marriage", 4),
    ("organ_removal", 2),
    ("illegal_adoption_surrogacy", 2),
    ("other", 10),
];

/// Languages of reports that name no country.
const LANGUAGE_WEIGHTS: &[(&str, u32)] = &[("en", 4), ("fr", 3), ("de", 2), ("nl", 2)];

/// Campaign ids of reports that came through an awareness campaign's link.
const CAMPAIGNS: &[&str] = &[
    "hotel-2025",
    "airport-2025",
    "festival-2026",
    "schools-2025",
];

/// Why seeding cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the built-in seed data is broken: {0}")]
    Data(String),
    #[error("generated report {index} fails validation ({fields}); this is a generator bug")]
    Invalid { index: u64, fields: String },
}

// --- Weighted choice -------------------------------------------------------------------------

/// Cumulative weights for drawing an index.
#[derive(Debug, Clone)]
struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Self { cumulative }
    }

    /// Rank r weighs 1 / (r + 1): a few entries common, most rare.
    fn zipf(n: usize) -> Self {
        Self::new((0..n).map(|r| 1.0 / (r as f64 + 1.0)))
    }

    fn pick(&self, rng: &mut impl Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

/// A non-empty list drawn from with Zipf weights.
#[derive(Debug, Clone)]
struct Zipf<T> {
    items: Vec<T>,
    weights: Weighted,
}

impl<T> Zipf<T> {
    fn new(items: Vec<T>, what: &str) -> Result<Self, String> {
        if items.is_empty() {
            return Err(format!("{what} is empty"));
        }
        let weights = Weighted::zipf(items.len());
        Ok(Self { items, weights })
    }

    fn pick(&self, rng: &mut impl Rng) -> &T {
        &self.items[self.weights.pick(rng)]
    }
}

/// A uniformly drawn element of a slice that was checked to be non-empty.
fn any<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Weighted ids, e.g. categories or languages.
#[derive(Debug, Clone)]
struct Table<T> {
    items: Vec<T>,
    weights: Weighted,
}

impl<T> Table<T> {
    fn new(pairs: Vec<(T, u32)>, what: &str) -> Result<Self, String> {
        if pairs.is_empty() {
            return Err(format!("{what} is empty"));
        }
        let weights = Weighted::new(pairs.iter().map(|(_, w)| f64::from(*w)));
        Ok(Self {
            items: pairs.into_iter().map(|(t, _)| t).collect(),
            weights,
        })
    }

    fn pick(&self, rng: &mut impl Rng) -> &T {
        &self.items[self.weights.pick(rng)]
    }
}

#[derive(Debug)]
struct Data {
    world: World,
    /// In the order of [`LANGUAGES`].
    langs: Vec<Lang>,
    categories: Table<&'static Category>,
    languages: Table<&'static str>,
}

static DATA: LazyLock<Result<Data, String>> = LazyLock::new(Data::load);

impl Data {
    fn load() -> Result<Self, String> {
        let world: RawWorld = toml::from_str(WORLD).map_err(|e| format!("world.toml: {e}"))?;
        let mut texts: HashMap<String, RawLanguage> =
            toml::from_str(TEXTS).map_err(|e| format!("texts.toml: {e}"))?;
        let langs = LANGUAGES
            .iter()
            .map(|code| {
                let raw = texts
                    .remove(*code)
                    .ok_or_else(|| format!("texts.toml has no [{code}]"))?;
                Lang::load(code, raw)
            })
            .collect::<Result<Vec<_>, String>>()?;
        if let Some(extra) = texts.keys().next() {
            return Err(format!("texts.toml: unknown language {extra}"));
        }
        let categories = CATEGORY_WEIGHTS
            .iter()
            .map(|(id, w)| {
                categories::by_id(id)
                    .map(|c| (c, *w))
                    .ok_or_else(|| format!("unknown category {id}"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let languages = LANGUAGE_WEIGHTS
            .iter()
            .map(|(l, w)| Ok((language_code(l)?, *w)))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            world: World::load(world)?,
            langs,
            categories: Table::new(categories, "categories")?,
            languages: Table::new(languages, "languages")?,
        })
    }

    fn lang(&self, code: &str) -> Option<&Lang> {
        self.langs.iter().find(|l| l.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::texts::words;
    use super::world::{fill_pattern, network_sizes};
    use super::writer::Typist;
    use super::*;
    use crate::intake::submit::identifiers_of;
    use crate::link::identifiers::{Kind, normalise_iban, normalise_phone};
    use std::collections::{HashMap, HashSet};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    static THOUSAND: LazyLock<Vec<BulkReport>> = LazyLock::new(|| {
        Generator::new(7, 1000, NOW)
            .unwrap()
            .reports(0..1000, 2)
            .unwrap()
    });

    fn full_form(r: &BulkReport) -> bool {
        r.report.category.form == FormKind::Full
    }

    #[test]
    fn the_data_loads_and_weighs_every_category() {
        assert!(DATA.as_ref().is_ok(), "{:?}", DATA.as_ref().err());
        for c in CATEGORIES {
            assert!(
                CATEGORY_WEIGHTS.iter().any(|(id, _)| *id == c.id),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_reports_whatever_the_threads() {
        let a = Generator::new(42, 300, NOW)
            .unwrap()
            .reports(0..300, 1)
            .unwrap();
        let b = Generator::new(42, 300, NOW)
            .unwrap()
            .reports(0..300, 3)
            .unwrap();
        assert_eq!(a, b);
        let one = Generator::new(42, 300, NOW).unwrap().report(123).unwrap();
        assert_eq!(one, a[123]);
        let other = Generator::new(43, 300, NOW)
            .unwrap()
            .reports(0..300, 1)
            .unwrap();
        assert_ne!(a, other);
        assert!(a.windows(2).all(|w| w[0].received_at <= w[1].received_at));
        assert!(
            a.iter()
                .all(|r| r.received_at < NOW && r.received_at >= NOW - Duration::days(SPAN_DAYS))
        );
    }

    #[test]
    fn every_report_is_what_the_form_accepts() {
        let generator = Generator::new(7, 1000, NOW).unwrap();
        for i in (0..1000).step_by(7) {
            let typed = generator.typed(i);
            let valid = validate(&typed.input, typed.channel, typed.received_at.date())
                .unwrap_or_else(|e| panic!("report {i}: {e:?}"));
            assert_eq!(valid, THOUSAND[i as usize].report);
        }
        for r in THOUSAND.iter().filter(|r| full_form(r)) {
            let n = words(&r.report.content.narrative.narrative);
            assert!((MIN_WORDS..=MAX_WORDS).contains(&n), "{n} words");
        }
    }

    /// The language a text is written in, by its commonest little words.
    fn guess_language(text: &str) -> &'static str {
        let marks: [(&str, &[&str]); 4] = [
            ("en", &["the", "and", "is", "are", "they", "with", "a"]),
            (
                "fr",
                &["le", "la", "les", "et", "est", "des", "ils", "avec", "une"],
            ),
            (
                "de",
                &["der", "die", "und", "ist", "sie", "mit", "nicht", "eine"],
            ),
            ("nl", &["het", "en", "een", "ze", "met", "niet", "zijn"]),
        ];
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        marks
            .iter()
            .max_by_key(|(_, m)| words.iter().filter(|w| m.contains(w)).count())
            .map_or("", |(l, _)| *l)
    }

    #[test]
    fn all_languages_and_categories_appear_and_the_text_is_in_the_reports_language() {
        let languages: HashSet<&str> = THOUSAND.iter().map(|r| r.report.language).collect();
        assert_eq!(languages, LANGUAGES.iter().copied().collect());
        let categories: HashSet<&str> = THOUSAND.iter().map(|r| r.report.category.id).collect();
        assert_eq!(categories, CATEGORIES.iter().map(|c| c.id).collect());
        for r in THOUSAND.iter().filter(|r| full_form(r)) {
            let text = &r.report.content.narrative.narrative;
            assert_eq!(guess_language(text), r.report.language, "{text}");
        }
        let channels: HashSet<&str> = THOUSAND.iter().map(|r| r.report.channel.as_str()).collect();
        assert_eq!(channels.len(), 4);
        let countries: HashSet<&str> = THOUSAND
            .iter()
            .filter_map(|r| r.report.country.as_deref())
            .collect();
        assert!(countries.len() >= 20, "{countries:?}");
        assert!(
            THOUSAND
                .iter()
                .any(|r| r.report.content.abuse_material.is_some())
        );
        assert!(THOUSAND.iter().any(|r| r.report.incident_month.is_some()));
        assert!(THOUSAND.iter().any(|r| !r.report.age_groups.is_empty()));
        assert!(
            THOUSAND
                .iter()
                .any(|r| !r.report.content.place.venue.is_empty())
        );
    }

    #[test]
    fn narratives_hold_inflected_forms() {
        let mut seen = HashSet::new();
        for r in THOUSAND.iter() {
            for w in r
                .report
                .content
                .narrative
                .narrative
                .split(|c: char| !c.is_alphabetic())
            {
                seen.insert(w.to_lowercase());
            }
        }
        for form in [
            "work",
            "works",
            "worked",
            "working",
            "travaille",
            "travaillent",
            "travaillait",
            "travaillé",
            "arbeiten",
            "arbeitet",
            "arbeitete",
            "gearbeitet",
            "werken",
            "werkt",
            "werkte",
            "gewerkt",
        ] {
            assert!(seen.contains(form), "{form}");
        }
    }

    #[test]
    fn identifiers_are_shared_in_clusters_and_spelled_differently() {
        let mut seen: HashMap<(Kind, String), (usize, HashSet<String>)> = HashMap::new();
        for r in THOUSAND.iter() {
            for i in identifiers_of(&r.report) {
                let entry = seen.entry((i.kind, i.value)).or_default();
                entry.0 += 1;
                entry.1.insert(i.shown);
            }
        }
        let kinds: HashSet<Kind> = seen.keys().map(|(k, _)| *k).collect();
        assert_eq!(kinds, Kind::ALL.into_iter().collect(), "every kind appears");
        let once = seen.values().filter(|(n, _)| *n == 1).count();
        assert!(once * 2 > seen.len(), "most identifiers are in one report");
        let largest = seen.values().map(|(n, _)| *n).max().unwrap_or(0);
        assert!(largest >= 10, "some are shared by many: {largest}");
        assert!(
            seen.iter()
                .any(|((k, _), (_, shown))| *k == Kind::Phone && shown.len() >= 2),
            "one number written two ways"
        );
    }

    #[test]
    fn network_sizes_follow_a_power_law() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let sizes = network_sizes(&mut rng, 450_000.0, 1000.0);
        let small = sizes.iter().filter(|s| **s <= 10).count();
        let big = sizes.iter().filter(|s| **s >= 50).count();
        assert!(small * 10 > sizes.len() * 8, "most networks are small");
        assert!(big > 10 && big * 50 < sizes.len(), "a few are big: {big}");
        assert!(sizes.iter().all(|s| (2..=1000).contains(s)));
    }

    #[test]
    fn every_phone_spelling_normalises_to_one_number() {
        let data = DATA.as_ref().unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut wrong = Vec::new();
        for (i, c) in data.world.countries.iter().enumerate() {
            let Some(plan) = &c.phone else { continue };
            for _ in 0..30 {
                let pattern = any(&mut rng, &plan.mobile).clone();
                let nsn = fill_pattern(&mut rng, &pattern);
                let e164 = format!("+{}{nsn}", plan.cc);
                if normalise_phone(&e164, None).as_deref() != Some(e164.as_str()) {
                    wrong.push(format!("{} {pattern}: {e164}", c.code));
                    continue;
                }
                let mut typist = Typist {
                    data,
                    rng: &mut rng,
                    received_at: NOW,
                };
                for _ in 0..12 {
                    let shown = typist.show_phone(i, &nsn, Some(i));
                    if normalise_phone(&shown, Some(&c.code)).as_deref() != Some(e164.as_str()) {
                        wrong.push(format!("{} {pattern}: {shown}", c.code));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn ibans_pass_their_check() {
        let data = DATA.as_ref().unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for (i, c) in data.world.countries.iter().enumerate() {
            if c.bban.is_none() {
                continue;
            }
            for _ in 0..20 {
                let iban = data.world.iban(&mut rng, Some(i)).unwrap();
                assert!(iban.starts_with(&c.code));
                assert_eq!(
                    normalise_iban(&iban).as_deref(),
                    Some(iban.as_str()),
                    "{iban}"
                );
            }
        }
    }
}
