//! The back office under `/staff/`: sign-in with a second factor, the triage queue, the case
//! view and its actions, the audit trail for auditors, and account management for admins.
//! Every route resolves the session in [`auth`] and asks the role policy before acting.

pub mod account;
pub mod actions;
pub mod admin;
pub mod assessment;
pub mod auth;
pub mod case;
pub mod cluster;
pub mod queue;
pub mod search;
pub mod security;

use super::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The staff routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(queue::queue))
        .route("/staff/", get(queue::queue))
        .route(
            "/staff/sign-in",
            get(account::sign_in_page).post(account::sign_in),
        )
        .route("/staff/sign-in/passkey", post(security::sign_in_options))
        .route("/staff/sign-out", post(account::sign_out))
        .route("/staff/security", get(security::page))
        .route(
            "/staff/security/passkeys/options",
            post(security::registration_options),
        )
        .route("/staff/security/passkeys", post(security::add))
        .route(
            "/staff/security/passkeys/{id}/rename",
            post(security::rename),
        )
        .route(
            "/staff/security/passkeys/{id}/remove",
            post(security::remove),
        )
        .route(
            "/staff/security/recovery-codes",
            post(security::recovery_codes),
        )
        .route("/staff/security/require-passkeys", post(security::require))
        .route(
            "/staff/setup/{token}",
            get(account::setup_page).post(account::setup),
        )
        .route(
            "/staff/enrol",
            get(account::enrol_page).post(account::enrol),
        )
        .route("/staff/language", post(account::language))
        .route("/staff/search", get(search::search))
        .route("/staff/reports/{id}", get(case::case_view))
        .route("/staff/reports/{id}/claim", post(actions::claim))
        .route("/staff/reports/{id}/assign", post(actions::assign))
        .route("/staff/reports/{id}/status", post(actions::status))
        .route("/staff/reports/{id}/restrict", post(actions::restrict))
        .route("/staff/reports/{id}/notes", post(actions::add_note))
        .route("/staff/reports/{id}/messages", post(actions::message))
        .route("/staff/reports/{id}/links", post(actions::link))
        .route("/staff/reports/{id}/cluster", get(cluster::page))
        .route(
            "/staff/reports/{id}/assessment",
            get(assessment::page).post(assessment::submit),
        )
        .route(
            "/staff/reports/{id}/attachments/{attachment}",
            get(case::attachment),
        )
        .route("/staff/audit", get(admin::audit))
        .route("/staff/users", get(admin::users).post(admin::add_user))
        .route("/staff/users/{username}/disable", post(admin::disable))
        .route("/staff/users/{username}/reset", post(admin::reset))
        .route("/staff/approvals", get(admin::approvals))
        .route("/staff/approvals/{username}/approve", post(admin::approve))
}

use crate::staff::policy::{Action, allowed};
use crate::staff::sessions::Session;
use crate::web::i18n::LANGUAGES;
use minijinja::{Value, context};

impl AppState {
    /// What every staff page needs before sign-in: language and the language links.
    pub(crate) fn staff_public_context(&self, lang: &'static str, path: &str) -> Value {
        let languages: Vec<Value> = LANGUAGES
            .iter()
            .map(|code| {
                context! {
                    code, name => self.i18n.t(code, "language-name", None),
                    href => format!("{path}lang={code}"), current => *code == lang,
                }
            })
            .collect();
        context! { lang, languages, signed_in => false }
    }

    /// What every signed-in staff page needs: the user, their navigation and CSRF token.
    pub(crate) fn staff_context(&self, session: &Session) -> Value {
        let lang = crate::types::language_or_default(&session.user.language);
        let actor = session.user.actor();
        let languages: Vec<Value> = LANGUAGES
            .iter()
            .map(|code| context! { code, name => self.i18n.t(code, "language-name", None), current => *code == lang })
            .collect();
        context! {
            lang, languages,
            signed_in => true,
            username => session.user.username.clone(),
            role_key => format!("role-{}", session.user.role.as_str()),
            csrf => session.csrf_token.clone(),
            nav_queue => allowed(&actor, Action::ViewQueue, None),
            nav_search => allowed(&actor, Action::ViewQueue, None),
            nav_audit => allowed(&actor, Action::ViewAudit, None),
            nav_users => allowed(&actor, Action::ManageUsers, None),
            nav_approvals => allowed(&actor, Action::ApproveAccounts, None),
            nav_security => true,
        }
    }

    /// The use cases of [`crate::app`], on this server's database, audit trail, keys and clock.
    pub(crate) fn app(&self) -> crate::app::App<'_> {
        crate::app::App {
            db: &self.db,
            audit: &self.audit,
            sealer: self.intake.sealer(),
            factors: &self.factors,
            catalogue: self.intake.catalogue(),
            clock: &self.clock,
            terms: self.intake.term_index(),
            notifier: self.notifier.as_ref(),
        }
    }
}
