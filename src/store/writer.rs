//! The report writer: group commit. Concurrent submissions queue on a channel; a task takes
//! whatever is waiting, stores it in one transaction with one durable sync, and only then answers
//! each submitter. A receipt is shown only after its report committed. SQLite allows one writer
//! at a time, so one task does this and is the only writer. On PostgreSQL, several tasks take
//! batches in turn and commit them side by side, and every app node runs its own.
//!
//! The search index is kept up beside it: a filed report's postings wait in the index queue (one
//! row, committed with the report) and, once a step's worth has gathered (or a second has
//! passed), a step moves queued reports into a new segment of the index in one transaction; when
//! nothing is queued, segments are merged (see `store::segments`). A receipt never waits for
//! index writes in its own transaction. On SQLite the writer task does this upkeep itself
//! whenever no submission is waiting, so that no second writer fights it for the lock; a receipt
//! waits at most for a step or merge already under way. On PostgreSQL, where writers do not
//! exclude each other, the upkeep runs in a task of its own and receipts never wait for it. A
//! report is searchable a moment after its receipt; under a burst of submissions the index lags
//! and catches up after it, in larger steps.
//!
//! The writer's tasks belong to its handle, and [`ReportWriter::stop`] ends them: the channel is
//! closed (a submission arriving after that is answered [`StoreError::WriterGone`], and nothing of
//! it is written), every submission already queued is committed and answered, and only then do
//! the tasks end, so that the server closes the database after the last commit. A submission is
//! never dropped unanswered, and a batch is one transaction: never half-written.

use super::reports::{self, Inserted, NewReport};
use super::{Backend, Db, StoreError};
use crate::seal::ReceiptCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{Mutex, mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Most reports committed together.
const MAX_BATCH: usize = 256;
/// Batches committing at once on PostgreSQL (each holds a connection of the pool while it
/// commits): while one waits on the database, the next is under way.
const POSTGRES_COMMITTERS: usize = 4;
/// Queued reports a step waits for before moving them into the search index (fewer, larger
/// segments to merge), unless the oldest has waited [`INDEX_DELAY`].
const INDEX_STEP: usize = 64;
/// Most queued reports one step moves. On SQLite a step holds the single writer, so it stays
/// small enough that a submission arriving meanwhile waits a few milliseconds; on PostgreSQL
/// nothing waits for a step, and a larger one costs less per report (the terms of a step's
/// reports overlap), so an index that lags behind a burst catches up.
const fn most_per_step(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => INDEX_STEP,
        Backend::Postgres => 16 * INDEX_STEP,
    }
}
/// Longest a report waits in the index queue for a full step to gather (searchable within
/// about this long after its receipt).
const INDEX_DELAY: Duration = Duration::from_secs(1);
/// How long an idle writer waits for submissions before looking at the index queue again
/// (messages and other app nodes queue postings too).
const INDEX_POLL: Duration = Duration::from_millis(250);
/// Pause before indexing again after a failure (the reports stay queued).
const AFTER_FAILURE: Duration = Duration::from_secs(5);
/// How often the SQLite writer refreshes the query planner's statistics (see `Db::analyze`).
const ANALYZE_EVERY: Duration = Duration::from_secs(24 * 3600);
/// Attempts to find a free receipt lookup before giving up (a clash is a 1-in-10¹² event).
const LOOKUP_ATTEMPTS: usize = 8;

/// What storing a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Stored now, under this receipt lookup.
    Created { lookup: String },
    /// This submission was stored before.
    Duplicate(reports::Existing),
}

type Reply = oneshot::Sender<Result<Stored, StoreError>>;
/// A submission and where its answer goes.
type Job = (NewReport, Reply);

/// Handle to the writer task. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct ReportWriter {
    tx: mpsc::Sender<Job>,
    tasks: Arc<Tasks>,
}

/// The writer's tasks and how they are told to stop.
#[derive(Debug)]
struct Tasks {
    stop: watch::Sender<bool>,
    running: Mutex<JoinSet<()>>,
}

impl ReportWriter {
    /// Starts the writer task on `db`.
    pub fn start(db: Db) -> Self {
        let (tx, rx) = mpsc::channel(4096);
        let (stop, stopped) = watch::channel(false);
        let mut running = JoinSet::new();
        match db.backend() {
            Backend::Sqlite => {
                running.spawn(run(db, rx, stopped));
            }
            Backend::Postgres => {
                let rx = Arc::new(Mutex::new(rx));
                for _ in 0..POSTGRES_COMMITTERS {
                    running.spawn(commit_loop(db.clone(), Arc::clone(&rx), stopped.clone()));
                }
                running.spawn(keep_index(db, stopped));
            }
        }
        Self {
            tx,
            tasks: Arc::new(Tasks {
                stop,
                running: Mutex::new(running),
            }),
        }
    }

