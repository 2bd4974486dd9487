//! Saving an assessment of a person a report describes, and deciding the report's urgency again
//! from its facts and the latest assessment of each person: the assessment, its audit entry and
//! the new urgency are written in one transaction.

use super::{App, CaseError, commit};
use crate::assess::saved::{self, Detail};
use crate::assess::urgency::{Fact, decide};
use crate::assess::{Outcome, RuleId, SetId};
use crate::intake::sealed::{open_report, seal_reasons};
use crate::staff::audit::AuditEntry;
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor};
use crate::store::assessments::{self, AssessmentRow};
use crate::store::{StoreError, reports};
use crate::types::ReportId;
use sqlx::AnyConnection;

/// HTCDS `vic_TraffickingStatus` values an analyst may record by hand (with a reason).
pub const ANALYST_STATUSES: [&str; 2] = ["NotAVictimOfTrafficking", "ActualVictimOfTrafficking"];
/// What a presumption suggests.
pub const SUGGESTED_STATUS: &str = "PossibleVictimOfTrafficking";

/// An assessment as the analyst made it.
#[derive(Debug)]
pub struct NewAssessment<'a> {
    pub person: i64,
    pub set: SetId,
    /// The indicator ids ticked.
    pub ticked: Vec<String>,
    /// The indicator ids the reporter's warning signs suggested.
    pub suggested: &'a [String],
    /// What the rule made of the ticks.
    pub outcome: &'a Outcome,
    /// One of [`ANALYST_STATUSES`], recorded by hand with `reason`.
    pub chosen_status: Option<&'static str>,
    pub reason: &'a str,
}

/// Saves an assessment (earlier ones are kept) and decides the urgency again. The rule's outcome
/// is a suggestion: a presumption suggests "possible victim"; only the analyst records "not a
/// victim" or "actual victim", with a reason.
pub async fn save(
    app: &App<'_>,
    actor: &Actor,
    report_id: &ReportId,
    new: NewAssessment<'_>,
) -> Result<(), CaseError> {
    let case = super::cases::case_for(app, actor, report_id, Action::Assess).await?;
    let NewAssessment {
        person,
        set,
        ticked,
        suggested,
        outcome,
        chosen_status,
        reason,
    } = new;
    let trafficking_status = chosen_status.or(outcome.presumed_victim.then_some(SUGGESTED_STATUS));
    let detail = Detail {
        seen_by_reporter: suggested
            .iter()
            .filter(|s| ticked.contains(s))
            .cloned()
            .collect(),
        ticked,
        status_reason: if chosen_status.is_some() {
            reason.to_owned()
        } else {
            String::new()
        },
        presumed: outcome.presumed_victim,
        trafficking_status: trafficking_status.map(str::to_owned),
    };
    let now = app.now();
    let mut row = AssessmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        report_id: case.id.clone(),
        person,
        set_id: set.as_str().to_owned(),
        rule: if set.rule() == RuleId::Child {
            "child".into()
        } else {
            "adult".into()
        },
        detail: Vec::new(),
        created_by: actor.user_id.clone(),
        created_by_name: String::new(),
        created_at: now,
    };
    row.detail = saved::seal(app.sealer, &row, &detail);
    // The report's own facts are opened before the lock is taken.
    let facts = report_facts(app, &case.id).await?;
    let mut tx = app.begin().await?;
    assessments::insert_in(tx.conn(), &row).await?;
    let entry = AuditEntry {
        actor: actor.user_id.as_str(),
        action: AuditAction::AssessmentSave,
        report_id: Some(&case.id),
        detail: &format!("person={person} set={}", set.as_str()),
    };
    tx.record(entry, now).await.map_err(CaseError::audit)?;
    decide_urgency(app, tx.conn(), &case.id, facts).await?;
    commit(tx).await
}

/// The facts of the report itself, as the urgency rules see them.
async fn report_facts(app: &App<'_>, report_id: &ReportId) -> Result<Vec<Fact>, StoreError> {
    let stored = reports::by_id(app.db, report_id)
        .await?
        .ok_or(StoreError::Corrupt)?;
    let content = open_report(app.sealer, &stored)?;
    let today = app.clock.now().date();
    Ok(content.facts(stored.triage.child_involved == "yes", today))
}

/// Decides a report's urgency from its `facts` and the latest assessment of each person, as
/// `conn` sees them, and stores it with its reasons (sealed).
async fn decide_urgency(
    app: &App<'_>,
    conn: &mut AnyConnection,
    report_id: &ReportId,
    mut facts: Vec<Fact>,
) -> Result<(), StoreError> {
    // The latest assessment of each person counts.
    let all = assessments::of_report_in(conn, report_id).await?;
    let mut latest: std::collections::BTreeMap<i64, bool> = std::collections::BTreeMap::new();
    for a in &all {
        // One that cannot be opened (damaged, or moved here) presumes nothing.
        let presumed = saved::open(app.sealer, a).is_some_and(|d| d.presumed);
        latest.insert(a.person, presumed);
    }
    if latest.values().any(|p| *p) {
        facts.push(Fact::PresumedVictim);
    }
    let decision = decide(app.catalogue.urgency_rules(), &facts);
    let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.as_str()).collect();
    let sealed = seal_reasons(app.sealer, report_id, &reasons);
    assessments::set_urgency_in(conn, report_id, decision.level.as_str(), &sealed).await
}
