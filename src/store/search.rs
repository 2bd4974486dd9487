//! The search index in the database: document numbers for reports (with a copy of the clear
//! columns filters read), the queue of postings waiting to be indexed, and the reads a ranked
//! query needs besides the term lists (`store::segments`): which of some documents pass the
//! triage filters and the viewer's visibility, or every document that does when they are few.

use super::db::integer_list;
use super::segments;
use super::visibility::{RoleRule, role_rule};
use super::{Db, StoreError};
use crate::types::posting_lists::{self as lists, Doc};
use crate::types::postings::{self, MAX_IMPACT, Posting};
use crate::types::{ReportId, Visibility};
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// Rows per multi-row insert. Small on purpose: sqlx looks up each SQLite parameter by name,
/// and SQLite finds a name by scanning the statement's list of them, so binding costs grow with
/// the square of the parameters per statement (300 rows of 3 took 12 % of a bulk load's time).
const ROWS_PER_INSERT: usize = 64;

/// What the clear triage columns must match. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    pub statuses: Vec<String>,
    pub category: Option<String>,
    pub country: Option<String>,
    pub urgency: Option<String>,
    /// Unix seconds, inclusive.
    pub received_from: Option<i64>,
    /// Unix seconds, exclusive.
    pub received_before: Option<i64>,
}

/// A value bound into generated SQL.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

/// The narrowing and visibility as SQL over `search_docs d`, with its parameters from `$first`.
struct Clause {
    sql: String,
    binds: Vec<Bind>,
}

impl Clause {
    fn build(narrowing: &Narrowing, visibility: &Visibility, first: usize) -> Option<Self> {
        let mut parts: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let next = |binds: &mut Vec<Bind>, b: Bind| {
            binds.push(b);
            format!("${}", first + binds.len() - 1)
        };
        match role_rule(visibility, "d", |viewer| {
            next(&mut binds, Bind::Text(viewer.to_owned()))
        }) {
            RoleRule::Everything => {}
            RoleRule::Condition { sql, .. } => parts.push(sql),
            RoleRule::Nothing => return None,
        }
        if !narrowing.statuses.is_empty() {
            let ps: Vec<String> = narrowing
                .statuses
                .iter()
                .map(|s| next(&mut binds, Bind::Text(s.clone())))
                .collect();
            parts.push(format!("d.status IN ({})", ps.join(", ")));
        }
        for (column, value) in [
            ("category", &narrowing.category),
            ("country", &narrowing.country),
            ("urgency", &narrowing.urgency),
        ] {
            if let Some(v) = value {
                let p = next(&mut binds, Bind::Text(v.clone()));
                parts.push(format!("d.{column} = {p}"));
            }
        }
        if let Some(from) = narrowing.received_from {
            let p = next(&mut binds, Bind::Int(from));
            parts.push(format!("d.received_at >= {p}"));
        }
        if let Some(before) = narrowing.received_before {
            let p = next(&mut binds, Bind::Int(before));
            parts.push(format!("d.received_at < {p}"));
        }
        Some(Self {
            sql: parts.join(" AND "),
            binds,
        })
    }
}

