//! An acknowledged report is never lost: reports submitted concurrently to the real binary, the
//! process killed with SIGKILL right after the receipts came back, restarted: every report whose
//! receipt was shown is there, opens intact, and is found by search once the restarted indexer
//! has taken in the queue. The logs hold no content, receipt or IP address.

use crate::helpers::{Backend, PgDatabase};
use crate::startup::serve;
use serde_json::{Value, json};
use std::io::Read;
use tipline::intake::sealed::open_report;
use tipline::seal::{KeyRing, ReceiptCode};
use tipline::search::index::TermIndex;
use tipline::search::query;
use tipline::store::search::{self, Narrowing};
use tipline::store::{Db, data_keys, reports};
use tipline::types::Visibility;

async fn kill_and_check(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (db_args, pg) = match backend {
        Backend::Sqlite => (vec![], None),
        Backend::Postgres => {
            let pg = PgDatabase::create().await;
            (
                vec!["--database-url".to_owned(), pg.url().to_owned()],
                Some(pg),
            )
        }
    };
    let mut args: Vec<&str> = vec!["--intake-per-second", "100000", "--intake-burst", "100000"];
    args.extend(db_args.iter().map(String::as_str));
    let (mut child, url) = serve(dir.path(), &args);

    let client = reqwest::Client::new();
    let marker = "DURABLE-MARKER-91c4";
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({ "category": "labour_exploitation", "narrative": format!("{marker} report {i}") });
            let response = client.post(format!("{url}/api/v1/reports")).json(&body).send().await.unwrap();
            assert_eq!(response.status(), 201);
            let created: Value = response.json().await.unwrap();
            (i, created["receipt"].as_str().unwrap().to_owned())
        }));
    }
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.unwrap());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("request"), "request log lines are written");
    assert!(!stderr.contains(marker), "report content in the log");
    assert!(!stderr.contains("127.0.0.1"), "an IP address in the log");
    for (_, r) in &receipts {
        assert!(
            !stderr.contains(&r[..9]) && !stderr.contains(&r[10..]),
            "a receipt in the log"
        );
    }

    // Restart: the server comes back and every acknowledged report is there, intact.
    let (mut again, url2) = serve(dir.path(), &args);
    assert_eq!(
        client
            .get(format!("{url2}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let db = match &pg {
        Some(pg) => Db::connect(pg.url()).await.unwrap(),
        None => Db::connect(&format!(
            "sqlite://{}",
            dir.path().join("tipline-data/tipline.sqlite3").display()
        ))
        .await
        .unwrap(),
    };
    let keys = KeyRing::load_or_create(
        &dir.path().join("tipline-keys"),
        &dir.path().join("tipline-data"),
    )
    .unwrap();
    let sealer = data_keys::load_sealer(&db, &keys, 0).await.unwrap();
    assert_eq!(reports::all_ids(&db).await.unwrap().len(), receipts.len());
    for (i, receipt) in &receipts {
        let code = ReceiptCode::parse(receipt).unwrap();
        let stored = reports::by_lookup(&db, code.lookup())
            .await
            .unwrap()
            .expect("acknowledged report present");
        let opened = open_report(&sealer, &stored).unwrap();
        assert_eq!(opened.narrative.narrative, format!("{marker} report {i}"));
    }
    // Each was queued for the search index with its receipt; the restarted indexer takes in
    // whatever the killed one had not, and every report is found by its words.
    let mut waited = 0;
    while search::queued(&db).await.unwrap() > 0 {
        assert!(
            waited < 300,
            "the index queue was not taken in after the restart"
        );
        waited += 1;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let index = TermIndex::new(keys.derive(tipline::search::index::KEY_PURPOSE));
    let found = query::search(
        &db,
        &index,
        &query::words("durable marker"),
        &Narrowing::default(),
        &Visibility::Everything,
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        found.hits.len(),
        receipts.len(),
        "every acknowledged report is searchable"
    );
    again.kill().unwrap();
    again.wait().unwrap();
    db.close().await;
    if let Some(pg) = pg {
        pg.drop_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_reports_survive_sigkill_on_sqlite() {
    kill_and_check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_reports_survive_sigkill_on_postgres() {
    kill_and_check(Backend::Postgres).await;
}
