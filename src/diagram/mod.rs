//! The site as a picture: each node's storage stack (volume group, LVs,
//! DRBD, filesystems, mountpoints, shares with their symlinks, exports and
//! who mounts them), the links between the nodes (DRBD replication,
//! unison) and the clients. Pure: [`picture`] lowers the model into
//! [`Picture`] (panels of columns of cells, bands between panels), which
//! `svg.rs` lays out and writes as SVG and `dot.rs` as Graphviz dot.
//! Deterministic: model order, integer coordinates.

mod dot;
mod svg;

pub use dot::dot;
pub use svg::svg;

use crate::model::{Network, Node, ShareOn, Site, VolumeKind};
use crate::profile::human;

/// What a cell stands for: its colour and its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Vg,
    Lv,
    Drbd,
    Fs,
    Mount,
    Share,
}

/// A box with a few lines of text; the first is its title.
#[derive(Debug, Clone)]
pub struct Cell {
    pub layer: Layer,
    pub lines: Vec<String>,
}

/// One LV and what sits on it, bottom up: `rows[0]` the LV, then DRBD,
/// the filesystem, the mountpoint, the shares (`None`: nothing at that
/// row, a connector is drawn through it).
#[derive(Debug, Clone)]
pub struct Column {
    pub rows: Vec<Option<Cell>>,
}

/// Row indices of a column.
pub const ROW_LV: usize = 0;
pub const ROW_DRBD: usize = 1;
pub const ROW_FS: usize = 2;
pub const ROW_MOUNT: usize = 3;
pub const ROW_SHARES: usize = 4;

/// One node: its title, its volume group, its columns.
#[derive(Debug, Clone)]
pub struct Panel {
    pub node: String,
    pub title: Vec<String>,
    pub vg: Cell,
    /// The LVs' sizes and the volume group's (when declared), for the
    /// bar drawn to scale in the VG's box.
    pub lv_sizes: Vec<u64>,
    pub vg_size: Option<u64>,
    pub columns: Vec<Column>,
}

