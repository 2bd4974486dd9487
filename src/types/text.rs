//! Text folding shared by search terms and venue names: lower case, accents removed, a few
//! letters spelled out, so that spellings of one word compare equal.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower case, accents removed, a few letters spelled out (`ß` → `ss`).
pub fn fold(word: &str) -> String {
    // Most words of the four languages are plain ASCII, where folding is lower-casing.
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    fold_any(word)
}

/// [`fold`] for any text.
fn fold_any(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.to_lowercase().nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn ascii_words_fold_as_any_text_does(word in "[ -~]{0,40}") {
            proptest::prop_assert_eq!(fold(&word), fold_any(&word));
        }
    }

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Élève"), "eleve");
    }
}
