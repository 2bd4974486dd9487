//! The OpenAPI document of the API, generated from the handlers' `#[utoipa::path]` attributes
//! and the types they read and write, served at `GET /api/v1/openapi.json`. The vocabularies
//! (categories, warning signs, age groups, statuses, languages) are read from the code that
//! checks them, so the document cannot list a value the API refuses, or miss one it takes.

use super::api::{ApiReport, Created};
use super::followup_api::{FollowupView, SessionOpened};
use super::problem::Problem;
use crate::followup::conversation::ReporterStatus;
use crate::intake::categories::{CATEGORIES, FormKind};
use crate::intake::countries;
use crate::intake::report::{MAX_IDENTIFIERS, MAX_SHORT, MAX_URL};
use crate::types::LANGUAGES;
use crate::types::vocabulary::{AGE_GROUPS, CHILD_ANSWERS, WARNING_SIGNS};
use std::sync::LazyLock;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Array, Object, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

/// The document, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    // Serialising plain maps and strings cannot fail; an empty document would show it.
    let Ok(mut doc) = serde_json::to_value(ApiDoc::openapi()) else {
        return String::new();
    };
    state_the_rules_between_fields(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
});

/// The document as JSON.
pub fn json() -> &'static str {
    &DOCUMENT
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tipline reporting API",
        version = "1.0.0",
        description = "File reports of suspected human trafficking and child sexual exploitation \
            from partner apps and companies. Every sensitive field is sealed at rest. The receipt \
            code is returned once and never stored in clear: give it to the reporter.\n\n\
            Every request may also end with 408 when it takes longer than the server's deadline.",
        license(name = "AGPL-3.0-or-later", url = "https://www.gnu.org/licenses/agpl-3.0.html"),
    ),
    paths(
        super::api::create_report,
        super::api::openapi,
        super::followup_api::open_session,
        super::followup_api::close_session,
        super::followup_api::read,
        super::followup_api::post_message,
    ),
    components(schemas(ApiReport, Created, Problem, SessionOpened, FollowupView)),
    modifiers(&Additions),
)]
struct ApiDoc;

/// What the derive cannot say: the reporter session's scheme and the example report.
struct Additions;

impl Modify for Additions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.security_schemes.insert(
            "reporterSession".into(),
            RefOr::T(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token from POST /api/v1/followup/session. Short-lived: it ends \
                         after 15 minutes without use or 2 hours in all.",
                    ))
                    .build(),
            )),
        );
        components.examples.insert(
            "labourReport".into(),
            RefOr::T(
                ExampleBuilder::new()
                    .summary("A labour exploitation report")
                    .value(Some(labour_example()))
                    .build(),
            ),
        );
        let json = openapi
            .paths
            .paths
            .get_mut("/api/v1/reports")
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.request_body.as_mut())
            .and_then(|body| match body {
                RefOr::T(body) => body.content.get_mut("application/json"),
                RefOr::Ref(_) => None,
            });
        if let Some(RefOr::T(json)) = json {
            json.examples.insert(
                "labour".into(),
                RefOr::Ref(Ref::new("#/components/examples/labourReport")),
            );
        }
    }
}

