//! The queue pages in the database: every case the viewer may see, exactly once and in the
//! queue's order across the next-page links, under each filter, with the role rule applied, a
//! total counted up to 1,000, and a tampered cursor giving the first page.

use crate::helpers::{TestApp, both_backends, settings_for};
use crate::staff::Staff;
use tipline::cli::dev::{SeedOptions, seed};
use tipline::clock::SharedClock;
use tipline::store::cases::{self, CaseRow, QueueKey};

/// The report ids of the queue rows of `pages`, in order.
fn row_ids(pages: &[String]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|html| {
            html.split("<tr class=\"urgency-").skip(1).map(|row| {
                row.split("href=\"/staff/reports/")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .collect()
}

/// What the queue should list, in its order: the cases `keep` admits among those in `statuses`.
async fn expected(
    app: &TestApp,
    statuses: &[&str],
    keep: impl Fn(&CaseRow) -> bool,
) -> Vec<String> {
    let mut rows: Vec<CaseRow> = cases::list(app.db(), statuses)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| keep(c))
        .collect();
    rows.sort_by_key(|c| {
        let k = QueueKey::of(c);
        (k.junk, k.urgency, k.quiet, k.received_at, k.id)
    });
    rows.into_iter().map(|c| c.id.to_string()).collect()
}

const OPEN: [&str; 4] = ["new", "acknowledged", "in_assessment", "forwarded"];

async fn pages_of(app: &TestApp, who: &Staff, path: &str) -> Vec<String> {
    let pages = who.queue_pages(app, path).await;
    for (n, page) in pages.iter().enumerate() {
        let rows = row_ids(std::slice::from_ref(page)).len();
        if n + 1 < pages.len() {
            assert_eq!(rows, 50, "{path}: page {n} is not full");
        } else {
            assert!(rows <= 50, "{path}: the last page has {rows} rows");
        }
    }
    pages
}

both_backends! {
    async fn the_queue_pages_through_every_visible_case_once_in_order(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let ana = app.staff("ana", "analyst").await;
        let ben = app.staff("ben", "analyst").await;
        let sue = app.staff("sue", "supervisor").await;
        let settings = settings_for(app.dir.path(), app.database_url.clone());
        let clock: SharedClock = app.clock.clone();
        let options = SeedOptions { batch: 256, ..SeedOptions::new(1_200) };
        seed(&settings, options, clock, &|_| {}).await.unwrap();

        // Vary every part of the order, picked by the random end of the ids: possible junk, new
        // activity, new links, reports filed in the same second, and restricted reports of ben.
        let db = app.db().pool();
        for sql in [
            "UPDATE reports SET suspect = 'repeated_text' WHERE substr(id, 36, 1) IN ('0', '1')",
            "UPDATE reports SET new_activity = 1 WHERE substr(id, 35, 1) IN ('a', 'b', 'c')",
            "UPDATE reports SET new_link = 1 WHERE substr(id, 35, 1) IN ('c', 'd')",
            "UPDATE reports SET received_at = 1700000000 WHERE substr(id, 33, 1) IN ('1', '2', '3', '4')",
            "UPDATE reports SET assignee_id = $1 WHERE substr(id, 34, 1) IN ('5', '6', '7')",
            "UPDATE reports SET restricted = 1 WHERE substr(id, 34, 1) IN ('6', '7', '8')",
        ] {
            sqlx::query(sql).bind(ben.id.as_str()).execute(db).await.unwrap();
        }

        // The supervisor sees every open case, once, in order; the first page says "more than
        // 1,000" and links to the next.
        let all = expected(&app, &OPEN, |_| true).await;
        assert!(all.len() > 1_000, "{} open reports", all.len());
        let pages = pages_of(&app, &sue, "/staff").await;
        assert_eq!(row_ids(&pages), all);
        assert!(pages[0].contains("more than"), "{}", &pages[0][..pages[0].len().min(4000)]);
        assert!(!pages[0].contains("id=\"queue-first\""));
        assert!(pages[1].contains("id=\"queue-first\""));

        // The analyst: restricted reports of someone else are absent, her own restricted ones
        // are not; ben sees his.
        let ana_sees = |c: &CaseRow| !c.restricted || c.assignee_id.as_ref() == Some(&ana.id);
        let ana_all = expected(&app, &OPEN, ana_sees).await;
        assert!(ana_all.len() < all.len());
        assert_eq!(row_ids(&pages_of(&app, &ana, "/staff").await), ana_all);
        let ben_all = expected(&app, &OPEN, |c| !c.restricted || c.assignee_id.as_ref() == Some(&ben.id)).await;
        assert!(ben_all.len() > ana_all.len(), "ben sees the restricted reports given to him");

        // Filters, each paged through: unassigned, mine, a status, a category and a country.
        let country = cases::list(app.db(), &OPEN).await.unwrap().into_iter().find_map(|c| c.triage.country).unwrap();
        let category = cases::list(app.db(), &OPEN).await.unwrap()[0].triage.category.clone();
        let unassigned = expected(&app, &OPEN, |c| ana_sees(c) && c.assignee_id.is_none()).await;
        assert_eq!(row_ids(&pages_of(&app, &ana, "/staff?assignee=none").await), unassigned);
        let bens = expected(&app, &OPEN, |c| c.assignee_id.as_ref() == Some(&ben.id)).await;
        assert!(!bens.is_empty());
        let ben_pages = pages_of(&app, &ben, "/staff?assignee=me").await;
        assert_eq!(row_ids(&ben_pages), bens);
        assert!(ben_pages[0].contains(&format!("({})", bens.len())) || ben_pages[0].contains(&format!("(\u{2068}{}\u{2069})", bens.len())), "an exact count below the cap");
        let new = expected(&app, &["new"], ana_sees).await;
        assert_eq!(row_ids(&pages_of(&app, &ana, "/staff?status=new").await), new);
        let narrowed = expected(&app, &OPEN, |c| ana_sees(c) && c.triage.category == category && c.triage.country.as_deref() == Some(country.as_str())).await;
        assert!(!narrowed.is_empty());
        let path = format!("/staff?category={category}&country={}", country.to_ascii_lowercase());
        assert_eq!(row_ids(&pages_of(&app, &ana, &path).await), narrowed);

        // A tampered cursor gives the first page, never an error.
        let first = row_ids(&pages[..1]);
        let b64 = |s: &str| data_encoding::BASE64URL_NOPAD.encode(s.as_bytes());
        for cursor in [
            "garbage".to_owned(),
            "%00%27".to_owned(),
            b64("1.0.0.1.5.x' OR '1'='1"),
            b64("1.9.0.1.5.abc"),
            "A".repeat(5000),
        ] {
            let response = sue.get(&app, &format!("/staff?after={cursor}")).await;
            assert_eq!(response.status(), 200, "{cursor}");
            let page = response.text().await.unwrap();
            assert_eq!(row_ids(&[page]), first, "{cursor}");
        }
        app.finish().await;
    }
}
