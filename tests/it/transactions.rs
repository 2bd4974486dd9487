//! A change to a case and the audit entry recording it are one transaction, on both databases:
//! when the audit trail refuses the entry (here a trigger on `audit_log` that raises, as a full
//! disk or a broken connection would between the two), the claim, assignment, status, restriction,
//! note and assessment it was meant to record are not written either, and the staff member is told
//! that the audit trail cannot record. The same holds for what staff do to their own account: a
//! sign-in, a password chosen through a set-up link and an enrolment of the second factor.

use crate::helpers::{Backend, TestApp, both_backends};
use tipline::staff::audit_action::AuditAction;
use tipline::store::{assessments, cases};
use tipline::types::{ReportId, UserId};

/// Makes every audit entry but a view (the case view and the assessment form open the report
/// first, and must still work) fail inside its transaction.
async fn refuse_audit_entries(app: &TestApp, backend: Backend) {
    let view = AuditAction::ReportView.as_str();
    let statements = match backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             WHEN NEW.action <> '{view}' BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        )],
        Backend::Postgres => vec![
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW \
                 WHEN (NEW.action <> '{view}') EXECUTE FUNCTION refuse_audit()"
            ),
        ],
    };
    for statement in &statements {
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
async fn audited(app: &TestApp, report_id: &ReportId) -> Vec<String> {
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
        assert!(audited(&app, &id).await.iter().all(|a| a == AuditAction::ReportView.as_str()));
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
        assert_eq!(claimed.assignee_id.as_ref(), Some(&sue.id));
        assert_eq!(audited(&app, &id).await.last().map(String::as_str), Some(AuditAction::ReportClaim.as_str()));
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
        assert_eq!(audited(&app, &id).await.last().map(String::as_str), Some(AuditAction::MessageSend.as_str()));
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
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(AuditAction::ReportSearchResult.as_str())
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
            "SELECT report_id FROM audit_log WHERE action = $1 ORDER BY seq",
        )
        .bind(AuditAction::ReportSearchResult.as_str())
        .fetch_all(app.db().pool())
        .await
        .unwrap();
        let mut audited: Vec<ReportId> = reports.into_iter().map(|r| ReportId::from(r.0)).collect();
        audited.sort();
        ids.sort();
        assert_eq!(audited, ids);
        app.finish().await;
    }
}

/// How many sessions `user_id` has.
async fn sessions_of(app: &TestApp, user_id: &UserId) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff_sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

/// Chooses the password through a set-up link in `client`.
async fn choose_password(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
) -> reqwest::Response {
    let url = format!("{}/staff/setup/{token}", app.base);
    let page = client.get(&url).send().await.unwrap().text().await.unwrap();
    let form_token = crate::staff::form_token_in(&page);
    let fields = [
        ("form_token", form_token.as_str()),
        ("password", crate::staff::PASSWORD),
        ("confirm", crate::staff::PASSWORD),
        ("lang", "en"),
    ];
    client.post(&url).form(&fields).send().await.unwrap()
}

/// The second factor offered on the enrolment page of `client`'s session, and the page's CSRF
/// token.
async fn enrolment_page(
    app: &TestApp,
    client: &reqwest::Client,
) -> (tipline::staff::totp::TotpSecret, String) {
    let page = client
        .get(format!("{}/staff/enrol", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (
        crate::staff::totp_secret_in(&page),
        crate::staff::csrf_in(&page),
    )
}

/// Whether `response` gives the browser a staff session.
fn sets_a_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix("tipline_staff="))
        .any(|v| !v.starts_with(';') && !v.is_empty())
}

