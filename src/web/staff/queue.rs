//! The triage queue: open cases a page at a time, filtered by status, kind, country and
//! assignee, ordered by urgency; and what every list of cases (the queue, search results) shows
//! of a case.

use super::auth::StaffSession;
use crate::intake::categories;
use crate::intake::junk::Suspicion;
use crate::staff::policy::{Action, Role};
use crate::store::cases::CaseRow;
use crate::triage::queue::{QueueFilter, queue as build_queue};
use crate::types::{Status, UserId};
use crate::web::AppState;
pub(super) use crate::web::dates::minute as day;
use crate::web::error::StaffError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    category: Option<String>,
    country: Option<String>,
    assignee: Option<String>,
    /// The cursor of the page to show (the first page without it).
    after: Option<String>,
}

/// The address of a page of the queue under the filter of `q`, after `cursor` when given.
fn queue_href(q: &QueueQuery, cursor: Option<&str>) -> String {
    let mut params = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("status", &q.status),
        ("category", &q.category),
        ("country", &q.country),
        ("assignee", &q.assignee),
    ] {
        if let Some(v) = nonempty(value) {
            params.append_pair(name, &v);
        }
    }
    if let Some(c) = cursor {
        params.append_pair("after", c);
    }
    let query = params.finish();
    if query.is_empty() {
        "/staff".to_owned()
    } else {
        format!("/staff?{query}")
    }
}

/// What a list of cases (the queue, search results) shows of each case, its date aside.
pub(super) fn case_fields(c: &CaseRow) -> Value {
    context! {
        id => c.id.clone(),
        category_key => categories::by_id(&c.triage.category).map(|x| x.label_key()).unwrap_or_default(),
        country => c.triage.country.clone(),
        status_key => format!("status-{}", c.triage.status.replace('_', "-")),
        urgency => c.triage.urgency.clone(),
        urgency_key => format!("urgency-{}", c.triage.urgency),
    }
}

/// The Fluent keys of the signs of junk a case showed (none for most).
pub(super) fn junk_keys(c: &CaseRow) -> Vec<String> {
    Suspicion::from_column(c.suspect.as_deref())
        .signs()
        .iter()
        .map(|s| format!("junk-{}", s.as_str().replace('_', "-")))
        .collect()
}

/// The trimmed value of an optional form field, `None` when blank.
pub(super) fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

pub async fn queue(
    State(state): State<AppState>,
    session: StaffSession,
    Query(q): Query<QueueQuery>,
) -> Result<Response, StaffError> {
    let user = &session.0.user;
    if !session.may(Action::ViewQueue, None) {
        let home = if user.role == Role::Auditor {
            "/staff/audit"
        } else {
            "/staff/users"
        };
        return Ok(Redirect::to(home).into_response());
    }
    let filter = QueueFilter {
        status: nonempty(&q.status).and_then(|s| Status::parse(&s)),
        category: nonempty(&q.category),
        country: nonempty(&q.country).map(|c| c.to_ascii_uppercase()),
        assignee: nonempty(&q.assignee).map(|a| match a.as_str() {
            "me" => Some(user.id.clone()),
            "none" => None,
            _ => Some(UserId::from(a)),
        }),
    };
    let now = state.clock.now().unix_timestamp();
    let after = nonempty(&q.after);
    let page = build_queue(
        &state.db,
        &user.actor(),
        &filter,
        after.as_deref(),
        &state.deadlines,
        now,
    )
    .await?;
    let rows: Vec<Value> = page
        .items
        .iter()
        .map(|item| {
            let c = &item.case;
            context! {
                received => day(c.triage.received_at),
                assignee => c.assignee_name.clone(),
                restricted => c.restricted,
                child => c.triage.child_involved == "yes",
                new_activity => c.new_activity,
                new_link => c.new_link,
                junk_keys => junk_keys(c),
                overdue_keys => item.overdue.iter().map(|o| match o {
                    crate::triage::deadlines::Overdue::Acknowledgement => "overdue-acknowledgement",
                    crate::triage::deadlines::Overdue::Feedback => "overdue-feedback",
                }).collect::<Vec<_>>(),
                ..case_fields(c)
            }
        })
        .collect();
    let ctx = context! {
        rows,
        total => page.total,
        more => page.more,
        next_href => page.next.as_deref().map(|c| queue_href(&q, Some(c))),
        first_href => after.is_some().then(|| queue_href(&q, None)),
        statuses => Status::ALL.iter().map(|s| context! { id => s.as_str(), key => format!("status-{}", s.as_str().replace('_', "-")) }).collect::<Vec<_>>(),
        categories => categories::CATEGORIES.iter().map(|c| context! { id => c.id, key => c.label_key() }).collect::<Vec<_>>(),
        filter => context! {
            status => filter.status.map(Status::as_str), category => filter.category.clone(),
            country => filter.country.clone(), assignee => q.assignee.clone(),
        },
        ..state.staff_context(&session.0)
    };
    Ok(state.render(StatusCode::OK, "staff/queue.html", ctx))
}
