//! Browser tests: runs the `e2e/*.mjs` journeys (playwright-core driving Debian's Chromium, axe-core
//! for WCAG 2.1 AA) against the real server. Screenshots at 320 px land in `e2e/artifacts/`.

use crate::helpers::{Backend, TestApp};
use std::process::Command;
use tipline::types::ReportId;

/// Runs one browser journey script (`e2e/<script>`) against `app` with extra environment, and
/// fails the test with the script's output unless every step passed.
pub(crate) async fn run_journey(script: &str, app: &TestApp, env: Vec<(String, String)>) {
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
    env.push(("PLAIN_REPORT_ID".into(), ids[0].to_string()));
    env.push(("HOSTILE_REPORT_ID".into(), ids[1].to_string()));
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
        ("REPORT_ID".to_owned(), report_id.to_string()),
    ];
    run_journey("assessment.mjs", &app, env).await;
    let saved = tipline::store::assessments::of_report(app.db(), &report_id)
        .await
        .unwrap();
    let sealer = app.sealer().await;
    assert!(
        saved
            .iter()
            .any(|a| tipline::assess::saved::open(&sealer, a).is_some_and(|d| d.presumed)),
        "the browser saved a presumed-victim assessment"
    );
    app.finish().await;
}

/// The cluster view in Chromium with JavaScript off: from the case view to the graph of the
/// reports sharing a phone number (and a venue whose name holds markup), a link made by hand,
/// a restricted report absent for an analyst and present for its supervisor assignee; axe-core
/// and 320 px on the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_view_in_chromium_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let setup_ana = setup_link(&app, "ana", "analyst").await;
    let setup_sue = setup_link(&app, "sue", "supervisor").await;
    let sue = tipline::store::staff::user_by_username(app.db(), "sue")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut ids = Vec::new();
    let venue = "<script>window.__pwned=1</script> Hotel Bellevue";
    for body in [
        serde_json::json!({ "category": "labour_exploitation", "narrative": "Bar workers.", "country": "LU",
            "phones": ["+352 621 123 456"], "venue": venue, "city": "Esch-sur-Alzette" }),
        serde_json::json!({ "category": "sexual_exploitation", "narrative": "Call 00352 621 123 456, said the advert.",
            "country": "LU", "venue": venue, "city": "Esch-sur-Alzette" }),
        serde_json::json!({ "category": "other", "narrative": "Same number again.", "country": "LU", "phones": ["621123456"] }),
        serde_json::json!({ "category": "other", "narrative": "Unrelated, call +352 691 000 111.", "country": "LU" }),
        serde_json::json!({ "category": "other", "narrative": "Restricted.", "country": "LU", "phones": ["+352621123456"] }),
    ] {
        let before = tipline::store::reports::all_ids(app.db()).await.unwrap();
        assert_eq!(app.post_api(&body).await.status(), 201);
        let after = tipline::store::reports::all_ids(app.db()).await.unwrap();
        ids.push(after.into_iter().find(|i| !before.contains(i)).unwrap());
    }
    let [report, b, c, outsider, hidden] = <[ReportId; 5]>::try_from(ids).unwrap();
    let now = app.clock.unix();
    tipline::store::cases::assign(app.db(), &hidden, Some(&sue), now)
        .await
        .unwrap();
    tipline::store::cases::set_restricted(app.db(), &hidden, true, now)
        .await
        .unwrap();
    tipline::store::links::add_manual(app.db(), &c, &b, "duplicate", &sue, now)
        .await
        .unwrap();
    // A phone number in more reports than the case view lists, none of them connected to the
    // others: the case view lists the latest and counts the rest.
    let crowd = tipline::link::RELATED_LISTED + 2;
    let mut crowded = String::new();
    for i in 0..crowd {
        let body = serde_json::json!({ "category": "other", "country": "LU",
            "narrative": format!("Advert {i}: call +352 621 999 000.") });
        let before = tipline::store::reports::all_ids(app.db()).await.unwrap();
        assert_eq!(app.post_api(&body).await.status(), 201);
        if crowded.is_empty() {
            let after = tipline::store::reports::all_ids(app.db()).await.unwrap();
            crowded = after
                .into_iter()
                .find(|i| !before.contains(i))
                .unwrap()
                .to_string();
        }
    }
    let env = vec![
        ("SETUP_ANA".to_owned(), setup_ana),
        ("SETUP_SUE".to_owned(), setup_sue),
        ("REPORT_ID".to_owned(), report.to_string()),
        ("MEMBER_IDS".to_owned(), format!("{b},{c}")),
        ("OUTSIDER_ID".to_owned(), outsider.to_string()),
        ("HIDDEN_ID".to_owned(), hidden.to_string()),
        ("CROWDED_ID".to_owned(), crowded),
        ("CROWD".to_owned(), crowd.to_string()),
        (
            "LISTED".to_owned(),
            tipline::link::RELATED_LISTED.to_string(),
        ),
    ];
    run_journey("cluster.mjs", &app, env).await;
    app.finish().await;
}

