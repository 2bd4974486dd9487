//! The search page: staff type words and narrow by status, kind, country, urgency and dates;
//! results come ranked a page at a time, each with the passage that matched, highlighted after
//! the report is unsealed ([`crate::app::results`]). Only reports the viewer may see are
//! searched; every report whose content a page shows is audited first.

use super::auth::StaffSession;
use super::queue::{case_fields, nonempty};
use crate::app;
use crate::app::results::Shown;
use crate::intake::categories;
use crate::search::query;
use crate::staff::policy::Action;
use crate::store::search::Narrowing;
use crate::types::Level;
use crate::types::Status;
use crate::web::AppState;
use crate::web::dates::day;
use crate::web::error::{Refusal, StaffError};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

/// Results per page.
pub const PAGE_SIZE: usize = 20;
/// Pages one can go down to.
const MAX_PAGE: usize = 50;
/// Longest query taken.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    country: Option<String>,
    urgency: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<usize>,
}

fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

pub async fn search(
    State(state): State<AppState>,
    session: StaffSession,
    Query(q): Query<SearchQuery>,
) -> Result<Response, StaffError> {
    let user = &session.0.user;
    if !session.may(Action::ViewQueue, None) {
        return Ok(Redirect::to("/staff").into_response());
    }
    let text: String = nonempty(&q.q)
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let from = nonempty(&q.from);
    let to = nonempty(&q.to);
    let from_day = from.as_deref().map(parse_day);
    let to_day = to.as_deref().map(parse_day);
    let bad_from = matches!(from_day, Some(None));
    let bad_to = matches!(to_day, Some(None));
    let bad_date = bad_from || bad_to;
    let status = nonempty(&q.status).and_then(|s| Status::parse(&s));
    let urgency = nonempty(&q.urgency)
        .and_then(|u| Level::parse(&u))
        .map(|l| l.as_str().to_owned());
    let narrowing = Narrowing {
        statuses: status
            .map(|s| vec![s.as_str().to_owned()])
            .unwrap_or_default(),
        category: nonempty(&q.category).filter(|c| categories::by_id(c).is_some()),
        country: nonempty(&q.country).map(|c| c.to_ascii_uppercase()),
        urgency: urgency.clone(),
        received_from: from_day
            .flatten()
            .map(|d| d.midnight().assume_utc().unix_timestamp()),
        received_before: to_day
            .flatten()
            .map(|d| d.midnight().assume_utc().unix_timestamp() + 86_400),
    };
    let words = query::words(&text);
    let page = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let mut message: Option<&str> = None;
    let mut shown: Vec<Shown> = Vec::new();
    let mut more = false;
    let mut waiting = 0;
    if bad_date {
        message = Some("staff-search-bad-date");
    } else if !text.is_empty() && words.is_empty() {
        message = Some("staff-search-only-common-words");
    } else if !words.is_empty() {
        let actor = user.actor();
        let offset = (page - 1) * PAGE_SIZE;
        let found =
            app::results::search(&state.app(), &actor, &words, &narrowing, offset, PAGE_SIZE)
                .await?;
        more = found.more;
        waiting = found.waiting;
        shown = found.shown;
        if shown.is_empty() {
            message = Some("staff-search-nothing");
        }
    }
    let link = |p: usize| -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", Some(text.clone())),
            ("status", status.map(|s| s.as_str().to_owned())),
            ("category", narrowing.category.clone()),
            ("country", narrowing.country.clone()),
            ("urgency", urgency.clone()),
            ("from", from.clone()),
            ("to", to.clone()),
        ] {
            if let Some(v) = v {
                s.append_pair(k, &v);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/staff/search?{}", s.finish())
    };
    let rows: Vec<Value> = shown
        .iter()
        .map(|r| {
            let c = &r.case;
            context! {
                received => day(c.triage.received_at),
                language => c.triage.language.clone(),
                passage => r.passage.clone(),
                ..case_fields(c)
            }
        })
        .collect();
    let ctx = context! {
        rows,
        searched => !words.is_empty() && message.is_none(),
        message,
        waiting,
        bad_from,
        bad_to,
        page,
        first_result => (page - 1) * PAGE_SIZE + 1,
        previous => (page > 1).then(|| link(page - 1)),
        next => (more && page < MAX_PAGE).then(|| link(page + 1)),
        statuses => Status::ALL.iter().map(|s| context! { id => s.as_str(), key => format!("status-{}", s.as_str().replace('_', "-")) }).collect::<Vec<_>>(),
        categories => categories::CATEGORIES.iter().map(|c| context! { id => c.id, key => c.label_key() }).collect::<Vec<_>>(),
        urgencies => Level::ALL.iter().map(|l| context! { id => l.as_str(), key => l.fluent_key() }).collect::<Vec<_>>(),
        filter => context! {
            q => text.clone(), status => status.map(Status::as_str), category => narrowing.category.clone(),
            country => narrowing.country.clone(), urgency => urgency.clone(), from => from.clone(), to => to.clone(),
        },
        ..state.staff_context(&session.0)
    };
    let code = if bad_date {
        Refusal::Invalid.status()
    } else {
        StatusCode::OK
    };
    Ok(state.render(code, "staff/search.html", ctx))
}
