//! The identifier index: blind-indexed identifiers per report, and the reports that share them.

use super::{Db, StoreError};
use sqlx::{Any, Row, Transaction};

/// One identifier of a report: kind, blind index, sealed display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierRow {
    pub kind: String,
    pub mac: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// Stores a report's identifiers and raises the open cases that share one (inside the report's
/// own transaction).
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    report_id: &str,
    rows: &[IdentifierRow],
) -> Result<(), StoreError> {
    for r in rows {
        sqlx::query("INSERT INTO identifiers (report_id, kind, mac, sealed) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(report_id)
            .bind(&r.kind)
            .bind(&r.mac)
            .bind(&r.sealed)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE reports SET new_link = 1 WHERE new_link = 0 AND status <> 'closed' AND id <> $1 \
             AND id IN (SELECT report_id FROM identifiers WHERE kind = $2 AND mac = $3)",
        )
        .bind(report_id)
        .bind(&r.kind)
        .bind(&r.mac)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The identifiers of one report.
pub async fn of_report(db: &Db, report_id: &str) -> Result<Vec<IdentifierRow>, StoreError> {
    let rows =
        sqlx::query("SELECT kind, mac, sealed FROM identifiers WHERE report_id = $1 ORDER BY kind")
            .bind(report_id)
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|r| {
            Ok(IdentifierRow {
                kind: r.try_get("kind")?,
                mac: r.try_get("mac")?,
                sealed: r.try_get("sealed")?,
            })
        })
        .collect()
}

/// Other reports sharing an identifier with `report_id`: (other report id, kind, blind index).
pub async fn related(
    db: &Db,
    report_id: &str,
) -> Result<Vec<(String, String, Vec<u8>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT b.report_id, a.kind, a.mac FROM identifiers a \
         JOIN identifiers b ON b.mac = a.mac AND b.kind = a.kind AND b.report_id <> a.report_id \
         WHERE a.report_id = $1 ORDER BY b.report_id, a.kind",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("report_id")?,
                r.try_get("kind")?,
                r.try_get("mac")?,
            ))
        })
        .collect()
}

/// Clears the "new related report" mark once staff opened the case.
pub async fn clear_new_link(db: &Db, report_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET new_link = 0 WHERE id = $1 AND new_link = 1")
        .bind(report_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A link made by hand: this report is a duplicate of, or linked to, another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualLink {
    pub other_id: String,
    /// `duplicate` (this report duplicates the other) or `linked`.
    pub kind: String,
}

/// Records a link made by hand (once per pair and direction).
pub async fn add_manual(
    db: &Db,
    report_id: &str,
    other_id: &str,
    kind: &str,
    by: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO report_links (report_id, other_id, kind, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING",
    )
    .bind(report_id)
    .bind(other_id)
    .bind(kind)
    .bind(by)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Links made by hand from or to a report, seen from that report.
pub async fn manual(db: &Db, report_id: &str) -> Result<Vec<ManualLink>, StoreError> {
    let rows = sqlx::query(
        "SELECT other_id AS other, kind FROM report_links WHERE report_id = $1 \
         UNION SELECT report_id AS other, CASE WHEN kind = 'duplicate' THEN 'duplicated_by' ELSE kind END AS kind \
         FROM report_links WHERE other_id = $1 ORDER BY other",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ManualLink {
                other_id: r.try_get("other")?,
                kind: r.try_get("kind")?,
            })
        })
        .collect()
}
