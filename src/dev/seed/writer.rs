//! Writing one report as a reporter would: a network turned into answers, typed the way people
//! type them (spellings, obfuscations, groupings of digits, languages).

use super::texts::{Fill, Mention, Template, capitalise, strip_accents, words};
use super::world::{Ident, Network};
use super::*;

/// Turns a network into one report's answers, typed the way people type them.
pub(super) struct Typist<'a, R> {
    pub(super) data: &'static Data,
    pub(super) rng: &'a mut R,
    pub(super) received_at: OffsetDateTime,
}

/// How many people, skewed towards few.
pub(super) const PEOPLE_COUNTS: [u32; 12] = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30];

impl<R: Rng> Typist<'_, R> {
    pub(super) fn type_report(mut self, network: &Network, shared: bool) -> (ReportInput, Channel) {
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

    pub(super) fn channel(&mut self, input: &mut ReportInput) -> Channel {
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

    pub(super) fn full_form(
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

    pub(super) fn short_form(
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
    pub(super) fn incident(&mut self, input: &mut ReportInput) {
        let r = self.rng.random::<f64>();
        input.still_happening = r < 0.3;
        if (0.2..0.85).contains(&r) {
            let days_before = (self.rng.random::<f64>().powi(2) * 365.0) as i64;
            let d = self.received_at.date() - Duration::days(days_before);
            input.incident_date =
                format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        }
    }

    pub(super) fn age_groups(&mut self, category: &Category) -> Vec<String> {
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

    pub(super) fn child_answer(&mut self, category: &Category) -> String {
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

    pub(super) fn signs(&mut self, category: &Category) -> Vec<String> {
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

    pub(super) fn contact(&mut self, input: &mut ReportInput) {
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
    pub(super) fn route(
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
    pub(super) fn show_phone(
        &mut self,
        home: usize,
        nsn: &str,
        report_country: Option<usize>,
    ) -> String {
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

    pub(super) fn typed_city(&mut self, city: &str) -> String {
        match self.rng.random_range(0..10) {
            0 => city.to_lowercase(),
            1 => city.replace('-', " "),
            2 => strip_accents(city),
            _ => city.to_owned(),
        }
    }

    pub(super) fn typed_venue(&mut self, venue: &str, city: &str) -> String {
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
    pub(super) fn narrative(
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
pub(super) fn obfuscate(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{local} [at] {}", domain.replace('.', " [dot] ")),
        None => email.to_owned(),
    }
}

/// Digits cut into groups of the given sizes; the last group takes the rest.
pub(super) fn group_digits(digits: &str, groups: &[usize]) -> String {
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
