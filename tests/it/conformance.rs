//! API conformance: schemathesis (a tool nobody here wrote) reads `/api/v1/openapi.json`,
//! generates requests that the document says are valid and requests it says are not, for every
//! operation, the follow-up ones signed in with a reporter session, and runs all its checks on
//! the answers: no server error, only documented statuses, content types, headers and bodies,
//! valid requests accepted, invalid ones refused, methods not listed answered 405, sessions
//! that end really ended. Zero failures, on SQLite and PostgreSQL.
//!
//! schemathesis comes from PyPI, pinned in `tests/conformance/requirements.txt`, installed by
//! `scripts/test` in `target/conformance-venv` (or named by `TIPLINE_SCHEMATHESIS`). Its hooks
//! (`tests/conformance/hooks.py`) say what a schema cannot: the reporter session, today's date,
//! one Idempotency-Key per request, attachments that are real photos and PDFs. The run uses a
//! fixed seed so that a failure reproduces; `TIPLINE_SCHEMATHESIS_SEED` picks another and
//! `TIPLINE_SCHEMATHESIS_EXAMPLES` (default 100) the examples per operation.

use crate::helpers::{TestApp, both_backends};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Examples per operation and phase, unless `TIPLINE_SCHEMATHESIS_EXAMPLES` says otherwise.
const EXAMPLES: u32 = 100;
/// Fewest requests each operation must have had, and fewest answered with success.
const LEAST_REQUESTS: u64 = 50;
const LEAST_SUCCESSES: u64 = 5;

fn schemathesis() -> PathBuf {
    let path = std::env::var_os("TIPLINE_SCHEMATHESIS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/conformance-venv/bin/schemathesis"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "schemathesis missing at {}: run scripts/test (it installs tests/conformance/requirements.txt)",
        path.display()
    );
    path
}

both_backends! {
    async fn the_api_conforms_to_its_document(backend: Backend) {
        let app = TestApp::spawn_with(backend, |settings| {
            // The run sends thousands of requests from one address within a minute, and a
            // session of its own for each follow-up request: the limits that would answer 429
            // to most of them are raised (429 is documented; it would only hide the rest).
            settings.rates.per_ip_per_minute = 0;
            settings.rates.receipt_attempts_per_second = 100_000;
            settings.rates.messages_per_session_per_hour = 100_000;
            settings.rates.messages_per_report_per_day = 100_000;
        })
        .await;
        let filed = app
            .post_api(&json!({ "category": "other", "narrative": "Someone is kept at the farm." }))
            .await;
        assert_eq!(filed.status(), 201);
        let receipt = filed.json::<Value>().await.unwrap()["receipt"]
            .as_str()
            .unwrap()
            .to_owned();

        let work = tempfile::tempdir().unwrap();
        let counts = work.path().join("answers.json");
        let reports = work.path().join("reports");
        let seed = std::env::var("TIPLINE_SCHEMATHESIS_SEED").unwrap_or_else(|_| "1".into());
        let examples = std::env::var("TIPLINE_SCHEMATHESIS_EXAMPLES")
            .unwrap_or_else(|_| EXAMPLES.to_string());
        let mut cmd = Command::new(schemathesis());
        cmd.current_dir(work.path())
            .arg("run")
            .arg(format!("{}/api/v1/openapi.json", app.base))
            .args(["--checks", "all", "--max-examples", &examples, "--seed", &seed])
            .args(["--generation-database", "none", "--no-color", "--report", "json"])
            .arg("--report-dir")
            .arg(&reports)
            .env("SCHEMATHESIS_HOOKS", "hooks")
            .env(
                "PYTHONPATH",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance"),
            )
            .env("TIPLINE_BASE_URL", &app.base)
            .env("TIPLINE_RECEIPT", &receipt)
            .env("TIPLINE_CONFORMANCE_COUNTS", &counts);
        let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "schemathesis found failures (seed {seed}):\n{stdout}\n{stderr}"
        );

        // schemathesis's own account: every operation tested, nothing failed or errored, no
        // warning (an operation it could not sign in to, a pattern it could not read, ...).
        let report = std::fs::read_dir(&reports)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.extension().is_some_and(|e| e == "json"))
            .expect("schemathesis wrote its JSON report");
        let report: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
        assert_eq!(report["exit_code"], 0, "{report}");
        assert_eq!(report["operations"]["tested"], report["operations"]["total"], "{report}");
        assert_eq!(report["failures"], json!([]), "{report}");
        assert_eq!(report["errors"], json!([]), "{report}");
        for (warning, operations) in report["warnings"].as_object().unwrap() {
            assert_eq!(operations, &json!([]), "schemathesis warns: {warning}");
        }

        // What the server answered, operation by operation: each reached often, and each
        // (but opening a session, which needs a receipt no generator can guess) also with
        // success, so the checks ran on what succeeds as well as on what is refused.
        let answers: BTreeMap<String, BTreeMap<String, u64>> =
            serde_json::from_slice(&std::fs::read(&counts).unwrap()).unwrap();
        for operation in [
            "POST /api/v1/reports",
            "POST /api/v1/followup/session",
            "DELETE /api/v1/followup/session",
            "GET /api/v1/followup",
            "POST /api/v1/followup/messages",
        ] {
            let statuses = answers.get(operation).cloned().unwrap_or_default();
            let all: u64 = statuses.values().sum();
            let successes: u64 = statuses
                .iter()
                .filter(|(status, _)| status.starts_with('2'))
                .map(|(_, n)| n)
                .sum();
            assert!(all >= LEAST_REQUESTS, "{operation}: {statuses:?}");
            if operation != "POST /api/v1/followup/session" {
                assert!(successes >= LEAST_SUCCESSES, "{operation}: {statuses:?}");
            }
            assert!(
                statuses.keys().all(|status| !status.starts_with('5')),
                "{operation}: {statuses:?}"
            );
        }
        // The reports and messages it filed are really there.
        let ids = tipline::store::reports::all_ids(app.db()).await.unwrap();
        assert!(ids.len() as u64 > LEAST_SUCCESSES, "{} reports", ids.len());
        app.finish().await;
    }
}
