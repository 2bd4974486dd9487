//! Owns the ISO 3166 country list and its CLDR names.
//!
//! The list is every ISO 3166-1 alpha-2 code plus `XK` (Kosovo), with the
//! country names from Unicode CLDR in the languages the report form offers.
//! The data is generated, never typed by hand: `countries.tsv` beside this
//! file is written by `tools/gen_countries.py` (Python `babel`, which ships
//! CLDR) and embedded at compile time. It is parsed once, on first use.
//!
//! Nothing here panics on any input: unknown codes give `None` / `false`,
//! unknown languages fall back to English, and a malformed data line is
//! skipped rather than trusted.

use std::sync::LazyLock;

/// One entry of the country select: the ISO 3166-1 alpha-2 code and the
/// country's name in the requested language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
}

/// Languages the data covers: "en", "fr", "de", "nl".
///
/// The order is the column order of `countries.tsv` after the code; English
/// comes first and is the fallback.
const LANGS: [&str; 4] = ["en", "fr", "de", "nl"];

const TSV: &str = include_str!("countries.tsv");

struct Row {
    code: &'static str,
    names: [&'static str; LANGS.len()],
}

struct Data {
    /// Sorted by code, no duplicates.
    rows: Vec<Row>,
    /// One list per entry of `LANGS`, sorted by folded name.
    by_lang: [Vec<Country>; LANGS.len()],
}

static DATA: LazyLock<Data> = LazyLock::new(|| Data::parse(TSV));

impl Data {
    fn parse(tsv: &'static str) -> Data {
        let mut rows: Vec<Row> = tsv.lines().filter_map(parse_line).collect();
        // The generator writes the rows sorted and unique; don't rely on it.
        rows.sort_by(|a, b| a.code.cmp(b.code));
        rows.dedup_by(|a, b| a.code == b.code);

        let by_lang = std::array::from_fn(|lang| {
            let mut list: Vec<(String, Country)> = rows
                .iter()
                .map(|row| {
                    let name = row.names[lang];
                    (
                        sort_key(name),
                        Country {
                            code: row.code,
                            name,
                        },
                    )
                })
                .collect();
            list.sort_by(|(ka, a), (kb, b)| {
                ka.cmp(kb)
                    .then_with(|| a.name.cmp(b.name))
                    .then_with(|| a.code.cmp(b.code))
            });
            list.into_iter().map(|(_, country)| country).collect()
        });

        Data { rows, by_lang }
    }

    fn row(&self, code: &str) -> Option<&Row> {
        self.rows
            .binary_search_by(|row| row.code.cmp(code))
            .ok()
            .and_then(|i| self.rows.get(i))
    }
}

/// One data line `code<TAB>en<TAB>fr<TAB>de<TAB>nl`, or `None` for comments,
/// blank lines, the header and anything malformed.
fn parse_line(line: &'static str) -> Option<Row> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split('\t');
    let code = fields.next()?;
    if !is_alpha2(code) {
        // Includes the header line, whose first field is "code".
        return None;
    }
    let mut names = [""; LANGS.len()];
    for slot in &mut names {
        let name = fields.next()?.trim();
        if name.is_empty() {
            return None;
        }
        *slot = name;
    }
    if fields.next().is_some() {
        return None;
    }
    Some(Row { code, names })
}

fn is_alpha2(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Index into `LANGS` for a language tag; unknown languages give English.
///
/// Matches the primary subtag ASCII-case-insensitively, so "fr-BE" and
/// "NL" are French and Dutch.
fn lang_index(lang: &str) -> usize {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    LANGS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(primary))
        .unwrap_or(0)
}

/// Whether `code` is a known country code: exactly two uppercase ASCII
/// letters (`"LU"`, not `"lu"`) that the list contains.
pub fn is_country(code: &str) -> bool {
    is_alpha2(code) && DATA.row(code).is_some()
}

/// Every known code, in order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    DATA.rows.iter().map(|row| row.code)
}

