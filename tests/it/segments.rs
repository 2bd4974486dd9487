//! The search index's segments on both databases: merging keeps every posting at its best
//! impact, two merges running at once never merge a segment twice, and a database indexed
//! before segments is converted at start and still finds its reports.

use crate::helpers::{TestApp, both_backends};
use std::collections::BTreeMap;
use tipline::store::segments::{self, FAN_IN, Lists};
use tipline::types::posting_lists as lists;

/// Everything the index holds for `terms`: term → doc → best impact, over every segment.
async fn contents(app: &TestApp, terms: &[i64]) -> BTreeMap<i64, BTreeMap<u32, u8>> {
    let mut out: BTreeMap<i64, BTreeMap<u32, u8>> = BTreeMap::new();
    for (term, docs, packed) in segments::lists_of(app.db(), terms).await.unwrap() {
        let mut n = 0;
        lists::decode(&packed, |doc, impact| {
            n += 1;
            let best = out.entry(term).or_default().entry(doc).or_default();
            *best = (*best).max(impact);
        })
        .unwrap();
        assert_eq!(n, docs, "a list counts its postings");
    }
    out
}

async fn segment_count(app: &TestApp) -> i64 {
    segments::levels(app.db())
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

both_backends! {
    async fn merging_keeps_every_posting_at_its_best_impact(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let terms: Vec<i64> = vec![i64::MIN, -7, 0, 42, i64::MAX];
        // 2 × FAN_IN + 3 segments, as indexing steps write them: later ones repeat some
        // documents (a reporter's message) with another impact.
        let steps = 2 * FAN_IN + 3;
        for step in 0..steps as u32 {
            let mut lists = Lists::new();
            for (i, term) in terms.iter().enumerate() {
                let entries: Vec<(u32, u8)> = (0..5u32)
                    .map(|k| (step * 3 + k * (i as u32 + 1), (1 + (step + k) % 250) as u8))
                    .collect::<BTreeMap<_, _>>()
                    .into_iter()
                    .collect();
                lists.insert(*term, entries);
            }
            let mut tx = app.db().pool().begin().await.unwrap();
            segments::write(&mut tx, 0, &lists).await.unwrap();
            tx.commit().await.unwrap();
        }
        let before = contents(&app, &terms).await;
        // The server's writer may already have merged some (on PostgreSQL it looks at the
        // index on its own), so the count is at most what was written.
        let written = segment_count(&app).await;
        assert!(written >= 1 && written <= steps as i64, "{written}");

        // Two merges at once (two app nodes on PostgreSQL): each takes its own segments.
        let (a, b) = tokio::join!(segments::merge_one(app.db()), segments::merge_one(app.db()));
        assert!(a.unwrap() || b.unwrap());
        // The server's own writer merges when idle too, and a segment it holds is skipped here:
        // wait until no level is full, whoever merged it.
        let mut levels = Vec::new();
        for _ in 0..200 {
            segments::merge_all(app.db()).await.unwrap();
            levels = segments::levels(app.db()).await.unwrap();
            if levels.iter().all(|(_, n)| (*n as usize) < FAN_IN) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(levels, vec![(0, 3), (1, 2)], "{levels:?}");
        assert_eq!(contents(&app, &terms).await, before, "nothing lost or doubled");
        app.finish().await;
    }
}
