//! Staff pages benchmark: what an analyst and a supervisor wait for, through HTTP, signed in, on
//! a corpus of 100,000 and 1,000,000 seeded reports, with the server's memory. Not a test, never
//! run in CI.
//!
//! ```text
//! cargo build --release --features dev-seed
//! BENCH_BASELINE_BIN=/path/to/old/tipline cargo bench --bench staff_pages
//! BENCH_SIZES=100000 BENCH_BACKENDS=sqlite cargo bench --bench staff_pages
//! ```
//!
//! For each backend and size, a corpus is seeded once with `tipline dev seed` (by the baseline
//! binary when one is given, so that the older binary can read it; the newer one migrates a copy
//! forward) and kept under `BENCH_WORK` for the next run. Each binary then serves its own copy
//! of that corpus (a copied data directory on SQLite, `CREATE DATABASE … TEMPLATE` on
//! PostgreSQL), so that neither sees what the other wrote. For each binary the benchmark starts
//! the real `tipline serve`, creates an analyst and a supervisor with `tipline user add`, has
//! each choose a password through the set-up link and enrol TOTP as a person does, and then
//! times, as each of them, one after another:
//!
//! - the queue's first page (`/staff/`), and two filtered pages: every new case of one category,
//!   and one category in one country;
//! - the search results page for one common word and for two words;
//! - the case view of 30 reports drawn across the corpus (visible to both roles).
//!
//! Each page is asked once cold (the "first" column), then `BENCH_WARMUP` times untimed, then
//! `BENCH_REQUESTS` times timed. A page whose first answer takes longer than `BENCH_SLOW_SECS`
//! is not asked again (the table says so). The server's resident memory is read from /proc
//! every 50 ms; a server above `BENCH_MAX_RSS_MIB` is killed so that it cannot take the machine
//! down, and the table says so.
//!
//! Settings (environment): `BENCH_SIZES` (100000,1000000), `BENCH_BACKENDS` (sqlite,postgres),
//! `BENCH_BASELINE_BIN` (none), `BENCH_CANDIDATE_BIN` (this crate's `tipline`), `BENCH_REQUESTS`
//! (30), `BENCH_WARMUP` (3), `BENCH_SLOW_SECS` (10), `BENCH_SETTLE_SECS` (600: how long a
//! started server may take to finish its start-up work, until its CPU time stops growing,
//! before pages are timed), `BENCH_SUPERVISOR_FIRST` (0; 1 times the supervisor's pages first),
//! `BENCH_SERVER_LOG` (none; a `TIPLINE_LOG` filter for the servers, e.g. `info,sqlx=debug` to
//! see each statement's time, their logs kept as `server-<binary>-<backend>-<size>.log` in the
//! work directory),
//! `BENCH_MAX_RSS_MIB` (6144), `BENCH_WORK`
//! (target/bench-staff-pages), `BENCH_PG_ADMIN_URL` (postgres://postgres@127.0.0.1:5432/test),
//! `BENCH_OUT` (BENCHMARKS.md at the crate root). All traffic goes to 127.0.0.1.

#[path = "support/process.rs"]
mod process;
#[path = "support/sections.rs"]
mod sections;

use process::{
    Binary, binaries_from_env, binary_source, cpu_ticks, env_or, pg_url_for, proc_status_kib,
    reset_peak_rss, today,
};

