//! The auditor's view of the audit trail (filterable by user and report) and the admin's
//! account management (list, add, disable, reset). Neither shows report content.

use super::auth::StaffSession;
use crate::app;
use crate::app::accounts::AdminError;
use crate::staff::accounts;
use crate::staff::audit::AuditFilter;
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Role};
use crate::store::staff as staff_repo;
use crate::types::{ReportId, UserId};
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::{StaffError, StaffProblem};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use std::collections::HashMap;

/// Audit entries per page.
const PAGE: i64 = 100;

/// Whether an audit action gives someone access to report content (the audit page flags it).
fn grants_content_access(action: &str) -> bool {
    AuditAction::parse(action).is_some_and(AuditAction::grants_content_access)
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    user: Option<String>,
    report: Option<String>,
    page: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    session: StaffSession,
    Query(q): Query<AuditQuery>,
) -> Result<Response, StaffError> {
    if !session.may(Action::ViewAudit, None) {
        return Err(StaffProblem::Forbidden.into());
    }
    let users = staff_repo::list_users(&state.db).await?;
    let names: HashMap<String, String> = users
        .iter()
        .map(|u| (u.id.to_string(), u.username.clone()))
        .collect();
    let by_name = q.user.as_deref().filter(|u| !u.is_empty());
    let actor = by_name.map(|name| {
        users
            .iter()
            .find(|u| u.username == name)
            .map_or_else(|| name.to_owned(), |u| u.id.to_string())
    });
    let filter = AuditFilter {
        actor,
        report_id: q
            .report
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(ReportId::from),
    };
    let page = q.page.unwrap_or(0).max(0);
    let records = state.audit.list(&filter, PAGE + 1, page * PAGE).await?;
    let more = records.len() as i64 > PAGE;
    let rows: Vec<Value> = records
        .iter()
        .take(PAGE as usize)
        .map(|r| {
            context! {
                seq => r.seq,
                at => time::OffsetDateTime::from_unix_timestamp(r.at).map(|t| t.to_string()).unwrap_or_default(),
                actor => names.get(&r.actor).cloned().unwrap_or_else(|| r.actor.clone()),
                action => r.action.clone(),
                report => r.report_id.clone(),
                detail => r.detail.clone(),
                content_access => grants_content_access(&r.action),
            }
        })
        .collect();
    app::accounts::record_audit_view(&state.app(), &session.0.user.actor()).await;
    let ctx = context! {
        rows, more, page,
        next_page => page + 1,
        prev_page => (page > 0).then(|| page - 1),
        filter_user => by_name.map(str::to_owned),
        filter_report => filter.report_id.clone(),
        ..state.staff_context(&session.0)
    };
    Ok(state.render(StatusCode::OK, "staff/audit.html", ctx))
}

/// A set-up link to show the admin once, with what they must know about it.
struct SetupLink {
    name: String,
    url: String,
    /// The account is disabled and stays so: the link works only once it is enabled again.
    stays_disabled: bool,
    /// The link works only once a supervisor approves the account.
    awaiting_approval: bool,
}

impl AppState {
    async fn users_page(
        &self,
        session: &StaffSession,
        link: Option<SetupLink>,
        error: Option<String>,
    ) -> Result<Response, StaffError> {
        let users = staff_repo::list_users(&self.db).await?;
        let rows: Vec<Value> = users
            .iter()
            .map(|u| {
                context! {
                    username => u.username.clone(),
                    role_key => format!("role-{}", u.role),
                    disabled => u.disabled,
                    pending => u.password_hash.is_none() || u.totp_secret.is_none(),
                    awaiting_approval => u.approval_requested_by.is_some(),
                }
            })
            .collect();
        let ctx = context! {
            rows, error,
            link => link.map(|l| context! {
                name => l.name, url => l.url, stays_disabled => l.stays_disabled,
                awaiting_approval => l.awaiting_approval,
            }),
            roles => Role::ALL.iter().map(|r| context! { id => r.as_str(), key => format!("role-{}", r.as_str()) }).collect::<Vec<_>>(),
            ..self.staff_context(&session.0)
        };
        Ok(self.render(StatusCode::OK, "staff/users.html", ctx))
    }

    fn setup_url(&self, token: &str) -> String {
        format!(
            "{}/staff/setup/{token}",
            self.public_url.trim_end_matches('/')
        )
    }
}

pub async fn users(
    State(state): State<AppState>,
    session: StaffSession,
) -> Result<Response, StaffError> {
    if !session.may(Action::ManageUsers, None) {
        return Err(StaffProblem::Forbidden.into());
    }
    state.users_page(&session, None, None).await
}

#[derive(Deserialize)]
pub struct AddUserForm {
    username: String,
    role: String,
    #[serde(default)]
    language: String,
}

