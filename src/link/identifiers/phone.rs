//! Phone numbers: E.164, parsed with the report's country as the default region, only numbers
//! the metadata calls valid; in running text at least 8 digits (7 after `+`/`00`), the trunk
//! prefix where the region has one, and never dates, times, years or amounts of money.

use super::{Found, Kind, char_after, char_before, re};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

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

/// Phone-number candidates: digits with the usual separators, possibly `+`, `(+` or `(0)` first.
pub(super) static PHONE_CANDIDATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?:\+|\(\+?)?\d[\d \t\u{a0}\u{202f}().\-/]*\d"));
/// Dates (2026-10-02, 02.10.2026, 2/10/26) and times (14.30-16.00): never phone numbers.
pub(super) static NOT_A_PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
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
pub(super) fn find_phones(text: &str, country: Option<&str>) -> Vec<Found> {
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
}
