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

use crate::intake::categories::{self, CATEGORIES, Category, FormKind};
use crate::intake::report::{Channel, LANGUAGES, ReportInput, validate};
use crate::intake::submit::BulkReport;
use crate::intake::vocabulary::WARNING_SIGNS;
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

// --- Texts -----------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    lists: HashMap<String, Vec<String>>,
    verbs: HashMap<String, Vec<HashMap<String, String>>>,
    sentences: RawSentences,
    category: HashMap<String, Vec<String>>,
    mention: RawMentions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSentences {
    intro: Vec<String>,
    general: Vec<String>,
    closing: Vec<String>,
    victims: Vec<String>,
    exploiters: Vec<String>,
    where_found: Vec<String>,
    abuse_comment: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMentions {
    phone: Vec<String>,
    email: Vec<String>,
    url: Vec<String>,
    handle: Vec<String>,
    iban: Vec<String>,
    plate: Vec<String>,
}

/// Verb forms a template may ask for.
const FORMS: [&str; 7] = ["inf", "s", "p", "past_s", "past_p", "part", "ger"];

/// What the generator fills in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    City,
    Place,
    N,
    Money,
    Age,
    Teen,
    /// The identifier a mention sentence is about.
    Mention,
}

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    List(usize),
    Verb { group: usize, form: usize },
    Special(Special),
}

#[derive(Debug, Clone)]
struct Template {
    pieces: Vec<Piece>,
}

/// A group of verbs, each with its forms (by [`FORMS`] index).
#[derive(Debug, Clone)]
struct VerbGroup {
    verbs: Zipf<Vec<Option<String>>>,
}

/// What a mention sentence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mention {
    Phone = 0,
    Email = 1,
    Url = 2,
    Handle = 3,
    Iban = 4,
    Plate = 5,
}

/// One language's templates and words.
#[derive(Debug)]
struct Lang {
    code: &'static str,
    lists: Vec<Zipf<String>>,
    verbs: Vec<VerbGroup>,
    kind: usize,
    intro: Vec<Template>,
    general: Vec<Template>,
    closing: Vec<Template>,
    victims: Vec<Template>,
    exploiters: Vec<Template>,
    where_found: Vec<Template>,
    abuse_comment: Vec<Template>,
    /// By category id.
    category: HashMap<&'static str, Vec<Template>>,
    /// By [`Mention`].
    mention: [Vec<Template>; 6],
}

/// Values filled into a template.
struct Fill<'a> {
    city: &'a str,
    place: &'a str,
    mention: &'a str,
}

impl Lang {
    fn load(code: &'static str, raw: RawLanguage) -> Result<Self, String> {
        let mut list_ids = HashMap::new();
        let mut lists = Vec::new();
        for (name, words) in raw.lists {
            list_ids.insert(name.clone(), lists.len());
            lists.push(Zipf::new(words, &format!("{code}.lists.{name}"))?);
        }
        let mut verb_ids = HashMap::new();
        let mut verbs = Vec::new();
        for (name, group) in raw.verbs {
            let mut table = Vec::new();
            for forms in group {
                if let Some(unknown) = forms.keys().find(|k| !FORMS.contains(&k.as_str())) {
                    return Err(format!("{code}.verbs.{name}: unknown form {unknown}"));
                }
                table.push(FORMS.iter().map(|f| forms.get(*f).cloned()).collect());
            }
            verb_ids.insert(name.clone(), verbs.len());
            verbs.push(VerbGroup {
                verbs: Zipf::new(table, &format!("{code}.verbs.{name}"))?,
            });
        }
        let kind = *list_ids
            .get("KIND")
            .ok_or_else(|| format!("{code}.lists.KIND is missing"))?;
        let parse_all = |what: &str, texts: Vec<String>| -> Result<Vec<Template>, String> {
            if texts.is_empty() {
                return Err(format!("{code}: {what} is empty"));
            }
            texts
                .iter()
                .map(|t| parse_template(t, &list_ids, &verb_ids, &verbs))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{code}: {what}: {e}"))
        };
        let mut category = HashMap::new();
        for (id, texts) in raw.category {
            let c = categories::by_id(&id)
                .ok_or_else(|| format!("{code}.category: unknown category {id}"))?;
            category.insert(c.id, parse_all(&format!("category.{id}"), texts)?);
        }
        if let Some(missing) = CATEGORIES.iter().find(|c| !category.contains_key(c.id)) {
            return Err(format!("{code}.category.{} is missing", missing.id));
        }
        let m = raw.mention;
        let mention = [
            parse_all("mention.phone", m.phone)?,
            parse_all("mention.email", m.email)?,
            parse_all("mention.url", m.url)?,
            parse_all("mention.handle", m.handle)?,
            parse_all("mention.iban", m.iban)?,
            parse_all("mention.plate", m.plate)?,
        ];
        for list in &mention {
            for t in list {
                let mentions = t
                    .pieces
                    .iter()
                    .filter(|p| matches!(p, Piece::Special(Special::Mention)))
                    .count();
                if mentions != 1 {
                    return Err(format!(
                        "{code}: a mention template names {mentions} identifiers"
                    ));
                }
            }
        }
        let s = raw.sentences;
        Ok(Self {
            code,
            kind,
            intro: parse_all("intro", s.intro)?,
            general: parse_all("general", s.general)?,
            closing: parse_all("closing", s.closing)?,
            victims: parse_all("victims", s.victims)?,
            exploiters: parse_all("exploiters", s.exploiters)?,
            where_found: parse_all("where_found", s.where_found)?,
            abuse_comment: parse_all("abuse_comment", s.abuse_comment)?,
            category,
            mention,
            lists,
            verbs,
        })
    }

