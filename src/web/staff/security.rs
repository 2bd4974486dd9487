//! A staff member's own sign-in methods (`/staff/security`): passkeys (add, rename, remove),
//! recovery codes, and for supervisors whether content roles must use a passkey. Also the
//! challenge the sign-in page's passkey button asks for.

use super::auth::SecuritySession;
use crate::app;
use crate::app::security::SecurityError;
use crate::staff::passkeys::{MAX_NAME, PasskeyError, RECOVERY_CODES, passkeys_required};
use crate::staff::policy::Action;
use crate::staff::policy::allowed;
use crate::staff::sessions::{Session, Stage};
use crate::store::passkeys as repo;
use crate::store::staff as staff_repo;
use crate::web::AppState;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::{Refusal, StaffError, StaffProblem};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minijinja::{Value, context};
use serde::Deserialize;

impl AppState {
    /// The page, with an error (a Fluent key) or the recovery codes just made.
    async fn security_page(
        &self,
        session: &Session,
        status: StatusCode,
        error: Option<&str>,
        codes: Option<Vec<String>>,
    ) -> Result<Response, StaffError> {
        let lang = crate::types::language_or_default(&session.user.language);
        let passkeys: Vec<Value> = repo::list(&self.db, &session.user.id)
            .await?
            .iter()
            .map(|p| {
                context! {
                    id => p.id.clone(),
                    name => p.name.clone(),
                    added => date(p.created_at),
                    used => p.last_used_at.map(date),
                }
            })
            .collect();
        let actor = session.user.actor();
        let mut name_args = fluent_bundle::FluentArgs::new();
        name_args.set("max", MAX_NAME as i64);
        let ctx = context! {
            passkeys,
            available => self.factors.passkeys().is_some(),
            must_add => session.stage == Stage::AddPasskey,
            error => error.map(|k| self.i18n.t(lang, k, Some(&name_args))),
            codes,
            unused_codes => repo::unused_recovery_codes(&self.db, &session.user.id).await?,
            may_require => self.factors.passkeys().is_some()
                && allowed(&actor, Action::ChooseSignInPolicy, None),
            required => passkeys_required(&self.db).await?,
            max_name => MAX_NAME,
            recovery_codes => RECOVERY_CODES,
            ..self.staff_context(session)
        };
        Ok(crate::web::security::allow_passkey_script(self.render(
            status,
            "staff/security.html",
            ctx,
        )))
    }
}

fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

pub async fn page(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
) -> Result<Response, StaffError> {
    state
        .security_page(&session, StatusCode::OK, None, None)
        .await
}

/// `POST /staff/security/passkeys/options`: the browser's options for a new passkey.
pub async fn registration_options(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    let now = state.clock.now().unix_timestamp();
    match state
        .factors
        .start_registration(&state.db, &session.user, now)
        .await
    {
        Ok((ceremony, options)) => Ok(Json(
            serde_json::json!({ "ceremony": ceremony, "options": options }),
        )
        .into_response()),
        Err(PasskeyError::Store(e)) => Err(e.into()),
        Err(_) => Ok(StatusCode::CONFLICT.into_response()),
    }
}

#[derive(Deserialize)]
pub struct AddForm {
    name: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    response: String,
}

/// The page again after a refused change: the message for `e`, or the error page.
async fn refused(
    state: &AppState,
    session: &Session,
    e: SecurityError,
) -> Result<Response, StaffError> {
    let key = match e {
        SecurityError::BadName => "staff-passkey-bad-name",
        SecurityError::Passkey(PasskeyError::Unavailable) => "staff-passkeys-unavailable",
        SecurityError::Passkey(PasskeyError::Duplicate) => "staff-passkey-duplicate",
        SecurityError::Passkey(PasskeyError::Expired | PasskeyError::Refused) => {
            "staff-passkey-failed"
        }
        SecurityError::Passkey(PasskeyError::Store(e)) => return Err(e.into()),
        SecurityError::NoSuchPasskey => return Err(StaffProblem::NotFound.into()),
        SecurityError::Forbidden => return Err(StaffProblem::Forbidden.into()),
        SecurityError::Case(e) => return Err(e.into()),
    };
    state
        .security_page(session, Refusal::Invalid.status(), Some(key), None)
        .await
}

