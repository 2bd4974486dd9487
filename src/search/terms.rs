//! Words to search terms: tokenising, stop words, stemming per language, and accent folding.
//!
//! Snowball stemmers leave many verb forms apart (German `arbeitet`/`gearbeitet`, Dutch
//! `werkt`/`gewerkt`, French `travaillent`), so each language's stem goes through a light
//! conflation step afterwards: participle prefixes, person endings and Dutch doubled vowels.
//! Reports are indexed with their own language's pipeline; a query word is turned into the
//! terms of every language, so an analyst finds reports whatever language they typed in.

use crate::types::LANGUAGES;
use crate::types::text::fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;
use std::sync::LazyLock;
use unicode_segmentation::UnicodeSegmentation;

/// Longest token kept (longer ones are noise: base64, hashes, URLs without spaces).
const MAX_TOKEN_CHARS: usize = 40;

/// One language's way from a word to a term.
struct Pipeline {
    stemmer: Stemmer,
    stop: HashSet<String>,
    language: &'static str,
}

static PIPELINES: LazyLock<Vec<Pipeline>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|&language| {
            let algorithm = match language {
                "fr" => Algorithm::French,
                "de" => Algorithm::German,
                "nl" => Algorithm::Dutch,
                _ => Algorithm::English,
            };
            Pipeline {
                stemmer: Stemmer::create(algorithm),
                stop: stop_words::lookup(language)
                    .unwrap_or_default()
                    .iter()
                    .map(|w| fold(w))
                    .collect(),
                language,
            }
        })
        .collect()
});

fn pipeline(language: &str) -> Option<&'static Pipeline> {
    PIPELINES.iter().find(|p| p.language == language)
}

/// A word as it appears in a text, with its byte range (for highlighting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub word: &'a str,
    pub start: usize,
}

/// The words of `text`, split also at apostrophes (French elisions: `l'hôtel`, `qu'elle`).
pub fn tokens(text: &str) -> impl Iterator<Item = Token<'_>> {
    text.unicode_word_indices().flat_map(|(start, word)| {
        let mut pieces: Vec<Token<'_>> = Vec::new();
        let mut offset = 0;
        let mut rest = word;
        while let Some(apostrophe) = rest.find(['\'', '’']) {
            let piece = &rest[..apostrophe];
            // An elided article or pronoun (l', d', qu', j') is not a word of its own.
            if piece.chars().count() > 2 {
                pieces.push(Token {
                    word: piece,
                    start: start + offset,
                });
            }
            let skip = apostrophe + rest[apostrophe..].chars().next().map_or(1, char::len_utf8);
            offset += skip;
            rest = &rest[skip..];
        }
        pieces.push(Token {
            word: rest,
            start: start + offset,
        });
        pieces.into_iter().filter(|t| {
            let n = t.word.chars().count();
            (2..=MAX_TOKEN_CHARS).contains(&n)
        })
    })
}

/// The term of one word in `language`, or `None` for a stop word.
pub fn term(word: &str, language: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let folded = fold(&lower);
    let Some(p) = pipeline(language) else {
        return Some(folded);
    };
    if p.stop.contains(&folded) {
        return None;
    }
    if lower.chars().any(|c| c.is_ascii_digit()) {
        return Some(folded);
    }
    let stem = fold(&p.stemmer.stem(&lower));
    let conflated = conflate(&stem, language);
    // A conflated form that lands on a stop word (German `gesicht` → `sich`) would match
    // every report: keep the plain stem then.
    Some(if p.stop.contains(&conflated) {
        stem
    } else {
        conflated
    })
}

/// The terms of a text in its language, in order, stop words left out.
pub fn terms_of(text: &str, language: &str) -> Vec<String> {
    tokens(text)
        .filter_map(|t| term(t.word, language))
        .collect()
}

/// The terms a query word may stand for: its term in each language, without repeats; none
/// when it is a stop word in any of them (`the`, `die`, `les`, `het` would match nearly every
/// report of that language).
pub fn query_terms(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for language in LANGUAGES {
        match term(word, language) {
            None => return Vec::new(),
            Some(t) if !out.contains(&t) => out.push(t),
            Some(_) => {}
        }
    }
    out
}

