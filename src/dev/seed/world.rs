//! Where reports come from (`world.toml`): countries weighted towards Europe, their cities,
//! venues, names and phone plans; and the networks of people and places behind several reports,
//! with the identifiers they share.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWorld {
    pub(super) country: Vec<RawCountry>,
    pub(super) venues: RawVenues,
    pub(super) names: RawNames,
    pub(super) email: RawEmail,
    pub(super) web: RawWeb,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCountry {
    pub(super) code: String,
    pub(super) weight: u32,
    pub(super) languages: BTreeMap<String, u32>,
    pub(super) cities: Vec<String>,
    pub(super) phone: Option<PhonePlan>,
    pub(super) plates: Vec<String>,
    pub(super) bban: Option<String>,
}

/// How mobile numbers of a country look.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PhonePlan {
    pub(super) cc: String,
    pub(super) trunk: String,
    pub(super) mobile: Vec<String>,
    pub(super) groups: Vec<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVenues {
    pub(super) kinds: Vec<String>,
    pub(super) names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNames {
    pub(super) first: Vec<String>,
    pub(super) last: Vec<String>,
    pub(super) words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmail {
    pub(super) domains: Vec<(String, u32)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWeb {
    pub(super) tlds: Vec<(String, u32)>,
    pub(super) paths: Vec<String>,
    pub(super) profiles: Vec<Vec<String>>,
    pub(super) adverts: Vec<String>,
    pub(super) abuse_hosts: Vec<String>,
    pub(super) abuse_tlds: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Country {
    pub(super) code: String,
    pub(super) languages: Table<&'static str>,
    pub(super) cities: Zipf<String>,
    pub(super) phone: Option<PhonePlan>,
    pub(super) plates: Vec<String>,
    pub(super) bban: Option<String>,
}

#[derive(Debug)]
pub(super) struct World {
    pub(super) countries: Vec<Country>,
    pub(super) country_weights: Weighted,
    /// Countries with a phone plan (indices into `countries`).
    pub(super) phone_countries: Vec<usize>,
    pub(super) venue_kinds: Zipf<String>,
    pub(super) venue_names: Zipf<String>,
    pub(super) first: Zipf<String>,
    pub(super) last: Zipf<String>,
    pub(super) words: Zipf<String>,
    pub(super) email_domains: Table<String>,
    pub(super) tlds: Table<String>,
    pub(super) paths: Vec<String>,
    pub(super) profiles: Vec<Vec<String>>,
    pub(super) adverts: Vec<String>,
    pub(super) abuse_hosts: Vec<String>,
    pub(super) abuse_tlds: Vec<String>,
}

pub(super) fn language_code(code: &str) -> Result<&'static str, String> {
    LANGUAGES
        .iter()
        .find(|l| **l == code)
        .copied()
        .ok_or_else(|| format!("unknown language {code}"))
}

pub(super) fn non_empty<T>(items: Vec<T>, what: &str) -> Result<Vec<T>, String> {
    if items.is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(items)
    }
}

impl World {
    pub(super) fn load(raw: RawWorld) -> Result<Self, String> {
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

    pub(super) fn country(&self, i: usize) -> Option<&Country> {
        self.countries.get(i)
    }

    /// A country reports name (about 4 % name none).
    pub(super) fn random_country(&self, rng: &mut impl Rng) -> Option<usize> {
        (!rng.random_bool(0.04)).then(|| self.country_weights.pick(rng))
    }

    pub(super) fn phone(&self, rng: &mut impl Rng, home: Option<usize>) -> Ident {
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

    pub(super) fn email(&self, rng: &mut impl Rng) -> String {
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

    pub(super) fn domain(&self, rng: &mut impl Rng) -> String {
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

    pub(super) fn handle(&self, rng: &mut impl Rng) -> String {
        let first = self.first.pick(rng);
        let word = self.words.pick(rng);
        match rng.random_range(0..4) {
            0 => format!("{first}_{word}{}", rng.random_range(1..100_000)),
            1 => format!("{word}.{first}{}", rng.random_range(1..100_000)),
            2 => format!("{first}{}_{word}", rng.random_range(1..100_000)),
            _ => format!("{word}_{}_{first}", rng.random_range(1..100_000)),
        }
    }

    pub(super) fn advert(&self, rng: &mut impl Rng) -> String {
        let id = rng.random_range(10_000_000u64..10_000_000_000).to_string();
        let slug = format!("{}-{}", self.words.pick(rng), self.words.pick(rng));
        any(rng, &self.adverts)
            .replace("{id}", &id)
            .replace("{s}", &slug)
    }

    pub(super) fn abuse_url(&self, rng: &mut impl Rng) -> String {
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

    pub(super) fn plate(&self, rng: &mut impl Rng, country: Option<usize>) -> String {
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

    pub(super) fn iban(&self, rng: &mut impl Rng, country: Option<usize>) -> Option<String> {
        let c = country
            .and_then(|c| self.country(c))
            .filter(|c| c.bban.is_some())
            .or_else(|| self.countries.iter().find(|c| c.code == "LU"))?;
        let bban = fill_pattern(rng, c.bban.as_deref()?);
        Some(iban_with_check(&c.code, &bban))
    }

    pub(super) fn venue(&self, rng: &mut impl Rng) -> String {
        format!(
            "{} {}",
            self.venue_kinds.pick(rng),
            self.venue_names.pick(rng)
        )
    }
}

/// `#` any digit, `N` a digit 2-9, `A` an upper-case letter; other characters are kept.
pub(super) fn fill_pattern(rng: &mut impl Rng, pattern: &str) -> String {
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
pub(super) fn iban_with_check(country: &str, bban: &str) -> String {
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

// --- Identifiers and networks ----------------------------------------------------------------

/// One identifier of a network, in a canonical spelling (shown differently in each report).
#[derive(Debug, Clone)]
pub(super) enum Ident {
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
pub(super) struct Network {
    pub(super) category: &'static Category,
    pub(super) country: Option<usize>,
    pub(super) city: Option<String>,
    pub(super) venue: Option<String>,
    pub(super) idents: Vec<Ident>,
}

impl Network {
    /// A network of about `size` reports.
    pub(super) fn new(data: &Data, rng: &mut impl Rng, size: usize) -> Self {
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
pub(super) fn network_sizes(rng: &mut impl Rng, shared_reports: f64, largest: f64) -> Vec<usize> {
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
