//! The assessments repository: saved assessments (never overwritten) and the urgency they lead
//! to.

use super::{Db, StoreError};
use crate::types::{ReportId, UserId};
use sqlx::{AnyConnection, FromRow};

/// A saved assessment; `detail` is sealed, and holds the presumption and the trafficking
/// status (the clear `presumed` and `trafficking_status` columns stay 0 and NULL).
#[derive(Debug, Clone, FromRow)]
pub struct AssessmentRow {
    pub id: String,
    pub report_id: ReportId,
    pub person: i64,
    pub set_id: String,
    pub rule: String,
    pub detail: Vec<u8>,
    pub created_by: UserId,
    #[sqlx(rename = "username")]
    pub created_by_name: String,
    pub created_at: i64,
}

/// Stores an assessment (written by `a.created_by`).
pub async fn insert(db: &Db, a: &AssessmentRow) -> Result<(), StoreError> {
    insert_in(&mut *db.pool().acquire().await?, a).await
}

/// [`insert`] on a connection (in a transaction).
pub async fn insert_in(conn: &mut AnyConnection, a: &AssessmentRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO assessments (id, report_id, person, set_id, presumed, rule, trafficking_status, detail, \
         created_by, created_at) VALUES ($1, $2, $3, $4, 0, $5, NULL, $6, $7, $8)",
    )
    .bind(&a.id)
    .bind(&a.report_id)
    .bind(a.person)
    .bind(&a.set_id)
    .bind(&a.rule)
    .bind(&a.detail)
    .bind(&a.created_by)
    .bind(a.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every assessment of a report, oldest first.
pub async fn of_report(db: &Db, report_id: &ReportId) -> Result<Vec<AssessmentRow>, StoreError> {
    of_report_in(&mut *db.pool().acquire().await?, report_id).await
}

/// [`of_report`] on a connection (in a transaction, seeing what it wrote).
pub async fn of_report_in(
    conn: &mut AnyConnection,
    report_id: &ReportId,
) -> Result<Vec<AssessmentRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.report_id, a.person, a.set_id, a.rule, a.detail, \
         a.created_by, u.username, a.created_at FROM assessments a JOIN staff_users u ON u.id = a.created_by \
         WHERE a.report_id = $1 ORDER BY a.created_at, a.id",
    )
    .bind(report_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Sets a report's urgency and the reasons for it (sealed).
pub async fn set_urgency(
    db: &Db,
    report_id: &ReportId,
    urgency: &str,
    sealed_reasons: &[u8],
) -> Result<(), StoreError> {
    let mut conn = db.pool().acquire().await?;
    set_urgency_in(&mut conn, report_id, urgency, sealed_reasons).await
}

/// [`set_urgency`] on a connection (in a transaction).
pub async fn set_urgency_in(
    conn: &mut AnyConnection,
    report_id: &ReportId,
    urgency: &str,
    sealed_reasons: &[u8],
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET urgency = $1, urgency_why = $2 WHERE id = $3")
        .bind(urgency)
        .bind(sealed_reasons)
        .bind(report_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
