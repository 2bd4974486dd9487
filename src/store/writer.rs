//! The report writer: group commit. Concurrent submissions queue on a channel; one task takes
//! whatever is waiting, stores it in one transaction with one durable sync, and only then answers
//! each submitter. SQLite allows one writer at a time, so this is also the only writer; on
//! PostgreSQL each app node runs its own. A receipt is shown only after its report committed.

use super::reports::{self, Inserted, NewReport};
use super::{Db, StoreError};
use crate::seal::ReceiptCode;
use tokio::sync::{mpsc, oneshot};

/// Most reports committed together.
const MAX_BATCH: usize = 256;
/// Attempts to find a free receipt lookup before giving up (a clash is a 1-in-10¹² event).
const LOOKUP_ATTEMPTS: usize = 8;

/// What storing a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Stored now, under this receipt lookup.
    Created { lookup: String },
    /// This submission was stored before, under this lookup.
    Duplicate { lookup: String },
}

type Reply = oneshot::Sender<Result<Stored, StoreError>>;

/// Handle to the writer task. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct ReportWriter {
    tx: mpsc::Sender<(NewReport, Reply)>,
}

impl ReportWriter {
    /// Starts the writer task on `db`.
    pub fn start(db: Db) -> Self {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(db, rx));
        Self { tx }
    }

    /// Stores a report durably; returns once it is committed.
    pub async fn store(&self, report: NewReport) -> Result<Stored, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((report, reply))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<(NewReport, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs: Vec<(NewReport, Reply)> = std::mem::take(&mut batch);
        let (reports, replies): (Vec<NewReport>, Vec<Reply>) = jobs.into_iter().unzip();
        match commit(&db, &reports).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(batch_error) => {
                // One bad report must not fail the others: retry each in its own transaction.
                if reports.len() == 1 {
                    if let Some(reply) = replies.into_iter().next() {
                        let _ = reply.send(Err(batch_error));
                    }
                    continue;
                }
                for (report, reply) in reports.into_iter().zip(replies) {
                    let result = commit(&db, std::slice::from_ref(&report))
                        .await
                        .and_then(|mut o| o.pop().ok_or(StoreError::Corrupt));
                    let _ = reply.send(result);
                }
            }
        }
    }
}

pub(crate) async fn commit(db: &Db, reports: &[NewReport]) -> Result<Vec<Stored>, StoreError> {
    let mut tx = db.pool().begin().await?;
    let mut outcomes = Vec::with_capacity(reports.len());
    let mut frequencies = super::search::Frequencies::default();
    let mut indexed = Vec::with_capacity(reports.len());
    for report in reports {
        let outcome = insert_with_free_lookup(&mut tx, report).await?;
        if matches!(outcome, Stored::Created { .. }) {
            frequencies.count(&report.postings);
            indexed.push((report.id.as_str(), report.postings.as_slice()));
        }
        outcomes.push(outcome);
    }
    super::search::add_postings(&mut tx, &indexed).await?;
    super::search::add_frequencies(&mut tx, &frequencies).await?;
    tx.commit().await?;
    Ok(outcomes)
}

async fn insert_with_free_lookup(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    report: &NewReport,
) -> Result<Stored, StoreError> {
    let mut candidate = std::borrow::Cow::Borrowed(report);
    for _ in 0..LOOKUP_ATTEMPTS {
        match reports::insert(tx, &candidate).await? {
            Inserted::Created => {
                return Ok(Stored::Created {
                    lookup: candidate.receipt_lookup.clone(),
                });
            }
            Inserted::Duplicate(lookup) => return Ok(Stored::Duplicate { lookup }),
            Inserted::LookupTaken => {
                candidate.to_mut().receipt_lookup = ReceiptCode::random_lookup();
            }
        }
    }
    Err(StoreError::Corrupt)
}
