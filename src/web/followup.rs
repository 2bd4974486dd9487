//! The reporter's way back, under `/followup`: sign in with the receipt, read the status in
//! plain words and the conversation, answer and add files, ask for a content-free e-mail notice,
//! sign out. One session cookie, scoped to `/followup`; the quick exit on these pages passes
//! through `/followup/exit`, which ends the session and clears it.

use super::csrf::{self, CsrfForm, ExpectedCsrf, Surface};
use super::error::{PageError, PageProblem, Refusal, log_internal};
use super::form::{self as public_form};
use super::i18n::Lang;
use super::pages::clean_files;
use super::{AppState, MAX_FILES};
use crate::followup::conversation::{self, MAX_MESSAGE, ReporterStatus};
use crate::followup::limits::{self, MessageLimits, Refused};
use crate::followup::signin::{self, ReporterSession};
use crate::intake::sealed::open_report_parts;
use crate::store::{followup as repo, reports};
use crate::types::ReportId;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{FromRequestParts, Multipart, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

/// The reporter session cookie (path `/followup`, no expiry date).
pub const COOKIE: &str = "tipline_followup";

impl AppState {
    fn followup_cookie(&self, value: &str) -> HeaderValue {
        super::security::session_cookie(COOKIE, value, "/followup", self.secure_cookies)
    }

    fn cleared_followup_cookie(&self) -> HeaderValue {
        super::security::cleared_cookie(COOKIE, "/followup")
    }

    async fn reporter_session(&self, headers: &HeaderMap) -> Option<(String, ReporterSession)> {
        let token = super::security::cookie(headers, COOKIE)?;
        let now = self.clock.now().unix_timestamp();
        match signin::resolve(&self.db, &token, now, self.reporter_sessions).await {
            Ok(Some(session)) => Some((token, session)),
            Ok(None) => None,
            Err(e) => {
                log_internal("reporter session", &e);
                None
            }
        }
    }

    fn followup_page(
        &self,
        status: StatusCode,
        lang: &'static str,
        name: &str,
        ctx: Value,
    ) -> Response {
        // The last map wins: the follow-up pages' own quick exit over the public one.
        let ctx = minijinja::value::merge_maps([
            ctx,
            self.page_context(lang, "/followup?"),
            context! { exit_href => "/followup/exit" },
        ]);
        self.render(status, name, ctx)
    }
}

/// The reporter signed in with the request's cookie; without one, back to the sign-in page.
/// Their forms must carry the session's CSRF token ([`CsrfForm`]).
pub struct Reporter(pub ReporterSession);

impl FromRequestParts<AppState> for Reporter {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some((_, session)) = state.reporter_session(&parts.headers).await else {
            let Lang(lang) = Lang::of_parts(&parts.uri, &parts.headers);
            return Err(Redirect::to(&format!("/followup?lang={lang}")).into_response());
        };
        parts.extensions.insert(ExpectedCsrf {
            token: session.csrf_token.clone(),
            surface: Surface::Public,
        });
        Ok(Self(session))
    }
}

impl AppState {
    /// The identifiers a reporter's message brings, with the report's country as the default
    /// region for phone numbers.
    /// What a message brings to the indexes: the identifiers in a reporter's message (staff
    /// messages link nothing) and, from either side, its words for search, read in the
    /// report's language.
    pub(crate) async fn message_indexes(
        &self,
        report_id: &ReportId,
        text: &str,
        from_reporter: bool,
    ) -> (
        Vec<crate::store::links::IdentifierRow>,
        Vec<crate::types::postings::Posting>,
    ) {
        let triage = crate::store::cases::get(&self.db, report_id)
            .await
            .ok()
            .flatten()
            .map(|c| c.triage);
        let identifiers = if from_reporter {
            conversation::identifiers_in(
                self.intake.blind_index(),
                self.intake.sealer(),
                report_id,
                text,
                triage.as_ref().and_then(|t| t.country.as_deref()),
            )
        } else {
            Vec::new()
        };
        let language = triage.map(|t| t.language).unwrap_or_default();
        let postings = self
            .intake
            .term_index()
            .postings(&[crate::search::index::Text {
                text,
                language: &language,
            }]);
        (identifiers, postings)
    }

