//! Intake: everything a reporter sends, from the public form or the API, up to a validated
//! report with clean attachments, ready to be sealed and stored.

pub mod attachments;
pub mod categories;
pub mod cleaning;
pub mod countries;
pub mod help;
pub mod junk;
pub mod report;
pub mod sealed;
pub mod submit;
