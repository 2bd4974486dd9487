//! Linking over HTTP on both databases: reports sharing an identifier, written differently, are
//! listed as related (and only those), big platforms do not link every profile, a new matching
//! report raises an open case, the role rule applies, and no identifier is in clear at rest.

use crate::helpers::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use tipline::store::{cases, links, reports};
use tipline::types::ReportId;
use tipline::types::Visibility;

fn related_section(html: &str) -> &str {
    let start = html.find("id=\"related\"").expect("a related section");
    let end = html[start..]
        .find("</section>")
        .map(|e| start + e)
        .unwrap_or(html.len());
    &html[start..end]
}

both_backends! {
    async fn reports_sharing_an_identifier_are_related_whatever_the_spelling(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let a = app.file_api(json!({ "category": "labour_exploitation", "narrative": "Bar workers.", "country": "LU",
            "phones": ["+352 621 123 456"], "venue": "Hotel Bellevue", "city": "Esch-sur-Alzette",
            "websites": ["https://www.facebook.com/John.Doe"] })).await;
        let b = app.file_api(json!({ "category": "sexual_exploitation", "country": "LU",
            "narrative": "Call 00352 621 123 456 to book, said the advert." })).await;
        let c = app.file_api(json!({ "category": "other", "narrative": "Unrelated, call +352 691 000 111.", "country": "LU" })).await;
        let d = app.file_api(json!({ "category": "other", "narrative": "Profile https://m.facebook.com/jane.roe", "country": "LU" })).await;
        let e = app.file_api(json!({ "category": "other", "narrative": "Same venue.", "venue": "hôtel bellevue", "city": "esch sur alzette" })).await;

        let html = sue.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        let related = related_section(&html);
        assert!(related.contains(b.as_str()), "same phone written differently");
        assert!(related.contains(e.as_str()), "same venue spelled differently");
        assert!(!related.contains(c.as_str()), "a different phone does not link");
        assert!(!related.contains(d.as_str()), "two profiles on one big platform are not linked");
        assert!(related.contains("+352 621 123 456"), "shows which identifier, from this report's own copy");
        let shared = app.related(&a).await;
        let mut expected = vec![b.clone(), e.clone()];
        expected.sort();
        assert_eq!(shared, expected, "exactly the reports that share an identifier");

        // A new report matching an open case raises it in the queue until someone opens it.
        assert!(!cases::get(app.db(), &a).await.unwrap().unwrap().new_link, "cleared when opened");
        app.file_api(json!({ "category": "other", "narrative": "Again +352621123456." })).await;
        assert!(cases::get(app.db(), &a).await.unwrap().unwrap().new_link);
        let queue = sue.get(&app, "/staff").await.text().await.unwrap();
        assert!(queue.contains("New related report"));
        app.finish().await;
    }
}

both_backends! {
    async fn only_open_cases_not_yet_told_are_raised_however_common_the_identifier(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let venue = json!({ "category": "other", "narrative": "Same hotel.", "venue": "Hotel Central", "city": "Luxembourg" });
        let raised = |id: ReportId| {
            let db = app.db().clone();
            async move { cases::get(&db, &id).await.unwrap().unwrap().new_link }
        };
        let a = app.file_api(venue.clone()).await;
        assert!(!raised(a.clone()).await, "a report alone raises nothing");
        let b = app.file_api(venue.clone()).await;
        assert!(raised(a.clone()).await, "the older case is raised");
        assert!(!raised(b.clone()).await, "a new report does not raise itself");

        // Opened by staff: told, so it waits again and the next match raises it again.
        sue.get(&app, &format!("/staff/reports/{a}")).await;
        assert!(!raised(a.clone()).await);
        let now = app.clock.unix();
        assert!(cases::set_status(app.db(), &b, "new", "closed", Some("no_action"), now).await.unwrap());
        let c = app.file_api(venue.clone()).await;
        assert!(raised(a.clone()).await, "raised again after being opened");
        assert!(!raised(b.clone()).await, "a closed case is not raised");
        assert!(!raised(c.clone()).await);

        // Reopened, it waits again.
        assert!(cases::set_status(app.db(), &b, "closed", "in_assessment", None, now).await.unwrap());
        app.file_api(venue.clone()).await;
        assert!(raised(b.clone()).await, "a reopened case is raised");
        assert!(raised(c.clone()).await);
        app.finish().await;
    }
}

