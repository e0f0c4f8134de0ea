//! The picture as SVG, laid out here: panels side by side, each a grid of
//! columns (one per LV) over rows shared by every panel (so a row is at
//! one height across the site and the links between panels are straight),
//! the volume group across the panel's foot, the bands in the gaps, the
//! clients below. Text is monospace, so its width is known from its
//! length; every coordinate is an integer: the bytes depend on the
//! picture only.

use super::{Band, Cell, Layer, Picture, ROW_SHARES};
use std::fmt::Write as _;

const FONT: i64 = 12;
/// The advance of a monospace glyph at `FONT`, in tenths of a pixel
/// (DejaVu Sans Mono: 0.602 em), and a margin for other fonts.
const ADVANCE_TENTHS: i64 = 76;
const LINE: i64 = 16;
const PAD: i64 = 8;
const COL_GAP: i64 = 14;
const ROW_GAP: i64 = 14;
const MARGIN: i64 = 20;
const MIN_COL: i64 = 150;
const MIN_GAP: i64 = 60;
/// The height of the volume group's bar.
const BAR: i64 = 12;

fn text_width(s: &str) -> i64 {
    (s.chars().count() as i64 * ADVANCE_TENTHS + 9) / 10
}

fn lines_width(lines: &[String]) -> i64 {
    lines.iter().map(|l| text_width(l)).max().unwrap_or(0)
}

fn box_height(lines: usize) -> i64 {
    lines as i64 * LINE + 2 * PAD - 4
}

