//! IBANs: upper-case without spaces; they must pass the mod-97 check and have their country's
//! length.

use super::{Found, Kind, re};
use regex::Regex;
use std::sync::LazyLock;

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

pub(super) static IBAN_IN_TEXT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?i)\b[a-z]{2}\d{2}(?:[ \u{a0}\-]?[a-z0-9]{1,4}){3,8}\b"));

pub(super) fn find_ibans(text: &str) -> Vec<Found> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
