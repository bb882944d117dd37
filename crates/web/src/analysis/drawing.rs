//! Server-rendered pictures (SVG): a network, a bar chart and a hotspot map. Each picture
//! has a title and a description for screen readers, and every page that shows one also
//! shows the same facts as a table.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;

use safehub_auth::xml_escape as escape;
use safehub_intel::{Cell, LinkGraph, NodeId, NodeKind};

/// The colour of a node kind (GOV.UK palette, distinguishable without colour by shape).
fn colour(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Subject => "#d4351c",
        NodeKind::Child => "#1d70b8",
        NodeKind::Vehicle => "#00703c",
        NodeKind::Phone => "#4c2c92",
        NodeKind::Address => "#b58840",
        NodeKind::Place => "#6f777b",
    }
}

/// The nodes of `centre`'s network nearest to it, at most `limit`, in breadth-first order.
pub fn neighbourhood(graph: &LinkGraph, centre: NodeId, limit: usize) -> Vec<NodeId> {
    let mut seen = vec![false; graph.nodes().len()];
    let mut order = Vec::new();
    let mut queue = VecDeque::from([centre]);
    seen[centre.index()] = true;
    while let Some(n) = queue.pop_front() {
        if order.len() == limit {
            break;
        }
        order.push(n);
        for &(m, _) in graph.neighbours(n) {
            if !seen[m.index()] {
                seen[m.index()] = true;
                queue.push_back(m);
            }
        }
    }
    order
}

/// Positions for `nodes` by a force-directed layout (Fruchterman and Reingold), started
/// from a circle so that the same graph is always drawn the same way. Coordinates are in
/// 0..1.
fn layout(graph: &LinkGraph, nodes: &[NodeId]) -> Vec<(f64, f64)> {
    let n = nodes.len();
    if n == 1 {
        return vec![(0.5, 0.5)];
    }
    let at: HashMap<NodeId, usize> = nodes.iter().enumerate().map(|(i, &v)| (v, i)).collect();
    let mut edges = Vec::new();
    for (i, &v) in nodes.iter().enumerate() {
        for &(w, _) in graph.neighbours(v) {
            if let Some(&j) = at.get(&w) {
                if i < j {
                    edges.push((i, j));
                }
            }
        }
    }
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            (0.5 + 0.4 * a.cos(), 0.5 + 0.4 * a.sin())
        })
        .collect();
    let k = (1.0 / n as f64).sqrt();
    let mut temperature = 0.1;
    for _ in 0..200 {
        let mut shift = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d = (dx * dx + dy * dy).sqrt().max(1e-6);
                let f = k * k / d;
                shift[i].0 += dx / d * f;
                shift[i].1 += dy / d * f;
                shift[j].0 -= dx / d * f;
                shift[j].1 -= dy / d * f;
            }
        }
        for &(i, j) in &edges {
            let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-6);
            let f = d * d / k;
            shift[i].0 -= dx / d * f;
            shift[i].1 -= dy / d * f;
            shift[j].0 += dx / d * f;
            shift[j].1 += dy / d * f;
        }
        for i in 0..n {
            let (sx, sy) = shift[i];
            let len = (sx * sx + sy * sy).sqrt().max(1e-9);
            let step = len.min(temperature);
            pos[i].0 += sx / len * step;
            pos[i].1 += sy / len * step;
        }
        temperature *= 0.97;
    }
    // Fit into the unit square.
    let (min_x, max_x) = pos
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_y, max_y) = pos
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (wx, wy) = ((max_x - min_x).max(1e-9), (max_y - min_y).max(1e-9));
    pos.iter()
        .map(|p| ((p.0 - min_x) / wx, (p.1 - min_y) / wy))
        .collect()
}

/// One node's shape: a circle for a subject, a square for a child, a diamond otherwise.
fn shape(out: &mut String, kind: NodeKind, x: f64, y: f64, r: f64) {
    let fill = colour(kind);
    let _ = match kind {
        NodeKind::Subject => write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}"/>"#
        ),
        NodeKind::Child => write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"/>"#,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        _ => write!(
            out,
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" fill="{fill}"/>"#,
            y - r,
            x + r,
            y + r,
            x - r
        ),
    };
}