/// What intake trims from both ends of every value before checking it: the characters
/// [`char::is_whitespace`] knows (Unicode White_Space), as a regular-expression class body.
/// Written out, since `\\s` means something else in each regular-expression dialect.
const WHITE_SPACE: &[(char, char)] = &[
    ('\u{9}', '\u{d}'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
];

/// [`WHITE_SPACE`] as the inside of a character class, in escapes every dialect reads.
fn white_space_class() -> String {
    let escape = |c: char| format!("\\u{:04X}", u32::from(c));
    WHITE_SPACE
        .iter()
        .map(|&(from, to)| {
            if from == to {
                escape(from)
            } else {
                format!("{}-{}", escape(from), escape(to))
            }
        })
        .collect()
}

/// Rules the derive cannot state, written into the JSON document: which fields a category
/// requires and reads (the abuse-material fields only for the short form, the contact fields
/// only from a reporter who is not anonymous), what a country, a web address and an e-mail address look like as intake reads
/// them (surrounding white space trimmed, a country in any case), that the incident date may be
/// left empty, that a body with files has no other parts, and that a message says something.
fn state_the_rules_between_fields(doc: &mut serde_json::Value) {
    use serde_json::json;
    let ws = white_space_class();
    let something = format!("[^{ws}]");
    let country = countries::codes()
        .map(|code| {
            code.chars()
                .map(|c| format!("[{c}{}]", c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("|");
    let country = format!("^[{ws}]*(?:{country})?[{ws}]*$");
    // As `looks_like_web_address`: a host with a dot, no white space inside.
    let web_address =
        format!("^[{ws}]*(?:https?://)?[^/?#{ws}]*\\.[^/?#{ws}]*(?:[/?#][^{ws}]*)?[{ws}]*$");
    // As `looks_like_email`: something, @, a domain with a dot not at its start.
    let email = format!("^[{ws}]*(?:[^@{ws}]+@[^.{ws}][^{ws}]*\\.[^{ws}]*)?[{ws}]*$");
    let short_form: Vec<&str> = CATEGORIES
        .iter()
        .filter(|c| c.form == FormKind::AbuseMaterialUrl)
        .map(|c| c.id)
        .collect();

    let report = &mut doc["components"]["schemas"]["Report"];
    report["properties"]["country"]["pattern"] = json!(country);
    // A date, or nothing: the field may be left empty.
    let date = &mut report["properties"]["incident_date"];
    if let Some(format) = date.as_object_mut().and_then(|d| d.remove("format")) {
        date["anyOf"] = json!([{ "format": format }, { "pattern": format!("^[{ws}]*$") }]);
    }
    report["allOf"] = json!([
        {
            "if": { "properties": { "category": { "enum": short_form } }, "required": ["category"] },
            "then": {
                "required": ["abuse_url"],
                "properties": {
                    "abuse_url": { "pattern": web_address, "maxLength": MAX_URL },
                    "abuse_where": { "maxLength": MAX_SHORT },
                },
            },
            "else": {
                "required": ["narrative"],
                "properties": { "narrative": { "pattern": something } },
            },
        },
        {
            "if": { "properties": { "anonymous": { "const": false } }, "required": ["anonymous"] },
            "then": {
                "properties": {
                    "contact_name": { "maxLength": MAX_SHORT },
                    "contact_email": { "pattern": email, "maxLength": MAX_SHORT },
                    "contact_phone": { "maxLength": MAX_SHORT },
                },
                "anyOf": [
                    { "required": ["contact_email"], "properties": { "contact_email": { "pattern": something } } },
                    { "required": ["contact_phone"], "properties": { "contact_phone": { "pattern": something } } },
                ],
            },
        },
    ]);
    doc["components"]["schemas"]["ReportWithFiles"]["additionalProperties"] = json!(false);
    doc["components"]["schemas"]["MessageRequest"]["properties"]["body"]["pattern"] =
        json!(something);
}

fn labour_example() -> serde_json::Value {
    serde_json::json!({
        "category": "labour_exploitation",
        "narrative": "Workers sleep in the restaurant kitchen and never get a day off.",
        "country": "LU",
        "city": "Esch-sur-Alzette",
        "venue": "Restaurant near the station",
        "incident_date": "2026-10-02",
        "still_happening": true,
        "people_count": 4,
        "age_groups": ["18_24"],
        "child_involved": "no",
        "warning_signs": ["excessive_hours", "lives_at_work"],
        "phones": ["+352 621 000 000"],
        "anonymous": true,
        "language": "en"
    })
}

fn one_of(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

fn some_of(values: &'static [&'static str], description: &str) -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values.iter().copied())),
        )
        .description(Some(description))
        .build()
}

/// `category`: the categories of [`CATEGORIES`].
pub(super) fn category() -> Object {
    one_of(
        CATEGORIES.iter().map(|c| c.id),
        "Kind of situation. `abuse_material_online` uses the short form (abuse_url required; \
         narrative optional as a comment); every other category requires narrative.",
    )
}

/// `age_groups`: the age groups of the vocabulary; a group given twice counts once.
pub(super) fn age_groups() -> Array {
    some_of(
        AGE_GROUPS,
        "Approximate ages of the people exploited. A group given twice counts once.",
    )
}

/// `warning_signs`: the warning signs of the vocabulary; a sign given twice counts once.
pub(super) fn warning_signs() -> Array {
    some_of(
        WARNING_SIGNS,
        "Plain-language warning signs seen. A sign given twice counts once.",
    )
}

fn identifiers(description: &str) -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_SHORT)),
        )
        .max_items(Some(MAX_IDENTIFIERS))
        .description(Some(format!("{description} (empty entries are ignored).")))
        .build()
}

