//! The queue and the case view, and what staff do on a case: claim, assign, move along the
//! workflow, restrict, write internal notes, download attachments. Every opening and change is
//! audited; every refusal about a report looks like a report that does not exist.

use super::auth::StaffSession;
use crate::app;
use crate::followup::conversation;
use crate::intake::categories;
use crate::intake::junk::Suspicion;
use crate::intake::sealed::{attachment_aad, open_report, open_report_parts};
use crate::staff::policy::{Action, ReportAccess, Role};
use crate::store::cases::{self, CaseRow};
use crate::store::{reports, staff as staff_repo};
use crate::triage::queue::{QueueFilter, queue as build_queue};
use crate::triage::workflow::{CloseReason, next_statuses, required_permission};
use crate::types::Status;
use crate::types::vocabulary;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::dates::minute as day;
use crate::web::error::{StaffError, StaffProblem};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
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
            "me" => user.id.clone(),
            "none" => String::new(),
            _ => a,
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

impl AppState {
    /// The case if it exists and the session may do `action` on it; otherwise the refusal.
    pub(crate) async fn case_for(
        &self,
        session: &StaffSession,
        id: &str,
        action: Action,
    ) -> Result<CaseRow, StaffError> {
        Ok(crate::app::cases::case_for(&self.app(), &session.0.user.actor(), id, action).await?)
    }
}

fn labels(state: &AppState, lang: &str, prefix: &str, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| state.i18n.t(lang, &vocabulary::key(prefix, id), None))
        .collect()
}

