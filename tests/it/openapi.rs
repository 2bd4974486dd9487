//! The OpenAPI document is generated from the code and tells the truth about it: every API route
//! the router serves is documented with exactly the methods it answers, and every limit the
//! document states is the one enforced at the boundary (the limit is accepted, one past it gets
//! the documented refusal).

use crate::helpers::{Backend, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The API routes the router declares, read from the web layer's source.
fn routes_in_source() -> BTreeSet<String> {
    let route = regex::Regex::new(r#"\.route\(\s*"(/api/[^"]*)""#).unwrap();
    let mut found = BTreeSet::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/web"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.extend(route.captures_iter(&text).map(|c| c[1].to_owned()));
            }
        }
    }
    found
}

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

/// The statuses documented for an operation.
fn documented(doc: &Value, path: &str, method: &str) -> BTreeSet<u16> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is not documented"))
        .keys()
        .map(|k| k.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn every_api_route_is_documented_with_the_methods_it_answers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = document(&app).await;
    let in_source = routes_in_source();
    assert!(in_source.contains("/api/v1/reports"), "{in_source:?}");
    let in_document: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        in_document, in_source,
        "documented paths (left), routed paths (right)"
    );
    for path in &in_source {
        for method in METHODS {
            let answer = app
                .client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{path}", app.base),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            let is_documented = doc["paths"][path][method].is_object();
            assert_eq!(
                answer != 405,
                is_documented,
                "{method} {path} answers {answer}; documented: {is_documented}"
            );
        }
    }
    app.finish().await;
}

/// A report that passes validation with `field` in play: the short form for the abuse-material
/// fields, a named reporter for the contact fields.
fn base_for(field: &str) -> Value {
    match field {
        "abuse_url" | "abuse_where" => json!({
            "category": "abuse_material_online", "abuse_url": "https://example.org/x"
        }),
        f if f.starts_with("contact_") => json!({
            "category": "other", "narrative": "x", "anonymous": false,
            "contact_phone": "+352 621 000 000"
        }),
        // abuse_url is read only for abuse_material_online, and lets every category pass.
        _ => json!({ "category": "other", "narrative": "x", "abuse_url": "https://example.org/x" }),
    }
}

/// A valid value of exactly `n` characters for `field`.
fn text_of(field: &str, n: usize) -> String {
    let (prefix, suffix) = match field {
        "abuse_url" => ("https://example.org/", ""),
        "contact_email" => ("", "@example.org"),
        _ => ("", ""),
    };
    format!(
        "{prefix}{}{suffix}",
        "a".repeat(n - prefix.len() - suffix.len())
    )
}

/// Sends `body` and expects the documented refusal: 422 with an error at `pointer`.
async fn refused(app: &TestApp, doc: &Value, body: &Value, pointer: &str) {
    let response = app.post_api(body).await;
    let status = response.status().as_u16();
    let problem: Value = response.json().await.unwrap();
    assert_eq!(status, 422, "{pointer}: {problem}");
    assert!(documented(doc, "/api/v1/reports", "post").contains(&status));
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&pointer), "{pointer} not in {problem}");
}

