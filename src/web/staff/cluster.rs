//! `GET /staff/reports/{id}/cluster`: the reports around one report as a graph (a server-drawn
//! SVG, no script) with the same facts as tables below it.
//!
//! Opening it needs the same permission as opening the report. The graph is gathered hop by hop
//! from the blind index and the links made by hand; a report the viewer may not see (the role
//! rule) is never gathered, never walked through, and neither it nor an identifier only it
//! carries is drawn, so the page cannot hint that it exists. The view is audited before any
//! identifier is unsealed: once for the report (`report.cluster`) and once for every other
//! report drawn (`report.cluster_member`), whose identifiers the page shows; if the trail cannot
//! record, nothing is shown.

use super::auth::StaffSession;
use crate::app;
use crate::app::cluster::Cluster;
use crate::intake::categories;
use crate::link::cluster::{self, Caption, ManualKind};
use crate::link::index;
use crate::store::cases::CaseRow;
use crate::types::ReportId;
use crate::web::AppState;
use crate::web::dates::day as date;
use crate::web::error::StaffError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentArgs;
use minijinja::{Value, context};

/// The short form of a report id shown in the graph: its last eight characters (the random
/// end of a UUIDv7, where the start is a timestamp shared by reports filed together).
fn short(id: &ReportId) -> String {
    let chars: Vec<char> = id.as_str().chars().collect();
    chars
        .get(chars.len().saturating_sub(8)..)
        .map(|c| c.iter().collect())
        .unwrap_or_default()
}

pub async fn page(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<ReportId>,
) -> Result<Response, StaffError> {
    let user = &session.0.user;
    let lang = crate::types::language_or_default(&user.language);
    let cluster = app::cluster::gather(&state.app(), &user.actor(), &id).await?;
    let ctx = cluster_context(&state, lang, &cluster);
    let ctx = context! { ..ctx, ..state.staff_context(&session.0) };
    Ok(state.render(StatusCode::OK, "staff/cluster.html", ctx))
}

/// The page's context: the drawing and the tables that say the same.
fn cluster_context(state: &AppState, lang: &str, cluster: &Cluster) -> Value {
    let Cluster {
        center,
        graph,
        gathered,
    } = cluster;
    {
        let t = |key: &str| state.i18n.t(lang, key, None);
        let sealer = state.intake.sealer();
        let category_key = |case: Option<&CaseRow>| {
            case.and_then(|c| categories::by_id(&c.triage.category))
                .map(|c| c.label_key())
                .unwrap_or_default()
        };

        // Each identifier is shown from the sealed copy of the first report drawn that carries
        // it: the report itself when it does.
        let identifier_text: Vec<(String, String)> = graph
            .identifiers
            .iter()
            .map(|node| {
                let kind = t(&format!("identifier-kind-{}", node.key.kind));
                let shown =
                    node.carriers
                        .first()
                        .and_then(|r| graph.reports.get(*r))
                        .and_then(|owner| {
                            let row =
                                gathered.rows.get(&owner.id)?.iter().find(|row| {
                                    row.kind == node.key.kind && row.mac == node.key.mac
                                })?;
                            index::open(sealer, &owner.id, row)
                        })
                        .map(|s| s.shown)
                        .unwrap_or_default();
                (kind, shown)
            })
            .collect();

        let reports: Vec<Value> = graph
            .reports
            .iter()
            .map(|node| {
                let case = gathered.cases.get(&node.id);
                context! {
                    id => node.id.clone(),
                    short => short(&node.id),
                    center => node.id == *center,
                    received => case.map(|c| date(c.triage.received_at)).unwrap_or_default(),
                    category_key => category_key(case),
                    status_key => case.map(|c| format!("status-{}", c.triage.status.replace('_', "-"))).unwrap_or_default(),
                    hop => node.hop,
                }
            })
            .collect();
        let report_ref = |i: usize| {
            graph
                .reports
                .get(i)
                .map(|r| context! { id => r.id.clone(), short => short(&r.id) })
        };
        let identifiers: Vec<Value> = graph
            .identifiers
            .iter()
            .zip(&identifier_text)
            .map(|(node, (kind, shown))| {
                context! {
                    kind => kind.clone(), shown => shown.clone(),
                    reports => node.carriers.iter().filter_map(|r| report_ref(*r)).collect::<Vec<_>>(),
                }
            })
            .collect();
        let manual: Vec<Value> = graph
            .manual
            .iter()
            .map(|edge| {
                context! {
                    from => report_ref(edge.from), to => report_ref(edge.to),
                    duplicate => edge.kind == ManualKind::Duplicate,
                }
            })
            .collect();

        let svg = (graph.reports.len() > 1).then(|| {
            let labels: Vec<cluster::ReportLabel> = graph
                .reports
                .iter()
                .map(|node| {
                    let case = gathered.cases.get(&node.id);
                    let received = case.map(|c| date(c.triage.received_at)).unwrap_or_default();
                    let category = t(&category_key(case));
                    let mut args = FluentArgs::new();
                    args.set("report", short(&node.id));
                    args.set("received", received.clone());
                    args.set("category", category.clone());
                    cluster::ReportLabel {
                        line1: format!("{} · {received}", short(&node.id)),
                        line2: category,
                        title: state.i18n.t(lang, "cluster-node-title", Some(&args)),
                    }
                })
                .collect();
            let texts: Vec<String> = identifier_text
                .iter()
                .map(|(kind, shown)| format!("{kind}: {shown}"))
                .collect();
            let mut args = FluentArgs::new();
            args.set("report", short(center));
            let title = state.i18n.t(lang, "cluster-graph-title", Some(&args));
            let mut args = FluentArgs::new();
            args.set("reports", graph.reports.len());
            args.set("identifiers", graph.identifiers.len());
            args.set("manual", graph.manual.len());
            let caption = Caption {
                title,
                desc: state.i18n.t(lang, "cluster-graph-desc", Some(&args)),
                legend_shared: t("cluster-legend-shared"),
                legend_duplicate: t("cluster-legend-duplicate"),
                legend_linked: t("cluster-legend-linked"),
            };
            let layout = cluster::layout(graph);
            Value::from_safe_string(cluster::svg(graph, &layout, &labels, &texts, &caption))
        });

        context! {
            report => context! {
                id => center.to_owned(), short => short(center),
                category_key => category_key(gathered.cases.get(center)),
            },
            svg,
            capped => graph.capped,
            cap => cluster::MAX_REPORTS,
            reports, identifiers, manual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_the_random_end() {
        assert_eq!(
            short(&"0190f1e2-aaaa-7bbb-8ccc-1234567890ab".into()),
            "567890ab"
        );
        assert_eq!(short(&"abc".into()), "abc");
        assert_eq!(short(&"".into()), "");
    }
}
