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

use regex::Regex;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;
use url::{Host, Url};

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

/// A phone number in E.164 form (`+352621123456`), or `None` unless the number is valid for its
/// region. `country` (ISO alpha-2) is the region of numbers written without a country code.
pub fn normalise_phone(raw: &str, country: Option<&str>) -> Option<String> {
    let (cleaned, _) = clean_phone(raw)?;
    let region = country.and_then(|c| {
        c.trim()
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .ok()
    });
    let number = phonenumber::parse(region, &cleaned).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// An e-mail address trimmed and lower-cased, or `None` unless it is plausible (one `@`, a
/// sensible local part, a domain under a known public suffix). `mailto:`, angle brackets and
/// `[at]`/`(dot)` obfuscations are undone.
pub fn normalise_email(raw: &str) -> Option<String> {
    let mut t = raw.trim();
    if t.len() >= 7 && t.is_char_boundary(7) && t[..7].eq_ignore_ascii_case("mailto:") {
        t = &t[7..];
    }
    let t = t
        .trim_start_matches(|c: char| c.is_whitespace() || "<([\"'".contains(c))
        .trim_end_matches(|c: char| c.is_whitespace() || ">)]\"'.,;:".contains(c));
    let deobfuscated;
    let t = if t.contains(['[', '(', '{']) {
        let (Some(at), Some(dot)) = (OBFUSCATED_AT.as_ref(), OBFUSCATED_DOT.as_ref()) else {
            return None;
        };
        deobfuscated = dot.replace_all(&at.replace_all(t, "@"), ".").into_owned();
        deobfuscated.as_str()
    } else {
        t
    };
    let (local, domain) = t.split_once('@')?;
    if domain.contains('@') || local.is_empty() || local.chars().count() > 64 {
        return None;
    }
    let local_ok = local
        .chars()
        .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return None;
    }
    let domain = registered_host(domain)?;
    Some(format!("{}@{domain}", local.to_lowercase()))
}

/// A URL's identifier (host + path + meaningful query, without scheme, `www.`, default port,
/// fragment, tracking parameters or trailing slash) and, except on large platforms, its
/// registrable domain. `None` for what is not an http(s) URL on a host under a known public
/// suffix (or an IP address), and for the bare home page of a platform.
pub fn normalise_url(raw: &str) -> Option<(String, Option<String>)> {
    let parts = analyse_url(raw, false)?;
    Some((parts.id, parts.domain))
}

/// A social-media handle: the bare name, lower-case, without `@` and without the platform
/// (`instagram: @Anna_X`, `anna_x (TikTok)`, `https://instagram.com/anna_x` → `anna_x`).
pub fn normalise_handle(raw: &str) -> Option<String> {
    let t = raw.trim();
    if looks_like_url(t) {
        return analyse_url(t, false)?.handle;
    }
    // Drop "(instagram)" / "[tiktok]" notes, then a "platform:" prefix.
    let mut plain = String::with_capacity(t.len());
    let mut depth = 0usize;
    for c in t.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let after_colon = plain
        .rsplit_once(':')
        .map_or(plain.as_str(), |(_, after)| after);
    let mut words = after_colon.split_whitespace().filter(|w| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        !w.is_empty() && !PLATFORM_WORDS.contains(&w.as_str())
    });
    let name = words.next()?;
    if words.next().is_some() {
        return None;
    }
    clean_handle(name)
}

/// A vehicle plate: upper-case letters and digits without spaces, dashes or dots; `None` unless it
/// has 2 to 12 characters including a digit.
pub fn normalise_plate(raw: &str) -> Option<String> {
    let mut out = String::new();
    for c in raw.trim().chars() {
        if c.is_whitespace() || "-.·_/".contains(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            return None;
        }
        out.extend(c.to_uppercase());
    }
    let n = out.chars().count();
    ((2..=12).contains(&n) && out.chars().any(|c| c.is_ascii_digit())).then_some(out)
}

/// An IBAN without spaces, upper-case; `None` unless its length fits its country and the mod-97
/// check passes.
pub fn normalise_iban(raw: &str) -> Option<String> {
    let mut t = raw.trim();
    if t.len() > 4 && t.is_char_boundary(4) && t[..4].eq_ignore_ascii_case("iban") {
        t = t[4..].trim_start_matches([':', ' ']);
    }
    let iban: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = iban.as_bytes();
    if b.len() < 15
        || b.len() > 34
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b[4..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return None;
    }
    if let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(cc, _)| cc.as_bytes() == &b[..2])
        && b.len() != len
    {
        return None;
    }
    let mut rem = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    (rem == 1).then_some(iban)
}

/// A venue as `name|city`, each folded for case, accents and punctuation with common
/// abbreviations in English, French, German and Dutch expanded, so that "Hotel Bellevue,
/// Esch-sur-Alzette" and "hôtel bellevue esch sur alzette" match. A city written at the end of the
/// name is taken off it. `None` without a name; a venue without a city is `name|`.
pub fn normalise_venue(name: &str, city: &str) -> Option<String> {
    let mut name = fold_words(name);
    let city = fold_words(city);
    if !city.is_empty() && name.len() > city.len() {
        let n = name.len() - city.len();
        if name[n..] == city[..] {
            name.truncate(n);
        }
    }
    if name.is_empty() || name.iter().map(|w| w.chars().count()).sum::<usize>() < 2 {
        return None;
    }
    Some(format!("{}|{}", name.join(" "), city.join(" ")))
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

// --- Phones ----------------------------------------------------------------------------------

/// Phone-number candidates: digits with the usual separators, possibly `+`, `(+` or `(0)` first.
static PHONE_CANDIDATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?:\+|\(\+?)?\d[\d \t\u{a0}\u{202f}().\-/]*\d"));
/// Dates (2026-10-02, 02.10.2026, 2/10/26) and times (14.30-16.00): never phone numbers.
static NOT_A_PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,2}[.:h]\d{2}-\d{1,2}[.:h]\d{2})[.,]?$",
    )
});

