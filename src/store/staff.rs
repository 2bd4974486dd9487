//! The staff repository: accounts and server-side sessions.

use super::db::IntFlag;
use super::{Db, StoreError};
use crate::types::UserId;
use sqlx::AnyConnection;
use sqlx::{FromRow, Row};

/// A staff account as stored.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub role: String,
    pub password_hash: Option<String>,
    /// Sealed TOTP secret.
    pub totp_secret: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub language: String,
    #[sqlx(try_from = "IntFlag")]
    pub disabled: bool,
    pub setup_token_hash: Option<Vec<u8>>,
    pub setup_expires_at: Option<i64>,
    pub failed_sign_ins: i64,
    pub locked_until: i64,
    pub created_at: i64,
    /// The admin whose new account or reset waits for a supervisor's approval.
    pub approval_requested_by: Option<UserId>,
    pub approval_requested_at: Option<i64>,
}

const USER_COLUMNS: &str = "id, username, role, password_hash, totp_secret, totp_last_step, language, \
     disabled, setup_token_hash, setup_expires_at, failed_sign_ins, locked_until, created_at, \
     approval_requested_by, approval_requested_at";

/// A new account, waiting for its set-up link.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub id: &'a UserId,
    pub username: &'a str,
    pub role: &'a str,
    pub language: &'a str,
    pub setup_token_hash: &'a [u8],
    pub setup_expires_at: i64,
    pub created_at: i64,
    /// The admin who asked for it, when it must wait for a supervisor's approval.
    pub approval_requested_by: Option<&'a UserId>,
}

/// Creates an account. False if the username is taken.
pub async fn insert_user(db: &Db, u: &NewUser<'_>) -> Result<bool, StoreError> {
    insert_user_in(&mut *db.pool().acquire().await?, u).await
}

/// [`insert_user`] on a connection (in a transaction, with its audit entry).
pub async fn insert_user_in(conn: &mut AnyConnection, u: &NewUser<'_>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO staff_users (id, username, role, language, setup_token_hash, setup_expires_at, \
         created_at, approval_requested_by, approval_requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 IS NULL THEN NULL ELSE $7 END) \
         ON CONFLICT DO NOTHING",
    )
    .bind(u.id)
    .bind(u.username)
    .bind(u.role)
    .bind(u.language)
    .bind(u.setup_token_hash)
    .bind(u.setup_expires_at)
    .bind(u.created_at)
    .bind(u.approval_requested_by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn user_where(
    db: &Db,
    clause: &str,
    value: Vec<u8>,
    text: Option<&str>,
) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM staff_users WHERE {clause} = $1");
    let q = sqlx::query_as(&sql);
    let q = match text {
        Some(t) => q.bind(t.to_owned()),
        None => q.bind(value),
    };
    Ok(q.fetch_optional(db.pool()).await?)
}

pub async fn user_by_username(db: &Db, username: &str) -> Result<Option<UserRow>, StoreError> {
    user_where(db, "username", vec![], Some(username)).await
}

pub async fn user_by_id(db: &Db, id: &UserId) -> Result<Option<UserRow>, StoreError> {
    user_where(db, "id", vec![], Some(id.as_str())).await
}

pub async fn user_by_setup_hash(db: &Db, hash: &[u8]) -> Result<Option<UserRow>, StoreError> {
    user_where(db, "setup_token_hash", hash.to_vec(), None).await
}

/// Every account, by username.
pub async fn list_users(db: &Db) -> Result<Vec<UserRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM staff_users ORDER BY username"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Sets the password chosen through the set-up link whose token hashes to `setup_token_hash`
/// and uses the link up, on a connection (in a transaction, with its audit entry). False, and
/// nothing changed, if that link is no longer the account's (used or replaced meanwhile).
pub async fn set_password_in(
    conn: &mut AnyConnection,
    id: &UserId,
    setup_token_hash: &[u8],
    hash: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE staff_users SET password_hash = $1, setup_token_hash = NULL, setup_expires_at = NULL, \
         failed_sign_ins = 0, locked_until = 0 WHERE id = $2 AND setup_token_hash = $3",
    )
    .bind(hash)
    .bind(id)
    .bind(setup_token_hash)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A session to start, as stored: the hash of its cookie value and its CSRF token.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub id_hash: &'a [u8],
    pub csrf_token: &'a str,
    pub stage: &'a str,
    pub now: i64,
}

/// Completes enrolment on a connection, in a transaction (with its audit entry): stores the
/// sealed TOTP secret confirmed with a code at `step` only if the account has none yet, ends every
/// session of the account, and starts `session` in their place. False, and nothing changed, if
/// the account already has a secret.
pub async fn complete_enrolment_in(
    conn: &mut AnyConnection,
    id: &UserId,
    sealed_secret: &[u8],
    step: i64,
    session: NewSession<'_>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE staff_users SET totp_secret = $1, totp_last_step = $2 \
         WHERE id = $3 AND totp_secret IS NULL",
    )
    .bind(sealed_secret)
    .bind(step)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM staff_sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_session_in(conn, id, session).await?;
    Ok(true)
}

