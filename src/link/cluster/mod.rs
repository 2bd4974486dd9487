//! The cluster around one report, as a graph: the report, the reports sharing an identifier with
//! it, and the reports sharing one with those (two hops), with links made by hand as edges; and
//! its drawing as an inline SVG.
//!
//! Pure: the caller gathers what the store knows ([`ReportFacts`]: blind-index keys, never the
//! identifiers themselves) and says which reports the viewer may see. Reports the viewer may not
//! see are dropped before anything else and never walked through, and an identifier is drawn only
//! when at least two drawn reports carry it, so the graph cannot hint that a hidden report
//! exists. The layout is deterministic: reports in one column, identifiers in the other, ordered
//! by barycentres to reduce crossings. The SVG holds no script and no `style`: only presentation
//! attributes, every label XML-escaped.

mod layout;
mod svg;

pub use layout::{Layout, WIDTH, crossings, layout, naive_positions};
pub use svg::{Caption, ReportLabel, label, svg};

use crate::store::links::ManualLink;
use crate::types::ReportId;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Most report nodes drawn, the report itself included.
pub const MAX_REPORTS: usize = 60;

/// An identifier as matched: its kind and blind index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentifierKey {
    pub kind: String,
    pub mac: Vec<u8>,
}

/// What the graph needs to know about one report, gathered by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    pub id: ReportId,
    /// Whether the viewer may see that this report exists (the role rule).
    pub visible: bool,
    /// Its identifiers (blind-index keys).
    pub identifiers: Vec<IdentifierKey>,
    /// Its links made by hand, seen from it.
    pub manual: Vec<ManualLink>,
}

/// One report drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportNode {
    pub id: ReportId,
    /// 0 for the report itself, 1 for its neighbours, 2 for theirs.
    pub hop: u8,
}

/// One identifier drawn: carried by at least two drawn reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierNode {
    pub key: IdentifierKey,
    /// Indices into [`Graph::reports`], ascending.
    pub carriers: Vec<usize>,
}

/// What a link made by hand says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ManualKind {
    /// `from` is a duplicate of `to`.
    Duplicate,
    /// The two are linked (no direction).
    Linked,
}

/// A link made by hand between two drawn reports (indices into [`Graph::reports`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManualEdge {
    pub from: usize,
    pub to: usize,
    pub kind: ManualKind,
}

/// The cluster around one report. `reports[0]` is that report (when the viewer may see it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Graph {
    pub reports: Vec<ReportNode>,
    pub identifiers: Vec<IdentifierNode>,
    pub manual: Vec<ManualEdge>,
    /// More reports are connected than [`MAX_REPORTS`] (or the cap given) allowed to draw.
    pub capped: bool,
}

impl Graph {
    /// Every (report, identifier) edge, as indices.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.identifiers
            .iter()
            .enumerate()
            .flat_map(|(i, node)| node.carriers.iter().map(move |r| (*r, i)))
    }
}

/// The visible reports gathered, who carries each identifier and who is linked by hand to whom.
struct Known<'a> {
    seen: BTreeMap<&'a str, &'a ReportFacts>,
    carriers: BTreeMap<&'a IdentifierKey, BTreeSet<&'a str>>,
    by_hand: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> Known<'a> {
    /// Indexes the visible reports only: a hidden one is as if it had not been gathered.
    fn new(facts: &'a [ReportFacts]) -> Self {
        let mut seen: BTreeMap<&str, &ReportFacts> = BTreeMap::new();
        for f in facts.iter().filter(|f| f.visible) {
            seen.entry(f.id.as_str()).or_insert(f);
        }
        let mut carriers: BTreeMap<&IdentifierKey, BTreeSet<&str>> = BTreeMap::new();
        let mut by_hand: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (&id, f) in &seen {
            for key in &f.identifiers {
                carriers.entry(key).or_default().insert(id);
            }
            for link in &f.manual {
                if let Some((&other, _)) = seen.get_key_value(link.other_id.as_str())
                    && other != id
                {
                    by_hand.entry(id).or_default().insert(other);
                    by_hand.entry(other).or_default().insert(id);
                }
            }
        }
        Self {
            seen,
            carriers,
            by_hand,
        }
    }

    /// The neighbours of one report, with how many identifiers each shares with it (0 for a
    /// link made by hand only).
    fn neighbours(&self, id: &str) -> BTreeMap<&'a str, usize> {
        let mut out: BTreeMap<&'a str, usize> = BTreeMap::new();
        if let Some(f) = self.seen.get(id) {
            let keys: BTreeSet<&IdentifierKey> = f.identifiers.iter().collect();
            for key in keys {
                for &other in self.carriers.get(key).into_iter().flatten() {
                    if other != id {
                        *out.entry(other).or_default() += 1;
                    }
                }
            }
        }
        for &other in self.by_hand.get(id).into_iter().flatten() {
            out.entry(other).or_default();
        }
        out
    }
}

