//! The narratives' words: sentence templates per language and category (`texts.toml`), verbs
//! with their inflected forms, and the sentences that mention identifiers.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLanguage {
    pub(super) lists: HashMap<String, Vec<String>>,
    pub(super) verbs: HashMap<String, Vec<HashMap<String, String>>>,
    pub(super) sentences: RawSentences,
    pub(super) category: HashMap<String, Vec<String>>,
    pub(super) mention: RawMentions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSentences {
    pub(super) intro: Vec<String>,
    pub(super) general: Vec<String>,
    pub(super) closing: Vec<String>,
    pub(super) victims: Vec<String>,
    pub(super) exploiters: Vec<String>,
    pub(super) where_found: Vec<String>,
    pub(super) abuse_comment: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMentions {
    pub(super) phone: Vec<String>,
    pub(super) email: Vec<String>,
    pub(super) url: Vec<String>,
    pub(super) handle: Vec<String>,
    pub(super) iban: Vec<String>,
    pub(super) plate: Vec<String>,
}

/// Verb forms a template may ask for.
pub(super) const FORMS: [&str; 7] = ["inf", "s", "p", "past_s", "past_p", "part", "ger"];

/// What the generator fills in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    City,
    Place,
    N,
    Money,
    Age,
    Teen,
    /// The identifier a mention sentence is about.
    Mention,
}

#[derive(Debug, Clone)]
pub(super) enum Piece {
    Text(String),
    List(usize),
    Verb { group: usize, form: usize },
    Special(Special),
}

#[derive(Debug, Clone)]
pub(super) struct Template {
    pub(super) pieces: Vec<Piece>,
}

/// A group of verbs, each with its forms (by [`FORMS`] index).
#[derive(Debug, Clone)]
pub(super) struct VerbGroup {
    pub(super) verbs: Zipf<Vec<Option<String>>>,
}

/// What a mention sentence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mention {
    Phone = 0,
    Email = 1,
    Url = 2,
    Handle = 3,
    Iban = 4,
    Plate = 5,
}

/// One language's templates and words.
#[derive(Debug)]
pub(super) struct Lang {
    pub(super) code: &'static str,
    pub(super) lists: Vec<Zipf<String>>,
    pub(super) verbs: Vec<VerbGroup>,
    pub(super) kind: usize,
    pub(super) intro: Vec<Template>,
    pub(super) general: Vec<Template>,
    pub(super) closing: Vec<Template>,
    pub(super) victims: Vec<Template>,
    pub(super) exploiters: Vec<Template>,
    pub(super) where_found: Vec<Template>,
    pub(super) abuse_comment: Vec<Template>,
    /// By category id.
    pub(super) category: HashMap<&'static str, Vec<Template>>,
    /// By [`Mention`].
    pub(super) mention: [Vec<Template>; 6],
}

/// Values filled into a template.
pub(super) struct Fill<'a> {
    pub(super) city: &'a str,
    pub(super) place: &'a str,
    pub(super) mention: &'a str,
}

impl Lang {
    pub(super) fn load(code: &'static str, raw: RawLanguage) -> Result<Self, String> {
        let mut list_ids = HashMap::new();
        let mut lists = Vec::new();
        for (name, words) in raw.lists {
            list_ids.insert(name.clone(), lists.len());
            lists.push(Zipf::new(words, &format!("{code}.lists.{name}"))?);
        }
        let mut verb_ids = HashMap::new();
        let mut verbs = Vec::new();
        for (name, group) in raw.verbs {
            let mut table = Vec::new();
            for forms in group {
                if let Some(unknown) = forms.keys().find(|k| !FORMS.contains(&k.as_str())) {
                    return Err(format!("{code}.verbs.{name}: unknown form {unknown}"));
                }
                table.push(FORMS.iter().map(|f| forms.get(*f).cloned()).collect());
            }
            verb_ids.insert(name.clone(), verbs.len());
            verbs.push(VerbGroup {
                verbs: Zipf::new(table, &format!("{code}.verbs.{name}"))?,
            });
        }
        let kind = *list_ids
            .get("KIND")
            .ok_or_else(|| format!("{code}.lists.KIND is missing"))?;
        let parse_all = |what: &str, texts: Vec<String>| -> Result<Vec<Template>, String> {
            if texts.is_empty() {
                return Err(format!("{code}: {what} is empty"));
            }
            texts
                .iter()
                .map(|t| parse_template(t, &list_ids, &verb_ids, &verbs))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{code}: {what}: {e}"))
        };
        let mut category = HashMap::new();
        for (id, texts) in raw.category {
            let c = categories::by_id(&id)
                .ok_or_else(|| format!("{code}.category: unknown category {id}"))?;
            category.insert(c.id, parse_all(&format!("category.{id}"), texts)?);
        }
        if let Some(missing) = CATEGORIES.iter().find(|c| !category.contains_key(c.id)) {
            return Err(format!("{code}.category.{} is missing", missing.id));
        }
        let m = raw.mention;
        let mention = [
            parse_all("mention.phone", m.phone)?,
            parse_all("mention.email", m.email)?,
            parse_all("mention.url", m.url)?,
            parse_all("mention.handle", m.handle)?,
            parse_all("mention.iban", m.iban)?,
            parse_all("mention.plate", m.plate)?,
        ];
        for list in &mention {
            for t in list {
                let mentions = t
                    .pieces
                    .iter()
                    .filter(|p| matches!(p, Piece::Special(Special::Mention)))
                    .count();
                if mentions != 1 {
                    return Err(format!(
                        "{code}: a mention template names {mentions} identifiers"
                    ));
                }
            }
        }
        let s = raw.sentences;
        Ok(Self {
            code,
            kind,
            intro: parse_all("intro", s.intro)?,
            general: parse_all("general", s.general)?,
            closing: parse_all("closing", s.closing)?,
            victims: parse_all("victims", s.victims)?,
            exploiters: parse_all("exploiters", s.exploiters)?,
            where_found: parse_all("where_found", s.where_found)?,
            abuse_comment: parse_all("abuse_comment", s.abuse_comment)?,
            category,
            mention,
            lists,
            verbs,
        })
    }