/// Merges verb forms the Snowball stemmers leave apart. Applied to folded stems.
fn conflate(stem: &str, language: &str) -> String {
    let mut s = stem.to_owned();
    match language {
        "fr" => {
            // ils travaillent → travaill (as travaille, travaillait, travaillé).
            if s.len() >= 8 && s.ends_with("ent") {
                s.truncate(s.len() - 3);
            }
            // Typed without accents the stemmer sees another ending: forcee → force, as
            // forcée → forc; payé → pai, as paye → pay.
            if s.len() >= 4 && s.ends_with('e') {
                s.truncate(s.len() - 1);
            }
            if s.ends_with('y') {
                s.truncate(s.len() - 1);
                s.push('i');
            }
        }
        "de" => {
            // gearbeitet → arbeitet; gezwungen → zwung.
            if s.len() >= 7 && s.starts_with("ge") {
                s.drain(..2);
            }
            // arbeitet → arbeit → arbei, as arbeiten → arbeit → arbei.
            while s.len() >= 5 && s.ends_with('t') {
                if s.ends_with("et") && s.len() >= 6 {
                    s.truncate(s.len() - 2);
                } else {
                    s.truncate(s.len() - 1);
                }
            }
        }
        "nl" => {
            // gewerkt → werkt; gezien → zien.
            if s.len() >= 6 && s.starts_with("ge") {
                s.drain(..2);
            }
            // werkt, werkte → werk; betaald → betaal.
            if s.len() >= 5 && (s.ends_with('t') || s.ends_with('d')) {
                s.truncate(s.len() - 1);
            }
            // betaal → betal, woon → won (as betalen → betal, wonen → won).
            s = undouble_vowels(&s);
        }
        _ => {}
    }
    s
}

fn undouble_vowels(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous = None;
    for c in s.chars() {
        if previous == Some(c) && matches!(c, 'a' | 'e' | 'o' | 'u') {
            continue;
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_term(language: &str, words: &[&str]) {
        let terms: Vec<Option<String>> = words.iter().map(|w| term(w, language)).collect();
        assert!(terms[0].is_some(), "{words:?}");
        assert!(
            terms.iter().all(|t| t == &terms[0]),
            "{words:?} → {terms:?}"
        );
    }

    #[test]
    fn inflected_verb_forms_share_one_term_in_each_language() {
        same_term(
            "fr",
            &[
                "travaille",
                "travaillent",
                "travaillait",
                "travaillé",
                "travailler",
                "travaillaient",
            ],
        );
        same_term(
            "de",
            &[
                "arbeiten",
                "arbeitet",
                "gearbeitet",
                "arbeitete",
                "arbeiteten",
                "Arbeit",
            ],
        );
        same_term("nl", &["werken", "werkt", "gewerkt", "werkte", "werkten"]);
        same_term("nl", &["betalen", "betaalt", "betaald"]);
        same_term("nl", &["wonen", "woont", "gewoond"]);
        same_term("en", &["work", "works", "worked", "working"]);
        same_term("de", &["zwingen", "zwingt"]);
        same_term("de", &["wohnen", "wohnt", "gewohnt"]);
    }

    #[test]
    fn plurals_and_accents_fold_together() {
        same_term("fr", &["enfant", "enfants", "Enfants"]);
        same_term("fr", &["forcée", "forcées", "forcé", "FORCEE", "forcees"]);
        same_term("fr", &["travaillée", "travaillee", "travaillé"]);
        same_term("fr", &["payé", "payée", "payee", "paye"]);
        same_term("de", &["Kind", "Kinder", "Kindern"]);
        same_term("de", &["Mädchen", "madchen"]);
        same_term("nl", &["paspoort", "paspoorten"]);
        same_term("en", &["passport", "passports"]);
    }

    #[test]
    fn different_words_stay_apart() {
        assert_ne!(term("travail", "fr"), term("passeport", "fr"));
        assert_ne!(term("arbeiten", "de"), term("wohnen", "de"));
        assert_ne!(term("werken", "nl"), term("wonen", "nl"));
        assert_ne!(term("work", "en"), term("worry", "en"));
    }

    #[test]
    fn stop_words_are_left_out_and_never_produced_by_conflation() {
        assert_eq!(term("the", "en"), None);
        assert_eq!(term("und", "de"), None);
        assert_eq!(term("les", "fr"), None);
        assert_eq!(term("het", "nl"), None);
        let gesicht = term("Gesicht", "de").unwrap();
        assert_ne!(gesicht, "sich");
    }

    #[test]
    fn french_elisions_split_at_the_apostrophe() {
        let words: Vec<&str> = tokens("l'hôtel d’enfants qu'elle")
            .map(|t| t.word)
            .collect();
        assert_eq!(words, vec!["hôtel", "enfants", "elle"]);
        let text = "l'hôtel d’enfants";
        for t in tokens(text) {
            assert_eq!(&text[t.start..t.start + t.word.len()], t.word);
        }
    }

    #[test]
    fn query_words_stand_for_their_term_in_every_language() {
        let variants = query_terms("travaillent");
        assert!(variants.contains(&term("travaille", "fr").unwrap()));
        let variants = query_terms("gewerkt");
        assert!(variants.contains(&term("werken", "nl").unwrap()));
        assert!(query_terms("the").len() < 4);
    }

    #[test]
    fn numbers_and_unknown_languages_are_folded_not_stemmed() {
        assert_eq!(term("A12", "de").as_deref(), Some("a12"));
        assert_eq!(term("Çalışıyor", "tr").as_deref(), Some("calisiyor"));
    }
}
