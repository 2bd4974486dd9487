//! The reports repository: the row shape of a new report (clear triage columns plus sealed
//! blobs), inserting one inside a transaction, and reading reports back.

use super::{Db, StoreError};
use crate::types::ReportId;
use sqlx::any::AnyRow;
use sqlx::{Any, FromRow, Row, Transaction};

/// The sealed columns of a report, one per group of sensitive fields.
pub const SEALED_COLUMNS: &[&str] = &[
    "narrative",
    "place",
    "incident",
    "people",
    "signs",
    "identifiers",
    "contact",
    "abuse_material",
    "profile",
    "urgency_why",
];

/// What stays in clear: only what triage sorts, filters and counts (see the README, "In clear").
/// The incident month, the age groups and the reasons for the urgency are sealed (`profile`,
/// `urgency_why`).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Triage {
    pub category: String,
    pub country: Option<String>,
    /// Unix seconds.
    pub received_at: i64,
    pub status: String,
    pub urgency: String,
    pub child_involved: String,
    pub channel: String,
    pub campaign_id: Option<String>,
    pub language: String,
}

/// A report ready to store: clear triage facts and sealed blobs, keyed by sealed column name.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub id: ReportId,
    pub receipt_lookup: String,
    pub receipt_salt: Vec<u8>,
    pub receipt_hash: Vec<u8>,
    pub submission_hash: Vec<u8>,
    /// Signs of junk, comma-separated (see `intake::junk`); `None` for none.
    pub suspect: Option<String>,
    /// What stays in clear.
    pub triage: Triage,
    /// Sealed blobs in the order of [`SEALED_COLUMNS`]; `None` where the group is empty.
    pub sealed: Vec<Option<Vec<u8>>>,
    /// The sealed list of the groups present in `sealed`.
    pub manifest: Vec<u8>,
    pub attachments: Vec<NewAttachment>,
    /// Blind-indexed identifiers for linking.
    pub identifiers: Vec<super::links::IdentifierRow>,
    /// Keyed term hashes for search.
    pub postings: Vec<crate::types::postings::Posting>,
}

/// A sealed attachment: `meta` (kind, size) and `content` are both sealed.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub position: i64,
    pub meta: Vec<u8>,
    pub content: Vec<u8>,
}

/// What inserting a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// The report is new and stored.
    Created,
    /// The same submission was already stored: what the filing needs to tell an honest retry
    /// from a replay with other content.
    Duplicate(Existing),
    /// Another report already holds this receipt lookup; pick another and retry.
    LookupTaken,
}

/// The stored report of a submission filed before: its receipt's lookup part, salt and hash
/// (a retry proves it carries the same content by deriving the same receipt), and when it was
/// received.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Existing {
    #[sqlx(rename = "receipt_lookup")]
    pub lookup: String,
    pub receipt_salt: Vec<u8>,
    pub receipt_hash: Vec<u8>,
    pub received_at: i64,
}

