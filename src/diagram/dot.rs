//! The picture as Graphviz dot (`storpkg diagram --format dot`): a
//! cluster per node, each cell a node of the graph stacked on the one it
//! sits on, the bands as edges between the clusters.

use super::{Cell, Layer, Picture};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", esc(s))
}

/// A multi-line label, each line left-justified (`\l`).
fn label(lines: &[String]) -> String {
    let body: String = lines.iter().map(|l| format!("{}\\l", esc(l))).collect();
    format!("\"{body}\"")
}

fn color(layer: Layer) -> &'static str {
    match layer {
        Layer::Vg => "#e0e0e0",
        Layer::Lv => "#d6e6f5",
        Layer::Drbd => "#fbdcc0",
        Layer::Fs => "#dcefd6",
        Layer::Mount => "#fff4cc",
        Layer::Share => "#f1dbe6",
    }
}

fn node(out: &mut String, id: &str, c: &Cell) {
    let _ = writeln!(
        out,
        "    {} [label={}, fillcolor={}];",
        quote(id),
        label(&c.lines),
        quote(color(c.layer))
    );
}

/// The picture as a dot graph (bottom up: the volume group at the foot).
pub fn dot(p: &Picture) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph storage {{");
    let _ = writeln!(out, "  label={};", quote(&p.title));
    out.push_str("  labelloc=t;\n  rankdir=BT;\n  newrank=true;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=10];\n",
    );
    out.push_str(
        "  edge [arrowhead=none, color=\"#9e9e9e\", fontname=\"monospace\", fontsize=10];\n",
    );
    for pa in &p.panels {
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            quote(&format!("cluster_{}", pa.node))
        );
        let _ = writeln!(out, "    label={};", label(&pa.title));
        let vg = format!("{}/vg", pa.node);
        node(&mut out, &vg, &pa.vg);
        for (c, col) in pa.columns.iter().enumerate() {
            let mut below = vg.clone();
            for (r, cell) in col.rows.iter().enumerate() {
                if let Some(cell) = cell {
                    let id = format!("{}/{c}/{r}", pa.node);
                    node(&mut out, &id, cell);
                    let _ = writeln!(out, "    {} -> {};", quote(&below), quote(&id));
                    // Shares sit side by side on their mountpoint.
                    if r < super::ROW_SHARES {
                        below = id;
                    }
                }
            }
        }
        let _ = writeln!(out, "  }}");
    }
    for b in &p.bands {
        let (l, r) = (&p.panels[b.left], &p.panels[b.right]);
        let cells = |pa: &'_ super::Panel| -> Vec<(String, String)> {
            pa.columns
                .iter()
                .enumerate()
                .filter_map(|(c, col)| {
                    let cell = col.rows.get(b.row)?.as_ref()?;
                    // The unison band links the unison volumes only.
                    if b.kind == Layer::Fs && !cell.lines[0].contains("unison") {
                        return None;
                    }
                    Some((cell.lines[0].clone(), format!("{}/{c}/{}", pa.node, b.row)))
                })
                .collect()
        };
        let style = if b.kind == Layer::Drbd {
            "penwidth=3, color=\"#d2691e\""
        } else {
            "penwidth=2, style=dashed, color=\"#4f8a3c\""
        };
        let right = cells(r);
        for (i, (title, a)) in cells(l).iter().enumerate() {
            if let Some((_, z)) = right.iter().find(|(t, _)| t == title) {
                // The band's text once, on its first edge.
                let text = if i == 0 {
                    label(&b.lines)
                } else {
                    "\"\"".into()
                };
                let _ = writeln!(
                    out,
                    "  {} -> {} [xlabel={text}, constraint=false, {style}];",
                    quote(a),
                    quote(z)
                );
            }
        }
    }
    if !p.clients.is_empty() {
        let _ = writeln!(
            out,
            "  clients [label={}, fillcolor=\"#ffffff\"];",
            label(&p.clients)
        );
    }
    out.push_str("}\n");
    out
}
