//! Intake: everything a reporter sends, from the public form or the API, up to a validated
//! report with clean attachments, ready to be sealed and stored.
//!
//! Owns: the report as given and its validation, categories, countries, help numbers, attachments and their cleaning, sealing a report, filing it, signs of a script.
//! May use: `types`, `clock`, `seal`, `store`, `assess`, `link`, `search` (see `LAYERS` in `src/lib.rs`).

pub mod attachments;
pub mod categories;
pub mod cleaning;
pub mod countries;
pub mod help;
pub mod junk;
pub mod report;
pub mod sealed;
pub mod submit;
