//! Gathering the cluster of a report: the reports around it, hop by hop, from the blind index and
//! the links made by hand, as far as the actor may see them, and the graph drawn from them.
//!
//! A report the actor may not see (the role rule) is never gathered, never walked through, and
//! neither it nor an identifier only it carries is drawn. The view is audited before any
//! identifier is unsealed, in one transaction: once for the report (`report.cluster`) and once
//! for every other report drawn (`report.cluster_member`), whose identifiers the page shows; if
//! the trail cannot record, nothing is shown.

use super::cases::case_for;
use super::{App, CaseError, commit};
use crate::link::cluster::{self, Graph, IdentifierKey, ReportFacts};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor, ReportAccess, can_see};
use crate::store::StoreError;
use crate::store::cases::{self, CaseRow};
use crate::store::links::{self, IdentifierRow};
use crate::types::{ReportId, Visibility};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What was gathered around the report: the visible reports only.
#[derive(Default)]
pub struct Gathered {
    pub facts: Vec<ReportFacts>,
    pub cases: HashMap<ReportId, CaseRow>,
    /// The identifiers of each report gathered, still sealed.
    pub rows: HashMap<ReportId, Vec<IdentifierRow>>,
}

impl Gathered {
    /// Adds a visible report; with `expand`, returns the ids of its neighbours (sharing an
    /// identifier or linked by hand), ascending.
    async fn add(
        &mut self,
        app: &App<'_>,
        case: CaseRow,
        visibility: &Visibility,
        expand: bool,
    ) -> Result<Vec<ReportId>, StoreError> {
        let rows = links::of_report(app.db, &case.id).await?;
        let manual = links::manual(app.db, &case.id).await?;
        let mut next = BTreeSet::new();
        if expand {
            // The most recently filed holders of each identifier, one more than can be drawn
            // (so the graph knows when it was cut).
            let most = cluster::MAX_REPORTS + 1;
            for h in links::holders(app.db, &case.id, &rows, visibility, most, most).await? {
                next.extend(h.latest);
            }
            next.extend(manual.iter().map(|l| l.other_id.clone()));
        }
        self.facts.push(ReportFacts {
            id: case.id.clone(),
            visible: true,
            identifiers: rows
                .iter()
                .map(|r| IdentifierKey {
                    kind: r.kind.clone(),
                    mac: r.mac.clone(),
                })
                .collect(),
            manual,
        });
        self.rows.insert(case.id.clone(), rows);
        self.cases.insert(case.id.clone(), case);
        Ok(next.into_iter().collect())
    }
}

/// A cluster as its page shows it: the graph, and what was gathered to draw it.
pub struct Cluster {
    pub center: ReportId,
    pub graph: Graph,
    pub gathered: Gathered,
}

/// Gathers the cluster of case `id` for `actor` (who must be allowed to open the report) and
/// audits the view.
pub async fn gather(app: &App<'_>, actor: &Actor, id: &ReportId) -> Result<Cluster, CaseError> {
    let case = case_for(app, actor, id, Action::OpenReport).await?;
    let center = case.id.clone();
    let gathered = gather_around(app, actor, case).await?;
    let graph = cluster::build(&center, &gathered.facts, cluster::MAX_REPORTS);

    // Audited before anything is unsealed; nothing is shown if the trail cannot record.
    let detail = format!(
        "reports={} identifiers={}{}",
        graph.reports.len(),
        graph.identifiers.len(),
        if graph.capped { " capped" } else { "" }
    );
    let mut tx = app.begin().await?;
    app.record(
        &mut tx,
        &actor.user_id,
        AuditAction::ReportCluster,
        Some(&center),
        &detail,
    )
    .await?;
    let member = format!("cluster={center}");
    for node in graph.reports.iter().filter(|r| r.id != center) {
        app.record(
            &mut tx,
            &actor.user_id,
            AuditAction::ReportClusterMember,
            Some(&node.id),
            &member,
        )
        .await?;
    }
    commit(tx).await?;
    Ok(Cluster {
        center,
        graph,
        gathered,
    })
}

/// Gathers the report, its neighbours and theirs, as far as `actor` may see them, stopping one
/// report past the cap (so the graph knows it was cut). The cases of each hop are read in one
/// query.
async fn gather_around(
    app: &App<'_>,
    actor: &Actor,
    center: CaseRow,
) -> Result<Gathered, StoreError> {
    let mut gathered = Gathered::default();
    let mut looked: HashSet<ReportId> = HashSet::from([center.id.clone()]);
    let visibility = Visibility::of(actor);
    let mut frontier = gathered.add(app, center, &visibility, true).await?;
    for hop in 1..=2 {
        let unseen: Vec<ReportId> = frontier
            .iter()
            .filter(|id| !looked.contains(*id))
            .cloned()
            .collect();
        let mut found: HashMap<ReportId, CaseRow> = cases::get_many(app.db, &unseen)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut next: BTreeSet<ReportId> = BTreeSet::new();
        for id in frontier {
            if gathered.facts.len() > cluster::MAX_REPORTS {
                break;
            }
            if !looked.insert(id.clone()) {
                continue;
            }
            let Some(case) = found.remove(&id) else {
                continue;
            };
            if !can_see(actor, &ReportAccess::of(&case)) {
                continue;
            }
            next.extend(gathered.add(app, case, &visibility, hop < 2).await?);
        }
        frontier = next.into_iter().collect();
    }
    Ok(gathered)
}