/// Records a used TOTP step; false if that step (or a later one) was already used, so a code
/// cannot be replayed even by two requests racing.
pub async fn use_totp_step(db: &Db, id: &UserId, step: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE staff_users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a failed sign-in and sets the lock.
pub async fn record_failed_sign_in(
    db: &Db,
    id: &UserId,
    locked_until: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_users SET failed_sign_ins = failed_sign_ins + 1, locked_until = $1 WHERE id = $2")
        .bind(locked_until)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Clears the failed sign-ins and the lock of an account that signed in, on a connection (in
/// the transaction recording the sign-in).
pub async fn clear_failed_sign_ins_in(
    conn: &mut AnyConnection,
    id: &UserId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_users SET failed_sign_ins = 0, locked_until = 0 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_language(db: &Db, id: &UserId, language: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_users SET language = $1 WHERE id = $2")
        .bind(language)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Disables an account and ends its sessions. False if there is no such user.
pub async fn disable_user(db: &Db, username: &str) -> Result<bool, StoreError> {
    let mut tx = db.pool().begin().await?;
    let done = disable_user_in(&mut tx, username).await?;
    tx.commit().await?;
    Ok(done)
}

/// [`disable_user`] on a connection in a transaction.
pub async fn disable_user_in(conn: &mut AnyConnection, username: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE staff_users SET disabled = 1 WHERE username = $1")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM staff_sessions WHERE user_id IN (SELECT id FROM staff_users WHERE username = $1)")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Resets an account: password and second factor cleared, sessions ended, a new set-up link.
/// A disabled account stays disabled. With `approval_requested_by`, the account then waits for a
/// supervisor's approval; without, any earlier request is settled. `None` if there is no such
/// user, else whether it is disabled.
pub async fn reset_user(
    db: &Db,
    username: &str,
    setup_token_hash: &[u8],
    expires_at: i64,
    approval_requested_by: Option<&UserId>,
    now: i64,
) -> Result<Option<bool>, StoreError> {
    let mut tx = db.pool().begin().await?;
    let reset = reset_user_in(
        &mut tx,
        username,
        setup_token_hash,
        expires_at,
        approval_requested_by,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(reset)
}

/// [`reset_user`] on a connection in a transaction.
pub async fn reset_user_in(
    conn: &mut AnyConnection,
    username: &str,
    setup_token_hash: &[u8],
    expires_at: i64,
    approval_requested_by: Option<&UserId>,
    now: i64,
) -> Result<Option<bool>, StoreError> {
    let row = sqlx::query(
        "UPDATE staff_users SET password_hash = NULL, totp_secret = NULL, totp_last_step = NULL, \
         setup_token_hash = $1, setup_expires_at = $2, failed_sign_ins = 0, locked_until = 0, \
         approval_requested_by = $4, approval_requested_at = CASE WHEN $4 IS NULL THEN NULL ELSE $5 END \
         WHERE username = $3 RETURNING disabled",
    )
    .bind(setup_token_hash)
    .bind(expires_at)
    .bind(username)
    .bind(approval_requested_by)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM staff_sessions WHERE user_id IN (SELECT id FROM staff_users WHERE username = $1)")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64, _>("disabled"))
        .transpose()?
        .map(|d| d != 0))
}

/// Approves an account waiting for a supervisor; its set-up link, if any, works from now for
/// its full life. False if no such account waits.
pub async fn approve_user(
    db: &Db,
    username: &str,
    setup_expires_at: i64,
) -> Result<bool, StoreError> {
    approve_user_in(&mut *db.pool().acquire().await?, username, setup_expires_at).await
}

/// [`approve_user`] on a connection (in a transaction, with its audit entry).
pub async fn approve_user_in(
    conn: &mut AnyConnection,
    username: &str,
    setup_expires_at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE staff_users SET approval_requested_by = NULL, approval_requested_at = NULL, \
         setup_expires_at = CASE WHEN setup_token_hash IS NULL THEN setup_expires_at ELSE $2 END \
         WHERE username = $1 AND approval_requested_by IS NOT NULL",
    )
    .bind(username)
    .bind(setup_expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Enables a disabled account again. False if there is no such user.
pub async fn enable_user(db: &Db, username: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE staff_users SET disabled = 0 WHERE username = $1")
        .bind(username)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A session as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub user_id: UserId,
    pub stage: String,
    pub csrf_token: String,
    pub pending_totp: Option<Vec<u8>>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// Starts a staff session, on a connection (in the transaction recording the sign-in, the
/// password choice or the enrolment that starts it).
pub async fn insert_session_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
    s: NewSession<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff_sessions (id_hash, user_id, stage, csrf_token, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(s.id_hash)
    .bind(user_id)
    .bind(s.stage)
    .bind(s.csrf_token)
    .bind(s.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn session(db: &Db, id_hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT user_id, stage, csrf_token, pending_totp, created_at, last_seen_at FROM staff_sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn touch_session(db: &Db, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Sets a session's stage, on `conn`.
pub async fn set_session_stage_in(
    conn: &mut AnyConnection,
    id_hash: &[u8],
    stage: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_sessions SET stage = $1 WHERE id_hash = $2")
        .bind(stage)
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_pending_totp(db: &Db, id_hash: &[u8], sealed: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_sessions SET pending_totp = $1 WHERE id_hash = $2")
        .bind(sealed)
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, id_hash: &[u8]) -> Result<(), StoreError> {
    delete_session_in(&mut *db.pool().acquire().await?, id_hash).await
}

/// [`delete_session`] on a connection (in the transaction recording a sign-in, which ends the
/// session the request came with).
pub async fn delete_session_in(conn: &mut AnyConnection, id_hash: &[u8]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
