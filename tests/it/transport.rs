//! The connection to PostgreSQL is encrypted when the database URL asks for it
//! (`sslmode=require`, or `verify-full` with `sslrootcert`): reports, notes and the audit trail
//! are sealed, but the blind indexes, statuses and staff names travel with them, and a hotline may
//! run its database on another host. The test cluster runs with `ssl = on`.

use crate::helpers::{Backend, TestApp};
use serde_json::json;

#[tokio::test]
async fn postgres_connections_use_tls_when_the_url_asks_for_it() {
    let app = TestApp::spawn_with(Backend::Postgres, |settings| {
        settings.database_url = settings.database_url.take().map(|url| {
            let joiner = if url.contains('?') { '&' } else { '?' };
            format!("{url}{joiner}sslmode=require")
        });
    })
    .await;
    let response = app
        .post_api(&json!({
            "category": "labour_exploitation",
            "narrative": "Workers sleep in the kitchen.",
            "country": "LU",
        }))
        .await;
    assert_eq!(response.status(), 201);

    let (ssl, version): (bool, Option<String>) =
        sqlx::query_as("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert!(ssl, "the app's connection is not encrypted");
    assert!(
        version.as_deref().is_some_and(|v| v.starts_with("TLSv1.")),
        "{version:?}"
    );
    app.finish().await;
}
