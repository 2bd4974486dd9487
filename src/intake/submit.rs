//! Filing a report: seal a validated report and its clean attachments, hand it to the
//! group-commit writer, and return the receipt once it is durably stored. [`Intake::prepare`]
//! is the one place a stored report's row is built; bulk loads ([`Intake::file_bulk`]) use it too.

use super::attachments::CleanAttachment;
use super::junk::{RepeatWatch, Sign, Suspicion};
use super::report::{ReportContent, ReportInput, ValidReport};
use super::sealed::{attachment_aad, seal_groups, seal_manifest};
use crate::assess::Catalogue;
use crate::assess::urgency::decide;
use crate::link::identifiers::{Identifier, Sources, extract};
use crate::link::index::BlindIndex;
use crate::seal::keys::Secret32;
use crate::seal::receipt::mac_with;
use crate::seal::{ReceiptCode, ReceiptHasher, Sealer};
use crate::search::index::{TermIndex, Text};
use crate::store::reports::{NewAttachment, NewReport, Triage};
use crate::store::writer::{Indexing, commit};
use crate::store::{Db, ReportWriter, StoreError, Stored};
use crate::types::{ReportId, Status};
use hmac::Mac;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;
use zeroize::Zeroizing;

/// The filing service shared by the form and the API.
#[derive(Clone, Debug)]
pub struct Intake {
    sealer: Arc<Sealer>,
    catalogue: Arc<Catalogue>,
    blind_index: BlindIndex,
    term_index: TermIndex,
    receipts: ReceiptHasher,
    submission_key: Secret32,
    writer: ReportWriter,
    repeats: Arc<RepeatWatch>,
}

/// The answer to a filed report.
#[derive(Debug, Clone)]
pub struct Filed {
    pub receipt: ReceiptCode,
    /// True when this submission had been filed before (a refresh or a double click).
    pub repeated: bool,
    /// When the report was received (the first time, for a repeated submission), unix seconds.
    pub received_at: i64,
}

/// Why a report was not filed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The submission's key filed another report before: a replay with other content, or a
    /// client that reused a key. Nothing is filed and nothing about the other report is told.
    #[error("this submission key already filed a report with other content")]
    KeyReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One submission as filing sees it: the key that names it (the random part of a form token,
/// or an API client's `Idempotency-Key`; never stored) and a fingerprint of what it says. The
/// key alone finds a submission filed before; the receipt's secret is derived from both, so a
/// retry of the same request derives the stored receipt and anything else cannot.
#[derive(Clone)]
pub struct Submission {
    key: Zeroizing<Vec<u8>>,
    fingerprint: [u8; 32],
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Submission(<redacted>)")
    }
}

impl Submission {
    /// A submission of `input` with these files (their bytes as uploaded, in order). The
    /// fingerprint covers the parsed report and each file's SHA-256, not the raw request, so a
    /// multipart retry with another boundary or field order still matches.
    pub fn new(key: &[u8], input: &ReportInput, files: &[&[u8]]) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"tipline submission v1\0");
        let report = serde_json::to_vec(input).unwrap_or_default();
        hash.update((report.len() as u64).to_be_bytes());
        hash.update(&report);
        hash.update((files.len() as u64).to_be_bytes());
        for file in files {
            hash.update(Sha256::digest(file));
        }
        Self {
            key: Zeroizing::new(key.to_vec()),
            fingerprint: hash.finalize().into(),
        }
    }

    /// A submission named by its key alone (bulk loads, where content never comes twice).
    pub fn keyed(key: &[u8]) -> Self {
        Self {
            key: Zeroizing::new(key.to_vec()),
            fingerprint: [0; 32],
        }
    }

    /// What the receipt's secret is derived from: the key and the content together.
    fn secret_seed(&self) -> Zeroizing<Vec<u8>> {
        let mut seed = Zeroizing::new(Vec::with_capacity(self.key.len() + 32));
        seed.extend_from_slice(&self.key);
        seed.extend_from_slice(&self.fingerprint);
        seed
    }
}

impl Intake {
    pub fn new(
        sealer: Arc<Sealer>,
        catalogue: Arc<Catalogue>,
        blind_index: BlindIndex,
        term_index: TermIndex,
        receipts: ReceiptHasher,
        submission_key: Secret32,
        writer: ReportWriter,
    ) -> Self {
        Self {
            sealer,
            catalogue,
            blind_index,
            term_index,
            receipts,
            submission_key,
            writer,
            repeats: Arc::new(RepeatWatch::new()),
        }
    }

    /// Forgets texts older than the repeated-text window; run periodically.
    pub fn forget_old_texts(&self, now: i64) {
        self.repeats.forget_old(now);
    }

    pub fn sealer(&self) -> &Arc<Sealer> {
        &self.sealer
    }

    /// The blind index for identifiers.
    pub fn blind_index(&self) -> &BlindIndex {
        &self.blind_index
    }

    /// The search index's term hashing.
    pub fn term_index(&self) -> &TermIndex {
        &self.term_index
    }

