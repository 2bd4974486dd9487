//! The web layer: routes, page rendering, translations, the reporting API, security headers and
//! rate limits. Handlers turn HTTP into calls on [`crate::intake`] and back; no business rule
//! lives here.
//!
//! Owns: routes, pages, forms, the API and problem+json, translations, templates, security headers, rate limits, serving.
//! May use: every room below it, `app` included; nothing uses `web` but `cli` (see `LAYERS` in `src/lib.rs`).

pub mod api;
pub mod csrf;
pub mod dates;
pub mod error;
pub mod followup;
pub mod followup_api;
pub mod form;
pub mod guard;
pub mod i18n;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod security;
pub mod serve;
pub mod staff;
pub mod templates;

use crate::clock::SharedClock;
use crate::intake::help::HelpNumber;
use crate::intake::submit::Intake;
use crate::seal::TokenIssuer;
use crate::store::Db;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post};
use i18n::I18n;
use security::RateLimits;
use std::sync::Arc;
use templates::Templates;

/// Most attachments in one report.
pub const MAX_FILES: usize = 5;
/// Largest request body accepted for a report with attachments.
pub const MAX_BODY: usize =
    MAX_FILES * crate::intake::attachments::MAX_ATTACHMENT_BYTES + 1024 * 1024;
/// Largest request body accepted where no files come along (sign-ins, staff forms, messages
/// without attachments): the longest text fields fit with room to spare.
pub const SMALL_BODY: usize = 256 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The shared parts of [`AppState`].
pub struct Shared {
    pub db: Db,
    pub intake: Intake,
    pub tokens: TokenIssuer,
    pub i18n: Arc<I18n>,
    pub templates: Templates,
    pub help_numbers: Vec<HelpNumber>,
    pub limits: RateLimits,
    pub clock: SharedClock,
    /// Where the quick-exit button leads.
    pub exit_url: String,
    /// Turns an API client's Idempotency-Key into a submission seed.
    pub api_idempotency_key: crate::seal::keys::Secret32,
    /// Passkeys and recovery codes of staff.
    pub factors: crate::staff::passkeys::SecondFactors,
    /// The tamper-evident audit trail.
    pub audit: crate::staff::audit::AuditLog,
    /// The limits in front of staff sign-in, and the folding of failures in the audit trail.
    pub sign_in_gate: Arc<crate::staff::throttle::SignInGate>,
    /// Staff session lifetimes.
    pub session_policy: crate::staff::sessions::SessionPolicy,
    /// The deadlines the hotline promises.
    pub deadlines: crate::triage::deadlines::DeadlinePolicy,
    /// The address people use to reach this instance (for set-up links).
    pub public_url: String,
    /// Mark the staff cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Reporter session lifetimes.
    pub reporter_sessions: crate::followup::signin::ReporterSessionPolicy,
    /// Sends the content-free e-mail notice, when an SMTP server is configured.
    pub notifier: Option<crate::followup::notice::Notifier>,
    /// Connection and request bounds (the request deadlines are applied by the router).
    pub serve_limits: serve::ServeLimits,
    /// Cleans attachments within time, memory and parallelism limits.
    pub cleaner: crate::intake::cleaning::Cleaner,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

/// All routes with their limits and security headers. Every route takes small bodies, except
/// the few that upload files ([`serve::UPLOAD_ROUTES`]).
pub fn router(state: AppState) -> Router {
    let uploads = || DefaultBodyLimit::max(MAX_BODY);
    Router::new()
        .route("/", get(pages::landing))
        .route(
            "/report",
            get(pages::report_form).post(pages::submit_report.layer(uploads())),
        )
        .route("/exit", get(pages::quick_exit))
        .route(
            "/followup",
            get(followup::signin_page).post(followup::signin),
        )
        .route("/followup/report", get(followup::report))
        .route(
            "/followup/report/messages",
            post(followup::add_message.layer(uploads())),
        )
        .route("/followup/report/notify", post(followup::notify))
        .route("/followup/sign-out", post(followup::sign_out))
        .route("/followup/exit", get(followup::quick_exit))
        .route(
            "/api/v1/followup/session",
            post(followup_api::open_session).delete(followup_api::close_session),
        )
        .route("/api/v1/followup", get(followup_api::read))
        .route(
            "/api/v1/followup/messages",
            post(followup_api::post_message),
        )
        .route("/healthz", get(pages::health))
        .route("/static/{file}", get(pages::static_file))
        .route("/api/v1/reports", post(api::create_report.layer(uploads())))
        .route("/api/v1/openapi.json", get(api::openapi))
        .merge(staff::routes())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            serve::deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::site_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(axum::middleware::from_fn(security::log_request))
        .layer(security::headers())
        .with_state(state)
}