fn fill(layer: Layer) -> (&'static str, &'static str) {
    match layer {
        Layer::Vg => ("#e0e0e0", "#757575"),
        Layer::Lv => ("#d6e6f5", "#3d78b3"),
        Layer::Drbd => ("#fbdcc0", "#d2691e"),
        Layer::Fs => ("#dcefd6", "#4f8a3c"),
        Layer::Mount => ("#fff4cc", "#b38f00"),
        Layer::Share => ("#f1dbe6", "#a64d79"),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

struct Out(String);

impl Out {
    fn rect(&mut self, (x, y, w, h): (i64, i64, i64, i64), fill: &str, stroke: &str, extra: &str) {
        let _ = writeln!(
            self.0,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" {rx}fill="{fill}" stroke="{stroke}"{extra}/>"#,
            rx = if extra.contains("rx=") {
                ""
            } else {
                r#"rx="4" "#
            }
        );
    }
    fn line(&mut self, x1: i64, y1: i64, x2: i64, y2: i64, stroke: &str, extra: &str) {
        let _ = writeln!(
            self.0,
            r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}"{extra}/>"#
        );
    }
    /// Lines of text from (x, y) down; the first one bold.
    fn text(&mut self, x: i64, y: i64, lines: &[String], anchor: &str) {
        for (i, l) in lines.iter().enumerate() {
            let weight = if i == 0 { r#" font-weight="bold""# } else { "" };
            let _ = writeln!(
                self.0,
                r#"<text x="{x}" y="{}" text-anchor="{anchor}"{weight} xml:space="preserve">{}</text>"#,
                y + (i as i64 + 1) * LINE - 4,
                escape(l)
            );
        }
    }
    fn cell(&mut self, x: i64, y: i64, w: i64, h: i64, c: &Cell) {
        let (f, s) = fill(c.layer);
        self.rect((x, y, w, h), f, s, "");
        self.text(x + PAD, y + PAD - 2, &c.lines, "start");
    }
}

/// The picture as an SVG document.
pub fn svg(p: &Picture) -> String {
    let rows = p
        .panels
        .iter()
        .flat_map(|pa| pa.columns.iter().map(|c| c.rows.len()))
        .max()
        .unwrap_or(ROW_SHARES);
    // Row heights, shared by every panel and the bands at that row.
    let mut row_h = vec![0i64; rows];
    for pa in &p.panels {
        for c in &pa.columns {
            for (r, cell) in c.rows.iter().enumerate() {
                if let Some(cell) = cell {
                    row_h[r] = row_h[r].max(box_height(cell.lines.len()));
                }
            }
        }
    }
    for b in &p.bands {
        row_h[b.row] = row_h[b.row].max(box_height(b.lines.len()) + 8);
    }
    // Columns' and panels' widths.
    let col_w: Vec<Vec<i64>> = p
        .panels
        .iter()
        .map(|pa| {
            pa.columns
                .iter()
                .map(|c| {
                    c.rows
                        .iter()
                        .flatten()
                        .map(|cell| lines_width(&cell.lines) + 2 * PAD)
                        .max()
                        .unwrap_or(0)
                        .max(MIN_COL)
                })
                .collect()
        })
        .collect();
    let panel_w: Vec<i64> = p
        .panels
        .iter()
        .zip(&col_w)
        .map(|(pa, cw)| {
            let cols: i64 = cw.iter().sum::<i64>() + COL_GAP * (cw.len() as i64 - 1).max(0);
            cols.max(lines_width(&pa.vg.lines) + 2 * PAD)
                .max(lines_width(&pa.title))
                + 2 * PAD
        })
        .collect();
    let gap_w: Vec<i64> = (0..p.panels.len().saturating_sub(1))
        .map(|i| {
            p.bands
                .iter()
                .filter(|b| b.left == i)
                .map(|b| lines_width(&b.lines) + 4 * PAD)
                .max()
                .unwrap_or(0)
                .max(MIN_GAP)
        })
        .collect();
    let title_lines = p.panels.iter().map(|pa| pa.title.len()).max().unwrap_or(1);
    let top = MARGIN + 2 * LINE;
    let rows_top = top + PAD + title_lines as i64 * LINE + PAD;
    // y of each row, the highest row first.
    let mut row_y = vec![0i64; rows];
    let mut y = rows_top;
    for r in (0..rows).rev() {
        if row_h[r] == 0 {
            row_y[r] = y;
            continue;
        }
        row_y[r] = y;
        y += row_h[r] + ROW_GAP;
    }
    let vg_y = y;
    let vg_h = box_height(2) + BAR + PAD;
    let panel_bottom = vg_y + vg_h + PAD;
    let panels_w: i64 = panel_w.iter().sum::<i64>() + gap_w.iter().sum::<i64>();
    let clients_h = if p.clients.is_empty() {
        0
    } else {
        box_height(p.clients.len()) + MARGIN
    };
    let width = (panels_w + 2 * MARGIN)
        .max(text_width(&p.title) + 2 * MARGIN)
        .max(lines_width(&p.clients) + 2 * MARGIN + 2 * PAD);
    let height = panel_bottom + clients_h + MARGIN;

    let mut o = Out(String::new());
    let _ = writeln!(
        o.0,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, Liberation Mono, monospace" font-size="{FONT}">"#
    );
    let _ = writeln!(o.0, "<title>{}</title>", escape(&p.title));
    o.rect((0, 0, width, height), "#ffffff", "none", "");
    let _ = writeln!(
        o.0,
        r#"<text x="{MARGIN}" y="{}" font-size="16" font-weight="bold">{}</text>"#,
        MARGIN + LINE,
        escape(&p.title)
    );
    let mut x = MARGIN;
    let mut panel_x = Vec::new();
    for (i, pa) in p.panels.iter().enumerate() {
        panel_x.push(x);
        let w = panel_w[i];
        o.rect((x, top, w, panel_bottom - top), "#fafafa", "#9e9e9e", "");
        o.text(x + PAD, top + PAD - 2, &pa.title, "start");
        let mut cx = x + PAD;
        for (c, cw) in pa.columns.iter().zip(&col_w[i]) {
            // The spine behind the column's boxes: from the VG to its top box.
            let topmost = c.rows.iter().rposition(Option::is_some).unwrap_or(0);
            let mid = cx + cw / 2;
            o.line(
                mid,
                vg_y,
                mid,
                row_y[topmost] + 1,
                "#9e9e9e",
                r#" stroke-width="2""#,
            );
            for (r, cell) in c.rows.iter().enumerate() {
                if let Some(cell) = cell {
                    o.cell(cx, row_y[r], *cw, row_h[r], cell);
                }
            }
            cx += cw + COL_GAP;
        }
        o.cell(x + PAD, vg_y, w - 2 * PAD, vg_h, &pa.vg);
        vg_bar(&mut o, pa, x + 2 * PAD, vg_y + box_height(2), w - 4 * PAD);
        x += w;
        if let Some(g) = gap_w.get(i) {
            for b in p.bands.iter().filter(|b| b.left == i) {
                band(&mut o, b, x, *g, row_y[b.row], row_h[b.row]);
            }
            x += g;
        }
    }
    if !p.clients.is_empty() {
        let y = panel_bottom + MARGIN;
        let cell = Cell {
            layer: Layer::Share,
            lines: p.clients.clone(),
        };
        let w = (lines_width(&p.clients) + 2 * PAD).max(panels_w);
        let h = box_height(p.clients.len());
        o.rect((MARGIN, y, w, h), "#ffffff", "#a64d79", "");
        o.text(MARGIN + PAD, y + PAD - 2, &cell.lines, "start");
    }
    o.0.push_str("</svg>\n");
    o.0
}

/// A link in the gap between two panels: a line from panel to panel at
/// the row's middle, its text in a box on it.
fn band(o: &mut Out, b: &Band, x: i64, w: i64, y: i64, h: i64) {
    let (f, s) = fill(b.kind);
    let mid = y + h / 2;
    let dash = if b.kind == Layer::Drbd {
        r#" stroke-width="4""#
    } else {
        r#" stroke-width="3" stroke-dasharray="8 4""#
    };
    o.line(x, mid, x + w, mid, s, dash);
    let bw = lines_width(&b.lines) + 2 * PAD;
    let bh = box_height(b.lines.len());
    let bx = x + (w - bw) / 2;
    let by = mid - bh / 2;
    o.rect((bx, by, bw, bh), f, s, "");
    o.text(bx + bw / 2, by + PAD - 2, &b.lines, "middle");
}

/// The volume group to scale: a segment per LV (in the panel's column
/// order), the rest free.
fn vg_bar(o: &mut Out, pa: &super::Panel, x: i64, y: i64, w: i64) {
    let used: u64 = pa.lv_sizes.iter().sum();
    let total = pa.vg_size.unwrap_or(used).max(used).max(1);
    o.rect((x, y, w, BAR), "#ffffff", "#757575", "");
    let mut at = x;
    for (i, size) in pa.lv_sizes.iter().enumerate() {
        let seg = (u128::from(*size) * w as u128 / u128::from(total)) as i64;
        let f = if i % 2 == 0 { "#3d78b3" } else { "#8fb4dc" };
        o.rect((at, y, seg.max(1), BAR), f, "none", r#" rx="0""#);
        at += seg;
    }
}