    /// The indicator catalogue in force (built in, or the hotline's override).
    pub fn catalogue(&self) -> &Arc<Catalogue> {
        &self.catalogue
    }

    pub fn receipts(&self) -> &ReceiptHasher {
        &self.receipts
    }

    /// The report writer, which the server stops on shutdown.
    pub fn writer(&self) -> &ReportWriter {
        &self.writer
    }

    /// Seals and stores a report. Filing the same submission twice (same key, same content)
    /// stores one report and returns the same receipt; the same key with other content files
    /// nothing and is [`FileError::KeyReused`]. `suspicion` holds the signs of junk the caller
    /// saw; a text that keeps arriving adds its own. A suspect report is filed like any other
    /// (the sender cannot tell) and listed after the others.
    pub async fn file(
        &self,
        report: &ValidReport,
        attachments: &[CleanAttachment],
        submission: &Submission,
        mut suspicion: Suspicion,
        now: OffsetDateTime,
    ) -> Result<Filed, FileError> {
        let c = &report.content;
        let text = match &c.abuse_material {
            Some(a) => format!("{}\n{}", c.narrative.narrative, a.url),
            None => c.narrative.narrative.clone(),
        };
        if self.repeats.arrived(&text, now.unix_timestamp()) {
            suspicion.add(Sign::RepeatedText);
        }
        let Prepared { row, secret } = if attachments.is_empty() {
            self.prepare(report, attachments, submission, &suspicion, now)
        } else {
            // Sealing up to five 10 MiB files is CPU work for a blocking thread, not for the
            // async workers that serve everyone else.
            let intake = self.clone();
            let (report, files) = (report.clone(), attachments.to_vec());
            let submission = submission.clone();
            let prepared = tokio::task::spawn_blocking(move || {
                intake.prepare(&report, &files, &submission, &suspicion, now)
            })
            .await;
            match prepared {
                Ok(prepared) => prepared,
                Err(e) => match e.try_into_panic() {
                    Ok(panic) => std::panic::resume_unwind(panic),
                    // Cancelled: the runtime is shutting down, as the writer is.
                    Err(_) => return Err(FileError::Store(StoreError::WriterGone)),
                },
            }
        };
        match self.writer.store(row).await? {
            Stored::Created { lookup } => Ok(Filed {
                receipt: ReceiptCode::new(lookup, secret),
                repeated: false,
                received_at: now.unix_timestamp(),
            }),
            Stored::Duplicate(existing) => {
                let receipt = ReceiptCode::new(existing.lookup, secret);
                if !self
                    .receipts
                    .verify(&existing.receipt_salt, &existing.receipt_hash, &receipt)
                {
                    return Err(FileError::KeyReused);
                }
                Ok(Filed {
                    receipt,
                    repeated: true,
                    received_at: existing.received_at,
                })
            }
        }
    }

    /// Builds the row of a report received at `now`: triage columns, urgency, sealed groups,
    /// sealed attachments, blind-indexed identifiers and the receipt's hash. The one place a
    /// [`NewReport`] is made, for the form, the API and bulk loads alike. Pure CPU work, no IO.
    pub fn prepare(
        &self,
        report: &ValidReport,
        attachments: &[CleanAttachment],
        submission: &Submission,
        suspicion: &Suspicion,
        now: OffsetDateTime,
    ) -> Prepared {
        let id = ReportId::new(Uuid::now_v7().to_string());
        let decision = decide(self.catalogue.urgency_rules(), &report.facts(now.date()));
        let secret = self.receipts.derive_secret(&submission.secret_seed());
        let salt = ReceiptHasher::salt();
        let draft = ReceiptCode::new(ReceiptCode::random_lookup(), secret.clone());
        let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.as_str()).collect();
        let sealed = seal_groups(&self.sealer, &id, report, &reasons);
        let row = NewReport {
            receipt_hash: self.receipts.hash(&salt, &draft),
            receipt_salt: salt.to_vec(),
            receipt_lookup: draft.lookup().to_owned(),
            submission_hash: self.submission_hash(&submission.key),
            suspect: suspicion.to_column(),
            triage: Triage {
                category: report.category.id.to_owned(),
                country: report.country.clone(),
                received_at: now.unix_timestamp(),
                status: Status::New.as_str().to_owned(),
                urgency: decision.level.as_str().to_owned(),
                child_involved: report.child_involved.to_owned(),
                channel: report.channel.as_str().to_owned(),
                campaign_id: report.campaign.clone(),
                language: report.language.to_owned(),
            },
            manifest: seal_manifest(&self.sealer, &id, &sealed),
            sealed,
            attachments: seal_attachments(&self.sealer, &id, attachments, 0),
            identifiers: self
                .blind_index
                .rows(&self.sealer, &id, &identifiers_of(report)),
            postings: self.term_index.postings(&texts_of(report)),
            id,
        };
        Prepared { row, secret }
    }

    /// Prepares many reports without attachments, spread over `threads` threads (order kept).
    /// Blocking CPU work: call it from a blocking thread.
    pub fn prepare_bulk(&self, reports: &[BulkReport], threads: usize) -> Vec<NewReport> {
        let one = |r: &BulkReport| {
            self.prepare(
                &r.report,
                &[],
                &Submission::keyed(&r.seed),
                &Suspicion::none(),
                r.received_at,
            )
            .row
        };
        let threads = threads.clamp(1, 16);
        if threads == 1 || reports.len() < 2 * threads {
            return reports.iter().map(one).collect();
        }
        let per_thread = reports.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = reports
                .chunks(per_thread)
                .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
                .collect();
            parts
                .into_iter()
                .flat_map(|part| part.join().unwrap_or_default())
                .collect()
        })
    }

    /// Files many reports at once (developer tooling and benchmarks, never a reporter): prepares
    /// them exactly as [`Intake::file`] does and commits them straight to `db`, `batch` reports
    /// per transaction, bypassing the writer task. No receipt is kept. A submission stored before
    /// (same seed) is not stored again.
    pub async fn file_bulk(
        &self,
        db: &Db,
        reports: &[BulkReport],
        batch: usize,
    ) -> Result<BulkFiled, StoreError> {
        let rows = self.prepare_bulk(reports, 1);
        commit_bulk(db, &rows, batch).await
    }

    fn submission_hash(&self, seed: &[u8]) -> Vec<u8> {
        let mut mac = mac_with(&self.submission_key);
        mac.update(seed);
        mac.finalize().into_bytes().to_vec()
    }
}

