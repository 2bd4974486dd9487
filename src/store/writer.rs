//! The report writer: group commit. Concurrent submissions queue on a channel; one task takes
//! whatever is waiting, stores it in one transaction with one durable sync, and only then answers
//! each submitter. SQLite allows one writer at a time, so this is also the only writer; on
//! PostgreSQL each app node runs its own. A receipt is shown only after its report committed.
//!
//! The same task keeps the search index: a filed report's postings wait in the index queue (one
//! row, committed with the report) and, whenever no submission is waiting and a step's worth has
//! gathered (or a second has passed), the writer moves a few dozen queued reports into a new
//! segment of the index in one transaction; when nothing is queued it merges segments (see
//! `store::segments`). A receipt never waits for index writes in its own transaction, at most for
//! a step or merge already under way, and on SQLite no second writer fights this one for the
//! lock. A report is searchable a moment after its receipt; under a burst of submissions the
//! index lags and catches up after it.

use super::reports::{self, Inserted, NewReport};
use super::{Db, StoreError};
use crate::seal::ReceiptCode;
use std::time::Duration;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Most reports committed together.
const MAX_BATCH: usize = 256;
/// Queued reports moved into the search index per step, between batches of submissions: small
/// enough that a submission arriving meanwhile waits a few milliseconds, not seconds.
const INDEX_STEP: usize = 64;
/// Longest a report waits in the index queue for a full step to gather (searchable within
/// about this long after its receipt).
const INDEX_DELAY: Duration = Duration::from_secs(1);
/// How long an idle writer waits for submissions before looking at the index queue again
/// (messages and other app nodes queue postings too).
const INDEX_POLL: Duration = Duration::from_millis(250);
/// Pause before indexing again after a failure (the reports stay queued).
const AFTER_FAILURE: Duration = Duration::from_secs(5);
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

/// How a commit puts reports into the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexing {
    /// Into a new segment of the index in the same transaction (bulk loads: many reports per
    /// commit share one segment).
    Now,
    /// Into the index queue, taken in by the writer between submissions (live intake: a
    /// receipt waits for one queue row, not for the index).
    Queued,
}

async fn run(db: Db, mut rx: mpsc::Receiver<(NewReport, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Postings may wait from before a restart, or from messages and other app nodes.
    let mut index_due = true;
    let mut retry_after = Instant::now();
    let mut last_step = Instant::now()
        .checked_sub(INDEX_DELAY)
        .unwrap_or_else(Instant::now);
    loop {
        if index_due {
            // Receipts come first: take whatever submissions wait, without waiting for more.
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) if batch.is_empty() => return,
                    Err(TryRecvError::Disconnected) => break,
                }
            }
        } else {
            match tokio::time::timeout(INDEX_POLL, rx.recv_many(&mut batch, MAX_BATCH)).await {
                Ok(0) => return,
                Ok(_) => {}
                Err(_) => index_due = Instant::now() >= retry_after,
            }
        }
        if !batch.is_empty() {
            commit_jobs(&db, std::mem::take(&mut batch)).await;
            index_due = true;
            continue;
        }
        if index_due {
            // A step writes one segment: wait for a full step (fewer, larger segments to merge)
            // unless the oldest queued report has waited long enough.
            let ripe = last_step.elapsed() >= INDEX_DELAY
                || super::search::queued_at_least(&db, INDEX_STEP)
                    .await
                    .unwrap_or(true);
            if ripe {
                last_step = Instant::now();
            }
            index_due = match index_or_merge(&db, ripe).await {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::warn!(error = %e, "search indexing failed; the reports stay queued and are retried");
                    retry_after = Instant::now() + AFTER_FAILURE;
                    false
                }
            };
        }
    }
}

/// One step of index upkeep: moves a step of queued reports into a new segment when `ripe`,
/// else merges segments if a level is full. Returns whether it did anything.
async fn index_or_merge(db: &Db, ripe: bool) -> Result<bool, StoreError> {
    if ripe && super::search::index_queued(db, INDEX_STEP).await? > 0 {
        return Ok(true);
    }
    super::segments::merge_one(db).await
}

/// Commits one batch of submissions and answers each submitter.
async fn commit_jobs(db: &Db, jobs: Vec<(NewReport, Reply)>) {
    let (reports, replies): (Vec<NewReport>, Vec<Reply>) = jobs.into_iter().unzip();
    match commit(db, &reports, Indexing::Queued).await {
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
                return;
            }
            for (report, reply) in reports.into_iter().zip(replies) {
                let result = commit(db, std::slice::from_ref(&report), Indexing::Queued)
                    .await
                    .and_then(|mut o| o.pop().ok_or(StoreError::Corrupt));
                let _ = reply.send(result);
            }
        }
    }
}

pub(crate) async fn commit(
    db: &Db,
    reports: &[NewReport],
    indexing: Indexing,
) -> Result<Vec<Stored>, StoreError> {
    let mut tx = db.pool().begin().await?;
    let mut outcomes = Vec::with_capacity(reports.len());
    let mut indexed = Vec::with_capacity(reports.len());
    let mut linked = Vec::with_capacity(reports.len());
    for report in reports {
        let outcome = insert_with_free_lookup(&mut tx, report).await?;
        if matches!(outcome, Stored::Created { .. }) {
            indexed.push((report.id.as_str(), report.postings.as_slice()));
            linked.push((report.id.as_str(), report.identifiers.as_slice()));
        }
        outcomes.push(outcome);
    }
    super::links::insert(&mut tx, &linked).await?;
    match indexing {
        Indexing::Now => super::search::add_postings(&mut tx, &indexed).await?,
        Indexing::Queued => super::search::queue_postings(&mut tx, &indexed).await?,
    }
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
