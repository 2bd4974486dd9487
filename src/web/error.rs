//! One error type per surface, each the one place its statuses are chosen: [`PageError`] for
//! the public pages, [`StaffError`] for the back office, [`super::problem::Problem`] for the
//! JSON API. Handlers return `Result<_, ThatError>` and use `?`. A page that keeps what was
//! typed (the report form, the follow-up pages, the staff sign-in, set-up and enrolment forms,
//! search, an assessment) shows itself again instead, with its message and the status of its
//! [`Refusal`], chosen here too; so are the plain answers of the health probe ([`Unhealthy`]),
//! of a request past its deadline ([`TimedOut`]) and of a page whose template failed
//! ([`RenderFailed`]). Handlers write only the statuses of success.
//!
//! A page needs the translations and templates to be drawn, which an `IntoResponse` cannot
//! reach: the error answers with its status and leaves itself in the response's extensions;
//! [`render_errors`], around every route, draws the translated page in the language the request
//! settled on ([`LangSlot`]). Internal causes are logged with a short reference and their kind;
//! the page shows only the reference and what to do next, never the cause.

use super::AppState;
use super::i18n::{LANGUAGES, Lang};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a person is told when a public page cannot do what they asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageProblem {
    NotFound,
    TooMany,
    TooLarge,
    BadRequest,
    Internal,
    /// A state-changing request sent from another site (see [`super::guard`]).
    CrossSite,
}

impl PageProblem {
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::CrossSite => StatusCode::FORBIDDEN,
        }
    }

    /// The Fluent key prefix: `<prefix>-title` and `<prefix>-text`.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotFound => "page-not-found",
            Self::TooMany => "too-many",
            Self::TooLarge => "too-large",
            Self::BadRequest => "bad-request",
            Self::Internal => "server-error",
            Self::CrossSite => "cross-site",
        }
    }
}

/// Why a page that keeps what was typed shows itself again, with its message, rather than a
/// message page: the status it answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Something typed needs correcting, or the form expired.
    Invalid,
    /// Too many attempts or messages for now.
    TooMany,
    /// The receipt, or the name, password or code, did not match.
    WrongCredentials,
    /// The form's submission filed another report before.
    Conflict,
    /// It could not be stored or checked now; trying again may work.
    Unavailable,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Self::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::WrongCredentials => StatusCode::UNAUTHORIZED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// The health probe's answer when the database does not answer: plain text, for machines.
#[derive(Debug, Clone, Copy)]
pub struct Unhealthy;

impl IntoResponse for Unhealthy {
    fn into_response(self) -> Response {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
    }
}

/// A request that outlived its deadline (see [`super::serve::deadline`]): plain text, since it
/// may be cut off anywhere, before its language or its surface is known.
#[derive(Debug, Clone, Copy)]
pub struct TimedOut;

impl IntoResponse for TimedOut {
    fn into_response(self) -> Response {
        (StatusCode::REQUEST_TIMEOUT, "request timeout").into_response()
    }
}

/// A page whose template failed to draw: plain text with the reference of the logged cause,
/// since no template can be trusted to draw it.
#[derive(Debug, Clone)]
pub struct RenderFailed {
    pub reference: String,
}

impl IntoResponse for RenderFailed {
    fn into_response(self) -> Response {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("error {}", self.reference),
        )
            .into_response()
    }
}

/// A public page that could not be shown: a translated message page in the reporter's
/// language. Pages that keep what was typed (the report form, the follow-up pages) show
/// themselves again instead; this is for what has nothing to keep.
#[derive(Debug, Clone)]
pub struct PageError {
    pub problem: PageProblem,
    /// The language, when the handler knows better than the request (a form's own field).
    pub lang: Option<&'static str>,
    /// The reference of a logged internal cause.
    pub reference: Option<String>,
}

impl PageError {
    /// Something inside failed: logged under a reference the page shows.
    pub fn internal(kind: &str, error: &dyn std::error::Error) -> Self {
        Self {
            reference: Some(log_internal(kind, error)),
            ..Self::from(PageProblem::Internal)
        }
    }

    /// The page in `lang`.
    pub fn lang(mut self, lang: &'static str) -> Self {
        self.lang = Some(lang);
        self
    }
}

