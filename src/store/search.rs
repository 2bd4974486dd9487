//! The search index in the database: document numbers for reports, postings (keyed term hash,
//! impact) per document, and the reads a ranked query needs — a term's postings in impact
//! order narrowed by the triage filters and the viewer's visibility, and the impacts of given
//! terms in given documents.

use super::{Db, StoreError};
use crate::search::index::{MAX_IMPACT, Posting};
use crate::staff::policy::Visibility;
use sqlx::{Any, Row, Transaction};

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
        match visibility {
            Visibility::Everything => {}
            Visibility::UnrestrictedOrAssignedTo(user) => {
                let p = next(&mut binds, Bind::Text(user.clone()));
                parts.push(format!("(d.restricted = 0 OR d.assignee_id = {p})"));
            }
            Visibility::Nothing => return None,
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

/// Adds each report's postings to its document (numbering reports on first use), inside `tx`,
/// in a few multi-row statements for a whole batch. Postings for a term a document already has
/// add up, capped at the highest impact.
pub async fn add_postings(
    tx: &mut Transaction<'static, Any>,
    reports: &[(&str, &[Posting])],
) -> Result<(), StoreError> {
    let reports: Vec<&(&str, &[Posting])> = reports.iter().filter(|(_, p)| !p.is_empty()).collect();
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
                row.try_get::<String, _>("report_id")?,
                row.try_get::<i64, _>("doc")?,
            );
        }
    }
    let mut rows = Vec::new();
    for (id, postings) in &reports {
        let doc = *docs.get(*id).ok_or(StoreError::Corrupt)?;
        rows.extend(postings.iter().map(|p| (doc, p)));
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO search_postings (doc, term, impact) VALUES {} \
             ON CONFLICT (doc, term) DO UPDATE SET impact = CASE \
             WHEN search_postings.impact + excluded.impact > {MAX_IMPACT} THEN {MAX_IMPACT} \
             ELSE search_postings.impact + excluded.impact END",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (doc, p) in chunk {
            q = q.bind(*doc).bind(p.term).bind(p.impact);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Queues reports' postings for indexing (migration 0010; the writer takes them in), inside the
/// filing transaction: one row per report, so that filing dirties a page or two, not one per
/// posting.
pub async fn queue_postings(
    tx: &mut Transaction<'static, Any>,
    reports: &[(&str, &[Posting])],
) -> Result<(), StoreError> {
    let rows: Vec<(&str, Vec<u8>)> = reports
        .iter()
        .filter(|(_, p)| !p.is_empty())
        .map(|(id, p)| (*id, crate::search::index::pack(p)))
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
/// how many it moved. Several app nodes may run this at once on PostgreSQL: a row is taken by
/// whichever deletes it first, and the others skip it.
pub async fn index_queued(db: &Db, limit: usize) -> Result<usize, StoreError> {
    let waiting = sqlx::query("SELECT seq FROM search_queue LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    if waiting.is_none() {
        return Ok(0);
    }
    let mut tx = db.pool().begin().await?;
    let rows = sqlx::query(
        "DELETE FROM search_queue WHERE seq IN \
         (SELECT seq FROM search_queue ORDER BY seq LIMIT $1) RETURNING seq, report_id, postings",
    )
    .bind(limit as i64)
    .fetch_all(&mut *tx)
    .await?;
    let mut taken: Vec<(i64, String, Vec<u8>)> = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get("seq")?,
                r.try_get("report_id")?,
                r.try_get("postings")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    taken.sort_by_key(|(seq, _, _)| *seq);
    // A report and a later message of it may wait together: one document, impacts added up.
    let mut frequencies = Frequencies::default();
    let mut merged: Vec<(String, std::collections::BTreeMap<i64, i64>)> = Vec::new();
    let mut place = std::collections::HashMap::new();
    for (_, report_id, packed) in &taken {
        let postings = crate::search::index::unpack(packed).ok_or(StoreError::Corrupt)?;
        frequencies.count(&postings);
        let at = *place.entry(report_id.as_str()).or_insert_with(|| {
            merged.push((report_id.clone(), Default::default()));
            merged.len() - 1
        });
        for p in postings {
            let impact = merged[at].1.entry(p.term).or_default();
            *impact = (*impact + p.impact).min(MAX_IMPACT);
        }
    }
    let postings: Vec<(String, Vec<Posting>)> = merged
        .into_iter()
        .map(|(id, terms)| {
            let postings = terms
                .into_iter()
                .map(|(term, impact)| Posting { term, impact })
                .collect();
            (id, postings)
        })
        .collect();
    let refs: Vec<(&str, &[Posting])> = postings
        .iter()
        .map(|(id, p)| (id.as_str(), p.as_slice()))
        .collect();
    add_postings(&mut tx, &refs).await?;
    add_frequencies(&mut tx, &frequencies).await?;
    tx.commit().await?;
    Ok(taken.len())
}

/// How many new reports hold each term, counted over a batch of reports.
#[derive(Debug, Default, Clone)]
pub struct Frequencies(std::collections::BTreeMap<i64, i64>);

impl Frequencies {
    /// Counts the terms of one new report.
    pub fn count(&mut self, postings: &[Posting]) {
        for p in postings {
            *self.0.entry(p.term).or_default() += 1;
        }
    }
}

/// Adds a batch's term counts to the document frequencies, inside the batch's transaction.
/// Rows are written in term order, so that two writers (app nodes on PostgreSQL) lock them in
/// the same order and never deadlock.
pub async fn add_frequencies(
    tx: &mut Transaction<'static, Any>,
    frequencies: &Frequencies,
) -> Result<(), StoreError> {
    let rows: Vec<(&i64, &i64)> = frequencies.0.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO search_terms (term, df) VALUES {} \
             ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (term, n) in chunk {
            q = q.bind(**term).bind(**n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The postings index a query walks: by term, best impact first (migration 0008 creates it).
/// Each new report adds about fifty postings scattered all over it, so a bulk load of many
/// reports drops it first and builds it once at the end, from sorted data, many times faster.
const TERM_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS search_postings_term ON search_postings (term, impact, doc)";

/// Drops the term index before a bulk load (see [`TERM_INDEX`]). Searches stay correct while it
/// is missing, only slow; [`build_term_index`] restores it, and so does every start of the
/// server (through [`Db::migrate`]) should a load be interrupted.
pub async fn drop_term_index(db: &Db) -> Result<(), StoreError> {
    sqlx::query("DROP INDEX IF EXISTS search_postings_term")
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Builds the term index if it is missing (after a bulk load); does nothing otherwise.
pub async fn build_term_index(db: &Db) -> Result<(), StoreError> {
    // Looked up first: CREATE INDEX takes a lock that would make a starting node wait for writers.
    let exists = match db.backend() {
        super::Backend::Sqlite => {
            "SELECT 1 AS found FROM sqlite_master WHERE type = 'index' AND name = 'search_postings_term'"
        }
        super::Backend::Postgres => {
            "SELECT 1 AS found FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'search_postings_term'"
        }
    };
    if sqlx::query(exists)
        .fetch_optional(db.pool())
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut conn = db.pool().acquire().await?;
    if db.backend() == super::Backend::Postgres {
        // The default (64 MB) makes PostgreSQL sort a large index in many passes on disk.
        sqlx::query("SET maintenance_work_mem = '1GB'")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(TERM_INDEX).execute(&mut *conn).await?;
    if db.backend() == super::Backend::Postgres {
        sqlx::query("RESET maintenance_work_mem")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// In how many reports each of `terms` occurs (terms found nowhere are left out).
pub async fn frequencies(
    db: &Db,
    terms: &[i64],
) -> Result<std::collections::HashMap<i64, u64>, StoreError> {
    if terms.is_empty() {
        return Ok(Default::default());
    }
    let ps: Vec<String> = (1..=terms.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT term, df FROM search_terms WHERE term IN ({})",
        ps.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for t in terms {
        q = q.bind(t);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>("term")?,
                r.try_get::<i64, _>("df")?.max(0) as u64,
            ))
        })
        .collect()
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

/// The highest impact `term` has anywhere (0 when it occurs nowhere).
pub async fn top_impact(db: &Db, term: i64) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT MAX(impact) AS m FROM search_postings WHERE term = $1")
        .bind(term)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>("m")?.unwrap_or(0))
}

/// Where a walk down one term's postings stands: the last (impact, doc) read.
pub type Position = (i64, i64);

/// A document holding every word, with each word's impact (the best of its terms).
pub type Match = (i64, Vec<i64>);

/// SQL giving, for the document `p.doc`, the best impact of any of the terms bound at
/// `placeholders` (NULL when it holds none).
fn best_impact(doc: &str, placeholders: &str) -> String {
    format!(
        "(SELECT MAX(q.impact) FROM search_postings q WHERE q.doc = {doc} AND q.term IN ({placeholders}))"
    )
}

/// SQL requiring the document `doc` to hold one of the terms bound at `placeholders`.
fn holds(doc: &str, placeholders: &str) -> String {
    format!(
        " AND EXISTS (SELECT 1 FROM search_postings q WHERE q.doc = {doc} AND q.term IN ({placeholders}))"
    )
}

/// Placeholders from `$first` for each word's terms, in order.
fn word_placeholders(words: &[Vec<i64>], first: usize) -> Vec<String> {
    let mut next = first;
    words
        .iter()
        .map(|terms| {
            let ps: Vec<String> = terms
                .iter()
                .map(|_| {
                    next += 1;
                    format!("${}", next - 1)
                })
                .collect();
            ps.join(", ")
        })
        .collect()
}

fn matches_from(
    rows: &[sqlx::any::AnyRow],
    others: usize,
) -> Result<Vec<(i64, i64, Vec<i64>)>, StoreError> {
    rows.iter()
        .map(|r| {
            let mut impacts = Vec::with_capacity(others);
            for i in 0..others {
                impacts.push(
                    r.try_get::<Option<i64>, _>(format!("i{i}").as_str())?
                        .unwrap_or(0),
                );
            }
            Ok((r.try_get("impact")?, r.try_get("doc")?, impacts))
        })
        .collect()
}

/// The next `limit` documents after `after` in `term`'s postings, best impact first, that
/// pass `narrowing` and `visibility` and hold at least one term of every word of `others`; as
/// (impact of `term`, doc, best impact of each other word). Every posting in between was read
/// and did not qualify, so the last row's position bounds everything still unread.
pub async fn matches_after(
    db: &Db,
    term: i64,
    others: &[Vec<i64>],
    after: Option<Position>,
    limit: usize,
    narrowing: &Narrowing,
    visibility: &Visibility,
) -> Result<Vec<(i64, i64, Vec<i64>)>, StoreError> {
    let other_count: usize = others.iter().map(Vec::len).sum();
    let Some(clause) = Clause::build(narrowing, visibility, 5 + other_count) else {
        return Ok(Vec::new());
    };
    let (impact, doc) = after.unwrap_or((MAX_IMPACT + 1, 0));
    let join = if clause.sql.is_empty() {
        String::new()
    } else {
        format!(" JOIN search_docs d ON d.doc = p.doc AND {}", clause.sql)
    };
    let words = word_placeholders(others, 5);
    let columns: String = words
        .iter()
        .enumerate()
        .map(|(i, ps)| format!(", {} AS i{i}", best_impact("p.doc", ps)))
        .collect();
    let exists: String = words.iter().map(|ps| holds("p.doc", ps)).collect();
    let sql = format!(
        "SELECT p.impact, p.doc{columns} FROM search_postings p{join} \
         WHERE p.term = $1 AND (p.impact, p.doc) < ($2, $3){exists} \
         ORDER BY p.impact DESC, p.doc DESC LIMIT $4"
    );
    let mut q = sqlx::query(&sql)
        .bind(term)
        .bind(impact)
        .bind(doc)
        .bind(limit as i64);
    for t in others.iter().flatten() {
        q = q.bind(*t);
    }
    let rows = bind_all(q, &clause.binds).fetch_all(db.pool()).await?;
    matches_from(&rows, others.len())
}

/// When `narrowing` and `visibility` leave at most `cap` reports: those holding a term of
/// every word of `words`, with each word's best impact. `None` when more reports are left.
pub async fn narrowed_matches(
    db: &Db,
    words: &[Vec<i64>],
    narrowing: &Narrowing,
    visibility: &Visibility,
    cap: usize,
) -> Result<Option<Vec<Match>>, StoreError> {
    let Some(clause) = Clause::build(narrowing, visibility, 2) else {
        return Ok(Some(Vec::new()));
    };
    let condition = clause.condition();
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM search_docs d WHERE {condition} LIMIT $1) t"
    );
    let q = sqlx::query(&count_sql).bind((cap + 1) as i64);
    let n: i64 = bind_all(q, &clause.binds)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    if n as usize > cap {
        return Ok(None);
    }
    let Some(clause) = Clause::build(
        narrowing,
        visibility,
        1 + words.iter().map(Vec::len).sum::<usize>(),
    ) else {
        return Ok(Some(Vec::new()));
    };
    let condition = clause.condition();
    let placeholders = word_placeholders(words, 1);
    let columns: Vec<String> = placeholders
        .iter()
        .enumerate()
        .map(|(i, ps)| format!("{} AS i{i}", best_impact("d.doc", ps)))
        .collect();
    let exists: String = placeholders.iter().map(|ps| holds("d.doc", ps)).collect();
    let sql = format!(
        "SELECT d.doc, 0 AS impact, {} FROM search_docs d WHERE {condition}{exists}",
        columns.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for t in words.iter().flatten() {
        q = q.bind(*t);
    }
    let rows = bind_all(q, &clause.binds).fetch_all(db.pool()).await?;
    Ok(Some(
        matches_from(&rows, words.len())?
            .into_iter()
            .map(|(_, doc, impacts)| (doc, impacts))
            .collect(),
    ))
}

/// The report of each document, as (doc, report id).
pub async fn reports_of(db: &Db, docs: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    if docs.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=docs.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT doc, report_id FROM search_docs WHERE doc IN ({})",
        ps.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for d in docs {
        q = q.bind(d);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("doc")?, r.try_get("report_id")?)))
        .collect()
}
