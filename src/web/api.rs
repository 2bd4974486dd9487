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
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::Mac;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Largest JSON report, in bytes.
const MAX_JSON: usize = 1024 * 1024;
const OPENAPI: &str = include_str!("openapi.json");

/// A report as partner apps send it; the same fields as the public form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiReport {
    pub category: String,
    #[serde(default)]
    pub narrative: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub incident_date: String,
    #[serde(default)]
    pub still_happening: bool,
    #[serde(default)]
    pub people_count: Option<u32>,
    #[serde(default)]
    pub age_groups: Vec<String>,
    #[serde(default)]
    pub child_involved: String,
    #[serde(default)]
    pub victims_description: String,
    #[serde(default)]
    pub exploiters_description: String,
    #[serde(default)]
    pub warning_signs: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub websites: Vec<String>,
    #[serde(default)]
    pub social_handles: Vec<String>,
    #[serde(default)]
    pub vehicle_plates: Vec<String>,
    #[serde(default)]
    pub abuse_url: String,
    #[serde(default)]
    pub abuse_where: String,
    #[serde(default = "yes")]
    pub anonymous: bool,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub campaign: String,
    #[serde(default)]
    pub language: String,
}

fn yes() -> bool {
    true
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
#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    /// The receipt code; shown to the reporter once, never stored in clear.
    pub receipt: String,
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
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let pointer = e
                .path()
                .iter()
                .map(|seg| match seg {
                    serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                    serde_path_to_error::Segment::Map { key } => format!("/{key}"),
                    _ => String::new(),
                })
                .collect::<String>();
            self.malformed(pointer, e.inner().to_string())
        })
    }
}

/// `POST /api/v1/reports`.
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
            .map_err(|_| ctx.problem(ProblemKind::TooLarge))?;
        (ctx.parse(&bytes)?, Vec::new())
    } else if content_type.starts_with("multipart/form-data") {
        read_multipart(ctx, request).await?
    } else {
        return Err(ctx.problem(ProblemKind::UnsupportedMediaType));
    };

    let input = ReportInput::from(report);
    let submission = {
        let raw: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        Submission::new(&submission_key(state, headers), &input, &raw)
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
        status: crate::intake::submit::STATUS_NEW.to_owned(),
        repeated: filed.repeated,
    };
    let status = if filed.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(body)).into_response())
}

/// The submission's key: derived from the client's `Idempotency-Key` (so a retry of the same
/// request files one report and returns the same receipt), or random.
fn submission_key(state: &AppState, headers: &HeaderMap) -> Vec<u8> {
    match headers
        .get("idempotency-key")
        .map(|v| v.as_bytes())
        .filter(|k| (16..=200).contains(&k.len()))
    {
        Some(key) => {
            let mut mac = mac_with(&state.api_idempotency_key);
            mac.update(key);
            mac.finalize().into_bytes().to_vec()
        }
        None => {
            let mut seed = vec![0u8; 16];
            rand::rng().fill_bytes(&mut seed);
            seed
        }
    }
}

async fn read_multipart(
    ctx: &ApiCtx<'_>,
    request: Request,
) -> Result<(ApiReport, Vec<Vec<u8>>), Problem> {
    let too_large = |_| ctx.problem(ProblemKind::TooLarge);
    let mut multipart = Multipart::from_request(request, ctx.state)
        .await
        .map_err(|_| ctx.problem(ProblemKind::UnsupportedMediaType))?;
    let mut report = None;
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name().unwrap_or_default() {
            "report" => {
                let bytes = field.bytes().await.map_err(too_large)?;
                report = Some(ctx.parse(&bytes)?);
            }
            "attachments" => {
                let bytes = field.bytes().await.map_err(too_large)?;
                if bytes.len() > MAX_ATTACHMENT_BYTES {
                    return Err(ctx.invalid(&[FieldError {
                        field: "attachments".into(),
                        code: "error-attachment-too-large",
                    }]));
                }
                files.push(bytes.to_vec());
            }
            _ => {}
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
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}