/// A network as SVG: `nodes` laid out, their links drawn, each labelled with `label`.
/// `id` makes the element ids unique on the page; `title` and `description` are read out.
pub fn network_svg(
    graph: &LinkGraph,
    nodes: &[NodeId],
    label: impl Fn(NodeId) -> String,
    id: &str,
    title: &str,
    description: &str,
) -> String {
    let (width, height, margin) = (760.0, 520.0, 60.0);
    let pos: Vec<(f64, f64)> = layout(graph, nodes)
        .into_iter()
        .map(|(x, y)| {
            (
                margin + x * (width - 2.0 * margin),
                margin / 2.0 + y * (height - 1.5 * margin),
            )
        })
        .collect();
    let at: HashMap<NodeId, usize> = nodes.iter().enumerate().map(|(i, &v)| (v, i)).collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="safehub-picture" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    out.push_str(r##"<g stroke="#505a5f" stroke-width="1.5">"##);
    for (i, &v) in nodes.iter().enumerate() {
        for &(w, e) in graph.neighbours(v) {
            if let Some(&j) = at.get(&w) {
                if i < j {
                    let width = 1.0 + (graph.edge(e).weight.min(5) as f64 - 1.0) * 0.8;
                    let _ = write!(
                        out,
                        r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke-width="{width:.1}"/>"#,
                        pos[i].0, pos[i].1, pos[j].0, pos[j].1
                    );
                }
            }
        }
    }
    out.push_str("</g>");
    for (i, &v) in nodes.iter().enumerate() {
        let (x, y) = pos[i];
        let kind = graph.node(v).kind;
        let r = if i == 0 { 11.0 } else { 8.0 };
        shape(&mut out, kind, x, y, r);
        let mut text: String = label(v);
        if text.chars().count() > 28 {
            text = text.chars().take(27).collect::<String>() + "\u{2026}";
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#0b0c0c">{}</text>"##,
            x + r + 3.0,
            y + 4.0,
            escape(&text)
        );
    }
    // Legend.
    let mut lx = 10.0;
    for kind in NodeKind::ALL {
        shape(&mut out, kind, lx + 6.0, height - 14.0, 6.0);
        let name = kind.as_str();
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#0b0c0c">{name}</text>"##,
            lx + 16.0,
            height - 10.0
        );
        lx += 22.0 + 8.0 * name.len() as f64;
    }
    out.push_str("</svg>");
    out
}

