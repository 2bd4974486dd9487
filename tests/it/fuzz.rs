//! The fuzz targets of `tipline::fuzz`, each for a short budget: every file of its seed corpus
//! (`fuzz/corpus/<target>/`) and of its regressions (`fuzz/regressions/<target>/`, inputs
//! that once broke it), then random inputs: seeds mutated (bits flipped, bytes set, inserted,
//! removed, repeated, hostile tokens spliced in, the end cut off), random bytes, and text made
//! of hostile tokens. A failing input is shrunk and written to
//! `target/tmp/fuzz-failures/<target>/`; moved to `fuzz/regressions/<target>/`, it is replayed on
//! every run. `TIPLINE_FUZZ_CASES` multiplies the number of random inputs (default 1); the
//! same targets run for hours under libFuzzer from `fuzz/` (see `fuzz/README.md`).

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestError, TestRunner};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use tipline::fuzz::{TARGETS, Target, target};

/// Splices that tend to break parsers: markup and script, quotes, bidi and invisible
/// characters, JSON and multipart syntax, file-format markers.
const TOKENS: &[&[u8]] = &[
    b"<script>alert(1)</script>",
    b"\"><svg/onload=alert(1)>",
    b"'",
    b"\"",
    b"\\",
    b"\\u0000",
    b"\0",
    "\u{202e}".as_bytes(),
    "\u{2066}".as_bytes(),
    "\u{200b}".as_bytes(),
    "\u{feff}".as_bytes(),
    "İ".as_bytes(),
    "ß".as_bytes(),
    "ﬁ".as_bytes(),
    "𝕏".as_bytes(),
    "\u{301}".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\r\n",
    b"\r\n\r\n",
    b"\r\n--tipline-fuzz-boundary\r\n",
    b"\r\n--tipline-fuzz-boundary--\r\n",
    b"Content-Disposition: form-data; name=\"attachments\"; filename=\"a.png\"\r\n",
    b"Content-Disposition: form-data; name=\"narrative\"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"narrative\":",
    b"\"phones\":[",
    b"1e999",
    b"-0",
    b"null",
    b"+",
    b"@",
    b"#",
    b"%00",
    b"%",
    b"&amp;",
    b"&#x3c;",
    b"http://",
    b"javascript:",
    b"xn--",
    b"00000000",
    b"-",
    b" ",
    b"\t",
    b"\xff\xd8",
    b"\xff\xe1",
    b"\xff\xda",
    b"\xff\xd9",
    b"IDAT",
    b"tEXt",
    b"IEND",
    b"/JavaScript",
    b"/OpenAction",
    b"/S /Launch",
    b" 0 R",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"xref",
    b"trailer",
    b"%%EOF",
];

/// One change made to a seed.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Remove(Index, usize),
    Repeat(Index, usize),
    Cut(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        4 => (any::<Index>(), proptest::sample::select(TOKENS))
            .prop_map(|(i, t)| Mutation::Insert(i, t.to_vec())),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        1 => any::<Index>().prop_map(Mutation::Cut),
    ]
}

fn apply(mut data: Vec<u8>, mutations: Vec<Mutation>) -> Vec<u8> {
    for m in mutations {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
        match m {
            Mutation::Flip(i, bit) if !data.is_empty() => {
                let at = at(&i, data.len());
                data[at] ^= 1 << bit;
            }
            Mutation::Set(i, byte) if !data.is_empty() => {
                let at = at(&i, data.len());
                data[at] = byte;
            }
            Mutation::Insert(i, bytes) => {
                let at = at(&i, data.len() + 1);
                data.splice(at..at, bytes);
            }
            Mutation::Remove(i, n) if !data.is_empty() => {
                let at = at(&i, data.len());
                let end = (at + n).min(data.len());
                data.drain(at..end);
            }
            Mutation::Repeat(i, n) if !data.is_empty() => {
                let at = at(&i, data.len());
                let end = (at + n).min(data.len());
                let piece = data[at..end].to_vec();
                data.splice(end..end, piece);
            }
            Mutation::Cut(i) => {
                let at = at(&i, data.len() + 1);
                data.truncate(at);
            }
            _ => {}
        }
    }
    data
}

fn inputs(seeds: Vec<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    let mutated = (
        proptest::sample::select(seeds),
        proptest::collection::vec(mutation(), 1..8),
    )
        .prop_map(|(seed, mutations)| apply(seed, mutations));
    let random = proptest::collection::vec(any::<u8>(), 0..512);
    let text = proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
            "[a-zA-Z0-9 .@+/:-]{1,12}".prop_map(String::into_bytes),
            any::<char>().prop_map(|c| c.to_string().into_bytes()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat());
    prop_oneof![6 => mutated, 1 => random, 2 => text].boxed()
}

fn folder(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target)
}

/// The files of a folder, by name (none if it does not exist).
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// What a check panicked with, or `None` if it passed.
fn failure(target: &Target, data: &[u8]) -> Option<String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.check)(data)));
    let payload = outcome.err()?;
    Some(
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned()),
    )
}

/// Runs a target: its seeds and regressions, then `cases` random inputs.
fn fuzz(name: &str, cases: u32) {
    let target = target(name).unwrap_or_else(|| panic!("no fuzz target {name}"));
    let seeds = files(&folder("corpus", name));
    assert!(!seeds.is_empty(), "fuzz/corpus/{name}/ holds no seed");
    for (path, data) in seeds.iter().chain(&files(&folder("regressions", name))) {
        if let Some(why) = failure(target, data) {
            panic!("{} fails: {why}", path.display());
        }
    }
    let scale: u32 = std::env::var("TIPLINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut runner = TestRunner::new(Config {
        cases: cases.saturating_mul(scale.max(1)),
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    });
    let strategy = inputs(seeds.into_iter().map(|(_, d)| d).collect());
    let result = runner.run(&strategy, |data| match failure(target, &data) {
        None => Ok(()),
        Some(why) => Err(TestCaseError::fail(why)),
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, data)) => {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("fuzz-failures")
                .join(name);
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join(format!("input-{:016x}", fnv(&data)));
            std::fs::write(&file, &data).unwrap();
            panic!(
                "fuzz target {name} fails on {} ({} bytes, {:?}): {why}\n\
                 Fix it, then move the file into fuzz/regressions/{name}/.",
                file.display(),
                data.len(),
                String::from_utf8_lossy(&data[..data.len().min(200)]),
            );
        }
        Err(TestError::Abort(why)) => panic!("fuzz target {name} stopped: {why}"),
    }
}

/// A stable name for a failing input.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn every_target_has_a_test_here_and_a_libfuzzer_target() {
    let here = include_str!("fuzz.rs");
    for t in TARGETS {
        assert!(
            here.contains(&format!("fn {}()", t.name)),
            "no test for the fuzz target {}",
            t.name
        );
        let libfuzzer = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{}.rs", t.name));
        assert!(libfuzzer.is_file(), "{} is missing", libfuzzer.display());
    }
}

#[test]
fn report_form() {
    fuzz("report_form", 4000);
}

#[test]
fn report_json() {
    fuzz("report_json", 8000);
}

#[test]
fn receipt() {
    fuzz("receipt", 8000);
}

#[test]
fn identifiers() {
    fuzz("identifiers", 4000);
}

#[test]
fn attachment() {
    fuzz("attachment", 1500);
}

#[test]
fn search_query() {
    fuzz("search_query", 8000);
}

#[test]
fn markup_escape() {
    fuzz("markup_escape", 8000);
}