    /// One sentence from a template, its first letter upper-case.
    pub(super) fn render(&self, t: &Template, rng: &mut impl Rng, fill: &Fill<'_>) -> String {
        let mut out = String::new();
        for piece in &t.pieces {
            match piece {
                Piece::Text(s) => out.push_str(s),
                Piece::List(i) => {
                    if let Some(list) = self.lists.get(*i) {
                        out.push_str(list.pick(rng));
                    }
                }
                Piece::Verb { group, form } => {
                    if let Some(g) = self.verbs.get(*group) {
                        let verb = g.verbs.pick(rng);
                        out.push_str(verb.get(*form).and_then(|f| f.as_deref()).unwrap_or(""));
                    }
                }
                Piece::Special(s) => match s {
                    Special::City => out.push_str(fill.city),
                    Special::Place => out.push_str(fill.place),
                    Special::Mention => out.push_str(fill.mention),
                    Special::N => out.push_str(&rng.random_range(2..=12u32).to_string()),
                    Special::Money => out.push_str(&(rng.random_range(4..=60u32) * 50).to_string()),
                    Special::Age => out.push_str(&rng.random_range(18..=55u32).to_string()),
                    Special::Teen => out.push_str(&rng.random_range(13..=17u32).to_string()),
                },
            }
        }
        capitalise(&out)
    }

    /// "a restaurant", "un salon de massage"…: a place when the report names no venue.
    pub(super) fn kind_of_place(&self, rng: &mut impl Rng) -> String {
        self.lists
            .get(self.kind)
            .map(|l| l.pick(rng).clone())
            .unwrap_or_default()
    }
}

pub(super) fn parse_template(
    text: &str,
    lists: &HashMap<String, usize>,
    verb_ids: &HashMap<String, usize>,
    verbs: &[VerbGroup],
) -> Result<Template, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed {{ in {text:?}"))?;
        let name = &after[..close];
        let piece = match name {
            "city" => Piece::Special(Special::City),
            "place" => Piece::Special(Special::Place),
            "n" => Piece::Special(Special::N),
            "money" => Piece::Special(Special::Money),
            "age" => Piece::Special(Special::Age),
            "teen" => Piece::Special(Special::Teen),
            "phone" | "email" | "url" | "handle" | "iban" | "plate" => {
                Piece::Special(Special::Mention)
            }
            _ => match name.split_once('.') {
                Some((group, form)) => {
                    let g = *verb_ids
                        .get(group)
                        .ok_or_else(|| format!("unknown verb group {group} in {text:?}"))?;
                    let f = FORMS
                        .iter()
                        .position(|x| *x == form)
                        .ok_or_else(|| format!("unknown form {form} in {text:?}"))?;
                    let complete = verbs.get(g).is_some_and(|v| {
                        v.verbs
                            .items
                            .iter()
                            .all(|forms| forms.get(f).is_some_and(Option::is_some))
                    });
                    if !complete {
                        return Err(format!(
                            "a verb of {group} lacks the form {form} ({text:?})"
                        ));
                    }
                    Piece::Verb { group: g, form: f }
                }
                None => Piece::List(
                    *lists
                        .get(name)
                        .ok_or_else(|| format!("unknown list {name} in {text:?}"))?,
                ),
            },
        };
        pieces.push(piece);
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Ok(Template { pieces })
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

pub(super) fn strip_accents(s: &str) -> String {
    s.nfd().filter(|c| !is_combining_mark(*c)).collect()
}