    /// The sign-in form, with `token` (the one just used, so that its attempts keep counting)
    /// or a fresh one.
    fn signin_form(
        &self,
        status: StatusCode,
        lang: &'static str,
        error: Option<&str>,
        typed: &str,
        token: Option<&str>,
    ) -> Response {
        let ctx = context! {
            form_token => token.map(str::to_owned).unwrap_or_else(|| self.tokens.issue(self.clock.now())),
            error => error.map(|k| self.i18n.t(lang, k, None)),
            typed,
        };
        self.followup_page(status, lang, "followup_signin.html", ctx)
    }
}

/// `GET /followup`.
pub async fn signin_page(
    State(state): State<AppState>,
    Lang(lang): Lang,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if state.reporter_session(&headers).await.is_some() {
        return Ok(Redirect::to(&format!("/followup/report?lang={lang}")).into_response());
    }
    if !state.limits.allow_form_issue() {
        return Err(PageProblem::TooMany.into());
    }
    Ok(state.signin_form(StatusCode::OK, lang, None, "", None))
}

#[derive(Deserialize)]
pub struct SignInForm {
    form_token: String,
    receipt: String,
    #[serde(default)]
    lang: String,
}

/// `POST /followup`: checks the receipt.
pub async fn signin(
    State(state): State<AppState>,
    asked: Lang,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = asked.or_explicit(&form.lang);
    if !state.limits.allow_receipt_attempt() {
        return state.signin_form(
            Refusal::TooMany.status(),
            lang,
            Some("followup-too-many"),
            &form.receipt,
            Some(&form.form_token),
        );
    }
    let Ok(verified) = state.tokens.verify(&form.form_token, state.clock.now()) else {
        return state.signin_form(
            Refusal::Invalid.status(),
            lang,
            Some("form-expired"),
            &form.receipt,
            None,
        );
    };
    if !state.limits.allow_signin_form(&verified.random) {
        return state.signin_form(
            Refusal::TooMany.status(),
            lang,
            Some("followup-too-many"),
            &form.receipt,
            Some(&form.form_token),
        );
    }
    let now = state.clock.now().unix_timestamp();
    match signin::sign_in(&state.db, state.intake.receipts(), &form.receipt, now).await {
        Ok(Some(token)) => {
            let mut response =
                Redirect::to(&format!("/followup/report?lang={lang}")).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, state.followup_cookie(&token));
            response
        }
        Ok(None) => state.signin_form(
            Refusal::WrongCredentials.status(),
            lang,
            Some("followup-wrong-receipt"),
            "",
            Some(&form.form_token),
        ),
        Err(e) => {
            log_internal("receipt sign-in", &e);
            state.signin_form(
                Refusal::Unavailable.status(),
                lang,
                Some("server-error-text"),
                &form.receipt,
                Some(&form.form_token),
            )
        }
    }
}

impl AppState {
    /// Why the reporter of `session` may not add a message with `file_bytes` of files now: the
    /// refusal and the Fluent key of the message to show, or `None` when they may.
    pub(crate) async fn message_refusal(
        &self,
        session: &ReporterSession,
        file_bytes: usize,
    ) -> Option<(Refusal, &'static str)> {
        if !self.limits.allow_message(&session.id_hash) {
            return Some((Refusal::TooMany, "error-too-many-messages"));
        }
        let s = self.limits.settings();
        let limits = MessageLimits::new(s.messages_per_report_per_day, s.attachment_mib_per_report);
        let now = self.clock.now().unix_timestamp();
        match limits::check(&self.db, limits, &session.report_id, file_bytes, now).await {
            Ok(None) => None,
            Ok(Some(Refused::TooManyMessages)) => {
                Some((Refusal::TooMany, "error-too-many-messages"))
            }
            Ok(Some(Refused::FilesFull)) => Some((Refusal::Invalid, "error-attachments-full")),
            Err(e) => {
                log_internal("message limits", &e);
                Some((Refusal::Unavailable, "form-store-failed"))
            }
        }
    }
}

/// What the report page shows besides the conversation.
#[derive(Default)]
struct ReportPage {
    error: Option<&'static str>,
    typed: String,
    files_dropped: Vec<String>,
    notice: Option<&'static str>,
}

