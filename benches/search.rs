//! Search benchmark: seeds N synthetic reports (`tipline dev seed`'s generator, bulk path: the
//! same validation, sealing, identifier and term indexing as intake) into SQLite and PostgreSQL,
//! then measures ranked search (top 20) and related-report lookups. Not a test, never run in CI.
//!
//! ```text
//! cargo bench --bench search
//! BENCH_SEARCH_SIZES=100000,1000000 BENCH_BACKENDS=sqlite cargo bench --bench search
//! ```
//!
//! Settings (environment): `BENCH_SEARCH_SIZES` (100000), `BENCH_BACKENDS` (sqlite,postgres),
//! `BENCH_SKIP` (e.g. postgresql-1000000), `BENCH_QUERIES` (200 per kind), `BENCH_SEED_THREADS` (2), `BENCH_PG_ADMIN_URL`
//! (postgres://postgres@127.0.0.1:5432/test), `BENCH_DIR` (target/bench-search: seeded
//! databases are kept there and reused by later runs of the same size), `BENCH_OUT`
//! (BENCHMARKS.md at the crate root; this benchmark writes its own section).
//!
//! Queries come from the generator's own texts, read in plaintext in this process: the ten
//! commonest words of a 2,000-report sample (one word; one word with a category, a country and
//! the last year as filters) and three words of one generated report (what an analyst types to
//! find a report they remember), plus three of the common words together (the worst case for
//! ranking). Every query runs once to warm the cache, then `BENCH_QUERIES` times per kind.

#[path = "support/sections.rs"]
mod sections;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tipline::cli::app::{Opened, open_intake};
use tipline::cli::config::{ServeArgs, Settings};
use tipline::cli::dev::{SeedOptions, seed};
use tipline::clock::{Clock, SharedClock, SystemClock};
use tipline::dev::seed::{DEFAULT_SEED, Generator};
use tipline::intake::submit::texts_of;
use tipline::search::query::{Word, search, words};
use tipline::search::terms::tokens;
use tipline::store::Db;
use tipline::store::search::Narrowing;
use tipline::types::{ReportId, Visibility};

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