impl From<PageProblem> for PageError {
    fn from(problem: PageProblem) -> Self {
        Self {
            problem,
            lang: None,
            reference: None,
        }
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::internal("store", &e)
    }
}

impl From<super::form::FormError> for PageError {
    fn from(e: super::form::FormError) -> Self {
        match e {
            super::form::FormError::TooLarge => PageProblem::TooLarge.into(),
            super::form::FormError::Malformed => PageProblem::BadRequest.into(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = self.problem.status().into_response();
        response.extensions_mut().insert(Unrendered::Page(self));
        response
    }
}

/// What went wrong on a staff page. For a report, a refusal looks like a report that does
/// not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffProblem {
    NotFound,
    Forbidden,
    BadCsrf,
    Conflict,
    /// The audit trail cannot record right now, so nothing is shown or changed.
    AuditUnavailable,
    /// A set-up link that is used up, expired or unknown.
    BadLink,
    /// A set-up link of an account that waits for a supervisor's approval.
    AwaitingApproval,
    /// Something failed inside; the cause is in the log under this reference.
    Internal {
        reference: String,
    },
    /// The session could not be checked (the database did not answer).
    Unavailable {
        reference: String,
    },
}

impl StaffProblem {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::BadLink => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::BadCsrf | Self::AwaitingApproval => StatusCode::FORBIDDEN,
            Self::Conflict => StatusCode::CONFLICT,
            Self::AuditUnavailable | Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The Fluent key prefix: `<prefix>-title` and `<prefix>-text`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::NotFound => "staff-not-found",
            Self::Forbidden => "staff-forbidden",
            Self::BadCsrf => "staff-bad-csrf",
            Self::Conflict => "staff-conflict",
            Self::AuditUnavailable => "staff-audit-unavailable",
            Self::BadLink => "staff-bad-link",
            Self::AwaitingApproval => "staff-awaiting-approval",
            Self::Internal { .. } | Self::Unavailable { .. } => "staff-error",
        }
    }

    fn reference(&self) -> Option<&str> {
        match self {
            Self::Internal { reference } | Self::Unavailable { reference } => Some(reference),
            _ => None,
        }
    }
}

/// A staff page that could not do what was asked: a translated page in the staff member's
/// language with, for an internal failure, only a reference to quote.
#[derive(Debug, Clone)]
pub struct StaffError {
    pub problem: StaffProblem,
    /// The language, when there is no session to take it from (sign-in, set-up).
    pub lang: Option<&'static str>,
}

impl StaffError {
    /// Something inside failed: logged with its kind under a reference the page shows.
    pub fn internal(kind: &str, error: &dyn std::error::Error) -> Self {
        StaffProblem::Internal {
            reference: log_internal(kind, error),
        }
        .into()
    }

    /// The page in `lang`.
    pub fn lang(mut self, lang: &'static str) -> Self {
        self.lang = Some(lang);
        self
    }
}

impl From<StaffProblem> for StaffError {
    fn from(problem: StaffProblem) -> Self {
        Self {
            problem,
            lang: None,
        }
    }
}

impl From<crate::store::StoreError> for StaffError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::internal("store", &e)
    }
}

impl From<crate::staff::audit::AuditError> for StaffError {
    fn from(e: crate::staff::audit::AuditError) -> Self {
        Self::internal("audit", &e)
    }
}

impl From<crate::seal::SealError> for StaffError {
    fn from(e: crate::seal::SealError) -> Self {
        Self::internal("seal", &e)
    }
}

impl From<crate::staff::accounts::AccountError> for StaffError {
    fn from(e: crate::staff::accounts::AccountError) -> Self {
        use crate::staff::accounts::AccountError;
        match e {
            AccountError::BadSetupLink => StaffProblem::BadLink.into(),
            AccountError::AwaitingApproval => StaffProblem::AwaitingApproval.into(),
            AccountError::NotAllowed => StaffProblem::Forbidden.into(),
            e => Self::internal("account", &e),
        }
    }
}

impl From<crate::app::CaseError> for StaffError {
    fn from(e: crate::app::CaseError) -> Self {
        use crate::app::CaseError;
        match e {
            CaseError::NotFound => StaffProblem::NotFound.into(),
            CaseError::Forbidden => StaffProblem::Forbidden.into(),
            CaseError::Conflict => StaffProblem::Conflict.into(),
            CaseError::AuditUnavailable(e) => {
                log_internal("audit append", &e);
                StaffProblem::AuditUnavailable.into()
            }
            CaseError::Store(e) => e.into(),
        }
    }
}

