//! Seeding (`tipline dev seed`) on both databases: a few hundred synthetic reports go through the
//! bulk path into a running instance's database, open with its sealer, link through the
//! identifiers they share, and leave no narrative or identifier in clear at rest.

use crate::helpers::{Backend, TestApp, both_backends, settings_for};
use data_encoding::HEXLOWER;
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use tipline::cli::dev::{SeedOptions, seed};
use tipline::clock::SharedClock;
use tipline::store::segments;

/// Every file under `dir`, concatenated.
fn files_under(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

both_backends! {
    async fn seeded_reports_are_sealed_linked_and_open_for_a_permitted_reader(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let settings = settings_for(app.dir.path(), app.database_url.clone());
        let clock: SharedClock = app.clock.clone();
        let options = SeedOptions { batch: 64, ..SeedOptions::new(300) };
        let progressed = AtomicU64::new(0);
        let count = |n: u64| {
            progressed.fetch_add(n, Ordering::SeqCst);
        };
        let filed = seed(&settings, options, clock.clone(), &count).await.unwrap();
        assert_eq!(filed.created, 300);
        assert_eq!(filed.duplicates, 0);
        assert_eq!(progressed.load(Ordering::SeqCst), 300);

        // Each batch of the load is a segment of the search index, merged as a level fills:
        // five batches, no level full.
        assert_eq!(segments::levels(app.db()).await.unwrap(), vec![(0, 5)]);

        // A database that holds reports is refused unless asked; the same seed adds nothing.
        let refused = seed(&settings, options, clock.clone(), &|_| {}).await;
        assert!(refused.unwrap_err().to_string().contains("--append"));
        let again = seed(&settings, SeedOptions { append: true, ..options }, clock.clone(), &|_| {})
            .await
            .unwrap();
        assert_eq!((again.created, again.duplicates), (0, 300));

        // Every report opens with the instance's sealer, in the language it says it is in.
        let stored = app.stored_reports().await;
        assert_eq!(stored.len(), 300);
        let languages: HashSet<&str> = stored.iter().map(|(r, _)| r.triage.language.as_str()).collect();
        assert_eq!(languages, ["en", "fr", "de", "nl"].into_iter().collect());
        let categories: HashSet<&str> = stored.iter().map(|(r, _)| r.triage.category.as_str()).collect();
        assert!(categories.len() >= 8, "{categories:?}");
        assert!(stored.iter().all(|(r, _)| r.triage.status == "new"));
        let narratives: Vec<&str> = stored
            .iter()
            .map(|(_, o)| o.narrative.narrative.as_str())
            .filter(|n| n.len() > 60)
            .collect();
        assert!(narratives.len() > 200);

        // Identifiers link reports: several seeded reports have related reports.
        let mut linked = 0;
        for (row, _) in &stored {
            let related = app.related(&row.id).await;
            assert!(!related.contains(&row.id), "a report is not related to itself");
            if !related.is_empty() {
                linked += 1;
            }
        }
        assert!(linked >= 2, "{linked} reports share an identifier");

        // Nothing of what was sealed is in clear at rest.
        let mut needles: Vec<String> = narratives
            .iter()
            .take(40)
            .map(|n| n.chars().take(40).collect())
            .collect();
        needles.extend(
            stored
                .iter()
                .flat_map(|(_, o)| o.identifiers.phones.iter().chain(&o.identifiers.emails))
                .take(40)
                .cloned(),
        );
        let haystack = match backend {
            Backend::Sqlite => files_under(&app.data_dir()),
            Backend::Postgres => {
                let url = app.database_url.as_deref().unwrap();
                std::process::Command::new("pg_dump").arg(url).output().unwrap().stdout
            }
        };
        assert!(haystack.len() > 100_000);
        for needle in &needles {
            assert!(!contains(&haystack, needle), "in clear at rest: {needle}");
            let hex = HEXLOWER.encode(needle.as_bytes());
            assert!(!contains(&haystack, &hex), "in hex at rest: {needle}");
        }
        app.finish().await;
    }
}