struct Config {
    sizes: Vec<u64>,
    backends: Vec<Backend>,
    queries: usize,
    seed_threads: usize,
    pg_admin: String,
    dir: PathBuf,
    out: PathBuf,
}

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn config() -> Config {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Config {
        sizes: env_list("BENCH_SEARCH_SIZES", "100000")
            .iter()
            .map(|s| s.parse().expect("BENCH_SEARCH_SIZES: numbers"))
            .collect(),
        backends: env_list("BENCH_BACKENDS", "sqlite,postgres")
            .iter()
            .map(|b| match b.as_str() {
                "sqlite" => Backend::Sqlite,
                "postgres" => Backend::Postgres,
                other => panic!("unknown backend {other}"),
            })
            .collect(),
        queries: std::env::var("BENCH_QUERIES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200),
        seed_threads: std::env::var("BENCH_SEED_THREADS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2),
        pg_admin: std::env::var("BENCH_PG_ADMIN_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
        dir: std::env::var_os("BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/bench-search")),
        out: std::env::var_os("BENCH_OUT")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("BENCHMARKS.md")),
    }
}

/// One kind of query: a name and the queries of that kind.
struct Kind {
    name: &'static str,
    visibility: Visibility,
    queries: Vec<(Vec<Word>, Narrowing)>,
}

/// Latencies of one kind.
struct Measured {
    name: &'static str,
    p50: f64,
    p95: f64,
    max: f64,
    mean_results: f64,
    empty: usize,
}

struct Outcome {
    backend: Backend,
    reports: u64,
    seeded_now: bool,
    seed_seconds: f64,
    db_bytes: u64,
    postings: i64,
    kinds: Vec<Measured>,
    related_p50: f64,
    related_p95: f64,
    related_mean: f64,
}

fn settings(dir: &Path, database_url: Option<String>) -> Settings {
    ServeArgs {
        data_dir: Some(dir.join("data")),
        key_dir: Some(dir.join("keys")),
        listen: Some("127.0.0.1:0".into()),
        database_url,
        exit_url: Some("https://exit.example/".into()),
        ..Default::default()
    }
    .resolve()
    .expect("settings")
}

/// The related reports of `id` as the case view reads them; returns how many it lists.
async fn related_lookup(db: &Db, id: &ReportId, visibility: &Visibility) -> usize {
    use tipline::link::{RELATED_COUNTED, RELATED_LISTED};
    use tipline::store::{cases, links};
    let own = links::of_report(db, id).await.expect("identifiers");
    let holders = links::holders(db, id, &own, visibility, RELATED_LISTED, RELATED_COUNTED)
        .await
        .expect("holders");
    let mut listed: Vec<ReportId> = holders.into_iter().flat_map(|h| h.latest).collect();
    listed.sort_unstable();
    listed.dedup();
    cases::get_many(db, &listed).await.expect("cases").len()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Plaintext words of a generated report's texts, usable as query words.
fn words_of(generator: &Generator, index: u64) -> Vec<String> {
    let Ok(bulk) = generator.report(index) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for t in texts_of(&bulk.report) {
        for token in tokens(t.text) {
            let w = token.word.to_owned();
            if w.chars().count() >= 4
                && w.chars().all(char::is_alphabetic)
                && !words(&w).is_empty()
                && !out.contains(&w)
            {
                out.push(w);
            }
        }
    }
    out
}

/// The query kinds for a corpus of `n` reports.
fn kinds(n: u64, count: usize, now: OffsetDateTime) -> Vec<Kind> {
    let generator = Generator::new(DEFAULT_SEED, n, now).expect("generator");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    // Document frequency of query words over a sample.
    let sample: Vec<u64> = (0..2000).map(|_| rng.random_range(0..n)).collect();
    let mut df: HashMap<String, (usize, String)> = HashMap::new();
    let mut triage: Vec<(String, Option<String>)> = Vec::new();
    for &i in &sample {
        if let Ok(b) = generator.report(i) {
            triage.push((b.report.category.id.to_owned(), b.report.country.clone()));
        }
        for w in words_of(&generator, i) {
            let key = words(&w)[0].terms.join("|");
            df.entry(key).or_insert((0, w)).0 += 1;
        }
    }
    let mut common: Vec<(usize, String)> = df.into_values().collect();
    common.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let common: Vec<String> = common.into_iter().take(10).map(|(_, w)| w).collect();
    println!("  common words: {}", common.join(", "));
    let analyst = Visibility::UnrestrictedOrAssignedTo("bench-analyst".into());
    let last_year = now.unix_timestamp() - 365 * 86_400;
    let one: Vec<(Vec<Word>, Narrowing)> = (0..count)
        .map(|i| (words(&common[i % common.len()]), Narrowing::default()))
        .collect();
    let filtered = (0..count)
        .map(|i| {
            let (category, country) = triage.choose(&mut rng).cloned().unwrap_or_default();
            (
                words(&common[i % common.len()]),
                Narrowing {
                    category: Some(category),
                    country,
                    received_from: Some(last_year),
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut three_of_one = Vec::new();
    while three_of_one.len() < count {
        let mut w = words_of(&generator, rng.random_range(0..n));
        if w.len() < 3 {
            continue;
        }
        w.shuffle(&mut rng);
        three_of_one.push((words(&w[..3].join(" ")), Narrowing::default()));
    }
    let three_common = (0..count)
        .map(|_| {
            let picked: Vec<&String> = common.choose_multiple(&mut rng, 3).collect();
            let q = picked
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            (words(&q), Narrowing::default())
        })
        .collect();
    vec![
        Kind {
            name: "one common word (supervisor: all reports)",
            visibility: Visibility::Everything,
            queries: one.clone(),
        },
        Kind {
            name: "one common word (analyst: role rule applied)",
            visibility: analyst.clone(),
            queries: one,
        },
        Kind {
            name: "one common word + category, country, last year",
            visibility: analyst.clone(),
            queries: filtered,
        },
        Kind {
            name: "three words of one report",
            visibility: analyst.clone(),
            queries: three_of_one,
        },
        Kind {
            name: "three common words",
            visibility: analyst,
            queries: three_common,
        },
    ]
}

async fn measure(db: &Db, opened: &Opened, kind: &Kind) -> Measured {
    let index = opened.intake.term_index();
    // Warm the cache with every query once.
    for (w, n) in &kind.queries {
        search(db, index, w, n, &kind.visibility, 0, 20)
            .await
            .expect("search");
    }
    let mut times = Vec::with_capacity(kind.queries.len());
    let mut results = 0usize;
    let mut empty = 0usize;
    for (w, n) in &kind.queries {
        let started = Instant::now();
        let page = search(db, index, w, n, &kind.visibility, 0, 20)
            .await
            .expect("search");
        times.push(ms(started.elapsed()));
        results += page.hits.len();
        if page.hits.is_empty() {
            empty += 1;
        }
    }
    times.sort_by(f64::total_cmp);
    Measured {
        name: kind.name,
        p50: percentile(&times, 0.5),
        p95: percentile(&times, 0.95),
        max: times.last().copied().unwrap_or(0.0),
        mean_results: results as f64 / kind.queries.len().max(1) as f64,
        empty,
    }
}

async fn reports_in(db: &Db) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM reports")
        .fetch_one(db.pool())
        .await
        .map(|r| r.get::<i64, _>("n"))
        .unwrap_or(0)
}

async fn prepare_postgres(cfg: &Config, name: &str) -> String {
    let admin = Db::connect(&cfg.pg_admin).await.expect("PostgreSQL admin");
    let exists = sqlx::query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(admin.pool())
        .await
        .expect("pg_database")
        .is_some();
    if !exists {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .expect("create database");
    }
    admin.close().await;
    let base = cfg
        .pg_admin
        .rsplit_once('/')
        .map_or(cfg.pg_admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

async fn run(cfg: &Config, backend: Backend, n: u64) -> Outcome {
    let dir = cfg
        .dir
        .join(format!("{}-{n}", backend.name().to_ascii_lowercase()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(prepare_postgres(cfg, &format!("bench_search_{n}")).await),
    };
    let settings = settings(&dir, url);
    let clock: SharedClock = Arc::new(SystemClock);
    let stamp = dir.join("seeded-seconds");
    let mut opened = open_intake(&settings, &clock).await.expect("open");
    let have = reports_in(&opened.db).await;
    let (seeded_now, seed_seconds) = if have as u64 == n {
        let s = std::fs::read_to_string(&stamp)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0.0);
        (false, s)
    } else {
        assert_eq!(
            have,
            0,
            "{} holds {have} reports, not {n}: remove it",
            dir.display()
        );
        opened.db.close().await;
        println!("  seeding {n} reports into {}…", backend.name());
        let started = Instant::now();
        let done = std::sync::atomic::AtomicU64::new(0);
        let step = (n / 20).max(1);
        let filed = seed(
            &settings,
            SeedOptions {
                threads: cfg.seed_threads,
                ..SeedOptions::new(n)
            },
            clock.clone(),
            &|k| {
                let before = done.fetch_add(k, std::sync::atomic::Ordering::Relaxed);
                if (before + k) / step > before / step {
                    eprintln!(
                        "    {} / {n} in {:.0} s",
                        before + k,
                        started.elapsed().as_secs_f64()
                    );
                }
            },
        )
        .await
        .expect("seed");
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(filed.created as u64, n);
        let _ = std::fs::write(&stamp, format!("{seconds}"));
        opened = open_intake(&settings, &clock).await.expect("reopen");
        (true, seconds)
    };
    let db = opened.db.clone();
    // Statistics as a running hotline has them: on SQLite those the report writer keeps
    // (`Db::analyze`); on PostgreSQL fresh ones and the visibility map that lets the postings
    // be read from the index alone, as autovacuum gives them (it is off on this machine).
    match backend {
        Backend::Sqlite => db.analyze().await.expect("analyze"),
        Backend::Postgres => {
            let _ = sqlx::query("VACUUM ANALYZE").execute(db.pool()).await;
        }
    }
    let db_bytes = match backend {
        Backend::Sqlite => std::fs::read_dir(dir.join("data"))
            .map(|d| {
                d.filter_map(|e| e.ok()?.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0),
        Backend::Postgres => sqlx::query("SELECT pg_database_size(current_database()) AS n")
            .fetch_one(db.pool())
            .await
            .map(|r| r.get::<i64, _>("n") as u64)
            .unwrap_or(0),
    };
    let postings: i64 =
        sqlx::query("SELECT CAST(COALESCE(SUM(docs), 0) AS BIGINT) AS n FROM search_lists")
            .fetch_one(db.pool())
            .await
            .map(|r| r.get("n"))
            .unwrap_or(0);
    let mut kinds_measured = Vec::new();
    for kind in kinds(n, cfg.queries, clock.now()) {
        let m = measure(&db, &opened, &kind).await;
        println!(
            "  {:<50} p50 {:>7.2} ms  p95 {:>7.2} ms  max {:>7.2} ms  results {:>5.1}  empty {}",
            m.name, m.p50, m.p95, m.max, m.mean_results, m.empty
        );
        kinds_measured.push(m);
    }
    // Related reports of random reports.
    let ids: Vec<ReportId> = sqlx::query("SELECT id FROM reports ORDER BY random() LIMIT $1")
        .bind(cfg.queries as i64)
        .fetch_all(db.pool())
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get("id"))
        .collect();
    // As the case view reads them for an analyst (the role rule applies): the report's
    // identifiers, the latest holders of each, and their cases.
    let analyst = Visibility::UnrestrictedOrAssignedTo("bench-analyst".into());
    for id in &ids {
        related_lookup(&db, id, &analyst).await;
    }
    let mut times = Vec::new();
    let mut found = 0usize;
    for id in &ids {
        let started = Instant::now();
        found += related_lookup(&db, id, &analyst).await;
        times.push(ms(started.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    let row = Outcome {
        backend,
        reports: n,
        seeded_now,
        seed_seconds,
        db_bytes,
        postings,
        kinds: kinds_measured,
        related_p50: percentile(&times, 0.5),
        related_p95: percentile(&times, 0.95),
        related_mean: found as f64 / ids.len().max(1) as f64,
    };
    println!(
        "  related reports: p50 {:.3} ms, p95 {:.3} ms ({:.1} related reports listed each)",
        row.related_p50, row.related_p95, row.related_mean
    );
    db.close().await;
    row
}

fn command(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn markdown(cfg: &Config, rows: &[Outcome]) -> String {
    let mut md = String::new();
    let now = SystemClock.now();
    let _ = writeln!(md, "## Search and linking over sealed reports\n");
    let _ = writeln!(
        md,
        "- Date: {}-{:02}-{:02} {:02}:{:02} UTC",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute()
    );
    let sizes: Vec<String> = cfg.sizes.iter().map(u64::to_string).collect();
    let _ = writeln!(
        md,
        "- Command: `BENCH_SEARCH_SIZES={} BENCH_BACKENDS={} BENCH_SKIP={} cargo bench --bench search`",
        sizes.join(","),
        env_list("BENCH_BACKENDS", "sqlite,postgres").join(","),
        env_list("BENCH_SKIP", "").join(",")
    );
    let _ = writeln!(
        md,
        "- Machine: {} cores, {}; tipline commit {}; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        command("sh", &["-c", "free -h | awk '/Mem:/ {print $2\" RAM\"}'"]),
        command("git", &["log", "-1", "--format=%h %s"]),
        command("rustc", &["--version"])
    );
    let _ = writeln!(
        md,
        "- Method: reports generated by `tipline dev seed`'s generator (seed {DEFAULT_SEED}; en/fr/de/nl, all categories, 40–150-word narratives with inflected forms, identifiers shared in clusters) and filed through the bulk path (the same validation, sealing, identifier extraction and term indexing as intake; {} generating threads, 500 reports per transaction, one index segment each, merged eight at a time). Searches call the engine (`search::query::search`: every segment's lists of the query's terms read in one statement, every report holding all the words scored by BM25 in memory, the role rule and filters applied in the database to the best-scored reports or, when they leave few reports, read whole; top 20) in this process; each query runs once to warm the cache, then {} queries per kind are timed one after another. Related reports, as the case view reads them for an analyst (the report's identifiers, `store::links::holders`: the {} most recently filed visible holders of each, counted up to {}, then their cases), for {} random reports.\n",
        cfg.seed_threads,
        cfg.queries,
        tipline::link::RELATED_LISTED,
        tipline::link::RELATED_COUNTED,
        cfg.queries
    );
    let _ = writeln!(
        md,
        "| backend | reports | seeding (reports/s) | database size | postings | related p50 ms | related p95 ms |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let rate = if r.seed_seconds > 0.0 {
            format!(
                "{:.0} s ({:.0}/s){}",
                r.seed_seconds,
                r.reports as f64 / r.seed_seconds,
                if r.seeded_now { "" } else { ", earlier run" }
            )
        } else {
            "reused".to_owned()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} MiB | {} | {:.3} | {:.3} |",
            r.backend.name(),
            r.reports,
            rate,
            r.db_bytes as f64 / 1048576.0,
            r.postings,
            r.related_p50,
            r.related_p95
        );
    }
    let _ = writeln!(
        md,
        "\n| backend | reports | query | p50 ms | p95 ms | max ms | results (mean of 20) | no result |"
    );
    let _ = writeln!(md, "|---|---:|---|---:|---:|---:|---:|---:|");
    for r in rows {
        for k in &r.kinds {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
                r.backend.name(),
                r.reports,
                k.name,
                k.p50,
                k.p95,
                k.max,
                k.mean_results,
                k.empty
            );
        }
    }
    md
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let cfg = config();
    let mut rows = Vec::new();
    let skip = env_list("BENCH_SKIP", "");
    for &n in &cfg.sizes {
        for &backend in &cfg.backends {
            if skip.contains(&format!("{}-{n}", backend.name().to_ascii_lowercase())) {
                println!("{} with {n} reports: skipped (BENCH_SKIP)", backend.name());
                continue;
            }
            println!("{} with {n} reports", backend.name());
            rows.push(run(&cfg, backend, n).await);
        }
    }
    let md = markdown(&cfg, &rows);
    println!("\n{md}");
    match sections::write_section(&cfg.out, "search", &md) {
        Ok(()) => println!("wrote {}", cfg.out.display()),
        Err(e) => eprintln!("cannot write {}: {e}", cfg.out.display()),
    }
}
