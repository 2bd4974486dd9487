//! The drawing of a laid-out [`Graph`] as an inline SVG: no script and no `style`, only
//! presentation attributes, every label XML-escaped.

use super::layout::{
    ARC_MARGIN, IDENT_H, IDENT_W, IDENT_X, Layout, PITCH, REPORT_H, REPORT_W, REPORT_X, WIDTH,
};
use super::{Graph, ManualKind};
use crate::types::xml::escape;
use std::fmt::Write as _;

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

const LEGEND_ROW: f64 = 22.0;
/// Longest label lines, in characters, before they are cut with an ellipsis.
const REPORT_CHARS: usize = 24;
const IDENT_CHARS: usize = 26;

const INK: &str = "#1b1b1b";
const LINK_INK: &str = "#0b4f8a";
const REPORT_FILL: &str = "#eef4fa";
const CENTER_FILL: &str = "#d6e6f5";
const IDENT_FILL: &str = "#fdf3e1";
const IDENT_STROKE: &str = "#8a4b00";
const EDGE: &str = "#595959";
const MANUAL: &str = "#7a1f5c";

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
            escape(node.id.as_str()),
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
    use crate::link::cluster::tests::report;
    use crate::link::cluster::{MAX_REPORTS, build, layout};

    #[test]
    fn labels_are_escaped_and_cannot_turn_into_markup() {
        let facts = vec![report("a", &[1]), report("b", &[1])];
        let graph = build(&"a".into(), &facts, MAX_REPORTS);
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
