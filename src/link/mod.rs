//! Linking: identifiers found in reports (phone numbers, e-mails, URLs and domains, handles,
//! plates, IBANs, venues), normalised so spellings match, stored behind a keyed blind index, and
//! the related reports they reveal.
//!
//! Owns: identifier extraction and normalisation, the blind index, the cluster graph.
//! May use: `types`, `clock`, `seal`, `store` (see `LAYERS` in `src/lib.rs`).

pub mod cluster;
pub mod identifiers;
pub mod index;

/// Other reports the case view lists per identifier of a report: the most recently filed.
pub const RELATED_LISTED: usize = 10;
/// Other reports counted per identifier of a report; past this the case view says "more than"
/// (a big hotel or station can be named in thousands of reports).
pub const RELATED_COUNTED: usize = 100;
