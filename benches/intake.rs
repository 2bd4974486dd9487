//! Intake benchmark: sealed reports committed per second through the real HTTP API, and the
//! server's memory. Not a test, never run in CI.
//!
//! ```text
//! cargo bench --bench intake
//! BENCH_REPORTS=5000 BENCH_CONCURRENCY=1,64 BENCH_BACKENDS=sqlite cargo bench --bench intake
//! ```
//!
//! It starts the real `tipline serve` binary as a separate process (SQLite, then PostgreSQL on
//! a fresh database), sends JSON reports from `tipline dev seed`'s generator (the crate's
//! `dev-seed` feature) from C concurrent keep-alive clients (warm-up, then `BENCH_REPORTS`
//! measured reports), counts every answer other than 201 as an error, checks
//! that the database holds exactly as many reports as 201s were answered, reads the server's
//! resident memory from /proc, measures the raw SQLite rate of the same disk beside it, prints a
//! table and writes `BENCHMARKS.md` at the crate root.
//!
//! `BENCH_PATH=form` files each report as a person does with the public web form instead: `GET
//! /report?lang=en&category=...` for a fresh one-time form token, then `POST /report` as
//! `multipart/form-data` with that token and the form's fields (honeypot left empty); a report
//! counts when the answer is 200 with a receipt on the page. Two requests per report.
//!
//! `BENCH_BASELINE_BIN=/path/to/tipline` compares two binaries: every configuration runs for the
//! baseline binary and then the candidate (`BENCH_CANDIDATE_BIN`, default this crate's release
//! binary) in each round, interleaved, and the report gives each one's median and the ratio.
//! Limits are lifted through `TIPLINE_*` environment variables, which a binary that does not
//! know one of them ignores: the global intake ceiling and the forms ceiling far above the
//! offered load, everything else (per-form, per-session limits, junk signs) at its default.
//!
//! Settings (environment): `BENCH_REPORTS` (20000), `BENCH_WARMUP` (1000), `BENCH_CONCURRENCY`
//! (1,16,64), `BENCH_BACKENDS` (sqlite,postgres), `BENCH_BASELINE_SECS` (3),
//! `BENCH_QUIET_WAIT_SECS` (180: before each run, wait at most this long for other work on a
//! shared machine to stop), `BENCH_REPEAT` (3 rounds; the median run is reported),
//! `BENCH_PG_ADMIN_URL` (postgres://postgres@127.0.0.1:5432/test), `BENCH_OUT` (BENCHMARKS.md at
//! the crate root), `BENCH_PATH` (api or form), `BENCH_BASELINE_BIN` (none),
//! `BENCH_CANDIDATE_BIN` (this crate's `tipline`). All traffic goes to 127.0.0.1; every loop is
//! bounded in count.

#[path = "support/process.rs"]
mod process;
#[path = "support/sections.rs"]
mod sections;

use process::{
    Binary, binaries_from_env, binary_source, env_or, pg_url_for, proc_status_kib, today,
};

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Executor, Row};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tipline::dev::seed::{DEFAULT_SEED, Generator};
use tipline::intake::report::ReportInput;

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// How each report reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntakePath {
    /// `POST /api/v1/reports`, JSON.
    Api,
    /// `GET /report` for a one-time form token, then `POST /report`, multipart, like a browser.
    Form,
}

#[derive(Debug, Clone)]
struct Config {
    path: IntakePath,
    /// The candidate alone, or the baseline then the candidate (the order within each round).
    binaries: Vec<Binary>,
    reports: usize,
    warmup: usize,
    concurrency: Vec<usize>,
    backends: Vec<Backend>,
    baseline_secs: f64,
    /// Longest wait for other work on the machine to stop before each run.
    quiet_wait_secs: f64,
    /// Rounds: every configuration runs this many times, interleaved; the median counts.
    repeat: usize,
    pg_admin_url: String,
    out: PathBuf,
    /// The command as typed, with the settings that differ from the defaults.
    command: String,
}

