//! What staff members do to their own sign-in methods (add, rename and remove passkeys, make new
//! recovery codes) and what a supervisor decides for everyone (require passkeys of the roles
//! that read report content). Each change is written with its audit entry in one transaction.

use super::{App, CaseError, commit};
use crate::staff::audit_action::AuditAction;
use crate::staff::passkeys::{MAX_NAME, PasskeyError, REQUIRE_PASSKEYS, requirement_value};
use crate::staff::policy::{Action, Actor, allowed};
use crate::staff::sessions::{self, Session, Stage};
use crate::store::StoreError;
use crate::store::passkeys as repo;
use crate::types::UserId;

/// Why a change to sign-in methods did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    #[error("a passkey needs a name of 1 to {MAX_NAME} characters")]
    BadName,
    #[error("this user may not choose how others sign in")]
    Forbidden,
    #[error("no such passkey on this account")]
    NoSuchPasskey,
    #[error(transparent)]
    Passkey(#[from] PasskeyError),
    #[error(transparent)]
    Case(#[from] CaseError),
}

impl From<StoreError> for SecurityError {
    fn from(e: StoreError) -> Self {
        Self::Case(CaseError::Store(e))
    }
}

/// A passkey's name as given: trimmed, 1 to [`MAX_NAME`] characters, no control characters.
pub fn passkey_name(given: &str) -> Result<String, SecurityError> {
    let name = given.trim();
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME || name.chars().any(char::is_control) {
        return Err(SecurityError::BadName);
    }
    Ok(name.to_owned())
}

/// Adds the passkey a registration ceremony of `session` produced, named `name`; a session that
/// had to add one goes on to the staff pages. Returns the stage the session is at now.
pub async fn add_passkey(
    app: &App<'_>,
    session: &Session,
    ceremony: &str,
    response: &str,
    name: &str,
) -> Result<Stage, SecurityError> {
    let name = passkey_name(name)?;
    let row = app
        .factors
        .finish_registration(app.db, &session.user, ceremony, response, &name, app.now())
        .await?;
    let mut tx = app.begin().await?;
    if !repo::insert_in(tx.conn(), &row).await? {
        return Err(PasskeyError::Duplicate.into());
    }
    app.record(
        &mut tx,
        &session.user.id,
        AuditAction::UserPasskeyAdded,
        None,
        &format!("name={name}"),
    )
    .await?;
    let stage = if session.stage == Stage::AddPasskey {
        sessions::advance_in(tx.conn(), session, Stage::Full).await?;
        Stage::Full
    } else {
        session.stage
    };
    commit(tx).await?;
    Ok(stage)
}

/// Renames one of the member's own passkeys.
pub async fn rename_passkey(
    app: &App<'_>,
    user_id: &UserId,
    id: &str,
    name: &str,
) -> Result<(), SecurityError> {
    let name = passkey_name(name)?;
    let mut tx = app.begin().await?;
    if !repo::rename_in(tx.conn(), user_id, id, &name).await? {
        return Err(SecurityError::NoSuchPasskey);
    }
    app.record(
        &mut tx,
        user_id,
        AuditAction::UserPasskeyRenamed,
        None,
        &format!("name={name}"),
    )
    .await?;
    commit(tx).await?;
    Ok(())
}

/// Removes one of the member's own passkeys.
pub async fn remove_passkey(
    app: &App<'_>,
    user_id: &UserId,
    id: &str,
) -> Result<(), SecurityError> {
    let mut tx = app.begin().await?;
    let Some(name) = repo::delete_in(tx.conn(), user_id, id).await? else {
        return Err(SecurityError::NoSuchPasskey);
    };
    app.record(
        &mut tx,
        user_id,
        AuditAction::UserPasskeyRemoved,
        None,
        &format!("name={name}"),
    )
    .await?;
    commit(tx).await?;
    Ok(())
}

/// Makes new recovery codes for the member (the old ones stop working): the codes, to be shown
/// once; only their keyed hashes are kept.
pub async fn make_recovery_codes(
    app: &App<'_>,
    user_id: &UserId,
) -> Result<Vec<String>, SecurityError> {
    let (codes, hashes) = app.factors.recovery_codes(user_id);
    let mut tx = app.begin().await?;
    repo::replace_recovery_codes_in(tx.conn(), user_id, &hashes, app.now()).await?;
    app.record(
        &mut tx,
        user_id,
        AuditAction::UserRecoveryCodesMade,
        None,
        &format!("count={}", codes.len()),
    )
    .await?;
    commit(tx).await?;
    Ok(codes)
}

/// A supervisor requires passkeys of the content roles, or stops requiring them.
pub async fn require_passkeys(
    app: &App<'_>,
    supervisor: &Actor,
    required: bool,
) -> Result<(), SecurityError> {
    if !allowed(supervisor, Action::ChooseSignInPolicy, None) {
        return Err(SecurityError::Forbidden);
    }
    let value = requirement_value(required);
    let mut tx = app.begin().await?;
    repo::set_setting_in(tx.conn(), REQUIRE_PASSKEYS, value).await?;
    app.record(
        &mut tx,
        &supervisor.user_id,
        AuditAction::SettingPasskeysRequired,
        None,
        value,
    )
    .await?;
    commit(tx).await?;
    Ok(())
}