    /// One sentence from a template, its first letter upper-case.
    fn render(&self, t: &Template, rng: &mut impl Rng, fill: &Fill<'_>) -> String {
        let mut out = String::new();
        for piece in &t.pieces {
            match piece {
                Piece::Text(s) => out.push_str(s),
                Piece::List(i) => {
                    if let Some(list) = self.lists.get(*i) {
                        out.push_str(list.pick(rng));
                    }
                }
                Piece::Verb { group, form } => {
                    if let Some(g) = self.verbs.get(*group) {
                        let verb = g.verbs.pick(rng);
                        out.push_str(verb.get(*form).and_then(|f| f.as_deref()).unwrap_or(""));
                    }
                }
                Piece::Special(s) => match s {
                    Special::City => out.push_str(fill.city),
                    Special::Place => out.push_str(fill.place),
                    Special::Mention => out.push_str(fill.mention),
                    Special::N => out.push_str(&rng.random_range(2..=12u32).to_string()),
                    Special::Money => out.push_str(&(rng.random_range(4..=60u32) * 50).to_string()),
                    Special::Age => out.push_str(&rng.random_range(18..=55u32).to_string()),
                    Special::Teen => out.push_str(&rng.random_range(13..=17u32).to_string()),
                },
            }
        }
        capitalise(&out)
    }

    /// "a restaurant", "un salon de massage"…: a place when the report names no venue.
    fn kind_of_place(&self, rng: &mut impl Rng) -> String {
        self.lists
            .get(self.kind)
            .map(|l| l.pick(rng).clone())
            .unwrap_or_default()
    }
}

