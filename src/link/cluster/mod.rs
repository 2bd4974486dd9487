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

use crate::store::links::ManualLink;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

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
    pub id: String,
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
    pub id: String,
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
pub fn build(center: &str, facts: &[ReportFacts], cap: usize) -> Graph {
    let known = Known::new(facts);
    if cap == 0 || !known.seen.contains_key(center) {
        return Graph::default();
    }
    let mut chosen: Vec<ReportNode> = vec![ReportNode {
        id: center.to_owned(),
        hop: 0,
    }];
    let mut taken: BTreeSet<String> = BTreeSet::from([center.to_owned()]);
    let mut capped = false;
    let mut frontier: Vec<String> = vec![center.to_owned()];
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
                id: id.to_owned(),
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

// ---------------------------------------------------------------------------------------------
// Layout.

/// Width of the drawing, in SVG user units.
pub const WIDTH: f64 = 480.0;
const ARC_MARGIN: f64 = 30.0;
const REPORT_X: f64 = ARC_MARGIN;
const REPORT_W: f64 = 184.0;
const REPORT_H: f64 = 42.0;
const IDENT_X: f64 = 272.0;
const IDENT_W: f64 = WIDTH - IDENT_X - 4.0;
const IDENT_H: f64 = 28.0;
const PITCH: f64 = 52.0;
const TOP: f64 = 6.0;
const LEGEND_ROW: f64 = 22.0;
/// Longest label lines, in characters, before they are cut with an ellipsis.
const REPORT_CHARS: usize = 24;
const IDENT_CHARS: usize = 26;
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

// ---------------------------------------------------------------------------------------------
// Drawing.

/// The words of one report node, already translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLabel {
    /// First line, e.g. short id and date.
    pub line1: String,
    /// Second line, e.g. the category.
    pub line2: String,
    /// Tooltip and full text.
    pub title: String,
}

/// The words around the drawing, already translated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Caption {
    pub title: String,
    pub desc: String,
    pub legend_shared: String,
    pub legend_duplicate: String,
    pub legend_linked: String,
}

