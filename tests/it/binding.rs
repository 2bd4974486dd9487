//! Sealed values bound to their report and author (issue 15, holes 8 and 9): a message, note
//! or assessment moved to another report in the database does not open there; a sealed group
//! set to NULL is flagged; what triage does not need is not in clear.

use crate::helpers::{TestApp, both_backends};
use crate::staff::Staff;
use serde_json::json;
use sqlx::Row;
use tipline::types::ReportId;

async fn file(app: &TestApp, body: serde_json::Value) -> ReportId {
    let before = tipline::store::reports::all_ids(app.db()).await.unwrap();
    assert_eq!(app.post_api(&body).await.status(), 201);
    let after = tipline::store::reports::all_ids(app.db()).await.unwrap();
    after.into_iter().find(|id| !before.contains(id)).unwrap()
}

async fn save_assessment(app: &TestApp, who: &Staff, id: &ReportId, status: &str, reason: &str) {
    let csrf = who.csrf(app).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("person", "1"),
        ("set", "adult_labour"),
        ("action", "save"),
        ("status", status),
        ("reason", reason),
    ];
    let response = who
        .client
        .post(format!("{}/staff/reports/{id}/assessment", app.base))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

both_backends! {
    async fn a_message_note_or_assessment_moved_to_another_report_does_not_open_there(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue: Staff = app.staff("sue", "supervisor").await;
        let a = file(&app, json!({ "category": "labour_exploitation", "narrative": "The farm." })).await;
        let b = file(&app, json!({ "category": "labour_exploitation", "narrative": "The car wash." })).await;
        let post = |path: String, body: &'static str| {
            let sue = &sue;
            let app = &app;
            async move { assert_eq!(sue.post(app, &path, &[("body", body)]).await.status(), 303) }
        };
        post(format!("/staff/reports/{a}/messages"), "MOVED-MESSAGE which farm?").await;
        post(format!("/staff/reports/{a}/notes"), "MOVED-NOTE the farmer is known").await;
        save_assessment(&app, &sue, &a, "NotAVictimOfTrafficking", "MOVED-ASSESSMENT reason").await;
        let pool = app.db().pool();
        for table in ["messages", "report_notes", "assessments"] {
            sqlx::query(&format!("UPDATE {table} SET report_id = $1 WHERE report_id = $2"))
                .bind(&b).bind(&a).execute(pool).await.unwrap();
        }
        let case = sue.get(&app, &format!("/staff/reports/{b}")).await.text().await.unwrap();
        assert!(case.contains("The car wash."), "{case}");
        assert!(!case.contains("MOVED-MESSAGE"), "a moved message opened in another conversation");
        assert!(!case.contains("MOVED-NOTE"), "a moved note opened in another report");
        assert!(!case.contains("MOVED-ASSESSMENT"), "a moved assessment opened in another report");
        assert!(case.contains("This message could not be opened: it is damaged in the database."));
        assert!(case.contains("id=\"note-unreadable\""), "{case}");
        assert!(case.contains("id=\"assessment-unreadable\""), "{case}");
        app.finish().await;
    }
}

both_backends! {
    async fn a_sealed_group_set_to_null_is_flagged_in_the_case_view(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue: Staff = app.staff("sue", "supervisor").await;
        let id = file(&app, json!({ "category": "labour_exploitation", "country": "LU",
            "narrative": "The greenhouse workers.", "city": "Ettelbruck", "venue": "Greenhouse" })).await;
        let case = sue.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(!case.contains("id=\"report-damaged\""), "an intact report is not flagged");
        sqlx::query("UPDATE reports SET place = NULL WHERE id = $1")
            .bind(&id).execute(app.db().pool()).await.unwrap();
        let case = sue.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(case.contains("The greenhouse workers."), "{case}");
        assert!(case.contains("id=\"report-damaged\""), "a group set to NULL went unseen");
        app.finish().await;
    }
}

both_backends! {
    async fn trafficking_status_and_urgency_reasons_are_not_in_clear(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue: Staff = app.staff("sue", "supervisor").await;
        let today = tipline::clock::Clock::now(app.clock.as_ref()).date();
        let id = file(&app, json!({ "category": "child_sexual_exploitation", "country": "LU",
            "narrative": "A girl at the station.", "incident_date": today.to_string(),
            "still_happening": true, "age_groups": ["12_17"] })).await;
        save_assessment(&app, &sue, &id, "ActualVictimOfTrafficking", "She told us.").await;
        let pool = app.db().pool();
        let row = sqlx::query("SELECT urgency_reasons, incident_month, age_groups FROM reports WHERE id = $1")
            .bind(&id).fetch_one(pool).await.unwrap();
        assert_eq!(row.try_get::<String, _>("urgency_reasons").unwrap(), "", "urgency reasons in clear");
        assert_eq!(row.try_get::<Option<String>, _>("incident_month").unwrap(), None, "incident month in clear");
        assert_eq!(row.try_get::<String, _>("age_groups").unwrap(), "", "age groups in clear");
        let row = sqlx::query("SELECT trafficking_status, presumed FROM assessments WHERE report_id = $1")
            .bind(&id).fetch_one(pool).await.unwrap();
        assert_eq!(row.try_get::<Option<String>, _>("trafficking_status").unwrap(), None, "trafficking status in clear");
        assert_eq!(row.try_get::<i64, _>("presumed").unwrap(), 0, "presumption in clear");
        // Staff still read them.
        let case = sue.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(case.contains("Actual victim of trafficking"), "{case}");
        assert!(case.contains("12 to 17"), "{case}");
        assert!(case.contains("child involved"), "{case}");
        app.finish().await;
    }
}