/// `POST /staff/security/passkeys`: adds the passkey the browser made (the page's script fills
/// in the answer; without it the page says a passkey needs JavaScript).
pub async fn add(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response, StaffError> {
    if form.response.is_empty() {
        return state
            .security_page(
                &session,
                Refusal::Invalid.status(),
                Some("staff-passkey-needs-javascript"),
                None,
            )
            .await;
    }
    let added = app::security::add_passkey(
        &state.app(),
        &session,
        &form.ceremony,
        &form.response,
        &form.name,
    )
    .await;
    match added {
        Ok(Stage::Full) if session.stage == Stage::AddPasskey => {
            Ok(Redirect::to("/staff").into_response())
        }
        Ok(_) => Ok(Redirect::to("/staff/security").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> Result<Response, StaffError> {
    match app::security::rename_passkey(&state.app(), &session.user.id, &id, &form.name).await {
        Ok(()) => Ok(Redirect::to("/staff/security").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

pub async fn remove(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
    Path(id): Path<String>,
    _: CsrfForm<NoFields>,
) -> Result<Response, StaffError> {
    match app::security::remove_passkey(&state.app(), &session.user.id, &id).await {
        Ok(()) => Ok(Redirect::to("/staff/security").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

/// `POST /staff/security/recovery-codes`: new codes, shown once on the page this answers with.
pub async fn recovery_codes(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
    _: CsrfForm<NoFields>,
) -> Result<Response, StaffError> {
    match app::security::make_recovery_codes(&state.app(), &session.user.id).await {
        Ok(codes) => {
            state
                .security_page(&session, StatusCode::OK, None, Some(codes))
                .await
        }
        Err(e) => refused(&state, &session, e).await,
    }
}

#[derive(Deserialize)]
pub struct RequireForm {
    #[serde(default)]
    required: String,
}

/// `POST /staff/security/require-passkeys`: a supervisor's choice for the content roles.
pub async fn require(
    State(state): State<AppState>,
    SecuritySession(session): SecuritySession,
    CsrfForm(form): CsrfForm<RequireForm>,
) -> Result<Response, StaffError> {
    let actor = session.user.actor();
    match app::security::require_passkeys(&state.app(), &actor, form.required == "on").await {
        Ok(()) => Ok(Redirect::to("/staff/security").into_response()),
        Err(e) => refused(&state, &session, e).await,
    }
}

#[derive(Deserialize)]
pub struct SignInStart {
    form_token: String,
    username: String,
}

/// `POST /staff/sign-in/passkey`: a challenge for the name typed on the sign-in page, the same
/// in shape whether the account exists and has passkeys or not. Behind the sign-in limits.
pub async fn sign_in_options(
    State(state): State<AppState>,
    Form(form): Form<SignInStart>,
) -> Result<Response, StaffError> {
    if state
        .tokens
        .verify(&form.form_token, state.clock.now())
        .is_err()
    {
        return Ok(Refusal::Invalid.status().into_response());
    }
    if state.sign_in_gate.admit(&form.username).await.is_err() {
        let mut response = Refusal::TooMany.status().into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        return Ok(response);
    }
    let user = staff_repo::user_by_username(&state.db, form.username.trim()).await?;
    let now = state.clock.now().unix_timestamp();
    let started = state
        .factors
        .start_sign_in(&state.db, user.as_ref().map(|u| &u.id), &form.username, now)
        .await;
    match started {
        Ok((ceremony, options)) => Ok(Json(
            serde_json::json!({ "ceremony": ceremony, "options": options }),
        )
        .into_response()),
        Err(PasskeyError::Store(e)) => Err(e.into()),
        Err(_) => Ok(StatusCode::CONFLICT.into_response()),
    }
}
