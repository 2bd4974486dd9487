//! BENCHMARKS.md holds one section per benchmark, each between `<!-- begin NAME -->` and
//! `<!-- end NAME -->`, so that each benchmark rewrites its own figures and leaves the others.

use std::path::Path;

const HEADER: &str = "# Benchmarks\n\nWritten by the benchmarks in `benches/` (one section each); \
re-run them rather than editing the figures by hand. Figures from one shared, noisy 2-core \
machine: compare within one run.\n\nThe benchmarks use `tipline dev seed`'s generator, which only \
exists with the `dev-seed` cargo feature: `cargo bench` turns it on by itself, and the binaries a \
benchmark is pointed at or seeds with (`BENCH_BASELINE_BIN`, `BENCH_CANDIDATE_BIN`, `tipline dev \
seed`) are built with `cargo build --release --features dev-seed`.\n";

/// Replaces (or appends) the section `name` of the file at `path` with `body`.
pub fn write_section(path: &Path, name: &str, body: &str) -> std::io::Result<()> {
    let begin = format!("<!-- begin {name} -->");
    let end = format!("<!-- end {name} -->");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let old = if old.trim().is_empty() {
        HEADER.to_owned()
    } else {
        old
    };
    let block = format!("{begin}\n{}\n{end}", body.trim_end());
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(b), Some(e)) if e > b => format!("{}{block}{}", &old[..b], &old[e + end.len()..]),
        _ => format!("{}\n{block}\n", old.trim_end()),
    };
    std::fs::write(path, new)
}
