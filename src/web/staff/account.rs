//! Signing in and out, choosing a password through the one-time set-up link, enrolling the
//! second factor, and choosing the language of the staff pages.

use super::auth::{AnySession, StaffSession};
use crate::app;
use crate::app::accounts::Enrolled;
use crate::staff::accounts::{self, AccountError};
use crate::staff::sessions::{self, Stage};
use crate::staff::totp;
use crate::store::staff as repo;
use crate::web::AppState;
use crate::web::i18n::negotiate;
use crate::web::pages::PageQuery;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

fn lang_of(q: &PageQuery, headers: &HeaderMap) -> &'static str {
    negotiate(
        q.lang.as_deref(),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

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
        self.render(status, "staff/sign_in.html", ctx)
    }
}

pub async fn sign_in_page(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    state.sign_in_form(StatusCode::OK, lang_of(&q, &headers), None, "")
}

#[derive(Deserialize)]
pub struct SignInForm {
    form_token: String,
    username: String,
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    lang: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = crate::intake::report::language_or_default(&form.lang);
    if state
        .tokens
        .verify(&form.form_token, state.clock.now())
        .is_err()
    {
        return state.sign_in_form(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            Some("staff-form-expired"),
            &form.username,
        );
    }
    let presented = crate::web::security::cookie(&headers, sessions::COOKIE);
    let result = app::accounts::sign_in(
        &state.app(),
        &state.sign_in_gate,
        &form.username,
        form.password,
        &form.code,
        presented.as_deref(),
    )
    .await;
    match result {
        Ok(Some((cookie, stage))) => {
            let target = if stage == Stage::Full {
                "/staff"
            } else {
                "/staff/enrol"
            };
            let mut response = Redirect::to(target).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.session_cookie(&cookie));
            response
        }
        // Recorded (and folded) by the sign-in gate.
        Ok(None) => state.sign_in_form(
            StatusCode::UNAUTHORIZED,
            lang,
            Some("staff-sign-in-failed"),
            &form.username,
        ),
        Err(AccountError::Limited(_)) => {
            let mut response = state.sign_in_form(
                StatusCode::TOO_MANY_REQUESTS,
                lang,
                Some("staff-sign-in-limited"),
                &form.username,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            response
        }
        Err(e) => state.staff_error(lang, &e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    Form(form): Form<CsrfForm>,
) -> Response {
    let full = StaffSession(session);
    if !full.csrf_ok(&form.csrf) {
        return state.refusal(&full.0.user.language, super::auth::Refusal::BadCsrf);
    }
    if let Err(e) = app::accounts::sign_out(&state.app(), &full.0).await {
        return state.staff_error(&full.0.user.language, &e);
    }
    let mut response = Redirect::to("/staff/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cleared_cookie());
    response
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
) -> Response {
    let now = state.now_unix();
    match accounts::setup_account(&state.db, &token, now).await {
        Ok(row) => {
            let lang = if q.lang.is_some() {
                lang_of(&q, &headers)
            } else {
                crate::intake::report::language_or_default(&row.language)
            };
            state.setup_form(StatusCode::OK, lang, &token, &row.username, None)
        }
        Err(AccountError::BadSetupLink) => {
            state.refusal(lang_of(&q, &headers), super::auth::Refusal::BadLink)
        }
        Err(AccountError::AwaitingApproval) => state.refusal(
            lang_of(&q, &headers),
            super::auth::Refusal::AwaitingApproval,
        ),
        Err(e) => state.staff_error(lang_of(&q, &headers), &e),
    }
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
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Response {
    let lang = crate::intake::report::language_or_default(&form.lang);
    let now = state.now_unix();
    let row = match accounts::setup_account(&state.db, &token, now).await {
        Ok(row) => row,
        Err(AccountError::BadSetupLink) => {
            return state.refusal(lang, super::auth::Refusal::BadLink);
        }
        Err(AccountError::AwaitingApproval) => {
            return state.refusal(lang, super::auth::Refusal::AwaitingApproval);
        }
        Err(e) => return state.staff_error(lang, &e),
    };
    if state
        .tokens
        .verify(&form.form_token, state.clock.now())
        .is_err()
    {
        let error = Some(state.i18n.t(lang, "staff-form-expired", None));
        return state.setup_form(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            &token,
            &row.username,
            error,
        );
    }
    if form.password != form.confirm {
        let error = Some(state.i18n.t(lang, "password-mismatch", None));
        return state.setup_form(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            &token,
            &row.username,
            error,
        );
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
            response
        }
        Err(AccountError::WeakPassword(problem)) => {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("min", crate::staff::password::MIN_LENGTH as i64);
            let error = Some(state.i18n.t(lang, problem.code(), Some(&args)));
            state.setup_form(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang,
                &token,
                &row.username,
                error,
            )
        }
        Err(e) => state.staff_error(lang, &e),
    }
}

impl AppState {
    async fn enrol_form(
        &self,
        session: &sessions::Session,
        status: StatusCode,
        error: bool,
    ) -> Response {
        let lang = crate::intake::report::language_or_default(&session.user.language);
        // Reuse the pending secret of this session, or make one.
        let secret = match app::accounts::pending_totp(&self.app(), session).await {
            Ok(secret) => secret,
            Err(e) => return self.staff_error(lang, &e),
        };
        let issuer = self.i18n.t(lang, "site-name", None);
        let uri = totp::provisioning_uri(&secret, &issuer, &session.user.username);
        let ctx = context! {
            qr => minijinja::Value::from_safe_string(totp::qr_svg(&uri, &self.i18n.t(lang, "staff-enrol-qr-label", None))),
            secret => secret.display_base32(),
            error => error.then(|| self.i18n.t(lang, "staff-enrol-wrong-code", None)),
            csrf => session.csrf_token.clone(),
            ..self.staff_public_context(lang, "/staff/enrol?")
        };
        self.render(status, "staff/enrol.html", ctx)
    }
}

pub async fn enrol_page(
    State(state): State<AppState>,
    AnySession(mut session): AnySession,
    Query(q): Query<PageQuery>,
) -> Response {
    if session.stage == Stage::Full {
        return Redirect::to("/staff").into_response();
    }
    // The language links on this page change the account's language too.
    if let Some(lang) = q.lang.as_deref() {
        let lang = crate::intake::report::language_or_default(lang);
        if let Err(e) = repo::set_language(&state.db, &session.user.id, lang).await {
            return state.staff_error(lang, &e);
        }
        session.user.language = lang.to_owned();
    }
    state.enrol_form(&session, StatusCode::OK, false).await
}

#[derive(Deserialize)]
pub struct EnrolForm {
    csrf: String,
    code: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    Form(form): Form<EnrolForm>,
) -> Response {
    let lang = session.user.language.clone();
    let session = StaffSession(session);
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(&lang, super::auth::Refusal::BadCsrf);
    }
    let session = session.0;
    if session.stage == Stage::Full {
        return Redirect::to("/staff").into_response();
    }
    match app::accounts::enrol(&state.app(), &session, &form.code).await {
        Ok(Enrolled::Done(cookie)) => {
            // Every session of the account ended; this browser goes on with a fresh id.
            let mut response = Redirect::to("/staff").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.session_cookie(&cookie));
            response
        }
        Ok(Enrolled::SessionOver) => {
            let mut response = Redirect::to("/staff/sign-in").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.cleared_cookie());
            response
        }
        Ok(Enrolled::WrongCode) => {
            state
                .enrol_form(&session, StatusCode::UNPROCESSABLE_ENTITY, true)
                .await
        }
        Err(e) => state.staff_error(&lang, &e),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    csrf: String,
    language: String,
}

pub async fn language(
    State(state): State<AppState>,
    session: StaffSession,
    Form(form): Form<LanguageForm>,
) -> Response {
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(&session.0.user.language, super::auth::Refusal::BadCsrf);
    }
    let lang = crate::intake::report::language_or_default(&form.language);
    if let Err(e) = repo::set_language(&state.db, &session.0.user.id, lang).await {
        return state.staff_error(lang, &e);
    }
    Redirect::to("/staff").into_response()
}
