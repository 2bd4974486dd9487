//! Storage: one code path for SQLite (embedded default) and PostgreSQL through sqlx's `Any`
//! driver, versioned migrations per backend, a group-commit writer for new reports, and the
//! repositories that read and write rows. Values arrive here already sealed.

pub mod assessments;
pub mod audit;
pub mod bulk;
pub mod cases;
pub mod data_keys;
pub mod db;
pub mod followup;
pub mod links;
pub mod migrate;
pub mod reports;
pub mod reseal;
pub mod search;
pub mod segments;
pub mod staff;
pub mod visibility;
pub mod writer;

pub use db::{Backend, Db, StoreError};
pub use writer::{ReportWriter, Stored};