pub async fn case_view(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> Result<Response, StaffError> {
    let case = state.case_for(&session, &id, Action::OpenReport).await?;
    let user = &session.0.user;
    let lang = crate::intake::report::language_or_default(&user.language);
    if !state
        .audit(&user.id, "report.view", Some(&case.id), "")
        .await
    {
        return Err(StaffProblem::AuditUnavailable.into());
    }
    if case.new_activity {
        crate::store::followup::clear_new_activity(&state.db, &case.id).await?;
    }
    if case.new_link {
        crate::store::links::clear_new_link(&state.db, &case.id).await?;
    }
    let loaded = async {
        let stored = reports::by_id(&state.db, &case.id)
            .await?
            .ok_or(crate::store::StoreError::Corrupt)?;
        let content = open_report_parts(state.intake.sealer(), &stored);
        let notes = cases::notes(&state.db, &case.id).await?;
        let files = reports::attachments(&state.db, &case.id).await?;
        let staff = staff_repo::list_users(&state.db).await?;
        let messages = conversation::read(&state.db, state.intake.sealer(), &case.id).await?;
        let assessments = state.assessment_history(&case.id).await?;
        let related = state.related_reports(&user.actor(), &case.id, lang).await?;
        let manual = state.manual_links(&user.actor(), &case.id).await?;
        Ok::<_, crate::store::StoreError>((
            content,
            notes,
            files,
            staff,
            messages,
            assessments,
            related,
            manual,
        ))
    };
    let (opened, notes, files, staff, messages, assessments, related, manual) = loaded.await?;
    let (content, content_damaged) = (opened.content, opened.damaged);
    let (profile, urgency_reasons) = (opened.profile, opened.urgency_reasons);
    let sealer = state.intake.sealer();
    let notes: Vec<Value> = notes
        .iter()
        .map(|n| {
            // Bound to the report and the author: a note moved to another report in the
            // database does not open there.
            let body = sealer
                .open(
                    &crate::seal::bound::note(&n.report_id, &n.author_id, &n.id),
                    &n.body,
                )
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let readable = body.is_ok();
            let body = body.unwrap_or_default();
            context! { author => n.author_name.clone(), at => day(n.created_at), body, readable }
        })
        .collect();
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            let meta: serde_json::Value = sealer
                .open(&attachment_aad(&case.id, &f.id, "meta"), &f.meta)
                .ok()
                .and_then(|m| serde_json::from_slice(&m).ok())
                .unwrap_or_default();
            context! {
                id => f.id.clone(), number => f.position + 1,
                kind => meta["kind"].as_str().unwrap_or("").to_owned(),
                size_kb => meta["size"].as_u64().unwrap_or(0).div_ceil(1024),
            }
        })
        .collect();
    let status = Status::parse(&case.triage.status).unwrap_or(Status::New);
    let actor = user.actor();
    let moves: Vec<Value> = next_statuses(status)
        .into_iter()
        .filter(|to| {
            required_permission(status, *to, Some(CloseReason::Duplicate))
                .is_ok_and(|action| crate::staff::policy::allowed(&actor, action, Some(&ReportAccess::of(&case))))
        })
        .map(|to| context! { id => to.as_str(), key => format!("status-{}", to.as_str().replace('_', "-")), close => to == Status::Closed })
        .collect();
    let assignable: Vec<Value> = staff
        .iter()
        .filter(|u| app::cases::may_be_assigned(u))
        .map(|u| context! { id => u.id.clone(), name => u.username.clone(), current => case.assignee_id.as_deref() == Some(u.id.as_str()) })
        .collect();
    let country_name = case
        .triage
        .country
        .as_deref()
        .and_then(|c| crate::intake::countries::name(c, lang))
        .map(str::to_owned);
    let ages = profile.age_groups;
    let overdue = state.deadlines.overdue(
        status,
        case.triage.received_at,
        case.acknowledged_at,
        state.clock.now().unix_timestamp(),
    );
    let people_count = content.people.count;
    let ctx = context! {
        case => context! {
            id => case.id.clone(),
            category_key => categories::by_id(&case.triage.category).map(|x| x.label_key()).unwrap_or_default(),
            country => country_name,
            received => day(case.triage.received_at),
            incident_month => profile.incident_month,
            status_key => format!("status-{}", status.as_str().replace('_', "-")),
            closed_reason_key => case.closed_reason.as_ref().map(|r| format!("close-{}", r.replace('_', "-"))),
            urgency_key => format!("urgency-{}", case.triage.urgency),
            assignee => case.assignee_name.clone(),
            restricted => case.restricted,
            junk_keys => junk_keys(&case),
            child_key => format!("child-{}", case.triage.child_involved),
            ages => labels(&state, lang, "age", &ages),
            channel => case.triage.channel.clone(),
            campaign => case.triage.campaign_id.clone(),
            language => case.triage.language.clone(),
            acknowledge_by => day(state.deadlines.acknowledge_by(case.triage.received_at)),
            feedback_by => day(state.deadlines.feedback_by(case.triage.received_at, case.acknowledged_at)),
            overdue_ack => overdue.contains(&crate::triage::deadlines::Overdue::Acknowledgement),
            overdue_feedback => overdue.contains(&crate::triage::deadlines::Overdue::Feedback),
        },
        content_damaged,
        content => context! {
            narrative => content.narrative.narrative,
            city => content.place.city, venue => content.place.venue,
            incident_date => content.incident.date, still_happening => content.incident.still_happening,
            people_count => content.people.count,
            victims => content.people.victims_description,
            exploiters => content.people.exploiters_description,
            signs => labels(&state, lang, "sign", &content.signs.warning_signs),
            phones => content.identifiers.phones, emails => content.identifiers.emails,
            websites => content.identifiers.websites, handles => content.identifiers.social_handles,
            plates => content.identifiers.vehicle_plates,
            contact => content.contact.map(|c| context! { name => c.name, email => c.email, phone => c.phone }),
            abuse => content.abuse_material.map(|a| context! { url => a.url, where_found => a.where_found }),
        },
        notes, files, moves, assignable,
        messages => messages.iter().map(|m| context! {
            from_hotline => m.from_hotline, author => m.staff_name.clone(), at => day(m.at), body => m.body.clone(), readable => m.readable,
        }).collect::<Vec<_>>(),
        reporter_language => case.triage.language.clone(),
        reporter_language_name => state.i18n.t(&case.triage.language, "language-name", None),
        assessments,
        related => related.reports,
        related_crowded => related.crowded,
        manual_links => manual,
        can_link => session.may(Action::LinkReports, Some(&ReportAccess::of(&case))),
        can_assess => session.may(Action::Assess, Some(&ReportAccess::of(&case))),
        person_choices => (1..=(i64::from(people_count.unwrap_or(1).clamp(1, 49)) + 1)).collect::<Vec<_>>(),
        urgency_reasons => urgency_reasons.iter().map(|r| state.i18n.t(lang, r, None)).collect::<Vec<_>>(),
        can_message => session.may(Action::MessageReporter, Some(&ReportAccess::of(&case))),
        close_reasons => CloseReason::ALL.iter().map(|r| context! { id => r.as_str(), key => format!("close-{}", r.as_str().replace('_', "-")) }).collect::<Vec<_>>(),
        can_claim => session.may(Action::Claim, Some(&ReportAccess::of(&case))),
        can_assign => session.may(Action::Assign, Some(&ReportAccess::of(&case))),
        can_note => session.may(Action::WriteNote, Some(&ReportAccess::of(&case))),
        can_restrict => session.may(Action::Restrict, Some(&ReportAccess::of(&case))),
        ..state.staff_context(&session.0)
    };
    Ok(state.render(StatusCode::OK, "staff/case.html", ctx))
}

