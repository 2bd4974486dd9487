//! The follow-up over the API, for partner apps: open a reporter session with the receipt, read
//! the status and the conversation, post a message, close the session. The session token travels
//! as `Authorization: Bearer`.

use super::AppState;
use super::error::log_internal;
use super::i18n::Lang;
use super::problem::{Problem, ProblemKind};
use crate::followup::conversation::{self, MAX_MESSAGE, ReporterStatus};
use crate::followup::signin::{self, ReporterSession};
use crate::intake::report::FieldError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn lang(headers: &HeaderMap) -> &'static str {
    Lang::of_headers(headers).0
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl AppState {
    fn api_problem(&self, headers: &HeaderMap, kind: ProblemKind) -> Problem {
        Problem::new(kind, self.i18n.t(lang(headers), &kind.title_key(), None))
    }

    async fn api_session(&self, headers: &HeaderMap) -> Result<(String, ReporterSession), Problem> {
        let Some(token) = bearer(headers) else {
            return Err(self.api_problem(headers, ProblemKind::Unauthorized));
        };
        let now = self.clock.now().unix_timestamp();
        match signin::resolve(&self.db, token, now, self.reporter_sessions).await {
            Ok(Some(s)) => Ok((token.to_owned(), s)),
            Ok(None) => Err(self.api_problem(headers, ProblemKind::Unauthorized)),
            Err(e) => {
                log_internal("api reporter session", &e);
                Err(self.api_problem(headers, ProblemKind::Unavailable))
            }
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    /// The receipt code; case, spaces and dashes do not matter.
    receipt: String,
}

/// A reporter session for the API.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionOpened {
    /// The bearer token for the other follow-up calls.
    pub token: String,
    /// Seconds without use after which the session ends.
    pub idle_timeout: i64,
}

/// `POST /api/v1/followup/session`.
#[utoipa::path(
    post,
    path = "/api/v1/followup/session",
    operation_id = "openFollowupSession",
    tag = "follow-up",
    summary = "Open a reporter session with the receipt",
    description = "The receipt's lookup part finds the report; its secret is checked against a \
        salted keyed hash. Wrong attempts are throttled for everyone and per report (the report \
        locks for 15 minutes after 5 failures, doubling).",
    request_body = SessionRequest,
    responses(
        (status = 201, body = SessionOpened, description = "Signed in."),
        (status = 400, body = super::problem::Problem, content_type = "application/problem+json",
            description = "The body is not {\"receipt\": \"...\"}."),
        (status = 401, body = super::problem::Problem, content_type = "application/problem+json",
            description = "The receipt was not recognised (or the report is locked for a while)."),
        (status = 413, description = "The body is larger than 256 KiB."),
        (status = 429, body = super::problem::Problem, content_type = "application/problem+json", description = "Too many attempts right now."),
        (status = 503, body = super::problem::Problem, content_type = "application/problem+json", description = "The receipt could not be checked right now."),
    ),
)]
pub async fn open_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    if !state.limits.allow_receipt_attempt() {
        return Err(state.api_problem(&headers, ProblemKind::RateLimited));
    }
    let request = serde_json::from_slice::<SessionRequest>(&body)
        .map_err(|_| state.api_problem(&headers, ProblemKind::MalformedBody))?;
    let now = state.clock.now().unix_timestamp();
    let token = signin::sign_in(&state.db, state.intake.receipts(), &request.receipt, now)
        .await
        .map_err(|e| {
            log_internal("api receipt sign-in", &e);
            state.api_problem(&headers, ProblemKind::Unavailable)
        })?
        .ok_or_else(|| state.api_problem(&headers, ProblemKind::Unauthorized))?;
    let body = SessionOpened {
        token,
        idle_timeout: state.reporter_sessions.idle,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `DELETE /api/v1/followup/session`.
#[utoipa::path(
    delete,
    path = "/api/v1/followup/session",
    operation_id = "closeFollowupSession",
    tag = "follow-up",
    summary = "End the reporter session",
    security(("reporterSession" = [])),
    responses(
        (status = 204, description = "Ended."),
        (status = 401, body = super::problem::Problem, content_type = "application/problem+json", description = "No valid session."),
        (status = 503, body = super::problem::Problem, content_type = "application/problem+json", description = "The session could not be ended right now."),
    ),
)]
pub async fn close_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (token, _) = state.api_session(&headers).await?;
    signin::end(&state.db, &token).await.map_err(|e| {
        log_internal("api reporter sign-out", &e);
        state.api_problem(&headers, ProblemKind::Unavailable)
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One message as the reporter sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiMessage {
    /// `reporter` or `hotline`.
    #[schema(schema_with = super::openapi::message_from)]
    pub from: String,
    /// Unix seconds.
    pub at: i64,
    /// Empty when the message could not be opened (`readable` false).
    pub body: String,
    /// False when the message is damaged at rest and cannot be shown.
    pub readable: bool,
}

/// The report as the reporter sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowupView {
    /// `received`, `being_looked_at`, `passed_to_authorities` or `closed`.
    #[schema(schema_with = super::openapi::reporter_status)]
    pub status: String,
    /// The status in the language of `Accept-Language`.
    pub status_text: String,
    /// When the hotline acknowledged the report (Unix seconds), if it has.
    pub acknowledged_at: Option<i64>,
    pub messages: Vec<ApiMessage>,
}

/// `GET /api/v1/followup`.
#[utoipa::path(
    get,
    path = "/api/v1/followup",
    operation_id = "readFollowup",
    tag = "follow-up",
    summary = "Read the status and the conversation",
    security(("reporterSession" = [])),
    params(
        ("Accept-Language" = Option<String>, Header, nullable = false,
            description = "Language of the status text (en, fr, de, nl)."),
    ),
    responses(
        (status = 200, body = FollowupView, description = "The report as the reporter sees it."),
        (status = 401, body = super::problem::Problem, content_type = "application/problem+json", description = "No valid session."),
        (status = 503, body = super::problem::Problem, content_type = "application/problem+json", description = "The report could not be read right now."),
    ),
)]
pub async fn read(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let (_, session) = state.api_session(&headers).await?;
    let loaded = async {
        let case = crate::store::cases::get(&state.db, &session.report_id)
            .await?
            .ok_or(crate::store::StoreError::Corrupt)?;
        let messages =
            conversation::read(&state.db, state.intake.sealer(), &session.report_id).await?;
        Ok::<_, crate::store::StoreError>((case, messages))
    };
    let (case, messages) = loaded.await.map_err(|e| {
        log_internal("api follow-up read", &e);
        state.api_problem(&headers, ProblemKind::Unavailable)
    })?;
    let in_hand = case.assignee_id.is_some() || messages.iter().any(|m| m.from_hotline);
    let status = ReporterStatus::from_status(&case.triage.status, in_hand);
    let view = FollowupView {
        status: status.id().to_owned(),
        status_text: state.i18n.t(lang(&headers), status.key(), None),
        acknowledged_at: case.acknowledged_at,
        messages: messages
            .into_iter()
            .map(|m| ApiMessage {
                from: if m.from_hotline {
                    "hotline"
                } else {
                    "reporter"
                }
                .into(),
                at: m.at,
                body: m.body,
                readable: m.readable,
            })
            .collect(),
    };
    Ok(Json(view).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MessageRequest {
    /// The message; surrounding spaces are trimmed, and it may not be empty.
    #[schema(max_length = 10000)]
    body: String,
}

/// A message stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePosted {
    /// The message's id.
    pub id: String,
}

/// `POST /api/v1/followup/messages`.
#[utoipa::path(
    post,
    path = "/api/v1/followup/messages",
    operation_id = "postFollowupMessage",
    tag = "follow-up",
    summary = "Send a message to the hotline",
    security(("reporterSession" = [])),
    request_body = MessageRequest,
    responses(
        (status = 201, body = MessagePosted,
            description = "Stored (sealed); the hotline's queue shows new activity."),
        (status = 400, body = super::problem::Problem, content_type = "application/problem+json", description = "Malformed body."),
        (status = 401, body = super::problem::Problem, content_type = "application/problem+json", description = "No valid session."),
        (status = 413, description = "The body is larger than 256 KiB."),
        (status = 422, body = super::problem::Problem, content_type = "application/problem+json", description = "Empty or too long."),
        (status = 429, body = super::problem::Problem, content_type = "application/problem+json",
            description = "Too many messages for this report right now, or today."),
        (status = 503, body = super::problem::Problem, content_type = "application/problem+json", description = "The message could not be stored right now."),
    ),
)]
pub async fn post_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let (_, session) = state.api_session(&headers).await?;
    let request = serde_json::from_slice::<MessageRequest>(&body)
        .map_err(|_| state.api_problem(&headers, ProblemKind::MalformedBody))?;
    let text = request.body.trim();
    let code = if text.is_empty() {
        Some("error-required")
    } else if text.chars().count() > MAX_MESSAGE {
        Some("error-too-long")
    } else {
        None
    };
    if code.is_none()
        && let Some((refusal, code)) = state.message_refusal(&session, 0).await
    {
        let l = lang(&headers);
        let kind = ProblemKind::refused(refusal);
        let mut p = Problem::new(kind, state.i18n.t(l, &kind.title_key(), None));
        p.detail = Some(state.error_text(l, code));
        return Err(p);
    }
    if let Some(code) = code {
        let l = lang(&headers);
        let mut p = Problem::new(
            ProblemKind::Validation,
            state.i18n.t(l, &ProblemKind::Validation.title_key(), None),
        );
        let e = FieldError {
            field: "body".into(),
            code,
        };
        p.errors = vec![super::problem::FieldProblem {
            pointer: format!("/{}", e.field),
            code: code.into(),
            detail: state.error_text(l, code),
        }];
        return Err(p);
    }
    let now = state.clock.now().unix_timestamp();
    let (identifiers, postings) = state.message_indexes(&session.report_id, text, true).await;
    let id = conversation::post(
        &state.db,
        state.intake.sealer(),
        conversation::Outgoing {
            report_id: &session.report_id,
            staff_id: None,
            body: text,
            files: Vec::new(),
            identifiers: &identifiers,
            postings: &postings,
        },
        now,
    )
    .await
    .map_err(|e| {
        log_internal("api reporter message", &e);
        state.api_problem(&headers, ProblemKind::Unavailable)
    })?;
    Ok((StatusCode::CREATED, Json(MessagePosted { id })).into_response())
}