/// Builds the graph around `center` from what was gathered, with at most `cap` report nodes.
/// Order of `facts` does not matter.
pub fn build(center: &ReportId, facts: &[ReportFacts], cap: usize) -> Graph {
    let known = Known::new(facts);
    if cap == 0 || !known.seen.contains_key(center.as_str()) {
        return Graph::default();
    }
    let mut chosen: Vec<ReportNode> = vec![ReportNode {
        id: center.clone(),
        hop: 0,
    }];
    let mut taken: BTreeSet<String> = BTreeSet::from([center.to_string()]);
    let mut capped = false;
    let mut frontier: Vec<String> = vec![center.to_string()];
    for hop in 1..=2u8 {
        let mut candidates: BTreeMap<&str, usize> = BTreeMap::new();
        for from in &frontier {
            for (other, shared) in known.neighbours(from) {
                if !taken.contains(other) {
                    *candidates.entry(other).or_default() += shared;
                }
            }
        }
        let mut ordered: Vec<(&str, usize)> = candidates.into_iter().collect();
        ordered.sort_by_key(|(id, shared)| (Reverse(*shared), *id));
        frontier = Vec::new();
        for (id, _) in ordered {
            if chosen.len() >= cap {
                capped = true;
                break;
            }
            taken.insert(id.to_owned());
            frontier.push(id.to_owned());
            chosen.push(ReportNode {
                id: ReportId::from(id),
                hop,
            });
        }
        if capped {
            break;
        }
    }

    let index: HashMap<&str, usize> = chosen
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut identifiers: Vec<IdentifierNode> = known
        .carriers
        .iter()
        .filter_map(|(key, ids)| {
            let mut on: Vec<usize> = ids
                .iter()
                .filter_map(|id| index.get(*id).copied())
                .collect();
            on.sort_unstable();
            (on.len() >= 2).then(|| IdentifierNode {
                key: (*key).clone(),
                carriers: on,
            })
        })
        .collect();
    identifiers.sort_by(|a, b| a.carriers.cmp(&b.carriers).then(a.key.cmp(&b.key)));

    let mut manual: BTreeSet<ManualEdge> = BTreeSet::new();
    for (i, node) in chosen.iter().enumerate() {
        let Some(f) = known.seen.get(node.id.as_str()) else {
            continue;
        };
        for link in &f.manual {
            let Some(&j) = index.get(link.other_id.as_str()) else {
                continue;
            };
            if i == j {
                continue;
            }
            let edge = match link.kind.as_str() {
                "duplicate" => ManualEdge {
                    from: i,
                    to: j,
                    kind: ManualKind::Duplicate,
                },
                "duplicated_by" => ManualEdge {
                    from: j,
                    to: i,
                    kind: ManualKind::Duplicate,
                },
                _ => ManualEdge {
                    from: i.min(j),
                    to: i.max(j),
                    kind: ManualKind::Linked,
                },
            };
            manual.insert(edge);
        }
    }
    Graph {
        reports: chosen,
        identifiers,
        manual: manual.into_iter().collect(),
        capped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn key(n: u8) -> IdentifierKey {
        IdentifierKey {
            kind: "phone".into(),
            mac: vec![n; 4],
        }
    }

    pub(super) fn report(id: &str, keys: &[u8]) -> ReportFacts {
        ReportFacts {
            id: id.into(),
            visible: true,
            identifiers: keys.iter().map(|k| key(*k)).collect(),
            manual: vec![],
        }
    }

    pub(super) fn hidden(id: &str, keys: &[u8]) -> ReportFacts {
        ReportFacts {
            visible: false,
            ..report(id, keys)
        }
    }

    pub(super) fn ids(graph: &Graph) -> Vec<&str> {
        graph.reports.iter().map(|r| r.id.as_str()).collect()
    }

    pub(super) fn labels(graph: &Graph) -> (Vec<ReportLabel>, Vec<String>) {
        let reports = graph
            .reports
            .iter()
            .map(|r| ReportLabel {
                line1: r.id.to_string(),
                line2: "Other".into(),
                title: format!("Report {}", r.id),
            })
            .collect();
        let identifiers = graph
            .identifiers
            .iter()
            .map(|i| format!("Phone: {}", i.key.mac.first().copied().unwrap_or(0)))
            .collect();
        (reports, identifiers)
    }

    pub(super) fn draw(graph: &Graph) -> String {
        let (r, i) = labels(graph);
        svg(graph, &layout(graph), &r, &i, &Caption::default())
    }

    #[test]
    fn two_hops_through_shared_identifiers_and_nothing_beyond() {
        let facts = vec![
            report("a", &[1]),
            report("b", &[1, 2]),
            report("c", &[2, 3]),
            report("d", &[3]),
            report("lonely", &[9]),
        ];
        let graph = build(&"a".into(), &facts, MAX_REPORTS);
        assert_eq!(ids(&graph), ["a", "b", "c"], "d is three hops away");
        assert_eq!(
            graph.reports.iter().map(|r| r.hop).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            graph.identifiers.len(),
            2,
            "1 (a–b) and 2 (b–c); 3 has one drawn carrier"
        );
        assert_eq!(graph.edges().count(), 4);
        assert!(!graph.capped);
    }

    #[test]
    fn hidden_reports_and_what_only_they_carry_are_absent_and_never_walked_through() {
        let facts = vec![
            report("a", &[1, 5]),
            hidden("h", &[1, 2, 5]),
            // Reachable only through the hidden report.
            report("behind", &[2]),
            report("b", &[5]),
        ];
        let graph = build(&"a".into(), &facts, MAX_REPORTS);
        assert_eq!(ids(&graph), ["a", "b"]);
        let keys: Vec<&IdentifierKey> = graph.identifiers.iter().map(|i| &i.key).collect();
        assert_eq!(
            keys,
            [&key(5)],
            "identifier 1 links a only to the hidden report"
        );
        let drawn = draw(&graph);
        assert!(!drawn.contains("/staff/reports/h\"") && !drawn.contains("behind"));
        // Nothing of a hidden report shows, whichever side it is on.
        let graph = build(&"h".into(), &facts, MAX_REPORTS);
        assert!(graph.reports.is_empty() && graph.identifiers.is_empty());
    }

    #[test]
    fn the_cap_is_respected_and_said() {
        let mut facts = vec![report("center", &[1])];
        for n in 0..100 {
            facts.push(report(&format!("r{n:03}"), &[1, 2]));
        }
        let graph = build(&"center".into(), &facts, 10);
        assert_eq!(graph.reports.len(), 10);
        assert!(graph.capped);
        assert_eq!(graph.reports.first().map(|r| r.id.as_str()), Some("center"));
        let graph = build(&"center".into(), &facts, MAX_REPORTS);
        assert_eq!(graph.reports.len(), MAX_REPORTS);
        assert!(graph.capped);
        let small = build(&"center".into(), &facts[..5], MAX_REPORTS);
        assert_eq!(small.reports.len(), 5);
        assert!(!small.capped);
    }

    #[test]
    fn closer_and_more_strongly_linked_reports_come_first_under_the_cap() {
        let facts = vec![
            report("a", &[1, 2]),
            report("weak", &[1]),
            report("strong", &[1, 2]),
            report("far", &[1, 7]),
            report("farther", &[7]),
        ];
        let graph = build(&"a".into(), &facts, 3);
        assert_eq!(ids(&graph), ["a", "strong", "far"]);
        assert!(graph.capped);
    }

    #[test]
    fn links_made_by_hand_join_the_graph_as_edges() {
        let mut a = report("a", &[1]);
        a.manual.push(ManualLink {
            other_id: "dup".into(),
            kind: "duplicated_by".into(),
        });
        let mut dup = report("dup", &[]);
        dup.manual.push(ManualLink {
            other_id: "a".into(),
            kind: "duplicate".into(),
        });
        let mut b = report("b", &[1]);
        b.manual.push(ManualLink {
            other_id: "a".into(),
            kind: "linked".into(),
        });
        b.manual.push(ManualLink {
            other_id: "secret".into(),
            kind: "linked".into(),
        });
        let facts = vec![a, dup, b, hidden("secret", &[])];
        let graph = build(&"a".into(), &facts, MAX_REPORTS);
        assert_eq!(ids(&graph), ["a", "b", "dup"]);
        assert_eq!(
            graph.manual,
            [
                ManualEdge {
                    from: 0,
                    to: 1,
                    kind: ManualKind::Linked
                },
                ManualEdge {
                    from: 2,
                    to: 0,
                    kind: ManualKind::Duplicate
                },
            ]
        );
        let drawn = draw(&graph);
        assert_eq!(drawn.matches("<path ").count(), 2);
        assert!(!drawn.contains("secret"));
    }
}
