//! Abuse control that locks no real person out and tracks no one: sign-in limits per form and
//! per report under global ceilings, the right receipt always opening its report, message
//! limits per session and per report, junk flagged (honeypot, too fast, repeated text) and
//! sorted last, and a flood of junk that leaves the queue usable.

use crate::followup::{answer, file, reporter};
use crate::helpers::{Backend, TestApp, both_backends, receipt_in};
use crate::staff::Staff;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tipline::store::{followup as repo, reports};

/// Posts the sign-in form `times` times with the same form token and a wrong receipt.
async fn wrong_sign_ins_with_one_form(app: &TestApp, times: usize) -> Vec<u16> {
    let client = crate::staff::browser();
    let page = client
        .get(format!("{}/followup?lang=en", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::followup::csrf(&page);
    let mut statuses = Vec::new();
    for _ in 0..times {
        let response = client
            .post(format!("{}/followup", app.base))
            .form(&[
                ("form_token", token.as_str()),
                ("receipt", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"),
                ("lang", "en"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn thirty_junk_sign_ins_do_not_lock_out_the_next_reporter() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (receipt, _) = file(
        &app,
        json!({ "category": "other", "narrative": "Forced to beg." }),
    )
    .await;
    for _ in 0..30 {
        assert_eq!(
            reporter(&app, "ZZZZ-ZZZZ-AAAA-AAAA-AAAA-AAAA", "en")
                .await
                .1,
            401
        );
    }
    assert_eq!(reporter(&app, &receipt, "en").await.1, 303);
    app.finish().await;
}

#[tokio::test]
async fn one_sign_in_form_cannot_guess_without_end() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let statuses = wrong_sign_ins_with_one_form(&app, 12).await;
    assert!(statuses[..10].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    app.finish().await;
}

both_backends! {
    async fn a_stranger_who_knows_the_public_part_cannot_lock_the_reporter_out(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "Forced to beg." })).await;
        let wrong = format!("{}-AAAA-AAAA-AAAA-AAAA", &receipt[..9]);
        for _ in 0..8 {
            assert_eq!(reporter(&app, &wrong, "en").await.1, 401);
        }
        let (_, _, _, locked_until) = repo::flags(app.db(), &id).await.unwrap();
        assert!(locked_until > app.clock.unix(), "the report is locked");
        assert_eq!(reporter(&app, &receipt, "en").await.1, 303, "the reporter still gets in");
        app.finish().await;
    }
}

both_backends! {
    async fn a_reporter_session_cannot_post_without_end(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "Forced to beg." })).await;
        let (client, _) = reporter(&app, &receipt, "en").await;
        let mut statuses = Vec::new();
        let mut last = String::new();
        for i in 0..12 {
            let response = answer(&app, &client, &format!("message number {i}"), vec![]).await;
            statuses.push(response.status().as_u16());
            last = response.text().await.unwrap();
        }
        assert!(statuses[..10].iter().all(|s| *s == 303), "{statuses:?}");
        assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
        assert!(last.contains("many messages in a short time"), "{last}");
        assert!(last.contains("message number 11"), "what was typed comes back");
        let stored = repo::messages(app.db(), &id).await.unwrap();
        assert_eq!(stored.len(), 10);
        app.finish().await;
    }
}

both_backends! {
    async fn a_report_takes_a_day_s_worth_of_messages_across_sessions(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.rates.messages_per_report_per_day = 3).await;
        let (receipt, _) = file(&app, json!({ "category": "other", "narrative": "Forced to beg." })).await;
        let mut statuses = Vec::new();
        for i in 0..4 {
            // A new sign-in each time: the per-session limit does not help here.
            let (client, _) = reporter(&app, &receipt, "en").await;
            statuses.push(answer(&app, &client, &format!("m{i}"), vec![]).await.status().as_u16());
        }
        assert_eq!(statuses, vec![303, 303, 303, 429]);
        app.clock.advance(24 * 3600 + 1);
        let (client, _) = reporter(&app, &receipt, "en").await;
        assert_eq!(answer(&app, &client, "next day", vec![]).await.status(), 303);
        app.finish().await;
    }
}

