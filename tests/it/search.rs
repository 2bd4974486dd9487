//! Full-text search over HTTP on both databases: inflected forms in four languages find their
//! reports and nothing else, filters and pages narrow and split results, the best match comes
//! first, matches are highlighted, the role rule holds, messages are searchable, and no word of
//! a report is in clear at rest.

use crate::helpers::{Backend, TestApp, both_backends};
use crate::staff::Staff;
use serde_json::json;
use sqlx::Row;
use tipline::store::{cases, reports};
use tipline::types::ReportId;

/// The ids of the results of a search, in order (once the indexer has caught up).
async fn search(app: &TestApp, who: &Staff, query: &str) -> (Vec<ReportId>, String) {
    app.indexed().await;
    let url = format!(
        "/staff/search?{}",
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query.split('&').filter_map(|kv| kv.split_once('=')))
            .finish()
    );
    let response = who.get(app, &url).await;
    let html = response.text().await.unwrap();
    let Some(start) = html.find("id=\"results\"") else {
        return (Vec::new(), html);
    };
    let list = &html[start
        ..html[start..]
            .find("</ol>")
            .map_or(html.len(), |e| start + e)];
    let ids = list
        .split("href=\"/staff/reports/")
        .skip(1)
        .map(|s| ReportId::from(s.split('"').next().unwrap()))
        .collect();
    (ids, html)
}

both_backends! {
    async fn inflected_forms_find_their_reports_in_four_languages(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let fr = app.file_api(json!({ "category": "labour_exploitation", "language": "fr",
            "narrative": "Les ouvrières travaillent dans la cuisine du restaurant sans être payées." })).await;
        let de = app.file_api(json!({ "category": "labour_exploitation", "language": "de",
            "narrative": "Sie hat dort drei Monate ohne Lohn gearbeitet." })).await;
        let nl = app.file_api(json!({ "category": "labour_exploitation", "language": "nl",
            "narrative": "De jongens werkten op de bouwplaats en sliepen in een container." })).await;
        let en = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "The women worked in the nail salon every day until midnight." })).await;
        let other = app.file_api(json!({ "category": "other", "language": "en",
            "narrative": "A man was begging at the station with a child." })).await;

        for (word, expected) in [
            ("travaille", &fr), ("travaillent", &fr), ("travaillait", &fr),
            ("arbeiten", &de), ("arbeitet", &de), ("gearbeitet", &de),
            ("werken", &nl), ("werkt", &nl), ("gewerkt", &nl),
            ("work", &en), ("works", &en), ("worked", &en),
        ] {
            let (ids, html) = search(&app, &sue, &format!("q={word}")).await;
            assert_eq!(&ids, &vec![expected.clone()], "{word}: {html}");
        }
        let (ids, html) = search(&app, &sue, "q=station").await;
        assert_eq!(ids, vec![other.clone()]);
        assert!(html.contains("<mark>station</mark>"), "the match is highlighted: {html}");
        let (ids, html) = search(&app, &sue, "q=gearbeitet").await;
        assert_eq!(ids.len(), 1);
        assert!(html.contains("<mark>gearbeitet</mark>"));
        // Misses what does not match, and every word must appear.
        assert!(search(&app, &sue, "q=fishing").await.0.is_empty());
        assert!(search(&app, &sue, "q=women+station").await.0.is_empty());
        assert_eq!(search(&app, &sue, "q=women+salon").await.0, vec![en.clone()]);
        // Accents and case do not matter; stop words alone are refused with a message.
        assert_eq!(search(&app, &sue, "q=PAYEES").await.0, vec![fr.clone()]);
        let (ids, html) = search(&app, &sue, "q=the+and").await;
        assert!(ids.is_empty() && html.contains("too common"), "{html}");
        app.finish().await;
    }
}