fn parse_template(
    text: &str,
    lists: &HashMap<String, usize>,
    verb_ids: &HashMap<String, usize>,
    verbs: &[VerbGroup],
) -> Result<Template, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed {{ in {text:?}"))?;
        let name = &after[..close];
        let piece = match name {
            "city" => Piece::Special(Special::City),
            "place" => Piece::Special(Special::Place),
            "n" => Piece::Special(Special::N),
            "money" => Piece::Special(Special::Money),
            "age" => Piece::Special(Special::Age),
            "teen" => Piece::Special(Special::Teen),
            "phone" | "email" | "url" | "handle" | "iban" | "plate" => {
                Piece::Special(Special::Mention)
            }
            _ => match name.split_once('.') {
                Some((group, form)) => {
                    let g = *verb_ids
                        .get(group)
                        .ok_or_else(|| format!("unknown verb group {group} in {text:?}"))?;
                    let f = FORMS
                        .iter()
                        .position(|x| *x == form)
                        .ok_or_else(|| format!("unknown form {form} in {text:?}"))?;
                    let complete = verbs.get(g).is_some_and(|v| {
                        v.verbs
                            .items
                            .iter()
                            .all(|forms| forms.get(f).is_some_and(Option::is_some))
                    });
                    if !complete {
                        return Err(format!(
                            "a verb of {group} lacks the form {form} ({text:?})"
                        ));
                    }
                    Piece::Verb { group: g, form: f }
                }
                None => Piece::List(
                    *lists
                        .get(name)
                        .ok_or_else(|| format!("unknown list {name} in {text:?}"))?,
                ),
            },
        };
        pieces.push(piece);
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Ok(Template { pieces })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn strip_accents(s: &str) -> String {
    s.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

// --- The world -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorld {
    country: Vec<RawCountry>,
    venues: RawVenues,
    names: RawNames,
    email: RawEmail,
    web: RawWeb,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCountry {
    code: String,
    weight: u32,
    languages: BTreeMap<String, u32>,
    cities: Vec<String>,
    phone: Option<PhonePlan>,
    plates: Vec<String>,
    bban: Option<String>,
}

/// How mobile numbers of a country look.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhonePlan {
    cc: String,
    trunk: String,
    mobile: Vec<String>,
    groups: Vec<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVenues {
    kinds: Vec<String>,
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNames {
    first: Vec<String>,
    last: Vec<String>,
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    domains: Vec<(String, u32)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeb {
    tlds: Vec<(String, u32)>,
    paths: Vec<String>,
    profiles: Vec<Vec<String>>,
    adverts: Vec<String>,
    abuse_hosts: Vec<String>,
    abuse_tlds: Vec<String>,
}

#[derive(Debug)]
struct Country {
    code: String,
    languages: Table<&'static str>,
    cities: Zipf<String>,
    phone: Option<PhonePlan>,
    plates: Vec<String>,
    bban: Option<String>,
}

#[derive(Debug)]
struct World {
    countries: Vec<Country>,
    country_weights: Weighted,
    /// Countries with a phone plan (indices into `countries`).
    phone_countries: Vec<usize>,
    venue_kinds: Zipf<String>,
    venue_names: Zipf<String>,
    first: Zipf<String>,
    last: Zipf<String>,
    words: Zipf<String>,
    email_domains: Table<String>,
    tlds: Table<String>,
    paths: Vec<String>,
    profiles: Vec<Vec<String>>,
    adverts: Vec<String>,
    abuse_hosts: Vec<String>,
    abuse_tlds: Vec<String>,
}

fn language_code(code: &str) -> Result<&'static str, String> {
    LANGUAGES
        .iter()
        .find(|l| **l == code)
        .copied()
        .ok_or_else(|| format!("unknown language {code}"))
}

fn non_empty<T>(items: Vec<T>, what: &str) -> Result<Vec<T>, String> {
    if items.is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(items)
    }
}

impl World {
    fn load(raw: RawWorld) -> Result<Self, String> {
        let mut countries = Vec::new();
        let mut weights = Vec::new();
        for c in raw.country {
            if !crate::intake::countries::is_country(&c.code) {
                return Err(format!("unknown country {}", c.code));
            }
            let languages = c
                .languages
                .iter()
                .map(|(l, w)| Ok((language_code(l)?, *w)))
                .collect::<Result<Vec<_>, String>>()?;
            if let Some(plan) = &c.phone
                && (plan.mobile.is_empty() || plan.groups.is_empty())
            {
                return Err(format!("{}: the phone plan is empty", c.code));
            }
            weights.push(f64::from(c.weight));
            countries.push(Country {
                languages: Table::new(languages, &format!("{}.languages", c.code))?,
                cities: Zipf::new(c.cities, &format!("{}.cities", c.code))?,
                phone: c.phone,
                plates: non_empty(c.plates, &format!("{}.plates", c.code))?,
                bban: c.bban,
                code: c.code,
            });
        }
        let phone_countries = non_empty(
            (0..countries.len())
                .filter(|i| countries.get(*i).is_some_and(|c| c.phone.is_some()))
                .collect(),
            "countries with phones",
        )?;
        let w = raw.web;
        if w.profiles.iter().any(Vec::is_empty) {
            return Err("a profile has no spelling".to_owned());
        }
        Ok(Self {
            country_weights: Weighted::new(weights),
            countries: non_empty(countries, "country")?,
            phone_countries,
            venue_kinds: Zipf::new(raw.venues.kinds, "venues.kinds")?,
            venue_names: Zipf::new(raw.venues.names, "venues.names")?,
            first: Zipf::new(raw.names.first, "names.first")?,
            last: Zipf::new(raw.names.last, "names.last")?,
            words: Zipf::new(raw.names.words, "names.words")?,
            email_domains: Table::new(raw.email.domains, "email.domains")?,
            tlds: Table::new(w.tlds, "web.tlds")?,
            paths: non_empty(w.paths, "web.paths")?,
            profiles: non_empty(w.profiles, "web.profiles")?,
            adverts: non_empty(w.adverts, "web.adverts")?,
            abuse_hosts: non_empty(w.abuse_hosts, "web.abuse_hosts")?,
            abuse_tlds: non_empty(w.abuse_tlds, "web.abuse_tlds")?,
        })
    }

    fn country(&self, i: usize) -> Option<&Country> {
        self.countries.get(i)
    }

    /// A country reports name (about 4 % name none).
    fn random_country(&self, rng: &mut impl Rng) -> Option<usize> {
        (!rng.random_bool(0.04)).then(|| self.country_weights.pick(rng))
    }

    fn phone(&self, rng: &mut impl Rng, home: Option<usize>) -> Ident {
        let home = home.filter(|c| self.country(*c).is_some_and(|c| c.phone.is_some()));
        let country = match home {
            Some(c) if rng.random_bool(0.85) => c,
            _ => Some(self.country_weights.pick(rng))
                .filter(|c| self.country(*c).is_some_and(|c| c.phone.is_some()))
                .unwrap_or_else(|| *any(rng, &self.phone_countries)),
        };
        let nsn = self
            .country(country)
            .and_then(|c| c.phone.as_ref())
            .map(|plan| {
                let pattern = any(rng, &plan.mobile).clone();
                fill_pattern(rng, &pattern)
            })
            .unwrap_or_default();
        Ident::Phone { country, nsn }
    }

    fn email(&self, rng: &mut impl Rng) -> String {
        let first = self.first.pick(rng);
        let last = self.last.pick(rng);
        let local = match rng.random_range(0..5) {
            0 => format!("{first}.{last}{}", rng.random_range(1..1000)),
            1 => format!("{first}{}", rng.random_range(100..100_000)),
            2 => format!("{first}_{last}{}", rng.random_range(10..10_000)),
            3 => format!(
                "{}.{}{}",
                self.words.pick(rng),
                self.words.pick(rng),
                rng.random_range(10..10_000)
            ),
            _ => format!(
                "{first}.{}{}",
                last.chars().next().unwrap_or('x'),
                rng.random_range(1000..100_000)
            ),
        };
        format!("{local}@{}", self.email_domains.pick(rng))
    }

    fn domain(&self, rng: &mut impl Rng) -> String {
        let (a, b, c) = (
            self.words.pick(rng),
            self.words.pick(rng),
            self.words.pick(rng),
        );
        let tld = self.tlds.pick(rng);
        match rng.random_range(0..3) {
            0 => format!("{a}-{b}-{c}.{tld}"),
            1 => format!("{a}{b}-{c}.{tld}"),
            _ => format!("{a}-{b}{}.{tld}", rng.random_range(1..1000)),
        }
    }

    fn handle(&self, rng: &mut impl Rng) -> String {
        let first = self.first.pick(rng);
        let word = self.words.pick(rng);
        match rng.random_range(0..4) {
            0 => format!("{first}_{word}{}", rng.random_range(1..100_000)),
            1 => format!("{word}.{first}{}", rng.random_range(1..100_000)),
            2 => format!("{first}{}_{word}", rng.random_range(1..100_000)),
            _ => format!("{word}_{}_{first}", rng.random_range(1..100_000)),
        }
    }

    fn advert(&self, rng: &mut impl Rng) -> String {
        let id = rng.random_range(10_000_000u64..10_000_000_000).to_string();
        let slug = format!("{}-{}", self.words.pick(rng), self.words.pick(rng));
        any(rng, &self.adverts)
            .replace("{id}", &id)
            .replace("{s}", &slug)
    }

    fn abuse_url(&self, rng: &mut impl Rng) -> String {
        let id: String = (0..10)
            .map(|_| *any(rng, b"abcdefghijkmnpqrstuvwxyz23456789") as char)
            .collect();
        if rng.random_bool(0.5) {
            format!("{}/{id}", any(rng, &self.abuse_hosts))
        } else {
            format!(
                "{}{}.{}/gallery/{id}",
                self.words.pick(rng),
                self.words.pick(rng),
                any(rng, &self.abuse_tlds)
            )
        }
    }

    fn plate(&self, rng: &mut impl Rng, country: Option<usize>) -> String {
        let c = country
            .and_then(|c| self.country(c))
            .or_else(|| self.country(self.country_weights.pick(rng)));
        match c {
            Some(c) => {
                let pattern = any(rng, &c.plates).clone();
                fill_pattern(rng, &pattern)
            }
            None => fill_pattern(rng, "AA ####"),
        }
    }

    fn iban(&self, rng: &mut impl Rng, country: Option<usize>) -> Option<String> {
        let c = country
            .and_then(|c| self.country(c))
            .filter(|c| c.bban.is_some())
            .or_else(|| self.countries.iter().find(|c| c.code == "LU"))?;
        let bban = fill_pattern(rng, c.bban.as_deref()?);
        Some(iban_with_check(&c.code, &bban))
    }

    fn venue(&self, rng: &mut impl Rng) -> String {
        format!(
            "{} {}",
            self.venue_kinds.pick(rng),
            self.venue_names.pick(rng)
        )
    }
}

/// `#` any digit, `N` a digit 2-9, `A` an upper-case letter; other characters are kept.
fn fill_pattern(rng: &mut impl Rng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.random_range(0..10u8)),
            'N' => char::from(b'0' + rng.random_range(2..10u8)),
            'A' => char::from(b'A' + rng.random_range(0..26u8)),
            other => other,
        })
        .collect()
}