/// Inserts one report and its attachments inside `tx` (the clear `age_groups` column, from
/// before it was sealed, stays empty) (its identifiers and search postings
/// follow for the whole batch, see [`super::links::insert`] and [`super::search::add_postings`]).
pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    r: &NewReport,
) -> Result<Inserted, StoreError> {
    let sql = format!(
        "INSERT INTO reports (id, receipt_lookup, receipt_salt, receipt_hash, submission_hash, \
         category, country, received_at, status, urgency, child_involved, \
         channel, campaign_id, language, manifest, suspect, {}, age_groups) VALUES ({}, '') ON CONFLICT DO NOTHING",
        SEALED_COLUMNS.join(", "),
        (1..=16 + SEALED_COLUMNS.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let t = &r.triage;
    let mut q = sqlx::query(&sql)
        .bind(&r.id)
        .bind(&r.receipt_lookup)
        .bind(&r.receipt_salt)
        .bind(&r.receipt_hash)
        .bind(&r.submission_hash)
        .bind(&t.category)
        .bind(&t.country)
        .bind(t.received_at)
        .bind(&t.status)
        .bind(&t.urgency)
        .bind(&t.child_involved)
        .bind(&t.channel)
        .bind(&t.campaign_id)
        .bind(&t.language)
        .bind(&r.manifest)
        .bind(&r.suspect);
    for blob in &r.sealed {
        q = q.bind(blob);
    }
    if q.execute(&mut **tx).await?.rows_affected() == 0 {
        let existing = sqlx::query_as(
            "SELECT receipt_lookup, receipt_salt, receipt_hash, received_at FROM reports \
             WHERE submission_hash = $1",
        )
        .bind(&r.submission_hash)
        .fetch_optional(&mut **tx)
        .await?;
        return Ok(existing.map_or(Inserted::LookupTaken, Inserted::Duplicate));
    }
    for a in &r.attachments {
        sqlx::query("INSERT INTO attachments (id, report_id, position, meta, content) VALUES ($1, $2, $3, $4, $5)")
            .bind(&a.id)
            .bind(&r.id)
            .bind(a.position)
            .bind(&a.meta)
            .bind(&a.content)
            .execute(&mut **tx)
            .await?;
    }
    Ok(Inserted::Created)
}

/// A stored report as read back: clear columns and sealed blobs.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: ReportId,
    pub receipt_lookup: String,
    pub receipt_salt: Vec<u8>,
    pub receipt_hash: Vec<u8>,
    /// What stays in clear.
    pub triage: Triage,
    pub sealed: Vec<(&'static str, Option<Vec<u8>>)>,
    /// The sealed list of the groups the report was filed with (`None` only if removed).
    pub manifest: Option<Vec<u8>>,
}

pub(crate) fn from_row(row: &AnyRow) -> Result<StoredReport, StoreError> {
    let sealed = SEALED_COLUMNS
        .iter()
        .map(|c| Ok((*c, row.try_get::<Option<Vec<u8>>, _>(*c)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(StoredReport {
        id: row.try_get("id")?,
        receipt_lookup: row.try_get("receipt_lookup")?,
        receipt_salt: row.try_get("receipt_salt")?,
        receipt_hash: row.try_get("receipt_hash")?,
        triage: Triage::from_row(row)?,
        sealed,
        manifest: row.try_get("manifest")?,
    })
}

/// Finds a report by the public lookup part of its receipt.
pub async fn by_lookup(db: &Db, lookup: &str) -> Result<Option<StoredReport>, StoreError> {
    let row = sqlx::query("SELECT * FROM reports WHERE receipt_lookup = $1")
        .bind(lookup)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every report id, oldest first.
pub async fn all_ids(db: &Db) -> Result<Vec<ReportId>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM reports ORDER BY id")
        .fetch_all(db.pool())
        .await?)
}

/// One report by id.
pub async fn by_id(db: &Db, id: &ReportId) -> Result<Option<StoredReport>, StoreError> {
    let row = sqlx::query("SELECT * FROM reports WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The stored reports among `ids` that exist, in no particular order (a page of search results
/// in one statement per [`super::db::IDS_PER_STATEMENT`] ids).
pub async fn by_ids(db: &Db, ids: &[ReportId]) -> Result<Vec<StoredReport>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::db::IDS_PER_STATEMENT) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT * FROM reports WHERE id IN ({})", list.join(", "));
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for row in q.fetch_all(db.pool()).await? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}

/// A stored attachment, still sealed.
#[derive(Debug, Clone, FromRow)]
pub struct StoredAttachment {
    pub id: String,
    pub position: i64,
    pub meta: Vec<u8>,
    pub content: Vec<u8>,
}

/// The attachments of one report, in the order they were given.
/// A stored attachment's metadata, still sealed (its content left in the database).
#[derive(Debug, Clone, FromRow)]
pub struct AttachmentMeta {
    pub id: String,
    pub position: i64,
    pub meta: Vec<u8>,
}

/// The metadata of a report's attachments, in order, without their content (the case view
/// lists them; only a download reads one).
pub async fn attachment_metas(
    db: &Db,
    report_id: &ReportId,
) -> Result<Vec<AttachmentMeta>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, position, meta FROM attachments WHERE report_id = $1 ORDER BY position",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}

/// One attachment of a report, still sealed; `None` when the report has no such attachment.
pub async fn attachment(
    db: &Db,
    report_id: &ReportId,
    id: &str,
) -> Result<Option<StoredAttachment>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, position, meta, content FROM attachments WHERE report_id = $1 AND id = $2",
    )
    .bind(report_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn attachments(
    db: &Db,
    report_id: &ReportId,
) -> Result<Vec<StoredAttachment>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, position, meta, content FROM attachments WHERE report_id = $1 ORDER BY position",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}
