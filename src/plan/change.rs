//! `storpkg plan OLD NEW`: what an upgrade from one profile to another does
//! on each node. Pure, as every planner: two resolved sites in, a
//! [`ChangePlan`] out.
//!
//! Two halves:
//! - the files: both sites planned ([`super::plan_site_using`]), each node
//!   package's files compared (a unified diff per changed file) and its
//!   Depends (packages added, dropped);
//! - the live steps: every storage layer owns its transitions in
//!   `src/layers/LAYER/transition.rs`, a [`Transition`] listed in
//!   [`TRANSITIONS`], which sorts each difference of the two sites on one
//!   node into a [`Class`]. A refused change is a [`Refusal`] with the key it
//!   is about; the CLI renders it as a check diagnostic of the profile that
//!   holds the key.
//!
//! The node-side command carries the same classes out (`converge` the live
//! and pause steps, `apply` the window steps); ARCHITECTURE.md says where a
//! new transition goes.

use crate::layers;
use crate::model::{Node, Site};
use crate::package::{EntryKind, PackageSpec};
use crate::render::Renderer;
use serde::Serialize;

use super::PlanError;

/// How much of the node a step interrupts, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Done by the upgrade with no interruption.
    Live,
    /// Done by the upgrade; I/O waits a few seconds, nothing is unmounted.
    Pause,
    /// Services stop and filesystems unmount: recorded as pending by the
    /// upgrade, carried out by `SITE-storage apply`.
    Window,
    /// Would lose or risk data: the plan is an error.
    Refused,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Live => "live",
            Class::Pause => "pause",
            Class::Window => "window",
            Class::Refused => "refused",
        }
    }
}

/// `storpkg plan`'s exit status for the worst class of a plan: 0 nothing
/// or live steps only, 10 a pause, 11 a window, 12 a refused change (1 and
/// 2 stay what they are for every command: an invalid profile, a usage
/// error).
pub fn exit_status(worst: Option<Class>) -> u8 {
    match worst {
        None | Some(Class::Live) => 0,
        Some(Class::Pause) => 10,
        Some(Class::Window) => 11,
        Some(Class::Refused) => 12,
    }
}

/// One live step on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub layer: &'static str,
    pub class: Class,
    /// What changes and what the node does about it.
    pub what: String,
    /// For a window: what stops and unmounts, in the order `apply` runs it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
}

/// A change that would lose or risk data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub layer: &'static str,
    /// Stable code (`codes::CHANGE`).
    pub code: &'static str,
    /// The key it is about (`["volumes", "rep-no", "size"]`).
    pub key: Vec<String>,
    /// The key is in the old profile only (a removal).
    pub in_old: bool,
    pub node: String,
    pub message: String,
    pub label: String,
    pub help: String,
}

/// What one layer's transition reads: both sites and the node.
pub struct Tx<'a> {
    pub old: &'a Site,
    pub new: &'a Site,
    pub node: &'a str,
}

impl<'a> Tx<'a> {
    pub fn old_node(&self) -> &'a Node {
        self.old.node(self.node).expect("a node of both sites")
    }
    pub fn new_node(&self) -> &'a Node {
        self.new.node(self.node).expect("a node of both sites")
    }
    /// The command on the node (`pasta-storage`).
    pub fn command(&self) -> String {
        format!("{}-storage", self.new.name)
    }
}

/// What the transitions found on one node.
#[derive(Debug, Default)]
pub struct Out {
    pub steps: Vec<Step>,
    pub refused: Vec<Refusal>,
    /// Data that leaves the profile and stays on the node.
    pub kept: Vec<String>,
    layer: &'static str,
    node: String,
}