/// A number reduced to `+` and digits; whether it was written with an international prefix.
fn clean_phone(raw: &str) -> Option<(String, bool)> {
    let mut t = raw.trim();
    if t.len() >= 4 && t.is_char_boundary(4) && t[..4].eq_ignore_ascii_case("tel:") {
        t = t[4..].trim_start();
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let international =
        compact.starts_with('+') || compact.starts_with("(+") || compact.starts_with("00");
    // "+49 (0)30…" drops the trunk prefix; "(0)6 12…" keeps it.
    let compact = compact.replace("(0)", if international { "" } else { "0" });
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        match c {
            '0'..='9' => out.push(c),
            '+' if out.is_empty() => out.push('+'),
            '.' | '-' | '/' | '(' | ')' => {}
            _ => return None,
        }
    }
    if let Some(rest) = out.strip_prefix("00") {
        out = format!("+{rest}");
    }
    let digits = out.chars().filter(char::is_ascii_digit).count();
    (5..=17).contains(&digits).then_some((out, international))
}

/// Phone numbers in a text, each valid for its region.
fn find_phones(text: &str, country: Option<&str>) -> Vec<Found> {
    let (Some(candidates), Some(not_phone)) = (PHONE_CANDIDATE.as_ref(), NOT_A_PHONE.as_ref())
    else {
        return Vec::new();
    };
    // Running text: a number without country code must start with the region's trunk prefix
    // (0 in France, Germany, the Netherlands…), or "annonce n° 123456789" would be a phone.
    let trunk = country
        .and_then(|c| phonenumber::metadata::DATABASE.by_id(c.trim().to_ascii_uppercase().as_str()))
        .and_then(|m| m.national_prefix())
        .map(str::to_owned);
    let mut found = Vec::new();
    for m in candidates.find_iter(text) {
        if char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric() || c == '+' || c == '_')
            || char_after(text, m.end()).is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        // Tokens between spaces (a date or time is a wall), then between slashes.
        let mut items: Vec<Option<Range<usize>>> = Vec::new();
        let mut offset = m.start();
        for word in m.as_str().split(|c: char| c.is_whitespace()) {
            let start = offset;
            offset += word.len() + char_after(text, start + word.len()).map_or(0, char::len_utf8);
            if word.is_empty() {
                continue;
            }
            if not_phone.is_match(word) {
                items.push(None);
                continue;
            }
            let mut inner = start;
            for part in word.split('/') {
                if !part.is_empty() {
                    items.push(Some(inner..inner + part.len()));
                }
                inner += part.len() + 1;
            }
        }
        let mut i = 0;
        while i < items.len() {
            let Some(first) = items[i].clone() else {
                i += 1;
                continue;
            };
            let mut taken = None;
            let last = items[i..]
                .iter()
                .position(Option::is_none)
                .map_or(items.len(), |p| i + p);
            for j in (i..last.min(i + 8)).rev() {
                let Some(end) = items[j].clone() else {
                    continue;
                };
                let span = first.start..end.end;
                let Some(piece) = text.get(span.clone()) else {
                    continue;
                };
                if plausible_phone_run(piece, &items[i..=j], text, trunk.as_deref())
                    && !next_to_money(text, span.clone())
                    && let Some(value) = normalise_phone(piece, country)
                {
                    taken = Some((j, span, value));
                    break;
                }
            }
            match taken {
                Some((j, span, value)) => {
                    found.push(Found {
                        start: span.start,
                        end: span.end,
                        kind: Kind::Phone,
                        value,
                        shown: text[span].to_owned(),
                    });
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
    found
}

/// Enough digits for a number in running text, the trunk prefix if the region has one, and not
/// a list of years.
fn plausible_phone_run(
    piece: &str,
    items: &[Option<Range<usize>>],
    text: &str,
    trunk: Option<&str>,
) -> bool {
    let Some((cleaned, international)) = clean_phone(piece) else {
        return false;
    };
    let digits = cleaned.chars().filter(char::is_ascii_digit).count();
    if digits < if international { 7 } else { 8 } {
        return false;
    }
    if !international && trunk.is_some_and(|t| !cleaned.starts_with(t)) {
        return false;
    }
    let years = items.iter().flatten().all(|r| {
        text.get(r.clone()).is_some_and(|t| {
            t.len() == 4
                && (t.starts_with("19") || t.starts_with("20"))
                && t.bytes().all(|b| b.is_ascii_digit())
        })
    });
    !years
}

/// Whether an amount of money is written right before or after the span.
fn next_to_money(text: &str, span: Range<usize>) -> bool {
    const AFTER: [&str; 24] = [
        "€", "$", "£", "₽", "₴", "eur", "euro", "euros", "usd", "dollar", "dollars", "chf", "gbp",
        "fr", "franc", "francs", "lei", "ron", "pln", "zł", "zl", "czk", "huf", "kr",
    ];
    const BEFORE: [&str; 8] = ["€", "$", "£", "eur", "usd", "chf", "gbp", "fr."];
    let after = text
        .get(span.end..)
        .unwrap_or("")
        .trim_start()
        .to_lowercase();
    let before = text
        .get(..span.start)
        .unwrap_or("")
        .trim_end()
        .to_lowercase();
    let word_ends = |rest: &str| !rest.chars().next().is_some_and(char::is_alphabetic);
    let word_starts = |rest: &str| !rest.chars().next_back().is_some_and(char::is_alphabetic);
    AFTER
        .iter()
        .any(|m| after.strip_prefix(m).is_some_and(word_ends))
        || BEFORE
            .iter()
            .any(|m| before.strip_suffix(m).is_some_and(word_starts))
}

// --- E-mails ---------------------------------------------------------------------------------

const AT: &str = r"(?:@|\s*[\[({]\s*(?:at|@)\s*[\])}]\s*)";
const DOT: &str = r"(?:\.|\s*[\[({]\s*(?:dot|punkt|point|punt)\s*[\])}]\s*)";

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(&format!(
        r"(?i)[\p{{L}}\p{{N}}._%+\-]+{AT}(?:[\p{{L}}\p{{N}}\-]+{DOT})+\p{{L}}{{2,63}}\b"
    ))
});
static OBFUSCATED_AT: LazyLock<Option<Regex>> = LazyLock::new(|| re(&format!("(?i){AT}")));
static OBFUSCATED_DOT: LazyLock<Option<Regex>> = LazyLock::new(|| re(&format!("(?i){DOT}")));

fn find_emails(text: &str) -> Vec<Found> {
    let Some(email) = EMAIL.as_ref() else {
        return Vec::new();
    };
    let lower = text.to_ascii_lowercase();
    if !text.contains('@') && !["at]", "at)", "at}"].iter().any(|m| lower.contains(m)) {
        return Vec::new();
    }
    email
        .find_iter(text)
        .filter_map(|m| {
            let value = normalise_email(m.as_str())?;
            Some(Found {
                start: m.start(),
                end: m.end(),
                kind: Kind::Email,
                value,
                shown: m.as_str().to_owned(),
            })
        })
        .collect()
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

// --- URLs ------------------------------------------------------------------------------------

static URL_IN_TEXT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)(?:https?://|www\.)[^\s<>"'`{}|\\^\[\]\x01]+"#,
        r"|(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}\b(?::\d{2,5})?",
        r#"(?:[/?#][^\s<>"'`{}|\\^\[\]\x01]*)?"#,
    ))
});

