//! What the benchmarks that drive the real `tipline` binary share: which binaries to run, the
//! settings read from the environment, the server's memory from /proc, and which commit a
//! binary was built from.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A `tipline` binary under test.
#[derive(Debug, Clone)]
pub struct Binary {
    /// "baseline" or "candidate" when two are compared; "tipline" when one is measured.
    pub label: &'static str,
    pub path: PathBuf,
}

/// The binaries to measure: `BENCH_BASELINE_BIN` then `BENCH_CANDIDATE_BIN` (default
/// `default_candidate`) when a baseline is given, else the candidate alone. Each must exist.
pub fn binaries_from_env(default_candidate: &str) -> Vec<Binary> {
    let candidate = PathBuf::from(env_or("BENCH_CANDIDATE_BIN", default_candidate));
    let binaries = match std::env::var_os("BENCH_BASELINE_BIN").filter(|v| !v.is_empty()) {
        Some(baseline) => vec![
            Binary {
                label: "baseline",
                path: PathBuf::from(baseline),
            },
            Binary {
                label: "candidate",
                path: candidate,
            },
        ],
        None => vec![Binary {
            label: "tipline",
            path: candidate,
        }],
    };
    for b in &binaries {
        assert!(
            b.path.is_file(),
            "the {} binary {} does not exist",
            b.label,
            b.path.display()
        );
    }
    binaries
}

/// The environment variable `key`, or `default` when it is unset or blank.
pub fn env_or(key: &str, default: &str) -> String {
    std::env::var(key)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// A field of /proc/PID/status in KiB (VmRSS, VmHWM, RssAnon, RssFile); 0 when unreadable.
pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time the process has used, in clock ticks (user + system, /proc/PID/stat); 0 when
/// unreadable.
#[allow(
    dead_code,
    reason = "one bench (staff_pages) uses it; the other including this file does not"
)]
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// Resets the process's peak resident memory (VmHWM) to what it holds now, so that the next
/// reading of VmHWM is the peak since this call (`/proc/PID/clear_refs`, value 5). `false` when
/// the kernel refused.
#[allow(
    dead_code,
    reason = "one bench (staff_pages) uses it; the other including this file does not"
)]
pub fn reset_peak_rss(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The URL of database `db` on the server of the admin URL `admin` (which ends in /DATABASE).
pub fn pg_url_for(admin: &str, db: &str) -> String {
    let (base, _) = admin
        .rsplit_once('/')
        .expect("an admin URL ending in /DATABASE");
    format!("{base}/{db}")
}

/// The commit checked out at `dir`, and whether the server's sources differ from it.
pub fn source_version(dir: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
    };
    match git(&["log", "-1", "--format=%h %s"]) {
        Some(head) => {
            let dirty = git(&[
                "status",
                "--porcelain",
                "--",
                "src",
                "migrations",
                "Cargo.lock",
            ])
            .is_some_and(|s| !s.is_empty());
            if dirty {
                format!(
                    "commit {head} (with uncommitted changes to the server: src, migrations or Cargo.lock)"
                )
            } else {
                format!("commit {head}")
            }
        }
        None => "unknown (not a git checkout)".to_owned(),
    }
}

/// The commit a binary was built from: that of the checkout it lies in.
pub fn binary_source(bin: &Path) -> String {
    let Some(dir) = bin.ancestors().skip(1).find(|d| d.join(".git").exists()) else {
        return "an unknown commit (not inside a git checkout)".to_owned();
    };
    source_version(dir)
}

/// When the benchmark ran, as the heading of its figures says it.
#[allow(
    clippy::disallowed_methods,
    reason = "a benchmark states the real date it ran; no test depends on it"
)]
pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}
