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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    receipt: String,
}

/// A reporter session for the API.
#[derive(Debug, Serialize, Deserialize)]
pub struct SessionOpened {
    pub token: String,
    /// Seconds without use after which the session ends.
    pub idle_timeout: i64,
}

/// `POST /api/v1/followup/session`.
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
#[derive(Debug, Serialize, Deserialize)]
pub struct ApiMessage {
    /// `reporter` or `hotline`.
    pub from: String,
    /// Unix seconds.
    pub at: i64,
    /// Empty when the message could not be opened (`readable` false).
    pub body: String,
    /// False when the message is damaged at rest and cannot be shown.
    pub readable: bool,
}

/// The report as the reporter sees it.
#[derive(Debug, Serialize, Deserialize)]
pub struct FollowupView {
    /// `received`, `being_looked_at`, `passed_to_authorities` or `closed`.
    pub status: String,
    /// The status in the language of `Accept-Language`.
    pub status_text: String,
    /// When the hotline acknowledged the report (Unix seconds), if it has.
    pub acknowledged_at: Option<i64>,
    pub messages: Vec<ApiMessage>,
}

/// `GET /api/v1/followup`.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageRequest {
    body: String,
}

/// `POST /api/v1/followup/messages`.
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
        && let Some((status, code)) = state.message_refusal(&session, 0).await
    {
        let l = lang(&headers);
        let kind = match status {
            StatusCode::TOO_MANY_REQUESTS => ProblemKind::RateLimited,
            _ => ProblemKind::Unavailable,
        };
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
        &conversation::Outgoing {
            report_id: &session.report_id,
            staff_id: None,
            body: text,
            files: &[],
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
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}
