//! What admins and supervisors do to accounts: add one, disable one, reset one, approve one that
//! reads report content. Each checks the policy for the acting user and writes its change and its
//! audit entries in one transaction. Also what a staff member does to their own account and
//! session: signing in, choosing the password and enrolling the second factor write their change
//! and its entry in one transaction too (a trail that cannot record refuses them, so no session or
//! credential ever exists without its trace); signing out is recorded after it happened, so that a
//! full trail never keeps anyone from ending a session.

use super::{App, CaseError, commit};
use crate::staff::accounts::{
    self, AccountError, Added, GrantedBy, Reset, SecondFactor, SignedIn, pending_totp_aad,
};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor, Role, allowed};
use crate::staff::sessions::{self, Session, Stage};
use crate::staff::throttle::SignInGate;
use crate::staff::totp::{self, TotpSecret};
use crate::store::StoreError;
use crate::store::staff as staff_repo;
use crate::types::UserId;

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

/// Records what a staff member did that must not wait for the trail (signed out, opened the
/// trail), after it happened. It stands even when the trail cannot record it; the failure is
/// logged for the administrator.
pub async fn record_own(app: &App<'_>, user_id: &UserId, action: AuditAction, detail: &str) {
    if let Err(e) = app.audit_alone(user_id, action, None, detail).await {
        tracing::error!(error = %e, action = action.as_str(), "audit append");
    }
}

/// An auditor opened the audit trail. The page shows it even when the entry cannot be written
/// (as before); the failure is logged.
pub async fn record_audit_view(app: &App<'_>, auditor: &Actor) {
    record_own(app, &auditor.user_id, AuditAction::AuditView, "").await;
}

/// Ends the session whose cookie came with a request that is about to start a new one, so a
/// session id planted or known before sign-in never gains privilege.
async fn end_presented(app: &App<'_>, presented: Option<&str>) -> Result<(), StoreError> {
    match presented {
        Some(cookie) => sessions::end_cookie(app.db, cookie).await,
        None => Ok(()),
    }
}

fn store(e: StoreError) -> AdminError {
    AdminError::Case(CaseError::Store(e))
}

/// Signs a staff member in with password and second factor (or only the password, when the
/// second factor is still to enrol): the session that came with the request ends, a new one
/// starts, and the trail records it, all in one transaction. `Ok(None)` when the sign-in failed
/// (recorded and folded by the gate); [`AccountError::Limited`] (as [`AdminError::Account`])
/// when a limit refused it before any password was checked; [`CaseError::AuditUnavailable`] (as
/// [`AdminError::Case`]) when the trail cannot record, and then nobody is signed in.
pub async fn sign_in(
    app: &App<'_>,
    gate: &SignInGate,
    username: &str,
    password: String,
    second: SecondFactor<'_>,
    presented: Option<&str>,
) -> Result<Option<(String, Stage)>, AdminError> {
    let now = app.now();
    let checked = accounts::check_sign_in(
        app.db,
        app.sealer,
        app.factors,
        gate,
        username,
        password,
        second,
        now,
    )
    .await?;
    let (user, stage, factor) = match checked {
        Some(SignedIn::Full(user, factor)) => (user, Stage::Full, Some(factor)),
        Some(SignedIn::MustAddPasskey(user, factor)) => (user, Stage::AddPasskey, Some(factor)),
        Some(SignedIn::MustEnrol(user)) => (user, Stage::Enrol, None),
        None => return Ok(None),
    };
    let detail = match factor {
        Some(factor) => format!("{} {}", stage.as_str(), factor.as_str()),
        None => stage.as_str().to_owned(),
    };
    let mut tx = app.begin().await?;
    if let Some(cookie) = presented {
        sessions::end_cookie_in(tx.conn(), cookie)
            .await
            .map_err(store)?;
    }
    let cookie = accounts::complete_sign_in_in(tx.conn(), &user.id, stage, now)
        .await
        .map_err(store)?;
    app.record(&mut tx, &user.id, AuditAction::SessionSignIn, None, &detail)
        .await?;
    commit(tx).await?;
    gate.succeeded(user.id.as_str()).await;
    Ok(Some((cookie, stage)))
}

