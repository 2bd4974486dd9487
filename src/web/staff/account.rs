//! Signing in and out, choosing a password through the one-time set-up link, enrolling the
//! second factor, and choosing the language of the staff pages.

use super::auth::{AnySession, StaffSession};
use crate::app;
use crate::app::accounts::{AdminError, Enrolled};
use crate::staff::accounts::{self, AccountError, SecondFactor};
use crate::staff::sessions::{self, Stage};
use crate::staff::totp;
use crate::store::staff as repo;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::{Refusal, StaffError};
use crate::web::i18n::Lang;
use crate::web::pages::PageQuery;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

impl AppState {
    fn now_unix(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    fn sign_in_form(
        &self,
        status: StatusCode,
        lang: &'static str,
        error: Option<&str>,
        username: &str,
    ) -> Response {
        let ctx = context! {
            form_token => self.tokens.issue(self.clock.now()),
            error => error.map(|k| self.i18n.t(lang, k, None)),
            username,
            ..self.staff_public_context(lang, "/staff/sign-in?")
        };
        crate::web::security::allow_passkey_script(self.render(status, "staff/sign_in.html", ctx))
    }
}

pub async fn sign_in_page(State(state): State<AppState>, Lang(lang): Lang) -> Response {
    state.sign_in_form(StatusCode::OK, lang, None, "")
}

#[derive(Deserialize)]
pub struct SignInForm {
    form_token: String,
    username: String,
    password: String,
    #[serde(default)]
    code: String,
    /// Filled by the sign-in page's script after the browser's passkey answered.
    #[serde(default)]
    passkey_ceremony: String,
    #[serde(default)]
    passkey_response: String,
    #[serde(default)]
    lang: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    asked: Lang,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, StaffError> {
    let lang = asked.or_explicit(&form.lang);
    let failed = |e: StaffError| e.lang(lang);
    if state
        .tokens
        .verify(&form.form_token, state.clock.now())
        .is_err()
    {
        return Ok(state.sign_in_form(
            Refusal::Invalid.status(),
            lang,
            Some("staff-form-expired"),
            &form.username,
        ));
    }
    let presented = crate::web::security::cookie(&headers, sessions::COOKIE);
    let result = app::accounts::sign_in(
        &state.app(),
        &state.sign_in_gate,
        &form.username,
        form.password,
        if form.passkey_response.is_empty() {
            SecondFactor::Code(&form.code)
        } else {
            SecondFactor::Passkey {
                ceremony: &form.passkey_ceremony,
                response: &form.passkey_response,
            }
        },
        presented.as_deref(),
    )
    .await;
    match result {
        Ok(Some((cookie, stage))) => {
            let target = match stage {
                Stage::Full => "/staff",
                Stage::AddPasskey => "/staff/security",
                Stage::Enrol => "/staff/enrol",
            };
            let mut response = Redirect::to(target).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.session_cookie(&cookie));
            Ok(response)
        }
        // Recorded (and folded) by the sign-in gate.
        Ok(None) => Ok(state.sign_in_form(
            Refusal::WrongCredentials.status(),
            lang,
            Some("staff-sign-in-failed"),
            &form.username,
        )),
        Err(AdminError::Account(AccountError::Limited(_))) => {
            let mut response = state.sign_in_form(
                Refusal::TooMany.status(),
                lang,
                Some("staff-sign-in-limited"),
                &form.username,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            Ok(response)
        }
        Err(e) => Err(failed(e.into())),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    app::accounts::sign_out(&state.app(), &session).await?;
    let mut response = Redirect::to("/staff/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cleared_cookie());
    Ok(response)
}

impl AppState {
    fn setup_form(
        &self,
        status: StatusCode,
        lang: &'static str,
        token: &str,
        username: &str,
        error: Option<String>,
    ) -> Response {
        let ctx = context! {
            token, username, error,
            form_token => self.tokens.issue(self.clock.now()),
            min_length => crate::staff::password::MIN_LENGTH,
            ..self.staff_public_context(lang, &format!("/staff/setup/{token}?"))
        };
        self.render(status, "staff/setup.html", ctx)
    }
}

pub async fn setup_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, StaffError> {
    let now = state.now_unix();
    // Refusals take the language of the request (`?lang=`, then the browser's).
    let row = accounts::setup_account(&state.db, &token, now).await?;
    let lang = crate::web::i18n::choose(
        q.lang.as_deref(),
        Some(&row.language),
        crate::web::i18n::accept_language(&headers),
    );
    Ok(state.setup_form(StatusCode::OK, lang, &token, &row.username, None))
}

#[derive(Deserialize)]
pub struct SetupForm {
    form_token: String,
    password: String,
    confirm: String,
    #[serde(default)]
    lang: String,
}

pub async fn setup(
    State(state): State<AppState>,
    Path(token): Path<String>,
    asked: Lang,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Result<Response, StaffError> {
    let lang = asked.or_explicit(&form.lang);
    let failed = |e: StaffError| e.lang(lang);
    let now = state.now_unix();
    let row = accounts::setup_account(&state.db, &token, now)
        .await
        .map_err(|e| failed(e.into()))?;
    if state
        .tokens
        .verify(&form.form_token, state.clock.now())
        .is_err()
    {
        let error = Some(state.i18n.t(lang, "staff-form-expired", None));
        return Ok(state.setup_form(
            Refusal::Invalid.status(),
            lang,
            &token,
            &row.username,
            error,
        ));
    }
    if form.password != form.confirm {
        let error = Some(state.i18n.t(lang, "password-mismatch", None));
        return Ok(state.setup_form(
            Refusal::Invalid.status(),
            lang,
            &token,
            &row.username,
            error,
        ));
    }
    let presented = crate::web::security::cookie(&headers, sessions::COOKIE);
    let chosen =
        app::accounts::choose_password(&state.app(), &token, form.password, presented.as_deref())
            .await;
    match chosen {
        Ok(cookie) => {
            let mut response = Redirect::to("/staff/enrol").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.session_cookie(&cookie));
            Ok(response)
        }
        Err(AdminError::Account(AccountError::WeakPassword(problem))) => {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("min", crate::staff::password::MIN_LENGTH as i64);
            let error = Some(state.i18n.t(lang, problem.code(), Some(&args)));
            Ok(state.setup_form(
                Refusal::Invalid.status(),
                lang,
                &token,
                &row.username,
                error,
            ))
        }
        Err(e) => Err(failed(e.into())),
    }
}

impl AppState {
    async fn enrol_form(
        &self,
        session: &sessions::Session,
        status: StatusCode,
        error: bool,
    ) -> Result<Response, StaffError> {
        let lang = crate::types::language_or_default(&session.user.language);
        // Reuse the pending secret of this session, or make one.
        let secret = app::accounts::pending_totp(&self.app(), session).await?;
        let issuer = self.i18n.t(lang, "site-name", None);
        let uri = totp::provisioning_uri(&secret, &issuer, &session.user.username);
        let ctx = context! {
            qr => minijinja::Value::from_safe_string(totp::qr_svg(&uri, &self.i18n.t(lang, "staff-enrol-qr-label", None))),
            secret => secret.display_base32(),
            error => error.then(|| self.i18n.t(lang, "staff-enrol-wrong-code", None)),
            csrf => session.csrf_token.clone(),
            ..self.staff_public_context(lang, "/staff/enrol?")
        };
        Ok(self.render(status, "staff/enrol.html", ctx))
    }
}

pub async fn enrol_page(
    State(state): State<AppState>,
    AnySession(mut session): AnySession,
    Query(q): Query<PageQuery>,
) -> Result<Response, StaffError> {
    if session.stage == Stage::Full {
        return Ok(Redirect::to("/staff").into_response());
    }
    // The language links on this page change the account's language too.
    if let Some(lang) = q.lang.as_deref() {
        let lang = crate::types::language_or_default(lang);
        repo::set_language(&state.db, &session.user.id, lang).await?;
        session.user.language = lang.to_owned();
    }
    state.enrol_form(&session, StatusCode::OK, false).await
}

#[derive(Deserialize)]
pub struct EnrolForm {
    code: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<Response, StaffError> {
    if session.stage == Stage::Full {
        return Ok(Redirect::to("/staff").into_response());
    }
    match app::accounts::enrol(&state.app(), &session, &form.code).await {
        Ok(Enrolled::Done(cookie)) => {
            // Every session of the account ended; this browser goes on with a fresh id.
            let mut response = Redirect::to("/staff").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.session_cookie(&cookie));
            Ok(response)
        }
        Ok(Enrolled::SessionOver) => {
            let mut response = Redirect::to("/staff/sign-in").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.cleared_cookie());
            Ok(response)
        }
        Ok(Enrolled::WrongCode) => {
            state
                .enrol_form(&session, Refusal::Invalid.status(), true)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    language: String,
}

pub async fn language(
    State(state): State<AppState>,
    session: StaffSession,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, StaffError> {
    let lang = crate::types::language_or_default(&form.language);
    repo::set_language(&state.db, &session.0.user.id, lang)
        .await
        .map_err(|e| StaffError::from(e).lang(lang))?;
    Ok(Redirect::to("/staff").into_response())
}