impl Out {
    fn step(&mut self, class: Class, what: String, order: Vec<String>) {
        self.steps.push(Step {
            layer: self.layer,
            class,
            what,
            order,
        });
    }
    pub fn live(&mut self, what: impl Into<String>) {
        self.step(Class::Live, what.into(), Vec::new());
    }
    pub fn pause(&mut self, what: impl Into<String>) {
        self.step(Class::Pause, what.into(), Vec::new());
    }
    pub fn window(&mut self, what: impl Into<String>, order: Vec<String>) {
        self.step(Class::Window, what.into(), order);
    }
    pub fn keep(&mut self, what: impl Into<String>) {
        self.kept.push(what.into());
    }
    /// A refused change of `key` (in the new profile, or the old one when
    /// `in_old`).
    pub fn refuse(
        &mut self,
        code: &'static str,
        key: &[&str],
        in_old: bool,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let message = message.into();
        self.step(Class::Refused, message.clone(), Vec::new());
        self.refused.push(Refusal {
            layer: self.layer,
            code,
            key: key.iter().map(|k| k.to_string()).collect(),
            in_old,
            node: self.node.clone(),
            message,
            label: label.into(),
            help: help.into(),
        });
    }
}

/// A layer's transitions: the differences of its part of two sites on
/// one node, each sorted into a class.
pub(crate) trait Transition: Sync {
    fn changes(&self, tx: &Tx, out: &mut Out);
}

/// The layers' transitions, in `plan::node::LAYERS` order (boot, apt and
/// the packages of their own have none that touch a running node).
pub(crate) static TRANSITIONS: &[(&str, &dyn Transition)] = &[
    ("volumes", &layers::volumes::transition::Volumes),
    ("drbd", &layers::drbd::transition::Drbd),
    ("ocfs2", &layers::ocfs2::transition::Ocfs2),
    ("shares", &layers::shares::transition::Shares),
    ("unison", &layers::unison::transition::Unison),
    ("system", &layers::system::transition::System),
    ("link", &layers::link::transition::Link),
    ("apt", &layers::apt::transition::Apt),
    ("nis", &layers::nis::transition::Nis),
];

/// One changed file of a node package.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub path: String,
    /// added, removed, changed
    pub change: &'static str,
    /// Unified diff (`--- a/PATH` / `+++ b/PATH`); empty for binary files.
    pub diff: String,
}

/// What the upgrade does on one node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeChange {
    pub node: String,
    pub package: String,
    pub old_version: String,
    pub new_version: String,
    pub files: Vec<FileChange>,
    pub packages_added: Vec<String>,
    pub packages_dropped: Vec<String>,
    pub steps: Vec<Step>,
    /// Volumes, directories, resources that leave the profile: their data stays.
    pub kept: Vec<String>,
    pub worst: Option<Class>,
}

/// The whole plan: one entry per node of both sites, and the refused changes.
#[derive(Debug, Clone, Serialize)]
pub struct ChangePlan {
    pub nodes: Vec<NodeChange>,
    /// Nodes only in the new site (installed fresh) or only in the old one
    /// (no longer built: removing their package keeps their data).
    pub nodes_added: Vec<String>,
    pub nodes_dropped: Vec<String>,
    pub refused: Vec<Refusal>,
    pub worst: Option<Class>,
}

/// The site as planned for a comparison: a signed repository's public key
/// is the same placeholder on both sides (the key is not looked up).
fn comparable(site: &Site) -> Site {
    let mut s = site.clone();
    if matches!(s.repository.signing, crate::model::Signing::Gpg { .. })
        && s.repository.public_key.is_none()
    {
        s.repository.public_key = Some("(the archive's public key)\n".into());
    }
    s
}

