//! The languages tipline speaks: every page, e-mail and search pipeline exists in each.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A language tipline speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Fr,
    De,
    Nl,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::De, Lang::Nl];

    /// The language of a page when nothing says otherwise.
    pub const DEFAULT: Lang = Lang::En;

    /// The BCP 47 tag, as stored and as in `?lang=`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::De => "de",
            Self::Nl => "nl",
        }
    }

    /// The language of a tag, ignoring case and surrounding spaces.
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(tag))
    }

    /// The language of a tag, or [`Lang::DEFAULT`] when tipline does not speak it.
    pub fn or_default(tag: &str) -> Self {
        Self::parse(tag).unwrap_or(Self::DEFAULT)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tags of the languages tipline speaks, in the order they are offered.
pub const LANGUAGES: &[&str] = &[
    Lang::En.as_str(),
    Lang::Fr.as_str(),
    Lang::De.as_str(),
    Lang::Nl.as_str(),
];

/// Normalises a language tag to one tipline speaks (English when unknown).
pub fn language_or_default(tag: &str) -> &'static str {
    Lang::or_default(tag).as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_and_the_type_name_the_same_languages() {
        let from_type: Vec<&str> = Lang::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(from_type, LANGUAGES);
        assert_eq!(language_or_default(" FR "), "fr");
        assert_eq!(language_or_default("pt"), "en");
        assert_eq!(Lang::parse("nl"), Some(Lang::Nl));
    }
}