both_backends! {
    async fn filters_pages_and_ranking(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let mut labour = Vec::new();
        for i in 0..23 {
            labour.push(app.file_api(json!({ "category": "labour_exploitation", "country": "LU",
                "narrative": format!("Report {i}: cleaners at the hotel have no contract and sleep in the basement.") })).await);
        }
        let sexual = app.file_api(json!({ "category": "sexual_exploitation", "country": "BE",
            "narrative": "Hotel, hotel, hotel: girls are sold at the hotel every night." })).await;

        // The report that is most about the word comes first.
        let (ids, html) = search(&app, &sue, "q=hotel").await;
        assert_eq!(ids.len(), 20, "a page is 20 results");
        assert_eq!(ids[0], sexual, "the best match first");
        assert!(html.contains("id=\"page-next\""));
        let next = html.split("id=\"page-next\"").next().unwrap();
        let href = next.rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&#x2f;", "/").replace("&amp;", "&");
        let page2 = sue.get(&app, &href).await.text().await.unwrap();
        let second: Vec<&str> = page2.split("href=\"/staff/reports/").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        assert_eq!(second.len(), 4);
        let mut all: Vec<ReportId> = ids.iter().cloned().chain(second.iter().map(|s| ReportId::from(*s))).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 24, "two pages hold every match once");
        assert!(page2.contains("id=\"page-previous\"") && !page2.contains("id=\"page-next\""));

        // Filters narrow before ranking.
        let (ids, _) = search(&app, &sue, "q=hotel&category=sexual_exploitation").await;
        assert_eq!(ids, vec![sexual.clone()]);
        let (ids, _) = search(&app, &sue, "q=hotel&country=lu").await;
        assert_eq!(ids.len(), 20);
        assert!(!ids.contains(&sexual));
        let now = app.clock.unix();
        cases::set_status(app.db(), &labour[3], "new", "acknowledged", None, now).await.unwrap();
        let (ids, _) = search(&app, &sue, "q=hotel&status=acknowledged").await;
        assert_eq!(ids, vec![labour[3].clone()]);
        let today = time::OffsetDateTime::from_unix_timestamp(now).unwrap().date();
        let (ids, _) = search(&app, &sue, &format!("q=hotel&category=sexual_exploitation&from={today}&to={today}")).await;
        assert_eq!(ids, vec![sexual.clone()]);
        let (ids, _) = search(&app, &sue, &format!("q=hotel&to={}", today.previous_day().unwrap())).await;
        assert!(ids.is_empty(), "nothing received before today");
        let (_, html) = search(&app, &sue, "q=hotel&from=31-12-2026").await;
        assert!(html.contains("year-month-day"), "a bad date is explained");
        app.finish().await;
    }
}

both_backends! {
    async fn search_obeys_the_role_rule_and_finds_messages(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let ben = app.staff("ben", "analyst").await;
        let sue = app.staff("sue", "supervisor").await;
        let ida = app.staff("ida", "auditor").await;
        let open = app.file_api(json!({ "category": "other", "narrative": "A minibus brings workers to the farm." })).await;
        let hidden = app.file_api(json!({ "category": "other", "narrative": "The minibus waits behind the farm at night." })).await;
        let now = app.clock.unix();
        cases::assign(app.db(), &hidden, Some(&ben.id), now).await.unwrap();
        cases::set_restricted(app.db(), &hidden, true, now).await.unwrap();

        assert_eq!(search(&app, &ana, "q=minibus").await.0, vec![open.clone()], "restricted case of someone else stays invisible");
        let mut ids = search(&app, &ben, "q=minibus").await.0;
        ids.sort();
        let mut both = vec![open.clone(), hidden.clone()];
        both.sort();
        assert_eq!(ids, both, "its assignee finds it");
        assert_eq!(search(&app, &sue, "q=minibus").await.0.len(), 2);
        let auditor = ida.get(&app, "/staff/search?q=minibus").await;
        let html = auditor.text().await.unwrap();
        assert!(!html.contains(open.as_str()), "auditors do not search reports");

        // A message to the reporter is searchable too.
        cases::assign(app.db(), &open, Some(&sue.id), now).await.unwrap();
        let r = sue.post(&app, &format!("/staff/reports/{open}/messages"), &[("body", "Was the trampoline there too?")]).await;
        assert_eq!(r.status(), 303);
        let (ids, html) = search(&app, &sue, "q=trampoline").await;
        assert_eq!(ids, vec![open.clone()]);
        assert!(html.contains("<mark>trampoline</mark>"), "{html}");
        // Each report a page shows is audited.
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(tipline::staff::audit_action::AuditAction::ReportSearchResult.as_str())
            .fetch_one(app.db().pool()).await.unwrap();
        assert!(audited >= 5, "{audited}");
        app.finish().await;
    }
}