pub(super) fn phones() -> Array {
    identifiers("Phone numbers")
}

pub(super) fn emails() -> Array {
    identifiers("E-mail addresses")
}

pub(super) fn websites() -> Array {
    identifiers("Websites or adverts")
}

pub(super) fn social_handles() -> Array {
    identifiers("Social media accounts or usernames")
}

pub(super) fn vehicle_plates() -> Array {
    identifiers("Vehicle number plates")
}

/// `child_involved`: the answers of the vocabulary.
pub(super) fn child_involved() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(CHILD_ANSWERS.iter().copied()))
        .default(Some("unsure".into()))
        .description(Some(
            "Whether a child (under 18) is involved; set to yes when the category or an age \
             group says so.",
        ))
        .build()
}

/// `language`: any text; the languages tipline speaks are recognised, anything else is English.
pub(super) fn language() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .examples(LANGUAGES.iter().map(|l| serde_json::Value::from(*l)))
        .description(Some(format!(
            "Reporter's language: one of {} (in any case). Any other value, or none, files the \
             report in English; it is never refused.",
            LANGUAGES.join(", ")
        )))
        .build()
}

/// `status` of a filed report.
pub(super) fn created_status() -> Object {
    one_of(
        [crate::types::Status::New.as_str()],
        "The status of a report just filed.",
    )
}

/// `status` as the reporter sees it.
pub(super) fn reporter_status() -> Object {
    use ReporterStatus::*;
    one_of(
        [Received, BeingLookedAt, PassedToAuthorities, Closed].map(ReporterStatus::id),
        "The status in plain words, never the internal reason.",
    )
}

/// Who wrote a message.
pub(super) fn message_from() -> Object {
    one_of(["reporter", "hotline"], "Who wrote the message.")
}

/// A report with its files, as `multipart/form-data`: the report as a JSON part and the files.
#[derive(ToSchema)]
#[allow(dead_code)] // Only described, never built: the handler reads the parts one by one.
pub struct ReportWithFiles {
    /// The report, as a part of type `application/json`.
    report: ApiReport,
    /// Up to 5 files of up to 10 MiB: JPEG, PNG or PDF, recognised by content. Metadata
    /// (EXIF/GPS, XMP, document info, embedded files, scripts) is removed before sealing.
    #[schema(value_type = Vec<String>, format = Binary, max_items = 5, required = false)]
    attachments: Vec<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_white_space_the_document_names_is_what_intake_trims() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let named = WHITE_SPACE
                .iter()
                .any(|&(from, to)| (from..=to).contains(&c));
            assert_eq!(named, c.is_whitespace(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn the_document_is_built() {
        let doc: serde_json::Value = serde_json::from_str(json()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert_eq!(doc["paths"].as_object().unwrap().len(), 5);
    }
}
