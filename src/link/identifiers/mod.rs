//! Identifier extraction and normalisation: the phone numbers, e-mail addresses, URLs and
//! domains, social-media handles, vehicle plates, IBANs and venues in one report, each reduced to
//! one normalised `value` so that different spellings of the same thing match exactly.
//!
//! Pure: no IO, no keys, no database. The blind index ([`super::index`]) hashes the values.
//!
//! Decisions:
//! - **Phones** are E.164 (`+352621123456`), parsed with the report's country as the default
//!   region, and only numbers the metadata calls valid are kept. Free text needs at least 8 digits
//!   (7 after a `+`/`00` prefix), and dates, times, years and amounts of money are never numbers.
//! - **E-mails** are trimmed and lower-cased whole (providers treat the local part without case);
//!   `[at]`/`(dot)` obfuscations are undone; `+tags` and dots are kept (provider-specific).
//! - **URLs**: the identifier is host + path (+ meaningful query) without the scheme, so `http` and
//!   `https` match; `www.` and default ports, fragments, tracking parameters and the trailing slash
//!   go. Paths keep their case except on platforms whose names are case-insensitive. Any site
//!   other than a large platform also gives its registrable domain (public suffix list) as a
//!   `domain`; on a platform (`platforms.toml`) the profile or advert path is the identifier, the
//!   platform's mirrors and aliases (`m.facebook.com`, `twitter.com`) are one host, and the bare
//!   home page of a platform is no identifier at all.
//! - **Handles** are the bare name, lower-case, without `@`, and *without* the platform:
//!   `instagram: @Anna_X`, `anna_x (TikTok)` and `@anna_x` are all `anna_x`. People reuse one
//!   name across platforms and reporters often do not say which platform; a match is a lead for
//!   an analyst, and `shown` keeps what the reporter wrote. A profile URL on a platform also gives
//!   the handle (`instagram.com/anna_x` → `anna_x`), and a WhatsApp link gives the phone number.
//! - **Plates** are upper-case letters and digits only, with at least one digit.
//! - **IBANs** must pass the mod-97 check and have their country's length.
//! - **Venues** are `name|city`, each folded (accents, case, punctuation) with common
//!   abbreviations expanded (`st`/`sankt` → `saint`, `str.`/`straße` → `str`, `av.` → `avenue`…).

mod email;
mod handle;
mod iban;
mod phone;
mod plate;
mod platforms;
mod url;
mod venue;

pub use self::url::normalise_url;
pub use email::normalise_email;
pub use handle::normalise_handle;
pub use iban::normalise_iban;
pub use phone::{keep_phone_patterns_compiled, normalise_phone};
pub use plate::normalise_plate;
pub use venue::normalise_venue;

use self::url::{UrlParts, analyse_url, find_urls, looks_like_url};
use email::find_emails;
use handle::find_handles;
use iban::find_ibans;
use phone::find_phones;

use ::url::Host;
use regex::Regex;
use std::collections::HashSet;
use std::ops::Range;

/// What an identifier is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Phone,
    Email,
    Url,
    Domain,
    Handle,
    Plate,
    Iban,
    Venue,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 8] = [
        Kind::Phone,
        Kind::Email,
        Kind::Url,
        Kind::Domain,
        Kind::Handle,
        Kind::Plate,
        Kind::Iban,
        Kind::Venue,
    ];

    /// The stable name (as serialised and stored).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::Domain => "domain",
            Kind::Handle => "handle",
            Kind::Plate => "plate",
            Kind::Iban => "iban",
            Kind::Venue => "venue",
        }
    }

    /// The translation key of the kind's name, e.g. `identifier-kind-phone`.
    pub fn fluent_key(self) -> String {
        format!("identifier-kind-{}", self.as_str())
    }
}

/// One identifier found in a report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    pub kind: Kind,
    /// normalised, the thing that is matched
    pub value: String,
    /// as the reporter wrote it (for display)
    pub shown: String,
}

/// Everything linkable in one report. `country` (ISO alpha-2) is the default region for phone
/// numbers.
pub struct Sources<'a> {
    pub phones: &'a [String],
    pub emails: &'a [String],
    pub websites: &'a [String],
    pub handles: &'a [String],
    pub plates: &'a [String],
    pub venue: &'a str,
    pub city: &'a str,
    /// narrative, descriptions, where abuse material was found…
    pub free_texts: &'a [&'a str],
    pub country: Option<&'a str>,
}