both_backends! {
    async fn no_word_of_a_report_is_in_clear_at_rest(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let id = app.file_api(json!({ "category": "other", "language": "en",
            "narrative": "Quetzalcoatlus sightings near the quarry, the quetzalcoatlus handlers are armed." })).await;
        assert_eq!(search(&app, &sue, "q=quetzalcoatlus").await.0, vec![id]);
        let haystack: Vec<u8> = match backend {
            Backend::Sqlite => std::fs::read_dir(app.data_dir()).unwrap().flat_map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect(),
            Backend::Postgres => std::process::Command::new("pg_dump").arg(app.database_url.as_deref().unwrap()).output().unwrap().stdout,
        };
        assert!(haystack.len() > 1000);
        for needle in [&b"uetzalcoatl"[..], b"UETZALCOATL", b"sighting", b"quarri", b"quarry"] {
            assert!(!haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle)), "{} in clear at rest", String::from_utf8_lossy(needle));
        }
        app.finish().await;
    }
}

both_backends! {
    async fn both_plans_give_the_same_ranking_on_a_seeded_corpus(backend: Backend) {
        use tipline::search::query::{Plan, search_with, words};
        use tipline::types::Visibility;
        use tipline::store::search::Narrowing;
        let app = TestApp::spawn(backend).await;
        let settings = crate::helpers::settings_for(app.dir.path(), app.database_url.clone());
        let clock: tipline::clock::SharedClock = app.clock.clone();
        tipline::cli::dev::seed(&settings, tipline::cli::dev::SeedOptions { batch: 40, ..tipline::cli::dev::SeedOptions::new(600) }, clock.clone(), &|_| {})
            .await
            .unwrap();
        let opened = tipline::cli::app::open_intake(&settings, &clock).await.unwrap();
        let index = opened.intake.term_index();
        // A restricted report of someone else must never take a place.
        let hidden = reports::all_ids(app.db()).await.unwrap()[5].clone();
        cases::set_restricted(app.db(), &hidden, true, app.clock.unix()).await.unwrap();
        let analyst = Visibility::UnrestrictedOrAssignedTo("nobody".into());
        let narrowings = [
            Narrowing::default(),
            Narrowing { category: Some("labour_exploitation".into()), ..Default::default() },
            Narrowing { received_from: Some(app.clock.unix() - 200 * 86_400), ..Default::default() },
        ];
        let queries = ["work", "hotel", "travaillent", "gearbeitet", "werkt", "passport money",
            "women work night", "enfants", "kinder", "meisjes", "police", "phone", "girls hotel"];
        let mut compared = 0;
        for q in queries {
            let w = words(q);
            for narrowing in &narrowings {
                for visibility in [&Visibility::Everything, &analyst] {
                    for offset in [0, 20] {
                        let exact = search_with(Plan::FiltersFirst, app.db(), index, &w, narrowing, visibility, offset, 20).await.unwrap();
                        for plan in [Plan::Auto, Plan::BestFirst, Plan::ChecksFirst] {
                            let pruned = search_with(plan, app.db(), index, &w, narrowing, visibility, offset, 20).await.unwrap();
                            assert_eq!(pruned, exact, "{q:?} {narrowing:?} {visibility:?} {plan:?} offset {offset}");
                        }
                        if *visibility == analyst {
                            assert!(exact.hits.iter().all(|h| h.report_id != hidden));
                        }
                        compared += exact.hits.len();
                    }
                }
            }
        }
        assert!(compared > 500, "the queries find reports: {compared}");
        // Fifteen batches: eight merged into one segment, seven left as they were.
        let levels = tipline::store::segments::levels(app.db()).await.unwrap();
        assert_eq!(levels, vec![(0, 7), (1, 1)]);
        opened.db.close().await;
        app.finish().await;
    }
}

