//! The reporting API for partner apps and companies: `POST /api/v1/reports` with JSON, or
//! multipart/form-data holding a JSON part `report` and file parts `attachments`; the OpenAPI
//! document; problem+json errors.

use super::error::log_internal;
use super::i18n::Lang;
use super::pages::{attachment_code, clean_files};
use super::problem::{FieldProblem, Problem, ProblemKind};
use super::{AppState, MAX_FILES};
use crate::intake::attachments::MAX_ATTACHMENT_BYTES;
use crate::intake::junk::Suspicion;
use crate::intake::report::{self, Channel, FieldError, ReportInput};
use crate::intake::submit::{FileError, Submission};
use crate::seal::receipt::mac_with;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::Mac;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// Largest JSON report, in bytes.
const MAX_JSON: usize = 1024 * 1024;

/// A report as partner apps send it; the same fields as the public form. Lengths count
/// characters, after surrounding spaces are trimmed. The limits stated here are the ones
/// `intake::report::validate` enforces (a test sends each limit and one past it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Report)]
pub struct ApiReport {
    #[schema(schema_with = super::openapi::category)]
    pub category: String,
    /// What happened, in the reporter's words (required except for abuse_material_online).
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub narrative: String,
    /// Country where it happened, ISO 3166-1 alpha-2 (in any case).
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: String,
    /// City, town or place.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub city: String,
    /// Venue or address.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub venue: String,
    /// Date seen or started, not in the future.
    #[serde(default)]
    #[schema(format = Date)]
    pub incident_date: String,
    /// It is still happening.
    #[serde(default)]
    #[schema(default = false)]
    pub still_happening: bool,
    /// How many people seem to be exploited (absent or null when unknown).
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub people_count: Option<i64>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::age_groups)]
    pub age_groups: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::child_involved)]
    pub child_involved: String,
    /// Description of the people who seem exploited.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub victims_description: String,
    /// Description of the people who seem to exploit them.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub exploiters_description: String,
    #[serde(default)]
    #[schema(schema_with = super::openapi::warning_signs)]
    pub warning_signs: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::phones)]
    pub phones: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::emails)]
    pub emails: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::websites)]
    pub websites: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::social_handles)]
    pub social_handles: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = super::openapi::vehicle_plates)]
    pub vehicle_plates: Vec<String>,
    /// For abuse_material_online: the web address of the material (never the material itself).
    #[serde(default)]
    pub abuse_url: String,
    /// For abuse_material_online: where it was found.
    #[serde(default)]
    pub abuse_where: String,
    /// Stay anonymous (default). When true, contact fields are discarded, never stored.
    #[serde(default = "yes")]
    #[schema(default = true)]
    pub anonymous: bool,
    /// Reporter's name, only if anonymous is false.
    #[serde(default)]
    pub contact_name: String,
    /// Reporter's e-mail; with anonymous false, an e-mail or phone is required.
    #[serde(default)]
    pub contact_email: String,
    /// Reporter's phone.
    #[serde(default)]
    pub contact_phone: String,
    /// Awareness campaign or partner channel id (lower-case letters, digits, dashes).
    #[serde(default)]
    #[schema(pattern = "^[a-z0-9-]{0,64}$")]
    pub campaign: String,
    #[serde(default)]
    #[schema(schema_with = super::openapi::language)]
    pub language: String,
}

fn yes() -> bool {
    true
}

/// A JSON number without a fractional part, as JSON Schema's `integer` is: `4` and `4.0` alike.
fn whole_number<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(de)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_i64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        // Within ±2^53 every f64 without a fraction is exactly an i64.
        Some(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => Ok(Some(f as i64)),
        _ => Err(serde::de::Error::custom(format!(
            "invalid value: {number}, expected a whole number"
        ))),
    }
}

impl From<ApiReport> for ReportInput {
    fn from(r: ApiReport) -> Self {
        ReportInput {
            category: r.category,
            narrative: r.narrative,
            country: r.country,
            city: r.city,
            venue: r.venue,
            incident_date: r.incident_date,
            still_happening: r.still_happening,
            people_count: r.people_count.map(|n| n.to_string()).unwrap_or_default(),
            age_groups: r.age_groups,
            child_involved: r.child_involved,
            victims_description: r.victims_description,
            exploiters_description: r.exploiters_description,
            warning_signs: r.warning_signs,
            phones: r.phones,
            emails: r.emails,
            websites: r.websites,
            social_handles: r.social_handles,
            vehicle_plates: r.vehicle_plates,
            abuse_url: r.abuse_url,
            abuse_where: r.abuse_where,
            anonymous: r.anonymous,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            contact_phone: r.contact_phone,
            campaign: r.campaign,
            language: r.language,
        }
    }
}

/// The answer to a filed report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    /// The reporter's receipt: an 8-character lookup part and an 80-bit secret, Crockford
    /// base32. Shown once, never stored in clear: not retrievable later.
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$")]
    pub receipt: String,
    #[schema(schema_with = super::openapi::created_status)]
    pub status: String,
    /// True when this Idempotency-Key had already filed the report.
    pub repeated: bool,
}

