//! What staff do on a case: claim, assign, move along the workflow, restrict, write internal
//! notes, write to the reporter (with the content-free notice), link reports. Every change is
//! audited; every refusal about a report looks like a report that does not exist.

use super::auth::{Refusal, StaffSession};
use crate::app;
use crate::staff::policy::Action;
use crate::triage::workflow::{CloseReason, Status};
use crate::web::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn back_to(id: &str) -> Response {
    Redirect::to(&format!("/staff/reports/{id}")).into_response()
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn claim(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
    done(
        &state,
        lang,
        &id,
        app::cases::claim(&state.app(), &session.0.user.actor(), &id).await,
    )
}

/// Back to the case after a change, or the page saying why it did not happen.
fn done(state: &AppState, lang: &str, id: &str, result: Result<(), app::CaseError>) -> Response {
    match result {
        Ok(()) => back_to(id),
        Err(e) => state.case_error(lang, e),
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    csrf: String,
    #[serde(default)]
    assignee: String,
}

pub async fn assign(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
    let assignee = Some(form.assignee.trim()).filter(|a| !a.is_empty());
    let actor = session.0.user.actor();
    let result = app::cases::assign(&state.app(), &actor, &id, assignee).await;
    done(&state, lang, &id, result)
}

#[derive(Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn status(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
    let to = Status::parse(&form.status);
    let reason = CloseReason::parse(&form.reason);
    let actor = session.0.user.actor();
    let result = app::cases::change_status(&state.app(), &actor, &id, to, reason).await;
    done(&state, lang, &id, result)
}

#[derive(Deserialize)]
pub struct RestrictForm {
    csrf: String,
    restricted: String,
}

pub async fn restrict(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<RestrictForm>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
    let restricted = form.restricted == "yes";
    let actor = session.0.user.actor();
    let result = app::cases::restrict(&state.app(), &actor, &id, restricted).await;
    done(&state, lang, &id, result)
}

#[derive(Deserialize)]
pub struct NoteForm {
    csrf: String,
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
    let actor = session.0.user.actor();
    let result = app::cases::add_note(&state.app(), &actor, &id, &form.body).await;
    done(&state, lang, &id, result)
}

#[derive(Deserialize)]
pub struct MessageForm {
    csrf: String,
    body: String,
}

/// `POST /staff/reports/{id}/messages`: writes to the reporter, and sends the content-free
/// notice if they asked for one.
pub async fn message(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
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
    done(&state, lang, &id, result)
}

#[derive(Deserialize)]
pub struct LinkForm {
    csrf: String,
    other: String,
    kind: String,
}

/// `POST /staff/reports/{id}/links`: marks this report as a duplicate of another, or links the
/// two by hand. Both must be visible to the person linking them.
pub async fn link(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    Form(form): Form<LinkForm>,
) -> Response {
    let lang = &session.0.user.language;
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(lang, Refusal::BadCsrf);
    }
    let other = form.other.trim().trim_start_matches("/staff/reports/");
    let actor = session.0.user.actor();
    let app = state.app();
    let result = match app::cases::LinkKind::parse(&form.kind) {
        Some(kind) => app::cases::link(&app, &actor, &id, other, kind).await,
        // The report is checked first, so that an unknown one still looks like none at all.
        None => app::cases::case_for(&app, &actor, &id, Action::LinkReports)
            .await
            .and(Err(app::CaseError::Conflict)),
    };
    done(&state, lang, &id, result)
}