use data_encoding::BASE32_NOPAD;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor, Row};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tipline::clock::{Clock, SystemClock};
use tipline::staff::totp::{TotpSecret, code_at};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
    fn slug(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
struct Config {
    binaries: Vec<Binary>,
    sizes: Vec<u64>,
    backends: Vec<Backend>,
    requests: usize,
    warmup: usize,
    slow: Duration,
    /// The supervisor's pages are timed before the analyst's (`BENCH_SUPERVISOR_FIRST=1`), to
    /// tell a role's cost from the cost of going first.
    supervisor_first: bool,
    /// The servers' log filter, when their logs are kept.
    server_log: Option<String>,
    /// How long a started server is given to finish its start-up work before pages are timed.
    settle: Duration,
    max_rss_kib: u64,
    work: PathBuf,
    pg_admin_url: String,
    out: PathBuf,
    command: String,
}

fn env_num<T: std::str::FromStr>(key: &str, default: &str) -> T {
    env_or(key, default)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{key} is a number"))
}

impl Config {
    fn from_env() -> Self {
        let sizes = env_or("BENCH_SIZES", "100000,1000000")
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("BENCH_SIZES is like 100000,1000000")
            })
            .collect();
        let backends = env_or("BENCH_BACKENDS", "sqlite,postgres")
            .split(',')
            .map(|b| match b.trim().to_ascii_lowercase().as_str() {
                "sqlite" => Backend::Sqlite,
                "postgres" | "postgresql" | "pg" => Backend::Postgres,
                other => panic!("unknown backend {other:?} in BENCH_BACKENDS (sqlite,postgres)"),
            })
            .collect();
        let binaries = binaries_from_env(env!("CARGO_BIN_EXE_tipline"));
        let mut settings: Vec<String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("BENCH_"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        settings.sort();
        settings.push("cargo bench --bench staff_pages".to_owned());
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self {
            binaries,
            sizes,
            backends,
            requests: env_num::<usize>("BENCH_REQUESTS", "30").max(1),
            warmup: env_num("BENCH_WARMUP", "3"),
            slow: Duration::from_secs_f64(env_num("BENCH_SLOW_SECS", "10")),
            settle: Duration::from_secs_f64(env_num("BENCH_SETTLE_SECS", "600")),
            supervisor_first: env_or("BENCH_SUPERVISOR_FIRST", "0") == "1",
            server_log: std::env::var("BENCH_SERVER_LOG")
                .ok()
                .filter(|s| !s.is_empty()),
            max_rss_kib: env_num::<u64>("BENCH_MAX_RSS_MIB", "6144") * 1024,
            work: std::env::var_os("BENCH_WORK")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target").join("bench-staff-pages")),
            pg_admin_url: env_or(
                "BENCH_PG_ADMIN_URL",
                "postgres://postgres@127.0.0.1:5432/test",
            ),
            out: std::env::var_os("BENCH_OUT")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("BENCHMARKS.md")),
            command: settings.join(" "),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Corpora

async fn pg_admin(cfg: &Config, sql: &str) -> Result<(), String> {
    let mut conn = PgConnection::connect(&cfg.pg_admin_url)
        .await
        .map_err(|e| format!("cannot reach PostgreSQL at {}: {e}", cfg.pg_admin_url))?;
    let out = conn
        .execute(sql)
        .await
        .map(|_| ())
        .map_err(|e| format!("{sql}: {e}"));
    let _ = conn.close().await;
    out
}

/// A seeded corpus, kept between runs: its data and key directories, and on PostgreSQL its
/// database.
struct Corpus {
    backend: Backend,
    size: u64,
    dir: PathBuf,
    database: Option<String>,
    seeding: String,
}

fn run_cli(bin: &Path, args: &[&str], instance: &Instance) -> Result<String, String> {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars() {
        if key.starts_with("TIPLINE_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(args)
        .arg("--data-dir")
        .arg(instance.dir.join("data"))
        .arg("--key-dir")
        .arg(instance.dir.join("keys"));
    if let Some(url) = &instance.database_url {
        cmd.args(["--database-url", url]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{} {args:?} failed: {text}", bin.display()))
    }
}

/// Where a binary finds its data: a directory with `data/` and `keys/`, and on PostgreSQL a
/// database.
struct Instance {
    dir: PathBuf,
    database: Option<String>,
    database_url: Option<String>,
}

async fn corpus(
    cfg: &Config,
    backend: Backend,
    size: u64,
    seeder: &Path,
) -> Result<Corpus, String> {
    let dir = cfg.work.join(format!("{}-{size}", backend.slug()));
    let database = (backend == Backend::Postgres).then(|| format!("tipline_bench_pages_{size}"));
    let done = dir.join("seeded");
    if let Ok(seeding) = std::fs::read_to_string(&done) {
        return Ok(Corpus {
            backend,
            size,
            dir,
            database,
            seeding: seeding.trim().to_owned(),
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if let Some(db) = &database {
        pg_admin(
            cfg,
            &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
        )
        .await?;
        pg_admin(cfg, &format!("CREATE DATABASE \"{db}\"")).await?;
    }
    let instance = Instance {
        dir: dir.clone(),
        database: database.clone(),
        database_url: database.as_ref().map(|d| pg_url_for(&cfg.pg_admin_url, d)),
    };
    println!(
        "seeding {size} reports on {} with {}",
        backend.name(),
        seeder.display()
    );
    let started = Instant::now();
    run_cli(
        seeder,
        &[
            "dev",
            "seed",
            "--reports",
            &size.to_string(),
            "--threads",
            "2",
        ],
        &instance,
    )?;
    let secs = started.elapsed().as_secs_f64();
    let seeding = format!(
        "{secs:.0} s ({:.0} reports/s) by {}",
        size as f64 / secs,
        binary_source(seeder)
    );
    std::fs::write(&done, &seeding).map_err(|e| e.to_string())?;
    Ok(Corpus {
        backend,
        size,
        dir,
        database,
        seeding,
    })
}

/// A copy of `corpus` for one binary to serve and change as it likes.
async fn copy_of(cfg: &Config, corpus: &Corpus) -> Result<Instance, String> {
    let dir = cfg.work.join("run");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for sub in ["data", "keys"] {
        let status = Command::new("cp")
            .arg("-a")
            .arg(corpus.dir.join(sub))
            .arg(dir.join(sub))
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cannot copy {}", corpus.dir.join(sub).display()));
        }
    }
    let database = match &corpus.database {
        Some(db) => {
            let copy = "tipline_bench_pages_run".to_owned();
            pg_admin(
                cfg,
                &format!("DROP DATABASE IF EXISTS \"{copy}\" WITH (FORCE)"),
            )
            .await?;
            pg_admin(
                cfg,
                &format!("CREATE DATABASE \"{copy}\" TEMPLATE \"{db}\""),
            )
            .await?;
            Some(copy)
        }
        None => None,
    };
    Ok(Instance {
        dir,
        database_url: database.as_ref().map(|d| pg_url_for(&cfg.pg_admin_url, d)),
        database,
    })
}

/// What the pages are asked about, read from the corpus itself so that both binaries are asked
/// the same: 30 reports spread over the corpus that every role may see, a category, and a
/// category with a country.
struct Sample {
    cases: Vec<String>,
    category: String,
    narrow: (String, String, u64),
}

async fn sample(cfg: &Config, corpus: &Corpus) -> Result<Sample, String> {
    let spread = "SELECT id FROM reports WHERE restricted = 0 \
                  ORDER BY substr(id, 25) LIMIT 30";
    let common = "SELECT category, COUNT(*) AS n FROM reports GROUP BY category \
                  ORDER BY n DESC LIMIT 1";
    let pairs = "SELECT category, country, COUNT(*) AS n FROM reports \
                 WHERE country IS NOT NULL GROUP BY category, country ORDER BY n DESC";
    macro_rules! gather {
        ($conn:expr) => {{
            let conn = $conn;
            let cases: Vec<String> = sqlx::query(spread)
                .fetch_all(&mut *conn)
                .await
                .map_err(|e| e.to_string())?
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
            let category: String = sqlx::query(common)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| e.to_string())?
                .get(0);
            let pairs: Vec<(String, String, i64)> = sqlx::query(pairs)
                .fetch_all(&mut *conn)
                .await
                .map_err(|e| e.to_string())?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            (cases, category, pairs)
        }};
    }
    let (cases, category, pairs) = match &corpus.database {
        Some(db) => {
            let mut conn = PgConnection::connect(&pg_url_for(&cfg.pg_admin_url, db))
                .await
                .map_err(|e| e.to_string())?;
            let out = gather!(&mut conn);
            let _ = conn.close().await;
            out
        }
        None => {
            let options = SqliteConnectOptions::new()
                .filename(corpus.dir.join("data").join("tipline.sqlite3"))
                .read_only(true);
            let mut conn = SqliteConnection::connect_with(&options)
                .await
                .map_err(|e| e.to_string())?;
            let out = gather!(&mut conn);
            let _ = conn.close().await;
            out
        }
    };
    // The median pair: a filter an analyst would use that leaves a realistic handful.
    let narrow = pairs
        .get(pairs.len() / 2)
        .map(|(c, k, n)| (c.clone(), k.clone(), u64::try_from(*n).unwrap_or(0)))
        .ok_or("the corpus has no report with a country")?;
    Ok(Sample {
        cases,
        category,
        narrow,
    })
}

// ---------------------------------------------------------------------------------------------
// The server and its watcher

struct Server {
    child: Child,
    url: String,
    pid: u32,
    idle_rss_kib: u64,
    start_peak_kib: u64,
    peak_kib: Arc<AtomicU64>,
    killed: Arc<AtomicBool>,
    stop_watch: Arc<AtomicBool>,
}

/// Limits lifted so that the benchmark measures pages, not the abuse control: the per-address
/// limit, and a request deadline long enough for a slow page to answer at all. An older binary
/// ignores a variable it does not know.
const LIFTED_LIMITS: &[(&str, &str)] = &[
    ("TIPLINE_PER_IP_PER_MINUTE", "0"),
    ("TIPLINE_REQUEST_TIMEOUT_SECONDS", "300"),
];

async fn start_server(cfg: &Config, bin: &Path, instance: &Instance) -> Result<Server, String> {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars() {
        if key.starts_with("TIPLINE_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(LIFTED_LIMITS.iter().copied());
    if let Some(filter) = &cfg.server_log {
        cmd.env("TIPLINE_LOG", filter);
    }
    let log = std::fs::File::create(instance.dir.join("server.log")).map_err(|e| e.to_string())?;
    cmd.current_dir(&instance.dir)
        .arg("serve")
        .arg("--data-dir")
        .arg(instance.dir.join("data"))
        .arg("--key-dir")
        .arg(instance.dir.join("keys"))
        .args(["--listen", "127.0.0.1:0"]);
    if let Some(url) = &instance.database_url {
        cmd.args(["--database-url", url]);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("cannot start tipline: {e}"))?;
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    let _ = stdout.read_line(&mut line);
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    let Some(url) = line.trim().strip_prefix("tipline is serving ") else {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(instance.dir.join("server.log")).unwrap_or_default();
        return Err(format!("tipline did not start: {line:?}; log: {log}"));
    };
    let pid = child.id();
    // As the intake benchmark does: idle is half a second after it said it serves. Then the
    // work a start begins in the background (statistics, the search index taking in what
    // waits) is let finish: pages are timed on a server at rest, once its CPU time has grown by
    // less than 2 ticks in a second (up to `BENCH_SETTLE_SECS`).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let settle_from = Instant::now();
    let mut last = cpu_ticks(pid);
    while settle_from.elapsed() < cfg.settle {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = cpu_ticks(pid);
        if now.saturating_sub(last) < 2 {
            break;
        }
        last = now;
    }
    let idle_rss_kib = proc_status_kib(pid, "VmRSS");
    // The peak of start-up (migrations, statistics, the search index loaded), apart from the
    // peaks of the pages, which each page measures from here on.
    let start_peak_kib = proc_status_kib(pid, "VmHWM");
    reset_peak_rss(pid);
    let peak_kib = Arc::new(AtomicU64::new(idle_rss_kib));
    let killed = Arc::new(AtomicBool::new(false));
    let stop_watch = Arc::new(AtomicBool::new(false));
    {
        let (peak, killed, stop, max) = (
            peak_kib.clone(),
            killed.clone(),
            stop_watch.clone(),
            cfg.max_rss_kib,
        );
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(50));
            while !stop.load(Ordering::Relaxed) {
                every.tick().await;
                let rss = proc_status_kib(pid, "VmRSS");
                peak.fetch_max(rss, Ordering::Relaxed);
                if rss > max {
                    killed.store(true, Ordering::Relaxed);
                    let _ = Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                    return;
                }
            }
        });
    }
    Ok(Server {
        pid,
        url: url.trim_end_matches('/').to_owned(),
        child,
        idle_rss_kib,
        start_peak_kib,
        peak_kib,
        killed,
        stop_watch,
    })
}

impl Server {
    fn memory(&self) -> Memory {
        Memory {
            idle_kib: self.idle_rss_kib,
            start_peak_kib: self.start_peak_kib,
            peak_kib: self
                .peak_kib
                .load(Ordering::Relaxed)
                .max(proc_status_kib(self.pid, "VmHWM")),
            anon_kib: proc_status_kib(self.pid, "RssAnon"),
            file_kib: proc_status_kib(self.pid, "RssFile"),
            killed: self.killed.load(Ordering::Relaxed),
        }
    }

    async fn stop(mut self) {
        self.stop_watch.store(true, Ordering::Relaxed);
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        for _ in 0..300 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("tipline did not stop after SIGTERM; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    idle_kib: u64,
    /// The peak before the first page was asked (start-up).
    start_peak_kib: u64,
    /// The peak while serving the pages.
    peak_kib: u64,
    anon_kib: u64,
    file_kib: u64,
    killed: bool,
}

// ---------------------------------------------------------------------------------------------
// Signing in as a person does

fn hidden(page: &str, name: &str) -> Option<String> {
    let a = regex::Regex::new(&format!(r#"name="{name}"[^>]*value="([^"]*)""#)).ok()?;
    let b = regex::Regex::new(&format!(r#"value="([^"]*)"[^>]*name="{name}""#)).ok()?;
    a.captures(page)
        .or_else(|| b.captures(page))
        .map(|c| unescape(&c[1]))
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#x3d;", "=")
        .replace("&#x3D;", "=")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn now_unix() -> i64 {
    SystemClock.now().unix_timestamp()
}

/// A signed-in staff member of `role`: a client holding the session cookie.
async fn sign_in(
    bin: &Path,
    server: &Server,
    instance: &Instance,
    role: &str,
) -> Result<reqwest::Client, String> {
    let username = format!("bench-{role}-{}", std::process::id());
    let out = run_cli(
        bin,
        &[
            "user",
            "add",
            "--username",
            &username,
            "--role",
            role,
            "--public-url",
            &server.url,
        ],
        instance,
    )?;
    let link = regex::Regex::new(r"https?://\S+/staff/setup/\S+")
        .expect("a regex")
        .find(&out)
        .ok_or_else(|| format!("no set-up link in: {out}"))?
        .as_str()
        .to_owned();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| e.to_string())?;
    let page = client
        .get(&link)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let token = hidden(&page, "form_token").ok_or("no form token on the set-up page")?;
    let password = "correct horse battery staple tipline 2026";
    let mut page = client
        .post(&link)
        .form(&[
            ("form_token", token.as_str()),
            ("password", password),
            ("confirm", password),
            ("lang", "en"),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    if !page.contains("totp-secret") {
        page = client
            .get(format!("{}/staff/enrol", server.url))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
    }
    let secret = regex::Regex::new(r#"id="totp-secret"[^>]*>([^<]+)<"#)
        .expect("a regex")
        .captures(&page)
        .map(|c| unescape(&c[1]).replace(' ', "").to_ascii_uppercase())
        .ok_or("no TOTP secret on the enrolment page")?;
    let bytes = BASE32_NOPAD
        .decode(secret.trim_end_matches('=').as_bytes())
        .map_err(|e| format!("the TOTP secret is not base32: {e}"))?;
    let secret = TotpSecret::from_bytes(bytes).ok_or("a TOTP secret of an unexpected length")?;
    let csrf = hidden(&page, "csrf").ok_or("no CSRF token on the enrolment page")?;
    let answer = client
        .post(format!("{}/staff/enrol", server.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", &code_at(&secret, now_unix())),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status();
    let page = answer.text().await.map_err(|e| e.to_string())?;
    let queue = client
        .get(format!("{}/staff/", server.url))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !queue.url().path().starts_with("/staff") || queue.url().path().contains("sign-in") {
        return Err(format!(
            "the {role} is not signed in after enrolment ({status}): {}",
            &page[..page.len().min(400)]
        ));
    }
    Ok(client)
}

// ---------------------------------------------------------------------------------------------
// Timing pages

#[derive(Debug, Clone)]
struct PageResult {
    backend: Backend,
    size: u64,
    binary: &'static str,
    role: &'static str,
    page: String,
    /// The first (cold) answer in ms.
    first_ms: f64,
    /// Sorted timings of the measured requests, ms; empty when the page was too slow to ask
    /// again or the server died.
    timings: Vec<f64>,
    bytes: usize,
    statuses: String,
    note: String,
    /// The server's peak resident memory while it answered this page, KiB (0 if unknown).
    peak_kib: u64,
}

impl PageResult {
    fn quantile(&self, q: f64) -> Option<f64> {
        if self.timings.is_empty() {
            return None;
        }
        let i = ((self.timings.len() - 1) as f64 * q).round() as usize;
        self.timings.get(i).copied()
    }
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<(u16, usize, f64), String> {
    let t = Instant::now();
    let answer = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    let body = answer.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, body.len(), t.elapsed().as_secs_f64() * 1000.0))
}

#[allow(clippy::too_many_arguments)]
async fn time_page(
    cfg: &Config,
    server: &Server,
    client: &reqwest::Client,
    who: (Backend, u64, &'static str, &'static str),
    page: &str,
    paths: &[String],
) -> PageResult {
    let (backend, size, binary, role) = who;
    let mut result = PageResult {
        backend,
        size,
        binary,
        role,
        page: page.to_owned(),
        first_ms: f64::NAN,
        timings: Vec::new(),
        bytes: 0,
        statuses: String::new(),
        note: String::new(),
        peak_kib: 0,
    };
    let measured_peak = reset_peak_rss(server.pid);
    let url = |i: usize| format!("{}{}", server.url, paths[i % paths.len()]);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    match fetch(client, &url(0)).await {
        Ok((status, bytes, ms)) => {
            result.first_ms = ms;
            result.bytes = bytes;
            *statuses.entry(status).or_default() += 1;
        }
        Err(e) => {
            result.note = if server.killed.load(Ordering::Relaxed) {
                format!("server killed above {} MiB", cfg.max_rss_kib / 1024)
            } else {
                format!("no answer: {e}")
            };
            return result;
        }
    }
    if result.first_ms > cfg.slow.as_secs_f64() * 1000.0 {
        result.note = format!(
            "first answer took over {:.0} s: not asked again",
            cfg.slow.as_secs_f64()
        );
    } else {
        for i in 0..cfg.warmup {
            let _ = fetch(client, &url(i + 1)).await;
        }
        for i in 0..cfg.requests {
            match fetch(client, &url(i)).await {
                Ok((status, _, ms)) => {
                    *statuses.entry(status).or_default() += 1;
                    result.timings.push(ms);
                }
                Err(e) => {
                    result.note = format!("no answer: {e}");
                    break;
                }
            }
        }
    }
    if measured_peak {
        result.peak_kib = proc_status_kib(server.pid, "VmHWM");
        server
            .peak_kib
            .fetch_max(result.peak_kib, Ordering::Relaxed);
    }
    result.timings.sort_by(f64::total_cmp);
    result.statuses = statuses
        .iter()
        .map(|(s, n)| format!("{s}×{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "  {} {} {:>9} {:<44} first {:>9.1} ms  p50 {:>8} p95 {:>8}  {} B  peak {} MiB  {} {}",
        backend.name(),
        size,
        binary,
        format!("{role}: {page}"),
        result.first_ms,
        result
            .quantile(0.5)
            .map_or("-".into(), |v| format!("{v:.1}")),
        result
            .quantile(0.95)
            .map_or("-".into(), |v| format!("{v:.1}")),
        result.bytes,
        mib(result.peak_kib),
        result.statuses,
        result.note
    );
    result
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every page, as the analyst and then the supervisor.
async fn measure_binary(
    cfg: &Config,
    corpus: &Corpus,
    sample: &Sample,
    bin: &Binary,
) -> Result<(Vec<PageResult>, Memory, String), String> {
    let instance = copy_of(cfg, corpus).await?;
    let started = Instant::now();
    let server = start_server(cfg, &bin.path, &instance).await?;
    let start_up = format!("{:.1} s", started.elapsed().as_secs_f64());
    let mut results = Vec::new();
    let outcome = async {
        let analyst = sign_in(&bin.path, &server, &instance, "analyst").await?;
        let supervisor = sign_in(&bin.path, &server, &instance, "supervisor").await?;
        let (narrow_category, narrow_country, narrow_n) = &sample.narrow;
        let pages: Vec<(String, Vec<String>)> = vec![
            ("queue, first page".into(), vec!["/staff/".into()]),
            (
                format!("queue, new cases of category {}", sample.category),
                vec![format!(
                    "/staff/?status=new&category={}",
                    encode(&sample.category)
                )],
            ),
            (
                format!("queue, {narrow_category} in {narrow_country} ({narrow_n} reports)"),
                vec![format!(
                    "/staff/?category={}&country={}",
                    encode(narrow_category),
                    encode(narrow_country)
                )],
            ),
            (
                "search results, one common word".into(),
                vec![
                    "/staff/search?q=workers".into(),
                    "/staff/search?q=travail".into(),
                ],
            ),
            (
                "search results, two words".into(),
                vec!["/staff/search?q=hotel+passport".into()],
            ),
            (
                format!("case view ({} reports in turn)", sample.cases.len()),
                sample
                    .cases
                    .iter()
                    .map(|id| format!("/staff/reports/{id}"))
                    .collect(),
            ),
        ];
        let mut roles = [("analyst", &analyst), ("supervisor", &supervisor)];
        if cfg.supervisor_first {
            roles.reverse();
        }
        for (role, client) in roles {
            for (name, paths) in &pages {
                let r = time_page(
                    cfg,
                    &server,
                    client,
                    (corpus.backend, corpus.size, bin.label, role),
                    name,
                    paths,
                )
                .await;
                let dead = server.killed.load(Ordering::Relaxed);
                results.push(r);
                if dead {
                    return Ok::<(), String>(());
                }
            }
        }
        Ok(())
    }
    .await;
    let memory = server.memory();
    server.stop().await;
    if let Some(db) = &instance.database {
        let _ = pg_admin(
            cfg,
            &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
        )
        .await;
    }
    if cfg.server_log.is_some() {
        let kept = cfg.work.join(format!(
            "server-{}-{}-{}.log",
            bin.label,
            corpus.backend.slug(),
            corpus.size
        ));
        let _ = std::fs::rename(instance.dir.join("server.log"), kept);
    }
    let _ = std::fs::remove_dir_all(&instance.dir);
    outcome?;
    Ok((results, memory, start_up))
}

// ---------------------------------------------------------------------------------------------
// Report

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1}"))
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

struct Run {
    backend: Backend,
    size: u64,
    binary: &'static str,
    memory: Memory,
    start_up: String,
}

fn markdown(
    cfg: &Config,
    corpora: &[(Corpus, Sample)],
    pages: &[PageResult],
    runs: &[Run],
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Staff pages through HTTP, signed in, at 100,000 and 1,000,000 reports\n"
    );
    let _ = writeln!(s, "- Date: {}", today());
    let _ = writeln!(s, "- Command: `{}`", cfg.command);
    for b in &cfg.binaries {
        let _ = writeln!(
            s,
            "- {}: {} ({})",
            b.label,
            binary_source(&b.path),
            b.path.display()
        );
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(
        s,
        "- Machine: {cores} cores, shared with other work; the server, PostgreSQL and this client on the same cores"
    );
    for (c, sample) in corpora {
        let _ = writeln!(
            s,
            "- Corpus {} {}: seeded in {}; filters: category `{}`, and `{}` in `{}` ({} reports)",
            c.backend.name(),
            c.size,
            c.seeding,
            sample.category,
            sample.narrow.0,
            sample.narrow.1,
            sample.narrow.2
        );
    }
    let _ = writeln!(
        s,
        "- Method: each binary serves its own copy of the corpus (the real `tipline serve`, release build); once it has started and its CPU time has stopped growing (the work a start begins in the background done, up to {} s), an analyst and a supervisor are created with `tipline user add`, choose a password through the set-up link and enrol TOTP, then each page is asked once cold (\"first\"), {} times untimed, then {} times timed, one request at a time over a keep-alive connection, whole body read. Memory: the peak of start-up is VmHWM before the first page; the peak of each page is VmHWM after its requests, reset (`/proc/PID/clear_refs`) before them; the peak while serving is the highest of these and of VmRSS read every 50 ms; RssAnon and RssFile are read at the end (RssFile: pages of files mapped into the process, such as the binary itself). A first answer slower than {:.0} s is not asked again; a server above {} MiB resident is killed.\n",
        cfg.settle.as_secs_f64(),
        cfg.warmup,
        cfg.requests,
        cfg.slow.as_secs_f64(),
        cfg.max_rss_kib / 1024
    );
    let _ = writeln!(
        s,
        "| backend | reports | page | role | binary | first ms | p50 ms | p95 ms | max ms | bytes | peak RSS MiB | answers | note |"
    );
    let _ = writeln!(
        s,
        "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    );
    for r in pages {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} |",
            r.backend.name(),
            r.size,
            r.page,
            r.role,
            r.binary,
            r.first_ms,
            fmt_ms(r.quantile(0.5)),
            fmt_ms(r.quantile(0.95)),
            fmt_ms(r.timings.last().copied()),
            r.bytes,
            mib(r.peak_kib),
            r.statuses,
            r.note
        );
    }
    if cfg.binaries.len() == 2 {
        let _ = writeln!(
            s,
            "\n### Candidate against baseline (p95; below 1 is faster)\n\n| backend | reports | page | role | baseline p95 ms | candidate p95 ms | ratio |\n|---|---:|---|---|---:|---:|---:|"
        );
        for c in pages.iter().filter(|r| r.binary == "candidate") {
            let Some(b) = pages.iter().find(|b| {
                b.binary == "baseline"
                    && b.backend == c.backend
                    && b.size == c.size
                    && b.role == c.role
                    && b.page == c.page
            }) else {
                continue;
            };
            let base = b
                .quantile(0.95)
                .or(Some(b.first_ms).filter(|v| v.is_finite()));
            let cand = c.quantile(0.95);
            let ratio = match (base, cand) {
                (Some(b), Some(c)) if b > 0.0 => format!("{:.3}", c / b),
                _ => "–".into(),
            };
            let shown = if b.timings.is_empty() && b.first_ms.is_finite() {
                format!("> {:.0} (first)", b.first_ms)
            } else {
                fmt_ms(b.quantile(0.95))
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                c.backend.name(),
                c.size,
                c.page,
                c.role,
                shown,
                fmt_ms(cand),
                ratio
            );
        }
    }
    let _ = writeln!(
        s,
        "\n### Memory of the tipline process while serving these pages\n\n| backend | reports | binary | start-up, until at rest | start-up peak RSS MiB | idle RSS MiB | peak RSS MiB while serving | RssAnon at the end MiB | RssFile at the end MiB | killed |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---|"
    );
    for r in runs {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.backend.name(),
            r.size,
            r.binary,
            r.start_up,
            mib(r.memory.start_peak_kib),
            mib(r.memory.idle_kib),
            mib(r.memory.peak_kib),
            mib(r.memory.anon_kib),
            mib(r.memory.file_kib),
            if r.memory.killed {
                format!("yes, above {} MiB", cfg.max_rss_kib / 1024)
            } else {
                "no".into()
            }
        );
    }
    s
}

// ---------------------------------------------------------------------------------------------

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "staff_pages: a benchmark, not a test; run it with `cargo bench --bench staff_pages`"
        );
        return;
    }
    let cfg = Config::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if let Err(e) = runtime.block_on(run(cfg)) {
        eprintln!("staff_pages: {e}");
        std::process::exit(1);
    }
}

async fn run(cfg: Config) -> Result<(), String> {
    std::fs::create_dir_all(&cfg.work).map_err(|e| e.to_string())?;
    let seeder = cfg.binaries[0].path.clone();
    let mut corpora = Vec::new();
    let mut pages = Vec::new();
    let mut runs = Vec::new();
    for &size in &cfg.sizes {
        for &backend in &cfg.backends {
            let corpus = corpus(&cfg, backend, size, &seeder).await?;
            let sample = sample(&cfg, &corpus).await?;
            println!(
                "{} {size}: corpus {} ({})",
                backend.name(),
                corpus.dir.display(),
                corpus.seeding
            );
            for bin in &cfg.binaries {
                let (results, memory, start_up) =
                    measure_binary(&cfg, &corpus, &sample, bin).await?;
                println!(
                    "  {} peak {} MiB (anon {} MiB, file {} MiB at the end){}",
                    bin.label,
                    mib(memory.peak_kib),
                    mib(memory.anon_kib),
                    mib(memory.file_kib),
                    if memory.killed { ", killed" } else { "" }
                );
                pages.extend(results);
                runs.push(Run {
                    backend,
                    size,
                    binary: bin.label,
                    memory,
                    start_up,
                });
            }
            corpora.push((corpus, sample));
            // Rewrite the section after every corpus, so a long run leaves what it measured.
            let body = markdown(&cfg, &corpora, &pages, &runs);
            sections::write_section(&cfg.out, "staff-pages", &body).map_err(|e| e.to_string())?;
        }
    }
    println!("written to {}", cfg.out.display());
    Ok(())
}