impl Clause {
    /// The condition for a WHERE clause (always true when nothing narrows).
    fn condition(&self) -> String {
        if self.sql.is_empty() {
            "1 = 1".to_owned()
        } else {
            self.sql.clone()
        }
    }
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

/// Reports numbered per statement.
const REPORTS_PER_STATEMENT: usize = 500;

/// Adds each report's postings to the index inside `tx`: numbers the reports not numbered yet
/// (a report's messages reuse its number) and writes the postings as one new segment. A term
/// a document already has in an older segment counts at its best impact.
pub async fn add_postings(
    tx: &mut Transaction<'static, Any>,
    reports: &[(&ReportId, &[Posting])],
) -> Result<(), StoreError> {
    let reports: Vec<&(&ReportId, &[Posting])> =
        reports.iter().filter(|(_, p)| !p.is_empty()).collect();
    let mut docs = std::collections::HashMap::with_capacity(reports.len());
    for chunk in reports.chunks(REPORTS_PER_STATEMENT) {
        let ids = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO search_docs (report_id, category, country, received_at, status, urgency, \
             restricted, assignee_id) SELECT id, category, country, received_at, status, urgency, \
             restricted, assignee_id FROM reports WHERE id IN ({ids}) ORDER BY received_at, id \
             ON CONFLICT (report_id) DO NOTHING"
        );
        let mut q = sqlx::query(&sql);
        for (id, _) in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
        let sql = format!("SELECT doc, report_id FROM search_docs WHERE report_id IN ({ids})");
        let mut q = sqlx::query(&sql);
        for (id, _) in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut **tx).await? {
            docs.insert(
                row.try_get::<ReportId, _>("report_id")?,
                row.try_get::<i64, _>("doc")?,
            );
        }
    }
    let mut lists = segments::Lists::new();
    for (id, postings) in &reports {
        let doc = docs.get(*id).ok_or(StoreError::Corrupt)?;
        let doc = Doc::try_from(*doc).map_err(|_| StoreError::Corrupt)?;
        for p in postings.iter() {
            let impact = p.impact.clamp(1, MAX_IMPACT) as u8;
            lists.entry(p.term).or_default().push((doc, impact));
        }
    }
    lists.values_mut().for_each(lists::normalize);
    segments::write(tx, 0, &lists).await
}