impl From<crate::app::accounts::AdminError> for StaffError {
    fn from(e: crate::app::accounts::AdminError) -> Self {
        use crate::app::accounts::AdminError;
        match e {
            AdminError::Forbidden => StaffProblem::Forbidden.into(),
            AdminError::Account(e) => e.into(),
            AdminError::Case(e) => e.into(),
        }
    }
}

impl IntoResponse for StaffError {
    fn into_response(self) -> Response {
        let mut response = self.problem.status().into_response();
        response.extensions_mut().insert(Unrendered::Staff(self));
        response
    }
}

/// An error response whose page is still to be drawn by [`render_errors`].
#[derive(Debug, Clone)]
enum Unrendered {
    Page(PageError),
    Staff(StaffError),
}

/// The language a request settled on, shared between the extractors that learn it (the
/// staff session knows its member's language) and [`render_errors`], which draws error
/// pages in it. Starts as the request's own choice ([`Lang`]'s rule).
#[derive(Debug, Clone)]
pub struct LangSlot(Arc<AtomicUsize>);

impl LangSlot {
    fn new(lang: &'static str) -> Self {
        Self(Arc::new(AtomicUsize::new(Self::index(lang))))
    }

    fn index(lang: &str) -> usize {
        LANGUAGES.iter().position(|l| *l == lang).unwrap_or(0)
    }

    /// Error pages of this request are drawn in `lang` from now on.
    pub fn set(&self, lang: &'static str) {
        self.0.store(Self::index(lang), Ordering::Relaxed);
    }

    pub fn get(&self) -> &'static str {
        LANGUAGES
            .get(self.0.load(Ordering::Relaxed))
            .copied()
            .unwrap_or("en")
    }
}

/// Draws the page of every [`PageError`] and [`StaffError`] answered inside, keeping the
/// status and headers the error and the handler chose.
pub async fn render_errors(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = LangSlot::new(Lang::of_parts(request.uri(), request.headers()).0);
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    let Some(unrendered) = response.extensions_mut().remove::<Unrendered>() else {
        return response;
    };
    let drawn = match unrendered {
        Unrendered::Page(e) => {
            state.problem_page(e.lang.unwrap_or_else(|| slot.get()), e.problem, e.reference)
        }
        Unrendered::Staff(e) => {
            state.staff_problem_page(e.lang.unwrap_or_else(|| slot.get()), &e.problem)
        }
    };
    let (mut parts, _) = response.into_parts();
    let (drawn_parts, body) = drawn.into_parts();
    parts.status = drawn_parts.status;
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
        parts.headers.remove(&name);
        if let Some(value) = drawn_parts.headers.get(&name) {
            parts.headers.insert(name, value.clone());
        }
    }
    Response::from_parts(parts, body)
}

impl AppState {
    /// The translated page of a staff problem: its title, what to do next, and for an internal
    /// failure the reference to quote — never the cause.
    pub(crate) fn staff_problem_page(
        &self,
        lang: &'static str,
        problem: &StaffProblem,
    ) -> Response {
        let key = problem.key();
        let ctx = minijinja::context! {
            title => self.i18n.t(lang, &format!("{key}-title"), None),
            text => self.i18n.t(lang, &format!("{key}-text"), None),
            reference => problem.reference(),
            ..self.staff_public_context(lang, "/staff?")
        };
        self.render(problem.status(), "staff/message.html", ctx)
    }
}

/// Logs an internal error with its kind and whole cause chain and returns a short random
/// reference to show. Causes come from the store, the keys or the mail server, never from what
/// a reporter typed; no address or receipt is ever part of them.
pub fn log_internal(kind: &str, error: &dyn std::error::Error) -> String {
    let reference = uuid::Uuid::now_v7().simple().to_string();
    // The last characters of a UUIDv7 are random; its start is a timestamp.
    let reference = reference
        .get(reference.len() - 10..)
        .unwrap_or("")
        .to_owned();
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::error!(reference, kind, error = chain, "internal error");
    reference
}
