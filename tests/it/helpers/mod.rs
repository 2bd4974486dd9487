//! Test helpers: spawn the real app on either backend, a client, and shortcuts for each thing a
//! reporter does.
//!
//! - `pg`: a fresh PostgreSQL database per test, dropped by a guard even when the test panics;
//! - `server`: [`TestApp`], the running server with its own directories and clock;
//! - `http`: what a reporter or a partner app does over HTTP, and reading the pages;
//! - `db`: looking at what the server stored.

mod db;
mod http;
mod pg;
mod server;

pub use http::{is_receipt, receipt_in};
pub use pg::{PgDatabase, database_exists};
pub use server::{TestApp, settings_for};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async storage test once per backend.
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block) => {
        mod $name {
            use super::*;
            $(#[$meta])*
            async fn run($backend: $crate::helpers::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::helpers::Backend::Postgres).await
            }
        }
    };
}
pub(crate) use both_backends;
