//! Highlighting, after unsealing: the passage of a report's text around the first word that
//! matched, cut into plain and marked pieces (the template escapes and marks them).

use super::terms::{term, tokens};
use serde::Serialize;
use std::collections::HashSet;

/// Characters shown before the first match.
const BEFORE: usize = 60;
/// Characters in a passage.
const LENGTH: usize = 260;

/// A piece of a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

/// A passage of a text with the matching words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passage {
    pub pieces: Vec<Piece>,
    /// Text was cut before / after the passage.
    pub cut_before: bool,
    pub cut_after: bool,
}

/// The passage of `text` (written in `language`) around the first word whose term is one of
/// `wanted`, or `None` if no word matches.
pub fn passage(text: &str, language: &str, wanted: &HashSet<String>) -> Option<Passage> {
    let matches: Vec<(usize, usize)> = tokens(text)
        .filter(|t| term(t.word, language).is_some_and(|x| wanted.contains(&x)))
        .map(|t| (t.start, t.start + t.word.len()))
        .collect();
    let first = matches.first()?.0;
    let start = word_start(text, first.saturating_sub(BEFORE), first);
    let end = word_end(text, (start + LENGTH).min(text.len()));
    let mut pieces = Vec::new();
    let mut at = start;
    for &(s, e) in matches.iter().filter(|(s, e)| *s >= start && *e <= end) {
        if s > at {
            pieces.push(Piece {
                text: text[at..s].to_owned(),
                marked: false,
            });
        }
        pieces.push(Piece {
            text: text[s..e].to_owned(),
            marked: true,
        });
        at = e;
    }
    if end > at {
        pieces.push(Piece {
            text: text[at..end].to_owned(),
            marked: false,
        });
    }
    Some(Passage {
        pieces,
        cut_before: start > 0,
        cut_after: end < text.len(),
    })
}

/// The start of the word at or after byte `from` (never past `limit`), on a char boundary.
fn word_start(text: &str, from: usize, limit: usize) -> usize {
    if from == 0 {
        return 0;
    }
    let mut i = from;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    // After the first space, whatever its width (a no-break space takes two bytes).
    match text[i..limit]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
    {
        Some((at, space)) => i + at + space.len_utf8(),
        None => i,
    }
}

/// The end of the word at byte `to`, on a char boundary.
fn word_end(text: &str, to: usize) -> usize {
    let mut i = to;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    match text[i..].find(char::is_whitespace) {
        Some(space) if space < 30 => i + space,
        _ => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::terms::query_terms;

    fn wanted(words: &[&str]) -> HashSet<String> {
        words.iter().flat_map(|w| query_terms(w)).collect()
    }

    fn marked(p: &Passage) -> Vec<&str> {
        p.pieces
            .iter()
            .filter(|x| x.marked)
            .map(|x| x.text.as_str())
            .collect()
    }

    #[test]
    fn a_passage_may_start_after_a_space_of_two_bytes() {
        // Found by the search_query fuzz target: a no-break space where the passage starts.
        let text = format!("{}\u{a0}xy travail", "a".repeat(BEFORE - 4));
        let p = passage(&text, "fr", &wanted(&["travail"])).unwrap();
        assert_eq!(marked(&p), vec!["travail"]);
        assert_eq!(p.pieces[0].text, "xy ");
        assert!(p.cut_before);
    }

    #[test]
    fn inflected_forms_are_marked_as_written() {
        let text = "Les filles travaillent la nuit. Elle travaillait déjà l'été dernier.";
        let p = passage(text, "fr", &wanted(&["travailler"])).unwrap();
        assert_eq!(marked(&p), vec!["travaillent", "travaillait"]);
        let whole: String = p.pieces.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(whole, text);
        assert!(!p.cut_before && !p.cut_after);
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match() {
        let text = format!(
            "{} Er hat dort gearbeitet. {}",
            "Wort ".repeat(100),
            "Ende ".repeat(100)
        );
        let p = passage(&text, "de", &wanted(&["arbeiten"])).unwrap();
        assert_eq!(marked(&p), vec!["gearbeitet"]);
        assert!(p.cut_before && p.cut_after);
        let len: usize = p.pieces.iter().map(|x| x.text.len()).sum();
        assert!(len <= LENGTH + 40, "{len}");
    }

    #[test]
    fn no_match_no_passage_and_multibyte_text_is_safe() {
        assert!(passage("Rien à signaler.", "fr", &wanted(&["werken"])).is_none());
        let text = format!("{}ü werkt hier", "é".repeat(200));
        let p = passage(&text, "nl", &wanted(&["werken"])).unwrap();
        assert_eq!(marked(&p), vec!["werkt"]);
    }
}