/// Plan the upgrade of every node from `old` to `new`.
pub fn plan_change(old: &Site, new: &Site, r: &Renderer) -> Result<ChangePlan, PlanError> {
    let (old_c, new_c) = (comparable(old), comparable(new));
    let old_pkgs = super::plan_site_using(&old_c, r)?;
    let new_pkgs = super::plan_site_using(&new_c, r)?;
    let mut nodes = Vec::new();
    let mut refused = Vec::new();
    for n in &new.nodes {
        let Some(o) = old.node(&n.name) else { continue };
        let find = |pkgs: &[PackageSpec], name: &str| pkgs.iter().find(|p| p.name == name).cloned();
        let (Some(op), Some(np)) = (find(&old_pkgs, &o.package), find(&new_pkgs, &n.package))
        else {
            continue;
        };
        let tx = Tx {
            old,
            new,
            node: &n.name,
        };
        let mut out = Out {
            node: n.name.clone(),
            ..Out::default()
        };
        for (layer, t) in TRANSITIONS {
            out.layer = layer;
            t.changes(&tx, &mut out);
        }
        let worst = out.steps.iter().map(|s| s.class).max();
        let (added, dropped) = depends_change(&op.depends, &np.depends);
        for r in out.refused.drain(..) {
            match refused
                .iter_mut()
                .find(|x: &&mut Refusal| x.code == r.code && x.key == r.key)
            {
                Some(x) => x.node = format!("{}, {}", x.node, r.node),
                None => refused.push(r),
            }
        }
        nodes.push(NodeChange {
            node: n.name.clone(),
            package: np.name.clone(),
            old_version: op.version.clone(),
            new_version: np.version.clone(),
            files: file_changes(&op, &np),
            packages_added: added,
            packages_dropped: dropped,
            steps: out.steps,
            kept: out.kept,
            worst,
        });
    }
    let nodes_added = new
        .nodes
        .iter()
        .filter(|n| old.node(&n.name).is_none())
        .map(|n| n.name.clone())
        .collect();
    let nodes_dropped = old
        .nodes
        .iter()
        .filter(|n| new.node(&n.name).is_none())
        .map(|n| n.name.clone())
        .collect();
    let worst = nodes.iter().filter_map(|n| n.worst).max();
    Ok(ChangePlan {
        nodes,
        nodes_added,
        nodes_dropped,
        refused,
        worst,
    })
}

