//! What admins and supervisors do to accounts: add one, disable one, reset one, approve one that
//! reads report content. Each checks the policy for the acting user and writes its change and its
//! audit entries in one transaction. Also the entries of a staff member's own sign-in, sign-out,
//! password and second factor.

use super::{App, CaseError, commit};
use crate::staff::accounts::{self, AccountError, Added, GrantedBy, Reset};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor, Role, allowed};

/// Why an account action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The acting user's role may not do this.
    #[error("this user may not manage accounts this way")]
    Forbidden,
    /// The account action itself was refused (bad username, taken, no such user…).
    #[error("{0}")]
    Account(#[from] AccountError),
    /// Nothing was changed: the audit trail could not record, or the database failed.
    #[error("{0}")]
    Case(#[from] CaseError),
}

fn may(actor: &Actor, action: Action) -> Result<(), AdminError> {
    if allowed(actor, action, None) {
        Ok(())
    } else {
        Err(AdminError::Forbidden)
    }
}

/// An admin adds an account; one that reads report content waits for a supervisor's approval,
/// and the trail says so.
pub async fn add_user(
    app: &App<'_>,
    admin: &Actor,
    username: &str,
    role: &str,
    language: &str,
) -> Result<Added, AdminError> {
    may(admin, Action::ManageUsers)?;
    let mut tx = app.begin().await?;
    let added = accounts::add_granted_in(
        tx.conn(),
        GrantedBy::Admin(admin),
        username,
        role,
        language,
        app.now(),
    )
    .await?;
    let role = added.role.as_str();
    let detail = format!("username={username} role={role}");
    app.record(&mut tx, &admin.user_id, AuditAction::UserAdd, None, &detail)
        .await?;
    if added.awaiting_approval {
        let detail = format!("username={username} role={role} by=add");
        app.record(
            &mut tx,
            &admin.user_id,
            AuditAction::UserContentAccessRequested,
            None,
            &detail,
        )
        .await?;
    }
    commit(tx).await?;
    Ok(added)
}

/// An admin disables an account and ends its sessions.
pub async fn disable_user(app: &App<'_>, admin: &Actor, username: &str) -> Result<(), AdminError> {
    may(admin, Action::ManageUsers)?;
    let mut tx = app.begin().await?;
    accounts::disable_in(tx.conn(), username).await?;
    let detail = format!("username={username}");
    app.record(
        &mut tx,
        &admin.user_id,
        AuditAction::UserDisable,
        None,
        &detail,
    )
    .await?;
    commit(tx).await?;
    Ok(())
}

/// An admin resets an account (credentials cleared, sessions ended, a new set-up link); one that
/// reads report content waits for a supervisor's approval again.
pub async fn reset_user(app: &App<'_>, admin: &Actor, username: &str) -> Result<Reset, AdminError> {
    may(admin, Action::ManageUsers)?;
    let mut tx = app.begin().await?;
    let reset = accounts::reset_granted_in(
        app.db,
        tx.conn(),
        GrantedBy::Admin(admin),
        username,
        app.now(),
    )
    .await?;
    let detail = format!("username={username}");
    app.record(
        &mut tx,
        &admin.user_id,
        AuditAction::UserReset,
        None,
        &detail,
    )
    .await?;
    if reset.awaiting_approval {
        let detail = format!("username={username} role={} by=reset", reset.role.as_str());
        app.record(
            &mut tx,
            &admin.user_id,
            AuditAction::UserContentAccessRequested,
            None,
            &detail,
        )
        .await?;
    }
    commit(tx).await?;
    Ok(reset)
}

/// A supervisor approves an account an admin gave a role that reads report content.
pub async fn approve(app: &App<'_>, approver: &Actor, username: &str) -> Result<Role, AdminError> {
    may(approver, Action::ApproveAccounts)?;
    let mut tx = app.begin().await?;
    let role = match accounts::approve_in(app.db, tx.conn(), approver, username, app.now()).await {
        Ok(role) => role,
        Err(AccountError::NotAllowed) => return Err(AdminError::Forbidden),
        Err(e) => return Err(e.into()),
    };
    let detail = format!("username={username} role={}", role.as_str());
    app.record(
        &mut tx,
        &approver.user_id,
        AuditAction::UserContentAccessApproved,
        None,
        &detail,
    )
    .await?;
    commit(tx).await?;
    Ok(role)
}

/// Records what a staff member did to their own account or session (signed in, signed out, set
/// a password, enrolled the second factor), after it happened. The change stands even when the
/// trail cannot record it (the person would otherwise be locked out by a full disk); the failure
/// is logged for the administrator.
pub async fn record_own(app: &App<'_>, user_id: &str, action: AuditAction, detail: &str) {
    if let Err(e) = app.audit_alone(user_id, action, None, detail).await {
        tracing::error!(error = %e, action = action.as_str(), "audit append");
    }
}

/// An auditor opened the audit trail. The page shows it even when the entry cannot be written
/// (as before); the failure is logged.
pub async fn record_audit_view(app: &App<'_>, auditor: &Actor) {
    record_own(app, &auditor.user_id, AuditAction::AuditView, "").await;
}
