//! PostgreSQL test databases: each test gets its own, created fresh and dropped when the guard
//! goes, even when the test panics.

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The server every PostgreSQL test database is created on.
pub fn postgres_admin_url() -> String {
    std::env::var("TIPLINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh, uniquely named PostgreSQL database that lives as long as this guard.
///
/// [`PgDatabase::drop_now`] drops it and waits; otherwise `Drop` drops it (`WITH (FORCE)`, so
/// connections a panicking test left open do not keep it alive). `Drop` cannot await, and must
/// not block on the runtime it may run inside, so it does the work on a thread of its own with
/// a small runtime of its own, and waits for that thread.
#[derive(Debug)]
pub struct PgDatabase {
    name: String,
    url: String,
    dropped: bool,
}

impl PgDatabase {
    /// Creates the database on the server of [`postgres_admin_url`].
    pub async fn create() -> Self {
        let admin = postgres_admin_url();
        let name = format!("tipline_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL must run for the tests (see README)");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .unwrap();
        let _ = conn.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
        Self {
            url: format!("{base}/{name}"),
            name,
            dropped: false,
        }
    }

    /// The URL to connect to this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name on the server.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database now and waits until it is gone.
    pub async fn drop_now(mut self) {
        self.dropped = true;
        drop_database(&self.name).await.unwrap();
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        self.dropped = true;
        let name = self.name.clone();
        // Never panic here: this may run while a failed test unwinds.
        let dropper = std::thread::Builder::new()
            .name("drop-test-database".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime
                    .block_on(drop_database(&name))
                    .map_err(|e| format!("dropping {name}: {e}"))
            });
        match dropper.map(|thread| thread.join()) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => eprintln!("test database left behind: {e}"),
            Ok(Err(_)) => eprintln!("test database left behind: the dropping thread panicked"),
            Err(e) => eprintln!("test database left behind: no thread to drop it: {e}"),
        }
    }
}

/// `DROP DATABASE … WITH (FORCE)`: ends the connections still open to it first.
async fn drop_database(name: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(&postgres_admin_url()).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    conn.close().await
}

/// True when a database of this name exists on the test server.
pub async fn database_exists(name: &str) -> bool {
    let mut conn = PgConnection::connect(&postgres_admin_url()).await.unwrap();
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    found.is_some()
}
