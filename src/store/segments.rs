//! The term index's segments (migration 0011): each holds, for every term it has, the packed
//! list of the documents holding it (see `search::lists`). Indexing writes a new segment; the
//! writer merges segments of one level, [`FAN_IN`] at a time, into one of the next level; a
//! query reads every segment's list of its terms in one statement, so it never sees a merge
//! half done.

use super::db::integer_list;
use super::{Backend, Db, StoreError};
use crate::types::posting_lists::{self as lists, Doc, Entry};
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

/// Segments of one level merged together: a posting is rewritten once per level (about six
/// times by a million reports), and a term has at most `FAN_IN - 1` lists per level.
pub const FAN_IN: usize = 8;
/// Lists per multi-row insert: one bound parameter each (see `store::search::ROWS_PER_INSERT`
/// on why SQLite wants few).
const LISTS_PER_INSERT: usize = 256;
/// A merge reads and writes its lists in parts of about this many bytes, by ranges of term
/// hashes, so that its memory stays bounded however large the segments.
const MERGE_PART_BYTES: i64 = 32 << 20;

/// The terms of a new segment, each with its postings in document order.
pub type Lists = BTreeMap<i64, Vec<Entry>>;

/// Writes `lists` as a new segment of `level` inside `tx`.
pub async fn write(
    tx: &mut Transaction<'static, Any>,
    level: i64,
    lists: &Lists,
) -> Result<(), StoreError> {
    if lists.is_empty() {
        return Ok(());
    }
    let segment = new_segment(tx, level).await?;
    let rows: Vec<(i64, usize, Vec<u8>)> = lists
        .iter()
        .map(|(term, entries)| (*term, entries.len(), lists::encode(entries)))
        .collect();
    insert_lists(tx, segment, &rows).await
}

async fn new_segment(tx: &mut Transaction<'static, Any>, level: i64) -> Result<i64, StoreError> {
    let row = sqlx::query("INSERT INTO search_segments (level) VALUES ($1) RETURNING segment")
        .bind(level)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("segment")?)
}

async fn insert_lists(
    tx: &mut Transaction<'static, Any>,
    segment: i64,
    rows: &[(i64, usize, Vec<u8>)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(LISTS_PER_INSERT) {
        // Only the lists are bound; the numbers are our own integers, written in, which keeps
        // SQLite's lookup of parameters by name short.
        let values: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (term, docs, _))| format!("({segment}, {term}, {docs}, ${})", i + 1))
            .collect();
        let sql = format!(
            "INSERT INTO search_lists (segment, term, docs, postings) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (_, _, packed) in chunk {
            q = q.bind(packed.as_slice());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Every list of `terms`, from every segment, as (term, documents in it, packed list).
pub async fn lists_of(db: &Db, terms: &[i64]) -> Result<Vec<(i64, i64, Vec<u8>)>, StoreError> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=terms.len()).map(|i| format!("${i}")).collect();
    // One statement: a merge committing meanwhile is seen either wholly or not at all. Each of
    // the few segments is searched for the terms: `CROSS JOIN` keeps SQLite to that order,
    // which without statistics scanned every list instead (37 ms at a million reports, against
    // under 1 ms); PostgreSQL reads it as a plain join.
    let sql = format!(
        "SELECT l.term, l.docs, l.postings FROM search_segments s \
         CROSS JOIN search_lists l WHERE l.segment = s.segment AND l.term IN ({})",
        ps.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for t in terms {
        q = q.bind(*t);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("term")?,
                r.try_get("docs")?,
                r.try_get("postings")?,
            ))
        })
        .collect()
}

/// How many segments there are at each level, lowest level first.
pub async fn levels(db: &Db) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT level, COUNT(*) AS n FROM search_segments GROUP BY level ORDER BY level",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("level")?, r.try_get("n")?)))
        .collect()
}

