//! Assessing a person a report describes against the ILO/EC indicators: choose the set, tick
//! what was found (the reporter's warning signs open as suggestions, marked as such), see per
//! dimension whether it is present and which indicators made it so, and the presumption with the
//! rule that decided. Saving keeps every earlier assessment and recomputes the urgency.

use super::auth::StaffSession;
use crate::app;
use crate::app::assessment::{self, NewAssessment};
use crate::assess::{Outcome, SetId, evaluate};
use crate::staff::policy::Action;
use crate::types::ReportId;
use crate::web::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::{Refusal, StaffError, StaffProblem};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

pub use crate::app::assessment::ANALYST_STATUSES;
/// Most people one report's assessments can be about.
const MAX_PERSONS: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AssessQuery {
    person: Option<i64>,
    set: Option<String>,
}

/// The form as posted. Indicator ticks arrive as repeated `indicator` fields.
#[derive(Debug, Default)]
pub struct AssessForm {
    person: i64,
    set: String,
    ticked: Vec<String>,
    save: bool,
    status: String,
    reason: String,
}

impl AssessForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self {
            person: 1,
            ..Default::default()
        };
        for (k, v) in pairs {
            match k.as_str() {
                "person" => f.person = v.parse().unwrap_or(1),
                "set" => f.set = v,
                "indicator" => f.ticked.push(v),
                "action" => f.save = v == "save",
                "status" => f.status = v,
                "reason" => f.reason = v,
                _ => {}
            }
        }
        f
    }
}

/// What the assessment page shows besides the catalogue: the person and set, what is ticked,
/// what the reporter's signs suggest, the outcome if asked for, and what the analyst typed.
struct AssessmentPage<'a> {
    report_id: &'a ReportId,
    person: i64,
    set: SetId,
    ticked: &'a [String],
    suggested: &'a [String],
    outcome: Option<&'a Outcome>,
    error: Option<&'static str>,
    chosen_status: &'a str,
    typed_reason: &'a str,
}

impl AppState {
    fn assessment_page(
        &self,
        session: &StaffSession,
        status: StatusCode,
        page: AssessmentPage<'_>,
    ) -> Response {
        let AssessmentPage {
            report_id,
            person,
            set,
            ticked,
            suggested,
            outcome,
            error,
            chosen_status,
            typed_reason,
        } = page;
        let lang = crate::types::language_or_default(&session.0.user.language);
        let cat = self.intake.catalogue();
        let dimensions: Vec<Value> = cat
            .dimensions()
            .iter()
            .map(|d| {
                let result = outcome.and_then(|o| o.dimension(d));
                let indicators: Vec<Value> = cat
                    .indicators_in(d, set)
                    .into_iter()
                    .map(|i| {
                        let id = i.id().as_str().to_owned();
                        context! {
                            key => i.id().fluent_key(),
                            grade => i.grade(set).map(|g| g.as_str()).unwrap_or(""),
                            provisional => i.is_provisional(set),
                            checked => ticked.contains(&id),
                            suggested => suggested.contains(&id),
                            counted => result.is_some_and(|r| r.made_by.iter().any(|m| m.as_str() == id)),
                            id,
                        }
                    })
                    .collect();
                context! {
                    id => d.as_str().to_owned(),
                    key => d.fluent_key(),
                    indicators,
                    evaluated => result.is_some(),
                    present => result.is_some_and(|r| r.present),
                    made_by => result.map(|r| r.made_by.iter().map(|m| m.fluent_key()).collect::<Vec<_>>()).unwrap_or_default(),
                }
            })
            .collect();
        let ctx = context! {
            report_id, person, dimensions,
            set => set.as_str(),
            sets => SetId::ALL.iter().map(|s| context! { id => s.as_str(), key => s.fluent_key(), current => *s == set }).collect::<Vec<_>>(),
            outcome => outcome.map(|o| context! {
                presumed => o.presumed_victim,
                rule_key => format!("assessment-rule-{}", if set.rule() == crate::assess::RuleId::Child { "child" } else { "adult" }),
                provisional => !o.provisional.is_empty(),
            }),
            statuses => ANALYST_STATUSES,
            chosen_status, typed_reason,
            reason_missing => error == Some("assessment-error-reason"),
            error => error.map(|k| self.i18n.t(lang, k, None)),
            ..self.staff_context(&session.0)
        };
        self.render(status, "staff/assessment.html", ctx)
    }
}

