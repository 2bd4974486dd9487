//! The case view: a report opened (audited first) with its notes, files, conversation,
//! assessments, related reports and links, and the download of its attachments. The use cases
//! are [`crate::app::open`]; these handlers only extract, call and render. Every refusal about a
//! report looks like a report that does not exist.

use super::auth::StaffSession;
use super::queue::{day, junk_keys};
use crate::app;
use crate::app::open::{OpenedAssessment, OpenedCase};
use crate::assess::SetId;
use crate::intake::categories;
use crate::link::index::Shown;
use crate::staff::policy::{Action, ReportAccess};
use crate::triage::workflow::{CloseReason, next_statuses, required_permission};
use crate::types::vocabulary;
use crate::types::{ReportId, Status};
use crate::web::AppState;
use crate::web::error::StaffError;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

fn labels(state: &AppState, lang: &str, prefix: &str, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| state.i18n.t(lang, &vocabulary::key(prefix, id), None))
        .collect()
}

/// An identifier as the case view names it: its kind, translated, and its value as shown
/// (empty when this report's sealed copy cannot be opened).
fn identifier_text(state: &AppState, lang: &str, shown: Option<&Shown>) -> String {
    shown
        .map(|s| {
            format!(
                "{}: {}",
                state.i18n.t(lang, &s.kind.fluent_key(), None),
                s.shown
            )
        })
        .unwrap_or_default()
}

/// The saved assessments, newest first, as the case view lists them.
fn assessment_rows(assessments: &[OpenedAssessment]) -> Vec<Value> {
    assessments
        .iter()
        .map(|a| {
            let readable = a.detail.is_some();
            let detail = a.detail.clone().unwrap_or_default();
            let set = SetId::parse(&a.row.set_id);
            context! {
                person => a.row.person,
                set_key => set.map(|s| s.fluent_key()).unwrap_or_default(),
                set => a.row.set_id.clone(),
                readable,
                presumed => detail.presumed,
                status_key => detail.trafficking_status.as_ref().map(|s| format!("htcds-{s}")),
                status => detail.trafficking_status,
                reason => detail.status_reason,
                indicators => detail.ticked.len(),
                seen_by_reporter => detail.seen_by_reporter.len(),
                by => a.row.created_by_name.clone(),
                at => crate::web::dates::day(a.row.created_at),
            }
        })
        .collect()
}

pub async fn case_view(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
) -> Result<Response, StaffError> {
    let user = &session.0.user;
    let lang = crate::types::language_or_default(&user.language);
    let actor = user.actor();
    let OpenedCase {
        case,
        report: opened,
        notes,
        files,
        assignable,
        messages,
        assessments,
        related,
        manual,
    } = app::open::open_case(&state.app(), &actor, &id).await?;
    let (content, content_damaged) = (opened.content, opened.damaged);
    let (profile, urgency_reasons) = (opened.profile, opened.urgency_reasons);
    let notes: Vec<Value> = notes
        .iter()
        .map(|n| {
            let readable = n.body.is_some();
            let body = n.body.clone().unwrap_or_default();
            context! { author => n.row.author_name.clone(), at => day(n.row.created_at), body, readable }
        })
        .collect();
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            context! {
                id => f.id.clone(), number => f.number,
                kind => f.kind.clone(),
                size_kb => f.size.div_ceil(1024),
            }
        })
        .collect();
    let status = Status::parse(&case.triage.status).unwrap_or(Status::New);
    let moves: Vec<Value> = next_statuses(status)
        .into_iter()
        .filter(|to| {
            required_permission(status, *to, Some(CloseReason::Duplicate))
                .is_ok_and(|action| crate::staff::policy::allowed(&actor, action, Some(&ReportAccess::of(&case))))
        })
        .map(|to| context! { id => to.as_str(), key => format!("status-{}", to.as_str().replace('_', "-")), close => to == Status::Closed })
        .collect();
    let assignable: Vec<Value> = assignable
        .iter()
        .map(|u| context! { id => u.id.clone(), name => u.username.clone(), current => case.assignee_id.as_ref() == Some(&u.id) })
        .collect();
    let assessments = assessment_rows(&assessments);
    let related_reports: Vec<Value> = related
        .reports
        .iter()
        .map(|r| {
            context! {
                id => r.case.id.clone(),
                category_key => categories::by_id(&r.case.triage.category).map(|x| x.label_key()).unwrap_or_default(),
                received => day(r.case.triage.received_at),
                status_key => format!("status-{}", r.case.triage.status.replace('_', "-")),
                shared => r.shared.iter().map(|s| identifier_text(&state, lang, s.as_ref())).collect::<Vec<_>>(),
            }
        })
        .collect();
    let related_crowded: Vec<Value> = related
        .crowded
        .iter()
        .map(|c| {
            context! {
                identifier => identifier_text(&state, lang, c.identifier.as_ref()),
                count => c.count,
                more => c.more,
                listed => c.listed,
            }
        })
        .collect();
    let manual: Vec<Value> = manual
        .iter()
        .map(|(link, other)| {
            context! {
                id => other.id.clone(),
                kind_key => format!("link-kind-{}", link.kind.replace('_', "-")),
                category_key => categories::by_id(&other.triage.category).map(|x| x.label_key()).unwrap_or_default(),
                received => day(other.triage.received_at),
            }
        })
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
        related => related_reports,
        related_crowded,
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

pub async fn attachment(
    State(state): State<AppState>,
    session: StaffSession,
    Path((id, attachment_id)): Path<(ReportId, String)>,
) -> Result<Response, StaffError> {
    let actor = session.0.user.actor();
    let file = app::open::download(&state.app(), &actor, &id, &attachment_id).await?;
    let extension = file.kind.map(|k| k.extension()).unwrap_or("bin");
    let disposition = format!(
        "attachment; filename=\"report-attachment-{}.{extension}\"",
        file.number
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
        file.content,
    )
        .into_response())
}