both_backends! {
    async fn an_index_written_before_segments_is_converted_at_start(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let first = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "The cleaners worked nights at the depot without pay." })).await;
        let second = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "Cleaners at the depot sleep in the van; they worked there for months." })).await;
        let (found, _) = search(&app, &sue, "q=cleaners worked").await;
        assert_eq!(found.len(), 2);

        // The index as migration 0008 kept it: one row per posting.
        let pool = app.db().pool();
        let rows = sqlx::query("SELECT term, postings FROM search_lists").fetch_all(pool).await.unwrap();
        sqlx::query("CREATE TABLE search_postings (doc BIGINT NOT NULL, term BIGINT NOT NULL, \
            impact BIGINT NOT NULL, PRIMARY KEY (doc, term))").execute(pool).await.unwrap();
        for row in &rows {
            let term: i64 = sqlx::Row::try_get(row, "term").unwrap();
            let packed: Vec<u8> = sqlx::Row::try_get(row, "postings").unwrap();
            let mut postings = Vec::new();
            tipline::types::posting_lists::decode(&packed, |doc, impact| postings.push((doc, impact))).unwrap();
            for (doc, impact) in postings {
                sqlx::query("INSERT INTO search_postings (doc, term, impact) VALUES ($1, $2, $3)")
                    .bind(i64::from(doc)).bind(term).bind(i64::from(impact))
                    .execute(pool).await.unwrap();
            }
        }
        sqlx::query("DELETE FROM search_lists").execute(pool).await.unwrap();
        sqlx::query("DELETE FROM search_segments").execute(pool).await.unwrap();
        assert!(search(&app, &sue, "q=cleaners").await.0.is_empty());

        app.db().migrate().await.unwrap();
        let (converted, html) = search(&app, &sue, "q=cleaners worked").await;
        assert_eq!(converted, found, "{html}");
        assert!(converted.contains(&first) && converted.contains(&second));
        let gone = sqlx::query("SELECT COUNT(*) AS n FROM search_postings").fetch_one(pool).await;
        assert!(gone.is_err(), "the old table is dropped");
        app.finish().await;
    }
}

both_backends! {
    async fn an_unreadable_queue_row_is_set_aside_and_its_report_indexed_again(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let first = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "The lighthouse keeper lets workers sleep in the shed." })).await;
        let now = app.clock.unix();
        cases::assign(app.db(), &first, Some(&sue.id), now).await.unwrap();
        for body in ["Was the trampoline there too?", "Who plays the xylophone?"] {
            let r = sue.post(&app, &format!("/staff/reports/{first}/messages"), &[("body", body)]).await;
            assert_eq!(r.status(), 303);
        }
        assert_eq!(search(&app, &sue, "q=lighthouse").await.0, vec![first.clone()]);
        assert_eq!(search(&app, &sue, "q=xylophone").await.0, vec![first.clone()]);

        // The index is lost, and the report's row in the queue cannot be read: only its sealed
        // content and messages can give its postings back. Its last message is damaged too.
        let pool = app.db().pool();
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("UPDATE messages SET body = $1 WHERE id = (SELECT MAX(id) FROM messages WHERE report_id = $2)")
            .bind(&b"damaged"[..]).bind(&first).execute(&mut *tx).await.unwrap();
        for table in ["search_lists", "search_segments", "search_docs"] {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await.unwrap();
        }
        sqlx::query("INSERT INTO search_queue (report_id, postings) VALUES ($1, $2)")
            .bind(&first).bind(&b"not postings"[..]).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();

        // Indexing goes on for the reports filed after it.
        let second = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "A windmill on the hill, the workers say." })).await;
        assert_eq!(search(&app, &sue, "q=windmill").await.0, vec![second]);

        // The unreadable row's report is indexed again from what was sealed.
        let mut waiting = 1;
        for _ in 0..300 {
            waiting = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM search_set_aside").fetch_one(pool).await.unwrap();
            if waiting == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(waiting, 0, "set-aside reports are taken back");
        assert_eq!(search(&app, &sue, "q=lighthouse").await.0, vec![first.clone()]);
        assert_eq!(search(&app, &sue, "q=trampoline").await.0, vec![first.clone()], "with its messages");
        assert!(search(&app, &sue, "q=xylophone").await.0.is_empty(), "but the damaged one");
        app.finish().await;
    }
}

