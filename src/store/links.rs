//! The identifier index: blind-indexed identifiers per report, and the reports that share them.

use super::visibility::{RoleRule, role_rule};
use super::{Backend, Db, StoreError};
use crate::types::{ReportId, UserId, Visibility};
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};

/// One identifier of a report: kind, blind index, sealed display form.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentifierRow {
    pub kind: String,
    pub mac: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// Identifier rows per multi-row insert (4 parameters each; kept small for SQLite, see
/// `store::search`).
const ROWS_PER_INSERT: usize = 64;

/// Stores the identifiers of a batch of reports (or of a reporter's message, as a batch of one)
/// and raises the open cases that share one, inside the batch's own transaction, in a few
/// statements for the whole batch: the rows, the waiting holders of their blind indexes, and the
/// raise. The reports count in batch order: each raises the holders filed before it, as if they
/// had been stored one at a time, never itself. Only holders still waiting to hear of a new
/// related report are visited (see migration 0009), so an identifier named in thousands of
/// reports costs no more than a rare one.
///
/// On PostgreSQL several batches commit at once (several writers, several app nodes). So that
/// two of them sharing an identifier still count one after the other, the batch locks its blind
/// indexes after inserting its rows and keeps the locks until it commits (see [`lock_macs`]):
/// of two such batches, the one that locks second sees the other's rows and raises its reports.
/// Call it last in the transaction, so that the locks are held briefly.
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    reports: &[(&ReportId, &[IdentifierRow])],
) -> Result<(), StoreError> {
    let rows: Vec<(&str, &IdentifierRow)> = reports
        .iter()
        .flat_map(|(id, rows)| rows.iter().map(move |r| (id.as_str(), r)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 4 * i;
                format!("(${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4)
            })
            .collect();
        // The report's own state says whether it waits (a new report does; one answered by
        // its reporter after staff closed it does not), and who may see it (migration 0016).
        let sql = format!(
            "INSERT INTO identifiers (report_id, kind, mac, sealed, waiting, restricted, \
             assignee_id) SELECT r.id, v.column2, v.column3, v.column4, \
             CASE WHEN r.new_link = 0 AND r.status <> 'closed' THEN 1 ELSE 0 END, \
             r.restricted, r.assignee_id \
             FROM (VALUES {}) AS v JOIN reports r ON r.id = v.column1 ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (id, r) in chunk {
            q = q.bind(*id).bind(&r.kind).bind(&r.mac).bind(&r.sealed);
        }
        q.execute(&mut **tx).await?;
    }
    // Where each blind index last occurs in the batch.
    let order: HashMap<&str, usize> = reports
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let mut last: HashMap<&[u8], usize> = HashMap::new();
    for (id, r) in &rows {
        let at = order[id];
        let entry = last.entry(r.mac.as_slice()).or_insert(at);
        *entry = (*entry).max(at);
    }
    // A blind index covers the identifier's kind, so matching on it alone is exact. The
    // waiting holders are looked up first and raised by id: plain index lookups that no
    // planner statistics can turn into a scan of every report.
    let macs: Vec<&[u8]> = last.keys().copied().collect();
    lock_macs(tx, &macs).await?;
    let mut raised: HashSet<String> = HashSet::new();
    for chunk in macs.chunks(ROWS_PER_INSERT) {
        let ps: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT report_id, mac FROM identifiers WHERE waiting = 1 AND mac IN ({})",
            ps.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for mac in chunk {
            q = q.bind(*mac);
        }
        for row in q.fetch_all(&mut **tx).await? {
            let holder: String = row.try_get("report_id")?;
            let mac: Vec<u8> = row.try_get("mac")?;
            let Some(&latest) = last.get(mac.as_slice()) else {
                continue;
            };
            // Filed before the batch: raised by any report of it; a report of the batch: by a
            // later one holding the same identifier.
            if order.get(holder.as_str()).is_none_or(|&at| latest > at) {
                raised.insert(holder);
            }
        }
    }
    // In one order for every writer, so that two raising the same cases never wait on each
    // other in a circle.
    let mut raised: Vec<String> = raised.into_iter().collect();
    raised.sort_unstable();
    let postgres = Backend::of(tx) == Backend::Postgres;
    for ids in raised.chunks(ROWS_PER_INSERT) {
        let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let list = list.join(", ");
        let sql = if postgres {
            // Rows locked in id order whatever plan the update takes.
            format!(
                "UPDATE reports SET new_link = 1 WHERE id IN (SELECT id FROM reports \
                 WHERE new_link = 0 AND status <> 'closed' AND id IN ({list}) \
                 ORDER BY id FOR UPDATE)"
            )
        } else {
            format!(
                "UPDATE reports SET new_link = 1 WHERE new_link = 0 AND status <> 'closed' \
                 AND id IN ({list})"
            )
        };
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Most blind indexes a batch locks one by one; a batch naming more locks them all at once.
/// PostgreSQL keeps advisory locks in a shared table of about 6,400 entries by default (64 per
/// connection), which a few batches of thousands of locks each would fill.
const MOST_IDENTIFIER_LOCKS: usize = 256;
/// The lock over all blind indexes, in the two-number key space of advisory locks, apart from
/// the one-number keys of single blind indexes: ASCII "tipl", 1.
const ALL_IDENTIFIERS: (i32, i32) = (0x7469_706C, 1);

/// On PostgreSQL, takes a lock on each blind index until the transaction ends, in one order
/// for every writer (so two never wait on each other in a circle). The key is the first eight
/// bytes of the blind index, an HMAC: two identifiers share a key by chance once in 2⁶³, and
/// then merely wait for each other. Every batch first takes the lock over all identifiers
/// shared, and a batch of more than [`MOST_IDENTIFIER_LOCKS`] identifiers takes it alone
/// instead, exclusively (bulk loads). SQLite has one writer and needs none.
async fn lock_macs(tx: &mut Transaction<'static, Any>, macs: &[&[u8]]) -> Result<(), StoreError> {
    if Backend::of(tx) != Backend::Postgres || macs.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<i64> = macs
        .iter()
        .map(|mac| {
            let mut first = [0u8; 8];
            let n = mac.len().min(8);
            first[..n].copy_from_slice(&mac[..n]);
            // Halved, so that no key is the one integer without a negative in SQL.
            i64::from_be_bytes(first) >> 1
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let (class, object) = ALL_IDENTIFIERS;
    if keys.len() > MOST_IDENTIFIER_LOCKS {
        sqlx::query("SELECT COUNT(pg_advisory_xact_lock($1, $2)) AS n")
            .bind(class)
            .bind(object)
            .fetch_one(&mut **tx)
            .await?;
        return Ok(());
    }
    sqlx::query("SELECT COUNT(pg_advisory_xact_lock_shared($1, $2)) AS n")
        .bind(class)
        .bind(object)
        .fetch_one(&mut **tx)
        .await?;
    let values: Vec<String> = keys.iter().map(|k| format!("({k})")).collect();
    // Volatile functions in the select list run after ORDER BY: the locks come in key order.
    let sql = format!(
        "SELECT COUNT(pg_advisory_xact_lock(k)) AS n FROM \
         (SELECT k FROM (VALUES {}) AS v (k) ORDER BY k) AS sorted",
        values.join(", ")
    );
    sqlx::query(&sql)
        .persistent(false)
        .fetch_one(&mut **tx)
        .await?;
    Ok(())
}

/// The identifiers of one report.
pub async fn of_report(db: &Db, report_id: &ReportId) -> Result<Vec<IdentifierRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT kind, mac, sealed FROM identifiers WHERE report_id = $1 ORDER BY kind",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}

/// The other reports holding one identifier of a report, as far as the viewer may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holders {
    /// The identifier's blind index.
    pub mac: Vec<u8>,
    /// How many other reports hold it, counted up to the cap the caller gave.
    pub count: usize,
    /// Whether more than `count` hold it (counting stopped at the cap).
    pub more: bool,
    /// The most recently filed of them, newest first.
    pub latest: Vec<ReportId>,
}

/// Blind indexes looked up per statement (each adds one ranged read of the index).
const MACS_PER_STATEMENT: usize = 32;

/// For each identifier of `report_id`: the other reports `visibility` lets the
/// viewer see that hold it, counted up to `most_counted`, and the `latest` most recently filed.
/// Each is one read of the index on (blind index, report id, and the role rule's columns)
/// backwards from the newest report, which stops after `most_counted + 1` holders: an
/// identifier named in thousands of reports costs no more than one named in a few hundred. A
/// blind index covers its kind, so matching on it alone is exact.
pub async fn holders(
    db: &Db,
    report_id: &ReportId,
    identifiers: &[IdentifierRow],
    visibility: &Visibility,
    latest: usize,
    most_counted: usize,
) -> Result<Vec<Holders>, StoreError> {
    let macs: Vec<&[u8]> = identifiers.iter().map(|r| r.mac.as_slice()).collect();
    let mut found: Vec<Vec<ReportId>> = vec![Vec::new(); macs.len()];
    // Each row carries its report's restriction and assignee (migration 0016), at the end of
    // the index read: the role rule needs no lookup of the holders' reports.
    let (rule, user) = match role_rule(visibility, "i", |_| "$2".to_owned()) {
        RoleRule::Everything => (Some(String::new()), None),
        RoleRule::Condition { sql, viewer } => (Some(format!(" AND {sql}")), Some(viewer)),
        RoleRule::Nothing => (None, None),
    };
    if let Some(rule) = rule {
        // `$1` is this report, then the viewer when visibility depends on them, then the
        // limit, then the blind indexes.
        let limit = if user.is_some() { 3 } else { 2 };
        for (c, chunk) in macs.chunks(MACS_PER_STATEMENT).enumerate() {
            let parts: Vec<String> = (0..chunk.len())
                .map(|k| {
                    format!(
                        "SELECT * FROM (SELECT CAST({n} AS BIGINT) AS n, i.report_id \
                         FROM identifiers i WHERE i.mac = ${p} AND i.report_id <> $1{rule} \
                         ORDER BY i.report_id DESC LIMIT ${limit}) h{k}",
                        n = c * MACS_PER_STATEMENT + k,
                        p = limit + 1 + k,
                    )
                })
                .collect();
            let sql = parts.join(" UNION ALL ");
            let mut q = sqlx::query(&sql).bind(report_id);
            if let Some(user) = user {
                q = q.bind(user);
            }
            q = q.bind(i64::try_from(most_counted.saturating_add(1)).unwrap_or(i64::MAX));
            for mac in chunk {
                q = q.bind(*mac);
            }
            for row in q.fetch_all(db.pool()).await? {
                let n: i64 = row.try_get("n")?;
                let holder: ReportId = row.try_get("report_id")?;
                if let Some(list) = usize::try_from(n).ok().and_then(|n| found.get_mut(n)) {
                    list.push(holder);
                }
            }
        }
    }
    Ok(macs
        .iter()
        .zip(found)
        .map(|(mac, mut ids)| {
            // Newest first (UUIDv7 ids sort in filing order), whatever order the union kept.
            ids.sort_unstable_by(|a, b| b.cmp(a));
            let more = ids.len() > most_counted;
            let count = ids.len().min(most_counted);
            ids.truncate(latest.min(most_counted));
            Holders {
                mac: mac.to_vec(),
                count,
                more,
                latest: ids,
            }
        })
        .collect())
}

/// Clears the "new related report" mark once staff opened the case.
pub async fn clear_new_link(db: &Db, report_id: &ReportId) -> Result<(), StoreError> {
    clear_new_link_in(&mut *db.pool().acquire().await?, report_id).await
}

/// [`clear_new_link`] on a connection (in a transaction).
pub async fn clear_new_link_in(
    conn: &mut sqlx::AnyConnection,
    report_id: &ReportId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET new_link = 0 WHERE id = $1 AND new_link = 1")
        .bind(report_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A link made by hand: this report is a duplicate of, or linked to, another.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ManualLink {
    #[sqlx(rename = "other")]
    pub other_id: ReportId,
    /// `duplicate` (this report duplicates the other) or `linked`.
    pub kind: String,
}

/// Records a link made by hand (once per pair and direction).
pub async fn add_manual(
    db: &Db,
    report_id: &ReportId,
    other_id: &ReportId,
    kind: &str,
    by: &UserId,
    now: i64,
) -> Result<(), StoreError> {
    add_manual_in(
        &mut *db.pool().acquire().await?,
        report_id,
        other_id,
        kind,
        by,
        now,
    )
    .await
}

/// [`add_manual`] on a connection (in a transaction).
pub async fn add_manual_in(
    conn: &mut sqlx::AnyConnection,
    report_id: &ReportId,
    other_id: &ReportId,
    kind: &str,
    by: &UserId,
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
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Links made by hand from or to a report, seen from that report.
pub async fn manual(db: &Db, report_id: &ReportId) -> Result<Vec<ManualLink>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT other_id AS other, kind FROM report_links WHERE report_id = $1 \
         UNION SELECT report_id AS other, CASE WHEN kind = 'duplicate' THEN 'duplicated_by' ELSE kind END AS kind \
         FROM report_links WHERE other_id = $1 ORDER BY other",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}
