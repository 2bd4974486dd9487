//! Safety on every public page: security headers, no cookies, the quick exit, translated error
//! pages, request limits and rate limits that do not depend on IP addresses.

use crate::helpers::{Backend, TestApp, settings_for};
use std::sync::Arc;
use tipline::cli::app::start;
use tipline::clock::SystemClock;

const PAGES: &[&str] = &[
    "/",
    "/?lang=fr",
    "/report",
    "/report?lang=de&category=labour_exploitation",
    "/report?category=nope",
    "/nope",
];

#[tokio::test]
async fn every_page_sends_the_security_headers_and_no_cookie() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for path in PAGES {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.get("set-cookie").is_none(), "{path} sets a cookie");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("id=\"quick-exit\""),
            "{path} lacks the quick exit"
        );
        assert!(
            !html.contains("<script>") && !html.contains(" style=\""),
            "{path} has inline script or style"
        );
        for external in ["http://", "https://"] {
            let outside: Vec<&str> = html
                .match_indices(external)
                .map(|(i, _)| &html[i..(i + 40).min(html.len())])
                .collect();
            // The only absolute address is the quick exit's own destination.
            assert!(
                outside
                    .iter()
                    .all(|o| o.starts_with("https://exit.example/")),
                "{path}: {outside:?}"
            );
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn quick_exit_leaves_and_clears_the_site() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.get("/exit").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "https://exit.example/");
    assert!(
        response.headers()["clear-site-data"]
            .to_str()
            .unwrap()
            .contains("\"cache\"")
    );
    let js = app.get("/static/exit.js").await.text().await.unwrap();
    assert!(js.contains("location.replace"));
    app.finish().await;
}

#[tokio::test]
async fn unknown_pages_and_bad_forms_get_translated_pages() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.get("/no-such-page?lang=nl").await;
    assert_eq!(response.status(), 404);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("<html lang=\"nl\">")
    );
    let response = app
        .client
        .post(format!("{}/report?lang=fr", app.base))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("<html lang=\"fr\">")
    );
    app.finish().await;
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.form_token("en", "other").await;
    let huge = "a".repeat(200 * 1024);
    let (status, html) = app
        .post_form(
            &[
                ("form_token", &token),
                ("category", "other"),
                ("narrative", &huge),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 413, "{html}");
    let long = "b".repeat(25_000);
    let (status, html) = app
        .post_form(
            &[
                ("form_token", &token),
                ("category", "other"),
                ("narrative", &long),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"narrative-error\""));
    app.finish().await;
}

#[tokio::test]
async fn the_intake_ceiling_holds_when_every_client_shares_one_address_and_says_to_go_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings_for(dir.path(), None);
    settings.rates.intake_per_second = 1;
    settings.rates.intake_burst = 2;
    settings.rates.per_form_per_hour = 100;
    let running = start(&settings, Arc::new(SystemClock)).await.unwrap();
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut last = String::new();
    for i in 0..5 {
        let page = client
            .get(format!("{base}/report?category=other"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let start = page.find("name=\"form_token\" value=\"").unwrap() + 25;
        let token = page[start..].split('"').next().unwrap().to_owned();
        let form = reqwest::multipart::Form::new()
            .text("form_token", token)
            .text("category", "other")
            .text("narrative", format!("kept text {i}"));
        let response = client
            .post(format!("{base}/report"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        last = response.text().await.unwrap();
    }
    assert_eq!(&statuses[..2], &[200, 200]);
    assert!(statuses[2..].contains(&429), "{statuses:?}");
    // The ceiling answers before the body is read, so the text is not in the answer: the
    // page tells the reporter their form is still there, one step back.
    assert!(!last.contains("kept text 4"));
    assert!(
        last.contains("nothing is lost if you go back to your form"),
        "{last}"
    );
    running.stop().await;
}
