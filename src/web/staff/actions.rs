//! What staff do on a case: claim, assign, move along the workflow, restrict, write internal
//! notes, write to the reporter (with the content-free notice), link reports. Every change is
//! audited; every refusal about a report looks like a report that does not exist.

use super::auth::{Refusal, StaffSession};
use crate::app;
use crate::followup::conversation;
use crate::intake::sealed::open_report;
use crate::staff::policy::{Action, ReportAccess};
use crate::store::{cases, reports};
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
    let lang = session.0.user.language.clone();
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(&lang, Refusal::BadCsrf);
    }
    let case = match state.case_for(&session, &id, Action::MessageReporter).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > conversation::MAX_MESSAGE {
        return back_to(&case.id);
    }
    let now = state.clock.now().unix_timestamp();
    let sealer = state.intake.sealer();
    let (identifiers, postings) = state.message_indexes(&case.id, body, false).await;
    if let Err(e) = conversation::post(
        &state.db,
        sealer,
        &conversation::Outgoing {
            report_id: &case.id,
            staff_id: Some(&session.0.user.id),
            body,
            files: &[],
            identifiers: &identifiers,
            postings: &postings,
        },
        now,
    )
    .await
    {
        return state.staff_error(&lang, &e);
    }
    state
        .audit(&session.0.user.id, "message.send", Some(&case.id), "")
        .await;
    state.send_notice(&case.id, &case.triage.language).await;
    back_to(&case.id)
}

impl AppState {
    /// Tells a reporter who asked for it that there is a new message: never the content, never
    /// the receipt. Failures are logged without the address.
    async fn send_notice(&self, report_id: &str, language: &str) {
        let Some(notifier) = self.notifier.clone() else {
            return;
        };
        let wanted = crate::store::followup::flags(&self.db, report_id)
            .await
            .map(|f| f.1)
            .unwrap_or(false);
        if !wanted {
            return;
        }
        let email = reports::by_id(&self.db, report_id)
            .await
            .ok()
            .flatten()
            .and_then(|stored| open_report(self.intake.sealer(), &stored).ok())
            .and_then(|content| content.contact)
            .map(|c| c.email)
            .filter(|e| !e.is_empty());
        let Some(email) = email else { return };
        let lang = crate::intake::report::language_or_default(language);
        let mut args = fluent_bundle::FluentArgs::new();
        args.set(
            "url",
            format!(
                "{}/followup?lang={lang}",
                self.public_url.trim_end_matches('/')
            ),
        );
        let subject = self.i18n.t(lang, "notice-subject", None);
        let body = self.i18n.t(lang, "notice-body", Some(&args));
        tokio::spawn(async move {
            if let Err(e) = notifier.send(&email, &subject, &body).await {
                crate::web::error::log_internal("notice", &e);
            }
        });
    }
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
    let lang = session.0.user.language.clone();
    if !session.csrf_ok(&form.csrf) {
        return state.refusal(&lang, Refusal::BadCsrf);
    }
    let case = match state.case_for(&session, &id, Action::LinkReports).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let other_id = form
        .other
        .trim()
        .trim_start_matches("/staff/reports/")
        .to_owned();
    let kind = match form.kind.as_str() {
        "duplicate" | "linked" => form.kind.as_str(),
        _ => return state.refusal(&lang, Refusal::Conflict),
    };
    let other = match cases::get(&state.db, &other_id).await {
        Ok(Some(o))
            if o.id != case.id
                && crate::staff::policy::can_see(
                    &session.0.user.actor(),
                    &ReportAccess::of(&o),
                ) =>
        {
            o
        }
        Ok(_) => return state.refusal(&lang, Refusal::NotFound),
        Err(e) => return state.staff_error(&lang, &e),
    };
    let now = state.clock.now().unix_timestamp();
    if let Err(e) = crate::store::links::add_manual(
        &state.db,
        &case.id,
        &other.id,
        kind,
        &session.0.user.id,
        now,
    )
    .await
    {
        return state.staff_error(&lang, &e);
    }
    state
        .audit(
            &session.0.user.id,
            "report.link",
            Some(&case.id),
            &format!("{kind} other={}", other.id),
        )
        .await;
    back_to(&case.id)
}
