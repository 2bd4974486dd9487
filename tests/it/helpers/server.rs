//! The server under test: the real app on a random port, with its own data and key directories,
//! a clock the test moves, and its own PostgreSQL database when it runs on PostgreSQL.

use super::Backend;
use super::pg::PgDatabase;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;
use tipline::cli::app::{Running, start};
use tipline::cli::config::{ServeArgs, Settings};
use tipline::clock::{Clock, SystemClock};
use tipline::store::Db;

/// A clock the test moves by hand: the real time plus however far the test has jumped ahead
/// (real time keeps flowing, so a browser's TOTP codes and the server agree).
pub struct TestClock {
    offset: AtomicI64,
}

impl TestClock {
    pub fn new() -> Self {
        Self {
            offset: AtomicI64::new(0),
        }
    }

    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        SystemClock.now() + time::Duration::seconds(self.offset.load(Ordering::SeqCst))
    }
}

/// A running tipline with its own data and key directories.
pub struct TestApp {
    pub clock: Arc<TestClock>,
    pub base: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
    // Fields drop in order: the server goes before its database.
    running: Option<Running>,
    pg: Option<PgDatabase>,
}

pub fn settings_for(dir: &Path, database_url: Option<String>) -> Settings {
    ServeArgs {
        data_dir: Some(dir.join("data")),
        key_dir: Some(dir.join("keys")),
        listen: Some("127.0.0.1:0".into()),
        database_url,
        exit_url: Some("https://exit.example/".into()),
        intake_per_second: Some(100_000),
        intake_burst: Some(100_000),
        ..Default::default()
    }
    .resolve()
    .map(|s| Settings {
        // As `tipline serve` does: attachments are cleaned by the binary in a child process.
        attachment_cleaner: Some(env!("CARGO_BIN_EXE_tipline").into()),
        ..s
    })
    .unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app with settings adjusted by `adjust`.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let database_url = pg.as_ref().map(|pg| pg.url().to_owned());
        let mut settings = settings_for(dir.path(), database_url.clone());
        adjust(&mut settings);
        let clock = Arc::new(TestClock::new());
        let running = start(&settings, clock.clone()).await.unwrap();
        let base = format!("http://{}", running.addr);
        Self {
            clock,
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            dir,
            database_url,
            running: Some(running),
            pg,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn key_dir(&self) -> PathBuf {
        self.dir.path().join("keys")
    }

    pub fn db(&self) -> &Db {
        &self.running.as_ref().unwrap().db
    }

    /// The name of this app's PostgreSQL database, if it runs on PostgreSQL.
    pub fn pg_name(&self) -> Option<&str> {
        self.pg.as_ref().map(PgDatabase::name)
    }

    /// Stops the server as on a normal shutdown, keeping its data, and opens its database again
    /// to look at what it left.
    pub async fn stop_and_reopen(&mut self) -> Db {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        match &self.database_url {
            Some(url) => Db::connect(url).await.unwrap(),
            None => Db::open_embedded(&self.data_dir()).await.unwrap(),
        }
    }

    /// Stops the server and drops its PostgreSQL database. (A test that fails before this still
    /// has its database dropped, by the guard.)
    pub async fn finish(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        if let Some(pg) = self.pg.take() {
            pg.drop_now().await;
        }
    }
}
