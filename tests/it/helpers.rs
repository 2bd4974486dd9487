//! Test helpers: spawn the real app on either backend, a client, and shortcuts for each thing a
//! reporter does.

use reqwest::multipart;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;
use tipline::cli::app::{Running, start};
use tipline::cli::config::{ServeArgs, Settings};
use tipline::clock::{Clock, SystemClock};
use tipline::intake::sealed::{OpenedReport, open_report};
use tipline::seal::{KeyRing, Sealer};
use tipline::store::reports::{self, StoredReport};
use tipline::store::{Db, data_keys};

/// The server every PostgreSQL test database is created on.
pub fn postgres_admin_url() -> String {
    std::env::var("TIPLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async storage test once per backend.
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block) => {
        mod $name {
            use super::*;
            $(#[$meta])*
            async fn run($backend: $crate::helpers::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::helpers::Backend::Postgres).await
            }
        }
    };
}
pub(crate) use both_backends;

/// A fresh, uniquely named PostgreSQL database, dropped by [`TestApp::finish`].
pub async fn fresh_postgres_database() -> (String, String) {
    let admin = postgres_admin_url();
    let name = format!("tipline_test_{}", uuid::Uuid::now_v7().simple());
    let admin_db = Db::connect(&admin)
        .await
        .expect("PostgreSQL must run for the tests (see README)");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(admin_db.pool())
        .await
        .unwrap();
    admin_db.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
    (format!("{base}/{name}"), name)
}

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
    pg_name: Option<String>,
    running: Option<Running>,
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
        let (database_url, pg_name) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                let (url, name) = fresh_postgres_database().await;
                (Some(url), Some(name))
            }
        };
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
            pg_name,
            running: Some(running),
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

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Opens the form for a category and returns its one-time token.
    pub async fn form_token(&self, lang: &str, category: &str) -> String {
        let page = self
            .get(&format!("/report?lang={lang}&category={category}"))
            .await
            .text()
            .await
            .unwrap();
        let start = page.find("name=\"form_token\" value=\"").unwrap() + 25;
        page[start..].split('"').next().unwrap().to_owned()
    }

    /// Posts the report form with these text fields (and files); returns status and HTML.
    pub async fn post_form(
        &self,
        fields: &[(&str, &str)],
        files: &[(&str, Vec<u8>)],
    ) -> (u16, String) {
        let mut form = multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (name, bytes) in files {
            form = form.part(
                "attachments",
                multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
            );
        }
        let response = self
            .client
            .post(format!("{}/report", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Fills and sends a complete form; returns the receipt shown.
    pub async fn file_report(&self, lang: &str, category: &str, fields: &[(&str, &str)]) -> String {
        let token = self.form_token(lang, category).await;
        let mut all = vec![
            ("form_token", token.as_str()),
            ("lang", lang),
            ("category", category),
        ];
        all.extend_from_slice(fields);
        let (status, html) = self.post_form(&all, &[]).await;
        assert_eq!(status, 200, "{html}");
        receipt_in(&html)
    }

    pub async fn post_api(&self, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/reports", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The sealer built from this app's key directory and database, as a permitted reader.
    pub async fn sealer(&self) -> Sealer {
        let keys = KeyRing::load_or_create(&self.key_dir(), &self.data_dir()).unwrap();
        data_keys::load_sealer(self.db(), &keys, 0).await.unwrap()
    }

    /// Every stored report, opened.
    pub async fn stored_reports(&self) -> Vec<(StoredReport, OpenedReport)> {
        let sealer = self.sealer().await;
        let mut out = Vec::new();
        for id in reports::all_ids(self.db()).await.unwrap() {
            let stored = reports::by_id(self.db(), &id).await.unwrap().unwrap();
            let opened = open_report(&sealer, &stored).unwrap();
            out.push((stored, opened));
        }
        out
    }

    /// Files a report through the JSON API (201 expected) and returns its id.
    pub async fn file_api(&self, body: serde_json::Value) -> String {
        let before = tipline::store::reports::all_ids(self.db()).await.unwrap();
        assert_eq!(self.post_api(&body).await.status(), 201, "{body}");
        tipline::store::reports::all_ids(self.db())
            .await
            .unwrap()
            .into_iter()
            .find(|i| !before.contains(i))
            .unwrap()
    }

    /// The other reports holding each identifier of `report_id` that `visibility` lets the
    /// viewer see: the `latest` most recently filed of each, counted up to `most_counted`.
    pub async fn holders(
        &self,
        report_id: &str,
        visibility: &tipline::staff::policy::Visibility,
        latest: usize,
        most_counted: usize,
    ) -> Vec<tipline::store::links::Holders> {
        use tipline::store::links;
        let own = links::of_report(self.db(), report_id).await.unwrap();
        links::holders(self.db(), report_id, &own, visibility, latest, most_counted)
            .await
            .unwrap()
    }

    /// Every other report sharing an identifier with `report_id`, sorted, once each.
    pub async fn related(&self, report_id: &str) -> Vec<String> {
        let everything = tipline::staff::policy::Visibility::Everything;
        let mut ids: Vec<String> = self
            .holders(report_id, &everything, usize::MAX, 100_000)
            .await
            .into_iter()
            .flat_map(|h| h.latest)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Waits until the background indexer has taken in everything filed so far.
    pub async fn indexed(&self) {
        for _ in 0..300 {
            if tipline::store::search::queued(self.db()).await.unwrap() == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the search indexer did not catch up within 15 s");
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

    /// Stops the server and drops its PostgreSQL database.
    pub async fn finish(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        if let Some(name) = self.pg_name.take() {
            drop_postgres_database(&name).await;
        }
    }
}

pub async fn drop_postgres_database(name: &str) {
    let admin = Db::connect(&postgres_admin_url()).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(admin.pool())
        .await
        .unwrap();
    admin.close().await;
}

/// The receipt code on a confirmation page.
pub fn receipt_in(html: &str) -> String {
    let start = html.find("id=\"receipt\"").expect("a receipt on the page");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..].split('<').next().unwrap().trim().to_owned()
}

/// True when the receipt has the documented shape: six groups of four Crockford characters.
pub fn is_receipt(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 6
        && groups.iter().all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
        })
}
