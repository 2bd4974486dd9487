//! The reporter's way back over HTTP on both databases: receipt sign-in (right, wrong,
//! throttled), the conversation both ways with files, sealing of messages, the status in plain
//! words per language, the content-free e-mail notice, the session cookie and the API.

use crate::helpers::{Backend, TestApp, both_backends};
use crate::staff::{Staff, browser};
use serde_json::{Value, json};
use tipline::followup::notice::SmtpSettings;
use tipline::store::{cases, followup as repo};
use tipline::types::ReportId;

/// Files a report through the API and returns (receipt, report id).
pub(crate) async fn file(app: &TestApp, body: Value) -> (String, ReportId) {
    let before = tipline::store::reports::all_ids(app.db()).await.unwrap();
    let response = app.post_api(&body).await;
    assert_eq!(response.status(), 201);
    let receipt = response.json::<Value>().await.unwrap()["receipt"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = tipline::store::reports::all_ids(app.db())
        .await
        .unwrap()
        .into_iter()
        .find(|i| !before.contains(i))
        .unwrap();
    (receipt, id)
}

/// A reporter's browser signed in with `receipt`; returns the client and the sign-in status.
pub(crate) async fn reporter(app: &TestApp, receipt: &str, lang: &str) -> (reqwest::Client, u16) {
    let client = browser();
    let page = client
        .get(format!("{}/followup?lang={lang}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let response = client
        .post(format!("{}/followup", app.base))
        .form(&[
            ("form_token", token.as_str()),
            ("receipt", receipt),
            ("lang", lang),
        ])
        .send()
        .await
        .unwrap();
    (client, response.status().as_u16())
}

pub(crate) async fn page(app: &TestApp, client: &reqwest::Client, lang: &str) -> String {
    client
        .get(format!("{}/followup/report?lang={lang}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) fn csrf(html: &str) -> String {
    html.split("name=\"form_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

pub(crate) async fn answer(
    app: &TestApp,
    client: &reqwest::Client,
    text: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let html = page(app, client, "en").await;
    let mut form = reqwest::multipart::Form::new()
        .text("form_token", csrf(&html))
        .text("lang", "en")
        .text("narrative", text.to_owned());
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    client
        .post(format!("{}/followup/report/messages", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn the_receipt_opens_the_report_and_wrong_ones_are_throttled(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "Forced to beg." })).await;
        let (_, status) = reporter(&app, &receipt.to_lowercase().replace('-', " "), "en").await;
        assert_eq!(status, 303, "typing is forgiving");
        // A right lookup with a wrong secret counts against that report only.
        let wrong = format!("{}-AAAA-AAAA-AAAA-AAAA", &receipt[..9]);
        for _ in 0..tipline::followup::signin::FREE_FAILURES {
            assert_eq!(reporter(&app, &wrong, "en").await.1, 401);
        }
        let (_, _, failures, locked_until) = repo::flags(app.db(), &id).await.unwrap();
        assert_eq!(failures, tipline::followup::signin::FREE_FAILURES);
        assert!(locked_until > app.clock.unix(), "locked for a while");
        assert_eq!(reporter(&app, &wrong, "en").await.1, 401, "a wrong secret stays wrong");
        let (other_receipt, _) = file(&app, json!({ "category": "other", "narrative": "Another." })).await;
        assert_eq!(reporter(&app, &other_receipt, "en").await.1, 303, "other reports are not locked");
        assert_eq!(reporter(&app, &receipt, "en").await.1, 303, "the right receipt opens a locked report");
        let (_, _, failures, _) = repo::flags(app.db(), &id).await.unwrap();
        assert_eq!(failures, 0);
        assert_eq!(reporter(&app, "not a receipt", "en").await.1, 401);
        app.finish().await;
    }
}

#[tokio::test]
async fn receipt_guessing_is_throttled_for_everyone_at_once() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |s| s.rates.receipt_attempts_per_second = 1).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            reporter(&app, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "en")
                .await
                .1,
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    app.finish().await;
}

both_backends! {
    async fn reporter_and_hotline_talk_both_ways_and_new_activity_rises_in_the_queue(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let mut sue: Staff = app.staff("sue", "supervisor").await;
        let (older, older_id) = file(&app, json!({ "category": "labour_exploitation", "narrative": "Older report." })).await;
        app.clock.advance(60);
        let (receipt, id) = file(&app, json!({ "category": "labour_exploitation", "narrative": "Newer report.", "language": "fr" })).await;
        let _ = older;
        // The hotline asks a question.
        assert_eq!(sue.post(&app, &format!("/staff/reports/{id}/messages"), &[("body", "Quel hôtel ?")]).await.status(), 303);
        // The reporter signs in, reads it, answers with a photo.
        let (client, status) = reporter(&app, &receipt, "fr").await;
        assert_eq!(status, 303);
        let html = page(&app, &client, "fr").await;
        assert!(html.contains("Quel hôtel ?"), "{html}");
        let png = crate::sealing::png_with_text("Comment", "secret place");
        let response = answer(&app, &client, "L'hôtel près de la gare.", vec![("photo.png", png)]).await;
        assert_eq!(response.status(), 303);
        assert!(page(&app, &client, "fr").await.contains("L&#x27;hôtel près de la gare."));
        // The queue shows new activity, first within its urgency even though it is newer.
        app.resume(&mut sue).await;
        let queue = sue.get(&app, "/staff").await.text().await.unwrap();
        assert!(queue.contains("New message"));
        assert!(queue.find(id.as_str()).unwrap() < queue.find(older_id.as_str()).unwrap(), "new activity sorts first");
        // The analyst sees the answer and the photo; opening clears the mark.
        let case = sue.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(case.contains("L&#x27;hôtel près de la gare.") && case.contains("Quel hôtel ?"));
        assert!(case.contains("report-attachment-") || case.contains("/attachments/"));
        let message_section = &case[case.find("id=\"conversation\"").unwrap()..case.find("id=\"notes-heading\"").unwrap()];
        assert!(message_section.contains("Quel hôtel ?"), "messages are apart from internal notes");
        assert!(!cases::get(app.db(), &id).await.unwrap().unwrap().new_activity);
        assert_eq!(tipline::store::reports::attachments(app.db(), &id).await.unwrap().len(), 1);
        // The reporter's photo opens for the analyst, cleaned of what it hid.
        let prefix = format!("/staff/reports/{id}/attachments/");
        let attachment = case[case.find(&prefix).unwrap() + prefix.len()..].split('"').next().unwrap();
        let photo = sue.get(&app, &format!("{prefix}{attachment}")).await;
        assert_eq!(photo.status(), 200);
        let photo = photo.bytes().await.unwrap();
        assert!(photo.starts_with(b"\x89PNG"), "the photo itself");
        assert!(!photo.windows(12).any(|w| w == b"secret place"), "its hidden text is gone");
        // Empty answers are refused and what was typed is kept.
        let response = answer(&app, &client, "", vec![]).await;
        assert_eq!(response.status(), 422);
        app.finish().await;
    }
}

both_backends! {
    async fn messages_are_sealed_at_rest(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let marker = format!("MSGMARK{}", uuid::Uuid::now_v7().simple());
        let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "x" })).await;
        sue.post(&app, &format!("/staff/reports/{id}/messages"), &[("body", &format!("{marker}-staff"))]).await;
        let (client, _) = reporter(&app, &receipt, "en").await;
        answer(&app, &client, &format!("{marker}-reporter"), vec![]).await;
        let messages = tipline::followup::conversation::read(app.db(), &app.sealer().await, &id).await.unwrap();
        assert_eq!(messages.len(), 2);
        let haystack: Vec<u8> = match backend {
            Backend::Sqlite => {
                let mut all = Vec::new();
                for entry in std::fs::read_dir(app.data_dir()).unwrap() {
                    all.extend(std::fs::read(entry.unwrap().path()).unwrap());
                }
                all
            }
            Backend::Postgres => {
                std::process::Command::new("pg_dump").arg(app.database_url.as_deref().unwrap()).output().unwrap().stdout
            }
        };
        assert!(haystack.len() > 1000);
        assert!(!haystack.windows(marker.len()).any(|w| w == marker.as_bytes()), "a message in clear at rest");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_status_is_told_in_plain_words_in_the_reporters_language() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "x" })).await;
    let (client, _) = reporter(&app, &receipt, "en").await;
    assert!(
        page(&app, &client, "en")
            .await
            .contains("Received: your report has arrived")
    );
    sue.post(
        &app,
        &format!("/staff/reports/{id}/status"),
        &[("status", "acknowledged")],
    )
    .await;
    let i18n = tipline::web::i18n::I18n::load().unwrap();
    for lang in ["en", "fr", "de", "nl"] {
        let html = page(&app, &client, lang).await;
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        let expected = i18n
            .t(lang, "followup-status-looking", None)
            .replace('\'', "&#x27;");
        assert!(html.contains(&expected), "{lang}: {expected}");
        assert!(
            html.contains("id=\"acknowledged\""),
            "{lang}: the acknowledgement is shown"
        );
    }
    sue.post(
        &app,
        &format!("/staff/reports/{id}/status"),
        &[("status", "closed"), ("reason", "not_trafficking")],
    )
    .await;
    let html = page(&app, &client, "en").await;
    assert!(html.contains("Closed: the hotline has finished"));
    assert!(
        !html.contains("trafficking") || !html.contains("Not trafficking"),
        "internal reasons stay internal"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_notice_says_there_is_a_message_and_nothing_else() {
    let mut sink = crate::smtp_sink::start().await;
    let url = format!("smtp://{}", sink.addr);
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.smtp = Some(SmtpSettings {
            url,
            from: "hotline@example.org".into(),
        });
    })
    .await;
    let sue = app.staff("sue", "supervisor").await;
    let (receipt, id) = file(&app, json!({
        "category": "other", "narrative": "x", "anonymous": false, "contact_email": "reporter@example.net", "language": "de"
    }))
    .await;
    // Nothing is sent before the reporter asks for it.
    sue.post(
        &app,
        &format!("/staff/reports/{id}/messages"),
        &[("body", "SECRET-QUESTION-1")],
    )
    .await;
    let (client, _) = reporter(&app, &receipt, "de").await;
    let html = page(&app, &client, "de").await;
    let csrf_token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let response = client
        .post(format!("{}/followup/report/notify", app.base))
        .form(&[
            ("csrf", csrf_token.as_str()),
            ("notify", "yes"),
            ("lang", "de"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(sink.try_next().is_none());
    sue.post(
        &app,
        &format!("/staff/reports/{id}/messages"),
        &[("body", "SECRET-QUESTION-2")],
    )
    .await;
    let mail = sink.next().await;
    assert_eq!(mail.to, ["reporter@example.net"]);
    let text = mail.data.clone();
    assert!(
        !text.contains("SECRET-QUESTION"),
        "no content in the notice"
    );
    let compact = receipt.replace('-', "");
    assert!(
        !text.contains(&receipt) && !text.contains(&compact) && !text.contains(&receipt[..9]),
        "no receipt in the notice"
    );
    assert!(mail.text().contains("/followup?lang=de"), "{}", mail.text());
    app.finish().await;
}

#[tokio::test]
async fn the_reporter_session_is_one_scoped_cookie_ended_by_sign_out_quick_exit_or_idleness() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (receipt, _) = file(&app, json!({ "category": "other", "narrative": "x" })).await;
    let client = browser();
    let form = client
        .get(format!("{}/followup", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = client
        .post(format!("{}/followup", app.base))
        .form(&[
            ("form_token", csrf(&form).as_str()),
            ("receipt", receipt.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("tipline_followup=")
            && cookie.contains("Path=/followup")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Expires") && !cookie.contains("Max-Age"),
        "no expiry date: {cookie}"
    );
    assert!(
        page(&app, &client, "en")
            .await
            .contains("id=\"report-status\"")
    );
    // The follow-up pages' quick exit ends the session.
    let exit = client
        .get(format!("{}/followup/exit", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(exit.status(), 303);
    assert!(
        exit.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = client
        .get(format!("{}/followup/report", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "signed out");
    // Idle sessions end by themselves.
    let (client, _) = reporter(&app, &receipt, "en").await;
    app.clock.advance(16 * 60);
    assert_eq!(
        client
            .get(format!("{}/followup/report", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    // Sign-out ends it too, and public pages still set no cookie.
    let (client, _) = reporter(&app, &receipt, "en").await;
    let html = page(&app, &client, "en").await;
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let out = client
        .post(format!("{}/followup/sign-out", app.base))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        client
            .get(format!("{}/followup/report", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert!(
        app.get("/report")
            .await
            .headers()
            .get("set-cookie")
            .is_none()
    );
    app.finish().await;
}

#[tokio::test]
async fn partner_apps_follow_up_through_the_api() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "x" })).await;
    let wrong = app
        .client
        .post(format!("{}/api/v1/followup/session", app.base))
        .json(&json!({ "receipt": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    let token = app.followup_token(&receipt).await;
    sue.post(
        &app,
        &format!("/staff/reports/{id}/messages"),
        &[("body", "Which city?")],
    )
    .await;
    let view: Value = app
        .client
        .get(format!("{}/api/v1/followup", app.base))
        .bearer_auth(&token)
        .header("accept-language", "nl")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["status"], "being_looked_at",
        "a question from the hotline means someone is on it"
    );
    assert_eq!(view["messages"][0]["from"], "hotline");
    assert_eq!(view["messages"][0]["body"], "Which city?");
    let posted = app
        .client
        .post(format!("{}/api/v1/followup/messages", app.base))
        .bearer_auth(&token)
        .json(&json!({ "body": "Esch." }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    let empty = app
        .client
        .post(format!("{}/api/v1/followup/messages", app.base))
        .bearer_auth(&token)
        .json(&json!({ "body": " " }))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    let closed = app
        .client
        .delete(format!("{}/api/v1/followup/session", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 204);
    let after = app
        .client
        .get(format!("{}/api/v1/followup", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    assert!(
        cases::get(app.db(), &id)
            .await
            .unwrap()
            .unwrap()
            .new_activity
    );
    app.finish().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_follow_up() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for (path, method) in [
        ("/api/v1/followup/session", "post"),
        ("/api/v1/followup/session", "delete"),
        ("/api/v1/followup", "get"),
        ("/api/v1/followup/messages", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let statuses: Vec<String> =
        doc["components"]["schemas"]["FollowupView"]["properties"]["status"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
    use tipline::followup::conversation::ReporterStatus::*;
    let ids: Vec<&str> = [Received, BeingLookedAt, PassedToAuthorities, Closed]
        .iter()
        .map(|s| s.id())
        .collect();
    assert_eq!(statuses, ids);
    app.finish().await;
}

both_backends! {
    async fn a_message_damaged_at_rest_leaves_the_others_readable(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue: Staff = app.staff("sue", "supervisor").await;
        let (receipt, id) = file(&app, json!({ "category": "labour_exploitation", "narrative": "The farm." })).await;
        for body in ["Which farm?", "How many workers?"] {
            assert_eq!(sue.post(&app, &format!("/staff/reports/{id}/messages"), &[("body", body)]).await.status(), 303);
        }
        sqlx::query("UPDATE messages SET body = $1 WHERE id = (SELECT MAX(id) FROM messages WHERE report_id = $2)")
            .bind(&b"damaged"[..]).bind(&id).execute(app.db().pool()).await.unwrap();

        // Staff see the readable message and are told what to do about the other.
        let case = sue.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(case.contains("Which farm?"), "{case}");
        assert!(!case.contains("How many workers?"));
        assert!(case.contains("This message could not be opened: it is damaged in the database."));
        // So does the reporter, in their language.
        let (client, status) = reporter(&app, &receipt, "de").await;
        assert_eq!(status, 303);
        let html = page(&app, &client, "de").await;
        assert!(html.contains("Which farm?"), "{html}");
        assert!(html.contains("Diese Nachricht kann nicht angezeigt werden."));
        // And a partner app, through the API.
        let token: Value = app.client.post(format!("{}/api/v1/followup/session", app.base))
            .json(&json!({ "receipt": receipt })).send().await.unwrap().json().await.unwrap();
        let view: Value = app.client.get(format!("{}/api/v1/followup", app.base))
            .bearer_auth(token["token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
        let messages = view["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "{view}");
        assert_eq!((messages[0]["body"].as_str(), messages[0]["readable"].as_bool()), (Some("Which farm?"), Some(true)));
        assert_eq!((messages[1]["body"].as_str(), messages[1]["readable"].as_bool()), (Some(""), Some(false)));
        app.finish().await;
    }
}

both_backends! {
    async fn a_report_part_damaged_at_rest_leaves_the_rest_readable(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue: Staff = app.staff("sue", "supervisor").await;
        let (receipt, id) = file(&app, json!({ "category": "labour_exploitation", "country": "LU",
            "narrative": "The greenhouse workers sleep between the tomatoes.",
            "city": "Ettelbruck", "venue": "Greenhouse on the hill" })).await;
        app.indexed().await;
        sqlx::query("UPDATE reports SET place = $1 WHERE id = $2")
            .bind(&b"damaged"[..]).bind(&id).execute(app.db().pool()).await.unwrap();

        // Staff read what can be opened, and are told the rest is damaged.
        let case = sue.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(case.contains("The greenhouse workers sleep between the tomatoes."), "{case}");
        assert!(!case.contains("Ettelbruck"));
        assert!(case.contains("id=\"report-damaged\""));
        // Search still finds it by its narrative.
        let found = sue.get(&app, "/staff/search?q=greenhouse").await.text().await.unwrap();
        assert!(found.contains(&format!("/staff/reports/{id}")), "{found}");
        // The reporter still reaches their page.
        let (client, status) = reporter(&app, &receipt, "en").await;
        assert_eq!(status, 303);
        let html = page(&app, &client, "en").await;
        assert!(html.contains("id=\"no-messages\""), "{html}");
        app.finish().await;
    }
}
