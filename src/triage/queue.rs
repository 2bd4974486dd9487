//! The triage queue: open reports ordered by urgency, then new reporter activity, then age, filtered by status, category,
//! country and assignee, showing only what the role policy lets the viewer see.

use super::deadlines::{DeadlinePolicy, Overdue};
use super::workflow::Status;
use crate::staff::policy::{Actor, ReportAccess, can_see};
use crate::store::cases::{self, CaseRow};
use crate::store::{Db, StoreError};

/// What the queue is narrowed to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    /// One status, or all open statuses when `None`.
    pub status: Option<Status>,
    pub category: Option<String>,
    pub country: Option<String>,
    /// A user id, or `Some("")` for unassigned reports.
    pub assignee: Option<String>,
}

/// One line of the queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub case: CaseRow,
    pub overdue: Vec<Overdue>,
}

fn urgency_rank(u: &str) -> u8 {
    match u {
        "critical" => 0,
        "high" => 1,
        "normal" => 2,
        _ => 3,
    }
}

/// The queue as `actor` may see it at `now`.
pub async fn queue(
    db: &Db,
    actor: &Actor,
    filter: &QueueFilter,
    deadlines: &DeadlinePolicy,
    now: i64,
) -> Result<Vec<QueueItem>, StoreError> {
    let statuses: Vec<&str> = match filter.status {
        Some(s) => vec![s.as_str()],
        None => Status::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(Status::as_str)
            .collect(),
    };
    let mut rows = cases::list(db, &statuses).await?;
    rows.retain(|r| {
        can_see(actor, &ReportAccess::of(r))
            && filter
                .category
                .as_ref()
                .is_none_or(|c| &r.triage.category == c)
            && filter
                .country
                .as_ref()
                .is_none_or(|c| r.triage.country.as_ref() == Some(c))
            && filter
                .assignee
                .as_ref()
                .is_none_or(|a| r.assignee_id.as_deref().unwrap_or("") == a)
    });
    // Possible junk last. Within an urgency, a case the reporter just wrote to, or that a
    // newer report links to, comes first, then the oldest.
    rows.sort_by_key(|r| {
        (
            r.suspect.is_some(),
            urgency_rank(&r.triage.urgency),
            !(r.new_activity || r.new_link),
            r.triage.received_at,
        )
    });
    Ok(rows
        .into_iter()
        .map(|case| {
            let status = Status::parse(&case.triage.status).unwrap_or(Status::New);
            let overdue =
                deadlines.overdue(status, case.triage.received_at, case.acknowledged_at, now);
            QueueItem { case, overdue }
        })
        .collect())
}