/// What one URL gives.
#[derive(Debug)]
struct UrlParts {
    id: String,
    domain: Option<String>,
    handle: Option<String>,
    phone: Option<String>,
}

impl UrlParts {
    fn into_found(self, start: usize, shown: &str) -> Vec<Found> {
        let end = start + shown.len();
        let mut out = vec![Found {
            start,
            end,
            kind: Kind::Url,
            value: self.id,
            shown: shown.to_owned(),
        }];
        if let Some(d) = self.domain {
            out.push(Found {
                start,
                end,
                kind: Kind::Domain,
                shown: d.clone(),
                value: d,
            });
        }
        if let Some(h) = self.handle {
            out.push(Found {
                start,
                end,
                kind: Kind::Handle,
                value: h,
                shown: shown.to_owned(),
            });
        }
        if let Some(p) = self.phone {
            out.push(Found {
                start,
                end,
                kind: Kind::Phone,
                value: p,
                shown: shown.to_owned(),
            });
        }
        out
    }
}

fn looks_like_url(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") || {
        let head = t.split('/').next().unwrap_or("");
        t.contains('/')
            && head.contains('.')
            && !head.contains('@')
            && !head.contains(char::is_whitespace)
    }
}

/// Whether `text` may hold a URL: a scheme, `www.`, or a dot between two letters or digits.
/// Every match of [`URL_IN_TEXT`] has one of these; most narratives have none, and the
/// pattern itself (Unicode classes, counted repeats) is the slowest step of extraction.
fn may_hold_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("http") || lower.contains("www.") || {
        let mut before = None;
        let mut chars = text.chars().peekable();
        let mut found = false;
        while let Some(c) = chars.next() {
            if c == '.'
                && before.is_some_and(char::is_alphanumeric)
                && chars.peek().is_some_and(|n| n.is_alphanumeric())
            {
                found = true;
                break;
            }
            before = Some(c);
        }
        found
    }
}

fn find_urls(text: &str) -> Vec<Found> {
    let Some(url_re) = URL_IN_TEXT.as_ref() else {
        return Vec::new();
    };
    if !may_hold_url(text) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for m in url_re.find_iter(text) {
        if char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric() || "@.-_/".contains(c))
        {
            continue;
        }
        let shown = trim_url_end(m.as_str());
        let lower = shown.to_ascii_lowercase();
        let bare = !(lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www."));
        if let Some(parts) = analyse_url(shown, bare) {
            found.extend(parts.into_found(m.start(), shown));
        }
    }
    found
}

/// Drops punctuation that ends the sentence rather than the URL.
fn trim_url_end(s: &str) -> &str {
    let mut s = s;
    while let Some(c) = s.chars().next_back() {
        let balanced_paren = c == ')' && s.matches('(').count() >= s.matches(')').count();
        if ".,;:!?'\"»”’]}".contains(c) || (c == ')' && !balanced_paren) {
            s = &s[..s.len() - c.len_utf8()];
        } else {
            break;
        }
    }
    s
}

