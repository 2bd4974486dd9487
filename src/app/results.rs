//! Opening a page of search results: the index answers with the reports the actor may see; their
//! cases are read in one query, audited in one transaction (`report.search_result`, one entry per
//! report shown, so that the trail of each report names every page that showed it), and only
//! then unsealed to find the passage that matched.

use super::{App, CaseError, commit};
use crate::followup::conversation;
use crate::intake::sealed::open_report_parts;
use crate::search::highlight::{Passage, passage};
use crate::search::query::{self, Word};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor, ReportAccess, allowed};
use crate::store::cases::{self, CaseRow};
use crate::store::search::Narrowing;
use crate::store::{followup, reports};
use crate::types::{ReportId, Visibility};
use std::collections::{HashMap, HashSet};

/// One result as shown: the case, and the passage that matched (`None` when none can be shown,
/// e.g. a group damaged at rest).
pub struct Shown {
    pub case: CaseRow,
    pub passage: Option<Passage>,
}

/// A page of results.
#[derive(Default)]
pub struct ResultPage {
    /// Best first.
    pub shown: Vec<Shown>,
    /// More results follow this page.
    pub more: bool,
    /// Reports the actor may see that the index has not taken in yet.
    pub waiting: u64,
}

/// Searches for `words` under `narrowing`, as `actor` may see, and opens the page that starts at
/// `offset`. Nothing is shown when the views cannot be audited.
pub async fn search(
    app: &App<'_>,
    actor: &Actor,
    words: &[Word],
    narrowing: &Narrowing,
    offset: usize,
    limit: usize,
) -> Result<ResultPage, CaseError> {
    let visibility = Visibility::of(actor);
    let found = query::search(
        app.db,
        app.terms,
        words,
        narrowing,
        &visibility,
        offset,
        limit,
    )
    .await?;
    let ids: Vec<ReportId> = found.hits.into_iter().map(|h| h.report_id).collect();
    let shown = open_results(app, actor, &ids, words).await?;
    // Results leave out what the index has not taken in yet: say so, with how many. The results
    // stand without it: a failure to count only leaves the notice out.
    let waiting = crate::store::search::not_yet_searchable(app.db, &visibility)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "reports not yet searchable could not be counted");
            0
        });
    Ok(ResultPage {
        shown,
        more: found.more,
        waiting,
    })
}

/// Opens the reports `ids` (best first) with the passage that matched `words`.
pub async fn open_results(
    app: &App<'_>,
    actor: &Actor,
    ids: &[ReportId],
    words: &[Word],
) -> Result<Vec<Shown>, CaseError> {
    let mut found: HashMap<ReportId, CaseRow> = cases::get_many(app.db, ids)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    // The index narrowed by the role rule already; a case restricted since is left out.
    let visible: Vec<CaseRow> = ids
        .iter()
        .filter_map(|id| found.remove(id))
        .filter(|case| allowed(actor, Action::OpenReport, Some(&ReportAccess::of(case))))
        .collect();
    if visible.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = app.begin().await?;
    for case in &visible {
        app.record(
            &mut tx,
            &actor.user_id,
            AuditAction::ReportSearchResult,
            Some(&case.id),
            "",
        )
        .await?;
    }
    commit(tx).await?;

    let wanted: HashSet<String> = words.iter().flat_map(|w| w.terms.clone()).collect();
    let ids: Vec<ReportId> = visible.iter().map(|c| c.id.clone()).collect();
    let mut stored: HashMap<ReportId, reports::StoredReport> = reports::by_ids(app.db, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut shown: Vec<Shown> = Vec::with_capacity(visible.len());
    let mut unmatched: Vec<ReportId> = Vec::new();
    for case in visible {
        let stored = stored
            .remove(&case.id)
            .ok_or(crate::store::StoreError::Corrupt)?;
        // A group damaged at rest only has no passage to show.
        let content = open_report_parts(app.sealer, &stored).content;
        let language = case.triage.language.as_str();
        let fields = [
            content.narrative.narrative.as_str(),
            content.people.victims_description.as_str(),
            content.people.exploiters_description.as_str(),
            content.place.venue.as_str(),
            content.place.city.as_str(),
        ];
        let mut found = fields.iter().find_map(|f| passage(f, language, &wanted));
        if found.is_none()
            && let Some(a) = &content.abuse_material
        {
            found = passage(&a.where_found, language, &wanted);
        }
        if found.is_none() {
            unmatched.push(case.id.clone());
        }
        shown.push(Shown {
            case,
            passage: found,
        });
    }
    // What the report itself does not hold came in a message: the conversations of those
    // reports, read together.
    if !unmatched.is_empty() {
        let mut by_report: HashMap<ReportId, Vec<followup::MessageRow>> = HashMap::new();
        for m in followup::messages_of_many(app.db, &unmatched).await? {
            by_report.entry(m.report_id.clone()).or_default().push(m);
        }
        for s in shown.iter_mut().filter(|s| s.passage.is_none()) {
            let Some(rows) = by_report.remove(&s.case.id) else {
                continue;
            };
            let language = s.case.triage.language.as_str();
            s.passage = conversation::open_messages(app.sealer, rows)
                .iter()
                .find_map(|m| passage(&m.body, language, &wanted));
        }
    }
    Ok(shown)
}
