//! Owns: the types several layers share — typed ids, the case status, the urgency level, the
//! languages, the role rule as data ([`Visibility`]), the form's fixed vocabulary, the search
//! posting codec and text folding.
//!
//! May use: std and crates only. This is the leaf of the house: every room may use it, and it
//! uses no other room (`tests/it/layers.rs` checks it).

pub mod ids;
pub mod lang;
pub mod level;
pub mod posting_lists;
pub mod postings;
pub mod status;
pub mod text;
pub mod visibility;
pub mod vocabulary;
pub mod xml;

pub use ids::{ReportId, UserId};
pub use lang::{LANGUAGES, Lang, language_or_default};
pub use level::Level;
pub use status::Status;
pub use visibility::Visibility;
