//! The audit trail's tables: `audit_log`, the append-only entries with their chain macs, and
//! the one-row `audit_head`. The chain, its key, the head file and what an entry may hold are
//! the staff room's (`staff::audit`); this holds only their SQL.

use super::{Db, StoreError};
use crate::types::ReportId;
use sqlx::{AnyConnection, FromRow};

/// One stored entry, without its macs.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditRow {
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub report_id: Option<ReportId>,
    pub detail: String,
}

/// One stored entry with its link to the entry before it and its own mac.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ChainedRow {
    #[sqlx(flatten)]
    pub entry: AuditRow,
    pub prev_mac: Vec<u8>,
    pub mac: Vec<u8>,
}

/// The newest entry as `audit_head` records it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Head {
    pub seq: i64,
    pub mac: Vec<u8>,
}

/// An entry to append, its mac already computed.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub report_id: Option<&'a ReportId>,
    pub detail: &'a str,
    pub prev_mac: &'a [u8],
    pub mac: &'a [u8],
}

/// Takes the lock that serialises appends and reads the head: the row lock in PostgreSQL, the
/// write lock in SQLite. Must be the first statement of the transaction on `conn`. `None` if
/// the head row is missing.
pub async fn lock_head(conn: &mut AnyConnection) -> Result<Option<Head>, StoreError> {
    Ok(
        sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, mac")
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// The head as committed; `None` if the head row is missing.
pub async fn head(db: &Db) -> Result<Option<Head>, StoreError> {
    Ok(
        sqlx::query_as("SELECT seq, mac FROM audit_head WHERE id = 1")
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Moves the head to the newest entry appended on `conn`.
pub async fn set_head(conn: &mut AnyConnection, seq: i64, mac: &[u8]) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1")
        .bind(seq)
        .bind(mac)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends one entry on `conn`.
pub async fn insert(conn: &mut AnyConnection, entry: &NewEntry<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, report_id, detail, prev_mac, mac) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.seq)
    .bind(entry.at)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.report_id)
    .bind(entry.detail)
    .bind(entry.prev_mac)
    .bind(entry.mac)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The mac of entry `seq`, if there is one.
pub async fn mac_of(conn: &mut AnyConnection, seq: i64) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT mac FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Entries newest first, of one actor and/or one report when given, `limit` from `offset`.
pub async fn list(
    db: &Db,
    actor: Option<&str>,
    report_id: Option<&ReportId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    if let Some(actor) = actor {
        binds.push(actor);
        conditions.push(format!("actor = ${}", binds.len()));
    }
    if let Some(report_id) = report_id {
        binds.push(report_id.as_str());
        conditions.push(format!("report_id = ${}", binds.len()));
    }
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT seq, at, actor, action, report_id, detail FROM audit_log{filter_sql} \
         ORDER BY seq DESC LIMIT ${} OFFSET ${}",
        binds.len() + 1,
        binds.len() + 2
    );
    let mut query = sqlx::query_as(&sql);
    for value in binds {
        query = query.bind(value);
    }
    Ok(query.bind(limit).bind(offset).fetch_all(db.pool()).await?)
}

/// Up to `limit` entries after `seq`, oldest first, with their macs.
pub async fn after(db: &Db, seq: i64, limit: i64) -> Result<Vec<ChainedRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT seq, at, actor, action, report_id, detail, prev_mac, mac FROM audit_log \
         WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(seq)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}