struct ApiCtx<'a> {
    state: &'a AppState,
    lang: &'static str,
}

impl ApiCtx<'_> {
    fn problem(&self, kind: ProblemKind) -> Problem {
        Problem::new(kind, self.state.i18n.t(self.lang, &kind.title_key(), None))
    }

    fn invalid(&self, errors: &[FieldError]) -> Problem {
        let mut p = self.problem(ProblemKind::Validation);
        p.errors = errors
            .iter()
            .map(|e| FieldProblem {
                pointer: format!("/{}", e.field),
                code: e.code.to_owned(),
                detail: self.state.error_text(self.lang, e.code),
            })
            .collect();
        p
    }

    fn malformed(&self, pointer: String, detail: String) -> Problem {
        let mut p = self.problem(ProblemKind::MalformedBody);
        p.detail = Some(detail.clone());
        p.errors = vec![FieldProblem {
            pointer,
            code: "malformed".into(),
            detail,
        }];
        p
    }

    fn parse(&self, bytes: &[u8]) -> Result<ApiReport, Problem> {
        if bytes.len() > MAX_JSON {
            return Err(self.problem(ProblemKind::TooLarge));
        }
        decode_report(bytes).map_err(|m| self.malformed(m.pointer, m.detail))
    }
}

/// Why a JSON report could not be read: where (a JSON pointer, empty for the whole document)
/// and what the decoder said.
#[derive(Debug)]
pub struct Malformed {
    pub pointer: String,
    pub detail: String,
}

/// Reads a JSON report (its size already checked), saying where it went wrong.
pub fn decode_report(bytes: &[u8]) -> Result<ApiReport, Malformed> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| Malformed {
        pointer: e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                serde_path_to_error::Segment::Map { key } => format!("/{key}"),
                _ => String::new(),
            })
            .collect(),
        detail: e.inner().to_string(),
    })
}

/// `POST /api/v1/reports`.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    operation_id = "createReport",
    tag = "reports",
    summary = "File a report",
    params(
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 16, max_length = 200,
            description = "A random, secret key per report (16–200 bytes; e.g. a UUIDv4 or 128 \
            random bits, never a counter, a timestamp or anything another client could guess, and \
            never logged); a key of another length is refused with 400 (type \
            /api/v1/problems/idempotency-key-invalid). Retrying the same request with the \
            same key files the report once and returns the same receipt (200 instead of 201); the \
            request matches when its JSON report and the SHA-256 of each attachment are the same, \
            whatever the multipart boundary. The same key with another request files nothing and \
            answers 422 (type /api/v1/problems/idempotency-key-reused)."),
        ("Accept-Language" = Option<String>, Header, nullable = false,
            description = "Language of error messages (en, fr, de, nl)."),
    ),
    request_body(
        description = "The report as JSON (at most 1 MiB), or as multipart/form-data with the \
            report in a part `report` and up to 5 files in parts `attachments`.",
        content(
            (ApiReport = "application/json"),
            (super::openapi::ReportWithFiles = "multipart/form-data"),
        ),
    ),
    responses(
        (status = 201, body = Created, description = "Filed and durably stored. Give the \
            receipt to the reporter: with it they (or your app, through /api/v1/followup) can \
            read the status and answer the hotline."),
        (status = 200, body = Created,
            description = "Already filed with this Idempotency-Key; the same receipt."),
        (status = 400, body = Problem, content_type = "application/problem+json",
            description = "The body is not valid JSON for a report (wrong type, unknown field), \
            or the multipart body cannot be read, has no part `report` or has a part other \
            than `report` and `attachments`; errors point at the field. Or an \
            Idempotency-Key shorter than 16 or longer than 200 bytes (type \
            /api/v1/problems/idempotency-key-invalid; nothing filed)."),
        (status = 413, body = Problem, content_type = "application/problem+json",
            description = "The request is too large: a JSON report over 1 MiB, or a body over \
            the upload limit (5 files of 10 MiB and 1 MiB more)."),
        (status = 415, body = Problem, content_type = "application/problem+json",
            description = "Not application/json or multipart/form-data."),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "Validation failed (errors lists each wrong field: a value too long, \
            too many entries, a choice not in the list, a file too large or too many files), or \
            the Idempotency-Key was already used with another request (type \
            /api/v1/problems/idempotency-key-reused; nothing filed, nothing told about the \
            earlier report)."),
        (status = 429, body = Problem, content_type = "application/problem+json",
            description = "Too many reports right now; retry after a minute."),
        (status = 503, body = Problem, content_type = "application/problem+json",
            description = "The report could not be stored; retry with the same Idempotency-Key."),
    ),
)]
pub async fn create_report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let Lang(lang) = Lang::of_headers(&headers);
    let ctx = ApiCtx {
        state: &state,
        lang,
    };
    match create(&ctx, peer, &headers, request).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn create(
    ctx: &ApiCtx<'_>,
    peer: SocketAddr,
    headers: &HeaderMap,
    request: Request,
) -> Result<Response, Problem> {
    let state = ctx.state;
    // A key of the wrong length is refused before it spends the budget reporters share.
    let key = submission_key(state, headers).ok_or_else(|| ctx.problem(ProblemKind::KeyInvalid))?;
    if !state.limits.allow_submission(Some(peer.ip())) {
        return Err(ctx.problem(ProblemKind::RateLimited));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (report, files) = if content_type.starts_with("application/json") {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| ctx.problem(unread(e.status())))?;
        (ctx.parse(&bytes)?, Vec::new())
    } else if content_type.starts_with("multipart/form-data") {
        read_multipart(ctx, request).await?
    } else {
        return Err(ctx.problem(ProblemKind::UnsupportedMediaType));
    };

    let input = ReportInput::from(report);
    let submission = {
        let raw: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        Submission::new(&key, &input, &raw)
    };
    let now = state.clock.now();
    let validated = report::validate(&input, Channel::Api, now.date());
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    if files.len() > MAX_FILES {
        errors.push(FieldError {
            field: "attachments".into(),
            code: "error-attachment-too-many",
        });
    }
    let cleaned = if errors.is_empty() {
        clean_files(state, files).await.map_err(|e| {
            ctx.invalid(&[FieldError {
                field: "attachments".into(),
                code: attachment_code(&e),
            }])
        })?
    } else {
        Vec::new()
    };
    let valid = match validated {
        Ok(valid) if errors.is_empty() => valid,
        _ => return Err(ctx.invalid(&errors)),
    };
    let filed = state
        .intake
        .file(&valid, &cleaned, &submission, Suspicion::none(), now)
        .await
        .map_err(|e| match e {
            FileError::KeyReused => ctx.problem(ProblemKind::KeyReused),
            FileError::Store(e) => {
                log_internal("api file report", &e);
                ctx.problem(ProblemKind::Unavailable)
            }
        })?;
    let body = Created {
        receipt: filed.receipt.display().to_string(),
        status: crate::types::Status::New.as_str().to_owned(),
        repeated: filed.repeated,
    };
    let status = if filed.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(body)).into_response())
}