/// The IBAN of a country code and BBAN, with its mod-97 check digits.
fn iban_with_check(country: &str, bban: &str) -> String {
    let mut rem = 0u32;
    for c in bban.chars().chain(country.chars()).chain("00".chars()) {
        let v = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'A'..='Z' => u32::from(c) - u32::from('A') + 10,
            _ => continue,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

// --- All data --------------------------------------------------------------------------------

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

// --- Identifiers and networks ----------------------------------------------------------------

/// One identifier of a network, in a canonical spelling (shown differently in each report).
#[derive(Debug, Clone)]
enum Ident {
    /// A mobile number: the country whose plan it follows, and its national significant number.
    Phone {
        country: usize,
        nsn: String,
    },
    Email(String),
    /// Host and path of a small site, without scheme.
    Site(String),
    /// A profile on a large platform: which spellings (`web.profiles`), and the handle.
    Profile {
        platform: usize,
        handle: String,
    },
    /// An advert on a classified or escort site: the whole URL.
    Advert(String),
    Handle(String),
    Plate(String),
    /// Compact.
    Iban(String),
    /// Host and path, without scheme.
    AbuseUrl(String),
}

/// People and places behind several reports, and the identifiers they use.
#[derive(Debug, Clone)]
struct Network {
    category: &'static Category,
    country: Option<usize>,
    city: Option<String>,
    venue: Option<String>,
    idents: Vec<Ident>,
}

impl Network {
    /// A network of about `size` reports.
    fn new(data: &Data, rng: &mut impl Rng, size: usize) -> Self {
        let w = &data.world;
        let category = *data.categories.pick(rng);
        let abuse = category.form == FormKind::AbuseMaterialUrl;
        let country = w.random_country(rng);
        let city = country
            .and_then(|c| w.country(c))
            .map(|c| c.cities.pick(rng).clone());
        let mut idents = Vec::new();
        // Bigger networks use more identifiers.
        let extra = if size > 1 {
            1 + (size as f64).log2() as usize / 2
        } else {
            0
        };
        let some = |rng: &mut _, p: f64, most: usize| -> usize {
            (0..most + extra)
                .filter(|_| Rng::random_bool(rng, p))
                .count()
        };
        if abuse {
            for _ in 0..(1 + some(rng, 0.3, 1)) {
                idents.push(Ident::AbuseUrl(w.abuse_url(rng)));
            }
            for _ in 0..some(rng, 0.15, 1) {
                idents.push(Ident::Handle(w.handle(rng)));
            }
            return Self {
                category,
                country,
                city,
                venue: None,
                idents,
            };
        }
        let sexual = category.id == "sexual_exploitation";
        let phones = some(rng, 0.6, 2).max(usize::from(rng.random_bool(0.5)));
        for _ in 0..phones {
            idents.push(w.phone(rng, country));
        }
        for _ in 0..some(rng, 0.3, 1) {
            idents.push(Ident::Email(w.email(rng)));
        }
        for _ in 0..some(rng, 0.12, 1) {
            let path = any(rng, &w.paths);
            idents.push(Ident::Site(format!("{}{path}", w.domain(rng))));
        }
        for _ in 0..some(rng, 0.2, 1) {
            idents.push(Ident::Profile {
                platform: rng.random_range(0..w.profiles.len()),
                handle: w.handle(rng),
            });
        }
        for _ in 0..some(rng, if sexual { 0.4 } else { 0.08 }, 1) {
            idents.push(Ident::Advert(w.advert(rng)));
        }
        for _ in 0..some(rng, 0.2, 1) {
            idents.push(Ident::Handle(w.handle(rng)));
        }
        for _ in 0..some(rng, 0.15, 1) {
            idents.push(Ident::Plate(w.plate(rng, country)));
        }
        if rng.random_bool(0.1)
            && let Some(iban) = w.iban(rng, country)
        {
            idents.push(Ident::Iban(iban));
        }
        let venue = (country.is_some() && rng.random_bool(0.45)).then(|| w.venue(rng));
        Self {
            category,
            country,
            city,
            venue,
            idents,
        }
    }
}

/// Sizes of the shared networks: a power law from 2 up to `largest`.
fn network_sizes(rng: &mut impl Rng, shared_reports: f64, largest: f64) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut total = 0.0;
    while total < shared_reports || sizes.is_empty() {
        let u = 1.0 - rng.random::<f64>();
        let size = (2.0 * u.powf(-1.0 / (ALPHA - 1.0))).min(largest).floor();
        total += size;
        sizes.push(size as usize);
    }
    sizes
}

// --- The generator ---------------------------------------------------------------------------

/// Generates reports `0..count` from a seed.
#[derive(Debug)]
pub struct Generator {
    seed: u64,
    count: u64,
    now: OffsetDateTime,
    data: &'static Data,
    networks: Vec<Network>,
    network_weights: Weighted,
}

/// A report as a reporter typed it, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub input: ReportInput,
    pub channel: Channel,
    pub received_at: OffsetDateTime,
    /// Stands for the submission (its receipt and duplicate check derive from it).
    pub seed: [u8; 16],
}

