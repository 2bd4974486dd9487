//! A change to a case and the audit entry recording it are one transaction, on both databases:
//! when the audit trail refuses the entry (here a trigger on `audit_log` that raises, as a full
//! disk or a broken connection would between the two), the claim, assignment, status, restriction,
//! note and assessment it was meant to record are not written either, and the staff member is told
//! that the audit trail cannot record.

use crate::helpers::{Backend, TestApp, both_backends};
use tipline::store::{assessments, cases};

/// Makes every audit entry but a view (the case view and the assessment form open the report
/// first, and must still work) fail inside its transaction.
async fn refuse_audit_entries(app: &TestApp, backend: Backend) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &["CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             WHEN NEW.action <> 'report.view' BEGIN SELECT RAISE(ABORT, 'audit refused'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action <> 'report.view') EXECUTE FUNCTION refuse_audit()",
        ],
    };
    for statement in statements {
        sqlx::raw_sql(statement)
            .execute(app.db().pool())
            .await
            .unwrap();
    }
}

async fn allow_audit_entries(app: &TestApp, backend: Backend) {
    let statement = match backend {
        Backend::Sqlite => "DROP TRIGGER refuse_audit",
        Backend::Postgres => "DROP TRIGGER refuse_audit ON audit_log",
    };
    sqlx::raw_sql(statement)
        .execute(app.db().pool())
        .await
        .unwrap();
}

