//! Translations: one Fluent file per language under `locales/`, compiled in. The language of a
//! page follows one rule ([`choose`], and the [`Lang`] extractor): an explicit choice, then the
//! person's stored setting, then `Accept-Language`, then English; a key a translation lacks
//! falls back to English.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

pub use crate::types::LANGUAGES;

const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en/main.ftl")),
    ("fr", include_str!("../../locales/fr/main.ftl")),
    ("de", include_str!("../../locales/de/main.ftl")),
    ("nl", include_str!("../../locales/nl/main.ftl")),
];

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("translation file for {lang} is invalid: {detail}")]
    Invalid { lang: String, detail: String },
}

/// All translation bundles.
pub struct I18n {
    bundles: HashMap<&'static str, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "I18n({:?})", self.bundles.keys().collect::<Vec<_>>())
    }
}

impl I18n {
    pub fn load() -> Result<Self, I18nError> {
        let mut bundles = HashMap::new();
        for (lang, source) in SOURCES {
            let invalid = |detail: String| I18nError::Invalid {
                lang: (*lang).to_owned(),
                detail,
            };
            let resource = FluentResource::try_new((*source).to_owned())
                .map_err(|(_, errs)| invalid(format!("{errs:?}")))?;
            let id: LanguageIdentifier = lang.parse().map_err(|e| invalid(format!("{e}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errs| invalid(format!("{errs:?}")))?;
            bundles.insert(*lang, bundle);
        }
        Ok(Self { bundles })
    }

    /// The message `key` in `lang` (English if missing there; the key itself if missing in
    /// English too, which a test forbids).
    pub fn t(&self, lang: &str, key: &str, args: Option<&FluentArgs>) -> String {
        for candidate in [lang, "en"] {
            if let Some(text) = self.format(candidate, key, args) {
                return text;
            }
        }
        key.to_owned()
    }

    fn format(&self, lang: &str, key: &str, args: Option<&FluentArgs>) -> Option<String> {
        let bundle = self.bundles.get(lang)?;
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// Whether `lang` has its own text for `key`.
    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.bundles.get(lang).is_some_and(|b| b.has_message(key))
    }

    /// Every message id in a language's file.
    pub fn keys(&self, lang: &str) -> Vec<String> {
        SOURCES
            .iter()
            .filter(|(l, _)| *l == lang)
            .flat_map(|(_, src)| {
                src.lines()
                    .filter_map(|line| line.split_once(" =").map(|(k, _)| k))
                    .filter(|k| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// The language `code` names, if it is one we have.
pub fn known(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .find(|l| l.eq_ignore_ascii_case(code.trim()))
        .copied()
}

/// The one rule for the language of a page: an explicit choice (`?lang=`, or a form's own
/// `lang` field) wins, then the language stored for the person (a staff member's setting),
/// then the browser's preferences, then English.
pub fn choose(
    explicit: Option<&str>,
    stored: Option<&str>,
    accept_language: Option<&str>,
) -> &'static str {
    if let Some(lang) = explicit.and_then(known).or_else(|| stored.and_then(known)) {
        return lang;
    }
    let requested = fluent_langneg::accepted_languages::parse(accept_language.unwrap_or(""));
    let available: Vec<fluent_langneg::LanguageIdentifier> =
        LANGUAGES.iter().filter_map(|l| l.parse().ok()).collect();
    let default: Option<fluent_langneg::LanguageIdentifier> = "en".parse().ok();
    let chosen = negotiate_languages(
        &requested,
        &available,
        default.as_ref(),
        NegotiationStrategy::Lookup,
    );
    chosen
        .first()
        .and_then(|id| LANGUAGES.iter().find(|l| **l == id.language.as_str()))
        .copied()
        .unwrap_or("en")
}

/// The language a request asks for: `?lang=`, then `Accept-Language`, then English (see
/// [`choose`]). An extractor; handlers that learn a better answer later (a form's `lang`
/// field, a staff member's setting) pass it to [`choose`] themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub &'static str);

impl Lang {
    /// The language of a request from its address and headers.
    pub fn of_parts(uri: &Uri, headers: &HeaderMap) -> Self {
        let explicit = uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| v.into_owned())
        });
        Self(choose(explicit.as_deref(), None, accept_language(headers)))
    }

    /// The browser's preferences alone (the JSON API, which takes no `?lang=`).
    pub fn of_headers(headers: &HeaderMap) -> Self {
        Self(choose(None, None, accept_language(headers)))
    }

    /// This language, unless `explicit` names another one we have.
    pub fn or_explicit(self, explicit: &str) -> &'static str {
        choose(Some(explicit), Some(self.0), None)
    }
}

/// The `Accept-Language` header, if readable.
pub fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of_parts(&parts.uri, &parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choice_beats_browser_preferences() {
        assert_eq!(choose(Some("nl"), None, Some("fr-FR,fr;q=0.9")), "nl");
        assert_eq!(
            choose(Some("xx"), None, Some("de-LU,de;q=0.9,en;q=0.5")),
            "de"
        );
        assert_eq!(choose(None, None, Some("fr-BE")), "fr");
        assert_eq!(choose(None, None, Some("pt-BR")), "en");
        assert_eq!(choose(None, None, None), "en");
        // A stored setting beats the browser, an explicit choice beats both.
        assert_eq!(choose(None, Some("de"), Some("fr")), "de");
        assert_eq!(choose(Some("nl"), Some("de"), Some("fr")), "nl");
        assert_eq!(choose(Some(""), Some("xx"), Some("fr")), "fr");
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let i18n = I18n::load().unwrap();
        let english = i18n.keys("en");
        assert!(english.len() > 100, "{}", english.len());
        for lang in LANGUAGES {
            for key in &english {
                assert!(i18n.has(lang, key), "{lang} lacks {key}");
            }
            for key in i18n.keys(lang) {
                assert!(i18n.has("en", &key), "{lang} has {key}, English does not");
            }
        }
    }
}
