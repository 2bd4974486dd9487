//! The large platforms (`platforms.toml`): their domains, mirrors and aliases as one host, where a
//! profile name sits in their paths, which query parameters they keep, and reserved path segments.

use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

const PLATFORMS_TOML: &str = include_str!("platforms.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlatformFile {
    #[serde(default)]
    pub(super) mirrors: Vec<String>,
    #[serde(default)]
    pub(super) reserved_segments: Vec<String>,
    #[serde(default)]
    pub(super) platform: Vec<Platform>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Platform {
    #[allow(dead_code)]
    pub(super) name: String,
    pub(super) domains: Vec<String>,
    #[serde(default)]
    pub(super) canonical: Option<String>,
    #[serde(default)]
    pub(super) lowercase_path: bool,
    #[serde(default)]
    pub(super) keep_query: Option<Vec<String>>,
    #[serde(default)]
    pub(super) handle_after: Vec<String>,
    #[serde(default)]
    pub(super) subdomain_handle: bool,
    #[serde(default)]
    pub(super) phone_path: bool,
    #[serde(default)]
    pub(super) phone_query: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Platforms {
    pub(super) file: PlatformFile,
    pub(super) by_domain: HashMap<String, usize>,
    pub(super) mirrors: HashSet<String>,
    pub(super) reserved: HashSet<String>,
}

/// Where a host sits on a platform.
#[derive(Debug)]
pub(super) struct PlatformHit {
    pub(super) index: usize,
    /// The platform's own host (or a mirror of it), not a user's subdomain.
    pub(super) own: bool,
    /// The host without its mirror label.
    pub(super) host: String,
    /// The platform domain that matched.
    pub(super) matched: String,
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

    pub(super) fn find(&self, host: &str) -> Option<PlatformHit> {
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

pub(super) static PLATFORMS: LazyLock<Platforms> =
    LazyLock::new(|| Platforms::load(PLATFORMS_TOML));

#[cfg(test)]
mod tests {
    use super::super::url::{analyse_url, normalise_url};
    use super::*;
    use url::Host;

    #[test]
    fn platforms_file_loads() {
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
}