/// Merges the [`FAN_IN`] oldest segments of the lowest level that has that many into one
/// segment of the next level, in one transaction. Returns whether it merged. On PostgreSQL the
/// segments are locked, and one that another app node is merging is skipped.
pub async fn merge_one(db: &Db) -> Result<bool, StoreError> {
    let Some(level) = levels(db)
        .await?
        .into_iter()
        .find(|(_, n)| *n as usize >= FAN_IN)
        .map(|(level, _)| level)
    else {
        return Ok(false);
    };
    let mut tx = db.pool().begin().await?;
    // Writing first takes SQLite's write lock at once, before anything is read.
    let merged = new_segment(&mut tx, level + 1).await?;
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT segment FROM search_segments WHERE level = $1 ORDER BY segment LIMIT $2{lock}"
    );
    let picked: Vec<i64> = sqlx::query(&sql)
        .bind(level)
        .bind(FAN_IN as i64)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("segment"))
        .collect::<Result<_, _>>()?;
    if picked.len() < FAN_IN {
        tx.rollback().await?;
        return Ok(false);
    }
    let segments = integer_list(&picked);
    let bytes: i64 = sqlx::query(&format!(
        "SELECT COALESCE(SUM(LENGTH(postings)), 0) AS n FROM search_lists WHERE segment IN ({segments})"
    ))
    .persistent(false)
    .fetch_one(&mut *tx)
    .await?
    .try_get("n")?;
    let parts = (bytes / MERGE_PART_BYTES + 1) as i128;
    let span = (i128::from(i64::MAX) - i128::from(i64::MIN) + 1) / parts;
    for part in 0..parts {
        let low = (i128::from(i64::MIN) + part * span) as i64;
        let high = if part + 1 == parts {
            i64::MAX
        } else {
            (i128::from(i64::MIN) + (part + 1) * span - 1) as i64
        };
        let rows = sqlx::query(&format!(
            "SELECT term, postings FROM search_lists \
             WHERE segment IN ({segments}) AND term >= $1 AND term <= $2"
        ))
        .persistent(false)
        .bind(low)
        .bind(high)
        .fetch_all(&mut *tx)
        .await?;
        let mut by_term: BTreeMap<i64, Vec<Vec<u8>>> = BTreeMap::new();
        for r in &rows {
            by_term
                .entry(r.try_get("term")?)
                .or_default()
                .push(r.try_get("postings")?);
        }
        drop(rows);
        let mut out = Vec::with_capacity(by_term.len());
        for (term, packed) in by_term {
            let refs: Vec<&[u8]> = packed.iter().map(Vec::as_slice).collect();
            let (docs, list) = lists::merge(&refs).ok_or(StoreError::Corrupt)?;
            out.push((term, docs, list));
        }
        insert_lists(&mut tx, merged, &out).await?;
    }
    sqlx::query(&format!(
        "DELETE FROM search_lists WHERE segment IN ({segments})"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "DELETE FROM search_segments WHERE segment IN ({segments})"
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Merges until no level has [`FAN_IN`] segments this node can take (after a bulk load); on
/// PostgreSQL, segments another node is merging are left to it.
pub async fn merge_all(db: &Db) -> Result<(), StoreError> {
    while merge_one(db).await? {}
    Ok(())
}

/// Documents converted from the old per-posting rows per transaction.
const LEGACY_DOCS_PER_STEP: i64 = 2_000;

/// Converts the per-posting rows of a database indexed before migration 0011 into segments,
/// then drops their table. Each step takes the rows of a range of documents by deleting them,
/// so an interrupted conversion resumes where it stopped, and two app nodes starting together
/// never convert a row twice.
pub async fn convert_legacy(db: &Db) -> Result<(), StoreError> {
    let exists = match db.backend() {
        Backend::Sqlite => {
            "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'search_postings'"
        }
        Backend::Postgres => {
            "SELECT 1 AS found FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'search_postings'"
        }
    };
    if sqlx::query(exists)
        .fetch_optional(db.pool())
        .await?
        .is_none()
    {
        return Ok(());
    }
    let last: i64 = sqlx::query("SELECT COALESCE(MAX(doc), 0) AS n FROM search_postings")
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    let mut from = 0;
    while from <= last {
        let mut tx = db.pool().begin().await?;
        let rows = sqlx::query(
            "DELETE FROM search_postings WHERE doc >= $1 AND doc < $2 RETURNING doc, term, impact",
        )
        .bind(from)
        .bind(from + LEGACY_DOCS_PER_STEP)
        .fetch_all(&mut *tx)
        .await?;
        let mut lists = Lists::new();
        for r in &rows {
            let doc =
                Doc::try_from(r.try_get::<i64, _>("doc")?).map_err(|_| StoreError::Corrupt)?;
            let impact = u8::try_from(r.try_get::<i64, _>("impact")?.clamp(1, 255))
                .map_err(|_| StoreError::Corrupt)?;
            lists
                .entry(r.try_get("term")?)
                .or_default()
                .push((doc, impact));
        }
        lists.values_mut().for_each(lists::normalize);
        write(&mut tx, 0, &lists).await?;
        tx.commit().await?;
        merge_all(db).await?;
        from += LEGACY_DOCS_PER_STEP;
    }
    sqlx::query("DROP TABLE IF EXISTS search_postings")
        .execute(db.pool())
        .await?;
    Ok(())
}
