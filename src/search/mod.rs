//! Search: staff find reports by their words while every report stays sealed. Terms (stemmed
//! per language, accents folded) are indexed as keyed hashes with impacts (taken in from a
//! queue by the report writer, see `store::writer`) in packed lists per term and segment (see
//! `lists` and `store::segments`); a query scores the reports holding all its words in memory,
//! is narrowed by the triage filters and the role rule, and its matches are highlighted only
//! after the shown reports are unsealed.
//!
//! Owns: search terms, the keyed term index, ranked queries, highlighting (the posting codec is `types`').
//! May use: `types`, `clock`, `seal`, `store` (see `LAYERS` in `src/lib.rs`).

pub mod highlight;
pub mod index;
pub mod query;
pub mod terms;
