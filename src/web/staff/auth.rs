//! Who is asking: the session cookie resolved into a [`Session`] (which sets the CSRF token
//! every state-changing form must carry, see [`crate::web::csrf`]), and the cookie itself.
//! Refusals are [`crate::web::error::StaffError`]s.

use crate::staff::policy::{Action, ReportAccess, allowed};
use crate::staff::sessions::{self, COOKIE, Session, Stage};
use crate::web::AppState;
use crate::web::csrf::{ExpectedCsrf, Surface};
use crate::web::error::{LangSlot, StaffError, StaffProblem, log_internal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

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

/// The session of the request's cookie. It tells the rest of the request the member's language
/// (for error pages) and the CSRF token their forms must carry ([`crate::web::csrf::CsrfForm`]).
async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Session, Response> {
    let Some(cookie) = crate::web::security::cookie(&parts.headers, COOKIE) else {
        return Err(to_sign_in());
    };
    let now = state.clock.now().unix_timestamp();
    match sessions::resolve(&state.db, &cookie, now, state.session_policy).await {
        Ok(Some(session)) => {
            if let Some(slot) = parts.extensions.get::<LangSlot>() {
                slot.set(crate::types::language_or_default(&session.user.language));
            }
            parts.extensions.insert(ExpectedCsrf {
                token: session.csrf_token.clone(),
                surface: Surface::Staff,
            });
            Ok(session)
        }
        Ok(None) => {
            let mut response = to_sign_in();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.cleared_cookie());
            Err(response)
        }
        Err(e) => {
            let reference = log_internal("session", &e);
            Err(StaffError::from(StaffProblem::Unavailable { reference }).into_response())
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
            Stage::AddPasskey => Err(Redirect::to("/staff/security").into_response()),
            Stage::Enrol => Err(Redirect::to("/staff/enrol").into_response()),
        }
    }
}

/// A signed-in session, or one that must add a passkey before anything else: what the page of
/// one's own sign-in methods takes.
pub struct SecuritySession(pub Session);

impl FromRequestParts<AppState> for SecuritySession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = resolve(parts, state).await?;
        match session.stage {
            Stage::Full | Stage::AddPasskey => Ok(SecuritySession(session)),
            Stage::Enrol => Err(Redirect::to("/staff/enrol").into_response()),
        }
    }
}

impl StaffSession {
    /// Whether the policy allows `action` (on `report`).
    pub fn may(&self, action: Action, report: Option<&ReportAccess>) -> bool {
        allowed(&self.0.user.actor(), action, report)
    }
}
