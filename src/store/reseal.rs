//! The rows the re-sealing pass reads and writes, a batch at a time in id order, and how far
//! each kind of row has come (`reseal_progress`), so that a pass stopped half-way continues
//! where it stopped. The sealing itself happens in [`crate::app::reseal`].

use super::db::IntFlag;
use super::reports::{StoredReport, from_row};
use super::{Db, StoreError};
use crate::types::{ReportId, UserId};
use sqlx::{FromRow, Row};

/// How far the pass over one kind of row has come.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromRow)]
pub struct Progress {
    /// The last id done (rows are taken in id order).
    pub last_id: String,
    /// Every row of this kind was done.
    #[sqlx(try_from = "IntFlag")]
    pub done: bool,
}

pub async fn progress(db: &Db, kind: &str) -> Result<Progress, StoreError> {
    let row = sqlx::query_as("SELECT last_id, done FROM reseal_progress WHERE kind = $1")
        .bind(kind)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.unwrap_or_default())
}

/// A message as the pass reads it.
#[derive(Debug, Clone, FromRow)]
pub struct MessageBody {
    pub id: String,
    pub report_id: ReportId,
    pub staff_id: Option<UserId>,
    pub body: Vec<u8>,
}

/// An internal note as the pass reads it.
#[derive(Debug, Clone, FromRow)]
pub struct NoteBody {
    pub id: String,
    pub report_id: ReportId,
    pub author_id: UserId,
    pub body: Vec<u8>,
}

/// An assessment as the pass reads it, with the columns that used to be in clear.
#[derive(Debug, Clone, FromRow)]
pub struct AssessmentDetail {
    pub id: String,
    pub report_id: ReportId,
    pub created_by: UserId,
    pub person: i64,
    #[sqlx(try_from = "IntFlag")]
    pub presumed: bool,
    pub trafficking_status: Option<String>,
    pub detail: Vec<u8>,
}

/// A report as the pass reads it, with the columns that used to be in clear.
#[derive(Debug, Clone)]
pub struct LegacyReport {
    pub stored: StoredReport,
    pub incident_month: Option<String>,
    pub age_groups: String,
    pub urgency_reasons: String,
}

pub async fn messages_after(
    db: &Db,
    after: &str,
    limit: i64,
) -> Result<Vec<MessageBody>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, report_id, staff_id, body FROM messages WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

pub async fn notes_after(db: &Db, after: &str, limit: i64) -> Result<Vec<NoteBody>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, report_id, author_id, body FROM report_notes WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

pub async fn assessments_after(
    db: &Db,
    after: &str,
    limit: i64,
) -> Result<Vec<AssessmentDetail>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, report_id, created_by, person, presumed, trafficking_status, detail \
         FROM assessments WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

pub async fn reports_after(
    db: &Db,
    after: &str,
    limit: i64,
) -> Result<Vec<LegacyReport>, StoreError> {
    let rows = sqlx::query("SELECT * FROM reports WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(LegacyReport {
                stored: from_row(r)?,
                incident_month: r.try_get("incident_month")?,
                age_groups: r.try_get("age_groups")?,
                urgency_reasons: r.try_get("urgency_reasons")?,
            })
        })
        .collect()
}

/// One row sealed again.
#[derive(Debug, Clone)]
pub enum Resealed {
    Message {
        id: String,
        body: Vec<u8>,
    },
    Note {
        id: String,
        body: Vec<u8>,
    },
    /// The detail now holds the presumption and status: their clear columns are emptied.
    Assessment {
        id: String,
        detail: Vec<u8>,
    },
    /// The manifest and the groups moved out of clear: their clear columns are emptied.
    Report {
        id: ReportId,
        manifest: Vec<u8>,
        profile: Vec<u8>,
        urgency_why: Vec<u8>,
    },
}

/// Writes a batch of re-sealed rows and how far the pass has come, in one transaction.
pub async fn write_batch(
    db: &Db,
    kind: &str,
    rows: &[Resealed],
    last_id: &str,
    done: bool,
) -> Result<(), StoreError> {
    let mut tx = db.pool().begin().await?;
    for row in rows {
        let q = match row {
            Resealed::Message { id, body } => {
                sqlx::query("UPDATE messages SET body = $1 WHERE id = $2")
                    .bind(body)
                    .bind(id)
            }
            Resealed::Note { id, body } => {
                sqlx::query("UPDATE report_notes SET body = $1 WHERE id = $2")
                    .bind(body)
                    .bind(id)
            }
            Resealed::Assessment { id, detail } => sqlx::query(
                "UPDATE assessments SET detail = $1, presumed = 0, trafficking_status = NULL WHERE id = $2",
            )
            .bind(detail)
            .bind(id),
            Resealed::Report {
                id,
                manifest,
                profile,
                urgency_why,
            } => sqlx::query(
                "UPDATE reports SET manifest = $1, profile = $2, urgency_why = $3, \
                 incident_month = NULL, age_groups = '', urgency_reasons = '' WHERE id = $4",
            )
            .bind(manifest)
            .bind(profile)
            .bind(urgency_why)
            .bind(id),
        };
        q.execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO reseal_progress (kind, last_id, done) VALUES ($1, $2, $3) \
         ON CONFLICT (kind) DO UPDATE SET last_id = excluded.last_id, done = excluded.done",
    )
    .bind(kind)
    .bind(last_id)
    .bind(i64::from(done))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