fn back_to(id: &str) -> Response {
    Redirect::to(&format!("/staff/reports/{id}")).into_response()
}

pub async fn claim(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    _: CsrfForm,
) -> Result<Response, StaffError> {
    app::cases::claim(&state.app(), &session.0.user.actor(), &id).await?;
    Ok(back_to(&id))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee: String,
}

pub async fn assign(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, StaffError> {
    let assignee = Some(form.assignee.trim()).filter(|a| !a.is_empty());
    let actor = session.0.user.actor();
    app::cases::assign(&state.app(), &actor, &id, assignee).await?;
    Ok(back_to(&id))
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
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, StaffError> {
    let to = Status::parse(&form.status);
    let reason = CloseReason::parse(&form.reason);
    let actor = session.0.user.actor();
    app::cases::change_status(&state.app(), &actor, &id, to, reason).await?;
    Ok(back_to(&id))
}

#[derive(Deserialize)]
pub struct RestrictForm {
    restricted: String,
}

pub async fn restrict(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RestrictForm>,
) -> Result<Response, StaffError> {
    let restricted = form.restricted == "yes";
    let actor = session.0.user.actor();
    app::cases::restrict(&state.app(), &actor, &id, restricted).await?;
    Ok(back_to(&id))
}

#[derive(Deserialize)]
pub struct NoteForm {
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, StaffError> {
    let actor = session.0.user.actor();
    app::cases::add_note(&state.app(), &actor, &id, &form.body).await?;
    Ok(back_to(&id))
}

pub async fn attachment(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Result<Response, StaffError> {
    let case = state
        .case_for(&session, &id, Action::DownloadAttachment)
        .await?;
    let files = reports::attachments(&state.db, &case.id).await?;
    let Some(file) = files.into_iter().find(|f| f.id == attachment_id) else {
        return Err(StaffProblem::NotFound.into());
    };
    let sealer = state.intake.sealer();
    let kind = sealer
        .open(&attachment_aad(&case.id, &file.id, "meta"), &file.meta)
        .ok()
        .and_then(|m| serde_json::from_slice::<serde_json::Value>(&m).ok())
        .and_then(|m| {
            m["kind"]
                .as_str()
                .and_then(crate::intake::attachments::AttachmentKind::from_str_id)
        });
    let content = sealer.open(
        &attachment_aad(&case.id, &file.id, "content"),
        &file.content,
    )?;
    let detail = format!("attachment={}", file.position + 1);
    if !state
        .audit(
            &session.0.user.id,
            "attachment.download",
            Some(&case.id),
            &detail,
        )
        .await
    {
        return Err(StaffProblem::AuditUnavailable.into());
    }
    let extension = kind.map(|k| k.extension()).unwrap_or("bin");
    let disposition = format!(
        "attachment; filename=\"report-attachment-{}.{extension}\"",
        file.position + 1
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
        ],
        content.to_vec(),
    )
        .into_response())
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
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, StaffError> {
    let case = state
        .case_for(&session, &id, Action::MessageReporter)
        .await?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > conversation::MAX_MESSAGE {
        return Ok(back_to(&case.id));
    }
    let now = state.clock.now().unix_timestamp();
    let sealer = state.intake.sealer();
    let (identifiers, postings) = state.message_indexes(&case.id, body, false).await;
    conversation::post(
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
    .await?;
    state
        .audit(&session.0.user.id, "message.send", Some(&case.id), "")
        .await;
    state.send_notice(&case.id, &case.triage.language).await;
    Ok(back_to(&case.id))
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

/// The case view's related reports: the most recently filed holders of each identifier, each
/// listed once with everything it shares, and the identifiers held by more reports than listed.
pub struct Related {
    pub reports: Vec<Value>,
    pub crowded: Vec<Value>,
}

impl AppState {
    /// The other reports sharing an identifier with this one, as far as `actor` may see them:
    /// for each identifier, the [`crate::link::RELATED_LISTED`] most recently filed, with the identifiers
    /// they share (shown from this report's own sealed copy); and, for an identifier held by
    /// more, how many (up to [`crate::link::RELATED_COUNTED`]).
    async fn related_reports(
        &self,
        actor: &crate::staff::policy::Actor,
        report_id: &str,
        lang: &str,
    ) -> Result<Related, crate::store::StoreError> {
        use crate::store::links;
        let own = links::of_report(&self.db, report_id).await?;
        let sealer = self.intake.sealer();
        let visibility = crate::types::Visibility::of(actor);
        let holders = links::holders(
            &self.db,
            report_id,
            &own,
            &visibility,
            crate::link::RELATED_LISTED,
            crate::link::RELATED_COUNTED,
        )
        .await?;
        let shown: Vec<String> = own
            .iter()
            .map(|row| {
                crate::link::index::open(sealer, report_id, row)
                    .map(|s| {
                        format!(
                            "{}: {}",
                            self.i18n.t(lang, &s.kind.fluent_key(), None),
                            s.shown
                        )
                    })
                    .unwrap_or_default()
            })
            .collect();
        // Each listed report with what it shares, newest first.
        let mut shares: std::collections::BTreeMap<std::cmp::Reverse<&str>, Vec<&str>> =
            std::collections::BTreeMap::new();
        let mut crowded = Vec::new();
        for (h, text) in holders.iter().zip(&shown) {
            for other in &h.latest {
                shares
                    .entry(std::cmp::Reverse(other.as_str()))
                    .or_default()
                    .push(text.as_str());
            }
            if h.more || h.count > h.latest.len() {
                crowded.push(context! {
                    identifier => text,
                    count => h.count,
                    more => h.more,
                    listed => h.latest.len(),
                });
            }
        }
        let ids: Vec<String> = shares.keys().map(|k| k.0.to_owned()).collect();
        let cases: std::collections::HashMap<String, crate::store::cases::CaseRow> =
            cases::get_many(&self.db, &ids)
                .await?
                .into_iter()
                .map(|c| (c.id.clone(), c))
                .collect();
        let mut reports = Vec::new();
        for (other, shared) in shares {
            let Some(case) = cases.get(other.0) else {
                continue;
            };
            if !crate::staff::policy::can_see(actor, &ReportAccess::of(case)) {
                continue;
            }
            reports.push(context! {
                id => other.0,
                category_key => categories::by_id(&case.triage.category).map(|x| x.label_key()).unwrap_or_default(),
                received => day(case.triage.received_at),
                status_key => format!("status-{}", case.triage.status.replace('_', "-")),
                shared,
            });
        }
        Ok(Related { reports, crowded })
    }
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
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, StaffError> {
    let case = state.case_for(&session, &id, Action::LinkReports).await?;
    let other_id = form
        .other
        .trim()
        .trim_start_matches("/staff/reports/")
        .to_owned();
    let kind = match form.kind.as_str() {
        "duplicate" | "linked" => form.kind.as_str(),
        _ => return Err(StaffProblem::Conflict.into()),
    };
    let other = match cases::get(&state.db, &other_id).await? {
        Some(o)
            if o.id != case.id
                && crate::staff::policy::can_see(
                    &session.0.user.actor(),
                    &ReportAccess::of(&o),
                ) =>
        {
            o
        }
        _ => return Err(StaffProblem::NotFound.into()),
    };
    let now = state.clock.now().unix_timestamp();
    crate::store::links::add_manual(
        &state.db,
        &case.id,
        &other.id,
        kind,
        &session.0.user.id,
        now,
    )
    .await?;
    state
        .audit(
            &session.0.user.id,
            "report.link",
            Some(&case.id),
            &format!("{kind} other={}", other.id),
        )
        .await;
    Ok(back_to(&case.id))
}

impl AppState {
    /// Links made by hand, as far as `actor` may see the other reports.
    async fn manual_links(
        &self,
        actor: &crate::staff::policy::Actor,
        report_id: &str,
    ) -> Result<Vec<Value>, crate::store::StoreError> {
        let mut out = Vec::new();
        for link in crate::store::links::manual(&self.db, report_id).await? {
            let Some(other) = cases::get(&self.db, &link.other_id).await? else {
                continue;
            };
            if !crate::staff::policy::can_see(actor, &ReportAccess::of(&other)) {
                continue;
            }
            out.push(context! {
                id => other.id.clone(),
                kind_key => format!("link-kind-{}", link.kind.replace('_', "-")),
                category_key => categories::by_id(&other.triage.category).map(|x| x.label_key()).unwrap_or_default(),
                received => day(other.triage.received_at),
            });
        }
        Ok(out)
    }
}