/// Normalises one URL. `bare` is a name found in running text without scheme or `www.`, which
/// must look like a host name (`work.It` after a missing space is not).
fn analyse_url(raw: &str, bare: bool) -> Option<UrlParts> {
    let t = raw.trim().trim_matches(|c: char| "<>\"'".contains(c));
    let t = trim_url_end(t);
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    let with_scheme = match t.find("://") {
        Some(i) => {
            let scheme = t[..i].to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return None;
            }
            t.to_owned()
        }
        None => {
            let head = t.split(['/', '?', '#']).next().unwrap_or("");
            // An e-mail address, or mailto:, tel:, javascript:…
            if head.contains('@')
                || head
                    .split_once(':')
                    .is_some_and(|(_, p)| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            if bare {
                let tld = head
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .rsplit('.')
                    .next()
                    .unwrap_or("");
                // "work.It was late", "à Esch.Il travaille": a capitalised word after a full
                // stop is a sentence, not a top-level domain (COM in capitals is one).
                let mut letters = tld.chars();
                if letters.next().is_some_and(char::is_uppercase) && letters.any(char::is_lowercase)
                {
                    return None;
                }
            }
            format!("https://{}", t.trim_start_matches('/'))
        }
    };
    let url = Url::parse(&with_scheme).ok()?;
    let (host, is_name) = match url.host()? {
        Host::Domain(d) => (registered_host(d)?, true),
        Host::Ipv4(a) => (a.to_string(), false),
        Host::Ipv6(a) => (format!("[{a}]"), false),
    };
    let host = match host.strip_prefix("www.") {
        Some(rest) if is_name && registered_host(rest).is_some() => rest.to_owned(),
        _ => host,
    };
    let hit = if is_name { PLATFORMS.find(&host) } else { None };
    let platform = hit
        .as_ref()
        .and_then(|h| PLATFORMS.file.platform.get(h.index));
    let lower = platform.is_some_and(|p| p.lowercase_path);

    let mut id = match &hit {
        Some(h) if h.own => platform
            .and_then(|p| p.canonical.clone())
            .unwrap_or_else(|| h.host.clone()),
        _ => host.clone(),
    };
    if let Some(port) = url.port().filter(|p| *p != 80 && *p != 443) {
        id.push_str(&format!(":{port}"));
    }
    let segments: Vec<String> = url
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| normalise_percent(s, lower))
        .collect();
    for s in &segments {
        id.push('/');
        id.push_str(s);
    }
    let keep = platform.and_then(|p| p.keep_query.as_ref());
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.is_empty()
                && match keep {
                    Some(list) => list.iter().any(|x| x.eq_ignore_ascii_case(&k)),
                    None => !is_tracking(&k),
                }
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    if !pairs.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        id.push('?');
        id.push_str(&query);
    }

    let own = hit.as_ref().is_some_and(|h| h.own);
    if own && segments.is_empty() && pairs.is_empty() {
        return None;
    }
    let domain = match platform {
        None if is_name => psl::domain_str(&host).map(str::to_owned),
        _ => None,
    };
    let mut handle = None;
    let mut phone = None;
    if let (Some(p), Some(h)) = (platform, &hit) {
        if h.own {
            handle = handle_in_path(p, &segments);
            if p.phone_path {
                phone = segments.first().and_then(|s| {
                    normalise_phone(&format!("+{}", s.trim_start_matches('+')), None)
                });
            }
            if let Some(q) = &p.phone_query {
                phone = phone.or_else(|| {
                    pairs
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(q))
                        .and_then(|(_, v)| {
                            normalise_phone(&format!("+{}", v.trim().trim_start_matches('+')), None)
                        })
                });
            }
        } else if p.subdomain_handle {
            let label = host
                .strip_suffix(&h.matched)
                .and_then(|l| l.strip_suffix('.'));
            handle = label
                .filter(|l| !l.contains('.') && !PLATFORMS.mirrors.contains(*l))
                .and_then(clean_handle);
        }
    }
    Some(UrlParts {
        id,
        domain,
        handle,
        phone,
    })
}

/// The profile name in a platform path, where the platform says it sits.
fn handle_in_path(p: &Platform, segments: &[String]) -> Option<String> {
    let first = segments.first()?;
    for place in &p.handle_after {
        let name = match place.as_str() {
            "" => Some(first.as_str())
                .filter(|s| !PLATFORMS.reserved.contains(&s.to_ascii_lowercase())),
            "@" => Some(first.as_str()).filter(|s| s.starts_with('@')),
            prefix => segments
                .get(1)
                .map(String::as_str)
                .filter(|_| first.eq_ignore_ascii_case(prefix)),
        };
        if let Some(h) = name.and_then(clean_handle) {
            return Some(h);
        }
    }
    None
}

/// Decodes percent-escapes of unreserved characters, upper-cases the others, and lower-cases the
/// rest when asked.
fn normalise_percent(segment: &str, lower: bool) -> String {
    let b = segment.as_bytes();
    let mut out = String::with_capacity(segment.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            let v = h * 16 + l;
            if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                out.push(char::from(if lower { v.to_ascii_lowercase() } else { v }));
            } else {
                out.push('%');
                out.push(char::from(b[i + 1].to_ascii_uppercase()));
                out.push(char::from(b[i + 2].to_ascii_uppercase()));
            }
            i += 3;
            continue;
        }
        out.push(char::from(if lower { c.to_ascii_lowercase() } else { c }));
        i += 1;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Query parameters that only say where a visitor came from.
fn is_tracking(key: &str) -> bool {
    const PREFIXES: [&str; 6] = ["utm_", "__cft__", "__tn__", "pk_", "mtm_", "hsa_"];
    const NAMES: [&str; 36] = [
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "si",
        "feature",
        "mibextid",
        "sfnsn",
        "hc_ref",
        "fref",
        "rdid",
        "share_url",
        "xtor",
        "wt_mc",
        "ncid",
        "icid",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p)) || NAMES.contains(&key)
}

// --- Platforms -------------------------------------------------------------------------------

