//! What loading many reports at once needs of the database besides the rows themselves
//! (`tipline dev seed`): planner statistics refreshed as the tables grow, one SQLite connection
//! with a large page cache, and whether a database already holds reports.

use super::{Backend, Db, StoreError};
use sqlx::Any;
use sqlx::pool::PoolConnection;

/// SQLite page cache per connection while loading, in KiB.
const SQLITE_CACHE_KIB: u32 = 256 * 1024;

/// PostgreSQL plans a prepared statement with the table statistics of the moment and keeps the
/// plan; a database filled from empty without autovacuum (as on test servers) kept plans made
/// for empty tables — a sequential scan of every report for each identifier linked — and slowed
/// to a crawl. Statistics refreshed as the tables double in size, and once at the end (see
/// [`settle`]: benchmarks run against a database as autovacuum would leave it), keep plans
/// right. SQLite is left as the server leaves it (no ANALYZE).
pub async fn analyze(db: &Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    Ok(())
}

/// Once loaded, PostgreSQL's tables are vacuumed as well as analysed, as autovacuum would leave
/// them after a while: until a table page is marked all-visible, a scan of an index alone (the
/// search filters, migration 0013) still visits the table for each row.
pub async fn settle(db: &Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Postgres {
        sqlx::query("VACUUM (ANALYZE)").execute(db.pool()).await?;
    }
    Ok(())
}

/// Bulk inserts touch index pages all over the database, and SQLite's default page cache (2 MiB
/// per connection) made the writer re-read them from the operating system for every statement.
/// A larger cache only helps if every transaction runs on the same connection: SQLite drops a
/// connection's cache when another connection wrote since its last transaction, and the pool
/// hands out its idle connections in turn. So this holds all pooled connections but one for the
/// whole run and gives that one the large cache; [`writer_cache`] re-applies it each chunk in
/// case the pool replaced the connection. PostgreSQL caches on the server: nothing to do.
pub async fn one_sqlite_writer(db: &Db) -> Result<Vec<PoolConnection<Any>>, StoreError> {
    let mut held = Vec::new();
    if db.backend() != Backend::Sqlite {
        return Ok(held);
    }
    for _ in 1..db.pool().options().get_max_connections() {
        held.push(db.pool().acquire().await?);
    }
    writer_cache(db).await?;
    Ok(held)
}

/// Gives the one connection left in the pool (see [`one_sqlite_writer`]) a large page cache.
pub async fn writer_cache(db: &Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Sqlite {
        let mut conn = db.pool().acquire().await?;
        sqlx::query(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether the database holds any report.
pub async fn holds_reports(db: &Db) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT id FROM reports LIMIT 1")
        .fetch_optional(db.pool())
        .await?
        .is_some())
}