async fn accepted(app: &TestApp, body: &Value) {
    let response = app.post_api(body).await;
    let status = response.status().as_u16();
    assert_eq!(status, 201, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn every_documented_report_limit_is_the_one_enforced() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = document(&app).await;
    // The limits on each field, with those that hold only in some cases (the contact fields of
    // a reporter who gives them, the abuse-material fields of the short form) read from the
    // rules that state them.
    let report = &doc["components"]["schemas"]["Report"];
    let mut properties = report["properties"].as_object().unwrap().clone();
    for rule in report["allOf"].as_array().unwrap() {
        for (field, limits) in rule["then"]["properties"].as_object().unwrap() {
            for (limit, value) in limits.as_object().unwrap() {
                properties[field][limit] = value.clone();
            }
        }
    }
    let mut checked = Vec::new();
    for (field, spec) in &properties {
        let with = |value: Value| {
            let mut body = base_for(field);
            body[field.as_str()] = value;
            body
        };
        if let Some(max) = spec["maxLength"].as_u64() {
            let max = usize::try_from(max).unwrap();
            accepted(&app, &with(json!(text_of(field, max)))).await;
            refused(
                &app,
                &doc,
                &with(json!(text_of(field, max + 1))),
                &format!("/{field}"),
            )
            .await;
            checked.push(format!("{field} maxLength {max}"));
        }
        if let Some(max) = spec["maxItems"].as_u64() {
            let items = |n: u64| -> Value { (0..n).map(|i| format!("item {i}")).collect() };
            accepted(&app, &with(items(max))).await;
            refused(&app, &doc, &with(items(max + 1)), &format!("/{field}")).await;
            checked.push(format!("{field} maxItems {max}"));
        }
        if let Some(max) = spec["items"]["maxLength"].as_u64() {
            let max = usize::try_from(max).unwrap();
            accepted(&app, &with(json!([text_of(field, max)]))).await;
            refused(
                &app,
                &doc,
                &with(json!([text_of(field, max + 1)])),
                &format!("/{field}/0"),
            )
            .await;
            checked.push(format!("{field} items maxLength {max}"));
        }
        if let Some(values) = spec["enum"].as_array() {
            for value in values {
                accepted(&app, &with(value.clone())).await;
            }
            refused(
                &app,
                &doc,
                &with(json!("not-in-the-list")),
                &format!("/{field}"),
            )
            .await;
            checked.push(format!("{field} enum"));
        }
        if let Some(values) = spec["items"]["enum"].as_array() {
            accepted(&app, &with(Value::Array(values.clone()))).await;
            refused(
                &app,
                &doc,
                &with(json!(["not-in-the-list"])),
                &format!("/{field}/0"),
            )
            .await;
            checked.push(format!("{field} items enum"));
        }
        if let (Some(min), Some(max)) = (spec["minimum"].as_i64(), spec["maximum"].as_i64()) {
            accepted(&app, &with(json!(min))).await;
            accepted(&app, &with(json!(max))).await;
            refused(&app, &doc, &with(json!(min - 1)), &format!("/{field}")).await;
            refused(&app, &doc, &with(json!(max + 1)), &format!("/{field}")).await;
            checked.push(format!("{field} minimum {min} maximum {max}"));
        }
    }
    // Patterns: a value they exclude is refused.
    refused(&app, &doc, &with_field("country", json!("LUX")), "/country").await;
    refused(
        &app,
        &doc,
        &with_field("campaign", json!("Not A Slug")),
        "/campaign",
    )
    .await;
    // Languages are recognised, never refused: the document says so and lists them.
    let language = &properties["language"];
    let listed: Vec<&str> = language["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, tipline::types::LANGUAGES);
    assert!(
        language["description"]
            .as_str()
            .unwrap()
            .contains("never refused")
    );
    accepted(&app, &with_field("language", json!("xx"))).await;

    // Every limit the code holds is in the document.
    for expected in [
        "narrative maxLength 20000",
        "city maxLength 300",
        "victims_description maxLength 5000",
        "abuse_url maxLength 2000",
        "contact_email maxLength 300",
        "phones maxItems 50",
        "phones items maxLength 300",
        "vehicle_plates maxItems 50",
        "category enum",
        "child_involved enum",
        "warning_signs items enum",
        "age_groups items enum",
        "people_count minimum 1 maximum 10000",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "{expected} not documented: {checked:?}"
        );
    }
    app.finish().await;
}

fn with_field(field: &str, value: Value) -> Value {
    let mut body = base_for(field);
    body[field] = value;
    body
}

#[tokio::test]
async fn the_refusals_at_the_door_are_documented() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = document(&app).await;
    let reports = documented(&doc, "/api/v1/reports", "post");
    let url = format!("{}/api/v1/reports", app.base);

    // 415: neither JSON nor multipart.
    let status = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 415);
    assert!(reports.contains(&status));

    // 413: a JSON report one byte over 1 MiB, as the request body's description says.
    let description = doc["paths"]["/api/v1/reports"]["post"]["requestBody"]["description"]
        .as_str()
        .unwrap();
    assert!(description.contains("at most 1 MiB"), "{description}");
    let mut big = serde_json::to_vec(&json!({ "category": "other", "narrative": "" })).unwrap();
    let pad = 1024 * 1024 + 1 - big.len();
    big.splice(big.len() - 2..big.len() - 2, std::iter::repeat_n(b'a', pad));
    assert_eq!(big.len(), 1024 * 1024 + 1);
    let response = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(status, 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert!(reports.contains(&status));

    // 400: a field the API does not know.
    let status = app
        .post_api(&json!({ "category": "other", "narrative": "x", "colour": "red" }))
        .await
        .status()
        .as_u16();
    assert_eq!(status, 400);
    assert!(reports.contains(&status));

    // 422 for a sixth file (multipart), as documented by maxItems 5.
    let max_files =
        doc["components"]["schemas"]["ReportWithFiles"]["properties"]["attachments"]["maxItems"]
            .as_u64()
            .unwrap();
    assert_eq!(max_files, 5);
    let mut form = reqwest::multipart::Form::new().part(
        "report",
        reqwest::multipart::Part::text(
            json!({ "category": "other", "narrative": "x" }).to_string(),
        )
        .mime_str("application/json")
        .unwrap(),
    );
    for i in 0..=max_files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(vec![0u8; 10]).file_name(format!("f{i}.png")),
        );
    }
    let response = app.client.post(&url).multipart(form).send().await.unwrap();
    let status = response.status().as_u16();
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        (status, problem["errors"][0]["pointer"].as_str()),
        (422, Some("/attachments")),
        "{problem}"
    );

    // The follow-up: 401 without a session, 413 past the small-body limit, 422 past the
    // message length, 503 when the database is gone.
    for (path, method) in [
        ("/api/v1/followup", "get"),
        ("/api/v1/followup/session", "delete"),
        ("/api/v1/followup/messages", "post"),
    ] {
        let status = app
            .client
            .request(
                method.to_uppercase().parse().unwrap(),
                format!("{}{path}", app.base),
            )
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 401, "{method} {path}");
        assert!(documented(&doc, path, method).contains(&status));
    }
    let status = app
        .client
        .post(format!("{}/api/v1/followup/session", app.base))
        .header("content-type", "application/json")
        .body(vec![b' '; 256 * 1024 + 1])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 413);
    assert!(documented(&doc, "/api/v1/followup/session", "post").contains(&status));
    app.finish().await;

    // 429: past the intake rate (1 a second, burst 1).
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.rates.intake_per_second = 1;
        s.rates.intake_burst = 1;
    })
    .await;
    let mut statuses = BTreeSet::new();
    for _ in 0..3 {
        statuses.insert(
            app.post_api(&json!({ "category": "other", "narrative": "x" }))
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(reports.contains(&429));
    app.finish().await;
}

#[tokio::test]
async fn the_message_limit_is_the_one_documented_and_a_lost_database_answers_503() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = document(&app).await;
    let max = doc["components"]["schemas"]["MessageRequest"]["properties"]["body"]["maxLength"]
        .as_u64()
        .unwrap();
    assert_eq!(
        usize::try_from(max).unwrap(),
        tipline::followup::conversation::MAX_MESSAGE
    );
    let created: Value = app
        .post_api(&json!({ "category": "other", "narrative": "x" }))
        .await
        .json()
        .await
        .unwrap();
    let session: Value = app
        .client
        .post(format!("{}/api/v1/followup/session", app.base))
        .json(&json!({ "receipt": created["receipt"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let post = |n: usize| {
        app.client
            .post(format!("{}/api/v1/followup/messages", app.base))
            .bearer_auth(&token)
            .json(&json!({ "body": "m".repeat(n) }))
            .send()
    };
    let documented_here = documented(&doc, "/api/v1/followup/messages", "post");
    let n = usize::try_from(max).unwrap();
    assert_eq!(post(n).await.unwrap().status(), 201);
    let response = post(n + 1).await.unwrap();
    let status = response.status().as_u16();
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        (status, problem["errors"][0]["pointer"].as_str()),
        (422, Some("/body"))
    );
    assert!(documented_here.contains(&status));

    app.db().close().await;
    let status = app
        .client
        .get(format!("{}/api/v1/followup", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 503);
    assert!(documented(&doc, "/api/v1/followup", "get").contains(&status));
    app.finish().await;
}
