//! Assessing people against the ILO/EC indicators over HTTP on both databases: suggestions
//! from the reporter's warning signs, the outcome per dimension and the rule, saving without
//! erasing earlier assessments, the analyst-only statuses with a reason, urgency following the
//! assessment, and the catalogue override at start-up.

use crate::helpers::{Backend, TestApp, both_backends};
use crate::staff::Staff;
use serde_json::json;
use tipline::assess::{DimensionId, SetId, builtin};
use tipline::types::ReportId;

/// Every indicator id of `dimension` in the adult labour set.
fn all_of(dimension: &str) -> Vec<String> {
    builtin()
        .indicators_in(&DimensionId::new(dimension), SetId::AdultLabour)
        .into_iter()
        .map(|i| i.id().as_str().to_owned())
        .collect()
}

async fn assess(
    app: &TestApp,
    who: &Staff,
    id: &ReportId,
    person: &str,
    ticks: &[String],
    extra: &[(&str, &str)],
) -> (u16, String) {
    let csrf = who.csrf(app).await;
    let mut fields: Vec<(&str, &str)> =
        vec![("csrf", &csrf), ("person", person), ("set", "adult_labour")];
    for t in ticks {
        fields.push(("indicator", t));
    }
    fields.extend_from_slice(extra);
    let response = who
        .client
        .post(format!("{}/staff/reports/{id}/assessment", app.base))
        .form(&fields)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

both_backends! {
    async fn an_assessment_shows_its_reasons_is_kept_and_moves_the_urgency(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let today = tipline::clock::Clock::now(app.clock.as_ref()).date();
        let response = app
            .post_api(&json!({
                "category": "labour_exploitation", "narrative": "Workers in a car wash.", "city": "Liège",
                "incident_date": today.to_string(), "warning_signs": ["documents_taken", "excessive_hours"], "country": "BE"
            }))
            .await;
        assert_eq!(response.status(), 201);
        let id = tipline::store::reports::all_ids(app.db()).await.unwrap()[0].clone();
        assert_eq!(ana.post(&app, &format!("/staff/reports/{id}/claim"), &[]).await.status(), 303);
        let case = tipline::store::cases::get(app.db(), &id).await.unwrap().unwrap();
        assert_eq!(case.triage.urgency, "normal");

        // The form opens with the reporter's signs ticked as suggestions, marked as such.
        let page = ana.get(&app, &format!("/staff/reports/{id}/assessment?person=1&set=adult_labour")).await.text().await.unwrap();
        assert!(page.contains("value=\"confiscation_of_documents_destination\" checked"), "suggested from documents_taken");
        assert!(page.contains("value=\"excessive_working_days_or_hours\" checked"));
        assert!(page.contains("seen by the reporter"));

        // Exploitation alone: shown, not presumed, nothing saved.
        let exploitation = all_of("exploitative_conditions");
        let (status, html) = assess(&app, &ana, &id, "1", &exploitation, &[("action", "evaluate")]).await;
        assert_eq!(status, 200);
        assert!(html.contains("The rule for a presumed victim is not met"));
        assert!(html.contains("Exploitative conditions of work</strong>: present"), "{html}");
        assert!(tipline::store::assessments::of_report(app.db(), &id).await.unwrap().is_empty());

        // Recruitment + exploitation + coercion at destination: presumed, with the indicators that made it.
        let mut ticks = all_of("deceptive_recruitment");
        ticks.extend(exploitation.clone());
        ticks.extend(all_of("coercion_at_destination"));
        let (status, html) = assess(&app, &ana, &id, "1", &ticks, &[("action", "evaluate")]).await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"outcome-verdict\"><strong>Presumed victim of trafficking"), "{html}");
        assert!(html.contains("possible victim of trafficking"));
        let (status, _) = assess(&app, &ana, &id, "1", &ticks, &[("action", "save")]).await;
        assert_eq!(status, 303);

        // The urgency follows: ongoing? no; a presumed victim makes it high, with its reason.
        let case = tipline::store::cases::get(app.db(), &id).await.unwrap().unwrap();
        assert_eq!(case.triage.urgency, "high");
        let sealer = app.sealer().await;
        let stored = tipline::store::reports::by_id(app.db(), &id).await.unwrap().unwrap();
        let opened = tipline::intake::sealed::open_report_parts(&sealer, &stored);
        assert_eq!(opened.urgency_reasons, ["urgency-reason-presumed-victim"]);
        let view = ana.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(view.contains("presumed victim of trafficking (assessment)"));
        assert!(view.contains("Possible victim of trafficking"));

        // Only the analyst records "not a victim", and only with a reason; earlier ones stay.
        let (status, html) = assess(&app, &ana, &id, "1", &exploitation, &[("action", "save"), ("status", "NotAVictimOfTrafficking")]).await;
        assert_eq!(status, 422);
        assert!(html.contains("Give the reason"));
        let (status, _) = assess(&app, &ana, &id, "2", &exploitation, &[("action", "save"), ("status", "NotAVictimOfTrafficking"), ("reason", "Regular contract, free to leave.")]).await;
        assert_eq!(status, 303);
        let saved = tipline::store::assessments::of_report(app.db(), &id).await.unwrap();
        assert_eq!(saved.len(), 2, "a later assessment does not erase an earlier one");
        let status = |i: usize| tipline::assess::saved::open(&sealer, &saved[i]).unwrap().trafficking_status;
        assert_eq!(status(0).as_deref(), Some("PossibleVictimOfTrafficking"));
        assert_eq!(status(1).as_deref(), Some("NotAVictimOfTrafficking"));
        let view = ana.get(&app, &format!("/staff/reports/{id}")).await.text().await.unwrap();
        assert!(view.contains("Regular contract, free to leave."));
        // What was ticked and the reason are sealed at rest.
        assert!(!saved[1].detail.windows(7).any(|w| w == b"Regular"));
        app.finish().await;
    }
}

