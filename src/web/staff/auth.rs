//! Who is asking: the session cookie resolved into a [`Session`], the CSRF check on every
//! state-changing form, the cookie itself, and the one way a refusal looks.

use crate::staff::policy::{Action, ReportAccess, allowed};
use crate::staff::sessions::{self, COOKIE, Session, Stage};
use crate::web::AppState;
use crate::web::error::log_internal;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;

impl AppState {
    /// The `Set-Cookie` value for a new session.
    pub fn session_cookie(&self, value: &str) -> HeaderValue {
        crate::web::security::session_cookie(COOKIE, value, "/staff", self.secure_cookies)
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn cleared_cookie(&self) -> HeaderValue {
        crate::web::security::cleared_cookie(COOKIE, "/staff")
    }
}

/// A session at any stage (used by the enrolment pages).
pub struct AnySession(pub Session);

/// A fully signed-in session (password and second factor).
pub struct StaffSession(pub Session);

fn to_sign_in() -> Response {
    Redirect::to("/staff/sign-in").into_response()
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Session, Response> {
    let Some(cookie) = crate::web::security::cookie(&parts.headers, COOKIE) else {
        return Err(to_sign_in());
    };
    let now = state.clock.now().unix_timestamp();
    match sessions::resolve(&state.db, &cookie, now, state.session_policy).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => {
            let mut response = to_sign_in();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.cleared_cookie());
            Err(response)
        }
        Err(e) => {
            let reference = log_internal("session", &e);
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                format!("error {reference}"),
            )
                .into_response())
        }
    }
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        resolve(parts, state).await.map(AnySession)
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = resolve(parts, state).await?;
        match session.stage {
            Stage::Full => Ok(StaffSession(session)),
            Stage::Enrol => Err(Redirect::to("/staff/enrol").into_response()),
        }
    }
}

impl StaffSession {
    /// Whether the form's CSRF token is this session's.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        bool::from(sent.as_bytes().ct_eq(self.0.csrf_token.as_bytes()))
    }

    /// Whether the policy allows `action` (on `report`).
    pub fn may(&self, action: Action, report: Option<&ReportAccess>) -> bool {
        allowed(&self.0.user.actor(), action, report)
    }
}

/// What every refusal looks like: for a report, the same page as a report that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    Forbidden,
    BadCsrf,
    Conflict,
    /// The audit trail cannot record right now, so nothing is shown.
    AuditUnavailable,
    /// A set-up link that is used up, expired or unknown.
    BadLink,
    /// A set-up link of an account that waits for a supervisor's approval.
    AwaitingApproval,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::BadCsrf => StatusCode::FORBIDDEN,
            Self::Conflict => StatusCode::CONFLICT,
            Self::AuditUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadLink => StatusCode::NOT_FOUND,
            Self::AwaitingApproval => StatusCode::FORBIDDEN,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::NotFound => "staff-not-found",
            Self::Forbidden => "staff-forbidden",
            Self::BadCsrf => "staff-bad-csrf",
            Self::Conflict => "staff-conflict",
            Self::AuditUnavailable => "staff-audit-unavailable",
            Self::BadLink => "staff-bad-link",
            Self::AwaitingApproval => "staff-awaiting-approval",
        }
    }
}