    /// Stops the writer: takes no more submissions (later ones are answered
    /// [`StoreError::WriterGone`]), commits and answers every one already queued, and waits for
    /// its tasks to end, at most `grace`. Returns how many tasks had to be cut off then (none,
    /// unless the database hung); a batch cut off is rolled back and its submitters are answered
    /// `WriterGone`. Calling it again does nothing.
    pub async fn stop(&self, grace: Duration) -> usize {
        self.tasks.stop.send_replace(true);
        let mut running = self.tasks.running.lock().await;
        let joined = tokio::time::timeout(grace, async {
            while let Some(ended) = running.join_next().await {
                if let Err(e) = ended {
                    tracing::error!(error = %e, "a report writer task failed");
                }
            }
        })
        .await;
        if joined.is_ok() {
            return 0;
        }
        let left = running.len();
        running.abort_all();
        while running.join_next().await.is_some() {}
        left
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

/// The writer task of SQLite: commits submissions in batches and keeps the index between them.
async fn run(db: Db, mut rx: mpsc::Receiver<Job>, mut stop: watch::Receiver<bool>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Postings may wait from before a restart, or from messages and other app nodes.
    let mut index_due = true;
    let mut retry_after = Instant::now();
    let mut steps = Steps::new();
    // Statistics first, so that the first queries after a start or an upgrade plan well.
    let mut analyzed = Instant::now();
    keep_statistics(&db).await;
    loop {
        if *stop.borrow() {
            break;
        }
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
            // Waiting for submissions is cancel-safe: told to stop, nothing received is lost.
            tokio::select! {
                received = tokio::time::timeout(INDEX_POLL, rx.recv_many(&mut batch, MAX_BATCH)) => {
                    match received {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(_) => index_due = Instant::now() >= retry_after,
                    }
                }
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        if !batch.is_empty() {
            commit_jobs(&db, std::mem::take(&mut batch)).await;
            index_due = true;
            continue;
        }
        if index_due {
            index_due = match steps.next(&db).await {
                Ok(worked) => worked,
                Err(()) => {
                    retry_after = Instant::now() + AFTER_FAILURE;
                    false
                }
            };
        } else if analyzed.elapsed() >= ANALYZE_EVERY {
            analyzed = Instant::now();
            keep_statistics(&db).await;
        }
    }
    if !batch.is_empty() {
        commit_jobs(&db, std::mem::take(&mut batch)).await;
    }
    drain(&db, &mut rx).await;
}

/// Closes the channel (a submission sent after this is answered `WriterGone` by
/// [`ReportWriter::store`]) and commits and answers whatever was queued before.
async fn drain(db: &Db, rx: &mut mpsc::Receiver<Job>) {
    rx.close();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit_jobs(db, std::mem::take(&mut batch)).await;
    }
}

/// Refreshes the planner's statistics; a failure is logged, and the next day tries again.
async fn keep_statistics(db: &Db) {
    if let Err(e) = db.analyze().await {
        tracing::warn!(error = %e, "refreshing the query planner's statistics failed; retried tomorrow");
    }
}

/// A committing task of PostgreSQL: several share the submissions, so that one batch is
/// stored while the next is taken and sent (see `links::insert` on how batches sharing an
/// identifier still count one after the other).
/// Told to stop, the first to notice closes the channel; each then takes what is still queued
/// until none is left.
async fn commit_loop(db: Db, rx: Arc<Mutex<mpsc::Receiver<Job>>>, mut stop: watch::Receiver<bool>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let received = {
            let mut rx = rx.lock().await;
            let received = tokio::select! {
                received = rx.recv_many(&mut batch, MAX_BATCH) => Some(received),
                _ = stop.wait_for(|stopped| *stopped) => None,
            };
            match received {
                Some(received) => received,
                None => {
                    rx.close();
                    rx.recv_many(&mut batch, MAX_BATCH).await
                }
            }
        };
        if received == 0 {
            return;
        }
        commit_jobs(&db, std::mem::take(&mut batch)).await;
    }
}

/// The index upkeep task (PostgreSQL): steps while there is work, polls when there is none,
/// until the writer is told to stop (the reports left stay queued for the next start).
async fn keep_index(db: Db, mut stop: watch::Receiver<bool>) {
    let mut steps = Steps::new();
    while !*stop.borrow() {
        let pause = match steps.next(&db).await {
            Ok(true) => continue,
            Ok(false) => INDEX_POLL,
            Err(()) => AFTER_FAILURE,
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// When the next index step is due.
struct Steps {
    last: Instant,
}

impl Steps {
    fn new() -> Self {
        // Postings may wait from before a restart: the first step is due at once.
        let last = Instant::now()
            .checked_sub(INDEX_DELAY)
            .unwrap_or_else(Instant::now);
        Self { last }
    }

    /// One step of index upkeep: moves queued reports into a new segment when a full step
    /// waits or the oldest has waited long enough, else merges segments if a level is full.
    /// Returns whether it did anything; a failure is logged (the reports stay queued).
    async fn next(&mut self, db: &Db) -> Result<bool, ()> {
        let result = async {
            // A step writes one segment: wait for a full step (fewer, larger segments to
            // merge) unless the oldest queued report has waited long enough.
            let ripe = self.last.elapsed() >= INDEX_DELAY
                || super::search::queued_at_least(db, INDEX_STEP)
                    .await
                    .unwrap_or(true);
            if ripe {
                self.last = Instant::now();
                let most = most_per_step(db.backend());
                if super::search::index_queued(db, most).await? > 0 {
                    return Ok(true);
                }
            }
            super::segments::merge_one(db).await
        }
        .await;
        result.map_err(|e: StoreError| {
            tracing::warn!(error = %e, "search indexing failed; the reports stay queued and are retried");
        })
    }
}

/// Commits one batch of submissions and answers each submitter.
async fn commit_jobs(db: &Db, jobs: Vec<Job>) {
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
            indexed.push((&report.id, report.postings.as_slice()));
            linked.push((&report.id, report.identifiers.as_slice()));
        }
        outcomes.push(outcome);
    }
    match indexing {
        Indexing::Now => super::search::add_postings(&mut tx, &indexed).await?,
        Indexing::Queued => super::search::queue_postings(&mut tx, &indexed).await?,
    }
    // Last: on PostgreSQL it locks the batch's identifiers until the commit.
    super::links::insert(&mut tx, &linked).await?;
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
            Inserted::Duplicate(existing) => return Ok(Stored::Duplicate(existing)),
            Inserted::LookupTaken => {
                candidate.to_mut().receipt_lookup = ReceiptCode::random_lookup();
            }
        }
    }
    Err(StoreError::Corrupt)
}