both_backends! {
    async fn the_search_page_says_how_many_reports_it_cannot_search_yet(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let sue = app.staff("sue", "supervisor").await;
        let ana = app.staff("ana", "analyst").await;
        let seen = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "The orchard workers sleep in a barn." })).await;
        let damaged = app.file_api(json!({ "category": "labour_exploitation", "language": "en",
            "narrative": "The vineyard keeps their passports." })).await;
        let (found, html) = search(&app, &sue, "q=orchard").await;
        assert_eq!(found, vec![seen.clone()]);
        assert!(!html.contains("id=\"search-waiting\""), "nothing waits");

        // A report set aside whose sealed content is damaged too cannot be indexed again: it
        // stays waiting, and the search page says so to those who may see it.
        let pool = app.db().pool();
        sqlx::query("UPDATE reports SET narrative = $1 WHERE id = $2")
            .bind(&b"damaged"[..]).bind(&damaged).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO search_set_aside (report_id) VALUES ($1)")
            .bind(&damaged).execute(pool).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        let (found, html) = search(&app, &sue, "q=orchard").await;
        assert_eq!(found, vec![seen.clone()]);
        assert!(html.contains("One report is not searchable yet"), "{html}");
        let (_, html) = search(&app, &ana, "q=orchard").await;
        assert!(html.contains("One report is not searchable yet"));

        // Restricted to someone else, it is not counted for an analyst.
        let now = app.clock.unix();
        cases::assign(app.db(), &damaged, Some(&sue.id), now).await.unwrap();
        cases::set_restricted(app.db(), &damaged, true, now).await.unwrap();
        let (found, html) = search(&app, &ana, "q=orchard").await;
        assert_eq!(found, vec![seen]);
        assert!(!html.contains("id=\"search-waiting\""), "{html}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_sqlite_writer_keeps_planner_statistics() {
    // SQLite plans without statistics unless asked; the report writer asks at start, then
    // daily.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let has_statistics = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
        )
        .fetch_one(app.db().pool())
        .await
        .unwrap()
            == 1
    };
    let mut started = false;
    for _ in 0..100 {
        started = has_statistics().await;
        if started {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(started, "the writer analysed the database at start");
    // What it runs covers the tables searches and related reports read.
    for i in 0..3 {
        app.file_api(json!({ "category": "other", "country": "LU",
            "narrative": format!("Report {i}: call +352 621 300 300.") }))
            .await;
    }
    app.indexed().await;
    sqlx::query("DELETE FROM sqlite_stat1")
        .execute(app.db().pool())
        .await
        .unwrap();
    app.db().analyze().await.unwrap();
    let analysed: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl")
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    for table in ["identifiers", "reports", "search_docs", "search_lists"] {
        assert!(
            analysed.iter().any(|t| t == table),
            "{table} in {analysed:?}"
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn every_connection_plans_with_the_latest_statistics() {
    // A SQLite connection reads the statistics when it opens; the pool replaces connections
    // opened before the latest ANALYZE, so that none keeps planning without them.
    let app = TestApp::spawn(Backend::Sqlite).await;
    for i in 0..3 {
        app.file_api(json!({ "category": "other", "country": "LU",
            "narrative": format!("Report {i}: the workers sleep in the hotel.") }))
            .await;
    }
    app.indexed().await;
    let pool = app.db().pool();
    // Several connections, opened now, before the statistics change.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("SELECT 1").execute(&mut *conn).await.unwrap();
        held.push(conn);
    }
    drop(held);
    sqlx::query("DELETE FROM sqlite_stat1")
        .execute(pool)
        .await
        .unwrap();
    app.db().analyze().await.unwrap();
    // The term lists as a plain join: with statistics the few segments are read first. Taken
    // one after the other, the connections come round in turn.
    let plain = "EXPLAIN QUERY PLAN SELECT l.term FROM search_segments s \
                 JOIN search_lists l ON l.segment = s.segment WHERE l.term IN (1, 2)";
    for _ in 0..16 {
        let mut conn = pool.acquire().await.unwrap();
        let plan: Vec<String> = sqlx::query(plain)
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String, _>("detail").unwrap())
            .collect();
        assert!(plan[0].starts_with("SCAN s"), "{plan:?}");
        drop(conn);
        tokio::task::yield_now().await;
    }
    app.finish().await;
}
