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