const PLATFORMS_TOML: &str = include_str!("platforms.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    #[serde(default)]
    mirrors: Vec<String>,
    #[serde(default)]
    reserved_segments: Vec<String>,
    #[serde(default)]
    platform: Vec<Platform>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Platform {
    #[allow(dead_code)]
    name: String,
    domains: Vec<String>,
    #[serde(default)]
    canonical: Option<String>,
    #[serde(default)]
    lowercase_path: bool,
    #[serde(default)]
    keep_query: Option<Vec<String>>,
    #[serde(default)]
    handle_after: Vec<String>,
    #[serde(default)]
    subdomain_handle: bool,
    #[serde(default)]
    phone_path: bool,
    #[serde(default)]
    phone_query: Option<String>,
}

#[derive(Debug, Default)]
struct Platforms {
    file: PlatformFile,
    by_domain: HashMap<String, usize>,
    mirrors: HashSet<String>,
    reserved: HashSet<String>,
}

/// Where a host sits on a platform.
#[derive(Debug)]
struct PlatformHit {
    index: usize,
    /// The platform's own host (or a mirror of it), not a user's subdomain.
    own: bool,
    /// The host without its mirror label.
    host: String,
    /// The platform domain that matched.
    matched: String,
}

impl Platforms {
    fn load(toml_text: &str) -> Self {
        let file: PlatformFile = toml::from_str(toml_text).unwrap_or_default();
        let mut by_domain = HashMap::new();
        for (i, p) in file.platform.iter().enumerate() {
            for d in &p.domains {
                by_domain.entry(d.to_ascii_lowercase()).or_insert(i);
            }
        }
        let mirrors = file
            .mirrors
            .iter()
            .map(|m| m.to_ascii_lowercase())
            .collect();
        let reserved = file
            .reserved_segments
            .iter()
            .map(|m| m.to_ascii_lowercase())
            .collect();
        Self {
            file,
            by_domain,
            mirrors,
            reserved,
        }
    }

    fn find(&self, host: &str) -> Option<PlatformHit> {
        if let Some(&index) = self.by_domain.get(host) {
            return Some(PlatformHit {
                index,
                own: true,
                host: host.to_owned(),
                matched: host.to_owned(),
            });
        }
        if let Some((first, rest)) = host.split_once('.')
            && self.mirrors.contains(first)
            && let Some(&index) = self.by_domain.get(rest)
        {
            return Some(PlatformHit {
                index,
                own: true,
                host: rest.to_owned(),
                matched: rest.to_owned(),
            });
        }
        let mut h = host;
        while let Some((_, rest)) = h.split_once('.') {
            if let Some(&index) = self.by_domain.get(rest) {
                return Some(PlatformHit {
                    index,
                    own: false,
                    host: host.to_owned(),
                    matched: rest.to_owned(),
                });
            }
            h = rest;
        }
        None
    }
}

static PLATFORMS: LazyLock<Platforms> = LazyLock::new(|| Platforms::load(PLATFORMS_TOML));

// --- Handles ---------------------------------------------------------------------------------

/// Words around a handle that name the platform, not the person.
const PLATFORM_WORDS: [&str; 48] = [
    "instagram",
    "insta",
    "ig",
    "snapchat",
    "snap",
    "sc",
    "tiktok",
    "telegram",
    "tg",
    "facebook",
    "fb",
    "messenger",
    "twitter",
    "x",
    "threads",
    "onlyfans",
    "of",
    "fansly",
    "whatsapp",
    "wa",
    "signal",
    "kik",
    "discord",
    "wechat",
    "line",
    "vk",
    "viber",
    "skype",
    "reddit",
    "youtube",
    "linkedin",
    "twitch",
    "on",
    "sur",
    "auf",
    "op",
    "via",
    "en",
    "at",
    "bei",
    "handle",
    "user",
    "username",
    "pseudo",
    "profile",
    "profil",
    "account",
    "compte",
];

static HANDLE_IN_TEXT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"@([\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]{0,62}[\p{L}\p{N}_])?)"));

/// A bare handle, lower-case, without `@`/`$`; `None` unless made of letters, digits, `.`, `_`
/// and `-` with at least one letter or digit.
fn clean_handle(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches(['.', ',', ';', '!', '?']);
    let name = name
        .strip_prefix('@')
        .or_else(|| name.strip_prefix('$'))
        .unwrap_or(name);
    let n = name.chars().count();
    let ok = (1..=64).contains(&n)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-".contains(c))
        && name.chars().any(char::is_alphanumeric);
    ok.then(|| name.to_lowercase())
}

fn find_handles(text: &str) -> Vec<Found> {
    let Some(handle_re) = HANDLE_IN_TEXT.as_ref() else {
        return Vec::new();
    };
    handle_re
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let name = c.get(1)?;
            if char_before(text, whole.start())
                .is_some_and(|ch| ch.is_alphanumeric() || "_.@/".contains(ch))
                || !name.as_str().chars().any(char::is_alphabetic)
            {
                return None;
            }
            let value = clean_handle(name.as_str())?;
            Some(Found {
                start: whole.start(),
                end: whole.end(),
                kind: Kind::Handle,
                value,
                shown: whole.as_str().to_owned(),
            })
        })
        .collect()
}

// --- IBANs -----------------------------------------------------------------------------------

static IBAN_IN_TEXT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?i)\b[a-z]{2}\d{2}(?:[ \u{a0}\-]?[a-z0-9]{1,4}){3,8}\b"));

fn find_ibans(text: &str) -> Vec<Found> {
    let Some(iban_re) = IBAN_IN_TEXT.as_ref() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for m in iban_re.find_iter(text) {
        // The last groups may be the next words: try the longest prefix that is an IBAN.
        let s = m.as_str();
        let mut ends: Vec<usize> = s
            .match_indices([' ', '\u{a0}', '-'])
            .map(|(i, _)| i)
            .collect();
        ends.push(s.len());
        for &end in ends.iter().rev() {
            if let Some(value) = normalise_iban(&s[..end]) {
                found.push(Found {
                    start: m.start(),
                    end: m.start() + end,
                    kind: Kind::Iban,
                    value,
                    shown: s[..end].to_owned(),
                });
                break;
            }
        }
    }
    found
}

