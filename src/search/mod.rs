//! Search: staff find reports by their words while every report stays sealed. Terms (stemmed
//! per language, accents folded) are indexed as keyed hashes with impacts (taken in from a
//! queue by the report writer, see `store::writer`); a query is ranked with top-k pruning over
//! that index, narrowed by the triage filters and the role rule, and its matches highlighted
//! only after the shown reports are unsealed.

pub mod highlight;
pub mod index;
pub mod lists;
pub mod query;
pub mod terms;