/// A link between two panels at a row (DRBD at `ROW_DRBD`, unison at
/// `ROW_FS`), with its text.
#[derive(Debug, Clone)]
pub struct Band {
    pub left: usize,
    pub right: usize,
    pub row: usize,
    pub kind: Layer,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Picture {
    pub title: String,
    pub panels: Vec<Panel>,
    pub bands: Vec<Band>,
    /// The clients' side: autofs, links, NIS maps (the site picture only).
    pub clients: Vec<String>,
}

/// The picture of `node` alone (`Some`), or of the whole site (`None`).
pub fn picture(site: &Site, node: Option<&str>) -> Picture {
    let nodes: Vec<&Node> = site
        .nodes
        .iter()
        .filter(|n| node.map_or(true, |x| x == n.name))
        .collect();
    let panels: Vec<Panel> = nodes.iter().map(|n| panel(site, n)).collect();
    let mut bands = Vec::new();
    let mut apart = Vec::new();
    if node.is_none() {
        for (i, w) in nodes.windows(2).enumerate() {
            bands.extend(bands_between(site, w[0], w[1], i));
        }
        apart = links_apart(site);
    }
    let title = match node {
        Some(n) => format!(
            "{}: storage stack of node {n} (version {})",
            site.name, site.version
        ),
        None => format!(
            "{}: storage of the site, {} nodes (version {})",
            site.name,
            site.nodes.len(),
            site.version
        ),
    };
    Picture {
        title,
        panels,
        bands,
        clients: if node.is_none() {
            apart.into_iter().chain(clients(site)).collect()
        } else {
            Vec::new()
        },
    }
}

fn cell(layer: Layer, lines: Vec<String>) -> Option<Cell> {
    Some(Cell { layer, lines })
}

fn network_name(site: &Site, n: &Node, net: Network) -> String {
    match (net, &n.replication) {
        (Network::Replication, Some(l)) => format!("replication link {}", l.interface),
        _ => {
            let _ = site;
            "admin network".into()
        }
    }
}

fn panel(site: &Site, n: &Node) -> Panel {
    let vols: Vec<_> = site
        .volumes
        .iter()
        .filter(|v| v.nodes.contains(&n.name))
        .collect();
    let used: u64 = vols.iter().map(|v| v.size).sum();
    let vg_line = match n.vg_size {
        Some(size) => format!(
            "{}: {} in LVs, {} free (bar to scale)",
            human(size),
            human(used),
            human(size.saturating_sub(used))
        ),
        None => format!("volume group: {} in LVs (size not declared)", human(used)),
    };
    let vg = Cell {
        layer: Layer::Vg,
        lines: vec![format!("VG {}", n.volume_group), vg_line],
    };
    let mut columns = Vec::new();
    for v in vols {
        let mut rows: Vec<Option<Cell>> = vec![None; ROW_SHARES];
        rows[ROW_LV] = cell(
            Layer::Lv,
            vec![
                format!("LV {}", v.name),
                human(v.size),
                v.device(&n.volume_group),
            ],
        );
        let mut on: Option<ShareOn> = None;
        match v.kind {
            VolumeKind::Ext4 => {
                rows[ROW_FS] = cell(Layer::Fs, vec!["ext4".into(), "not replicated".into()]);
                on = Some(ShareOn::Volume {
                    name: v.name.clone(),
                    kind: v.kind,
                });
            }
            VolumeKind::Unison => {
                let mut lines = vec!["ext4 + unison".into()];
                if let Some(u) = site.unison.iter().find(|u| u.volume == v.name) {
                    let role = if u.client == n.name {
                        "this node: the client, runs the sync"
                    } else {
                        "this node: the server"
                    };
                    lines.push(format!("client {} → server {}", u.client, u.server));
                    lines.push(role.into());
                    lines.push(format!("schedule {}", u.schedule));
                    lines.push(format!("prefer {}, profile {}", u.prefer, u.profile));
                }
                rows[ROW_FS] = cell(Layer::Fs, lines);
                on = Some(ShareOn::Volume {
                    name: v.name.clone(),
                    kind: v.kind,
                });
            }
            VolumeKind::Drbd => {
                if let Some(r) = site.drbd.resources.iter().find(|r| r.volume == v.name) {
                    let peer = r.nodes.iter().find(|x| **x != n.name).cloned();
                    let mode = if r.allow_two_primaries {
                        "dual-primary"
                    } else {
                        "single-primary"
                    };
                    rows[ROW_DRBD] = cell(
                        Layer::Drbd,
                        vec![
                            format!("DRBD {} /dev/drbd{}", r.name, r.minor),
                            format!("protocol {}, {mode}", r.protocol),
                            format!(
                                "↔ {} :{} ({})",
                                peer.unwrap_or_default(),
                                r.port,
                                network_name(site, n, site.drbd.network)
                            ),
                            format!("fencing {}", r.fencing),
                        ],
                    );
                    if let Some(fs) = site
                        .ocfs2
                        .iter()
                        .flat_map(|o| o.filesystems.iter().map(move |f| (o, f)))
                        .find(|(_, f)| f.resource == r.name)
                    {
                        let (o, f) = fs;
                        rows[ROW_FS] = cell(
                            Layer::Fs,
                            vec![
                                format!("OCFS2 {}", f.name),
                                format!("cluster {}, {} slots", o.cluster, f.slots),
                                format!("mode {}, {}", f.mode, f.device),
                            ],
                        );
                        rows[ROW_MOUNT] = cell(
                            Layer::Mount,
                            vec![f.mountpoint.clone(), f.mount_options.join(",")],
                        );
                        on = Some(ShareOn::Ocfs2 {
                            name: f.name.clone(),
                        });
                    }
                } else {
                    rows[ROW_DRBD] = cell(Layer::Drbd, vec!["DRBD backing (unused)".into()]);
                }
            }
        }
        if let (Some(mp), VolumeKind::Ext4 | VolumeKind::Unison) = (&v.mountpoint, v.kind) {
            rows[ROW_MOUNT] = cell(Layer::Mount, vec![mp.clone(), v.mount_options.join(",")]);
        }
        if let Some(on) = on {
            for s in site.shares.iter().filter(|s| s.on == on) {
                rows.push(cell(Layer::Share, share_lines(site, s)));
            }
        }
        columns.push(Column { rows });
    }
    let mut title = vec![
        format!("node {}", n.name),
        format!("{} · {}", n.address, n.package),
    ];
    if let Some(l) = &n.replication {
        title.push(format!("link {} {}/{}", l.interface, l.address, l.prefix));
    }
    Panel {
        node: n.name.clone(),
        title,
        vg,
        lv_sizes: site
            .volumes
            .iter()
            .filter(|v| v.nodes.contains(&n.name))
            .map(|v| v.size)
            .collect(),
        vg_size: n.vg_size,
        columns,
    }
}

fn share_lines(site: &Site, s: &crate::model::Share) -> Vec<String> {
    let mut lines = vec![format!("share {}", s.name), s.path.clone()];
    if let Some(l) = &s.link {
        lines.push(format!("symlink {l}"));
    }
    for e in &s.exports {
        lines.push(format!("NFS → {}", e.clients));
        lines.push(format!("  {}", e.options.join(",")));
    }
    let path = s.link.as_deref().unwrap_or(&s.path);
    for m in site.nis.iter().flat_map(|n| &n.maps) {
        let mounted = site
            .client
            .automounts
            .iter()
            .find(|a| a.map == m.name)
            .map(|a| a.mountpoint.as_str());
        let hits: Vec<&str> = m
            .entries
            .iter()
            .filter(|e| {
                e.location
                    .split_once(':')
                    .is_some_and(|(_, p)| p == path || p.starts_with(&format!("{path}/")))
            })
            .map(|e| e.key.as_str())
            .collect();
        if hits.is_empty() {
            continue;
        }
        lines.push(format!("NIS {}: {}", m.name, hits.join(" ")));
        if let Some(mp) = mounted {
            let shown: Vec<String> = hits.iter().take(2).map(|k| format!("{mp}/{k}")).collect();
            lines.push(format!("autofs on clients: {}", shown.join(" ")));
        }
    }
    if let Some(p) = &s.libvirt_pool {
        lines.push(format!("libvirt pool {p}"));
    }
    lines
}

fn bands_between(site: &Site, a: &Node, b: &Node, left: usize) -> Vec<Band> {
    let pair = |nodes: &[String]| nodes.contains(&a.name) && nodes.contains(&b.name);
    let mut out = Vec::new();
    let mut drbd = Vec::new();
    for r in site.drbd.resources.iter().filter(|r| pair(&r.nodes)) {
        drbd.push(format!("{} :{} protocol {}", r.name, r.port, r.protocol));
    }
    if !drbd.is_empty() {
        let via = match (site.drbd.network, &a.replication, &b.replication) {
            (Network::Replication, Some(x), Some(y)) => {
                vec![
                    format!("{} {}", x.interface, x.address),
                    format!("↔ {} {}", y.interface, y.address),
                ]
            }
            _ => vec![format!("{} ↔ {}", a.address, b.address)],
        };
        let mut lines = vec!["DRBD replication".to_string()];
        lines.extend(via);
        lines.extend(drbd);
        out.push(Band {
            left,
            right: left + 1,
            row: ROW_DRBD,
            kind: Layer::Drbd,
            lines,
        });
    }
    for u in site
        .unison
        .iter()
        .filter(|u| pair(&[u.client.clone(), u.server.clone()]))
    {
        out.push(Band {
            left,
            right: left + 1,
            row: ROW_FS,
            kind: Layer::Fs,
            lines: vec![
                format!("unison {}", u.volume),
                format!("{} → {}", u.client, u.server),
                format!("schedule {}", u.schedule),
                format!("over {}", network_name(site, a, u.network)),
            ],
        });
    }
    out
}

/// The DRBD resources and unison between nodes that are not side by side
/// in the picture (a site of more than two nodes): no band, a line each.
fn links_apart(site: &Site) -> Vec<String> {
    let pos = |n: &str| site.nodes.iter().position(|x| x.name == n);
    let apart = |a: &str, b: &str| match (pos(a), pos(b)) {
        (Some(x), Some(y)) => x.abs_diff(y) > 1,
        _ => false,
    };
    let mut out = Vec::new();
    for r in &site.drbd.resources {
        if let [a, b] = r.nodes.as_slice() {
            if apart(a, b) {
                out.push(format!(
                    "DRBD {}: {a} ↔ {b} :{} protocol {} (not side by side)",
                    r.name, r.port, r.protocol
                ));
            }
        }
    }
    for u in site.unison.iter().filter(|u| apart(&u.client, &u.server)) {
        out.push(format!(
            "unison {}: {} → {}, {} (not side by side)",
            u.volume, u.client, u.server, u.schedule
        ));
    }
    out
}

fn clients(site: &Site) -> Vec<String> {
    let c = &site.client;
    let mut lines = vec![format!("clients: package {}", c.package)];
    lines.push(format!("staging directory {}", c.staging));
    for l in &c.links {
        lines.push(format!("symlink {} → {}", l.path, l.target));
    }
    for a in &c.automounts {
        lines.push(format!("autofs {} ← NIS map {}", a.mountpoint, a.map));
    }
    if let Some(n) = &site.nis {
        lines.push(format!("NIS domain {} ({})", n.domain, n.package));
        for m in &n.maps {
            for e in &m.entries {
                lines.push(format!("  {} {} → {}", m.name, e.key, e.location));
            }
        }
    }
    lines
}