/// Queues reports' postings for indexing (migration 0010; the writer takes them in), inside the
/// filing transaction: one row per report, so that filing dirties a page or two, not one per
/// posting.
pub async fn queue_postings(
    tx: &mut Transaction<'static, Any>,
    reports: &[(&ReportId, &[Posting])],
) -> Result<(), StoreError> {
    let rows: Vec<(&ReportId, Vec<u8>)> = reports
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(id, p)| (*id, postings::pack(p)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO search_queue (report_id, postings) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (id, packed) in chunk {
            q = q.bind(*id).bind(packed.as_slice());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// How many queued postings rows wait to be indexed.
pub async fn queued(db: &Db) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM search_queue")
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// How many reports `visibility` lets the viewer see are not searchable yet, or not with
/// everything they hold: their postings (or a new message's) wait in the index queue, or were
/// set aside to be derived again.
pub async fn not_yet_searchable(db: &Db, visibility: &Visibility) -> Result<u64, StoreError> {
    let waiting = "SELECT report_id FROM search_queue UNION SELECT report_id FROM search_set_aside";
    let row = match role_rule(visibility, "r", |_| "$1".to_owned()) {
        RoleRule::Nothing => return Ok(0),
        RoleRule::Everything => {
            let sql = format!("SELECT COUNT(*) AS n FROM ({waiting}) w");
            sqlx::query(&sql).fetch_one(db.pool()).await?
        }
        // The waiting reports are looked up by id. Written as a join, SQLite 3.46 read every
        // report through an index to probe the waiting few (6 ms at 100,000 reports, 60 ms at
        // a million, on every results page an analyst opened).
        RoleRule::Condition { sql, viewer } => {
            let sql =
                format!("SELECT COUNT(*) AS n FROM reports r WHERE r.id IN ({waiting}) AND {sql}");
            sqlx::query(&sql).bind(viewer).fetch_one(db.pool()).await?
        }
    };
    let n: i64 = row.try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Whether at least `n` postings rows wait to be indexed.
pub async fn queued_at_least(db: &Db, n: usize) -> Result<bool, StoreError> {
    let found: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM (SELECT seq FROM search_queue LIMIT $1) q")
            .bind(n as i64)
            .fetch_one(db.pool())
            .await?
            .try_get("n")?;
    Ok(found as usize >= n)
}

/// Moves up to `limit` queued rows into the index in one transaction, oldest first; returns
/// how many it moved. Several app nodes may run this at once on PostgreSQL: each locks the rows
/// it takes, and the others skip them.
pub async fn index_queued(db: &Db, limit: usize) -> Result<usize, StoreError> {
    let waiting = sqlx::query("SELECT seq FROM search_queue LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    if waiting.is_none() {
        return Ok(0);
    }
    let mut tx = db.pool().begin().await?;
    let lock = match db.backend() {
        super::Backend::Sqlite => "",
        // Another node's step holds its rows: take the next ones instead of waiting.
        super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "DELETE FROM search_queue WHERE seq IN \
         (SELECT seq FROM search_queue ORDER BY seq LIMIT $1{lock}) RETURNING report_id, postings"
    );
    let rows = sqlx::query(&sql)
        .bind(limit as i64)
        .fetch_all(&mut *tx)
        .await?;
    let taken: Vec<(ReportId, Vec<u8>)> = rows
        .iter()
        .map(|r| Ok((r.try_get("report_id")?, r.try_get("postings")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    // A report and a later message of it may wait together: one document, each term at its
    // best impact (as across segments). Documents are numbered in received order whatever the
    // order here.
    let mut merged: HashMap<&ReportId, Vec<Posting>> = HashMap::new();
    let mut unreadable: Vec<&ReportId> = Vec::new();
    for (report_id, packed) in &taken {
        match postings::unpack(packed) {
            Some(postings) => merged.entry(report_id).or_default().extend(postings),
            None => unreadable.push(report_id),
        }
    }
    let postings: Vec<(&ReportId, Vec<Posting>)> = merged
        .into_iter()
        .map(|(id, postings)| (id, postings::merge_best(postings)))
        .collect();
    let refs: Vec<(&ReportId, &[Posting])> =
        postings.iter().map(|(id, p)| (*id, p.as_slice())).collect();
    add_postings(&mut tx, &refs).await?;
    set_aside(&mut tx, &unreadable).await?;
    tx.commit().await?;
    if !unreadable.is_empty() {
        tracing::warn!(
            rows = unreadable.len(),
            "unreadable rows in the search index queue were set aside; their reports will be indexed again from their sealed content"
        );
    }
    Ok(taken.len())
}

/// Sets reports aside for their postings to be derived again (migration 0015).
async fn set_aside(
    tx: &mut Transaction<'static, Any>,
    reports: &[&ReportId],
) -> Result<(), StoreError> {
    for chunk in reports.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (1..=chunk.len()).map(|i| format!("(${i})")).collect();
        let sql = format!(
            "INSERT INTO search_set_aside (report_id) VALUES {} ON CONFLICT (report_id) \
             DO UPDATE SET generation = search_set_aside.generation + 1",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A report set aside, at the generation read (see migration 0015).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SetAside {
    pub report_id: ReportId,
    pub generation: i64,
}

/// Up to `limit` reports set aside as unreadable, in id order after `after` (so that a round
/// goes on where the last one stopped, and reports that cannot be opened never keep the others
/// waiting).
pub async fn set_aside_reports(
    db: &Db,
    after: &str,
    limit: usize,
) -> Result<Vec<SetAside>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT report_id, generation FROM search_set_aside WHERE report_id > $1 \
         ORDER BY report_id LIMIT $2",
    )
    .bind(after)
    .bind(limit as i64)
    .fetch_all(db.pool())
    .await?)
}

/// Queues a set-aside report's postings, derived again, and takes it off the set-aside list,
/// in one transaction; unless it was set aside again since it was read (then nothing changes,
/// and the next round derives it again). Returns whether it was queued.
pub async fn requeue_set_aside(
    db: &Db,
    report: &SetAside,
    postings: &[Posting],
) -> Result<bool, StoreError> {
    let mut tx = db.pool().begin().await?;
    let taken =
        sqlx::query("DELETE FROM search_set_aside WHERE report_id = $1 AND generation = $2")
            .bind(&report.report_id)
            .bind(report.generation)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if taken == 0 {
        return Ok(false);
    }
    queue_postings(&mut tx, &[(&report.report_id, postings)]).await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether the narrowing filters anything beyond the viewer's visibility.
pub fn narrows(n: &Narrowing) -> bool {
    !n.statuses.is_empty()
        || n.category.is_some()
        || n.country.is_some()
        || n.urgency.is_some()
        || n.received_from.is_some()
        || n.received_before.is_some()
}

/// About how many reports are indexed (the highest document number).
pub async fn documents(db: &Db) -> Result<u64, StoreError> {
    let row = sqlx::query("SELECT MAX(doc) AS n FROM search_docs")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>("n")?.unwrap_or(0).max(0) as u64)
}

/// Documents checked per statement.
const DOCS_PER_STATEMENT: usize = 1_000;

/// SQL aggregating the column `doc` of a subquery `t` into one comma-separated text: a filter may
/// leave tens of thousands of documents, and one row is read far faster than that many.
fn doc_list(db: &Db) -> &'static str {
    match db.backend() {
        super::Backend::Sqlite => "group_concat(t.doc)",
        super::Backend::Postgres => "string_agg(t.doc::text, ',')",
    }
}

/// Runs a query of one aggregated document list (see [`doc_list`]) and parses it.
async fn fetch_docs<'q>(
    db: &Db,
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
) -> Result<Vec<i64>, StoreError> {
    let text: Option<String> = query.fetch_one(db.pool()).await?.try_get("docs")?;
    text.as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| StoreError::Corrupt))
        .collect()
}

/// Which of `docs` pass `narrowing` and `visibility` (and still exist).
pub async fn passing(
    db: &Db,
    docs: &[i64],
    narrowing: &Narrowing,
    visibility: &Visibility,
) -> Result<Vec<i64>, StoreError> {
    let mut out = Vec::new();
    let Some(clause) = Clause::build(narrowing, visibility, 1) else {
        return Ok(out);
    };
    for chunk in docs.chunks(DOCS_PER_STATEMENT) {
        let list = integer_list(chunk);
        let sql = format!(
            "SELECT {} AS docs FROM (SELECT d.doc FROM search_docs d WHERE d.doc IN ({list}) AND {}) t",
            doc_list(db),
            clause.condition()
        );
        // Not kept prepared: the list makes every statement new (see [`integer_list`]).
        let query = sqlx::query(&sql).persistent(false);
        out.extend(fetch_docs(db, bind_all(query, &clause.binds)).await?);
    }
    Ok(out)
}

/// Every document `narrowing` and `visibility` leave, if there are at most `cap` of them;
/// `None` when there are more.
pub async fn narrowed(
    db: &Db,
    narrowing: &Narrowing,
    visibility: &Visibility,
    cap: usize,
) -> Result<Option<Vec<i64>>, StoreError> {
    let Some(clause) = Clause::build(narrowing, visibility, 2) else {
        return Ok(Some(Vec::new()));
    };
    let limit = i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT {} AS docs FROM (SELECT d.doc FROM search_docs d WHERE {} LIMIT $1) t",
        doc_list(db),
        clause.condition()
    );
    let docs = fetch_docs(db, bind_all(sqlx::query(&sql).bind(limit), &clause.binds)).await?;
    Ok((docs.len() <= cap).then_some(docs))
}

/// The report of each document, as (doc, report id).
pub async fn reports_of(db: &Db, docs: &[i64]) -> Result<HashMap<i64, ReportId>, StoreError> {
    if docs.is_empty() {
        return Ok(HashMap::new());
    }
    let list = integer_list(docs);
    let sql = format!("SELECT doc, report_id FROM search_docs WHERE doc IN ({list})");
    let rows = sqlx::query(&sql)
        .persistent(false)
        .fetch_all(db.pool())
        .await?;
    let found: Result<HashMap<i64, ReportId>, sqlx::Error> = rows
        .iter()
        .map(|r| Ok((r.try_get("doc")?, r.try_get("report_id")?)))
        .collect();
    Ok(found?)
}