both_backends! {
    async fn related_lists_obey_the_role_rule_and_identifiers_are_not_in_clear_at_rest(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let ben = app.staff("ben", "analyst").await;
        let marker_phone = "+352 661 424 242";
        let a = app.file_api(json!({ "category": "other", "narrative": "x", "country": "LU", "phones": [marker_phone] })).await;
        let hidden = app.file_api(json!({ "category": "other", "narrative": "y", "country": "LU", "phones": ["00352661424242"] })).await;
        let now = app.clock.unix();
        cases::assign(app.db(), &hidden, Some(&ben.id), now).await.unwrap();
        cases::set_restricted(app.db(), &hidden, true, now).await.unwrap();
        let html = ana.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        assert!(!related_section(&html).contains(hidden.as_str()), "a restricted case of someone else stays invisible");
        let html = ben.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        assert!(related_section(&html).contains(hidden.as_str()), "its assignee sees it");

        let needles: [&[u8]; 3] = [b"661424242", b"+352661424242", b"661 424 242"];
        let haystack: Vec<u8> = match backend {
            Backend::Sqlite => std::fs::read_dir(app.data_dir()).unwrap().flat_map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect(),
            Backend::Postgres => std::process::Command::new("pg_dump").arg(app.database_url.as_deref().unwrap()).output().unwrap().stdout,
        };
        assert!(haystack.len() > 1000);
        for n in needles {
            assert!(!haystack.windows(n.len()).any(|w| w == n), "identifier in clear at rest");
        }
        app.finish().await;
    }
}

