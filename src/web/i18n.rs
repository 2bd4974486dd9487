//! Translations: one Fluent file per language under `locales/`, compiled in. Picks the
//! language from `?lang=`, then `Accept-Language`, then English, and falls back to English for
//! a key a translation lacks.

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

/// Chooses the page language: an explicit `?lang=` wins, then the browser's preferences.
pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> &'static str {
    if let Some(lang) =
        explicit.and_then(|l| LANGUAGES.iter().find(|x| x.eq_ignore_ascii_case(l.trim())))
    {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choice_beats_browser_preferences() {
        assert_eq!(negotiate(Some("nl"), Some("fr-FR,fr;q=0.9")), "nl");
        assert_eq!(negotiate(Some("xx"), Some("de-LU,de;q=0.9,en;q=0.5")), "de");
        assert_eq!(negotiate(None, Some("fr-BE")), "fr");
        assert_eq!(negotiate(None, Some("pt-BR")), "en");
        assert_eq!(negotiate(None, None), "en");
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