/// A report prepared for storage, and the receipt secret to show once it is stored.
pub struct Prepared {
    pub row: NewReport,
    pub secret: Zeroizing<String>,
}

/// One report of a bulk load: the validated report, the seed standing for its submission (from
/// which its receipt secret and duplicate check derive) and when it was received.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkReport {
    pub report: ValidReport,
    pub seed: Vec<u8>,
    pub received_at: OffsetDateTime,
}

/// What a bulk load stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkFiled {
    /// Reports stored now.
    pub created: usize,
    /// Submissions that were already stored (the same seed filed before).
    pub duplicates: usize,
}

/// Commits prepared reports to `db`, `batch` per transaction, through the writer's commit (one
/// transaction and one durable sync per batch), indexing them in the same transaction (one index
/// segment per batch, merged as levels fill).
pub async fn commit_bulk(
    db: &Db,
    rows: &[NewReport],
    batch: usize,
) -> Result<BulkFiled, StoreError> {
    let mut filed = BulkFiled::default();
    for part in rows.chunks(batch.max(1)) {
        for outcome in commit(db, part, Indexing::Now).await? {
            match outcome {
                Stored::Created { .. } => filed.created += 1,
                Stored::Duplicate { .. } => filed.duplicates += 1,
            }
        }
        crate::store::segments::merge_all(db).await?;
    }
    Ok(filed)
}

/// Seals clean attachments for `report_id`, numbering them from `first_position`.
pub fn seal_attachments(
    sealer: &Sealer,
    report_id: &ReportId,
    files: &[CleanAttachment],
    first_position: i64,
) -> Vec<NewAttachment> {
    files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let id = Uuid::now_v7().to_string();
            let meta = serde_json::json!({ "kind": file.kind.as_str(), "size": file.bytes.len() });
            NewAttachment {
                meta: sealer.seal(
                    &attachment_aad(report_id, &id, "meta"),
                    meta.to_string().as_bytes(),
                ),
                content: sealer.seal(&attachment_aad(report_id, &id, "content"), &file.bytes),
                position: first_position + i as i64,
                id,
            }
        })
        .collect()
}

/// Everything linkable in a report: the identifier fields, the place, and the free texts.
pub fn identifiers_of(report: &ValidReport) -> Vec<Identifier> {
    let c = &report.content;
    let mut websites = c.identifiers.websites.clone();
    let mut free: Vec<&str> = vec![
        &c.narrative.narrative,
        &c.people.victims_description,
        &c.people.exploiters_description,
    ];
    if let Some(a) = &c.abuse_material {
        websites.push(a.url.clone());
        free.push(&a.where_found);
    }
    extract(&Sources {
        phones: &c.identifiers.phones,
        emails: &c.identifiers.emails,
        websites: &websites,
        handles: &c.identifiers.social_handles,
        plates: &c.identifiers.vehicle_plates,
        venue: &c.place.venue,
        city: &c.place.city,
        free_texts: &free,
        country: report.country.as_deref(),
    })
}

/// Everything searchable in a report, in the reporter's language: the narrative, the place,
/// the descriptions of people, where abuse material was found.
pub fn texts_of(report: &ValidReport) -> Vec<Text<'_>> {
    texts_of_content(&report.content, report.language)
}

/// The texts of a report's content that are indexed for search, read in `language`.
pub fn texts_of_content<'a>(c: &'a ReportContent, language: &'a str) -> Vec<Text<'a>> {
    let mut texts = vec![
        &c.narrative.narrative,
        &c.place.venue,
        &c.place.city,
        &c.people.victims_description,
        &c.people.exploiters_description,
    ];
    if let Some(a) = &c.abuse_material {
        texts.push(&a.where_found);
    }
    texts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|text| Text { text, language })
        .collect()
}