/// The audit actions recorded for `report_id`, oldest first.
async fn audited(app: &TestApp, report_id: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_log WHERE report_id = $1 ORDER BY seq")
            .bind(report_id)
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

both_backends! {
    async fn a_change_whose_audit_entry_is_refused_is_not_written(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let ana = app.staff("ana", "analyst").await;
        let id = app.report("Workers locked in a bakery.").await;
        let base = format!("/staff/reports/{id}");
        let before = cases::get(app.db(), &id).await.unwrap().unwrap();
        assert_eq!(before.triage.status, "new");
        assert_eq!(before.triage.urgency, "normal");

        refuse_audit_entries(&app, backend).await;
        let ticks: Vec<String> = ["deceptive_recruitment", "exploitative_conditions", "coercion_at_destination"]
            .iter()
            .flat_map(|d| {
                tipline::assess::builtin()
                    .indicators_in(&tipline::assess::DimensionId::new(*d), tipline::assess::SetId::AdultLabour)
                    .into_iter()
                    .map(|i| i.id().as_str().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut assessment = vec![("person", "1"), ("set", "adult_labour"), ("action", "save")];
        assessment.extend(ticks.iter().map(|t| ("indicator", t.as_str())));
        let attempts: [(&str, Vec<(&str, &str)>); 6] = [
            ("claim", vec![]),
            ("assign", vec![("assignee", ana.id.as_str())]),
            ("status", vec![("status", "acknowledged")]),
            ("restrict", vec![("restricted", "yes")]),
            ("notes", vec![("body", "Called the labour inspectorate.")]),
            ("assessment", assessment),
        ];
        let mut answers = Vec::new();
        for (action, fields) in &attempts {
            let response = sue.post(&app, &format!("{base}/{action}"), fields).await;
            answers.push((*action, response.status().as_u16()));
        }

        let after = cases::get(app.db(), &id).await.unwrap().unwrap();
        assert_eq!(after.assignee_id, None, "neither claimed nor assigned");
        assert_eq!(after.triage.status, "new", "status unchanged");
        assert!(after.acknowledged_at.is_none());
        assert!(!after.restricted, "not restricted");
        assert!(cases::notes(app.db(), &id).await.unwrap().is_empty(), "no note");
        assert!(assessments::of_report(app.db(), &id).await.unwrap().is_empty(), "no assessment");
        assert_eq!(after.triage.urgency, "normal", "urgency not recomputed");
        assert!(audited(&app, &id).await.iter().all(|a| a == "report.view"));
        // ...and each was told so.
        assert_eq!(
            answers,
            attempts.iter().map(|(action, _)| (*action, 503)).collect::<Vec<_>>(),
            "the audit trail cannot record"
        );

        // Once the trail records again, the same change is written with its entry.
        allow_audit_entries(&app, backend).await;
        assert_eq!(sue.post(&app, &format!("{base}/claim"), &[]).await.status(), 303);
        let claimed = cases::get(app.db(), &id).await.unwrap().unwrap();
        assert_eq!(claimed.assignee_id.as_deref(), Some(sue.id.as_str()));
        assert_eq!(audited(&app, &id).await.last().map(String::as_str), Some("report.claim"));
        let key_dir = app.key_dir();
        let keys = tipline::seal::KeyRing::load_or_create(&key_dir, &app.data_dir()).unwrap();
        let verified = tipline::staff::audit::verify(
            app.db(),
            &keys.derive(tipline::staff::audit::KEY_PURPOSE),
            &tipline::staff::audit::head_path(&key_dir),
        )
        .await;
        assert!(verified.is_ok(), "{verified:?}");
        app.finish().await;
    }
}

/// Who posts, where, and what.
type Attempt<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

both_backends! {
    async fn messages_links_and_account_changes_whose_audit_entry_is_refused_are_not_written(backend: Backend) {
        use tipline::store::{followup, links, staff as staff_repo};
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let adm = app.staff("adm", "admin").await;
        let id = app.report("Workers locked in a bakery.").await;
        let other = app.report("Workers locked in a laundry.").await;
        tipline::staff::accounts::add(app.db(), "vic", "analyst", "en", app.clock.unix())
            .await
            .unwrap();
        // An admin's new supervisor waits for a supervisor's approval.
        let added = adm
            .post(&app, "/staff/users", &[("username", "eva"), ("role", "supervisor"), ("language", "en")])
            .await;
        assert_eq!(added.status(), 200);
        let vic_before = staff_repo::user_by_username(app.db(), "vic").await.unwrap().unwrap();

        refuse_audit_entries(&app, backend).await;
        let base = format!("/staff/reports/{id}");
        let attempts: [Attempt; 6] = [
            ("sue", &format!("{base}/messages"), vec![("body", "Could you tell us the street?")]),
            ("sue", &format!("{base}/links"), vec![("other", other.as_str()), ("kind", "linked")]),
            ("adm", "/staff/users", vec![("username", "newbie"), ("role", "analyst"), ("language", "en")]),
            ("adm", "/staff/users/vic/disable", vec![]),
            ("adm", "/staff/users/vic/reset", vec![]),
            ("sue", "/staff/approvals/eva/approve", vec![]),
        ];
        for (who, path, fields) in &attempts {
            let staff = if *who == "sue" { &sue } else { &adm };
            let response = staff.post(&app, path, fields).await;
            assert_eq!(response.status(), 503, "{path}: the audit trail cannot record");
        }

        assert!(followup::messages(app.db(), &id).await.unwrap().is_empty(), "no message");
        assert!(links::manual(app.db(), &id).await.unwrap().is_empty(), "no link");
        assert!(staff_repo::user_by_username(app.db(), "newbie").await.unwrap().is_none(), "no account");
        let vic = staff_repo::user_by_username(app.db(), "vic").await.unwrap().unwrap();
        assert!(!vic.disabled, "not disabled");
        assert_eq!(vic.setup_token_hash, vic_before.setup_token_hash, "not reset");
        let eva = staff_repo::user_by_username(app.db(), "eva").await.unwrap().unwrap();
        assert!(eva.approval_requested_by.is_some(), "still waiting for approval");

        // Once the trail records again, the message is written with its entry.
        allow_audit_entries(&app, backend).await;
        let sent = sue.post(&app, &format!("{base}/messages"), &[("body", "Could you tell us the street?")]).await;
        assert_eq!(sent.status(), 303);
        assert_eq!(followup::messages(app.db(), &id).await.unwrap().len(), 1);
        assert_eq!(audited(&app, &id).await.last().map(String::as_str), Some("message.send"));
        app.finish().await;
    }
}

both_backends! {
    async fn a_page_of_search_results_is_audited_all_together_or_not_shown(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let mut ids = Vec::new();
        for place in ["bakery", "laundry", "farm"] {
            ids.push(app.report(&format!("Workers locked in a {place} near the trampoline.")).await);
        }
        app.indexed().await;
        let count = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'report.search_result'")
                .fetch_one(app.db().pool())
                .await
                .unwrap()
        };

        refuse_audit_entries(&app, backend).await;
        let refused = sue.get(&app, "/staff/search?q=trampoline").await;
        assert_eq!(refused.status(), 503, "the audit trail cannot record");
        let html = refused.text().await.unwrap();
        assert!(ids.iter().all(|id| !html.contains(id.as_str())), "no result shown");
        assert!(!html.contains("trampoline</mark>"), "no passage shown");
        assert_eq!(count().await, 0);

        allow_audit_entries(&app, backend).await;
        let shown = sue.get(&app, "/staff/search?q=trampoline").await;
        assert_eq!(shown.status(), 200);
        let html = shown.text().await.unwrap();
        assert!(ids.iter().all(|id| html.contains(id.as_str())), "every result shown");
        // One entry per report shown, all of the page at once.
        assert_eq!(count().await, 3);
        let reports: Vec<(String,)> = sqlx::query_as(
            "SELECT report_id FROM audit_log WHERE action = 'report.search_result' ORDER BY seq",
        )
        .fetch_all(app.db().pool())
        .await
        .unwrap();
        let mut audited: Vec<String> = reports.into_iter().map(|r| r.0).collect();
        audited.sort();
        ids.sort();
        assert_eq!(audited, ids);
        app.finish().await;
    }
}