impl AppState {
    async fn report_page(
        &self,
        lang: &'static str,
        session: &ReporterSession,
        status: StatusCode,
        page: ReportPage,
    ) -> Response {
        let loaded = async {
            let stored = reports::by_id(&self.db, &session.report_id)
                .await?
                .ok_or(crate::store::StoreError::Corrupt)?;
            let case = crate::store::cases::get(&self.db, &session.report_id)
                .await?
                .ok_or(crate::store::StoreError::Corrupt)?;
            // The page reads only whether there is an e-mail address; a damaged group reads as empty.
            let content = open_report_parts(self.intake.sealer(), &stored).content;
            let messages =
                conversation::read(&self.db, self.intake.sealer(), &session.report_id).await?;
            let (_, notify, _, _) = repo::flags(&self.db, &session.report_id).await?;
            Ok::<_, crate::store::StoreError>((case, content, messages, notify))
        };
        let (case, content, messages, notify) = match loaded.await {
            Ok(x) => x,
            Err(e) => {
                return PageError::internal("follow-up page", &e)
                    .lang(lang)
                    .into_response();
            }
        };
        let day = super::dates::day;
        let in_hand = case.assignee_id.is_some() || messages.iter().any(|m| m.from_hotline);
        let messages: Vec<Value> = messages
            .iter()
            .map(|m| context! { from_hotline => m.from_hotline, at => day(m.at), body => m.body.clone(), readable => m.readable })
            .collect();
        let has_email = content
            .contact
            .as_ref()
            .is_some_and(|c| !c.email.is_empty());
        let ctx = context! {
            status_key => ReporterStatus::from_status(&case.triage.status, in_hand).key(),
            report_language => case.triage.language.clone(),
            received => day(case.triage.received_at),
            acknowledged => case.acknowledged_at.map(day),
            messages, has_email, notify,
            csrf => session.csrf_token.clone(),
            error => page.error.map(|k| self.error_text(lang, k)),
            notice => page.notice.map(|k| self.i18n.t(lang, k, None)),
            typed => page.typed,
            files_dropped => (!page.files_dropped.is_empty()).then(|| page.files_dropped.join(", ")),
            max_files => MAX_FILES,
            max_mb => crate::intake::attachments::MAX_ATTACHMENT_BYTES / (1024 * 1024),
        };
        self.followup_page(status, lang, "followup_report.html", ctx)
    }
}

/// `GET /followup/report`.
pub async fn report(
    State(state): State<AppState>,
    Reporter(session): Reporter,
    Lang(lang): Lang,
) -> Response {
    state
        .report_page(lang, &session, StatusCode::OK, ReportPage::default())
        .await
}

/// `POST /followup/report/messages`: the reporter answers, with files if they like.
pub async fn add_message(
    State(state): State<AppState>,
    Reporter(session): Reporter,
    asked: Lang,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let multipart = multipart.map_err(|_| PageError::from(PageProblem::BadRequest))?;
    let form = public_form::read(multipart).await?;
    let lang = asked.or_explicit(&form.input.language);
    // A multipart form: its token travels as `form_token`.
    if !csrf::matches(&session.csrf_token, &form.token) {
        return Err(PageError::from(PageProblem::BadRequest).lang(lang));
    }
    Ok(message_page(&state, &session, lang, form).await)
}

