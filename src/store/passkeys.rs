//! Staff second factors beside TOTP: passkeys, the state of a passkey ceremony between its two
//! requests, one-time recovery codes, and the settings supervisors choose.

use super::{Db, StoreError};
use crate::types::UserId;
use sqlx::{AnyConnection, FromRow};

/// A passkey as stored (`passkey` sealed).
#[derive(Debug, Clone, FromRow)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: UserId,
    pub credential_id: Vec<u8>,
    pub name: String,
    pub passkey: Vec<u8>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const PASSKEY_COLUMNS: &str = "id, user_id, credential_id, name, passkey, created_at, last_used_at";

/// The passkeys of an account, oldest first.
pub async fn list(db: &Db, user_id: &UserId) -> Result<Vec<PasskeyRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PASSKEY_COLUMNS} FROM staff_passkeys WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// How many passkeys an account has.
pub async fn count(db: &Db, user_id: &UserId) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM staff_passkeys WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?,
    )
}

/// Adds a passkey, on `conn` (in the transaction with its audit entry). False when an
/// authenticator's credential is already registered (to any account).
pub async fn insert_in(conn: &mut AnyConnection, row: &PasskeyRow) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO staff_passkeys (id, user_id, credential_id, name, passkey, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(&row.id)
    .bind(&row.user_id)
    .bind(&row.credential_id)
    .bind(&row.name)
    .bind(&row.passkey)
    .bind(row.created_at)
    .bind(row.last_used_at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Renames one of an account's passkeys, on `conn`; false if it has no such passkey.
pub async fn rename_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    name: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE staff_passkeys SET name = $1 WHERE id = $2 AND user_id = $3")
        .bind(name)
        .bind(id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes one of an account's passkeys, on `conn`; its name, or `None` if it has no such passkey.
pub async fn delete_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "DELETE FROM staff_passkeys WHERE id = $1 AND user_id = $2 RETURNING name",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Stores a passkey's state after it signed someone in (its counter) and when.
pub async fn used(db: &Db, id: &str, passkey: &[u8], now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff_passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(passkey)
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Keeps a ceremony's sealed state until `expires_at`, found by the hash of its id.
pub async fn insert_ceremony(
    db: &Db,
    id_hash: &[u8],
    user_id: &str,
    purpose: &str,
    state: &[u8],
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff_passkey_ceremonies (id_hash, user_id, purpose, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(purpose)
    .bind(state)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Takes (reads and removes) a ceremony's state: it finishes once. `None` when there is no
/// such ceremony for this account and purpose, or it expired. Expired ceremonies go too.
pub async fn take_ceremony(
    db: &Db,
    id_hash: &[u8],
    user_id: &str,
    purpose: &str,
    now: i64,
) -> Result<Option<Vec<u8>>, StoreError> {
    sqlx::query("DELETE FROM staff_passkey_ceremonies WHERE expires_at < $1")
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(sqlx::query_scalar(
        "DELETE FROM staff_passkey_ceremonies \
         WHERE id_hash = $1 AND user_id = $2 AND purpose = $3 RETURNING state",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(purpose)
    .fetch_optional(db.pool())
    .await?)
}

/// Replaces an account's recovery codes by new ones (their hashes), on `conn`.
pub async fn replace_recovery_codes_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
    hashes: &[Vec<u8>],
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO staff_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Uses a recovery code: true if the account had it unused (two requests racing use it once).
pub async fn use_recovery_code(
    db: &Db,
    user_id: &UserId,
    hash: &[u8],
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE staff_recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many unused recovery codes an account has.
pub async fn unused_recovery_codes(db: &Db, user_id: &UserId) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?)
}

/// Removes every second factor but TOTP (passkeys and recovery codes) of an account being reset,
/// on `conn`.
pub async fn forget_in(conn: &mut AnyConnection, username: &str) -> Result<(), StoreError> {
    for table in ["staff_passkeys", "staff_recovery_codes"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id IN (SELECT id FROM staff_users WHERE username = $1)"
        ))
        .bind(username)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A setting's value, if set.
pub async fn setting(db: &Db, name: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM staff_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Sets a setting, on `conn`.
pub async fn set_setting_in(
    conn: &mut AnyConnection,
    name: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff_settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