impl Config {
    fn from_env() -> Self {
        let reports: usize = env_or("BENCH_REPORTS", "20000")
            .parse()
            .expect("BENCH_REPORTS is a number");
        let warmup: usize = env_or("BENCH_WARMUP", "1000")
            .parse()
            .expect("BENCH_WARMUP is a number");
        let concurrency: Vec<usize> = env_or("BENCH_CONCURRENCY", "1,16,64")
            .split(',')
            .map(|c| c.trim().parse().expect("BENCH_CONCURRENCY is like 1,16,64"))
            .filter(|c| *c > 0)
            .collect();
        let backends = env_or("BENCH_BACKENDS", "sqlite,postgres")
            .split(',')
            .map(|b| match b.trim().to_ascii_lowercase().as_str() {
                "sqlite" => Backend::Sqlite,
                "postgres" | "postgresql" | "pg" => Backend::Postgres,
                other => panic!("unknown backend {other:?} in BENCH_BACKENDS (sqlite,postgres)"),
            })
            .collect();
        let baseline_secs: f64 = env_or("BENCH_BASELINE_SECS", "3")
            .parse()
            .expect("BENCH_BASELINE_SECS is a number");
        let repeat: usize = env_or("BENCH_REPEAT", "3")
            .parse()
            .expect("BENCH_REPEAT is a number");
        let quiet_wait_secs: f64 = env_or("BENCH_QUIET_WAIT_SECS", "180")
            .parse()
            .expect("BENCH_QUIET_WAIT_SECS is a number");
        let mut settings: Vec<String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("BENCH_"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        settings.sort();
        settings.push("cargo bench --bench intake".to_owned());
        let path = match env_or("BENCH_PATH", "api")
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "api" => IntakePath::Api,
            "form" => IntakePath::Form,
            other => panic!("unknown BENCH_PATH {other:?} (api or form)"),
        };
        let binaries = binaries_from_env(env!("CARGO_BIN_EXE_tipline"));
        Self {
            path,
            binaries,
            reports,
            warmup,
            concurrency,
            backends,
            baseline_secs,
            quiet_wait_secs,
            repeat: repeat.max(1),
            pg_admin_url: env_or(
                "BENCH_PG_ADMIN_URL",
                "postgres://postgres@127.0.0.1:5432/test",
            ),
            out: std::env::var_os("BENCH_OUT")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md")),
            command: settings.join(" "),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Realistic reports

/// The reports sent: `tipline dev seed`'s generator (all categories, narratives of 40–150 words
/// in English, French, German or Dutch, identifiers shared in clusters and typed the ways people
/// type them), from its default seed, so every run sends the same reports (their dates relative
/// to today).
fn generated_reports(count: usize) -> Result<Vec<ReportInput>, String> {
    let now = OffsetDateTime::from(std::time::SystemTime::now());
    let generator = Generator::new(DEFAULT_SEED, count as u64, now).map_err(|e| e.to_string())?;
    Ok((0..count as u64)
        .map(|i| generator.typed(i).input)
        .collect())
}

/// One report as the API receives it: the form's fields, the number of people as a number.
fn report_json(input: &ReportInput) -> String {
    let mut report = serde_json::to_value(input).expect("a report serialises");
    report["people_count"] = input
        .people_count
        .trim()
        .parse::<u32>()
        .map_or(Value::Null, Value::from);
    report.to_string()
}

/// One report as the web form sends it, made from the same generated report as the API's JSON:
/// its category (also in the form's URL) and the fields after the form token, in the order a
/// browser sends them.
struct FormReport {
    category: String,
    fields: Vec<(&'static str, String)>,
}

/// What one client sends for one report.
enum Payload {
    Json(String),
    Form(FormReport),
}

fn form_report(input: &ReportInput) -> FormReport {
    let category = input.category.clone();
    let mut fields = vec![
        ("lang", input.language.clone()),
        ("category", category.clone()),
        // The honeypot: present and empty, as a person's browser sends it.
        ("note_2", String::new()),
        ("narrative", input.narrative.clone()),
        ("country", input.country.clone()),
        ("city", input.city.clone()),
        ("venue", input.venue.clone()),
        ("incident_date", input.incident_date.clone()),
    ];
    if input.still_happening {
        fields.push(("still_happening", "yes".to_owned()));
    }
    fields.push(("people_count", input.people_count.clone()));
    for age in &input.age_groups {
        fields.push(("age_groups", age.clone()));
    }
    if !input.child_involved.is_empty() {
        fields.push(("child_involved", input.child_involved.clone()));
    }
    fields.push(("victims_description", input.victims_description.clone()));
    fields.push((
        "exploiters_description",
        input.exploiters_description.clone(),
    ));
    for sign in &input.warning_signs {
        fields.push(("warning_signs", sign.clone()));
    }
    // Text areas of one identifier a line; a browser sends their line breaks as CRLF.
    for (key, list) in [
        ("phones", &input.phones),
        ("emails", &input.emails),
        ("websites", &input.websites),
        ("social_handles", &input.social_handles),
        ("vehicle_plates", &input.vehicle_plates),
    ] {
        fields.push((key, list.join("\r\n")));
    }
    for (key, value) in [
        ("abuse_url", &input.abuse_url),
        ("abuse_where", &input.abuse_where),
        ("campaign", &input.campaign),
    ] {
        if !value.is_empty() {
            fields.push((key, value.clone()));
        }
    }
    // No file chosen: a browser still sends the file input, empty.
    fields.push(("attachments", String::new()));
    let anonymous = if input.anonymous { "yes" } else { "no" };
    fields.push(("anonymous", anonymous.to_owned()));
    fields.push(("contact_name", input.contact_name.clone()));
    fields.push(("contact_email", input.contact_email.clone()));
    fields.push(("contact_phone", input.contact_phone.clone()));
    FormReport { category, fields }
}

const BOUNDARY: &str = "----TiplineBenchFormBoundary4kQzX9v2";

/// The `multipart/form-data` body of a filled-in form with its one-time token.
fn multipart_body(token: &str, form: &FormReport) -> String {
    let mut b = String::with_capacity(4096);
    let _ = write!(
        b,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n"
    );
    for (name, value) in &form.fields {
        if *name == "attachments" {
            let _ = write!(
                b,
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n"
            );
        } else {
            let _ = write!(
                b,
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            );
        }
    }
    let _ = write!(b, "--{BOUNDARY}--\r\n");
    b
}

/// The one-time token of a form page (`name="form_token" value="..."`).
fn form_token(page: &str) -> Option<&str> {
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker)? + marker.len();
    let len = page[start..].find('"')?;
    Some(&page[start..start + len]).filter(|t| !t.is_empty())
}

/// A short account of an HTML page for an error message: its title and any notice on it.
fn page_gist(page: &str) -> String {
    let between = |open: &str, close: &str| {
        let start = page.find(open)? + open.len();
        let len = page[start..].find(close)?;
        Some(page[start..start + len].trim().to_owned())
    };
    let title = between("<title>", "</title>").unwrap_or_default();
    match between("class=\"notice\" role=\"status\">", "</p>") {
        Some(notice) => format!("{title:?}, notice {notice:?}"),
        None if title.is_empty() => page.chars().take(300).collect(),
        None => format!("{title:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The server process and /proc

struct Server {
    child: Child,
    url: String,
    pid: u32,
}

/// The limits lifted for every run, as environment variables (clap reads only those a binary
/// knows, so an older binary ignores the ones it has not got): the global ceilings far above the
/// offered load. Everything else stays at its default.
const LIFTED_LIMITS: &[(&str, &str)] = &[
    ("TIPLINE_INTAKE_PER_SECOND", "1000000"),
    ("TIPLINE_INTAKE_BURST", "1000000"),
    ("TIPLINE_FORMS_PER_SECOND", "1000000"),
];

fn start_server(bin: &Path, dir: &Path, database_url: Option<&str>) -> Result<Server, String> {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars() {
        if key.starts_with("TIPLINE_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(LIFTED_LIMITS.iter().copied());
    let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
    cmd.current_dir(dir)
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--key-dir")
        .arg(dir.join("keys"))
        .args(["--listen", "127.0.0.1:0"]);
    if let Some(url) = database_url {
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
    // Drain anything else it prints so a full pipe never blocks the server.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    let Some(url) = line.trim().strip_prefix("tipline is serving ") else {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        return Err(format!("tipline did not start: {line:?}; log: {log}"));
    };
    Ok(Server {
        pid: child.id(),
        url: url.trim_end_matches('/').to_owned(),
        child,
    })
}

impl Server {
    /// SIGTERM (graceful shutdown), then SIGKILL if it has not stopped within 15 s.
    async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        for _ in 0..150 {
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

/// (comm, utime + stime in ticks) from a /proc/.../stat file.
fn stat_ticks(path: &Path) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    // After "pid (comm) ", field 0 is the state; utime and stime are fields 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((comm, utime + stime))
}

/// CPU ticks per thread of a process, keyed by thread id.
fn thread_ticks(pid: u32) -> BTreeMap<String, (String, u64)> {
    let mut out = BTreeMap::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            if let Some(t) = stat_ticks(&task.path().join("stat")) {
                out.insert(task.file_name().to_string_lossy().into_owned(), t);
            }
        }
    }
    out
}

/// (busy, iowait, total) ticks of the whole machine from /proc/stat.
fn machine_ticks() -> (u64, u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = text.lines().next().unwrap_or("");
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 5 {
        return (0, 0, 0);
    }
    let total: u64 = v.iter().sum();
    let idle = v[3];
    let iowait = v[4];
    (total - idle - iowait, iowait, total)
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU ticks of the PostgreSQL processes that serve this run, keyed by pid: the shared
/// auxiliary processes (WAL writer, checkpointer, ...) and the client backends of `database`.
/// Backends of other databases (other users of the machine) are left out.
fn postgres_ticks(database: Option<&str>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    if let Ok(procs) = std::fs::read_dir("/proc") {
        for p in procs.flatten() {
            let name = p.file_name().to_string_lossy().into_owned();
            if !name.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Some((comm, t)) = stat_ticks(&p.path().join("stat")) else {
                continue;
            };
            if comm != "postgres" {
                continue;
            }
            // A client backend's title is "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
            let title = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
            let title = String::from_utf8_lossy(&title);
            let client_backend = title.contains('(');
            if !client_backend || database.is_some_and(|db| title.contains(db)) {
                out.insert(name, t);
            }
        }
    }
    out
}

struct CpuSnapshot {
    at: Instant,
    server: BTreeMap<String, (String, u64)>,
    loadgen: u64,
    postgres: BTreeMap<String, u64>,
    machine: (u64, u64, u64),
}

fn cpu_snapshot(pid: u32, database: Option<&str>) -> CpuSnapshot {
    CpuSnapshot {
        at: Instant::now(),
        server: thread_ticks(pid),
        loadgen: stat_ticks(Path::new("/proc/self/stat"))
            .map(|t| t.1)
            .unwrap_or(0),
        postgres: postgres_ticks(database),
        machine: machine_ticks(),
    }
}

/// Cores the machine spends busy over `secs` while this benchmark does nothing: other users.
async fn background_busy(secs: f64, cores: f64) -> f64 {
    let (b0, _, t0) = machine_ticks();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let (b1, _, t1) = machine_ticks();
    b1.saturating_sub(b0) as f64 / t1.saturating_sub(t0).max(1) as f64 * cores
}

/// On a shared machine: waits, at most `max_secs`, until other work leaves the cores alone
/// (under 0.2 busy cores for 3 s in a row). Returns the busy cores of the last second.
async fn wait_for_quiet(cores: f64, max_secs: f64) -> f64 {
    let began = Instant::now();
    let mut quiet = 0;
    loop {
        let busy = background_busy(1.0, cores).await;
        quiet = if busy < 0.2 { quiet + 1 } else { 0 };
        if quiet >= 3 {
            return busy;
        }
        if began.elapsed().as_secs_f64() >= max_secs {
            println!("  the machine is still busy ({busy:.2} cores); measuring anyway");
            return busy;
        }
    }
}

/// Where the CPU went during the measured phase, in cores (1.0 = one core fully busy).
#[derive(Debug, Clone, Default)]
struct CpuUse {
    server: f64,
    loadgen: f64,
    /// All `postgres` processes.
    postgres: f64,
    /// Busy time of everything else: the kernel's own threads, other users of the machine.
    other: f64,
    iowait: f64,
    idle: f64,
    /// Server threads grouped by name, busiest first: (name, cores, threads).
    threads: Vec<(String, f64, usize)>,
}

fn thread_group(comm: &str) -> String {
    comm.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_')
        .to_owned()
}

fn cpu_use(before: &CpuSnapshot, after: &CpuSnapshot, tck: f64, cores: f64) -> CpuUse {
    let wall = after.at.duration_since(before.at).as_secs_f64().max(1e-9);
    let cores_of = |ticks: u64| ticks as f64 / tck / wall;
    let mut groups: BTreeMap<String, (u64, usize)> = BTreeMap::new();
    let mut server_ticks = 0;
    for (tid, (comm, t1)) in &after.server {
        let t0 = before.server.get(tid).map(|x| x.1).unwrap_or(0);
        let d = t1.saturating_sub(t0);
        server_ticks += d;
        let g = groups.entry(thread_group(comm)).or_default();
        g.0 += d;
        g.1 += 1;
    }
    let mut threads: Vec<(String, f64, usize)> = groups
        .into_iter()
        .map(|(name, (t, n))| (name, cores_of(t), n))
        .collect();
    threads.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (b0, w0, t0) = before.machine;
    let (b1, w1, t1) = after.machine;
    let total = t1.saturating_sub(t0).max(1) as f64;
    let busy = b1.saturating_sub(b0) as f64 / total * cores;
    let iowait = w1.saturating_sub(w0) as f64 / total * cores;
    let server = cores_of(server_ticks);
    let loadgen = cores_of(after.loadgen.saturating_sub(before.loadgen));
    let postgres = cores_of(
        after
            .postgres
            .iter()
            .map(|(pid, t1)| t1.saturating_sub(before.postgres.get(pid).copied().unwrap_or(0)))
            .sum(),
    );
    CpuUse {
        server,
        loadgen,
        postgres,
        other: (busy - server - loadgen - postgres).max(0.0),
        iowait,
        idle: (cores - busy - iowait).max(0.0),
        threads,
    }
}

// ---------------------------------------------------------------------------------------------
// Load

#[derive(Default)]
struct Outcome {
    latencies_us: Vec<u32>,
    created: usize,
    errors: usize,
    first_error: Option<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.latencies_us.extend(other.latencies_us);
        self.created += other.created;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Files one report through the API; `None` when it was answered 201 with a fresh receipt.
async fn file_by_api(
    client: &reqwest::Client,
    base: &str,
    body: &str,
    key: String,
) -> Option<String> {
    let sent = client
        .post(format!("{base}/api/v1/reports"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(response) if response.status().as_u16() == 201 => match response.bytes().await {
            Ok(body) => match serde_json::from_slice::<Value>(&body) {
                Ok(v) if v["receipt"].is_string() && v["repeated"] == json!(false) => None,
                _ => Some(format!(
                    "201 with an unexpected body: {}",
                    String::from_utf8_lossy(&body)
                )),
            },
            Err(e) => Some(format!("201 but the body failed: {e}")),
        },
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            Some(format!(
                "{status}: {}",
                body.chars().take(300).collect::<String>()
            ))
        }
        Err(e) => Some(format!("request failed: {e}")),
    }
}

/// Files one report as a person does with the web form: fetches a fresh form (its one-time
/// token), then posts it filled in. `None` when the answer is 200 with a receipt on the page.
async fn file_by_form(client: &reqwest::Client, base: &str, form: &FormReport) -> Option<String> {
    let got = client
        .get(format!("{base}/report?lang=en&category={}", form.category))
        .header("sec-fetch-site", "none")
        .send()
        .await;
    let page = match got {
        Ok(response) if response.status().as_u16() == 200 => match response.text().await {
            Ok(page) => page,
            Err(e) => return Some(format!("GET /report: 200 but the body failed: {e}")),
        },
        Ok(response) => {
            let status = response.status();
            let page = response.text().await.unwrap_or_default();
            return Some(format!("GET /report: {status}: {}", page_gist(&page)));
        }
        Err(e) => return Some(format!("GET /report failed: {e}")),
    };
    let Some(token) = form_token(&page) else {
        return Some(format!(
            "GET /report: no form_token in {}",
            page_gist(&page)
        ));
    };
    let sent = client
        .post(format!("{base}/report?lang=en"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(multipart_body(token, form))
        .send()
        .await;
    match sent {
        Ok(response) if response.status().as_u16() == 200 => match response.text().await {
            Ok(page) if page.contains("id=\"receipt\"") => None,
            Ok(page) => Some(format!(
                "POST /report: 200 without a receipt: {}",
                page_gist(&page)
            )),
            Err(e) => Some(format!("POST /report: 200 but the body failed: {e}")),
        },
        Ok(response) => {
            let status = response.status();
            let page = response.text().await.unwrap_or_default();
            Some(format!("POST /report: {status}: {}", page_gist(&page)))
        }
        Err(e) => Some(format!("POST /report failed: {e}")),
    }
}

async fn client_loop(
    client: reqwest::Client,
    base: String,
    payloads: Arc<Vec<Payload>>,
    next: Arc<AtomicUsize>,
    end: usize,
    run_tag: String,
) -> Outcome {
    let mut out = Outcome::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= end {
            return out;
        }
        let started = Instant::now();
        let error = match &payloads[i % payloads.len()] {
            Payload::Json(body) => {
                file_by_api(&client, &base, body, format!("bench-{run_tag}-{i:08}")).await
            }
            Payload::Form(form) => file_by_form(&client, &base, form).await,
        };
        match error {
            None => {
                out.created += 1;
                out.latencies_us
                    .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
            }
            Some(e) => {
                out.errors += 1;
                out.first_error.get_or_insert(e);
            }
        }
    }
}

/// Sends reports `start..end` of `payloads` from `clients` concurrent clients.
async fn load(
    clients: &[reqwest::Client],
    url: &str,
    payloads: &Arc<Vec<Payload>>,
    start: usize,
    end: usize,
    run_tag: &str,
) -> (Outcome, Duration) {
    let next = Arc::new(AtomicUsize::new(start));
    let began = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .map(|c| {
            tokio::spawn(client_loop(
                c.clone(),
                url.to_owned(),
                payloads.clone(),
                next.clone(),
                end,
                run_tag.to_owned(),
            ))
        })
        .collect();
    let mut all = Outcome::default();
    for t in tasks {
        all.merge(t.await.expect("client task"));
    }
    (all, began.elapsed())
}

fn percentile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted_us.len() - 1) as f64 * q).round() as usize;
    f64::from(sorted_us[i]) / 1000.0
}

// ---------------------------------------------------------------------------------------------
// One run: one backend, one concurrency, a fresh server and database

#[derive(Debug, Clone)]
struct RunResult {
    backend: Backend,
    clients: usize,
    /// The label of the binary measured ("tipline", or "baseline" / "candidate").
    binary: &'static str,
    /// The round (1-based) this run belongs to; in a combined row, the median run's.
    round: usize,
    measured: usize,
    errors: usize,
    first_error: Option<String>,
    secs: f64,
    rate: f64,
    /// Measured reports per second from the first request until the last of them left the
    /// index queue (searchable).
    searchable_rate: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
    end_rss_kib: u64,
    answered_201: usize,
    rows: i64,
    cpu: CpuUse,
    /// Cores busy on this machine just before the run, while the benchmark was idle.
    background: f64,
    /// Runs combined into this row, their slowest and fastest rate, and whether every run's
    /// row count matched its 201s.
    runs: usize,
    rate_min: f64,
    rate_max: f64,
    counts_ok: bool,
}

async fn create_pg_database(admin: &str) -> Result<String, String> {
    let mut conn = PgConnection::connect(admin)
        .await
        .map_err(|e| format!("cannot reach PostgreSQL at {admin}: {e}"))?;
    let name = format!("tipline_bench_{}", uuid::Uuid::now_v7().simple());
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.close().await;
    Ok(name)
}

async fn drop_pg_database(admin: &str, name: &str) {
    match PgConnection::connect(admin).await {
        Ok(mut conn) => {
            if let Err(e) = conn
                .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                .await
            {
                eprintln!("could not drop {name}: {e}");
            }
            let _ = conn.close().await;
        }
        Err(e) => eprintln!("could not drop {name}: {e}"),
    }
}

async fn count_rows(
    backend: Backend,
    dir: &Path,
    pg_url: Option<&str>,
    table: &str,
) -> Result<i64, String> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let row = match backend {
        Backend::Sqlite => {
            let options = SqliteConnectOptions::new()
                .filename(dir.join("data/tipline.sqlite3"))
                .read_only(true);
            let mut conn = SqliteConnection::connect_with(&options)
                .await
                .map_err(|e| e.to_string())?;
            let row = sqlx::query(&sql)
                .fetch_one(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            let _ = conn.close().await;
            row.try_get::<i64, _>(0).map_err(|e| e.to_string())?
        }
        Backend::Postgres => {
            let mut conn = PgConnection::connect(pg_url.expect("a PostgreSQL URL"))
                .await
                .map_err(|e| e.to_string())?;
            let row = sqlx::query(&sql)
                .fetch_one(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            let _ = conn.close().await;
            row.try_get::<i64, _>(0).map_err(|e| e.to_string())?
        }
    };
    Ok(row)
}

/// Waits until the server's index queue is empty; returns the seconds it took (bounded: an
/// index that never catches up is an error, not a hang).
async fn wait_until_indexed(
    backend: Backend,
    dir: &Path,
    pg_url: Option<&str>,
) -> Result<f64, String> {
    const LIMIT: Duration = Duration::from_secs(900);
    let started = Instant::now();
    for _ in 0..(LIMIT.as_millis() / 50) {
        if count_rows(backend, dir, pg_url, "search_queue").await? == 0 {
            return Ok(started.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("the index queue was not empty after {LIMIT:?}"))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one run's settings, passed as they are"
)]
async fn run_one(
    cfg: &Config,
    bin: &Binary,
    round: usize,
    backend: Backend,
    clients_n: usize,
    payloads: &Arc<Vec<Payload>>,
    tck: f64,
    cores: f64,
) -> Result<RunResult, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let pg_name = match backend {
        Backend::Postgres => Some(create_pg_database(&cfg.pg_admin_url).await?),
        Backend::Sqlite => None,
    };
    let pg_url = pg_name.as_deref().map(|n| pg_url_for(&cfg.pg_admin_url, n));
    let background = wait_for_quiet(cores, cfg.quiet_wait_secs).await;
    let result = async {
        let server = start_server(&bin.path, dir.path(), pg_url.as_deref())?;
        // Let start-up settle (migrations, first allocations) before calling it idle.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle_rss_kib = proc_status_kib(server.pid, "VmRSS");

        let clients: Vec<reqwest::Client> = (0..clients_n)
            .map(|_| {
                reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .tcp_nodelay(true)
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("an HTTP client")
            })
            .collect();
        let tag = format!("{}-{}-{clients_n}-{round}", backend.name(), bin.label);
        let (warm, _) = load(&clients, &server.url, payloads, 0, cfg.warmup, &tag).await;
        // The measured reports start from an empty index queue, so that the time until they
        // are searchable counts their own indexing only.
        wait_until_indexed(backend, dir.path(), pg_url.as_deref()).await?;

        let before = cpu_snapshot(server.pid, pg_name.as_deref());
        let (measured, took) = load(
            &clients,
            &server.url,
            payloads,
            cfg.warmup,
            cfg.warmup + cfg.reports,
            &tag,
        )
        .await;
        let after = cpu_snapshot(server.pid, pg_name.as_deref());
        let indexed_secs =
            took.as_secs_f64() + wait_until_indexed(backend, dir.path(), pg_url.as_deref()).await?;
        let peak_rss_kib = proc_status_kib(server.pid, "VmHWM");
        let end_rss_kib = proc_status_kib(server.pid, "VmRSS");
        drop(clients);
        server.stop().await;

        let rows = count_rows(backend, dir.path(), pg_url.as_deref(), "reports").await?;
        let mut lat = measured.latencies_us.clone();
        lat.sort_unstable();
        let secs = took.as_secs_f64();
        Ok::<_, String>(RunResult {
            backend,
            clients: clients_n,
            binary: bin.label,
            round,
            measured: cfg.reports,
            errors: measured.errors + warm.errors,
            first_error: measured.first_error.or(warm.first_error),
            secs,
            rate: measured.created as f64 / secs,
            searchable_rate: measured.created as f64 / indexed_secs,
            p50: percentile_ms(&lat, 0.50),
            p95: percentile_ms(&lat, 0.95),
            p99: percentile_ms(&lat, 0.99),
            idle_rss_kib,
            peak_rss_kib,
            end_rss_kib,
            answered_201: warm.created + measured.created,
            rows,
            cpu: cpu_use(&before, &after, tck, cores),
            background,
            runs: 1,
            rate_min: measured.created as f64 / secs,
            rate_max: measured.created as f64 / secs,
            counts_ok: rows == (warm.created + measured.created) as i64,
        })
    }
    .await;
    if let Some(name) = &pg_name {
        drop_pg_database(&cfg.pg_admin_url, name).await;
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Raw SQLite baseline: the same disk, sqlx directly, WAL + synchronous=FULL, 2 KB rows

async fn sqlite_baseline(rows_per_commit: usize, secs: f64) -> Result<f64, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("baseline.sqlite3"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| e.to_string())?;
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        .await
        .map_err(|e| e.to_string())?;
    let mut blob = vec![0u8; 2048];
    ChaCha8Rng::seed_from_u64(7).fill_bytes(&mut blob);
    let mut rows = 0usize;
    let began = Instant::now();
    let limit = Duration::from_secs_f64(secs);
    while began.elapsed() < limit {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        for _ in 0..rows_per_commit {
            blob[..8].copy_from_slice(&(rows as u64).to_le_bytes());
            sqlx::query("INSERT INTO t (body) VALUES (?)")
                .bind(&blob)
                .execute(&mut *tx)
                .await
                .map_err(|e| e.to_string())?;
            rows += 1;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    let rate = rows as f64 / began.elapsed().as_secs_f64();
    let _ = conn.close().await;
    Ok(rate)
}

// ---------------------------------------------------------------------------------------------
// The machine

struct Machine {
    cores: usize,
    cpu: String,
    ram_gib: f64,
    kernel: String,
    rustc: String,
    postgres: Option<String>,
}

async fn machine(cfg: &Config) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let ram_kib = proc_meminfo_kib("MemTotal");
    let postgres = if cfg.backends.contains(&Backend::Postgres) {
        match PgConnection::connect(&cfg.pg_admin_url).await {
            Ok(mut conn) => {
                let mut facts = Vec::new();
                for q in [
                    "SHOW server_version",
                    "SHOW synchronous_commit",
                    "SHOW fsync",
                    "SHOW commit_delay",
                ] {
                    if let Ok(row) = sqlx::query(q).fetch_one(&mut conn).await {
                        let v: String = row.try_get(0).unwrap_or_default();
                        facts.push(format!("{}={v}", q.trim_start_matches("SHOW ")));
                    }
                }
                let _ = conn.close().await;
                Some(facts.join(", "))
            }
            Err(_) => None,
        }
    } else {
        None
    };
    Machine {
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu,
        ram_gib: ram_kib as f64 / 1024.0 / 1024.0,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        rustc: Command::new("rustc")
            .arg("-V")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|| "unknown".into()),
        postgres,
    }
}

fn proc_meminfo_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Report

/// The median run of each configuration (by rate), with the range of rates, all errors, the
/// highest peak memory and whether every run's count matched.
fn combine(cfg: &Config, runs: &[RunResult]) -> Vec<RunResult> {
    let mut out = Vec::new();
    for &backend in &cfg.backends {
        for &clients in &cfg.concurrency {
            for bin in &cfg.binaries {
                let mut same: Vec<&RunResult> = runs
                    .iter()
                    .filter(|r| {
                        r.backend == backend && r.clients == clients && r.binary == bin.label
                    })
                    .collect();
                if same.is_empty() {
                    continue;
                }
                same.sort_by(|a, b| a.rate.total_cmp(&b.rate));
                let mut row = same[same.len() / 2].clone();
                row.runs = same.len();
                row.rate_min = same[0].rate;
                row.rate_max = same[same.len() - 1].rate;
                row.errors = same.iter().map(|r| r.errors).sum();
                row.counts_ok = same.iter().all(|r| r.counts_ok);
                row.peak_rss_kib = same.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0);
                row.first_error = same.iter().find_map(|r| r.first_error.clone());
                out.push(row);
            }
        }
    }
    out
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

struct Baseline {
    one: Option<f64>,
    hundred: Option<f64>,
}

/// The first cell of a row: the backend, and the binary when two are compared.
fn row_name(r: &RunResult) -> String {
    if r.binary == "tipline" {
        r.backend.name().to_owned()
    } else {
        format!("{}, {}", r.backend.name(), r.binary)
    }
}

/// The ratio that the comparison must reach: candidate over baseline (issue 15).
const REQUIRED_RATIO: f64 = 0.95;

/// One comparison of the candidate with the baseline at one backend and concurrency.
struct Comparison {
    backend: Backend,
    clients: usize,
    baseline: RunResult,
    candidate: RunResult,
    /// Candidate over baseline, of the medians.
    ratio: f64,
    /// Candidate over baseline within each round (the two ran back to back): lowest, highest.
    round_ratios: Vec<f64>,
}

fn comparisons(results: &[RunResult], runs: &[RunResult]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for c in results.iter().filter(|r| r.binary == "candidate") {
        let Some(b) = results
            .iter()
            .find(|r| r.binary == "baseline" && r.backend == c.backend && r.clients == c.clients)
        else {
            continue;
        };
        let same = |r: &&RunResult, label: &str| {
            r.binary == label && r.backend == c.backend && r.clients == c.clients
        };
        let mut round_ratios: Vec<f64> = runs
            .iter()
            .filter(|r| same(r, "candidate"))
            .filter_map(|cr| {
                let br = runs
                    .iter()
                    .find(|r| same(r, "baseline") && r.round == cr.round)?;
                Some(cr.rate / br.rate)
            })
            .collect();
        round_ratios.sort_by(f64::total_cmp);
        out.push(Comparison {
            backend: c.backend,
            clients: c.clients,
            baseline: b.clone(),
            candidate: c.clone(),
            ratio: c.rate / b.rate,
            round_ratios,
        });
    }
    out
}

fn comparison_table(comparisons: &[Comparison]) -> String {
    let mut t = String::from(
        "| backend | clients | baseline reports/s (median, range) | candidate reports/s (median, range) | candidate / baseline (medians) | per round (back to back) | ≥ 0.95 | peak RSS MiB baseline / candidate | errors baseline / candidate |\n\
         |---|---:|---:|---:|---:|---:|---|---:|---:|\n",
    );
    for c in comparisons {
        let range = |r: &RunResult| format!("{:.0} ({:.0}–{:.0})", r.rate, r.rate_min, r.rate_max);
        let per_round = c
            .round_ratios
            .iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | **{:.3}** | {} | {} | {:.1} / {:.1} | {} / {} |",
            c.backend.name(),
            c.clients,
            range(&c.baseline),
            range(&c.candidate),
            c.ratio,
            per_round,
            if c.ratio >= REQUIRED_RATIO {
                "yes"
            } else {
                "**no**"
            },
            mib(c.baseline.peak_rss_kib),
            mib(c.candidate.peak_rss_kib),
            c.baseline.errors,
            c.candidate.errors
        );
    }
    t
}

fn results_table(results: &[RunResult]) -> String {
    let mut t = String::from(
        "| backend | clients | reports per run | seconds | reports/s (median run) | range over runs | searchable/s | p50 ms | p95 ms | p99 ms | errors (all runs) | rows in DB = reports accepted |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in results {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {:.1} | {:.0} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} ({} = {}{}) |",
            row_name(r),
            r.clients,
            r.measured,
            r.secs,
            r.rate,
            if r.runs > 1 {
                format!("{:.0}–{:.0} ({} runs)", r.rate_min, r.rate_max, r.runs)
            } else {
                "1 run".to_owned()
            },
            r.searchable_rate,
            r.p50,
            r.p95,
            r.p99,
            r.errors,
            if r.counts_ok { "yes" } else { "**NO**" },
            r.rows,
            r.answered_201,
            if r.runs > 1 { ", in every run" } else { "" }
        );
    }
    t
}

fn memory_table(results: &[RunResult]) -> String {
    let mut t = String::from(
        "| backend | clients | idle RSS MiB | peak RSS (VmHWM) MiB | RSS after the run MiB |\n\
         |---|---:|---:|---:|---:|\n",
    );
    for r in results {
        let _ = writeln!(
            t,
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            row_name(r),
            r.clients,
            mib(r.idle_rss_kib),
            mib(r.peak_rss_kib),
            mib(r.end_rss_kib)
        );
    }
    t
}

fn cpu_table(results: &[RunResult]) -> String {
    let mut t = String::from(
        "| backend | clients | busy before the run (others) | tipline | load generator | PostgreSQL | other busy (kernel, others) | iowait | idle | busiest tipline threads |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in results {
        let threads = r
            .cpu
            .threads
            .iter()
            .filter(|(_, c, _)| *c >= 0.01)
            .take(4)
            .map(|(name, c, n)| format!("{name} ×{n}: {c:.2}"))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            t,
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            row_name(r),
            r.clients,
            r.background,
            r.cpu.server,
            r.cpu.loadgen,
            r.cpu.postgres,
            r.cpu.other,
            r.cpu.iowait,
            r.cpu.idle,
            threads
        );
    }
    t
}

fn interpretation(results: &[RunResult], base: &Baseline, cores: usize) -> String {
    let mut s = String::new();
    let best = |b: Backend| {
        results
            .iter()
            .filter(|r| r.backend == b)
            .max_by_key(|r| r.clients)
    };
    if let Some(r) = best(Backend::Sqlite) {
        let _ = write!(
            s,
            "With {} clients tipline committed {:.0} sealed SQLite reports/s",
            r.clients, r.rate
        );
        if let Some(one) = base.one {
            let _ = write!(
                s,
                ", {:.2}× the raw one-row-per-commit rate of this disk ({one:.0} rows/s, measured in the same run)",
                r.rate / one
            );
        }
        if let Some(h) = base.hundred {
            let _ = write!(
                s,
                " and {:.0} % of the raw 100-rows-per-commit rate ({h:.0} rows/s)",
                100.0 * r.rate / h
            );
        }
        s.push_str(". ");
        let busy = r.cpu.server + r.cpu.loadgen + r.cpu.postgres + r.cpu.other;
        let _ = write!(
            s,
            "During that run the {cores} cores were {:.0} % busy: tipline used {:.2} cores, the load generator (on the same cores) {:.2}, everything else (kernel threads, other users) {:.2}; ",
            100.0 * busy / cores as f64,
            r.cpu.server,
            r.cpu.loadgen,
            r.cpu.other
        );
        if busy >= 0.85 * cores as f64 {
            s.push_str(
                "so the rate is limited by CPU shared between the load generator and the server (HTTP, JSON, validation, sealing, the SQL statements), not by the durable sync, which group commit amortises over each batch. ",
            );
        } else if base.hundred.is_some_and(|h| r.rate >= 0.8 * h) {
            s.push_str(
                "the cores were not saturated and the rate is close to what this disk commits in batches of 100, so the durable sync is the limit. ",
            );
        } else {
            let _ = write!(
                s,
                "the cores were not saturated ({:.2} idle) and the rate is well under what this disk commits in batches of 100, so neither CPU nor fsync is the limit: that points to the single writer's serial work per report (each INSERT is a round trip from the writer task to sqlx's SQLite thread, and the writer task waits its turn on the same tokio workers as the request handlers). ",
                r.cpu.idle
            );
        }
        if let Some((name, c, n)) = r.cpu.threads.first() {
            let _ = write!(
                s,
                "The busiest group of tipline threads was `{name}` ({n} threads, {c:.2} cores in total). "
            );
        }
    }
    if let Some(r1) = results
        .iter()
        .find(|r| r.backend == Backend::Sqlite && r.clients == 1)
    {
        let _ = write!(
            s,
            "With one client each report waits alone for its own commit and sync (p50 {:.2} ms, {:.0} reports/s): that is the latency floor, not the capacity. ",
            r1.p50, r1.rate
        );
    }
    if let Some(r) = best(Backend::Postgres) {
        let _ = write!(
            s,
            "On PostgreSQL (default synchronous_commit; its processes used {:.2} cores, tipline {:.2}) {} clients reached {:.0} reports/s. ",
            r.cpu.postgres, r.cpu.server, r.clients, r.rate
        );
    }
    let noisy: Vec<String> = results
        .iter()
        .filter(|r| r.background >= 0.25 || r.cpu.other >= 0.5)
        .map(|r| {
            let plural = if r.clients == 1 { "" } else { "s" };
            format!("{} with {} client{plural}", r.backend.name(), r.clients)
        })
        .collect();
    if !noisy.is_empty() {
        let _ = write!(
            s,
            "Other work shared the machine during {} (see \"busy before the run\" and \"other busy\"), so those rates are lower than a quiet machine gives. ",
            noisy.join(", ")
        );
    }
    let idle = results.iter().map(|r| r.idle_rss_kib).max().unwrap_or(0);
    let peak = results.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0);
    let _ = write!(
        s,
        "tipline idled at up to {:.1} MiB resident and peaked at {:.1} MiB (VmHWM) across all runs; PostgreSQL's own memory is not included. \
         For scale: GlobaLeaks 5.0 accepts about 20 submissions/s on a machine of this kind (shared/PERFORMANCE.md).",
        mib(idle),
        mib(peak)
    );
    s
}

fn markdown(
    cfg: &Config,
    m: &Machine,
    results: &[RunResult],
    runs: &[RunResult],
    base: &Baseline,
) -> String {
    let mut md = String::new();
    let compared = cfg.binaries.len() > 1;
    // The candidate (or the one binary measured): what the raw rates and the interpretation
    // speak of.
    let last = cfg.binaries.last().map_or("tipline", |b| b.label);
    let title = match cfg.path {
        IntakePath::Api => "Intake: sealed reports committed per second through the HTTP API",
        IntakePath::Form => {
            "Intake through the web form: reports filed per second as people file them"
        }
    };
    let versus = if compared {
        ", baseline and candidate binaries"
    } else {
        ""
    };
    let _ = writeln!(md, "## {title}{versus}\n");
    let _ = writeln!(md, "- Date: {}", today());
    let _ = writeln!(md, "- Command: `{}`", cfg.command);
    let _ = writeln!(
        md,
        "- Machine: {} cores ({}), {:.1} GiB RAM, Linux {}",
        m.cores, m.cpu, m.ram_gib, m.kernel
    );
    for bin in &cfg.binaries {
        let _ = writeln!(
            md,
            "- {}: `{}`, built from {}",
            bin.label,
            bin.path.display(),
            binary_source(&bin.path)
        );
    }
    let _ = writeln!(md, "- Bench compiled with: {} (release profile)", m.rustc);
    if let Some(pg) = &m.postgres {
        let _ = writeln!(md, "- PostgreSQL: {pg}, on the same machine");
    }
    let limits = LIFTED_LIMITS
        .iter()
        .map(|(k, v)| format!("`{k}={v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        md,
        "- Limits: {limits} in the server's environment (the global ceilings far above the \
         offered load; a binary that does not know a variable ignores it); every other setting \
         at its default (among them 30 submissions per form token per hour, per-IP limit off, \
         and in the candidate of issue 15 a minimum of 3 s between showing and sending a form)."
    );
    let counted = match cfg.path {
        IntakePath::Api => {
            let _ = writeln!(
                md,
                "- Method: the real `tipline serve` binary (a separate process, fresh data directory and \
                 database per row) receives `POST /api/v1/reports` JSON reports \
                 generated by `tipline dev seed`'s generator (seed {}: every category, narratives of \
                 40–150 words in English, French, German or Dutch, places, people, warning signs and \
                 identifiers shared in clusters, typed as people type them; an Idempotency-Key each) from N \
                 concurrent keep-alive clients in this process: {} warm-up reports, then {} measured. \
                 A report counts only when the answer is 201 with a fresh receipt; anything else is an \
                 error.",
                DEFAULT_SEED, cfg.warmup, cfg.reports
            );
            "201s"
        }
        IntakePath::Form => {
            let _ = writeln!(
                md,
                "- Method: the real `tipline serve` binary (a separate process, fresh data directory and \
                 database per row) receives reports as a person files them with the public web form, \
                 from N concurrent keep-alive clients in this process: for each report a client \
                 fetches a fresh form, `GET /report?lang=en&category=C` (the page holds a new one-time \
                 form token), and sends it back filled in, `POST /report` as `multipart/form-data` \
                 with `form_token`, `lang`, `category`, `narrative` and the other fields of the form \
                 (country, city, venue, date, still happening, people, age groups, child involved, \
                 victims, exploiters, warning signs, phones, emails, websites, handles and plates \
                 one a line, where abuse material was found and the campaign when there are, the \
                 empty file input, anonymous or contact details), the hidden honeypot \
                 `note_2` sent empty. **Each report costs two requests** (one GET, one POST) and uses \
                 its own token, so every client holds its own form token; the rate counts reports, \
                 not requests, and the latencies are those of the pair. The content is the same \
                 reports from `tipline dev seed`'s generator as the API benchmark's (narratives all \
                 different, so the repeated-text sign never fires); {} warm-up reports, then {} measured. A report \
                 counts only when the POST is answered 200 with a receipt on the page \
                 (`id=\"receipt\"`); anything else, on either request, is an error. The forms are \
                 sent back at once, so the candidate marks each report \"sent too fast\" (a flag in \
                 its row, not a refusal).",
                cfg.warmup, cfg.reports
            );
            "reports answered with a receipt"
        }
    };
    let _ = writeln!(
        md,
        "- After each run the server is stopped and `SELECT COUNT(*) FROM reports` must \
         equal the number of {counted} (warm-up included). \"searchable/s\" counts the measured \
         reports over the time from the first measured request until the last of them left the \
         index queue (the run starts once the warm-up's reports are indexed): the rate intake \
         and indexing sustain together. Every configuration runs {} times, in \
         interleaved rounds{}; the tables show the median run (by rate) with the range of rates, \
         and the highest peak memory; the raw SQLite rate is the median over the rounds.",
        cfg.repeat,
        if compared {
            " (in each round the baseline binary, then the candidate, back to back)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        md,
        "- The load generator runs on the same {} cores as the server (and PostgreSQL). The \
         machine is shared: before the raw SQLite measurement and before each run the benchmark waits (at most \
         {} s) until other work leaves the cores alone for 3 s, and it records how busy they \
         were (see the CPU table).\n",
        m.cores, cfg.quiet_wait_secs
    );
    if compared {
        let comps = comparisons(results, runs);
        let _ = writeln!(md, "### Candidate against baseline\n");
        md.push_str(&comparison_table(&comps));
        let _ = writeln!(md);
        let _ = writeln!(md, "{}\n", comparison_text(&comps, runs, m.cores));
    }
    let _ = writeln!(md, "### Throughput and latency\n");
    md.push_str(&results_table(results));
    for r in results.iter().filter(|r| r.first_error.is_some()) {
        let _ = writeln!(
            md,
            "\nFirst error, {} with {} clients: `{}`",
            r.backend.name(),
            r.clients,
            r.first_error.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(md, "\n### Memory of the tipline process\n");
    let _ = writeln!(
        md,
        "Idle: VmRSS 0.5 s after start-up, before any request. Peak: VmHWM at the end of the run.\n"
    );
    md.push_str(&memory_table(results));
    let _ = writeln!(md, "\n### Where the CPU went during the measured phase\n");
    let _ = writeln!(
        md,
        "In cores (1.00 = one core fully busy; the machine has {}). From /proc: tipline's \
         threads, this process (the load generator), the PostgreSQL processes serving \
         this run (its auxiliary processes and the backends of its database), and the rest of \
         the machine. \"Busy before the run\" is the whole machine during the second \
         before the server started, while the benchmark itself was idle: other users.\n",
        m.cores
    );
    md.push_str(&cpu_table(results));
    let _ = writeln!(md, "\n### Raw SQLite baseline (same disk, same run)\n");
    let _ = writeln!(
        md,
        "sqlx directly on a temporary SQLite file, WAL + synchronous=FULL, 2 KB rows, for {} s each.\n",
        cfg.baseline_secs
    );
    let _ = writeln!(
        md,
        "| rows per commit | rows/s | tipline SQLite at {} clients as a ratio |",
        results
            .iter()
            .filter(|r| r.backend == Backend::Sqlite && r.binary == last)
            .map(|r| r.clients)
            .max()
            .unwrap_or(0)
    );
    let _ = writeln!(md, "|---:|---:|---:|");
    let top = results
        .iter()
        .filter(|r| r.backend == Backend::Sqlite && r.binary == last)
        .max_by_key(|r| r.clients)
        .map(|r| r.rate);
    for (n, rate) in [(1, base.one), (100, base.hundred)] {
        match rate {
            Some(b) => {
                let ratio = top.map_or("–".to_owned(), |t| format!("{:.2}", t / b));
                let _ = writeln!(md, "| {n} | {b:.0} | {ratio} |");
            }
            None => {
                let _ = writeln!(md, "| {n} | not measured | – |");
            }
        }
    }
    let mine: Vec<RunResult> = results
        .iter()
        .filter(|r| r.binary == last)
        .cloned()
        .collect();
    let _ = writeln!(md, "\n### Interpretation\n");
    if compared {
        let _ = writeln!(md, "Of the candidate's runs:\n");
    }
    let _ = writeln!(md, "{}", interpretation(&mine, base, m.cores));
    md
}

/// What the comparison shows, and how busy the machine was while it ran.
fn comparison_text(comps: &[Comparison], runs: &[RunResult], cores: usize) -> String {
    let mut s = String::new();
    for c in comps {
        let lo = c.round_ratios.first().copied().unwrap_or(f64::NAN);
        let hi = c.round_ratios.last().copied().unwrap_or(f64::NAN);
        let _ = write!(
            s,
            "{} with {} clients: the candidate filed {:.0} reports/s against the baseline's {:.0}, \
             a ratio of {:.3} (per round, back to back: {lo:.3}–{hi:.3}); the requirement of at least \
             {REQUIRED_RATIO} is {}. ",
            c.backend.name(),
            c.clients,
            c.candidate.rate,
            c.baseline.rate,
            c.ratio,
            if c.ratio >= REQUIRED_RATIO {
                "met"
            } else {
                "**not met**"
            }
        );
    }
    if !runs.is_empty() {
        let n = runs.len() as f64;
        let before = runs.iter().map(|r| r.background).sum::<f64>() / n;
        let other = runs.iter().map(|r| r.cpu.other).sum::<f64>() / n;
        let idle = runs.iter().map(|r| r.cpu.idle).sum::<f64>() / n;
        let most = runs.iter().map(|r| r.cpu.other).fold(0.0, f64::max);
        let _ = write!(
            s,
            "How busy the machine was: before the runs other work kept {before:.2} of the {cores} \
             cores busy on average; during the measured phases other work (kernel threads, other \
             users) took {other:.2} cores on average (at most {most:.2} in one run) and {idle:.2} \
             stayed idle. Baseline and candidate ran back to back in every round, so both met the \
             same kind of background; the spread of the per-round ratios shows how much that noise \
             weighs."
        );
    }
    s
}

// ---------------------------------------------------------------------------------------------

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: then do nothing.
    if !std::env::args().any(|a| a == "--bench") {
        println!("intake: a benchmark, not a test; run it with `cargo bench --bench intake`");
        return;
    }
    let cfg = Config::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(cfg));
}

async fn run(cfg: Config) {
    let m = machine(&cfg).await;
    let cores = m.cores.max(1) as f64;
    let tck = clock_ticks_per_second();
    println!(
        "intake benchmark ({:?}): {} warm-up + {} measured reports per run, clients {:?}, backends {:?}, binaries {:?}",
        cfg.path,
        cfg.warmup,
        cfg.reports,
        cfg.concurrency,
        cfg.backends,
        cfg.binaries
            .iter()
            .map(|b| format!("{} {}", b.label, b.path.display()))
            .collect::<Vec<_>>()
    );

    let reports = match generated_reports(cfg.warmup + cfg.reports) {
        Ok(reports) => reports,
        Err(e) => {
            eprintln!("intake benchmark: the seeder cannot generate reports: {e}");
            std::process::exit(1);
        }
    };
    let payloads: Arc<Vec<Payload>> = Arc::new(
        reports
            .iter()
            .map(|input| match cfg.path {
                IntakePath::Api => Payload::Json(report_json(input)),
                IntakePath::Form => Payload::Form(form_report(input)),
            })
            .collect(),
    );
    let sizes: Vec<usize> = payloads
        .iter()
        .map(|p| match p {
            Payload::Json(body) => body.len(),
            Payload::Form(form) => multipart_body("x".repeat(60).as_str(), form).len(),
        })
        .collect();
    let avg = sizes.iter().sum::<usize>() / sizes.len().max(1);
    match cfg.path {
        IntakePath::Api => println!("average report body: {avg} bytes of JSON"),
        IntakePath::Form => println!("average form body: about {avg} bytes of multipart"),
    }

    let mut base_one = Vec::new();
    let mut base_hundred = Vec::new();
    let mut runs = Vec::new();
    for round in 1..=cfg.repeat {
        println!("round {round} of {}", cfg.repeat);
        if cfg.backends.contains(&Backend::Sqlite) {
            wait_for_quiet(cores, cfg.quiet_wait_secs).await;
            for (n, rates) in [(1, &mut base_one), (100, &mut base_hundred)] {
                match sqlite_baseline(n, cfg.baseline_secs).await {
                    Ok(rate) => {
                        println!("raw SQLite, {n} row(s) per commit: {rate:.0} rows/s");
                        rates.push(rate);
                    }
                    Err(e) => eprintln!("raw SQLite baseline ({n} per commit) failed: {e}"),
                }
            }
        }
        round_runs(&cfg, round, &payloads, tck, cores, &mut runs).await;
    }
    let base = Baseline {
        one: median(&mut base_one),
        hundred: median(&mut base_hundred),
    };
    let results = combine(&cfg, &runs);
    report(&cfg, &m, &results, &runs, &base);
}

/// One round: every backend at every concurrency, once for each binary (baseline, then
/// candidate).
async fn round_runs(
    cfg: &Config,
    round: usize,
    payloads: &Arc<Vec<Payload>>,
    tck: f64,
    cores: f64,
    runs: &mut Vec<RunResult>,
) {
    for &backend in &cfg.backends {
        for &c in &cfg.concurrency {
            for bin in &cfg.binaries {
                println!(
                    "running {} with {c} clients, {} ...",
                    backend.name(),
                    bin.label
                );
                match run_one(cfg, bin, round, backend, c, payloads, tck, cores).await {
                    Ok(r) => {
                        println!(
                            "  {:.0} reports/s ({:.0} searchable/s), p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, errors {}, rows {} / accepted {}, idle RSS {:.1} MiB, peak {:.1} MiB, CPU tipline {:.2} loadgen {:.2} postgres {:.2} other {:.2} (busy before {:.2})",
                            r.rate,
                            r.searchable_rate,
                            r.p50,
                            r.p95,
                            r.p99,
                            r.errors,
                            r.rows,
                            r.answered_201,
                            mib(r.idle_rss_kib),
                            mib(r.peak_rss_kib),
                            r.cpu.server,
                            r.cpu.loadgen,
                            r.cpu.postgres,
                            r.cpu.other,
                            r.background
                        );
                        if let Some(e) = &r.first_error {
                            println!("  first error: {e}");
                        }
                        runs.push(r);
                    }
                    Err(e) => eprintln!(
                        "  {} with {c} clients, {} failed: {e}",
                        backend.name(),
                        bin.label
                    ),
                }
            }
        }
    }
}

/// The section of BENCHMARKS.md a run writes: the API benchmark of one binary keeps its
/// historical name; the form path, a comparison and each set of backends get their own, so that
/// runs of one kind do not overwrite another's.
fn section_name(cfg: &Config) -> String {
    if cfg.path == IntakePath::Api && cfg.binaries.len() == 1 {
        return "intake".to_owned();
    }
    let mut name = String::from("intake");
    if cfg.path == IntakePath::Form {
        name.push_str("-form");
    }
    if cfg.binaries.len() > 1 {
        name.push_str("-vs-baseline");
    }
    for b in &cfg.backends {
        name.push('-');
        name.push_str(&b.name().to_ascii_lowercase());
    }
    name
}

fn report(cfg: &Config, m: &Machine, results: &[RunResult], runs: &[RunResult], base: &Baseline) {
    println!();
    if cfg.binaries.len() > 1 {
        print!("{}", comparison_table(&comparisons(results, runs)));
        println!();
    }
    print!("{}", results_table(results));
    println!();
    print!("{}", memory_table(results));
    println!();
    print!("{}", cpu_table(results));
    println!();
    if results.is_empty() {
        eprintln!("no run succeeded; {} left unchanged", cfg.out.display());
        std::process::exit(1);
    }
    let md = markdown(cfg, m, results, runs, base);
    match sections::write_section(&cfg.out, &section_name(cfg), &md) {
        Ok(()) => println!("wrote {}", cfg.out.display()),
        Err(e) => eprintln!("cannot write {}: {e}", cfg.out.display()),
    }
    let mismatched = results.iter().any(|r| r.errors > 0 || !r.counts_ok);
    if mismatched {
        eprintln!("errors or a count mismatch: see the table");
        std::process::exit(1);
    }
}