/// Posts the reporter's message, or shows the page again with what they typed.
async fn message_page(
    state: &AppState,
    session: &ReporterSession,
    lang: &'static str,
    form: public_form::SubmittedForm,
) -> Response {
    let text = form.input.narrative.trim().to_owned();
    let names: Vec<String> = form
        .files
        .iter()
        .map(|f| f.name.clone())
        .filter(|n| !n.is_empty())
        .collect();
    let again = |error, typed: String| ReportPage {
        error: Some(error),
        typed,
        files_dropped: names.clone(),
        notice: None,
    };
    if text.is_empty() && form.files.is_empty() {
        return state
            .report_page(
                lang,
                session,
                Refusal::Invalid.status(),
                again("error-required", text),
            )
            .await;
    }
    if text.chars().count() > MAX_MESSAGE {
        return state
            .report_page(
                lang,
                session,
                Refusal::Invalid.status(),
                again("error-too-long", text),
            )
            .await;
    }
    if form.oversized_file {
        return state
            .report_page(
                lang,
                session,
                Refusal::Invalid.status(),
                again("error-attachment-too-large", text),
            )
            .await;
    }
    if form.files.len() > MAX_FILES {
        return state
            .report_page(
                lang,
                session,
                Refusal::Invalid.status(),
                again("error-attachment-too-many", text),
            )
            .await;
    }
    let file_bytes: usize = form.files.iter().map(|f| f.bytes.len()).sum();
    if let Some((refusal, code)) = state.message_refusal(session, file_bytes).await {
        return state
            .report_page(lang, session, refusal.status(), again(code, text))
            .await;
    }
    let files = match clean_files(state, form.files.into_iter().map(|f| f.bytes).collect()).await {
        Ok(f) => f,
        Err(e) => {
            let code = super::pages::attachment_code(&e);
            return state
                .report_page(lang, session, Refusal::Invalid.status(), again(code, text))
                .await;
        }
    };
    let now = state.clock.now().unix_timestamp();
    let (identifiers, postings) = state.message_indexes(&session.report_id, &text, true).await;
    match conversation::post(
        &state.db,
        state.intake.sealer(),
        conversation::Outgoing {
            report_id: &session.report_id,
            staff_id: None,
            body: &text,
            files,
            identifiers: &identifiers,
            postings: &postings,
        },
        now,
    )
    .await
    {
        Ok(_) => {
            Redirect::to(&format!("/followup/report?lang={lang}#conversation")).into_response()
        }
        Err(e) => {
            log_internal("reporter message", &e);
            state
                .report_page(
                    lang,
                    session,
                    Refusal::Unavailable.status(),
                    again("form-store-failed", text),
                )
                .await
        }
    }
}

#[derive(Deserialize)]
pub struct NotifyForm {
    #[serde(default)]
    notify: String,
    #[serde(default)]
    lang: String,
}

/// `POST /followup/report/notify`: the reporter turns the e-mail notice on or off.
pub async fn notify(
    State(state): State<AppState>,
    Reporter(session): Reporter,
    asked: Lang,
    CsrfForm(form): CsrfForm<NotifyForm>,
) -> Result<Response, PageError> {
    let lang = asked.or_explicit(&form.lang);
    repo::set_notify(&state.db, &session.report_id, form.notify == "yes")
        .await
        .map_err(|e| PageError::internal("notify flag", &e).lang(lang))?;
    let page = ReportPage {
        notice: Some(if form.notify == "yes" {
            "followup-notify-on"
        } else {
            "followup-notify-off"
        }),
        ..Default::default()
    };
    Ok(state
        .report_page(lang, &session, StatusCode::OK, page)
        .await)
}

#[derive(Deserialize)]
pub struct SignOutForm {
    csrf: String,
    #[serde(default)]
    lang: String,
}

/// `POST /followup/sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    asked: Lang,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Result<Response, PageError> {
    let lang = asked.or_explicit(&form.lang);
    // Signed in or not, the cookie goes: a form refused only when a session it does not
    // belong to is still open.
    if let Some((token, session)) = state.reporter_session(&headers).await {
        if !csrf::matches(&session.csrf_token, &form.csrf) {
            return Err(PageError::from(PageProblem::BadRequest).lang(lang));
        }
        if let Err(e) = signin::end(&state.db, &token).await {
            log_internal("reporter sign-out", &e);
        }
    }
    let mut response = Redirect::to(&format!("/followup?lang={lang}")).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cleared_followup_cookie());
    Ok(response)
}

/// `GET /followup/exit`: the quick exit from follow-up pages: ends the session, clears the
/// cookie and leaves for the neutral site.
pub async fn quick_exit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = super::security::cookie(&headers, COOKIE)
        && let Err(e) = signin::end(&state.db, &token).await
    {
        log_internal("reporter quick exit", &e);
    }
    let mut response = super::pages::quick_exit(State(state.clone())).await;
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cleared_followup_cookie());
    response
}
