//! Browser tests: runs the `e2e/*.mjs` journeys (playwright-core driving Debian's Chromium, axe-core
//! for WCAG 2.1 AA) against the real server. Screenshots at 320 px land in `e2e/artifacts/`.

use crate::helpers::{Backend, TestApp};
use std::process::Command;

/// Runs one browser journey script (`e2e/<script>`) against `app` with extra environment, and
/// fails the test with the script's output unless every step passed.
async fn run_journey(script: &str, app: &TestApp, env: Vec<(String, String)>) {
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(
        std::path::Path::new(&format!("{root}/e2e/node_modules/playwright-core")).exists(),
        "browser test packages missing: run `npm ci --prefix e2e` (scripts/test does)"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "install chromium (scripts/test does)"
    );
    let artifacts = format!("{root}/e2e/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let mut cmd = Command::new("node");
    cmd.arg(format!("{root}/e2e/{script}"))
        .env("BASE_URL", &app.base)
        .env("ARTIFACTS_DIR", artifacts)
        .env("PASSWORD", crate::staff::PASSWORD);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok - "), "{stdout}");
}

/// A one-time set-up link for a new staff account.
async fn setup_link(app: &TestApp, name: &str, role: &str) -> String {
    let token = tipline::staff::accounts::add(app.db(), name, role, "en", app.clock.unix())
        .await
        .unwrap();
    format!("{}/staff/setup/{token}", app.base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reporter_journeys_in_chromium_with_and_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    run_journey("journey.mjs", &app, vec![]).await;
    app.finish().await;
}

/// The back office in Chromium: set-up link, password, TOTP enrolment, an analyst's and a
/// supervisor's work on the queue, and a hostile report that must stay inert text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_journeys_in_chromium_without_javascript_and_hostile_content_stays_inert() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut env = Vec::new();
    for (name, role) in [
        ("ana", "analyst"),
        ("sue", "supervisor"),
        ("aud", "auditor"),
        ("adm", "admin"),
    ] {
        env.push((
            format!("SETUP_{}", name.to_uppercase()),
            setup_link(&app, name, role).await,
        ));
    }
    let plain = app
        .post_api(&serde_json::json!({ "category": "labour_exploitation", "narrative": "Workers sleep in the bakery.", "country": "LU", "still_happening": true }))
        .await;
    assert_eq!(plain.status(), 201);
    let payloads = [
        "<script>window.__pwned=1</script>",
        "<img src=x onerror=\"window.__pwned=1\">",
        "<svg onload=\"window.__pwned=1\"></svg>",
        "\"><iframe src=\"javascript:window.top.__pwned=1\"></iframe>",
        "<a href=\"javascript:window.__pwned=1\" id=\"evil-link\">click</a>",
        "\u{202E}exe.gnp \u{2066}bidi\u{2069}",
    ]
    .join(" ");
    let hostile = app
        .post_api(&serde_json::json!({
            "category": "other", "narrative": format!("{payloads}\n{}", "y".repeat(19_000)), "city": payloads,
            "venue": payloads, "victims_description": payloads, "exploiters_description": payloads,
            "phones": [payloads], "emails": [payloads], "websites": [payloads], "social_handles": [payloads],
            "vehicle_plates": [payloads], "anonymous": false, "contact_name": payloads, "contact_email": "x@example.org"
        }))
        .await;
    assert_eq!(hostile.status(), 201);
    let ids = tipline::store::reports::all_ids(app.db()).await.unwrap();
    env.push(("PLAIN_REPORT_ID".into(), ids[0].clone()));
    env.push(("HOSTILE_REPORT_ID".into(), ids[1].clone()));
    run_journey("staff.mjs", &app, env).await;
    app.finish().await;
}

/// The whole follow-up loop in Chromium with JavaScript off: a reporter files, an analyst asks,
/// the reporter comes back with the receipt, answers with a photo, the analyst reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_loop_in_chromium_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let env = vec![(
        "SETUP_ANA".to_owned(),
        setup_link(&app, "ana", "analyst").await,
    )];
    run_journey("followup.mjs", &app, env).await;
    // What the browser did is really stored: one reporter answer with one photo.
    let ids = tipline::store::reports::all_ids(app.db()).await.unwrap();
    let messages = tipline::followup::conversation::read(app.db(), &app.sealer().await, &ids[0])
        .await
        .unwrap();
    assert!(messages.iter().any(|m| m.from_hotline) && messages.iter().any(|m| !m.from_hotline));
    assert_eq!(
        tipline::store::reports::attachments(app.db(), &ids[0])
            .await
            .unwrap()
            .len(),
        1
    );
    app.finish().await;
}

/// An analyst assesses a person with JavaScript off: suggestions from the reporter's signs,
/// ticks, the outcome per dimension with its reasons, saving, the urgency that follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assessment_in_chromium_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .post_api(&serde_json::json!({
            "category": "labour_exploitation", "narrative": "Car wash workers sleep on site.", "city": "Liège",
            "still_happening": true, "warning_signs": ["documents_taken", "excessive_hours"]
        }))
        .await;
    assert_eq!(response.status(), 201);
    let report_id = tipline::store::reports::all_ids(app.db()).await.unwrap()[0].clone();
    let env = vec![
        (
            "SETUP_ANA".to_owned(),
            setup_link(&app, "ana", "analyst").await,
        ),
        ("REPORT_ID".to_owned(), report_id.clone()),
    ];
    run_journey("assessment.mjs", &app, env).await;
    let saved = tipline::store::assessments::of_report(app.db(), &report_id)
        .await
        .unwrap();
    assert!(
        saved.iter().any(|a| a.presumed),
        "the browser saved a presumed-victim assessment"
    );
    app.finish().await;
}
