//! Triage: the case workflow (statuses, close reasons, who may move a case where), the
//! deadlines the hotline promises, and the queue ordered by urgency.
//!
//! Owns: the case workflow, the deadlines, the queue.
//! May use: `types`, `clock`, `seal`, `store`, `staff` (the role policy) (see `LAYERS` in `src/lib.rs`).

pub mod deadlines;
pub mod queue;
pub mod workflow;
