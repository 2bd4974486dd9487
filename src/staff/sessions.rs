//! Server-side staff sessions: a random cookie value whose hash finds the session row; idle and
//! absolute timeouts; a per-session CSRF token; and an enrolment stage that sees nothing but the
//! second-factor set-up.

use super::user::{StaffUser, user_from_row};
use crate::seal::token::{new_token, token_hash};
use crate::store::staff as repo;
use crate::store::{Db, StoreError};
use crate::types::UserId;

/// Name of the staff session cookie (path `/staff`).
pub const COOKIE: &str = "tipline_staff";
/// Seconds between two updates of a session's last-seen time.
const TOUCH_EVERY: i64 = 60;

/// Session lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Seconds without a request after which the session ends.
    pub idle: i64,
    /// Seconds after sign-in after which the session ends regardless.
    pub absolute: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: 30 * 60,
            absolute: 12 * 3600,
        }
    }
}

/// How far a session has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Must enrol a second factor before anything else.
    Enrol,
    /// Signed in, but the hotline requires a passkey of this role: must add one before anything
    /// else.
    AddPasskey,
    /// Signed in with password and second factor.
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enrol => "enrol",
            Self::AddPasskey => "passkey",
            Self::Full => "full",
        }
    }
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: Vec<u8>,
    pub user: StaffUser,
    pub stage: Stage,
    pub csrf_token: String,
    /// Sealed TOTP secret being enrolled.
    pub pending_totp: Option<Vec<u8>>,
}

/// Starts a session on `conn`, in the transaction that records what started it (a sign-in, a
/// password chosen through a set-up link); returns the cookie value.
pub async fn start_in(
    conn: &mut sqlx::AnyConnection,
    user_id: &UserId,
    stage: Stage,
    now: i64,
) -> Result<String, StoreError> {
    let (cookie, hash) = new_token();
    let (csrf, _) = new_token();
    let session = repo::NewSession {
        id_hash: &hash,
        csrf_token: &csrf,
        stage: stage.as_str(),
        now,
    };
    repo::insert_session_in(conn, user_id, session).await?;
    Ok(cookie)
}

/// The live session behind a cookie value, or `None` (unknown, expired, or its user disabled or
/// waiting for a supervisor's approval).
pub async fn resolve(
    db: &Db,
    cookie: &str,
    now: i64,
    policy: SessionPolicy,
) -> Result<Option<Session>, StoreError> {
    let hash = token_hash(cookie);
    let Some(row) = repo::session(db, &hash).await? else {
        return Ok(None);
    };
    if now - row.last_seen_at > policy.idle || now - row.created_at > policy.absolute {
        repo::delete_session(db, &hash).await?;
        return Ok(None);
    }
    let user = repo::user_by_id(db, &row.user_id).await?;
    let Some(user) = user
        .filter(|u| !u.disabled && u.approval_requested_by.is_none())
        .as_ref()
        .and_then(user_from_row)
    else {
        repo::delete_session(db, &hash).await?;
        return Ok(None);
    };
    let stage = [Stage::Full, Stage::AddPasskey]
        .into_iter()
        .find(|stage| stage.as_str() == row.stage)
        .unwrap_or(Stage::Enrol);
    if now - row.last_seen_at >= TOUCH_EVERY {
        repo::touch_session(db, &hash, now).await?;
    }
    Ok(Some(Session {
        id_hash: hash,
        user,
        stage,
        csrf_token: row.csrf_token,
        pending_totp: row.pending_totp,
    }))
}

/// Ends the session behind a cookie value, if there is one (before a new one replaces it).
pub async fn end_cookie(db: &Db, cookie: &str) -> Result<(), StoreError> {
    repo::delete_session(db, &token_hash(cookie)).await
}

/// [`end_cookie`] on `conn`, in the transaction of the sign-in that replaces the session.
pub async fn end_cookie_in(conn: &mut sqlx::AnyConnection, cookie: &str) -> Result<(), StoreError> {
    repo::delete_session_in(conn, &token_hash(cookie)).await
}

/// Moves a session on to `stage` (a passkey added where one is required), on `conn`.
pub async fn advance_in(
    conn: &mut sqlx::AnyConnection,
    session: &Session,
    stage: Stage,
) -> Result<(), StoreError> {
    repo::set_session_stage_in(conn, &session.id_hash, stage.as_str()).await
}

/// Ends a session for good.
pub async fn end(db: &Db, session: &Session) -> Result<(), StoreError> {
    repo::delete_session(db, &session.id_hash).await
}
