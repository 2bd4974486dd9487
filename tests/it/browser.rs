//! Browser tests: runs `e2e/journey.mjs` (playwright-core driving Debian's Chromium, axe-core
//! for WCAG 2.1 AA) against the real server. Screenshots at 320 px land in `e2e/artifacts/`.

use crate::helpers::{Backend, TestApp};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reporter_journeys_in_chromium_with_and_without_javascript() {
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(
        std::path::Path::new(&format!("{root}/e2e/node_modules/playwright-core")).exists(),
        "browser test packages missing: run `npm ci --prefix e2e` (scripts/test does)"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "install chromium (scripts/test does)"
    );
    let app = TestApp::spawn(Backend::Sqlite).await;
    let artifacts = format!("{root}/e2e/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(format!("{root}/e2e/journey.mjs"))
            .env("BASE_URL", base)
            .env("ARTIFACTS_DIR", artifacts)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser journey failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok - "), "{stdout}");
    app.finish().await;
}

/// The back office in Chromium: set-up link, password, TOTP enrolment, an analyst's and a
/// supervisor's work on the queue, and a hostile report that must stay inert text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_journeys_in_chromium_without_javascript_and_hostile_content_stays_inert() {
    let root = env!("CARGO_MANIFEST_DIR");
    let app = TestApp::spawn(Backend::Sqlite).await;
    let now = app.clock.unix();
    let mut links = Vec::new();
    for (name, role) in [
        ("ana", "analyst"),
        ("sue", "supervisor"),
        ("aud", "auditor"),
        ("adm", "admin"),
    ] {
        let token = tipline::staff::accounts::add(app.db(), name, role, "en", now)
            .await
            .unwrap();
        links.push((
            format!("SETUP_{}", name.to_uppercase()),
            format!("{}/staff/setup/{token}", app.base),
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
    let artifacts = format!("{root}/e2e/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let base = app.base.clone();
    let (plain_id, hostile_id) = (ids[0].clone(), ids[1].clone());
    let output = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("node");
        cmd.arg(format!("{root}/e2e/staff.mjs"))
            .env("BASE_URL", base)
            .env("ARTIFACTS_DIR", artifacts)
            .env("PASSWORD", crate::staff::PASSWORD)
            .env("PLAIN_REPORT_ID", plain_id)
            .env("HOSTILE_REPORT_ID", hostile_id);
        for (k, v) in links {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "staff browser journey failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok - "), "{stdout}");
    app.finish().await;
}

/// The whole follow-up loop in Chromium with JavaScript off: a reporter files, an analyst asks,
/// the reporter comes back with the receipt, answers with a photo, the analyst reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_loop_in_chromium_without_javascript() {
    let root = env!("CARGO_MANIFEST_DIR");
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = tipline::staff::accounts::add(app.db(), "ana", "analyst", "en", app.clock.unix())
        .await
        .unwrap();
    let setup = format!("{}/staff/setup/{token}", app.base);
    let artifacts = format!("{root}/e2e/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(format!("{root}/e2e/followup.mjs"))
            .env("BASE_URL", base)
            .env("ARTIFACTS_DIR", artifacts)
            .env("PASSWORD", crate::staff::PASSWORD)
            .env("SETUP_ANA", setup)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "follow-up browser journey failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok - "), "{stdout}");
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
