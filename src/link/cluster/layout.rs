//! Where the nodes of a [`Graph`] go: reports in one column, identifiers in the other, ordered
//! by barycentres to reduce crossings, deterministic.

use super::Graph;
use std::collections::HashMap;

/// Width of the drawing, in SVG user units.
pub const WIDTH: f64 = 480.0;
pub(super) const ARC_MARGIN: f64 = 30.0;
pub(super) const REPORT_X: f64 = ARC_MARGIN;
pub(super) const REPORT_W: f64 = 184.0;
pub(super) const REPORT_H: f64 = 42.0;
pub(super) const IDENT_X: f64 = 272.0;
pub(super) const IDENT_W: f64 = WIDTH - IDENT_X - 4.0;
pub(super) const IDENT_H: f64 = 28.0;
pub(super) const PITCH: f64 = 52.0;
const TOP: f64 = 6.0;
/// Rounds of barycentric reordering.
const ROUNDS: usize = 8;

/// Where everything goes: the vertical centre of each report and identifier node.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub report_y: Vec<f64>,
    pub identifier_y: Vec<f64>,
    /// Height of the graph part (the legend goes below it).
    pub height: f64,
}

/// The position of each item (by index) in `order`, as a fraction of the column, centred.
fn positions(order: &[usize]) -> Vec<f64> {
    let n = order.len().max(1) as f64;
    let mut out = vec![0.0; order.len()];
    for (rank, item) in order.iter().enumerate() {
        if let Some(slot) = out.get_mut(*item) {
            *slot = (rank as f64 + 0.5) / n;
        }
    }
    out
}

/// Sorts `order` by each item's mean neighbour position (its own position when it has none).
fn by_barycentre(order: &mut [usize], own: &[f64], other: &[f64], adjacency: &[Vec<usize>]) {
    let centre = |item: usize| -> f64 {
        let near = adjacency.get(item).map(Vec::as_slice).unwrap_or(&[]);
        let ys: Vec<f64> = near.iter().filter_map(|j| other.get(*j).copied()).collect();
        if ys.is_empty() {
            own.get(item).copied().unwrap_or(0.0)
        } else {
            ys.iter().sum::<f64>() / ys.len() as f64
        }
    };
    let keyed: HashMap<usize, f64> = order.iter().map(|i| (*i, centre(*i))).collect();
    order.sort_by(|a, b| {
        let ka = keyed.get(a).copied().unwrap_or(0.0);
        let kb = keyed.get(b).copied().unwrap_or(0.0);
        ka.total_cmp(&kb).then(a.cmp(b))
    });
}

/// How many report–identifier edges cross, with these positions.
pub fn crossings(graph: &Graph, report_pos: &[f64], ident_pos: &[f64]) -> usize {
    let edges: Vec<(f64, f64)> = graph
        .edges()
        .map(|(r, i)| {
            (
                report_pos.get(r).copied().unwrap_or(0.0),
                ident_pos.get(i).copied().unwrap_or(0.0),
            )
        })
        .collect();
    let mut count = 0;
    for (n, (a1, b1)) in edges.iter().enumerate() {
        for (a2, b2) in edges.iter().skip(n + 1) {
            if (a1 - a2) * (b1 - b2) < 0.0 {
                count += 1;
            }
        }
    }
    count
}

/// The node order before any reordering: reports as built (the report itself first),
/// identifiers as built.
pub fn naive_positions(graph: &Graph) -> (Vec<f64>, Vec<f64>) {
    let reports: Vec<usize> = (0..graph.reports.len()).collect();
    let identifiers: Vec<usize> = (0..graph.identifiers.len()).collect();
    (positions(&reports), positions(&identifiers))
}

/// Places the nodes: two columns, ordered by barycentres, keeping the order with the fewest
/// crossings seen.
pub fn layout(graph: &Graph) -> Layout {
    let nr = graph.reports.len();
    let ni = graph.identifiers.len();
    let mut of_report: Vec<Vec<usize>> = vec![Vec::new(); nr];
    for (r, i) in graph.edges() {
        if let Some(list) = of_report.get_mut(r) {
            list.push(i);
        }
    }
    let of_ident: Vec<Vec<usize>> = graph
        .identifiers
        .iter()
        .map(|n| n.carriers.clone())
        .collect();

    let mut report_order: Vec<usize> = (0..nr).collect();
    let mut ident_order: Vec<usize> = (0..ni).collect();
    let mut best = (
        crossings(graph, &positions(&report_order), &positions(&ident_order)),
        report_order.clone(),
        ident_order.clone(),
    );
    for _ in 0..ROUNDS {
        let rp = positions(&report_order);
        let own = positions(&ident_order);
        by_barycentre(&mut ident_order, &own, &rp, &of_ident);
        let ip = positions(&ident_order);
        by_barycentre(&mut report_order, &rp, &ip, &of_report);
        let count = crossings(graph, &positions(&report_order), &positions(&ident_order));
        if count < best.0 {
            best = (count, report_order.clone(), ident_order.clone());
        }
    }
    let rows = nr.max(ni).max(1) as f64;
    let span = rows * PITCH;
    let place = |order: &[usize]| -> Vec<f64> {
        positions(order)
            .into_iter()
            .map(|p| TOP + p * span)
            .collect()
    };
    Layout {
        report_y: place(&best.1),
        identifier_y: place(&best.2),
        height: TOP * 2.0 + span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::cluster::tests::{draw, report};
    use crate::link::cluster::{MAX_REPORTS, build};

    #[test]
    fn layout_and_drawing_are_deterministic_whatever_the_order_of_the_facts() {
        let mut facts = vec![
            report("a", &[1, 2, 3]),
            report("b", &[3, 4]),
            report("c", &[1, 4]),
            report("d", &[2, 5]),
            report("e", &[5, 4]),
            report("f", &[2]),
        ];
        let first = draw(&build(&"a".into(), &facts, MAX_REPORTS));
        facts.reverse();
        let graph = build(&"a".into(), &facts, MAX_REPORTS);
        assert_eq!(draw(&graph), first);
        assert_eq!(layout(&graph), layout(&graph));
        // Reordering never makes it worse than the order as built.
        let (r, i) = naive_positions(&graph);
        let l = layout(&graph);
        assert!(crossings(&graph, &l.report_y, &l.identifier_y) <= crossings(&graph, &r, &i));
    }

    #[test]
    fn reordering_removes_avoidable_crossings() {
        // As built: a, b, c and identifiers 2 (a–b), 1 (a–c): a–1 crosses b–2. b, a, c does not.
        let facts = vec![report("a", &[1, 2]), report("b", &[2]), report("c", &[1])];
        let graph = build(&"a".into(), &facts, MAX_REPORTS);
        let l = layout(&graph);
        let (r, i) = naive_positions(&graph);
        assert_eq!(crossings(&graph, &r, &i), 1);
        assert_eq!(crossings(&graph, &l.report_y, &l.identifier_y), 0);
    }
}