/// Ends a session (signing out), recorded in the trail.
pub async fn sign_out(app: &App<'_>, session: &Session) -> Result<(), StoreError> {
    sessions::end(app.db, session).await?;
    record_own(app, &session.user.id, AuditAction::SessionSignOut, "").await;
    Ok(())
}

/// Chooses the password through a set-up link: the session that came with the request ends, and
/// the password, the use of the link, a session that must enrol the second factor (its cookie is
/// returned) and the entry recording it are written in one transaction.
pub async fn choose_password(
    app: &App<'_>,
    token: &str,
    password: String,
    presented: Option<&str>,
) -> Result<String, AdminError> {
    end_presented(app, presented).await.map_err(store)?;
    let now = app.now();
    let chosen = accounts::choose_password(app.db, token, password, now).await?;
    let user_id = &chosen.account.id;
    let mut tx = app.begin().await?;
    accounts::set_password_in(tx.conn(), &chosen).await?;
    let cookie = sessions::start_in(tx.conn(), user_id, Stage::Enrol, now)
        .await
        .map_err(store)?;
    app.record(&mut tx, user_id, AuditAction::UserPasswordSet, None, "")
        .await?;
    commit(tx).await?;
    Ok(cookie)
}

/// The second factor this session is enrolling: the one offered before, or a new one (kept
/// sealed with the session until it is confirmed).
pub async fn pending_totp(app: &App<'_>, session: &Session) -> Result<TotpSecret, StoreError> {
    if let Some(secret) = opened_pending(app, session) {
        return Ok(secret);
    }
    let fresh = TotpSecret::generate();
    let aad = pending_totp_aad(&session.user.id);
    let sealed = app.sealer.seal(&aad, fresh.as_bytes());
    staff_repo::set_pending_totp(app.db, &session.id_hash, &sealed).await?;
    Ok(fresh)
}

fn opened_pending(app: &App<'_>, session: &Session) -> Option<TotpSecret> {
    let sealed = session.pending_totp.as_ref()?;
    let bytes = app
        .sealer
        .open(&pending_totp_aad(&session.user.id), sealed)
        .ok()?;
    TotpSecret::from_bytes(bytes.to_vec())
}

/// How an enrolment ended.
#[derive(Debug)]
pub enum Enrolled {
    /// The second factor is set; every session of the account ended and this browser goes on
    /// with the returned cookie.
    Done(String),
    /// The code did not match the secret offered (or none was offered).
    WrongCode,
    /// Someone enrolled first: this session, from before that, is over.
    SessionOver,
}

/// Confirms the second factor offered to `session` with a code from the person's app; the
/// second factor, the sessions replaced and the entry recording it are written in one
/// transaction.
pub async fn enrol(app: &App<'_>, session: &Session, code: &str) -> Result<Enrolled, AdminError> {
    let Some(pending) = opened_pending(app, session) else {
        return Ok(Enrolled::WrongCode);
    };
    let now = app.now();
    // A wrong code is told as such without taking the trail's lock (or needing the trail).
    if totp::verify(&pending, code, now, None).is_none() {
        return Ok(Enrolled::WrongCode);
    }
    let user_id = &session.user.id;
    let mut tx = app.begin().await?;
    let confirmed =
        accounts::confirm_totp_in(tx.conn(), app.sealer, user_id, &pending, code, now).await;
    match confirmed {
        Ok(cookie) => {
            app.record(&mut tx, user_id, AuditAction::UserTotpEnrolled, None, "")
                .await?;
            commit(tx).await?;
            Ok(Enrolled::Done(cookie))
        }
        Err(AccountError::AlreadyEnrolled) => {
            // Nothing was written; the session ends outside the transaction.
            drop(tx);
            sessions::end(app.db, session).await.map_err(store)?;
            Ok(Enrolled::SessionOver)
        }
        Err(AccountError::BadCode) => Ok(Enrolled::WrongCode),
        Err(e) => Err(e.into()),
    }
}