impl Generator {
    /// A generator of `count` reports received in the two years before `now`.
    pub fn new(seed: u64, count: u64, now: OffsetDateTime) -> Result<Self, SeedError> {
        let data = DATA.as_ref().map_err(|e| SeedError::Data(e.clone()))?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(0);
        let largest = (count as f64 / 100.0).clamp(30.0, 1000.0);
        let sizes = network_sizes(&mut rng, count as f64 * NETWORK_SHARE, largest);
        let networks = sizes
            .iter()
            .map(|s| Network::new(data, &mut rng, *s))
            .collect();
        let network_weights = Weighted::new(sizes.iter().map(|s| *s as f64));
        Ok(Self {
            seed,
            count: count.max(1),
            now: now.replace_nanosecond(0).unwrap_or(now),
            data,
            networks,
            network_weights,
        })
    }

    /// Report `index`, validated as the form validates it.
    pub fn report(&self, index: u64) -> Result<BulkReport, SeedError> {
        let typed = self.typed(index);
        let report =
            validate(&typed.input, typed.channel, typed.received_at.date()).map_err(|errors| {
                SeedError::Invalid {
                    index,
                    fields: errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.code))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
        Ok(BulkReport {
            report,
            seed: typed.seed.to_vec(),
            received_at: typed.received_at,
        })
    }

    /// Reports in `range`, generated on `threads` threads (the result does not depend on it).
    pub fn reports(&self, range: Range<u64>, threads: usize) -> Result<Vec<BulkReport>, SeedError> {
        let len = range.end.saturating_sub(range.start);
        let threads = threads.clamp(1, 16) as u64;
        if threads == 1 || len < 2 * threads {
            return range.map(|i| self.report(i)).collect();
        }
        let per_thread = len.div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let start = range.start + t * per_thread;
                    let end = (start + per_thread).min(range.end);
                    scope.spawn(move || {
                        (start..end)
                            .map(|i| self.report(i))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(len as usize);
            for part in parts {
                match part.join() {
                    Ok(reports) => out.extend(reports?),
                    Err(_) => {
                        return Err(SeedError::Data("a generator thread failed".to_owned()));
                    }
                }
            }
            Ok(out)
        })
    }

    /// Report `index` as typed, before validation.
    pub fn typed(&self, index: u64) -> Typed {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(index.wrapping_add(1));
        let mut seed = [0u8; 16];
        rng.fill_bytes(&mut seed);
        let span = Duration::days(SPAN_DAYS).whole_seconds() as f64;
        let offset = (index as f64 + rng.random::<f64>()) / self.count as f64 * span;
        let received_at = self.now - Duration::days(SPAN_DAYS) + Duration::seconds(offset as i64);

        let fresh;
        let pick = rng
            .random_bool(NETWORK_SHARE)
            .then(|| self.network_weights.pick(&mut rng));
        let (network, shared) = match pick.and_then(|i| self.networks.get(i)) {
            Some(n) => (n, true),
            None => {
                fresh = Network::new(self.data, &mut rng, 1);
                (&fresh, false)
            }
        };
        let (input, channel) = Typist {
            data: self.data,
            rng: &mut rng,
            received_at,
        }
        .type_report(network, shared);
        Typed {
            input,
            channel,
            received_at,
            seed,
        }
    }
}

// --- Typing a report as a reporter would ------------------------------------------------------

/// Turns a network into one report's answers, typed the way people type them.
struct Typist<'a, R> {
    data: &'static Data,
    rng: &'a mut R,
    received_at: OffsetDateTime,
}

/// How many people, skewed towards few.
const PEOPLE_COUNTS: [u32; 12] = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30];

