//! The follow-up repository: messages, reporter sessions, the per-report receipt throttle, and
//! the new-activity and notice flags.

use super::reports::NewAttachment;
use super::{Db, StoreError};
use crate::types::{ReportId, UserId};
use sqlx::{FromRow, Row};

/// A message as stored (body sealed).
#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub id: String,
    pub report_id: ReportId,
    pub author: String,
    pub staff_id: Option<UserId>,
    #[sqlx(rename = "username")]
    pub staff_name: Option<String>,
    pub created_at: i64,
    pub body: Vec<u8>,
}

/// Who wrote a message.
pub const FROM_REPORTER: &str = "reporter";
pub const FROM_STAFF: &str = "staff";

/// Stores a message and its attachments in one transaction. A reporter's message marks the
/// case as having new activity.
/// A message ready to store, with its sealed body, sealed files and blind-indexed identifiers.
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub report_id: &'a ReportId,
    /// `None` when the reporter wrote it.
    pub staff_id: Option<&'a UserId>,
    pub body: &'a [u8],
    pub attachments: &'a [NewAttachment],
    pub identifiers: &'a [super::links::IdentifierRow],
    pub postings: &'a [crate::types::postings::Posting],
}

pub async fn add_message(db: &Db, m: &NewMessage<'_>, now: i64) -> Result<(), StoreError> {
    let mut tx = db.pool().begin().await?;
    add_message_in(&mut tx, m, now).await?;
    tx.commit().await?;
    Ok(())
}

/// [`add_message`] inside a transaction (a staff member's message and its audit entry commit
/// together).
pub async fn add_message_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    m: &NewMessage<'_>,
    now: i64,
) -> Result<(), StoreError> {
    let NewMessage {
        id,
        report_id,
        staff_id,
        body,
        attachments,
        identifiers,
        postings,
    } = *m;
    super::links::insert(tx, &[(report_id, identifiers)]).await?;
    super::search::queue_postings(tx, &[(report_id, postings)]).await?;
    let author = if staff_id.is_some() {
        FROM_STAFF
    } else {
        FROM_REPORTER
    };
    sqlx::query("INSERT INTO messages (id, report_id, author, staff_id, created_at, body) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(report_id)
        .bind(author)
        .bind(staff_id)
        .bind(now)
        .bind(body)
        .execute(&mut **tx)
        .await?;
    for a in attachments {
        sqlx::query(
            "INSERT INTO attachments (id, report_id, position, meta, content, message_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&a.id)
        .bind(report_id)
        .bind(a.position)
        .bind(&a.meta)
        .bind(&a.content)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    if staff_id.is_none() {
        sqlx::query("UPDATE reports SET new_activity = 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(report_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The columns of a [`MessageRow`], `m` being the messages and `u` the staff users.
const MESSAGE_SELECT: &str = "SELECT m.id, m.report_id, m.author, m.staff_id, u.username, m.created_at, m.body \
     FROM messages m LEFT JOIN staff_users u ON u.id = m.staff_id";

/// The conversation of one report, oldest first.
pub async fn messages(db: &Db, report_id: &ReportId) -> Result<Vec<MessageRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "{MESSAGE_SELECT} WHERE m.report_id = $1 ORDER BY m.created_at, m.id"
    ))
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}

/// The conversations of several reports, each oldest first, in one statement per
/// [`super::db::IDS_PER_STATEMENT`] reports.
pub async fn messages_of_many(
    db: &Db,
    report_ids: &[ReportId],
) -> Result<Vec<MessageRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in report_ids.chunks(super::db::IDS_PER_STATEMENT) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "{MESSAGE_SELECT} WHERE m.report_id IN ({}) ORDER BY m.report_id, m.created_at, m.id",
            list.join(", ")
        );
        let mut q = sqlx::query_as(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        out.extend(q.fetch_all(db.pool()).await?);
    }
    Ok(out)
}

/// How many messages the reporter added to a report since `since` (unix seconds).
pub async fn reporter_messages_since(
    db: &Db,
    report_id: &ReportId,
    since: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM messages WHERE report_id = $1 AND author = $2 AND created_at > $3",
    )
    .bind(report_id)
    .bind(FROM_REPORTER)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("n")?)
}

/// The bytes of a report's files as stored (sealed, so a little more than the files).
pub async fn attachment_bytes(db: &Db, report_id: &ReportId) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(LENGTH(content)), 0) AS BIGINT) AS n FROM attachments WHERE report_id = $1",
    )
    .bind(report_id)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("n")?)
}

/// The next position for attachments of a report.
pub async fn next_attachment_position(db: &Db, report_id: &ReportId) -> Result<i64, StoreError> {
    next_attachment_position_in(&mut *db.pool().acquire().await?, report_id).await
}

/// [`next_attachment_position`] on a connection (in a transaction).
pub async fn next_attachment_position_in(
    conn: &mut sqlx::AnyConnection,
    report_id: &ReportId,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(position) + 1, 0) AS next FROM attachments WHERE report_id = $1",
    )
    .bind(report_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("next")?)
}

/// Clears the new-activity mark once staff opened the case.
pub async fn clear_new_activity(db: &Db, report_id: &ReportId) -> Result<(), StoreError> {
    clear_new_activity_in(&mut *db.pool().acquire().await?, report_id).await
}

/// [`clear_new_activity`] on a connection (in a transaction).
pub async fn clear_new_activity_in(
    conn: &mut sqlx::AnyConnection,
    report_id: &ReportId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET new_activity = 0 WHERE id = $1 AND new_activity = 1")
        .bind(report_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_notify(db: &Db, report_id: &ReportId, notify: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET notify_by_email = $1 WHERE id = $2")
        .bind(i64::from(notify))
        .bind(report_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The follow-up flags of a report: (new activity, notify by e-mail, failures, locked until).
pub async fn flags(db: &Db, report_id: &ReportId) -> Result<(bool, bool, i64, i64), StoreError> {
    let row = sqlx::query(
        "SELECT new_activity, notify_by_email, receipt_failures, receipt_locked_until FROM reports WHERE id = $1",
    )
    .bind(report_id)
    .fetch_one(db.pool())
    .await?;
    Ok((
        row.try_get::<i64, _>("new_activity")? != 0,
        row.try_get::<i64, _>("notify_by_email")? != 0,
        row.try_get("receipt_failures")?,
        row.try_get("receipt_locked_until")?,
    ))
}

pub async fn record_receipt_failure(
    db: &Db,
    report_id: &ReportId,
    locked_until: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET receipt_failures = receipt_failures + 1, receipt_locked_until = $1 WHERE id = $2")
        .bind(locked_until)
        .bind(report_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn clear_receipt_failures(db: &Db, report_id: &ReportId) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET receipt_failures = 0, receipt_locked_until = 0 WHERE id = $1 AND receipt_failures > 0")
        .bind(report_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A reporter session as stored.
#[derive(Debug, Clone, FromRow)]
pub struct ReporterSessionRow {
    pub report_id: ReportId,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert_session(
    db: &Db,
    id_hash: &[u8],
    report_id: &ReportId,
    csrf: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO reporter_sessions (id_hash, report_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id_hash)
    .bind(report_id)
    .bind(csrf)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn session(db: &Db, id_hash: &[u8]) -> Result<Option<ReporterSessionRow>, StoreError> {
    Ok(sqlx::query_as("SELECT report_id, csrf_token, created_at, last_seen_at FROM reporter_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn touch_session(db: &Db, id_hash: &[u8], now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE reporter_sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, id_hash: &[u8]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM reporter_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}
