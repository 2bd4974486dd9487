//! `tipline dev …`: developer tooling, never used by the server. `tipline dev seed --reports N`
//! fills a database with synthetic reports (see [`crate::dev::seed`]) through the same
//! validation, sealing and indexing as intake, in bulk transactions, so that tests and
//! benchmarks run at the scale of a real hotline. It prints counts and rates, never report
//! content.

use super::app::{Opened, open_intake};
use super::config::{ServeArgs, Settings};
use crate::clock::{SharedClock, SystemClock};
use crate::dev::seed::{DEFAULT_SEED, Generator};
use crate::intake::submit::{BulkFiled, Intake, commit_bulk};
use crate::store::Db;
use crate::store::bulk::{analyze, holds_reports, one_sqlite_writer, settle, writer_cache};
use crate::store::reports::NewReport;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tokio::runtime::Runtime;

/// Reports committed per transaction by default.
pub const DEFAULT_BATCH: usize = 500;
/// PostgreSQL statistics are first refreshed after this many reports, then at each doubling.
const FIRST_ANALYZE: usize = 1_000;

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Fill a database with synthetic reports for tests and benchmarks (never a live hotline's):
    /// realistic, multilingual, identifiers shared in clusters, reproducible from --seed.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many reports to generate.
    #[arg(long)]
    pub reports: u64,
    /// The same seed and number of reports give the same reports.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Reports committed per transaction.
    #[arg(long, default_value_t = DEFAULT_BATCH)]
    pub batch: usize,
    /// Threads that generate and seal reports (the database writes beside them).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Add to a database that already holds reports. Without it, dev seed refuses, so that a
    /// hotline's database is never filled with invented reports by mistake.
    #[arg(long)]
    pub append: bool,
    #[command(flatten)]
    pub instance: ServeArgs,
}

/// What to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    pub reports: u64,
    pub seed: u64,
    pub batch: usize,
    pub threads: usize,
    pub append: bool,
}

impl SeedOptions {
    /// `reports` reports from the default seed, in default batches.
    pub fn new(reports: u64) -> Self {
        Self {
            reports,
            seed: DEFAULT_SEED,
            batch: DEFAULT_BATCH,
            threads: 1,
            append: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DevError {
    #[error(
        "the database already holds reports; dev seed is for development and test databases (add --append to add to it anyway)"
    )]
    NotEmpty,
}

/// Generates and files `options.reports` synthetic reports into the instance `settings`
/// describes (keys created on first run, like `serve`). Generation and sealing run on a blocking
/// thread one chunk ahead of the database, which commits `options.batch` reports per
/// transaction, each batch indexed as one segment of the search index.
/// `progress` is told how many reports each committed chunk held.
pub async fn seed(
    settings: &Settings,
    options: SeedOptions,
    clock: SharedClock,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<BulkFiled> {
    let Opened { db, intake, .. } = open_intake(settings, &clock).await?;
    let writer = intake.writer().clone();
    let result = seed_into(&db, intake, options, clock, progress).await;
    // As the server does: its writer's tasks end before the database closes.
    writer.stop(std::time::Duration::from_secs(10)).await;
    db.close().await;
    result
}

async fn seed_into(
    db: &Db,
    intake: Intake,
    options: SeedOptions,
    clock: SharedClock,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<BulkFiled> {
    if !options.append && holds_reports(db).await? {
        return Err(DevError::NotEmpty.into());
    }
    let filed = load(db, intake, options, clock, progress).await?;
    settle(db).await?;
    Ok(filed)
}

/// Generates, seals and commits the reports (see [`seed`]).
async fn load(
    db: &Db,
    intake: Intake,
    options: SeedOptions,
    clock: SharedClock,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<BulkFiled> {
    let _held = one_sqlite_writer(db).await?;
    let generator = Arc::new(Generator::new(options.seed, options.reports, clock.now())?);
    let batch = options.batch.max(1);
    let chunk = (batch * 4) as u64;
    let threads = options.threads.max(1);
    let total = options.reports;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<anyhow::Result<Vec<NewReport>>>(2);
    let producer = tokio::task::spawn_blocking(move || {
        let mut start = 0;
        while start < total {
            let end = (start + chunk).min(total);
            let rows = generator
                .reports(start..end, threads)
                .map(|reports| intake.prepare_bulk(&reports, threads))
                .map_err(anyhow::Error::from);
            let failed = rows.is_err();
            if tx.blocking_send(rows).is_err() || failed {
                break;
            }
            start = end;
        }
    });
    let mut filed = BulkFiled::default();
    let mut next_analyze = FIRST_ANALYZE;
    while let Some(rows) = rx.recv().await {
        let rows = rows?;
        writer_cache(db).await?;
        let done = commit_bulk(db, &rows, batch).await?;
        filed.created += done.created;
        filed.duplicates += done.duplicates;
        progress(rows.len() as u64);
        if filed.created >= next_analyze {
            analyze(db).await?;
            next_analyze = filed.created.saturating_mul(2);
        }
    }
    producer.await?;
    Ok(filed)
}

/// Runs `tipline dev …`; returns the exit code.
pub fn main(command: DevCommand, runtime: &Runtime) -> ExitCode {
    match command {
        DevCommand::Seed(args) => seed_main(args, runtime),
    }
}

fn seed_main(args: SeedArgs, runtime: &Runtime) -> ExitCode {
    let settings = match args.instance.resolve() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tipline: {e}");
            return ExitCode::from(2);
        }
    };
    let options = SeedOptions {
        reports: args.reports,
        seed: args.seed,
        batch: args.batch,
        threads: args.threads,
        append: args.append,
    };
    // On stderr; hidden when stderr is not a terminal.
    let bar = ProgressBar::new(options.reports);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {human_pos}/{human_len} reports  {per_sec}  {eta} left",
    ) {
        bar.set_style(style);
    }
    let started = Instant::now();
    let clock: SharedClock = Arc::new(SystemClock);
    let outcome = runtime.block_on(seed(&settings, options, clock, &|n| bar.inc(n)));
    bar.finish_and_clear();
    match outcome {
        Ok(filed) => {
            let seconds = started.elapsed().as_secs_f64();
            let rate = filed.created as f64 / seconds.max(1e-9);
            let again = if filed.duplicates > 0 {
                format!(" ({} were there already)", filed.duplicates)
            } else {
                String::new()
            };
            println!(
                "seeded {} reports in {seconds:.1} s, {rate:.0} reports/s{again}",
                filed.created
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tipline: {e:#}");
            ExitCode::FAILURE
        }
    }
}