/// Every identifier in a report: first the identifier fields, then what the free texts mention,
/// deduplicated by (kind, value) keeping the first occurrence, in a stable order.
pub fn extract(s: &Sources<'_>) -> Vec<Identifier> {
    let mut out = Collector::default();
    for raw in s.phones {
        if let Some(value) = normalise_phone(raw, s.country) {
            out.push(Kind::Phone, value, raw.trim());
        } else {
            for found in find_phones(raw, s.country) {
                out.push_found(found);
            }
        }
    }
    for raw in s.emails {
        if let Some(value) = normalise_email(raw) {
            out.push(Kind::Email, value, raw.trim());
        } else {
            for found in find_emails(raw) {
                out.push_found(found);
            }
        }
    }
    for raw in s.websites {
        if let Some(parts) = analyse_url(raw, false) {
            out.push_url(parts, raw.trim());
        } else {
            for found in find_urls(raw) {
                out.push_found(found);
            }
        }
    }
    for raw in s.handles {
        handle_field(raw, s.country, &mut out);
    }
    for raw in s.plates {
        if let Some(value) = normalise_plate(raw) {
            out.push(Kind::Plate, value, raw.trim());
        }
    }
    if let Some(value) = normalise_venue(s.venue, s.city) {
        let (venue, city) = (s.venue.trim(), s.city.trim());
        let shown = if city.is_empty() {
            venue.to_owned()
        } else {
            format!("{venue}, {city}")
        };
        out.push(Kind::Venue, value, &shown);
    }
    for text in s.free_texts {
        for found in scan_text(text, s.country) {
            out.push_found(found);
        }
    }
    out.list
}

// --- Collecting ------------------------------------------------------------------------------

/// An identifier found at a place in a text.
#[derive(Debug)]
struct Found {
    /// The span of text it was found in (a URL's span for what the URL gives).
    start: usize,
    end: usize,
    kind: Kind,
    value: String,
    shown: String,
}

#[derive(Default)]
struct Collector {
    seen: HashSet<(Kind, String)>,
    list: Vec<Identifier>,
}

impl Collector {
    fn push(&mut self, kind: Kind, value: String, shown: &str) {
        if self.seen.insert((kind, value.clone())) {
            self.list.push(Identifier {
                kind,
                value,
                shown: shown.to_owned(),
            });
        }
    }

    fn push_found(&mut self, f: Found) {
        self.push(f.kind, f.value, &f.shown);
    }

    fn push_url(&mut self, parts: UrlParts, shown: &str) {
        for f in parts.into_found(0, shown) {
            self.push_found(f);
        }
    }
}

/// The handle field: a handle, a profile URL, a phone number (WhatsApp, Signal) or several of
/// those.
fn handle_field(raw: &str, country: Option<&str>, out: &mut Collector) {
    let t = raw.trim();
    if looks_like_url(t)
        && let Some(parts) = analyse_url(t, false)
    {
        out.push_url(parts, t);
        return;
    }
    if let Some(value) = normalise_handle(t) {
        out.push(Kind::Handle, value, t);
        return;
    }
    if let Some(value) = normalise_phone(t, country) {
        out.push(Kind::Phone, value, t);
        return;
    }
    let mut found = find_urls(t);
    let mut masked = t.to_owned();
    for f in &found {
        mask(&mut masked, f.start..f.end);
    }
    found.extend(find_handles(&masked));
    found.sort_by_key(|f| f.start);
    for f in found {
        out.push_found(f);
    }
}

/// Everything in one free text, in the order it appears.
fn scan_text(text: &str, country: Option<&str>) -> Vec<Found> {
    let mut found = Vec::new();
    let mut masked = text.to_owned();
    for finder in [find_emails as fn(&str) -> Vec<Found>, find_urls, find_ibans] {
        let new = finder(&masked);
        for f in &new {
            mask(&mut masked, f.start..f.end);
        }
        found.extend(new);
    }
    let phones = find_phones(&masked, country);
    for f in &phones {
        mask(&mut masked, f.start..f.end);
    }
    found.extend(phones);
    found.extend(find_handles(&masked));
    found.sort_by_key(|f| f.start);
    found
}

/// Blanks out a span already taken, keeping byte offsets (a control character matches nothing).
fn mask(text: &mut String, r: Range<usize>) {
    if r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end) {
        let filler = "\u{1}".repeat(r.len());
        text.replace_range(r, &filler);
    }
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at)?.chars().next_back()
}