const INK: &str = "#1b1b1b";
const LINK_INK: &str = "#0b4f8a";
const REPORT_FILL: &str = "#eef4fa";
const CENTER_FILL: &str = "#d6e6f5";
const IDENT_FILL: &str = "#fdf3e1";
const IDENT_STROKE: &str = "#8a4b00";
const EDGE: &str = "#595959";
const MANUAL: &str = "#7a1f5c";

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether a character is left out of labels drawn in the picture: control characters (not
/// allowed in XML) and bidirectional controls (which could make a label read backwards). The
/// tables below the picture show the text as written.
fn dropped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A label for the picture: controls dropped, cut to `max` characters with an ellipsis, escaped.
pub fn label(text: &str, max: usize) -> String {
    let clean: Vec<char> = text.chars().filter(|c| !dropped(*c)).collect();
    let shown: String = if clean.len() > max {
        clean
            .iter()
            .take(max.saturating_sub(1))
            .chain(std::iter::once(&'…'))
            .collect()
    } else {
        clean.into_iter().collect()
    };
    escape(&shown)
}

fn num(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// The inline SVG: `reports` and `identifiers` are the labels of the graph's nodes, by index
/// (an identifier's label is e.g. `Phone: +352 621 123 456`). The drawing is an image
/// (`role="img"`, named by its title and described by its description); each report node is
/// covered by a link to the report, named by the node's title.
pub fn svg(
    graph: &Graph,
    layout: &Layout,
    reports: &[ReportLabel],
    identifiers: &[String],
    caption: &Caption,
) -> String {
    let legend_top = layout.height;
    let height = legend_top + LEGEND_ROW * 3.0 + 6.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"cluster-graph\" viewBox=\"0 0 {w} {h}\" \
         width=\"100%\" font-family=\"sans-serif\" font-size=\"13\">\
         <svg id=\"cluster-graph-picture\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"cluster-graph-title cluster-graph-desc\">",
        w = num(WIDTH),
        h = num(height)
    );
    let _ = write!(
        s,
        "<title id=\"cluster-graph-title\">{}</title><desc id=\"cluster-graph-desc\">{}</desc>",
        escape(&caption.title),
        escape(&caption.desc)
    );
    let _ = write!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        num(WIDTH),
        num(height)
    );

    // Edges first, so the nodes are drawn over their ends.
    let _ = write!(
        s,
        "<g class=\"shared\" stroke=\"{EDGE}\" stroke-width=\"1.5\" fill=\"none\">"
    );
    for (r, i) in graph.edges() {
        let (Some(yr), Some(yi)) = (layout.report_y.get(r), layout.identifier_y.get(i)) else {
            continue;
        };
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            num(REPORT_X + REPORT_W),
            num(*yr),
            num(IDENT_X),
            num(*yi)
        );
    }
    s.push_str("</g>");
    let _ = write!(
        s,
        "<g class=\"by-hand\" stroke=\"{MANUAL}\" stroke-width=\"2\" fill=\"none\">"
    );
    for edge in &graph.manual {
        let (Some(y1), Some(y2)) = (layout.report_y.get(edge.from), layout.report_y.get(edge.to))
        else {
            continue;
        };
        let bulge = REPORT_X - (ARC_MARGIN - 4.0) * ((y1 - y2).abs() / PITCH).clamp(0.5, 1.0);
        let dash = match edge.kind {
            ManualKind::Duplicate => "",
            ManualKind::Linked => " stroke-dasharray=\"6 4\"",
        };
        let _ = write!(
            s,
            "<path d=\"M{x} {a}C{b} {a} {b} {c} {x} {c}\"{dash}/>",
            x = num(REPORT_X),
            a = num(*y1),
            b = num(bulge - 8.0),
            c = num(*y2)
        );
    }
    s.push_str("</g>");

    s.push_str("<g class=\"identifiers\" font-size=\"12\">");
    for (i, y) in layout.identifier_y.iter().enumerate() {
        let text = identifiers.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            s,
            "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" \
             fill=\"{IDENT_FILL}\" stroke=\"{IDENT_STROKE}\" stroke-width=\"1.5\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"{INK}\">{}</text></g>",
            label(text, usize::MAX),
            num(IDENT_X),
            num(y - IDENT_H / 2.0),
            num(IDENT_W),
            num(IDENT_H),
            num(IDENT_X + 8.0),
            num(y + 4.0),
            label(text, IDENT_CHARS)
        );
    }
    s.push_str("</g>");

    s.push_str("<g class=\"reports\">");
    for (r, y) in layout.report_y.iter().enumerate() {
        let Some(node) = graph.reports.get(r) else {
            continue;
        };
        let words = reports.get(r);
        let (fill, width) = if node.hop == 0 {
            (CENTER_FILL, "3")
        } else {
            (REPORT_FILL, "1.5")
        };
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\" \
             stroke=\"{LINK_INK}\" stroke-width=\"{width}\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"{LINK_INK}\" text-decoration=\"underline\">{}</text>\
             <text x=\"{}\" y=\"{}\" fill=\"{INK}\" font-size=\"12\">{}</text>",
            num(REPORT_X),
            num(y - REPORT_H / 2.0),
            num(REPORT_W),
            num(REPORT_H),
            num(REPORT_X + 8.0),
            num(y - 3.0),
            label(words.map(|w| w.line1.as_str()).unwrap_or(""), REPORT_CHARS),
            num(REPORT_X + 8.0),
            num(y + 14.0),
            label(
                words.map(|w| w.line2.as_str()).unwrap_or(""),
                REPORT_CHARS + 2
            ),
        );
    }
    s.push_str("</g>");

    // The legend: what each kind of line means.
    s.push_str("<g class=\"legend\" font-size=\"12\">");
    let rows = [
        (EDGE, "1.5", "", &caption.legend_shared),
        (MANUAL, "2", "", &caption.legend_duplicate),
        (
            MANUAL,
            "2",
            " stroke-dasharray=\"6 4\"",
            &caption.legend_linked,
        ),
    ];
    for (n, (colour, width, dash, text)) in rows.iter().enumerate() {
        let y = legend_top + LEGEND_ROW * (n as f64 + 0.5);
        let _ = write!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"{width}\"{dash}/>\
             <text x=\"{}\" y=\"{}\" fill=\"{INK}\">{}</text>",
            num(REPORT_X),
            num(y),
            num(REPORT_X + 40.0),
            num(y),
            num(REPORT_X + 50.0),
            num(y + 4.0),
            label(text, 60)
        );
    }
    s.push_str("</g></svg>");

    // The links, over the picture rather than inside it: an image's content is presentational,
    // so a link inside it would be focusable yet nameless to a screen reader. Each is named by its
    // title and comes in the order the nodes are drawn, top to bottom.
    let mut order: Vec<(usize, f64)> = layout.report_y.iter().copied().enumerate().collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    s.push_str("<g class=\"report-links\">");
    for (r, y) in order {
        let Some(node) = graph.reports.get(r) else {
            continue;
        };
        let _ = write!(
            s,
            "<a href=\"/staff/reports/{}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" \
             height=\"{}\" rx=\"4\" fill=\"#ffffff\" fill-opacity=\"0\"/></a>",
            escape(&node.id),
            label(
                reports.get(r).map(|w| w.title.as_str()).unwrap_or(""),
                usize::MAX
            ),
            num(REPORT_X),
            num(y - REPORT_H / 2.0),
            num(REPORT_W),
            num(REPORT_H),
        );
    }
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> IdentifierKey {
        IdentifierKey {
            kind: "phone".into(),
            mac: vec![n; 4],
        }
    }

    fn report(id: &str, keys: &[u8]) -> ReportFacts {
        ReportFacts {
            id: id.into(),
            visible: true,
            identifiers: keys.iter().map(|k| key(*k)).collect(),
            manual: vec![],
        }
    }

    fn hidden(id: &str, keys: &[u8]) -> ReportFacts {
        ReportFacts {
            visible: false,
            ..report(id, keys)
        }
    }

    fn ids(graph: &Graph) -> Vec<&str> {
        graph.reports.iter().map(|r| r.id.as_str()).collect()
    }

    fn labels(graph: &Graph) -> (Vec<ReportLabel>, Vec<String>) {
        let reports = graph
            .reports
            .iter()
            .map(|r| ReportLabel {
                line1: r.id.clone(),
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

    fn draw(graph: &Graph) -> String {
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
        let graph = build("a", &facts, MAX_REPORTS);
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
        let graph = build("a", &facts, MAX_REPORTS);
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
        let graph = build("h", &facts, MAX_REPORTS);
        assert!(graph.reports.is_empty() && graph.identifiers.is_empty());
    }

    #[test]
    fn the_cap_is_respected_and_said() {
        let mut facts = vec![report("center", &[1])];
        for n in 0..100 {
            facts.push(report(&format!("r{n:03}"), &[1, 2]));
        }
        let graph = build("center", &facts, 10);
        assert_eq!(graph.reports.len(), 10);
        assert!(graph.capped);
        assert_eq!(graph.reports.first().map(|r| r.id.as_str()), Some("center"));
        let graph = build("center", &facts, MAX_REPORTS);
        assert_eq!(graph.reports.len(), MAX_REPORTS);
        assert!(graph.capped);
        let small = build("center", &facts[..5], MAX_REPORTS);
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
        let graph = build("a", &facts, 3);
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
        let graph = build("a", &facts, MAX_REPORTS);
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
        let first = draw(&build("a", &facts, MAX_REPORTS));
        facts.reverse();
        let graph = build("a", &facts, MAX_REPORTS);
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
        let graph = build("a", &facts, MAX_REPORTS);
        let l = layout(&graph);
        let (r, i) = naive_positions(&graph);
        assert_eq!(crossings(&graph, &r, &i), 1);
        assert_eq!(crossings(&graph, &l.report_y, &l.identifier_y), 0);
    }

    #[test]
    fn labels_are_escaped_and_cannot_turn_into_markup() {
        let facts = vec![report("a", &[1]), report("b", &[1])];
        let graph = build("a", &facts, MAX_REPORTS);
        let reports = vec![
            ReportLabel {
                line1: "<script>alert(1)</script>".into(),
                line2: "\"onload=\"x".into(),
                title: "a & b".into(),
            };
            2
        ];
        let hostile = "Phone: <script>window.__pwned=1</script>\u{202E}gnp".to_owned();
        let caption = Caption {
            title: "</title><svg onload=alert(1)>".into(),
            ..Caption::default()
        };
        let out = svg(&graph, &layout(&graph), &reports, &[hostile], &caption);
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<svg onload"));
        assert!(out.contains("&lt;script&gt;window.__pwned=1&lt;/scri"));
        assert!(out.contains("&quot;onload=&quot;x"));
        assert!(out.contains("a &amp; b"));
        assert!(
            !out.contains('\u{202E}'),
            "bidi controls are dropped from the picture"
        );
        assert!(
            !out.contains("style"),
            "no style attributes or elements (strict CSP)"
        );
        assert_eq!(
            out.matches("<svg").count(),
            2,
            "the picture inside the outer drawing"
        );
        assert!(out.contains("role=\"img\"") && out.contains("viewBox=\"0 0 480 "));
        // The image holds no link: the links lie over it.
        let picture_end = out.find("</svg>").unwrap_or(0);
        assert!(!out[..picture_end].contains("<a "));
        assert_eq!(
            out[picture_end..]
                .matches("<a href=\"/staff/reports/")
                .count(),
            2
        );
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(label("abcdef", 4), "abc…");
        assert_eq!(label("abc", 4), "abc");
        assert_eq!(label("a<b", 10), "a&lt;b");
    }
}
