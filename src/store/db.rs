//! The database handle: picks SQLite or PostgreSQL from the URL and sets SQLite up for durable
//! commits (WAL, synchronous=FULL). The migrations are run by `store::migrate`.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Which database engine serves this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = StoreError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
}

impl Backend {
    /// The engine a connection, or a transaction on it, talks to.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database URL must start with postgres:// or sqlite: (leave it unset for the embedded SQLite database)"
    )]
    UnsupportedUrl,
    #[error(
        "the SQLite database file {0} does not exist; check the path, or leave the database URL unset to use the data directory"
    )]
    MissingSqliteFile(String),
    #[error(
        "cannot connect to the database: {0}; check the database URL and that the server is running"
    )]
    Connect(#[source] sqlx::Error),
    #[error("database migration failed: {0}; restore the last backup or contact the maintainers")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("the report writer has stopped")]
    WriterGone,
    #[error("a stored value could not be opened: {0}")]
    Seal(#[from] crate::seal::SealError),
    #[error("a stored value is not in the expected form")]
    Corrupt,
}

/// A 0/1 `BIGINT` column read as a bool by a derived `FromRow` (`#[sqlx(try_from =
/// "IntFlag")]`): flags are stored as integers on both databases, and the `Any` driver decodes
/// no bool from an integer column.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub struct IntFlag(i64);

impl From<IntFlag> for bool {
    fn from(flag: IntFlag) -> Self {
        flag.0 != 0
    }
}

/// A pool of connections to one database, SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// When SQLite's planner statistics were last refreshed ([`Db::analyze`]).
    analyzed: Arc<Mutex<Option<Instant>>>,
}

impl Db {
    /// The embedded SQLite database in the data directory, created if missing.
    pub async fn open_embedded(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join("tipline.sqlite3");
        Self::connect_url(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Connects to a database URL. An explicit SQLite path must already exist, so that a typo
    /// never silently starts an empty database.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if Backend::from_str(url)? == Backend::Sqlite {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if !Path::new(path).exists() {
                return Err(StoreError::MissingSqliteFile(path.to_owned()));
            }
        }
        Self::connect_url(url).await
    }

    async fn connect_url(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::from_str(url)?;
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let analyzed: Arc<Mutex<Option<Instant>>> = Arc::default();
        let options = if backend == Backend::Sqlite {
            let refreshed = Arc::clone(&analyzed);
            options
                // A SQLite connection reads the planner's statistics when it opens and keeps
                // them: one opened before the latest `ANALYZE` planned without them (a search
                // scanned every term list, 37 ms at a million reports, on every other page).
                // Such a connection is closed when next taken, and a new one opened.
                .before_acquire(move |_conn, meta| {
                    let opened = Instant::now().checked_sub(meta.age);
                    let current = match (
                        *refreshed.lock().unwrap_or_else(PoisonError::into_inner),
                        opened,
                    ) {
                        (Some(at), Some(opened)) => opened >= at,
                        _ => true,
                    };
                    Box::pin(async move { Ok(current) })
                })
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // WAL lets readers work beside the writer; FULL makes every commit durable
                        // before a receipt is shown. No memory map: every page read through one
                        // counts in the server's resident memory until the connection closes (up to
                        // the map's size per database, 875 MiB measured at 100,000 reports with a
                        // 1 GiB map), while the operating system caches the file all the same; each
                        // connection keeps SQLite's own small page cache (2 MiB by default).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                         PRAGMA mmap_size = 0;",
                        )
                        .await?;
                        Ok(())
                    })
                })
        } else {
            options
        };
        let pool = options.connect(url).await.map_err(StoreError::Connect)?;
        Ok(Self {
            pool,
            backend,
            analyzed,
        })
    }

    /// Refreshes the query planner's statistics. SQLite keeps none unless asked, and plans
    /// searches and related-report reads better with them; this runs a full `ANALYZE`, which
    /// reads every index (1.8 s at a million reports, measured) and holds the single writer
    /// meanwhile: the report writer runs it at start and then daily. A sampled analysis
    /// (`PRAGMA analysis_limit`) reads only the first rows of each index: limited to 1,000, it
    /// took each kind of report for 80 times rarer than it is.
    /// Connections opened before it are replaced as they are next taken from the pool, so that
    /// every query is planned with the new statistics.
    /// PostgreSQL's autovacuum keeps its own statistics: nothing to do.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("ANALYZE").execute(&self.pool).await?;
            *self.analyzed.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap query to tell the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection. On SQLite the write-ahead log is first checkpointed into the
    /// database file and truncated: the last connection to close would do it, but not when
    /// another is closing at the same moment, which a pool closing all at once often is.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite
            && !self.pool.is_closed()
            && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
        {
            tracing::warn!(error = %e, "checkpointing the write-ahead log at close failed; it is replayed at the next start");
        }
        self.pool.close().await;
    }
}

/// Integers of our own (document and segment numbers) written into a statement as a list for
/// `IN (…)`: binding hundreds of parameters costs SQLite a scan of their names for each. A
/// statement holding such a list is run with `.persistent(false)`: each one is new, and kept
/// prepared it would only fill the connection's statement cache (100 per connection, each
/// prepared list of a thousand numbers tens of kilobytes) with statements never run again.
pub(crate) fn integer_list(values: &[i64]) -> String {
    values
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text ids bound per `IN (…)` list (kept small for SQLite: see [`integer_list`]).
pub(crate) const IDS_PER_STATEMENT: usize = 64;