#[tokio::test]
async fn only_people_who_work_the_case_may_assess_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ana = app.staff("ana", "analyst").await;
    let aud = app.staff("aud", "auditor").await;
    let id = app.report("Someone else's case.").await;
    assert_eq!(
        ana.get(&app, &format!("/staff/reports/{id}/assessment"))
            .await
            .status(),
        403,
        "not assigned"
    );
    assert_eq!(
        aud.get(&app, &format!("/staff/reports/{id}/assessment"))
            .await
            .status(),
        404,
        "no content for auditors"
    );
    app.finish().await;
}

#[test]
fn a_catalogue_override_is_used_and_a_malformed_one_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[indicator]]\nid = \"x\"\n").unwrap();
    let out = crate::startup::tipline()
        .current_dir(dir.path())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--indicator-catalogue-file",
            "bad.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("bad.toml"), "{err}");

    // A hotline that makes every ongoing report critical, with no code change.
    let builtin_text = include_str!("../../src/assess/catalogue.toml");
    let custom = builtin_text.replacen("[[urgency]]", "[[urgency]]\nlevel = \"critical\"\nwhen = [\"still_happening\"]\nreason = \"ongoing_is_critical\"\n\n[[urgency]]", 1);
    std::fs::write(dir.path().join("custom.toml"), custom).unwrap();
    let (mut child, url) =
        crate::startup::serve(dir.path(), &["--indicator-catalogue-file", "custom.toml"]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{url}/api/v1/reports"))
            .json(&json!({ "category": "labour_exploitation", "narrative": "x", "still_happening": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let db_path = dir.path().join("tipline-data/tipline.sqlite3");
    rt.block_on(async {
        let db = tipline::store::Db::connect(&format!("sqlite://{}", db_path.display()))
            .await
            .unwrap();
        let rows = tipline::store::cases::list(&db, &["new"]).await.unwrap();
        assert_eq!(rows[0].triage.urgency, "critical");
        let keys = tipline::seal::KeyRing::load_or_create(
            &dir.path().join("tipline-keys"),
            &dir.path().join("tipline-data"),
        )
        .unwrap();
        let sealer = tipline::store::data_keys::load_sealer(&db, &keys, 0)
            .await
            .unwrap();
        let stored = tipline::store::reports::by_id(&db, &rows[0].id)
            .await
            .unwrap()
            .unwrap();
        let opened = tipline::intake::sealed::open_report_parts(&sealer, &stored);
        assert_eq!(opened.urgency_reasons, ["urgency-reason-still-happening"]);
    });
}