/// IBAN lengths by country (SWIFT IBAN registry).
const IBAN_LENGTHS: [(&str, usize); 89] = [
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

// --- Venues ----------------------------------------------------------------------------------

/// Lower-case words without accents or punctuation, abbreviations expanded.
fn fold_words(s: &str) -> Vec<String> {
    let folded: String = crate::search::terms::fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let n = words.len();
    let mut out = Vec::with_capacity(n);
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1);
        let expanded = match *w {
            // "St Johann", "Sankt Vith", "Sint-Niklaas"; "Baker St" is a street.
            "st" if i + 1 == n && i > 0 => "str",
            "st" | "sankt" | "sint" | "skt" | "saint" => "saint",
            "ste" | "sainte" => "sainte",
            "str" | "strasse" | "straat" | "street" => "str",
            "r" if next.is_some() => "rue",
            "av" | "ave" | "avda" | "avenue" => "avenue",
            "bd" | "bld" | "blvd" | "boul" | "bvd" | "boulevard" => "boulevard",
            "pl" | "place" => "place",
            "rte" => "route",
            "chee" | "chaussee" => "chaussee",
            "sq" => "square",
            "rd" => "road",
            "htl" | "hotel" => "hotel",
            "ctr" | "center" | "centre" => "centre",
            "intl" | "international" => "international",
            "no" | "nr" | "num" | "numero" | "nummer"
                if next.is_some_and(|x| x.starts_with(|c: char| c.is_ascii_digit())) =>
            {
                continue;
            }
            _ => "",
        };
        if !expanded.is_empty() {
            out.push(expanded.to_owned());
        } else if let Some(stem) = w
            .strip_suffix("strasse")
            .or_else(|| w.strip_suffix("straat"))
            .filter(|s| !s.is_empty())
        {
            // Hauptstraße / Hauptstr. / Kalverstraat
            out.push(format!("{stem}str"));
        } else {
            out.push((*w).to_owned());
        }
    }
    out
}

/// Compiled phone-number patterns kept (see [`keep_phone_patterns_compiled`]).
const PHONE_PATTERN_CACHE: usize = 8192;