/// The package names of a Depends list, without versions or alternatives'
/// versions (`a (>= 1) | b` is `a | b`).
fn depends_change(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let names = |l: &[String]| -> Vec<String> {
        l.iter()
            .map(|d| {
                d.split('|')
                    .map(|alt| alt.split_whitespace().next().unwrap_or("").to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    };
    let (o, n) = (names(old), names(new));
    let added = n.iter().filter(|d| !o.contains(d)).cloned().collect();
    let dropped = o.iter().filter(|d| !n.contains(d)).cloned().collect();
    (added, dropped)
}

fn text(kind: &EntryKind) -> Option<String> {
    match kind {
        EntryKind::File(b) => String::from_utf8(b.clone()).ok(),
        EntryKind::Symlink(t) => Some(format!("-> {t}\n")),
        EntryKind::Dir => Some(String::new()),
    }
}

fn unified(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a{path}"), &format!("b{path}"))
        .to_string()
}

/// The files that differ between two versions of a package, in path order.
fn file_changes(old: &PackageSpec, new: &PackageSpec) -> Vec<FileChange> {
    let mut paths: Vec<&String> = old.files.keys().chain(new.files.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for p in paths {
        let (o, n) = (old.files.get(p), new.files.get(p));
        let change = match (o, n) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(_)) => "changed",
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (None, None) => continue,
        };
        let ot = o.map_or(Some(String::new()), |e| text(&e.kind));
        let nt = n.map_or(Some(String::new()), |e| text(&e.kind));
        let diff = match (ot, nt) {
            (Some(a), Some(b)) if a != b => unified(p, &a, &b),
            (Some(_), Some(_)) => format!(
                "mode {:o} -> {:o}\n",
                o.map_or(0, |e| e.mode),
                n.map_or(0, |e| e.mode)
            ),
            _ => String::new(),
        };
        out.push(FileChange {
            path: p.clone(),
            change,
            diff,
        });
    }
    out
}

/// The plan as text, for the terminal (the refusals are rendered as
/// diagnostics by the CLI, beside it).
pub fn render_text(plan: &ChangePlan, command: &str) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for n in &plan.nodes {
        let _ = writeln!(
            s,
            "node {} ({} {} -> {}): {}",
            n.node,
            n.package,
            n.old_version,
            n.new_version,
            n.worst.map_or("no change", |c| c.as_str())
        );
        if !n.packages_added.is_empty() || !n.packages_dropped.is_empty() {
            let _ = writeln!(s, "  packages:");
            for p in &n.packages_added {
                let _ = writeln!(s, "    + {p}");
            }
            for p in &n.packages_dropped {
                let _ = writeln!(s, "    - {p}");
            }
        }
        if !n.files.is_empty() {
            let _ = writeln!(s, "  files:");
            for f in &n.files {
                let _ = writeln!(s, "    {} {}", f.change, f.path);
            }
        }
        if !n.steps.is_empty() {
            let _ = writeln!(s, "  steps:");
            for st in &n.steps {
                let _ = writeln!(
                    s,
                    "    {:<7} {:<7} {}",
                    st.class.as_str(),
                    st.layer,
                    st.what
                );
                for (i, o) in st.order.iter().enumerate() {
                    let _ = writeln!(s, "    {:15} {}. {o}", "", i + 1);
                }
            }
        }
        if !n.kept.is_empty() {
            let _ = writeln!(s, "  kept (no longer in the profile, data left in place):");
            for k in &n.kept {
                let _ = writeln!(s, "    {k}");
            }
        }
        if n.steps.iter().any(|st| st.class == Class::Window) {
            let _ = writeln!(
                s,
                "  window steps wait for '{command} apply' on {} (status lists them as pending)",
                n.node
            );
        }
    }
    for n in &plan.nodes_added {
        let _ = writeln!(
            s,
            "node {n}: new (its package is installed as a first install)"
        );
    }
    for n in &plan.nodes_dropped {
        let _ = writeln!(
            s,
            "node {n}: no longer in the profile (its package is not built; removing it keeps its data)"
        );
    }
    let _ = writeln!(
        s,
        "worst: {} (exit {})",
        plan.worst.map_or("no change", |c| c.as_str()),
        exit_status(plan.worst)
    );
    s
}

/// Every file diff of the plan, node by node.
pub fn render_diffs(plan: &ChangePlan) -> String {
    let mut s = String::new();
    for n in &plan.nodes {
        for f in &n.files {
            if !f.diff.is_empty() {
                s.push_str(&format!("==== {} {} ====\n", n.node, f.path));
                s.push_str(&f.diff);
                if !f.diff.ends_with('\n') {
                    s.push('\n');
                }
            }
        }
    }
    s
}

/// The window steps of one layer all wait for `apply`: the order it stops
/// and unmounts things on a node, from what the new site runs there.
pub fn window_order(site: &Site, node: &str, change: &str) -> Vec<String> {
    let mps: Vec<&str> = site
        .ocfs2
        .iter()
        .flat_map(|c| c.filesystems.iter())
        .filter(|f| f.nodes.iter().any(|n| n == node))
        .map(|f| f.mountpoint.as_str())
        .collect();
    let on_ocfs2 = |sh: &&crate::model::Share| {
        matches!(sh.on, crate::model::ShareOn::Ocfs2 { .. }) && sh.nodes.iter().any(|n| n == node)
    };
    let exports: Vec<&str> = site
        .shares
        .iter()
        .filter(on_ocfs2)
        .filter(|s| !s.exports.is_empty())
        .map(|s| s.path.as_str())
        .collect();
    let pools: Vec<&str> = site
        .shares
        .iter()
        .filter(on_ocfs2)
        .filter_map(|s| s.libvirt_pool.as_deref())
        .collect();
    let list = |v: &[&str]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    vec![
        format!("unexport the NFS exports on OCFS2 ({})", list(&exports)),
        format!("stop the libvirt pools on OCFS2 ({})", list(&pools)),
        format!("unmount OCFS2 ({})", list(&mps)),
        "o2cb offline".into(),
        change.to_string(),
        "o2cb online".into(),
        format!("mount OCFS2 ({})", list(&mps)),
        "export again (exportfs -ra), start the pools".into(),
    ]
}

/// Two parts of the model are the same (the model has no `PartialEq`:
/// compared as their serialised form).
pub fn same<T: Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}