pub async fn add_user(
    State(state): State<AppState>,
    session: StaffSession,
    CsrfForm(form): CsrfForm<AddUserForm>,
) -> Result<Response, StaffError> {
    let username = form.username.trim().to_owned();
    let admin = session.0.user.actor();
    let added =
        app::accounts::add_user(&state.app(), &admin, &username, &form.role, &form.language).await;
    match added {
        Ok(added) => {
            let link = SetupLink {
                url: state.setup_url(&added.token),
                name: username,
                stays_disabled: false,
                awaiting_approval: added.awaiting_approval,
            };
            state.users_page(&session, Some(link), None).await
        }
        Err(e) => admin_error(&state, &session, e).await,
    }
}

/// The page for an account action that did not happen: the users page saying why, or the
/// refusal or error page.
async fn admin_error(
    state: &AppState,
    session: &StaffSession,
    e: AdminError,
) -> Result<Response, StaffError> {
    let lang = &session.0.user.language;
    match e {
        AdminError::Forbidden => Err(StaffProblem::Forbidden.into()),
        AdminError::Account(e) => {
            let text = state.account_error_text(lang, &e);
            state.users_page(session, None, Some(text)).await
        }
        AdminError::Case(e) => Err(e.into()),
    }
}

pub async fn disable(
    State(state): State<AppState>,
    session: StaffSession,
    Path(username): Path<String>,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    let admin = session.0.user.actor();
    match app::accounts::disable_user(&state.app(), &admin, &username).await {
        Ok(()) => Ok(Redirect::to("/staff/users").into_response()),
        Err(e) => admin_error(&state, &session, e).await,
    }
}

pub async fn reset(
    State(state): State<AppState>,
    session: StaffSession,
    Path(username): Path<String>,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    let admin = session.0.user.actor();
    match app::accounts::reset_user(&state.app(), &admin, &username).await {
        Ok(reset) => {
            let link = SetupLink {
                url: state.setup_url(&reset.token),
                name: username,
                stays_disabled: reset.stays_disabled,
                awaiting_approval: reset.awaiting_approval,
            };
            state.users_page(&session, Some(link), None).await
        }
        Err(e) => admin_error(&state, &session, e).await,
    }
}

impl AppState {
    /// An account error in the admin's language.
    fn account_error_text(&self, lang: &str, e: &accounts::AccountError) -> String {
        use accounts::AccountError::*;
        let key = match e {
            BadUsername => "staff-error-username",
            BadRole => "staff-error-role",
            Taken(_) => "staff-error-taken",
            NoSuchUser(_) => "staff-error-no-such-user",
            NothingToApprove(_) => "staff-error-nothing-to-approve",
            _ => "staff-error-title",
        };
        self.i18n.t(lang, key, None)
    }
}

/// The accounts waiting for a supervisor's approval.
pub async fn approvals(
    State(state): State<AppState>,
    session: StaffSession,
) -> Result<Response, StaffError> {
    if !session.may(Action::ApproveAccounts, None) {
        return Err(StaffProblem::Forbidden.into());
    }
    state.approvals_page(&session, None).await
}

impl AppState {
    async fn approvals_page(
        &self,
        session: &StaffSession,
        error: Option<String>,
    ) -> Result<Response, StaffError> {
        let waiting = accounts::awaiting_approval(&self.db).await?;
        let users = staff_repo::list_users(&self.db).await?;
        let names: HashMap<&str, &str> = users
            .iter()
            .map(|u| (u.id.as_str(), u.username.as_str()))
            .collect();
        let rows: Vec<Value> = waiting
            .iter()
            .map(|u| {
                let by = u.approval_requested_by.as_ref().map_or("", UserId::as_str);
                context! {
                    username => u.username.clone(),
                    role_key => format!("role-{}", u.role),
                    requested_by => names.get(by).copied().unwrap_or(by),
                    requested_at => u.approval_requested_at
                        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
                        .map(|t| t.to_string()),
                }
            })
            .collect();
        let ctx = context! { rows, error, ..self.staff_context(&session.0) };
        Ok(self.render(StatusCode::OK, "staff/approvals.html", ctx))
    }
}

/// A supervisor approves an account; audited.
pub async fn approve(
    State(state): State<AppState>,
    session: StaffSession,
    Path(username): Path<String>,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    let lang = session.0.user.language.clone();
    let approver = session.0.user.actor();
    match app::accounts::approve(&state.app(), &approver, &username).await {
        Ok(_) => Ok(Redirect::to("/staff/approvals").into_response()),
        Err(AdminError::Forbidden) => Err(StaffProblem::Forbidden.into()),
        Err(AdminError::Account(e @ accounts::AccountError::NothingToApprove(_))) => {
            let text = state.account_error_text(&lang, &e);
            state.approvals_page(&session, Some(text)).await
        }
        Err(AdminError::Account(e)) => Err(e.into()),
        Err(AdminError::Case(e)) => Err(e.into()),
    }
}