/// The name of the country `code` (exact uppercase alpha-2) in `lang`, or
/// `None` for an unknown code. Unknown languages give the English name.
pub fn name(code: &str, lang: &str) -> Option<&'static str> {
    let names = &DATA.row(code)?.names;
    names.get(lang_index(lang)).copied()
}

/// All countries with their names in `lang`, sorted by name ignoring case
/// and accents ("Émirats arabes unis" sorts under E, "Österreich" under O).
/// Unknown languages give the English list.
pub fn countries(lang: &str) -> &'static [Country] {
    let lists: &'static [Vec<Country>; LANGS.len()] = &DATA.by_lang;
    lists.get(lang_index(lang)).map_or(&[], Vec::as_slice)
}

/// Sort key for a name: lowercased, accents folded to their base letters
/// and combining marks dropped. Ligatures and ß expand ("æ" -> "ae").
fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match fold(c) {
            Fold::Keep => key.push(c),
            Fold::Drop => {}
            Fold::Into(s) => key.push_str(s),
        }
    }
    key
}

enum Fold {
    Keep,
    Drop,
    Into(&'static str),
}

/// Accent folding for lowercase Latin letters (Latin-1 Supplement and
/// Latin Extended-A, plus the Romanian comma-below letters).
fn fold(c: char) -> Fold {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' | 'ĸ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' | 'ŋ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ſ' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        // Typographic apostrophe as in "Côte d’Ivoire".
        '’' => "'",
        // Combining diacritical marks (decomposed input).
        '\u{0300}'..='\u{036F}' => return Fold::Drop,
        _ => return Fold::Keep,
    };
    Fold::Into(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    /// Case- and accent-insensitive comparison of two names, as used for
    /// the sorted lists.
    fn cmp_names(a: &str, b: &str) -> Ordering {
        sort_key(a).cmp(&sort_key(b))
    }

    fn position(lang: &str, code: &str) -> usize {
        countries(lang)
            .iter()
            .position(|c| c.code == code)
            .unwrap_or_else(|| panic!("{code} missing from {lang} list"))
    }

    #[test]
    fn count_is_plausible() {
        let n = DATA.rows.len();
        assert!((245..=250).contains(&n), "{n} countries");
        for lang in LANGS {
            assert_eq!(countries(lang).len(), n, "{lang}");
        }
    }

    #[test]
    fn every_line_of_the_data_parses() {
        // Only comments and the header may be skipped in the shipped file.
        let data_lines = TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(DATA.rows.len() + 1, data_lines);
    }

    #[test]
    fn names_in_each_language() {
        let expected = [
            ("LU", ["Luxembourg", "Luxembourg", "Luxemburg", "Luxemburg"]),
            ("BE", ["Belgium", "Belgique", "Belgien", "België"]),
            ("DE", ["Germany", "Allemagne", "Deutschland", "Duitsland"]),
            (
                "NL",
                ["Netherlands", "Pays-Bas", "Niederlande", "Nederland"],
            ),
            ("FR", ["France", "France", "Frankreich", "Frankrijk"]),
        ];
        for (code, names) in expected {
            for (lang, want) in LANGS.iter().zip(names) {
                assert_eq!(name(code, lang), Some(want), "{code} in {lang}");
            }
        }
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        assert_eq!(name("BE", "xx"), Some("Belgium"));
        assert_eq!(name("BE", ""), Some("Belgium"));
        assert_eq!(countries("zz-ZZ"), countries("en"));
        // Region subtags and case don't hide a covered language.
        assert_eq!(name("BE", "nl-BE"), Some("België"));
        assert_eq!(name("BE", "FR"), Some("Belgique"));
        assert_eq!(countries("de_AT"), countries("de"));
    }

    #[test]
    fn codes_are_exact_uppercase_alpha2() {
        assert!(is_country("LU"));
        assert!(!is_country("lu"));
        assert!(!is_country("Lu"));
        assert!(!is_country("LUX"));
        assert!(!is_country("L"));
        assert!(!is_country(""));
        assert!(!is_country("code"));
        assert!(is_country("XK"), "Kosovo is kept on purpose");
    }

    #[test]
    fn non_countries_are_excluded() {
        for code in [
            "EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "AC", "CP", "DG", "EA", "IC", "TA", "AA",
            "UK",
        ] {
            assert!(!is_country(code), "{code}");
            assert_eq!(name(code, "en"), None, "{code}");
        }
        assert!(!is_country("001"));
        assert!(!is_country("150"));
    }

    #[test]
    fn unknown_code_is_none() {
        assert_eq!(name("QQ", "en"), None);
        assert_eq!(name("lu", "fr"), None);
        assert_eq!(name("", "de"), None);
        assert_eq!(name("Ö", "de"), None);
        assert_eq!(name("LUX", "nl"), None);
        assert_eq!(name("\u{0}\u{0}", "nl"), None);
    }

    #[test]
    fn lists_are_sorted_by_folded_name() {
        for lang in LANGS {
            let list = countries(lang);
            for pair in list.windows(2) {
                assert_ne!(
                    cmp_names(pair[0].name, pair[1].name),
                    Ordering::Greater,
                    "{lang}: {} before {}",
                    pair[0].name,
                    pair[1].name
                );
            }
            for country in list {
                assert_eq!(name(country.code, lang), Some(country.name));
            }
        }
    }

    #[test]
    fn oesterreich_sorts_with_the_os_in_german() {
        let at = position("de", "AT");
        assert_eq!(countries("de")[at].name, "Österreich");
        // Oman < Österreich < Pakistan, not after Z.
        assert!(position("de", "OM") < at);
        assert!(at < position("de", "PK"));
        assert!(at + 1 < countries("de").len());
    }

    #[test]
    fn accented_initials_sort_under_their_base_letter() {
        // "Émirats arabes unis" among the Es in French.
        let ae = position("fr", "AE");
        assert!(position("fr", "EG") < ae, "after Égypte");
        assert!(ae < position("fr", "ES"), "before Espagne");
        // Åland: among the As, right after Afghanistan in English.
        assert!(position("en", "AF") < position("en", "AX"));
        assert!(position("en", "AX") < position("en", "AL"));
        assert!(position("de", "AX") < position("de", "AL"), "Ålandinseln");
        assert_eq!(countries("en")[0].code, "AF");
    }

    #[test]
    fn sort_key_folds_case_and_accents() {
        assert_eq!(sort_key("Österreich"), "osterreich");
        assert_eq!(sort_key("Émirats arabes unis"), "emirats arabes unis");
        assert_eq!(sort_key("Îles Åland"), "iles aland");
        assert_eq!(sort_key("Côte d’Ivoire"), "cote d'ivoire");
        assert_eq!(sort_key("O\u{0308}sterreich"), "osterreich");
        assert_eq!(sort_key("Straße"), "strasse");
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let data = Data::parse(concat!(
            "# comment\n",
            "code\ten\tfr\tde\tnl\n",
            "LU\tLuxembourg\tLuxembourg\tLuxemburg\tLuxemburg\r\n",
            "lu\tx\tx\tx\tx\n",
            "BE\tBelgium\tBelgique\tBelgien\n",
            "DE\tGermany\tAllemagne\tDeutschland\tDuitsland\textra\n",
            "NL\tNetherlands\t\tNiederlande\tNederland\n",
            "\n",
            "LU\tDuplicate\tx\tx\tx\n",
            "FRA\tFrance\tFrance\tFrankreich\tFrankrijk\n",
            "\t\t\t\t\n",
        ));
        assert_eq!(data.rows.len(), 1);
        let lu = data.row("LU").map(|r| r.names);
        assert_eq!(
            lu,
            Some(["Luxembourg", "Luxembourg", "Luxemburg", "Luxemburg"])
        );
        assert!(data.by_lang.iter().all(|l| l.len() == 1));

        let empty = Data::parse("");
        assert!(empty.rows.is_empty() && empty.row("LU").is_none());
    }
}
