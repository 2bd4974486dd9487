//! A test's PostgreSQL database goes with the test, whether the test ends well or panics: the
//! guard drops it on its own thread, with connections still open to it.

use crate::helpers::{Backend, PgDatabase, TestApp, database_exists};
use serde_json::json;

/// A test that panics inside the runtime, as a failing `#[tokio::test]` does, with the server
/// still running and connected: the database is gone once the test has unwound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_test_leaves_no_database_behind() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let failing = tokio::spawn(async move {
        let app = TestApp::spawn(Backend::Postgres).await;
        let id = app
            .file_api(json!({ "category": "other", "narrative": "Left by a failing test." }))
            .await;
        assert!(!id.as_str().is_empty());
        tx.send(app.pg_name().unwrap().to_owned()).unwrap();
        panic!("a deliberate failure, to prove the guard drops the database");
    });
    let name = rx.await.unwrap();
    let outcome = failing.await;
    assert!(outcome.is_err_and(|e| e.is_panic()));
    assert!(!database_exists(&name).await, "{name} is still there");
}

/// The same when the panic unwinds through `block_on` on a thread of its own, with the guard
/// held directly and a connection left open.
#[tokio::test]
async fn a_panic_unwinding_out_of_its_runtime_drops_the_database() {
    let (tx, rx) = std::sync::mpsc::channel();
    let failing = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let pg = PgDatabase::create().await;
            let db = tipline::store::Db::connect(pg.url()).await.unwrap();
            sqlx::query("CREATE TABLE left_open (x BIGINT)")
                .execute(db.pool())
                .await
                .unwrap();
            tx.send(pg.name().to_owned()).unwrap();
            panic!("a deliberate failure, to prove the guard drops the database");
        })
    });
    assert!(failing.join().is_err());
    let name = rx.recv().unwrap();
    assert!(!database_exists(&name).await, "{name} is still there");
}

#[tokio::test]
async fn drop_now_and_drop_both_remove_the_database() {
    let pg = PgDatabase::create().await;
    let name = pg.name().to_owned();
    assert!(database_exists(&name).await);
    pg.drop_now().await;
    assert!(!database_exists(&name).await);

    let pg = PgDatabase::create().await;
    let name = pg.name().to_owned();
    drop(pg);
    assert!(!database_exists(&name).await);
}