both_backends! {
    async fn a_sign_in_a_chosen_password_or_an_enrolment_whose_audit_entry_is_refused_is_not_kept(backend: Backend) {
        use crate::staff::{PASSWORD, browser};
        use tipline::staff::{accounts, totp};
        use tipline::store::staff as staff_repo;
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let ana_token = accounts::add(app.db(), "ana", "analyst", "en", app.clock.unix()).await.unwrap();
        let ana_before = staff_repo::user_by_username(app.db(), "ana").await.unwrap().unwrap();
        // Ivo chose his password and has the enrolment page open.
        let ivo_token = accounts::add(app.db(), "ivo", "analyst", "en", app.clock.unix()).await.unwrap();
        let ivo = browser();
        assert_eq!(choose_password(&app, &ivo, &ivo_token).await.status(), 303);
        let ivo_id = staff_repo::user_by_username(app.db(), "ivo").await.unwrap().unwrap().id;
        let (ivo_secret, ivo_csrf) = enrolment_page(&app, &ivo).await;
        // Sue's next code is a fresh one (hers at enrolment is spent).
        app.clock.advance(30);
        let sue_sessions = sessions_of(&app, &sue.id).await;

        refuse_audit_entries(&app, backend).await;

        // A sign-in with the right password and code: nobody is signed in.
        let signing = browser();
        let code = totp::code_at(&sue.secret, app.clock.unix());
        let refused = app.sign_in(&signing, "sue", PASSWORD, &code).await;
        assert_eq!(refused.status(), 503, "the audit trail cannot record");
        assert!(!sets_a_session(&refused), "no session cookie");
        assert_eq!(sessions_of(&app, &sue.id).await, sue_sessions, "no session row");
        let staff_page = signing.get(format!("{}/staff", app.base)).send().await.unwrap();
        assert_eq!(staff_page.status(), 303, "not signed in");

        // A password chosen through the set-up link: not set, and the link still works.
        let ana = browser();
        let refused = choose_password(&app, &ana, &ana_token).await;
        assert_eq!(refused.status(), 503, "the audit trail cannot record");
        assert!(!sets_a_session(&refused), "no session cookie");
        let ana_after = staff_repo::user_by_username(app.db(), "ana").await.unwrap().unwrap();
        assert!(ana_after.password_hash.is_none(), "no password");
        assert_eq!(ana_after.setup_token_hash, ana_before.setup_token_hash, "the link is not used up");
        assert_eq!(ana_after.setup_expires_at, ana_before.setup_expires_at);
        assert_eq!(sessions_of(&app, &ana_before.id).await, 0, "no session row");
        let link = ana.get(format!("{}/staff/setup/{ana_token}", app.base)).send().await.unwrap();
        assert_eq!(link.status(), 200, "the set-up link still works");

        // An enrolment with the right code: no second factor, the enrolling session unchanged.
        let code = totp::code_at(&ivo_secret, app.clock.unix());
        let refused = ivo
            .post(format!("{}/staff/enrol", app.base))
            .form(&[("csrf", ivo_csrf.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 503, "the audit trail cannot record");
        assert!(!sets_a_session(&refused), "no new session cookie");
        let ivo_after = staff_repo::user_by_username(app.db(), "ivo").await.unwrap().unwrap();
        assert!(ivo_after.totp_secret.is_none(), "not enrolled");
        assert_eq!(sessions_of(&app, &ivo_id).await, 1, "the enrolling session only");
        let (offered, _) = enrolment_page(&app, &ivo).await;
        assert_eq!(offered.display_base32(), ivo_secret.display_base32(), "still enrolling, same secret");

        // Once the trail records again, each goes through with its entry.
        allow_audit_entries(&app, backend).await;
        app.clock.advance(30);
        let code = totp::code_at(&sue.secret, app.clock.unix());
        let signed = app.sign_in(&signing, "sue", PASSWORD, &code).await;
        assert_eq!(signed.status(), 303);
        assert_eq!(signed.headers()["location"], "/staff");
        assert_eq!(choose_password(&app, &ana, &ana_token).await.status(), 303);
        let (ivo_secret, ivo_csrf) = enrolment_page(&app, &ivo).await;
        let code = totp::code_at(&ivo_secret, app.clock.unix());
        let enrolled = ivo
            .post(format!("{}/staff/enrol", app.base))
            .form(&[("csrf", ivo_csrf.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(enrolled.headers()["location"], "/staff");
        let entries: Vec<(String, String)> = sqlx::query_as(
            "SELECT actor, action FROM audit_log WHERE action IN ($1, $2, $3) ORDER BY seq",
        )
        .bind(AuditAction::SessionSignIn.as_str())
        .bind(AuditAction::UserPasswordSet.as_str())
        .bind(AuditAction::UserTotpEnrolled.as_str())
        .fetch_all(app.db().pool())
        .await
        .unwrap();
        let recorded = |actor: &UserId, action: AuditAction| {
            entries.iter().filter(|(a, b)| a == actor.as_str() && b == action.as_str()).count()
        };
        assert_eq!(recorded(&sue.id, AuditAction::SessionSignIn), 1, "{entries:?}");
        assert_eq!(recorded(&ana_before.id, AuditAction::UserPasswordSet), 1, "{entries:?}");
        assert_eq!(recorded(&ivo_id, AuditAction::UserPasswordSet), 1, "{entries:?}");
        assert_eq!(recorded(&ivo_id, AuditAction::UserTotpEnrolled), 1, "{entries:?}");
        app.finish().await;
    }
}
