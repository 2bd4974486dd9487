//! The reporting API: JSON and multipart, 201 with a receipt, problem+json errors with JSON
//! Pointers, idempotent retries, and an OpenAPI document that matches what the API accepts.

use crate::helpers::{Backend, TestApp, both_backends, is_receipt};
use serde_json::{Value, json};
use tipline::store::reports;

both_backends! {
    async fn json_reports_are_filed_and_retries_with_one_key_file_once(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let body = json!({
            "category": "sexual_exploitation",
            "narrative": "Advert shows a woman who looks scared.",
            "country": "BE",
            "still_happening": true,
            "people_count": 3,
            "warning_signs": ["fearful_or_coached"],
            "websites": ["https://ads.example/123"],
            "campaign": "airline-2026",
            "language": "nl"
        });
        let response = app.post_api(&body).await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        assert!(is_receipt(created["receipt"].as_str().unwrap()));
        assert_eq!(created["status"], "new");

        let send = || {
            app.client
                .post(format!("{}/api/v1/reports", app.base))
                .header("idempotency-key", "partner-app-7f3a9c2e-0001")
                .json(&body)
                .send()
        };
        let first = send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let again = send().await.unwrap();
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!(first["receipt"], again["receipt"]);
        assert_eq!(again["repeated"], true);

        let stored = app.stored_reports().await;
        assert_eq!(stored.len(), 2);
        let (row, opened) = &stored[0];
        assert_eq!(row.triage.channel, "api");
        assert_eq!(row.triage.campaign_id.as_deref(), Some("airline-2026"));
        assert_eq!(row.triage.language, "nl");
        assert_eq!(row.triage.urgency, "high");
        assert_eq!(opened.people.count, Some(3));
        app.finish().await;
    }
}

#[tokio::test]
async fn errors_are_problem_json_with_a_pointer_per_wrong_field() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .client
        .post(format!("{}/api/v1/reports", app.base))
        .header("accept-language", "fr")
        .json(&json!({ "category": "labour_exploitation", "phones": ["ok", "x".repeat(400)], "country": "ZZ" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["type"], "/api/v1/problems/validation");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/narrative", "/country", "/phones/1"]);
    assert_eq!(
        problem["errors"][0]["detail"],
        "Veuillez répondre à cette question."
    );

    let wrong_type = app
        .post_api(&json!({ "category": "other", "narrative": "x", "people_count": "many" }))
        .await;
    assert_eq!(wrong_type.status(), 400);
    let problem: Value = wrong_type.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/people_count");

    let unknown = app
        .post_api(&json!({ "category": "other", "narrative": "x", "nickname": "y" }))
        .await;
    assert_eq!(unknown.status(), 400);

    let text = app
        .client
        .post(format!("{}/api/v1/reports", app.base))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    assert!(reports::all_ids(app.db()).await.unwrap().is_empty());
    app.finish().await;
}

#[tokio::test]
async fn multipart_reports_carry_attachments() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let report =
        json!({ "category": "other", "narrative": "Photo of the van attached." }).to_string();
    let form = reqwest::multipart::Form::new()
        .part(
            "report",
            reqwest::multipart::Part::text(report)
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(crate::sealing::png_with_text("a", "b"))
                .file_name("van.png"),
        );
    let response = app
        .client
        .post(format!("{}/api/v1/reports", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = &reports::all_ids(app.db()).await.unwrap()[0];
    assert_eq!(reports::attachments(app.db(), id).await.unwrap().len(), 1);

    let form = reqwest::multipart::Form::new()
        .part(
            "report",
            reqwest::multipart::Part::text(
                json!({"category": "other", "narrative": "x"}).to_string(),
            ),
        )
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00 not an image".to_vec()).file_name("x.png"),
        );
    let response = app
        .client
        .post(format!("{}/api/v1/reports", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/attachments");
    app.finish().await;
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_accepted_fields() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let schema = &doc["components"]["schemas"]["Report"];
    let properties = schema["properties"].as_object().unwrap();
    // Every documented property is accepted (unknown ones are refused with 400)...
    let example = &doc["components"]["examples"]["labourReport"]["value"];
    let response = app.post_api(example).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    for (name, spec) in properties {
        // A nullable field's type is a list: its other type.
        let kind = match &spec["type"] {
            Value::Array(kinds) => kinds.iter().find(|k| *k != "null"),
            kind => Some(kind),
        };
        let value = match kind.and_then(Value::as_str) {
            Some("array") => json!([]),
            Some("boolean") => json!(true),
            Some("integer") => json!(1),
            _ => json!(""),
        };
        let body = json!({ "category": "other", "narrative": "x", name.as_str(): value });
        let status = app.post_api(&body).await.status().as_u16();
        assert!(
            status == 201 || status == 422,
            "{name} refused as unknown ({status})"
        );
    }
    // ...and the categories, signs and age groups listed are exactly the code's.
    let listed = |p: &str| -> Vec<String> {
        let node = &properties[p];
        let values = if node["type"] == "array" {
            &node["items"]["enum"]
        } else {
            &node["enum"]
        };
        values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let categories: Vec<String> = tipline::intake::categories::CATEGORIES
        .iter()
        .map(|c| c.id.to_owned())
        .collect();
    assert_eq!(listed("category"), categories);
    assert_eq!(
        listed("warning_signs"),
        tipline::types::vocabulary::WARNING_SIGNS
    );
    assert_eq!(listed("age_groups"), tipline::types::vocabulary::AGE_GROUPS);
    app.finish().await;
}