fn char_after(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

fn re(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// A host name, lower-case ASCII (IDNA), under a known public suffix.
fn registered_host(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    let Ok(Host::Domain(d)) = Host::parse(host) else {
        return None;
    };
    let d = d.to_ascii_lowercase();
    let labels_ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let known = psl::suffix(d.as_bytes()).is_some_and(|s| s.is_known());
    let registrable = psl::domain(d.as_bytes()).is_some();
    (labels_ok && known && registrable).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statics_build() {
        for r in [
            &super::phone::PHONE_CANDIDATE,
            &super::phone::NOT_A_PHONE,
            &super::email::EMAIL,
            &super::email::OBFUSCATED_AT,
            &super::email::OBFUSCATED_DOT,
            &super::url::URL_IN_TEXT,
            &super::handle::HANDLE_IN_TEXT,
            &super::iban::IBAN_IN_TEXT,
        ] {
            assert!(r.is_some());
        }
    }

    #[test]
    fn kind_names() {
        assert_eq!(Kind::Phone.fluent_key(), "identifier-kind-phone");
        for k in Kind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), k);
        }
    }

    fn sources<'a>(free: &'a [&'a str], country: Option<&'a str>) -> Sources<'a> {
        Sources {
            phones: &[],
            emails: &[],
            websites: &[],
            handles: &[],
            plates: &[],
            venue: "",
            city: "",
            free_texts: free,
            country,
        }
    }

    fn pairs(ids: &[Identifier]) -> Vec<(Kind, &str)> {
        ids.iter().map(|i| (i.kind, i.value.as_str())).collect()
    }

    #[test]
    fn narrative_gives_exactly_the_planted_identifiers() {
        let narrative = "\
On 2026-10-02 a woman told me she works 14 hours a day in a bar near the station. \
Le patron l'appelle au 06 12 34 56 78 et lui a promis 1 200 € par mois (elle a payé 2 500 € \
pour le voyage). Die Anzeige stand auf www.example-jobs.lu/anzeige/77?utm_source=fb und \
kleinanzeigen.de/s-anzeige/job/123. Zij stuurde geld naar IBAN LU28 0019 4006 4475 0000 op \
02.10.2026, om 14.30-16.00 uur. Contact: recruiter.ana@Example-Jobs.lu or ana [at] mail [dot] com, \
Instagram @Anna_Recruits. Sa collègue: +49 (0)30 123456. Ref 2025/2026, case 12, 3.5 km, room 204.";
        let ids = extract(&sources(&[narrative], Some("FR")));
        assert_eq!(
            pairs(&ids),
            vec![
                (Kind::Phone, "+33612345678"),
                (Kind::Url, "example-jobs.lu/anzeige/77"),
                (Kind::Domain, "example-jobs.lu"),
                (Kind::Url, "kleinanzeigen.de/s-anzeige/job/123"),
                (Kind::Iban, "LU280019400644750000"),
                (Kind::Email, "recruiter.ana@example-jobs.lu"),
                (Kind::Email, "ana@mail.com"),
                (Kind::Handle, "anna_recruits"),
                (Kind::Phone, "+4930123456"),
            ]
        );
        let shown: Vec<&str> = ids.iter().map(|i| i.shown.as_str()).collect();
        assert_eq!(shown[0], "06 12 34 56 78");
        assert_eq!(shown[1], "www.example-jobs.lu/anzeige/77?utm_source=fb");
        assert_eq!(shown[4], "LU28 0019 4006 4475 0000");
    }

    #[test]
    fn narrative_false_positives() {
        let text = "Payé 1 200 € le 02/10/2026, puis 12 500 000 EUR. Dates: 2026-10-02, 2.10.26, \
                    from 1999 to 2026, 2025 2026. Times 09:00, 14h30. Filename photo.jpg, e.g. this, \
                    z.B. das, a.m., U.S., 3.5 km, she left work.It was late. Email me@ nowhere. @ 5pm. \
                    Prices $ 12345678 and 12 345 678 €.";
        assert_eq!(pairs(&extract(&sources(&[text], Some("LU")))), vec![]);
        assert_eq!(pairs(&extract(&sources(&[text], Some("DE")))), vec![]);
    }

    #[test]
    fn national_numbers_in_text_need_the_trunk_prefix() {
        let text = "annonce n° 123456789, appelle le 06 12 34 56 78";
        assert_eq!(
            pairs(&extract(&sources(&[text], Some("FR")))),
            vec![(Kind::Phone, "+33612345678")]
        );
        // Luxembourg has no trunk prefix.
        let text = "Ruf 621 123 456 an.";
        assert_eq!(
            pairs(&extract(&sources(&[text], Some("LU")))),
            vec![(Kind::Phone, "+352621123456")]
        );
        // In a phone field the prefix may be missing.
        assert_eq!(
            normalise_phone("6 12 34 56 78", Some("FR")).as_deref(),
            Some("+33612345678")
        );
    }

    #[test]
    fn international_domain_names() {
        let text = "Voir bücher.de/anzeige puis appelle le 06 12 34 56 78.";
        let ids = extract(&sources(&[text], Some("FR")));
        assert_eq!(
            pairs(&ids),
            vec![
                (Kind::Url, "xn--bcher-kva.de/anzeige"),
                (Kind::Domain, "xn--bcher-kva.de"),
                (Kind::Phone, "+33612345678"),
            ]
        );
        assert_eq!(ids[0].shown, "bücher.de/anzeige");
        assert_eq!(
            normalise_email("Jörg@Bücher.de").as_deref(),
            Some("jörg@xn--bcher-kva.de")
        );
    }

    #[test]
    fn several_numbers_in_a_row() {
        let text = "Numbers: 0612345678 / 0698765432, and 06 12 34 56 79 06 12 34 56 80.";
        let ids = extract(&sources(&[text], Some("FR")));
        assert_eq!(
            pairs(&ids),
            vec![
                (Kind::Phone, "+33612345678"),
                (Kind::Phone, "+33698765432"),
                (Kind::Phone, "+33612345679"),
                (Kind::Phone, "+33612345680"),
            ]
        );
    }

    #[test]
    fn fields_and_dedup() {
        let phones = vec![
            "+352 621 123 456".to_owned(),
            "00352621123456".to_owned(),
            "621 123 457 / 621 123 458".to_owned(),
        ];
        let emails = vec![
            "Anna@Example.com".to_owned(),
            "x@y.lu, anna@example.com".to_owned(),
        ];
        let websites = vec![
            "https://www.facebook.com/John.Doe".to_owned(),
            "https://shop.example.co.uk/ad/1".to_owned(),
            "wa.me/352621123456".to_owned(),
        ];
        let handles = vec![
            "instagram: @John.Doe".to_owned(),
            "https://t.me/Anna_X".to_owned(),
            "+352 621 999 999".to_owned(),
        ];
        let plates = vec!["ab-123-cd".to_owned(), "don't know".to_owned()];
        let free = ["Write to anna@example.com or call 621 123 456."];
        let s = Sources {
            phones: &phones,
            emails: &emails,
            websites: &websites,
            handles: &handles,
            plates: &plates,
            venue: "Hôtel Bellevue",
            city: "Esch-sur-Alzette",
            free_texts: &free,
            country: Some("LU"),
        };
        let ids = extract(&s);
        assert_eq!(
            pairs(&ids),
            vec![
                (Kind::Phone, "+352621123456"),
                (Kind::Phone, "+352621123457"),
                (Kind::Phone, "+352621123458"),
                (Kind::Email, "anna@example.com"),
                (Kind::Email, "x@y.lu"),
                (Kind::Url, "facebook.com/john.doe"),
                (Kind::Handle, "john.doe"),
                (Kind::Url, "shop.example.co.uk/ad/1"),
                (Kind::Domain, "example.co.uk"),
                (Kind::Url, "wa.me/352621123456"),
                (Kind::Url, "t.me/anna_x"),
                (Kind::Handle, "anna_x"),
                (Kind::Phone, "+352621999999"),
                (Kind::Plate, "AB123CD"),
                (Kind::Venue, "hotel bellevue|esch sur alzette"),
            ]
        );
        assert_eq!(ids[0].shown, "+352 621 123 456");
        assert_eq!(ids[14].shown, "Hôtel Bellevue, Esch-sur-Alzette");
        // Stable: the same input gives the same list.
        assert_eq!(extract(&s), ids);
    }

    #[test]
    fn two_profiles_on_one_platform_are_not_linked() {
        let a = ["Her profile: https://www.facebook.com/anna.k.1990"];
        let b = ["Ad posted by facebook.com/mark.recruiter, see also m.facebook.com/Anna.K.1990/"];
        let ia = extract(&sources(&a, None));
        let ib = extract(&sources(&b, None));
        assert!(
            ia.iter().all(|i| i.kind != Kind::Domain) && ib.iter().all(|i| i.kind != Kind::Domain)
        );
        let shared: Vec<_> = ia
            .iter()
            .filter(|x| ib.iter().any(|y| y.kind == x.kind && y.value == x.value))
            .collect();
        assert_eq!(
            pairs(&shared.into_iter().cloned().collect::<Vec<_>>()),
            vec![
                (Kind::Url, "facebook.com/anna.k.1990"),
                (Kind::Handle, "anna.k.1990"),
            ]
        );
        // A mention of the platform alone links nothing.
        assert_eq!(
            pairs(&extract(&sources(
                &["I saw it on facebook.com and www.instagram.com."],
                None
            ))),
            vec![]
        );
    }
}