/// `GET /staff/reports/{id}/assessment?person=N&set=…`.
pub async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    Query(q): Query<AssessQuery>,
) -> Result<Response, StaffError> {
    let actor = session.0.user.actor();
    let (case, signs) = app::open::reporter_signs(&state.app(), &actor, &id).await?;
    let child = case.triage.child_involved == "yes";
    let default_set = match (
        child,
        case.triage.category.contains("sexual")
            || case.triage.category.contains("grooming")
            || case.triage.category.contains("abuse_material")
            || case.triage.category.contains("travel"),
    ) {
        (true, true) => SetId::ChildSexual,
        (true, false) => SetId::ChildLabour,
        (false, true) => SetId::AdultSexual,
        (false, false) => SetId::AdultLabour,
    };
    let set = q
        .set
        .as_deref()
        .and_then(SetId::parse)
        .unwrap_or(default_set);
    let person = q.person.unwrap_or(1).clamp(1, MAX_PERSONS);
    let suggested: Vec<String> = state
        .intake
        .catalogue()
        .suggestions_for_signs(&signs, set)
        .into_iter()
        .map(|i| i.as_str().to_owned())
        .collect();
    let page = AssessmentPage {
        report_id: &case.id,
        person,
        set,
        ticked: &suggested,
        suggested: &suggested,
        outcome: None,
        error: None,
        chosen_status: "",
        typed_reason: "",
    };
    Ok(state.assessment_page(&session, StatusCode::OK, page))
}

/// `POST /staff/reports/{id}/assessment`: shows the outcome, or saves it.
pub async fn submit(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, StaffError> {
    let form = AssessForm::from_pairs(pairs);
    let actor = session.0.user.actor();
    let app = state.app();
    let case = app::cases::case_for(&app, &actor, &id, Action::Assess).await?;
    let Some(set) = SetId::parse(&form.set) else {
        return Err(StaffProblem::Conflict.into());
    };
    let person = form.person.clamp(1, MAX_PERSONS);
    let cat = state.intake.catalogue().clone();
    let ticked: Vec<_> = form
        .ticked
        .iter()
        .filter_map(|t| cat.indicator_id(t))
        .collect();
    let ticked_ids: Vec<String> = ticked.iter().map(|t| t.as_str().to_owned()).collect();
    let outcome = evaluate(&cat, &set, &ticked);
    let (_, signs) = app::open::reporter_signs(&app, &actor, &case.id).await?;
    let suggested: Vec<String> = cat
        .suggestions_for_signs(&signs, set)
        .into_iter()
        .map(|i| i.as_str().to_owned())
        .collect();
    let status = form.status.trim();
    let reason = form.reason.trim();
    let chosen = ANALYST_STATUSES.iter().find(|s| **s == status).copied();
    let problem = if !status.is_empty() && chosen.is_none() {
        Some("assessment-error-status")
    } else if chosen.is_some() && reason.is_empty() {
        Some("assessment-error-reason")
    } else {
        None
    };
    if !form.save || problem.is_some() {
        let code = if problem.is_some() {
            Refusal::Invalid.status()
        } else {
            StatusCode::OK
        };
        let page = AssessmentPage {
            report_id: &case.id,
            person,
            set,
            ticked: &ticked_ids,
            suggested: &suggested,
            outcome: Some(&outcome),
            error: problem,
            chosen_status: status,
            typed_reason: reason,
        };
        return Ok(state.assessment_page(&session, code, page));
    }
    let new = NewAssessment {
        person,
        set,
        ticked: ticked_ids,
        suggested: &suggested,
        outcome: &outcome,
        chosen_status: chosen,
        reason,
    };
    assessment::save(&app, &actor, &case.id, new).await?;
    Ok(Redirect::to(&format!("/staff/reports/{}#assessments", case.id)).into_response())
}
