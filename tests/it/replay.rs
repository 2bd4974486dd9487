//! A submission's key is not a receipt: an API `Idempotency-Key` or a form's one-time token,
//! sent again with other content, files nothing and shows no receipt; an honest retry of the
//! same request still gets its receipt, and a refreshed form only shortly after filing.

use crate::helpers::{TestApp, both_backends, is_receipt, receipt_in};
use reqwest::multipart;
use serde_json::{Value, json};
use tipline::store::reports;

fn report(narrative: &str) -> Value {
    json!({
        "category": "labour_exploitation",
        "narrative": narrative,
        "country": "LU",
        "phones": ["+352 621 000 111"],
    })
}

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/reports", app.base))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn post_multipart_with_key(
    app: &TestApp,
    key: &str,
    body: &Value,
    file: &[u8],
) -> reqwest::Response {
    // reqwest draws a new random boundary for every form, as a retrying client would.
    let form = multipart::Form::new()
        .part(
            "report",
            multipart::Part::text(body.to_string())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "attachments",
            multipart::Part::bytes(file.to_vec()).file_name("photo.png"),
        );
    app.client
        .post(format!("{}/api/v1/reports", app.base))
        .header("idempotency-key", key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 10, 10]));
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

both_backends! {
    async fn another_request_with_a_reused_idempotency_key_gets_no_receipt(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let key = "b7f3c1e0-9a4d-4c2b-8e51-2f6a7d9c0e13";
        let first = post_with_key(&app, key, &report("Workers locked in at night.")).await;
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let receipt = first["receipt"].as_str().unwrap().to_owned();
        assert!(is_receipt(&receipt));

        // Someone who learnt the key sends any valid report with it.
        let stolen = post_with_key(&app, key, &report("Anything at all.")).await;
        assert_eq!(stolen.status(), 422);
        assert_eq!(stolen.headers()["content-type"], "application/problem+json");
        let text = stolen.text().await.unwrap();
        assert!(!text.contains(&receipt), "{text}");
        assert!(!text.contains("receipt"), "{text}");
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 1);

        // The honest retry of the same request still gets its receipt.
        let retry = post_with_key(&app, key, &report("Workers locked in at night.")).await;
        assert_eq!(retry.status(), 200);
        let retry: Value = retry.json().await.unwrap();
        assert_eq!(retry["receipt"], receipt.as_str());
        assert_eq!(retry["repeated"], true);
        app.finish().await;
    }
}

both_backends! {
    async fn a_multipart_retry_with_a_new_boundary_matches_but_another_file_does_not(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let key = "3c9e0a51-77d2-4f0e-a1b8-6d2c4e8f9a70";
        let body = report("Photo of the van attached.");
        let png = tiny_png();
        let first = post_multipart_with_key(&app, key, &body, &png).await;
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let again = post_multipart_with_key(&app, key, &body, &png).await;
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!(first["receipt"], again["receipt"]);

        let mut other = png.clone();
        other.extend_from_slice(b"trailing bytes change the file");
        let swapped = post_multipart_with_key(&app, key, &body, &other).await;
        assert_eq!(swapped.status(), 422);
        let text = swapped.text().await.unwrap();
        assert!(!text.contains(first["receipt"].as_str().unwrap()), "{text}");
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 1);
        app.finish().await;
    }
}

both_backends! {
    async fn a_replayed_form_with_other_content_files_nothing_and_shows_no_receipt(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let token = app.form_token("en", "labour_exploitation").await;
        let fields = |narrative: &'static str| {
            vec![
                ("form_token", token.clone()),
                ("lang", "en".to_owned()),
                ("category", "labour_exploitation".to_owned()),
                ("narrative", narrative.to_owned()),
            ]
        };
        let post = |f: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form(&f, &[]).await
            }
        };
        let (status, html) = post(fields("Men sleep in the warehouse.")).await;
        assert_eq!(status, 200, "{html}");
        let receipt = receipt_in(&html);

        // The same token with other content (a form picked from a shared device's history and
        // sent again, or a forged one): nothing filed, no receipt shown.
        let (status, html) = post(fields("Something else entirely.")).await;
        assert_eq!(status, 409, "{html}");
        assert!(!html.contains(&receipt));
        assert!(!html.contains("id=\"receipt\""));
        assert!(html.contains("already been used"), "{html}");
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 1);

        // A refresh of the same form shortly after shows the receipt again...
        app.clock.advance(9 * 60);
        let (status, html) = post(fields("Men sleep in the warehouse.")).await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(receipt_in(&html), receipt);

        // ...but not later: a shared device must not give it away.
        app.clock.advance(2 * 60);
        let (status, html) = post(fields("Men sleep in the warehouse.")).await;
        assert_eq!(status, 200, "{html}");
        assert!(!html.contains(&receipt));
        assert!(!html.contains("id=\"receipt\""));
        assert!(html.contains("already been received"), "{html}");
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 1);
        app.finish().await;
    }
}

both_backends! {
    /// The OpenAPI document says an Idempotency-Key is 16 to 200 bytes: both ends are taken, one
    /// byte outside either is refused with the documented problem, and nothing is filed for it.
    async fn an_idempotency_key_of_a_length_not_documented_is_refused(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        for (len, status) in [(15, 400), (16, 201), (200, 201), (201, 400)] {
            let key: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let response = post_with_key(&app, &key, &report(&format!("key of {len}"))).await;
            assert_eq!(response.status(), status, "a key of {len} bytes");
            let body: Value = response.json().await.unwrap();
            if status == 400 {
                assert_eq!(body["type"], "/api/v1/problems/idempotency-key-invalid");
                assert!(body.get("receipt").is_none());
            } else {
                assert!(is_receipt(body["receipt"].as_str().unwrap()));
            }
        }
        assert_eq!(reports::all_ids(app.db()).await.unwrap().len(), 2);
        app.finish().await;
    }
}
