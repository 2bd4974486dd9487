//! What staff do on a case: claim, assign, move along the workflow, restrict, write internal
//! notes, write to the reporter (with the content-free notice), link reports. Every change is
//! audited; every refusal about a report looks like a report that does not exist.

use super::auth::StaffSession;
use crate::app;
use crate::staff::policy::Action;
use crate::triage::workflow::CloseReason;
use crate::types::{ReportId, Status, UserId};
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::StaffError;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn back_to(id: &ReportId) -> Response {
    Redirect::to(&format!("/staff/reports/{id}")).into_response()
}

pub async fn claim(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    done(
        &id,
        app::cases::claim(&state.app(), &session.0.user.actor(), &id).await,
    )
}

/// Back to the case after a change, or the page saying why it did not happen.
fn done(id: &ReportId, result: Result<(), app::CaseError>) -> Result<Response, StaffError> {
    result?;
    Ok(back_to(id))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee: String,
}

pub async fn assign(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, StaffError> {
    let assignee = Some(form.assignee.trim())
        .filter(|a| !a.is_empty())
        .map(UserId::from);
    let actor = session.0.user.actor();
    let result = app::cases::assign(&state.app(), &actor, &id, assignee.as_ref()).await;
    done(&id, result)
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn status(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, StaffError> {
    let to = Status::parse(&form.status);
    let reason = CloseReason::parse(&form.reason);
    let actor = session.0.user.actor();
    let result = app::cases::change_status(&state.app(), &actor, &id, to, reason).await;
    done(&id, result)
}

#[derive(Deserialize)]
pub struct RestrictForm {
    restricted: String,
}

pub async fn restrict(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm<RestrictForm>,
) -> Result<Response, StaffError> {
    let restricted = form.restricted == "yes";
    let actor = session.0.user.actor();
    let result = app::cases::restrict(&state.app(), &actor, &id, restricted).await;
    done(&id, result)
}

#[derive(Deserialize)]
pub struct NoteForm {
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, StaffError> {
    let actor = session.0.user.actor();
    let result = app::cases::add_note(&state.app(), &actor, &id, &form.body).await;
    done(&id, result)
}

#[derive(Deserialize)]
pub struct MessageForm {
    body: String,
}

/// `POST /staff/reports/{id}/messages`: writes to the reporter, and sends the content-free
/// notice if they asked for one.
pub async fn message(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, StaffError> {
    let actor = session.0.user.actor();
    let base = state.public_url.trim_end_matches('/').to_owned();
    let notice = |lang: &'static str| {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("url", format!("{base}/followup?lang={lang}"));
        app::reply::NoticeText {
            subject: state.i18n.t(lang, "notice-subject", None),
            body: state.i18n.t(lang, "notice-body", Some(&args)),
        }
    };
    let result = app::reply::reply(&state.app(), &actor, &id, &form.body, notice).await;
    done(&id, result)
}

#[derive(Deserialize)]
pub struct LinkForm {
    other: String,
    kind: String,
}

/// `POST /staff/reports/{id}/links`: marks this report as a duplicate of another, or links the
/// two by hand. Both must be visible to the person linking them.
pub async fn link(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, StaffError> {
    let other = form.other.trim().trim_start_matches("/staff/reports/");
    let actor = session.0.user.actor();
    let app = state.app();
    let result = match app::cases::LinkKind::parse(&form.kind) {
        Some(kind) => app::cases::link(&app, &actor, &id, &ReportId::from(other), kind).await,
        // The report is checked first, so that an unknown one still looks like none at all.
        None => app::cases::case_for(&app, &actor, &id, Action::LinkReports)
            .await
            .and(Err(app::CaseError::Conflict)),
    };
    done(&id, result)
}
