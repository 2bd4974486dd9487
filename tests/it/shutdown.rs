//! A served instance shuts down promptly on both databases: it stops accepting connections, its
//! background tasks (indexing set-aside reports again, the minute sweep) are told to stop and
//! end, and its database is closed.

use crate::helpers::{Backend, PgDatabase, both_backends, settings_for};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tipline::cli::app::start;
use tipline::clock::SystemClock;

both_backends! {
    async fn a_served_instance_stops_promptly_and_its_tasks_end(backend: Backend) {
        let dir = tempfile::tempdir().unwrap();
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let url = pg.as_ref().map(|pg| pg.url().to_owned());
        let settings = settings_for(dir.path(), url);
        let running = start(&settings, Arc::new(SystemClock)).await.unwrap();
        let addr = running.addr;
        let db = running.db.clone();
        let health = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);

        let began = Instant::now();
        let cut_off = tokio::time::timeout(Duration::from_secs(5), running.stop())
            .await
            .expect("the server stops within 5 s");
        assert_eq!(cut_off, 0, "every background task ended when told to");
        assert!(began.elapsed() < Duration::from_secs(5));
        assert!(db.pool().is_closed(), "the database is closed");
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "no longer accepting connections"
        );
        if let Some(pg) = pg {
            pg.drop_now().await;
        }
    }
}
