//! Bringing a database up to date: the embedded migrations of its backend, then the
//! conversions a migration cannot do in SQL alone. Apart from `db` so that the handle knows
//! nothing of the tables it serves (the search segments need the handle, not the reverse).

use super::{Backend, Db, StoreError, segments};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Brings the schema up to date, and converts a search index written before its segments
    /// (migration 0011).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(self.pool()).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(self.pool()).await?,
        }
        segments::convert_legacy(self).await
    }
}
