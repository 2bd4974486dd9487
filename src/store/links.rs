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

/// Identifier rows per multi-row insert (3 parameters each; kept small for SQLite, see
/// `store::search`).
const ROWS_PER_INSERT: usize = 64;

/// Stores a report's identifiers and raises the open cases that share one (inside the report's
/// own transaction), in two statements (three when it raises any). Only holders still waiting
/// to hear of a new related report are visited (see migration 0009), so an identifier named in
/// thousands of reports costs no more than a rare one.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    report_id: &str,
    rows: &[IdentifierRow],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
            .collect();
        // The report's own state says whether it waits (a new report does; one answered by
        // its reporter after staff closed it does not).
        let sql = format!(
            "INSERT INTO identifiers (report_id, kind, mac, sealed, waiting) \
             SELECT r.id, v.column1, v.column2, v.column3, \
             CASE WHEN r.new_link = 0 AND r.status <> 'closed' THEN 1 ELSE 0 END \
             FROM (VALUES {}) AS v, reports r WHERE r.id = $1 ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(report_id);
        for r in chunk {
            q = q.bind(&r.kind).bind(&r.mac).bind(&r.sealed);
        }
        q.execute(&mut **tx).await?;
        // A blind index covers the identifier's kind, so matching on it alone is exact. The
        // waiting holders are looked up first and raised by id: two plain index lookups that no
        // planner statistics can turn into a scan of every report.
        let macs: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT DISTINCT report_id FROM identifiers WHERE waiting = 1 AND mac IN ({}) \
             AND report_id <> $1",
            macs.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(report_id);
        for r in chunk {
            q = q.bind(&r.mac);
        }
        let holders: Vec<String> = q
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| row.try_get("report_id"))
            .collect::<Result<_, _>>()?;
        for ids in holders.chunks(ROWS_PER_INSERT) {
            let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "UPDATE reports SET new_link = 1 WHERE new_link = 0 AND status <> 'closed' \
                 AND id IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in ids {
                q = q.bind(id);
            }
            q.execute(&mut **tx).await?;
        }
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