/// Lengths of an `Idempotency-Key`, in bytes, as the OpenAPI document states them.
const IDEMPOTENCY_KEY_BYTES: std::ops::RangeInclusive<usize> = 16..=200;

/// The submission's key: derived from the client's `Idempotency-Key` (so a retry of the same
/// request files one report and returns the same receipt), or random without one. `None` for a
/// key of a length the document does not allow.
fn submission_key(state: &AppState, headers: &HeaderMap) -> Option<Vec<u8>> {
    match headers.get("idempotency-key").map(|v| v.as_bytes()) {
        Some(key) if IDEMPOTENCY_KEY_BYTES.contains(&key.len()) => {
            let mut mac = mac_with(&state.api_idempotency_key);
            mac.update(key);
            Some(mac.finalize().into_bytes().to_vec())
        }
        Some(_) => None,
        None => {
            let mut seed = vec![0u8; 16];
            rand::rng().fill_bytes(&mut seed);
            Some(seed)
        }
    }
}

/// What a body that could not be read gets: 413 when it was over its limit, else 400.
fn unread(status: StatusCode) -> ProblemKind {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ProblemKind::TooLarge
    } else {
        ProblemKind::MalformedBody
    }
}

async fn read_multipart(
    ctx: &ApiCtx<'_>,
    request: Request,
) -> Result<(ApiReport, Vec<Vec<u8>>), Problem> {
    let unreadable = |e: MultipartError| ctx.problem(unread(e.status()));
    let mut multipart = Multipart::from_request(request, ctx.state)
        .await
        .map_err(|_| ctx.problem(ProblemKind::UnsupportedMediaType))?;
    let mut report = None;
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or_default() {
            "report" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                report = Some(ctx.parse(&bytes)?);
            }
            "attachments" => {
                let bytes = field.bytes().await.map_err(unreadable)?;
                if bytes.len() > MAX_ATTACHMENT_BYTES {
                    return Err(ctx.invalid(&[FieldError {
                        field: "attachments".into(),
                        code: "error-attachment-too-large",
                    }]));
                }
                files.push(bytes.to_vec());
            }
            // As JSON reports refuse unknown fields, so bodies refuse unknown parts.
            other => {
                return Err(ctx.malformed(format!("/{other}"), "unknown part".into()));
            }
        }
        if files.len() > MAX_FILES {
            return Err(ctx.invalid(&[FieldError {
                field: "attachments".into(),
                code: "error-attachment-too-many",
            }]));
        }
    }
    let report =
        report.ok_or_else(|| ctx.malformed("/report".into(), "missing part: report".into()))?;
    Ok((report, files))
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    tag = "reports",
    summary = "This document",
    responses((status = 200, content_type = "application/json",
        description = "The OpenAPI document of this API.")),
)]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi::json(),
    )
        .into_response()
}