both_backends! {
    async fn values_written_before_the_binding_are_sealed_again_by_a_resumable_pass(backend: Backend) {
        use tipline::seal::Aad;
        let app = TestApp::spawn(backend).await;
        let sue: Staff = app.staff("sue", "supervisor").await;
        let a = file(&app, json!({ "category": "labour_exploitation", "narrative": "The farm.",
            "city": "Ettelbruck" })).await;
        let b = file(&app, json!({ "category": "labour_exploitation", "narrative": "The car wash." })).await;
        assert_eq!(sue.post(&app, &format!("/staff/reports/{a}/messages"), &[("body", "OLD-MESSAGE")]).await.status(), 303);
        assert_eq!(sue.post(&app, &format!("/staff/reports/{a}/notes"), &[("body", "OLD-NOTE")]).await.status(), 303);
        save_assessment(&app, &sue, &a, "NotAVictimOfTrafficking", "OLD-REASON").await;

        // Make them what an older tipline wrote: version-1 seals, clear triage columns, no
        // manifest, no sealed profile or reasons, and no record of a pass.
        let sealer = app.sealer().await;
        let pool = app.db().pool();
        let id_of = |table: &'static str| async move {
            sqlx::query(&format!("SELECT id FROM {table}")).fetch_one(pool).await.unwrap().get::<String, _>("id")
        };
        let (message, note, assessment) = (id_of("messages").await, id_of("report_notes").await, id_of("assessments").await);
        sqlx::query("UPDATE messages SET body = $1 WHERE id = $2")
            .bind(sealer.seal(&Aad::field("messages", &message, "body"), b"OLD-MESSAGE"))
            .bind(&message).execute(pool).await.unwrap();
        sqlx::query("UPDATE report_notes SET body = $1 WHERE id = $2")
            .bind(sealer.seal(&Aad::field("report_notes", &note, "body"), b"OLD-NOTE"))
            .bind(&note).execute(pool).await.unwrap();
        let old_detail = json!({ "ticked": [], "seen_by_reporter": [], "status_reason": "OLD-REASON" });
        sqlx::query("UPDATE assessments SET detail = $1, presumed = 1, trafficking_status = 'NotAVictimOfTrafficking' WHERE id = $2")
            .bind(sealer.seal(&Aad::field("assessments", &assessment, "detail"), old_detail.to_string().as_bytes()))
            .bind(&assessment).execute(pool).await.unwrap();
        sqlx::query("UPDATE reports SET manifest = NULL, profile = NULL, urgency_why = NULL, \
                     incident_month = '2026-10', age_groups = '12_17', urgency_reasons = 'urgency-reason-still-happening'")
            .execute(pool).await.unwrap();
        sqlx::query("DELETE FROM reseal_progress").execute(pool).await.unwrap();

        // Outside the pass, a version-1 message does not open.
        let case = sue.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        assert!(!case.contains("OLD-MESSAGE") && case.contains("id=\"report-damaged\""), "{case}");

        // Two batches of one row: the messages are done, the rest waits; a second run continues.
        assert!(!tipline::app::reseal::run_batches(app.db(), &sealer, 1, 2).await.unwrap());
        let messages = tipline::store::reseal::progress(app.db(), "messages").await.unwrap();
        assert_eq!((messages.last_id.as_str(), messages.done), (message.as_str(), true));
        let notes = tipline::store::reseal::progress(app.db(), "notes").await.unwrap();
        assert!(!notes.done);
        let body: Vec<u8> = sqlx::query("SELECT body FROM messages").fetch_one(pool).await.unwrap().get("body");
        assert_eq!(tipline::seal::envelope::version_of(&body), Some(2));
        assert!(tipline::app::reseal::run_batches(app.db(), &sealer, 1, u64::MAX).await.unwrap());
        // A finished pass reads nothing again.
        assert!(tipline::app::reseal::run_batches(app.db(), &sealer, 1, 0).await.unwrap());

        // Nothing is left in clear; everything opens where it belongs.
        let row = sqlx::query("SELECT urgency_reasons, incident_month, age_groups FROM reports WHERE id = $1")
            .bind(&a).fetch_one(pool).await.unwrap();
        assert_eq!(row.get::<String, _>("urgency_reasons"), "");
        assert_eq!(row.get::<Option<String>, _>("incident_month"), None);
        assert_eq!(row.get::<String, _>("age_groups"), "");
        let row = sqlx::query("SELECT trafficking_status, presumed FROM assessments").fetch_one(pool).await.unwrap();
        assert_eq!((row.get::<Option<String>, _>("trafficking_status"), row.get::<i64, _>("presumed")), (None, 0));
        let case = sue.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        for shown in ["OLD-MESSAGE", "OLD-NOTE", "OLD-REASON", "Not a victim of trafficking", "12 to 17", "2026-10", "still happening", "Ettelbruck"] {
            assert!(case.contains(shown), "{shown}: {case}");
        }
        assert!(!case.contains("id=\"report-damaged\""), "{case}");
        let opened = tipline::assess::saved::open(&sealer, &tipline::store::assessments::of_report(app.db(), &a).await.unwrap()[0]).unwrap();
        assert!(opened.presumed);

        // And the message, moved, no longer opens in the other report.
        sqlx::query("UPDATE messages SET report_id = $1").bind(&b).execute(pool).await.unwrap();
        let case = sue.get(&app, &format!("/staff/reports/{b}")).await.text().await.unwrap();
        assert!(!case.contains("OLD-MESSAGE"), "{case}");
        app.finish().await;
    }
}
