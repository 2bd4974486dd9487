//! E-mail addresses: trimmed and lower-cased whole, `[at]`/`(dot)` obfuscations undone, `+tags`
//! and dots kept (provider-specific); the domain must sit under a known public suffix.

use super::{Found, Kind, re, registered_host};
use regex::Regex;
use std::sync::LazyLock;

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

const AT: &str = r"(?:@|\s*[\[({]\s*(?:at|@)\s*[\])}]\s*)";
const DOT: &str = r"(?:\.|\s*[\[({]\s*(?:dot|punkt|point|punt)\s*[\])}]\s*)";

pub(super) static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(&format!(
        r"(?i)[\p{{L}}\p{{N}}._%+\-]+{AT}(?:[\p{{L}}\p{{N}}\-]+{DOT})+\p{{L}}{{2,63}}\b"
    ))
});
pub(super) static OBFUSCATED_AT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(&format!("(?i){AT}")));
pub(super) static OBFUSCATED_DOT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(&format!("(?i){DOT}")));

pub(super) fn find_emails(text: &str) -> Vec<Found> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
