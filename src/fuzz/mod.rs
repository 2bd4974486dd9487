//! Fuzz targets: every parser a stranger reaches, each as a function from bytes that panics
//! when the parser breaks a promise (or panics itself). One definition serves two harnesses:
//! `tests/it/fuzz.rs` runs each for a short budget inside `cargo test` (proptest: mutated seed
//! files, random bytes and hostile text), and `fuzz/` runs each for hours under libFuzzer
//! (`cargo fuzz`). Seeds and every input that once broke a target live in
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`; both harnesses replay them.
//!
//! Uses the rooms whose parsers it calls (intake, link, search, seal, web); nothing uses it.
//! Built with the `fuzz-targets` feature only.
#![allow(
    clippy::panic,
    reason = "a fuzz target reports a broken promise by panicking, as a test does"
)]

use crate::intake::attachments::{self, MAX_ATTACHMENT_BYTES};
use crate::intake::cleaning::CleanerSettings;
use crate::intake::countries;
use crate::intake::report::{
    self, Channel, FieldError, MAX_DESCRIPTION, MAX_IDENTIFIERS, MAX_NARRATIVE, MAX_SHORT, MAX_URL,
    ReportInput, ValidReport,
};
use crate::link::identifiers::{self, Sources};
use crate::seal::receipt::{LOOKUP_CHARS, ReceiptCode, SECRET_CHARS};
use crate::search::highlight;
use crate::search::query::{self, MAX_WORDS};
use crate::types::xml;
use crate::web::api;
use crate::web::form;
use crate::web::i18n::{I18n, LANGUAGES};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{Request, header};
use std::collections::HashSet;
use std::sync::OnceLock;

/// A fuzz target: its name (the folder of its corpus) and the function that checks one input.
pub struct Target {
    pub name: &'static str,
    pub check: fn(&[u8]),
}

/// Every target, in the order the harnesses run them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "report_form",
        check: report_form,
    },
    Target {
        name: "report_json",
        check: report_json,
    },
    Target {
        name: "receipt",
        check: receipt,
    },
    Target {
        name: "identifiers",
        check: identifiers,
    },
    Target {
        name: "attachment",
        check: attachment,
    },
    Target {
        name: "search_query",
        check: search_query,
    },
    Target {
        name: "markup_escape",
        check: markup_escape,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The boundary the `report_form` target's inputs use (the seeds are written with it).
pub const FORM_BOUNDARY: &str = "tipline-fuzz-boundary";

/// The date validation takes as today: fixed, so that a failing input fails again.
const TODAY: time::Date = time::macros::date!(2026 - 06 - 15);

fn i18n() -> &'static I18n {
    static I18N: OnceLock<I18n> = OnceLock::new();
    I18N.get_or_init(|| match I18n::load() {
        Ok(i18n) => i18n,
        Err(e) => panic!("the translations do not load: {e}"),
    })
}

thread_local! {
    /// The runtime the form is read on, one per fuzzing thread (building one per input would
    /// dominate the time an input takes).
    static RUNTIME: tokio::runtime::Runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => panic!("no runtime: {e}"),
    };
}

/// The public report form: a multipart body as a browser (or anyone) sends it, read as the
/// server reads it, then validated. Reading never panics and keeps its bounds; every refusal
/// names a field of the form and has a message in every language.
pub fn report_form(data: &[u8]) {
    let request = Request::builder()
        .method("POST")
        .uri("/report")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={FORM_BOUNDARY}"),
        )
        .body(Body::from(data.to_vec()));
    let Ok(request) = request else {
        return;
    };
    let read = RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let multipart = Multipart::from_request(request, &()).await.ok()?;
            Some(form::read(multipart).await)
        })
    });
    let Some(Ok(submitted)) = read else {
        return;
    };
    for file in &submitted.files {
        assert!(
            !file.bytes.is_empty() && file.bytes.len() <= MAX_ATTACHMENT_BYTES,
            "a file of {} bytes was kept",
            file.bytes.len()
        );
    }
    check_validation(&submitted.input, Channel::Form);
}

/// The API's JSON report, decoded as `POST /api/v1/reports` decodes it, then validated. A
/// refusal points into the document with a JSON pointer.
pub fn report_json(data: &[u8]) {
    match api::decode_report(data) {
        Ok(report) => check_validation(&ReportInput::from(report), Channel::Api),
        Err(malformed) => assert!(
            malformed.pointer.is_empty() || malformed.pointer.starts_with('/'),
            "not a JSON pointer: {:?}",
            malformed.pointer
        ),
    }
}

/// A receipt code as a person types it: accepted codes have both parts at their length, and
/// the code shown back reads as the same code.
pub fn receipt(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(code) = ReceiptCode::parse(&text) else {
        return;
    };
    assert_eq!(code.lookup().chars().count(), LOOKUP_CHARS);
    let shown = code.display();
    assert!(
        shown.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()),
        "shown with other characters: {:?}",
        shown.as_str()
    );
    let again = ReceiptCode::parse(&shown);
    let Some(again) = again else {
        panic!("the code shown does not read back: {:?}", shown.as_str());
    };
    assert_eq!(again.lookup(), code.lookup());
    assert_eq!(again.display().as_str(), shown.as_str());
    assert_eq!(
        shown.chars().filter(|c| *c != '-').count(),
        LOOKUP_CHARS + SECRET_CHARS
    );
}

/// Identifiers in a report's fields and free text: the lines of the input go to the phone,
/// e-mail, website, handle and plate fields in turn, the whole text is the narrative, and its
/// first two letters the country. Extraction is deterministic, finds no empty or repeated
/// identifier, and finds the same identifiers in what it found.
pub fn identifiers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut fields: [Vec<String>; 5] = Default::default();
    for (i, line) in text.lines().enumerate() {
        fields[i % 5].push(line.to_owned());
    }
    let country: String = text
        .chars()
        .take(2)
        .collect::<String>()
        .to_ascii_uppercase();
    let country = countries::is_country(&country).then_some(country.as_str());
    let free = [text.as_ref()];
    let sources = Sources {
        phones: &fields[0],
        emails: &fields[1],
        websites: &fields[2],
        handles: &fields[3],
        plates: &fields[4],
        venue: fields[0].first().map_or("", String::as_str),
        city: fields[1].first().map_or("", String::as_str),
        free_texts: &free,
        country,
    };
    let found = identifiers::extract(&sources);
    assert_eq!(found, identifiers::extract(&sources), "not deterministic");
    let mut seen = HashSet::new();
    for id in &found {
        assert!(!id.value.is_empty(), "an empty {:?}", id.kind);
        assert!(
            seen.insert((id.kind, id.value.clone())),
            "{:?} {:?} found twice",
            id.kind,
            id.value
        );
    }
}

/// Attachments (JPEG, PNG, PDF), sniffed and cleaned as the cleaning process does, within the
/// memory it would be given. Cleaning never panics; what it returns is of the kind it says,
/// holds none of what cleaning removes, and cleans again.
pub fn attachment(data: &[u8]) {
    // The cleaner's memory budget (a file that needs more is refused before decoding).
    let budget = u64::from(CleanerSettings::default().memory_mib) * 1024 * 1024;
    match attachments::estimated_memory(data) {
        Ok(bytes) if bytes <= budget => {}
        _ => return,
    }
    let Ok(clean) = attachments::sanitize(data) else {
        return;
    };
    if let Some(what) = attachments::left_behind(&clean) {
        panic!("a cleaned {} still holds {what}", clean.kind.as_str());
    }
    match attachments::sanitize(&clean.bytes) {
        Ok(again) => assert_eq!(again.kind, clean.kind, "cleaned into another kind"),
        Err(e) => panic!(
            "a cleaned {} does not clean again: {e}",
            clean.kind.as_str()
        ),
    }
}

/// What an analyst types in the search box, and the passage shown around what it matched:
/// at most [`MAX_WORDS`] words, each from the query and standing for some term, no term twice;
/// the passage is a piece of the text with only matching words marked.
pub fn search_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let words = query::words(&text);
    assert!(words.len() <= MAX_WORDS, "{} words", words.len());
    let mut terms = HashSet::new();
    for word in &words {
        assert!(
            text.contains(word.text.as_str()),
            "{:?} is not in the query",
            word.text
        );
        assert!(!word.terms.is_empty(), "{:?} stands for nothing", word.text);
        for term in &word.terms {
            assert!(terms.insert(term.clone()), "{term:?} in two words");
        }
    }
    let language = LANGUAGES[data.first().map_or(0, |b| usize::from(*b)) % LANGUAGES.len()];
    if let Some(passage) = highlight::passage(&text, language, &terms) {
        let shown: String = passage.pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(
            text.contains(shown.as_str()),
            "the passage is not a piece of the text"
        );
        for piece in passage.pieces.iter().filter(|p| p.marked) {
            assert!(!piece.text.is_empty(), "an empty marked piece");
        }
    }
}

/// Text written into markup by hand (the cluster drawing, the QR code's label): the escaped
/// text holds no markup character and no entity but the five it writes.
pub fn markup_escape(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let escaped = xml::escape(&text);
    assert!(
        !escaped.contains(['<', '>', '"', '\'']),
        "markup left in {escaped:?}"
    );
    let mut rest = escaped.as_str();
    while let Some(at) = rest.find('&') {
        rest = &rest[at..];
        let entity = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
            .into_iter()
            .find(|e| rest.starts_with(e));
        let Some(entity) = entity else {
            panic!("a bare ampersand in {escaped:?}");
        };
        rest = &rest[entity.len()..];
    }
    assert!(
        !escaped.chars().any(char::is_control),
        "a control character left"
    );
}

/// Validation of a decoded report: a refusal names a field of the form and has a message in
/// every language; an accepted report keeps within the limits the form and the API state.
fn check_validation(input: &ReportInput, channel: Channel) {
    match report::validate(input, channel, TODAY) {
        Ok(valid) => check_limits(&valid),
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason");
            for FieldError { field, code } in &errors {
                assert!(!field.is_empty(), "a refusal without a field ({code})");
                for lang in LANGUAGES {
                    assert!(
                        i18n().has(lang, code),
                        "the refusal {code} has no message in {lang}"
                    );
                }
            }
        }
    }
}

fn check_limits(valid: &ValidReport) {
    let chars = |s: &str| s.chars().count();
    let c = &valid.content;
    assert!(chars(&c.narrative.narrative) <= MAX_NARRATIVE);
    assert!(chars(&c.place.city) <= MAX_SHORT && chars(&c.place.venue) <= MAX_SHORT);
    assert!(chars(&c.people.victims_description) <= MAX_DESCRIPTION);
    assert!(chars(&c.people.exploiters_description) <= MAX_DESCRIPTION);
    let ids = &c.identifiers;
    for list in [
        &ids.phones,
        &ids.emails,
        &ids.websites,
        &ids.social_handles,
        &ids.vehicle_plates,
    ] {
        assert!(list.len() <= MAX_IDENTIFIERS, "{} identifiers", list.len());
        assert!(
            list.iter()
                .all(|i| !i.trim().is_empty() && chars(i) <= MAX_SHORT)
        );
    }
    if let Some(abuse) = &c.abuse_material {
        assert!(chars(&abuse.url) <= MAX_URL && chars(&abuse.where_found) <= MAX_SHORT);
    }
    if let Some(country) = &valid.country {
        assert!(
            countries::is_country(country),
            "country {country:?} accepted"
        );
    }
    assert!(
        LANGUAGES.contains(&valid.language),
        "language {:?}",
        valid.language
    );
}