/// A bar chart of counts as SVG, with the value written above each bar.
pub fn bar_chart_svg(id: &str, title: &str, bars: &[(String, u64)]) -> String {
    let (width, height) = (760.0, 240.0);
    let (left, bottom, top) = (10.0, 40.0, 24.0);
    let most = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let slot = (width - 2.0 * left) / bars.len().max(1) as f64;
    let description = bars
        .iter()
        .map(|(l, c)| format!("{l}: {c}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="safehub-picture" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(&description)
    );
    for (i, (label, count)) in bars.iter().enumerate() {
        let h = (height - bottom - top) * (*count as f64) / most;
        let x = left + slot * i as f64;
        let y = height - bottom - h;
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#0b0c0c">{count}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
            x + slot * 0.15,
            slot * 0.7,
            x + slot / 2.0,
            y - 4.0,
            x + slot / 2.0,
            height - bottom + 16.0,
            escape(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// How a cell's Gi* z-score reads: hot or cold spot at 99%, 95% or 90% confidence, or not
/// significant.
pub fn significance(z: f64) -> &'static str {
    let a = z.abs();
    match (z > 0.0, a) {
        (true, a) if a >= 2.576 => "Hot spot, 99% confidence",
        (true, a) if a >= 1.960 => "Hot spot, 95% confidence",
        (true, a) if a >= 1.645 => "Hot spot, 90% confidence",
        (false, a) if a >= 2.576 => "Cold spot, 99% confidence",
        (false, a) if a >= 1.960 => "Cold spot, 95% confidence",
        (false, a) if a >= 1.645 => "Cold spot, 90% confidence",
        _ => "Not significant",
    }
}

fn cell_colour(z: f64) -> &'static str {
    match significance(z) {
        "Hot spot, 99% confidence" => "#942514",
        "Hot spot, 95% confidence" => "#d4351c",
        "Hot spot, 90% confidence" => "#f499be",
        "Cold spot, 99% confidence" => "#003078",
        "Cold spot, 95% confidence" => "#1d70b8",
        "Cold spot, 90% confidence" => "#5694ca",
        _ => "#b1b4b6",
    }
}

/// The non-empty cells of a hotspot grid as a map (north up), coloured by significance.
pub fn hotspot_map_svg(id: &str, title: &str, cells: &[Cell], cell_size: f64) -> String {
    let (width, height) = (760.0, 560.0);
    let mut out = String::new();
    let hot = cells.iter().filter(|c| c.gi_z >= 1.960).count();
    let _ = write!(
        out,
        r#"<svg class="safehub-picture" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{} cells with places, {hot} of them hot spots at 95% confidence or more. The table below lists every cell.</desc>"#,
        escape(title),
        cells.len()
    );
    if cells.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let min_x = cells.iter().map(|c| c.x).fold(f64::MAX, f64::min);
    let max_x = cells.iter().map(|c| c.x).fold(f64::MIN, f64::max) + cell_size;
    let min_y = cells.iter().map(|c| c.y).fold(f64::MAX, f64::min);
    let max_y = cells.iter().map(|c| c.y).fold(f64::MIN, f64::max) + cell_size;
    let scale = ((width - 20.0) / (max_x - min_x)).min((height - 20.0) / (max_y - min_y));
    out.push_str(r##"<rect x="0" y="0" width="760" height="560" fill="#f3f2f1"/>"##);
    for c in cells {
        let x = 10.0 + (c.x - min_x) * scale;
        let y = 10.0 + (max_y - c.y - cell_size) * scale;
        let side = (cell_size * scale).max(1.0);
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{side:.1}" height="{side:.1}" fill="{}" stroke="#ffffff" stroke-width="0.5"/>"##,
            cell_colour(c.gi_z)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use safehub_intel::GraphBuilder;

    #[test]
    fn text_is_escaped_and_the_picture_is_labelled() {
        let mut b = GraphBuilder::new();
        let s = b.add_node(NodeKind::Subject, "s", Some("<Jay> & \"Co\""), None);
        let c = b.add_node(NodeKind::Child, "c", None, None);
        b.add_edge(s, c, "sub", "named").expect("edge");
        let g = b.build();
        let nodes = neighbourhood(&g, s, 10);
        assert_eq!(nodes, vec![s, c]);
        let svg = network_svg(
            &g,
            &nodes,
            |n| g.node(n).display().to_owned(),
            "net",
            "Network of Jay",
            "2 nodes",
        );
        assert!(svg.contains("&lt;Jay&gt; &amp; &quot;Co&quot;"), "{svg}");
        assert!(!svg.contains("<Jay>"));
        assert!(svg.contains(r#"aria-labelledby="net-title net-desc""#));
        assert_eq!(svg.matches("<line").count(), 1);
    }

    #[test]
    fn neighbourhood_stops_at_the_limit_nearest_first() {
        let mut b = GraphBuilder::new();
        let hub = b.add_node(NodeKind::Subject, "hub", None, None);
        let mut far = hub;
        for i in 0..5 {
            let n = b.add_node(NodeKind::Phone, &format!("p{i}"), None, None);
            b.add_edge(hub, n, "s", "r").expect("edge");
            far = n;
        }
        let beyond = b.add_node(NodeKind::Child, "c", None, None);
        b.add_edge(far, beyond, "s", "r").expect("edge");
        let g = b.build();
        let first = neighbourhood(&g, hub, 6);
        assert_eq!(first.len(), 6);
        assert!(!first.contains(&beyond));
        assert_eq!(neighbourhood(&g, hub, 100).len(), 7);
    }

    #[test]
    fn significance_reads_the_z_score() {
        assert_eq!(significance(3.0), "Hot spot, 99% confidence");
        assert_eq!(significance(2.0), "Hot spot, 95% confidence");
        assert_eq!(significance(-1.7), "Cold spot, 90% confidence");
        assert_eq!(significance(0.4), "Not significant");
        let svg = bar_chart_svg("m", "By month", &[("Jan".into(), 3), ("Feb".into(), 0)]);
        assert!(svg.contains("Jan: 3; Feb: 0"));
    }
}