/// A PNG of `side`² noisy pixels, which compresses badly (about 3 bytes a pixel).
fn noisy_png(side: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(side, side, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

both_backends! {
    async fn a_report_holds_a_bounded_total_of_files(backend: Backend) {
        let app = TestApp::spawn_with(backend, |s| s.rates.attachment_mib_per_report = 1).await;
        let (receipt, id) = file(&app, json!({ "category": "other", "narrative": "Forced to beg." })).await;
        let (client, _) = reporter(&app, &receipt, "en").await;
        let photo = noisy_png(480);
        assert!(photo.len() > 600 * 1024, "{}", photo.len());
        let first = answer(&app, &client, "first photo", vec![("a.png", photo.clone())]).await;
        assert_eq!(first.status(), 303);
        let second = answer(&app, &client, "second photo", vec![("b.png", photo.clone())]).await;
        assert_eq!(second.status(), 422);
        let html = second.text().await.unwrap();
        assert!(html.contains("as many files as it can"), "{html}");
        assert!(html.contains("second photo"), "what was typed comes back");
        // Without files the message still goes through.
        assert_eq!(answer(&app, &client, "text only", vec![]).await.status(), 303);
        assert_eq!(repo::messages(app.db(), &id).await.unwrap().len(), 2);
        app.finish().await;
    }
}

/// Fetches a form, waits `wait` seconds of the server's clock, and sends it; returns the page.
async fn send_form(app: &TestApp, narrative: &str, wait: i64, honeypot: &str) -> (u16, String) {
    let token = app.form_token("en", "labour_exploitation").await;
    app.clock.advance(wait);
    app.post_form(
        &[
            ("form_token", token.as_str()),
            ("lang", "en"),
            ("category", "labour_exploitation"),
            ("narrative", narrative),
            ("note_2", honeypot),
        ],
        &[],
    )
    .await
}

/// The queue as `staff` sees it, every page of it in order: each row's report id and whether
/// it is flagged as junk.
async fn queue_rows(app: &TestApp, staff: &Staff) -> Vec<(String, bool)> {
    let html = staff.queue_pages(app, "/staff").await.concat();
    html.split("<tr class=\"urgency-")
        .skip(1)
        .map(|row| {
            let id = row
                .split("href=\"/staff/reports/")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_owned();
            let row = row.split("</tr>").next().unwrap_or_default();
            (id, row.contains("Possible junk"))
        })
        .collect()
}

both_backends! {
    async fn signs_of_a_script_flag_the_report_as_junk_and_sort_it_last(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let (status, html) = send_form(&app, "Bot text one.", 5, "http://spam.example").await;
        assert_eq!(status, 200);
        assert!(!receipt_in(&html).is_empty(), "a script cannot tell it was noticed");
        let (status, _) = send_form(&app, "Bot text two.", 0, "").await;
        assert_eq!(status, 200);
        let (status, _) = send_form(&app, "Men sleep locked in the warehouse.", 5, "").await;
        assert_eq!(status, 200);
        let rows = queue_rows(&app, &sue).await;
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows.iter().map(|(_, junk)| *junk).collect::<Vec<_>>(),
            vec![false, true, true],
            "the real report first, the junk after it"
        );
        let case = sue.get(&app, &format!("/staff/reports/{}", rows[2].0)).await.text().await.unwrap();
        assert!(case.contains("id=\"case-junk\""), "{case}");
        app.finish().await;
    }
}

/// The flood: a script that fetches a fresh form each time, waits the minimum and
/// leaves the hidden field empty files `TIPLINE_FLOOD_REPORTS` (default 10,000) junk reports
/// with one text, 32 at a time, while five people file real reports. Every real reporter gets
/// a receipt, the junk is kept, flagged and listed after the real reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_junk_leaves_the_queue_usable() {
    let total: usize = std::env::var("TIPLINE_FLOOD_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let app = Arc::new(
        TestApp::spawn_with(Backend::Sqlite, |s| {
            s.rates.forms_per_second = 100_000;
        })
        .await,
    );
    let mut sue = app.staff("sue", "supervisor").await;
    let min = i64::from(tipline::web::security::RateSettings::default().min_fill_seconds);
    let sent = Arc::new(AtomicUsize::new(0));
    let mut flood = Vec::new();
    for _ in 0..32 {
        let app = Arc::clone(&app);
        let sent = Arc::clone(&sent);
        flood.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while sent.fetch_add(1, Ordering::SeqCst) < total {
                let page = client
                    .get(format!("{}/report?lang=en&category=other", app.base))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let token = crate::followup::csrf(&page);
                app.clock.advance(min);
                let form = reqwest::multipart::Form::new()
                    .text("form_token", token)
                    .text("lang", "en")
                    .text("category", "other")
                    .text("narrative", "Best prices on watches, visit our shop now")
                    .text("note_2", "");
                let status = client
                    .post(format!("{}/report", app.base))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, 200);
            }
        }));
    }
    let mut real = Vec::new();
    for i in 0..5 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (status, html) = send_form(
            &app,
            &format!("Real report {i}: the cook is never allowed to leave the restaurant."),
            min,
            "",
        )
        .await;
        assert_eq!(status, 200, "a real report during the flood gets a receipt");
        real.push(receipt_in(&html));
    }
    for worker in flood {
        worker.await.unwrap();
    }
    assert!(real.iter().all(|r| r.len() == 29), "{real:?}");
    let stored = reports::all_ids(app.db()).await.unwrap().len();
    assert_eq!(stored, total + 5, "nothing is deleted");

    // The flood moved the server's clock by hours: the analyst signs in again.
    app.resume(&mut sue).await;
    let rows = queue_rows(&app, &sue).await;
    assert_eq!(rows.len(), total + 5);
    let listed: std::collections::HashSet<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        listed.len(),
        rows.len(),
        "every report listed once across the pages"
    );
    // The first two arrivals of a text are not yet a repetition; every later one is flagged,
    // and every flagged report comes after every other.
    let first_junk = rows.iter().position(|(_, j)| *j).unwrap();
    assert!(rows[first_junk..].iter().all(|(_, j)| *j));
    assert_eq!(
        first_junk,
        5 + 2,
        "the real reports and the first two arrivals lead"
    );
    let app = Arc::into_inner(app).expect("the flood is over");
    app.finish().await;
}
