//! Triage: the case workflow (statuses, close reasons, who may move a case where), the
//! deadlines the hotline promises, and the queue ordered by urgency.

pub mod deadlines;
pub mod queue;
pub mod workflow;