/// The staff search page in Chromium with JavaScript off: an inflected German word finds its
/// reports with the match highlighted, a category filter narrows, 23 matches split over two
/// pages, a bad date, a word that matches nothing and a query holding markup; axe-core in four
/// languages and 320 px on the page in each of its states.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_in_chromium_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let setup_ana = setup_link(&app, "ana", "analyst").await;
    // Two German reports say "arbeiten" and "arbeitet"; the analyst searches "gearbeitet".
    let labour = app
        .file_api(
            serde_json::json!({ "category": "labour_exploitation", "language": "de",
        "narrative": "Die Frauen arbeiten in der Wäscherei von Trier ohne Lohn und ohne Vertrag.",
        "country": "DE", "city": "Trier", "venue": "Wäscherei am Hafen" }),
        )
        .await;
    let home = app
        .file_api(
            serde_json::json!({ "category": "domestic_servitude", "language": "de",
        "narrative": "Das Mädchen arbeitet jeden Tag im Haus der Familie und darf nicht hinaus.",
        "country": "LU", "city": "Esch-sur-Alzette" }),
        )
        .await;
    // 23 reports about a hotel (more than the 20 of a page), in English and French.
    let mut hotel = Vec::new();
    for i in 0..23 {
        let (language, narrative) = if i % 4 == 3 {
            (
                "fr",
                format!("Signalement {i} : les femmes de chambre de l'hôtel dorment dans la cave."),
            )
        } else {
            (
                "en",
                format!(
                    "Report {i}: cleaners at the hotel have no contract and sleep in the basement."
                ),
            )
        };
        hotel.push(app.file_api(serde_json::json!({ "category": "labour_exploitation", "language": language,
            "narrative": narrative, "country": "LU", "city": "Luxembourg", "venue": format!("Hotel {i}") })).await);
    }
    // A report whose text holds markup, found by a query holding the same markup.
    let markup = app
        .file_api(serde_json::json!({ "category": "other", "language": "en",
        "narrative": "The driver wrote <script>alert(1)</script> on the tachograph of the lorry.",
        "country": "BE", "city": "Arlon" }))
        .await;
    let env = vec![
        ("SETUP_ANA".to_owned(), setup_ana),
        ("LABOUR_ID".to_owned(), labour.to_string()),
        ("HOME_ID".to_owned(), home.to_string()),
        (
            "HOTEL_IDS".to_owned(),
            hotel
                .iter()
                .map(ReportId::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("MARKUP_ID".to_owned(), markup.to_string()),
    ];
    app.indexed().await;
    run_journey("search.mjs", &app, env).await;
    app.finish().await;
}

/// Passkeys in Chromium with its virtual authenticator (the DevTools protocol): adding,
/// renaming, signing in, recovery codes, removal, a supervisor's requirement, the pages with
/// JavaScript off, axe-core and 320 px. WebAuthn refuses an IP address as the relying party, so
/// the server is reached as http://localhost on a port chosen before it starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_in_chromium_with_a_virtual_authenticator() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    let base = format!("http://localhost:{port}");
    let public = base.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, move |settings| {
        settings.listen = format!("127.0.0.1:{port}").parse().unwrap();
        settings.public_url = public;
        // Ana signs in a dozen times within a minute (a person does not).
        settings.sign_in.per_user_per_minute = 100;
        settings.sign_in.per_user_burst = 100;
    })
    .await;
    let mut env = vec![("BASE_URL".to_owned(), base.clone())];
    for (name, role) in [("ana", "analyst"), ("sue", "supervisor")] {
        let token = tipline::staff::accounts::add(app.db(), name, role, "en", app.clock.unix())
            .await
            .unwrap();
        env.push((
            format!("SETUP_{}", name.to_uppercase()),
            format!("{base}/staff/setup/{token}"),
        ));
    }
    run_journey("passkeys.mjs", &app, env).await;

    // What the browser did is really stored and recorded: ana's second passkey (the first was
    // removed), used to sign in; the trail names each step and each factor.
    let ana = tipline::store::staff::user_by_username(app.db(), "ana")
        .await
        .unwrap()
        .unwrap();
    let passkeys = tipline::store::passkeys::list(app.db(), &ana.id)
        .await
        .unwrap();
    assert_eq!(passkeys.len(), 1);
    assert_eq!(passkeys[0].name, "my phone");
    assert!(passkeys[0].last_used_at.is_some());
    let entries: Vec<(String, String)> =
        sqlx::query_as("SELECT action, detail FROM audit_log WHERE actor = $1 ORDER BY seq")
            .bind(&ana.id)
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    for (action, detail) in [
        ("user.passkey_added", "name=work laptop"),
        ("user.passkey_renamed", "name=laptop"),
        ("session.sign_in", "full passkey"),
        ("user.recovery_codes_made", "count=10"),
        ("session.sign_in", "full recovery-code"),
        ("user.passkey_removed", "name=laptop"),
        ("session.sign_in", "passkey totp"),
        ("user.passkey_added", "name=phone"),
    ] {
        assert!(
            entries.iter().any(|(a, d)| a == action && d == detail),
            "{action} {detail} not in {entries:?}"
        );
    }
    app.finish().await;
}
