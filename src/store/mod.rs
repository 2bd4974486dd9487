//! Storage: one code path for SQLite (embedded default) and PostgreSQL through sqlx's `Any`
//! driver, versioned migrations per backend, a group-commit writer for new reports, and the
//! repositories that read and write rows. Values arrive here already sealed.
//!
//! Owns: all SQL: the database handle, migrations, the report writer, the repositories, the role rule as SQL (`visibility`), the audit tables (`audit`), bulk loading (`bulk`).
//! May use: `types`, `clock`, `seal` (see `LAYERS` in `src/lib.rs`).

pub mod assessments;
pub mod audit;
pub mod bulk;
pub mod cases;
pub mod data_keys;
pub mod db;
pub mod followup;
pub mod links;
pub mod migrate;
pub mod passkeys;
pub mod reports;
pub mod reseal;
pub mod search;
pub mod segments;
pub mod staff;
pub mod visibility;
pub mod writer;

pub use db::{Backend, Db, StoreError};
pub use writer::{ReportWriter, Stored};