impl<R: Rng> Typist<'_, R> {
    fn type_report(mut self, network: &Network, shared: bool) -> (ReportInput, Channel) {
        let data = self.data;
        let w = &data.world;
        let category =
            if network.category.form == FormKind::AbuseMaterialUrl || self.rng.random_bool(0.85) {
                network.category
            } else {
                *data.categories.pick(self.rng)
            };
        let country = if self.rng.random_bool(0.9) {
            network.country
        } else {
            w.random_country(self.rng)
        };
        let language = match country.and_then(|c| w.country(c)) {
            Some(c) => *c.languages.pick(self.rng),
            None => *data.languages.pick(self.rng),
        };
        let Some(lang) = data.lang(language).or_else(|| data.langs.first()) else {
            return (ReportInput::default(), Channel::Form);
        };
        // A report of a shared network uses some of its identifiers, at least one.
        let mut idents: Vec<&Ident> = if shared {
            network
                .idents
                .iter()
                .filter(|_| self.rng.random_bool(0.6))
                .collect()
        } else {
            network.idents.iter().collect()
        };
        if idents.is_empty() && !network.idents.is_empty() {
            idents.push(any(self.rng, &network.idents));
        }
        let mut input = ReportInput {
            category: category.id.to_owned(),
            language: lang.code.to_owned(),
            anonymous: self.rng.random_bool(0.75),
            ..Default::default()
        };
        let channel = self.channel(&mut input);
        if category.form == FormKind::AbuseMaterialUrl {
            self.short_form(&mut input, lang, country, &idents);
        } else {
            self.full_form(&mut input, lang, category, network, country, &idents);
        }
        if !input.anonymous {
            self.contact(&mut input);
        }
        (input, channel)
    }

    fn channel(&mut self, input: &mut ReportInput) -> Channel {
        match self.rng.random_range(0..100) {
            0..72 => Channel::Form,
            72..86 => Channel::Api,
            86..93 => Channel::Partner,
            _ => {
                input.campaign = (*any(self.rng, CAMPAIGNS)).to_owned();
                Channel::Form
            }
        }
    }

    fn full_form(
        &mut self,
        input: &mut ReportInput,
        lang: &Lang,
        category: &'static Category,
        network: &Network,
        country: Option<usize>,
        idents: &[&Ident],
    ) {
        let w = &self.data.world;
        let here = country.and_then(|c| w.country(c));
        if let Some(c) = here {
            input.country = if self.rng.random_bool(0.05) {
                c.code.to_lowercase()
            } else {
                c.code.clone()
            };
        }
        let same_place = country.is_some() && country == network.country;
        let city = here.map(|c| match (&network.city, same_place) {
            (Some(city), true) => city.clone(),
            _ => c.cities.pick(self.rng).clone(),
        });
        let venue = if same_place && network.venue.is_some() && self.rng.random_bool(0.7) {
            network.venue.clone()
        } else if here.is_some() && self.rng.random_bool(0.15) {
            Some(w.venue(self.rng))
        } else {
            None
        };
        if let Some(city) = &city
            && (venue.is_some() || self.rng.random_bool(0.85))
        {
            input.city = self.typed_city(city);
        }
        if let Some(v) = &venue {
            input.venue = self.typed_venue(v, &input.city.clone());
        }
        self.incident(input);
        if self.rng.random_bool(0.55) {
            let i = (self.rng.random::<f64>().powi(2) * PEOPLE_COUNTS.len() as f64) as usize;
            input.people_count = PEOPLE_COUNTS.get(i).copied().unwrap_or(1).to_string();
        }
        input.age_groups = self.age_groups(category);
        input.child_involved = self.child_answer(category);
        input.warning_signs = self.signs(category);

        let city_text = city.clone().unwrap_or_else(|| {
            w.countries
                .first()
                .map(|c| c.cities.pick(self.rng).clone())
                .unwrap_or_default()
        });
        let place = venue
            .clone()
            .unwrap_or_else(|| lang.kind_of_place(self.rng));
        let fill = Fill {
            city: &city_text,
            place: &place,
            mention: "",
        };
        if self.rng.random_bool(0.55) {
            input.victims_description = lang.render(any(self.rng, &lang.victims), self.rng, &fill);
        }
        if self.rng.random_bool(0.45) {
            input.exploiters_description =
                lang.render(any(self.rng, &lang.exploiters), self.rng, &fill);
        }
        let mut mentions = Vec::new();
        for ident in idents {
            self.route(ident, input, &mut mentions, country);
        }
        input.narrative = self.narrative(lang, category, &fill, &mentions);
    }

    fn short_form(
        &mut self,
        input: &mut ReportInput,
        lang: &Lang,
        country: Option<usize>,
        idents: &[&Ident],
    ) {
        let w = &self.data.world;
        let url = idents
            .iter()
            .find_map(|i| match i {
                Ident::AbuseUrl(u) => Some(u.clone()),
                _ => None,
            })
            .unwrap_or_else(|| w.abuse_url(self.rng));
        input.abuse_url = match self.rng.random_range(0..10) {
            0..5 => format!("https://{url}"),
            5..8 => url,
            _ => format!("http://{url}"),
        };
        let fill = Fill {
            city: "",
            place: "",
            mention: "",
        };
        if self.rng.random_bool(0.8) {
            input.abuse_where = lang.render(any(self.rng, &lang.where_found), self.rng, &fill);
        }
        if self.rng.random_bool(0.5) {
            let sentences = self.rng.random_range(1..=2);
            input.narrative = (0..sentences)
                .map(|_| lang.render(any(self.rng, &lang.abuse_comment), self.rng, &fill))
                .collect::<Vec<_>>()
                .join(" ");
        }
        if self.rng.random_bool(0.4)
            && let Some(c) = country.and_then(|c| w.country(c))
        {
            input.country = c.code.clone();
        }
        if self.rng.random_bool(0.9) {
            input.anonymous = true;
        }
    }

    /// A date in the year before the report, or "still happening", or neither.
    fn incident(&mut self, input: &mut ReportInput) {
        let r = self.rng.random::<f64>();
        input.still_happening = r < 0.3;
        if (0.2..0.85).contains(&r) {
            let days_before = (self.rng.random::<f64>().powi(2) * 365.0) as i64;
            let d = self.received_at.date() - Duration::days(days_before);
            input.incident_date =
                format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        }
    }

    fn age_groups(&mut self, category: &Category) -> Vec<String> {
        if self.rng.random_bool(0.35) {
            return Vec::new();
        }
        let choices: &[(&str, u32)] = if category.involves_child {
            &[("12_17", 3), ("0_11", 1)]
        } else {
            match category.id {
                "sexual_exploitation" => {
                    &[("18_24", 4), ("25_plus", 2), ("12_17", 1), ("unknown", 1)]
                }
                "forced_begging_criminality" | "forced_marriage" => {
                    &[("12_17", 2), ("18_24", 2), ("25_plus", 1), ("unknown", 1)]
                }
                _ => &[("25_plus", 3), ("18_24", 2), ("unknown", 2)],
            }
        };
        let weights = Weighted::new(choices.iter().map(|(_, w)| f64::from(*w)));
        let mut out: Vec<String> = Vec::new();
        for _ in 0..self.rng.random_range(1..=2) {
            if let Some((id, _)) = choices.get(weights.pick(self.rng))
                && !out.iter().any(|o| o == id)
            {
                out.push((*id).to_owned());
            }
        }
        out
    }

    fn child_answer(&mut self, category: &Category) -> String {
        if category.involves_child {
            return "yes".to_owned();
        }
        match self.rng.random_range(0..20) {
            0..10 => "no",
            10..16 => "unsure",
            16..19 => "",
            _ => "yes",
        }
        .to_owned()
    }

    fn signs(&mut self, category: &Category) -> Vec<String> {
        let likely: &[&str] = match category.id {
            "labour_exploitation" => &[
                "little_or_no_pay",
                "excessive_hours",
                "documents_taken",
                "debt",
                "lives_at_work",
                "controlled_or_watched",
                "threats_violence",
            ],
            "sexual_exploitation" => &[
                "controlled_or_watched",
                "fearful_or_coached",
                "documents_taken",
                "debt",
                "cannot_leave",
                "isolated_no_address",
                "threats_violence",
            ],
            "domestic_servitude" => &[
                "lives_at_work",
                "cannot_leave",
                "little_or_no_pay",
                "excessive_hours",
                "documents_taken",
                "isolated_no_address",
            ],
            "forced_begging_criminality" => &[
                "controlled_or_watched",
                "looks_under_18",
                "threats_violence",
                "debt",
            ],
            "forced_marriage" => &[
                "cannot_leave",
                "documents_taken",
                "threats_violence",
                "controlled_or_watched",
            ],
            _ if category.involves_child => &[
                "looks_under_18",
                "fearful_or_coached",
                "controlled_or_watched",
                "isolated_no_address",
                "cannot_leave",
            ],
            _ => WARNING_SIGNS,
        };
        let mut out: Vec<String> = Vec::new();
        for _ in 0..self.rng.random_range(0..=4) {
            let sign = *any(self.rng, likely);
            if !out.iter().any(|s| s == sign) {
                out.push(sign.to_owned());
            }
        }
        if self.rng.random_bool(0.03) && !out.iter().any(|s| s == "immediate_danger") {
            out.push("immediate_danger".to_owned());
        }
        out
    }

    fn contact(&mut self, input: &mut ReportInput) {
        let w = &self.data.world;
        input.contact_name = format!(
            "{} {}",
            capitalise(w.first.pick(self.rng)),
            capitalise(w.last.pick(self.rng))
        );
        if self.rng.random_bool(0.8) {
            input.contact_email = w.email(self.rng);
        }
        if input.contact_email.is_empty() || self.rng.random_bool(0.3) {
            if let Ident::Phone { country, nsn } = w.phone(self.rng, None) {
                input.contact_phone = self.show_phone(country, &nsn, None);
            }
            if input.contact_phone.is_empty() {
                input.contact_email = w.email(self.rng);
            }
        }
    }

    /// Puts one identifier where this reporter would: in its field, or in the narrative.
    fn route(
        &mut self,
        ident: &Ident,
        input: &mut ReportInput,
        mentions: &mut Vec<(Mention, String)>,
        country: Option<usize>,
    ) {
        let w = &self.data.world;
        let r = self.rng.random::<f64>();
        let may_mention = mentions.len() < MAX_MENTIONS;
        match ident {
            Ident::Phone { country: home, nsn } => {
                if r < 0.08 {
                    let cc = w
                        .country(*home)
                        .and_then(|c| c.phone.as_ref())
                        .map(|p| p.cc.as_str())
                        .unwrap_or("");
                    input.websites.push(format!("https://wa.me/{cc}{nsn}"));
                } else if r < 0.3 && may_mention {
                    let shown = self.show_phone(*home, nsn, country);
                    mentions.push((Mention::Phone, shown));
                } else {
                    let shown = self.show_phone(*home, nsn, country);
                    input.phones.push(shown);
                }
            }
            Ident::Email(e) => {
                if r < 0.25 && may_mention {
                    let shown = if self.rng.random_bool(0.35) {
                        obfuscate(e)
                    } else {
                        e.clone()
                    };
                    mentions.push((Mention::Email, shown));
                } else {
                    let shown = match self.rng.random_range(0..10) {
                        0..7 => e.clone(),
                        7..9 => capitalise(e),
                        _ => match e.split_once('@') {
                            Some((local, domain)) => format!("{local}@{}", domain.to_uppercase()),
                            None => e.clone(),
                        },
                    };
                    input.emails.push(shown);
                }
            }
            Ident::Site(site) => {
                if r < 0.25 && may_mention {
                    let prefix = if self.rng.random_bool(0.5) {
                        "https://"
                    } else {
                        "www."
                    };
                    mentions.push((Mention::Url, format!("{prefix}{site}")));
                } else {
                    let prefix = *any(
                        self.rng,
                        &["https://www.", "http://", "", "www.", "https://"],
                    );
                    input.websites.push(format!("{prefix}{site}"));
                }
            }
            Ident::Profile { platform, handle } => {
                let spelled = w
                    .profiles
                    .get(*platform)
                    .map(|spellings| any(self.rng, spellings).replace("{h}", handle))
                    .unwrap_or_default();
                if r < 0.2 && may_mention && spelled.starts_with("http") {
                    mentions.push((Mention::Url, spelled));
                } else if r < 0.4 {
                    input.social_handles.push(spelled);
                } else {
                    input.websites.push(spelled);
                }
            }
            Ident::Advert(url) => {
                if r < 0.25 && may_mention {
                    mentions.push((Mention::Url, url.clone()));
                } else {
                    let shown = match self.rng.random_range(0..5) {
                        0 => url.trim_start_matches("https://").to_owned(),
                        1 => url.trim_start_matches("https://www.").to_owned(),
                        _ => url.clone(),
                    };
                    input.websites.push(shown);
                }
            }
            Ident::Handle(h) => {
                if r < 0.25 && may_mention {
                    mentions.push((Mention::Handle, format!("@{h}")));
                } else {
                    let shown = match self.rng.random_range(0..8) {
                        0 | 1 => format!("@{h}"),
                        2 => h.clone(),
                        3 => format!("{h} (Instagram)"),
                        4 => format!("instagram: @{h}"),
                        5 => format!("Snapchat: {h}"),
                        6 => format!("@{}", capitalise(h)),
                        _ => format!("TikTok @{h}"),
                    };
                    input.social_handles.push(shown);
                }
            }
            Ident::Plate(p) => {
                if r < 0.15 && may_mention {
                    mentions.push((Mention::Plate, p.clone()));
                } else {
                    let shown = match self.rng.random_range(0..7) {
                        0 => p.chars().filter(|c| c.is_alphanumeric()).collect(),
                        1 => p.to_lowercase(),
                        _ => p.clone(),
                    };
                    input.vehicle_plates.push(shown);
                }
            }
            Ident::Iban(iban) => {
                if may_mention {
                    let shown = if self.rng.random_bool(0.7) {
                        iban.as_bytes()
                            .chunks(4)
                            .filter_map(|c| std::str::from_utf8(c).ok())
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        iban.clone()
                    };
                    mentions.push((Mention::Iban, shown));
                }
            }
            Ident::AbuseUrl(url) => {
                if r < 0.3 && may_mention {
                    mentions.push((Mention::Url, format!("https://{url}")));
                } else {
                    input.websites.push(url.clone());
                }
            }
        }
    }

    /// A phone number as someone in `report_country` writes it: national forms only for a
    /// number of their own country.
    fn show_phone(&mut self, home: usize, nsn: &str, report_country: Option<usize>) -> String {
        let Some(plan) = self.data.world.country(home).and_then(|c| c.phone.as_ref()) else {
            return nsn.to_owned();
        };
        let grouped = group_digits(nsn, &plan.groups);
        let styles = if report_country == Some(home) { 9 } else { 5 };
        let (cc, trunk) = (&plan.cc, &plan.trunk);
        match self.rng.random_range(0..styles) {
            0 | 1 => format!("+{cc} {grouped}"),
            2 => format!("00{cc}{nsn}"),
            3 => format!("+{cc}{nsn}"),
            4 => format!("00{cc} {grouped}"),
            5 | 6 => format!("{trunk}{grouped}"),
            7 => format!("{trunk}{nsn}"),
            _ => format!("{trunk}{}", grouped.replace(' ', "-")),
        }
    }

    fn typed_city(&mut self, city: &str) -> String {
        match self.rng.random_range(0..10) {
            0 => city.to_lowercase(),
            1 => city.replace('-', " "),
            2 => strip_accents(city),
            _ => city.to_owned(),
        }
    }

    fn typed_venue(&mut self, venue: &str, city: &str) -> String {
        match self.rng.random_range(0..20) {
            0..3 => venue.to_lowercase(),
            3..5 => strip_accents(venue),
            5 => venue.to_uppercase(),
            6 | 7 if !city.is_empty() => format!("{venue}, {city}"),
            _ => venue.to_owned(),
        }
    }

    /// 40-150 words: an opening, sentences of the category and general ones, the identifiers
    /// mentioned, sometimes a closing.
    fn narrative(
        &mut self,
        lang: &Lang,
        category: &Category,
        fill: &Fill<'_>,
        mentions: &[(Mention, String)],
    ) -> String {
        let target = self.rng.random_range(MIN_WORDS..=MAX_WORDS);
        let mention_sentences: Vec<String> = mentions
            .iter()
            .map(|(kind, shown)| {
                let templates = &lang.mention[*kind as usize];
                let fill = Fill {
                    mention: shown,
                    ..*fill
                };
                lang.render(any(self.rng, templates), self.rng, &fill)
            })
            .collect();
        let mut count: usize = mention_sentences.iter().map(|s| words(s)).sum();
        let intro = self
            .rng
            .random_bool(0.8)
            .then(|| lang.render(any(self.rng, &lang.intro), self.rng, fill));
        count += intro.as_deref().map_or(0, words);
        let specific = lang.category.get(category.id).filter(|t| !t.is_empty());
        let mut body: Vec<String> = Vec::new();
        // Each template once per narrative, so no sentence repeats itself with other words.
        let mut used: Vec<*const Template> = Vec::new();
        for _ in 0..200 {
            if count >= target {
                break;
            }
            let templates = match specific {
                Some(t) if self.rng.random_bool(0.35) => t,
                _ => &lang.general,
            };
            let template = any(self.rng, templates);
            if used.contains(&std::ptr::from_ref(template)) {
                continue;
            }
            let sentence = lang.render(template, self.rng, fill);
            let n = words(&sentence);
            if count + n > MAX_WORDS {
                continue;
            }
            used.push(std::ptr::from_ref(template));
            count += n;
            body.push(sentence);
        }
        for m in mention_sentences {
            let at = self.rng.random_range(0..=body.len());
            body.insert(at, m);
        }
        if let Some(intro) = intro {
            body.insert(0, intro);
        }
        if self.rng.random_bool(0.5) {
            let closing = lang.render(any(self.rng, &lang.closing), self.rng, fill);
            if count + words(&closing) <= MAX_WORDS {
                body.push(closing);
            }
        }
        body.join(" ")
    }
}

/// "anna.k92 [at] gmail [dot] com": how people hide an address from robots.
fn obfuscate(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{local} [at] {}", domain.replace('.', " [dot] ")),
        None => email.to_owned(),
    }
}

/// Digits cut into groups of the given sizes; the last group takes the rest.
fn group_digits(digits: &str, groups: &[usize]) -> String {
    let mut out = Vec::new();
    let mut rest = digits;
    for (i, size) in groups.iter().enumerate() {
        if rest.is_empty() {
            break;
        }
        let take = if i + 1 == groups.len() {
            rest.len()
        } else {
            (*size).min(rest.len())
        };
        let (head, tail) = rest.split_at(take);
        out.push(head);
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
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