both_backends! {
    async fn analysts_mark_duplicates_and_link_reports_by_hand(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let ana = app.staff("ana", "analyst").await;
        let ben = app.staff("ben", "analyst").await;
        let a = app.file_api(json!({ "category": "other", "narrative": "First report." })).await;
        let b = app.file_api(json!({ "category": "other", "narrative": "Same story, told again." })).await;
        let hidden = app.file_api(json!({ "category": "other", "narrative": "Restricted." })).await;
        let now = app.clock.unix();
        cases::assign(app.db(), &hidden, Some(&ben.id), now).await.unwrap();
        cases::set_restricted(app.db(), &hidden, true, now).await.unwrap();

        // Only someone working the case links it.
        let r = ana.post(&app, &format!("/staff/reports/{b}/links"), &[("other", a.as_str()), ("kind", "duplicate")]).await;
        assert_eq!(r.status(), 403);
        cases::assign(app.db(), &b, Some(&ana.id), now).await.unwrap();
        let r = ana.post(&app, &format!("/staff/reports/{b}/links"), &[("other", &format!("/staff/reports/{a}")), ("kind", "duplicate")]).await;
        assert_eq!(r.status(), 303);
        // A report the analyst may not see cannot be linked to, and looks missing.
        let r = ana.post(&app, &format!("/staff/reports/{b}/links"), &[("other", hidden.as_str()), ("kind", "linked")]).await;
        assert_eq!(r.status(), 404);

        let html = sue.get(&app, &format!("/staff/reports/{b}")).await.text().await.unwrap();
        let manual = &html[html.find("id=\"manual-links\"").unwrap()..];
        assert!(manual.contains("a duplicate of it") && manual.contains(a.as_str()));
        let html = sue.get(&app, &format!("/staff/reports/{a}")).await.text().await.unwrap();
        let manual = &html[html.find("id=\"manual-links\"").unwrap()..];
        assert!(manual.contains("duplicated by") && manual.contains(b.as_str()));
        assert_eq!(links::manual(app.db(), &b).await.unwrap().len(), 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn identifiers_in_a_reporters_answer_link_reports_too() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sue = app.staff("sue", "supervisor").await;
    let older = app.file_api(json!({ "category": "other", "narrative": "x", "country": "LU", "phones": ["+352 621 777 888"] })).await;
    sue.get(&app, &format!("/staff/reports/{older}")).await;
    let response = app
        .post_api(&json!({ "category": "other", "narrative": "No number yet.", "country": "LU" }))
        .await;
    let receipt = response.json::<Value>().await.unwrap()["receipt"]
        .as_str()
        .unwrap()
        .to_owned();
    let newer = reports::all_ids(app.db()).await.unwrap().pop().unwrap();
    let session: Value = app
        .client
        .post(format!("{}/api/v1/followup/session", app.base))
        .json(&json!({ "receipt": receipt }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let posted = app
        .client
        .post(format!("{}/api/v1/followup/messages", app.base))
        .bearer_auth(session["token"].as_str().unwrap())
        .json(&json!({ "body": "His number is 621 777 888." }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    assert!(
        cases::get(app.db(), &older)
            .await
            .unwrap()
            .unwrap()
            .new_link,
        "the older case is raised"
    );
    let html = sue
        .get(&app, &format!("/staff/reports/{newer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(related_section(&html).contains(older.as_str()));
    app.finish().await;
}

/// The number `n` a counting query of the app's database gives.
async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = sqlx::query(sql).fetch_one(app.db().pool()).await.unwrap();
    sqlx::Row::try_get(&row, "n").unwrap()
}

/// The reports whose case was raised by a later related report, after seeding 300 reports
/// `batch` at a time, each known by its clear triage columns (the same for the same seed in any
/// instance, dates counted from the first; ids and keyed hashes differ).
async fn raised_after_seeding(backend: Backend, batch: usize) -> Vec<(i64, String, String)> {
    use tipline::cli::dev::{SeedOptions, seed};
    let app = TestApp::spawn(backend).await;
    let settings = crate::helpers::settings_for(app.dir.path(), app.database_url.clone());
    let clock: tipline::clock::SharedClock = app.clock.clone();
    seed(
        &settings,
        SeedOptions {
            batch,
            ..SeedOptions::new(300)
        },
        clock,
        &|_| {},
    )
    .await
    .unwrap();
    let distinct = count(
        &app,
        "SELECT COUNT(*) AS n FROM (SELECT DISTINCT received_at, category, language FROM reports) t",
    )
    .await;
    assert_eq!(
        distinct, 300,
        "the triage columns tell the seeded reports apart"
    );
    let mut raised: Vec<(i64, String, String)> = sqlx::query(
        "SELECT received_at - (SELECT MIN(received_at) FROM reports) AS received_at, \
            category, language FROM reports WHERE new_link = 1",
    )
    .fetch_all(app.db().pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            sqlx::Row::try_get(r, "received_at").unwrap(),
            sqlx::Row::try_get(r, "category").unwrap(),
            sqlx::Row::try_get(r, "language").unwrap(),
        )
    })
    .collect();
    raised.sort();
    app.finish().await;
    raised
}

both_backends! {
    async fn a_batch_raises_the_same_cases_as_reports_filed_one_by_one(backend: Backend) {
        let one_by_one = raised_after_seeding(backend, 1).await;
        assert!(one_by_one.len() > 30, "the seeded clusters raise cases: {}", one_by_one.len());
        assert_eq!(raised_after_seeding(backend, 64).await, one_by_one);
        // One batch of all 300 names more identifiers than a batch locks one by one on
        // PostgreSQL: it takes the lock over all of them instead.
        assert_eq!(raised_after_seeding(backend, 300).await, one_by_one);
    }
}

both_backends! {
    async fn reports_filed_at_once_raise_every_case_but_the_last(backend: Backend) {
        // Filed side by side, the reports are committed in several batches at once on
        // PostgreSQL. Counted one after the other, each raises the reports sharing its phone
        // number before it: every case but the last one stored is raised.
        let app = TestApp::spawn(backend).await;
        let filed = 48;
        let mut sends = tokio::task::JoinSet::new();
        for i in 0..filed {
            let body = json!({ "category": "labour_exploitation", "country": "LU",
                "narrative": format!("Worker number {i} at the car wash, call +352 621 777 888.") });
            let (client, url) = (app.client.clone(), format!("{}/api/v1/reports", app.base));
            sends.spawn(async move { client.post(url).json(&body).send().await.unwrap().status().as_u16() });
        }
        let statuses = sends.join_all().await;
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
        let raised = count(&app, "SELECT COUNT(*) AS n FROM reports WHERE new_link = 1").await;
        assert_eq!(raised, filed - 1);
        app.finish().await;
    }
}

both_backends! {
    async fn an_identifier_in_many_reports_lists_the_latest_and_counts_the_rest(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let ana = app.staff("ana", "analyst").await;
        let ben = app.staff("ben", "analyst").await;
        let listed = tipline::link::RELATED_LISTED;
        let report = |i: usize| json!({ "category": "sexual_exploitation", "country": "LU",
            "narrative": format!("Advert number {i}, call +352 621 555 010.") });
        let mut filed = Vec::new();
        for i in 0..listed + 3 {
            filed.push(app.file_api(report(i)).await);
        }
        let (first, others) = filed.split_first().unwrap();

        // The case view lists the most recently filed and counts them all.
        let html = sue.get(&app, &format!("/staff/reports/{first}")).await.text().await.unwrap();
        let related = related_section(&html);
        for (i, other) in others.iter().enumerate() {
            let newest = i >= others.len() - listed;
            assert_eq!(related.contains(other.as_str()), newest, "report {i} of {}", others.len());
        }
        assert!(related.contains(&format!("shared by {} other reports; the {listed} most recently filed are listed above.", others.len())), "{related}");

        // Counting stops at its cap and says so; the latest come newest first.
        let everything = Visibility::Everything;
        let capped = app.holders(first, &everything, 3, 5).await;
        assert_eq!(capped.len(), 1);
        assert_eq!((capped[0].count, capped[0].more), (5, true));
        let newest: Vec<ReportId> = others.iter().rev().take(3).cloned().collect();
        assert_eq!(capped[0].latest, newest);
        let all = app.holders(first, &everything, 100, 100).await;
        assert_eq!((all[0].count, all[0].more), (others.len(), false));

        // A restricted case of someone else is neither listed nor counted for an analyst.
        let hidden = filed.last().unwrap();
        let now = app.clock.unix();
        cases::assign(app.db(), hidden, Some(&ben.id), now).await.unwrap();
        cases::set_restricted(app.db(), hidden, true, now).await.unwrap();
        let for_ana = app.holders(first, &Visibility::UnrestrictedOrAssignedTo(ana.id.clone()), 100, 100).await;
        assert_eq!(for_ana[0].count, others.len() - 1);
        assert!(!for_ana[0].latest.contains(hidden));
        let for_ben = app.holders(first, &Visibility::UnrestrictedOrAssignedTo(ben.id.clone()), 100, 100).await;
        assert_eq!(for_ben[0].count, others.len());
        let html = ana.get(&app, &format!("/staff/reports/{first}")).await.text().await.unwrap();
        assert!(!related_section(&html).contains(hidden.as_str()));
        assert!(related_section(&html).contains(&format!("shared by {} other reports", others.len() - 1)));

        // The rule follows the case: handed to ana, then no longer restricted.
        let ana_sees = || async { app.holders(first, &Visibility::UnrestrictedOrAssignedTo(ana.id.clone()), 100, 100).await[0].count };
        cases::assign(app.db(), hidden, Some(&ana.id), now).await.unwrap();
        assert_eq!(ana_sees().await, others.len());
        cases::assign(app.db(), hidden, Some(&ben.id), now).await.unwrap();
        assert_eq!(ana_sees().await, others.len() - 1);
        cases::set_restricted(app.db(), hidden, false, now).await.unwrap();
        assert_eq!(ana_sees().await, others.len());
        app.finish().await;
    }
}

both_backends! {
    async fn a_report_naming_dozens_of_identifiers_finds_the_holders_of_each(backend: Backend) {
        // More identifiers than one statement looks up: each is found under its own.
        let app = TestApp::spawn(backend).await;
        let phones: Vec<String> = (0..40).map(|i| format!("+352 621 400 {i:03}")).collect();
        let many = app.file_api(json!({ "category": "sexual_exploitation", "country": "LU",
            "narrative": format!("Adverts list these numbers: {}.", phones.join(", ")) })).await;
        let own = links::of_report(app.db(), &many).await.unwrap();
        assert_eq!(own.len(), phones.len());
        let mut holder_of = std::collections::HashMap::new();
        for phone in &phones {
            let other = app.file_api(json!({ "category": "other", "country": "LU",
                "narrative": format!("Call {phone} for a room.") })).await;
            let theirs = links::of_report(app.db(), &other).await.unwrap();
            assert_eq!(theirs.len(), 1);
            holder_of.insert(theirs[0].mac.clone(), other);
        }
        let holders = app.holders(&many, &Visibility::Everything, 10, 100).await;
        assert_eq!(holders.len(), own.len());
        for (h, identifier) in holders.iter().zip(&own) {
            assert_eq!(h.mac, identifier.mac);
            assert_eq!((h.count, h.more), (1, false));
            assert_eq!(h.latest, vec![holder_of[&identifier.mac].clone()]);
        }
        app.finish().await;
    }
}