/// Phone numbers are validated against libphonenumber's patterns, which the `phonenumber` crate
/// compiles on use and keeps in an LRU cache of 100 regexes shared by every region. Reports from
/// thirty countries need several hundred, so the cache thrashed and recompiling patterns took
/// over half of the time spent preparing a report. A larger cache keeps each pattern compiled
/// once. Called once at start-up, by the server and by `dev seed`.
pub fn keep_phone_patterns_compiled() {
    if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
        *cache = regex_cache::RegexCache::new(PHONE_PATTERN_CACHE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str, country: Option<&str>) -> Option<String> {
        normalise_phone(raw, country)
    }

    #[test]
    fn the_url_prefilter_only_skips_texts_without_a_url() {
        for text in [
            "Contact via example.com today",
            "HTTPS://Example.org/x",
            "WWW.EXAMPLE.ORG",
            "see http://10.0.0.1:8080/a",
            "profil sur müller-bau.de/team",
            "ad 2.5 km away",
        ] {
            assert!(may_hold_url(text), "{text}");
        }
        for text in [
            "She works at the hotel. They took her passport. No pay.",
            "Hôtel Bellevue, 12 rue du Fort... Paid 5 . 50",
            "",
        ] {
            assert!(!may_hold_url(text), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn no_url_is_missed_by_the_prefilter(text in "[a-zA-Zé0-9 .:/@-]{0,40}") {
            if !may_hold_url(&text) {
                proptest::prop_assert!(URL_IN_TEXT.as_ref().is_some_and(|r| r.find(&text).is_none()));
            }
        }
    }

    #[test]
    fn statics_build() {
        for r in [
            &PHONE_CANDIDATE,
            &NOT_A_PHONE,
            &EMAIL,
            &OBFUSCATED_AT,
            &OBFUSCATED_DOT,
            &URL_IN_TEXT,
            &HANDLE_IN_TEXT,
            &IBAN_IN_TEXT,
        ] {
            assert!(r.is_some());
        }
        let file: Result<PlatformFile, _> = toml::from_str(PLATFORMS_TOML);
        let file = file.expect("platforms.toml parses");
        assert!(file.platform.len() > 30);
        assert!(PLATFORMS.find("facebook.com").is_some());
        // Every platform domain is a host under a known public suffix (some, like carrd.co,
        // are public suffixes themselves: only their users' subdomains are sites).
        for p in &file.platform {
            for d in &p.domains {
                assert!(matches!(Host::parse(d), Ok(Host::Domain(_))), "{d}");
                assert!(
                    psl::suffix(d.as_bytes()).is_some_and(|s| s.is_known()),
                    "{d}"
                );
            }
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

    #[test]
    fn phones_in_national_formats() {
        let lu = Some("+352621123456".to_owned());
        assert_eq!(e164("+352 621 123 456", None), lu);
        assert_eq!(e164("00352621123456", None), lu);
        assert_eq!(e164("00352 621 123 456", Some("FR")), lu);
        assert_eq!(e164("621 123 456", Some("LU")), lu);
        assert_eq!(e164("621/12.34.56", Some("lu")), lu);
        assert_eq!(e164("tel:+352-621-123-456", Some("DE")), lu);

        let fr = Some("+33612345678".to_owned());
        assert_eq!(e164("(0)6 12 34 56 78", Some("FR")), fr);
        assert_eq!(e164("+33 6 12 34 56 78", None), fr);
        assert_eq!(e164("+33 (0)6 12 34 56 78", Some("LU")), fr);
        assert_eq!(e164("0612345678", Some("FR")), fr);
        assert_eq!(e164("06.12.34.56.78", Some("FR")), fr);
        assert_eq!(e164("0033612345678", Some("BE")), fr);

        let de = Some("+4930123456".to_owned());
        assert_eq!(e164("+49 (0)30 123456", None), de);
        assert_eq!(e164("030 123456", Some("DE")), de);
        assert_eq!(e164("030/123456", Some("DE")), de);

        let nl = Some("+31612345678".to_owned());
        assert_eq!(e164("06-12345678", Some("NL")), nl);
        assert_eq!(e164("+31 6 12345678", None), nl);
        assert_eq!(e164("+31 (0)6 1234 5678", None), nl);
    }

    #[test]
    fn phone_garbage_refused() {
        for raw in [
            "",
            "hello",
            "123",
            "0612345678",
            "+00 000 000",
            "+352 abc 123",
            "06 12 34 56 78 90 12 34",
            "+999 123 456 789",
            "2026-10-02",
        ] {
            assert_eq!(
                e164(
                    raw,
                    if raw == "0612345678" {
                        None
                    } else {
                        Some("FR")
                    }
                ),
                None,
                "{raw}"
            );
        }
        assert_eq!(e164("0612345678", Some("ZZ")), None);
    }

    #[test]
    fn emails() {
        let v = Some("john.doe@example.com".to_owned());
        assert_eq!(normalise_email("  John.Doe@Example.COM "), v);
        assert_eq!(normalise_email("mailto:john.doe@example.com"), v);
        assert_eq!(normalise_email("<john.doe@example.com>"), v);
        assert_eq!(normalise_email("john.doe [at] example [dot] com"), v);
        assert_eq!(normalise_email("john.doe(at)example.com"), v);
        assert_eq!(
            normalise_email("anna+jobs@agency.co.uk"),
            Some("anna+jobs@agency.co.uk".to_owned())
        );
        for bad in [
            "",
            "john",
            "john@",
            "@example.com",
            "john@@example.com",
            "john@localhost",
            "a b@example.com",
            "john..doe@example.com",
            "john@example.notatld",
            "john@192.168.1.1",
            ".john@example.com",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn url_variants_are_one() {
        let want = Some((
            "example.com/Ad/5".to_owned(),
            Some("example.com".to_owned()),
        ));
        for raw in [
            "HTTP://WWW.Example.com:80/Ad/5/?utm_source=x#top",
            "example.com/Ad/5",
            "https://example.com/Ad/5/",
            "http://example.com/Ad/5?fbclid=abc&utm_medium=y",
            "www.example.com//Ad/5",
            "https://example.com:443/%41d/5",
        ] {
            assert_eq!(normalise_url(raw), want, "{raw}");
        }
        // Path case is kept on ordinary sites; meaningful queries are kept, sorted.
        assert_eq!(
            normalise_url("example.com/ad/5").map(|u| u.0),
            Some("example.com/ad/5".to_owned())
        );
        assert_eq!(
            normalise_url("http://example.com/profile.php?z=2&id=123&utm_campaign=q").map(|u| u.0),
            Some("example.com/profile.php?id=123&z=2".to_owned())
        );
        assert_eq!(
            normalise_url("http://example.com:8080/x").map(|u| u.0),
            Some("example.com:8080/x".to_owned())
        );
        assert_eq!(
            normalise_url("http://192.0.2.7/x/"),
            Some(("192.0.2.7/x".to_owned(), None))
        );
        assert_eq!(
            normalise_url("https://example.com/"),
            Some(("example.com".to_owned(), Some("example.com".to_owned())))
        );
        for bad in [
            "",
            "hello",
            "mailto:john@example.com",
            "john@example.com",
            "ftp://example.com/x",
            "javascript:alert(1)",
            "https://localhost/x",
            "example.notatld/x",
            "http://exa mple.com",
        ] {
            assert_eq!(normalise_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn registrable_domain() {
        assert_eq!(
            normalise_url("https://sub.example.co.uk/page"),
            Some((
                "sub.example.co.uk/page".to_owned(),
                Some("example.co.uk".to_owned())
            ))
        );
        assert_eq!(
            normalise_url("shop.example.lu").and_then(|u| u.1),
            Some("example.lu".to_owned())
        );
    }

    #[test]
    fn platform_profiles() {
        let a = normalise_url("https://www.facebook.com/John.Doe").unwrap();
        let b = normalise_url("https://www.facebook.com/mary.smith.77").unwrap();
        assert_ne!(a.0, b.0);
        assert_eq!((a.1, b.1), (None, None));
        for same in [
            "facebook.com/John.Doe",
            "https://m.facebook.com/john.doe/",
            "http://mobile.facebook.com/JOHN.DOE?fbclid=x&ref=bookmarks",
            "https://fb.com/john.doe#about",
        ] {
            assert_eq!(
                normalise_url(same),
                Some(("facebook.com/john.doe".to_owned(), None)),
                "{same}"
            );
        }
        assert_eq!(
            normalise_url("https://www.facebook.com/profile.php?id=100012345&sk=photos")
                .map(|u| u.0),
            Some("facebook.com/profile.php?id=100012345".to_owned())
        );
        assert_ne!(
            normalise_url("https://facebook.com/profile.php?id=1"),
            normalise_url("https://facebook.com/profile.php?id=2")
        );
        assert_eq!(
            normalise_url("https://twitter.com/Anna_X/status/1?s=20").map(|u| u.0),
            normalise_url("x.com/anna_x/status/1").map(|u| u.0)
        );
        // The bare home page of a platform links nothing.
        assert_eq!(normalise_url("https://www.facebook.com/"), None);
        assert_eq!(normalise_url("instagram.com"), None);
        // YouTube ids are case-sensitive; classified ads keep their path.
        assert_eq!(
            normalise_url("https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share").map(|u| u.0),
            Some("youtube.com/watch?v=dQw4w9WgXcQ".to_owned())
        );
        assert_eq!(
            normalise_url("https://www.leboncoin.fr/ad/services/2345678901"),
            Some(("leboncoin.fr/ad/services/2345678901".to_owned(), None))
        );
        // User subdomains of hosting platforms stay apart.
        let j = normalise_url("https://john.blogspot.com/").unwrap();
        let m = normalise_url("https://mary.blogspot.com/").unwrap();
        assert_ne!(j.0, m.0);
        assert_eq!((j.1, m.1), (None, None));
        assert_eq!(
            normalise_url("https://sites.google.com/view/anna"),
            Some(("sites.google.com/view/anna".to_owned(), None))
        );
    }

    #[test]
    fn platform_urls_give_handles_and_phones() {
        let parts = analyse_url("https://www.instagram.com/Anna_X/", false).unwrap();
        assert_eq!(parts.handle.as_deref(), Some("anna_x"));
        assert_eq!(
            analyse_url("instagram.com/p/Cx1", false).unwrap().handle,
            None
        );
        assert_eq!(
            analyse_url("https://www.tiktok.com/@anna_x/video/1", false)
                .unwrap()
                .handle
                .as_deref(),
            Some("anna_x")
        );
        assert_eq!(
            analyse_url("https://www.reddit.com/u/Anna_X", false)
                .unwrap()
                .handle
                .as_deref(),
            Some("anna_x")
        );
        assert_eq!(
            analyse_url("https://anna.blogspot.com/", false)
                .unwrap()
                .handle
                .as_deref(),
            Some("anna")
        );
        let wa = analyse_url("https://wa.me/352621123456?text=hi", false).unwrap();
        assert_eq!(wa.phone.as_deref(), Some("+352621123456"));
        let api = analyse_url("https://api.whatsapp.com/send?phone=33612345678", false).unwrap();
        assert_eq!(api.phone.as_deref(), Some("+33612345678"));
    }

    #[test]
    fn handles() {
        for raw in [
            "@Anna_X",
            "anna_x",
            " ANNA_X ",
            "instagram: @anna_x",
            "Instagram:anna_x",
            "anna_x (TikTok)",
            "@anna_x on snapchat",
            "https://www.instagram.com/anna_x/",
            "IG @Anna_X.",
        ] {
            assert_eq!(normalise_handle(raw).as_deref(), Some("anna_x"), "{raw}");
        }
        for bad in [
            "",
            "@",
            "anna maria",
            "two words here",
            "a/b c",
            "@@",
            "anna!x",
        ] {
            assert_eq!(normalise_handle(bad), None, "{bad}");
        }
    }

    #[test]
    fn plates() {
        for raw in ["ab-123-cd", "AB 123 CD", "ab.123.cd", " AB123CD "] {
            assert_eq!(normalise_plate(raw).as_deref(), Some("AB123CD"), "{raw}");
        }
        assert_eq!(normalise_plate("M-ÜL 123").as_deref(), Some("MÜL123"));
        for bad in ["", "unknown", "white van", "A", "ab@123", "1234567890ABC"] {
            assert_eq!(normalise_plate(bad), None, "{bad}");
        }
    }

    #[test]
    fn iban_check_digits() {
        let lu = Some("LU280019400644750000".to_owned());
        assert_eq!(normalise_iban("LU28 0019 4006 4475 0000"), lu);
        assert_eq!(normalise_iban("lu28-0019-4006-4475-0000"), lu);
        assert_eq!(normalise_iban("IBAN: LU28 0019 4006 4475 0000"), lu);
        assert_eq!(
            normalise_iban("DE89 3704 0044 0532 0130 00").as_deref(),
            Some("DE89370400440532013000")
        );
        assert_eq!(
            normalise_iban("FR14 2004 1010 0505 0001 3M02 606").as_deref(),
            Some("FR1420041010050500013M02606")
        );
        assert_eq!(
            normalise_iban("GB82 WEST 1234 5698 7654 32").as_deref(),
            Some("GB82WEST12345698765432")
        );
        assert_eq!(
            normalise_iban("BE68 5390 0754 7034").as_deref(),
            Some("BE68539007547034")
        );
        // A wrong check digit, a wrong length, garbage.
        assert_eq!(normalise_iban("LU29 0019 4006 4475 0000"), None);
        assert_eq!(normalise_iban("LU28 0019 4006 4475 0000 1"), None);
        assert_eq!(normalise_iban("DE89 3704 0044 0532 0130 01"), None);
        assert_eq!(normalise_iban("hello world"), None);
        assert_eq!(normalise_iban(""), None);
    }

    #[test]
    fn venues() {
        let want = Some("hotel bellevue|esch sur alzette".to_owned());
        assert_eq!(normalise_venue("Hotel Bellevue", "Esch-sur-Alzette"), want);
        assert_eq!(normalise_venue("hôtel bellevue", "esch sur alzette"), want);
        assert_eq!(
            normalise_venue("HÔTEL  BELLEVUE!", " Esch sur Alzette "),
            want
        );
        assert_eq!(
            normalise_venue("Hotel Bellevue, Esch-sur-Alzette", "Esch-sur-Alzette"),
            want
        );
        assert_eq!(
            normalise_venue("Hotel Bellevue", ""),
            Some("hotel bellevue|".to_owned())
        );
        assert_eq!(
            normalise_venue("Café St. Joseph, Hauptstraße 12", "Sankt Vith"),
            normalise_venue("cafe saint joseph hauptstr 12", "St-Vith")
        );
        assert_eq!(
            normalise_venue("Bar Le Ritz, 5 r. de la Gare", "Luxembourg"),
            normalise_venue("bar le ritz 5 rue de la gare", "LUXEMBOURG")
        );
        assert_eq!(
            normalise_venue("12 Baker St", "London"),
            normalise_venue("12 Baker Street", "london")
        );
        assert_eq!(
            normalise_venue("Av. de la Liberté 3", "Bruxelles"),
            normalise_venue("avenue de la liberte no 3", "bruxelles")
        );
        assert_eq!(
            normalise_venue("Grand Hôtel Straße", "Köln"),
            Some("grand hotel str|koln".to_owned())
        );
        assert_ne!(normalise_venue("Hotel Bellevue", "Luxembourg"), want);
        assert_eq!(normalise_venue("", "Luxembourg"), None);
        assert_eq!(normalise_venue(" - ", "Luxembourg"), None);
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
