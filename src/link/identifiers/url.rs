//! URLs: the identifier is host + path (+ meaningful query) without the scheme, `www.`, default
//! ports, fragments, tracking parameters or the trailing slash; other sites than large platforms
//! also give their registrable domain. On a platform ([`super::platforms`]) the profile or advert
//! path is the identifier, and a profile URL gives the handle or the phone number.

use super::handle::clean_handle;
use super::phone::normalise_phone;
use super::platforms::{PLATFORMS, Platform};
use super::{Found, Kind, char_before, re, registered_host};
use regex::Regex;
use std::sync::LazyLock;
use url::{Host, Url};

/// A URL's identifier (host + path + meaningful query, without scheme, `www.`, default port,
/// fragment, tracking parameters or trailing slash) and, except on large platforms, its
/// registrable domain. `None` for what is not an http(s) URL on a host under a known public
/// suffix (or an IP address), and for the bare home page of a platform.
pub fn normalise_url(raw: &str) -> Option<(String, Option<String>)> {
    let parts = analyse_url(raw, false)?;
    Some((parts.id, parts.domain))
}

pub(super) static URL_IN_TEXT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)(?:https?://|www\.)[^\s<>"'`{}|\\^\[\]\x01]+"#,
        r"|(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}\b(?::\d{2,5})?",
        r#"(?:[/?#][^\s<>"'`{}|\\^\[\]\x01]*)?"#,
    ))
});

/// What one URL gives.
#[derive(Debug)]
pub(super) struct UrlParts {
    pub(super) id: String,
    pub(super) domain: Option<String>,
    pub(super) handle: Option<String>,
    pub(super) phone: Option<String>,
}

impl UrlParts {
    pub(super) fn into_found(self, start: usize, shown: &str) -> Vec<Found> {
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

pub(super) fn looks_like_url(t: &str) -> bool {
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

pub(super) fn find_urls(text: &str) -> Vec<Found> {
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
pub(super) fn analyse_url(raw: &str, bare: bool) -> Option<UrlParts> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
