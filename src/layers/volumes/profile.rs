//! `[volumes.NAME]`: the logical volumes of the nodes, with the checks
//! volumes own: mountpoints (once each, none inside another) and the fit
//! of each node's volumes in its volume group.

use crate::model::{Node, Volume, VolumeKind};
use crate::profile::cx::{duplicate, Cx, Kind};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::site::node_list;
use crate::profile::spec::{key, map, section, Section, Ty};
use crate::profile::{grammar, human};
use std::ops::Range;

pub(crate) fn volumes(cx: &mut Cx, t: Option<Table>, nodes: &[Node]) -> Vec<Volume> {
    let Some(t) = t else { return Vec::new() };
    let mut out = Vec::new();
    for (key, t) in t.into_tables(&mut cx.d) {
        let Some(t) = t else { continue };
        out.extend(volume(cx, t, key, nodes));
    }
    out
}

/// One volume; its name is registered even when refused.
fn volume(cx: &mut Cx, mut t: Table, key: Sp<String>, nodes: &[Node]) -> Option<Volume> {
    let d = &mut cx.d;
    let size = t.req_str(d, "size");
    let kind = t.req_str(d, "kind");
    let mountpoint = t.str(d, "mountpoint");
    let options = t.str_list(d, "mount_options");
    let on = t.str_list(d, "nodes");
    // `mountpont = ...` is reported as unknown: not as missing too.
    let misspelt_mountpoint = mountpoint.is_none() && t.has_near("mountpoint");
    t.finish(d);
    let name_ok = cx.check(&key, "bad-name", "volume name", grammar::name);
    let size_b = size.as_ref().and_then(|s| cx.size(s));
    let kind_v = kind.as_ref().and_then(|k| {
        cx.one_of(k, "volume kind", KINDS)
            .then_some(match k.value.as_str() {
                "ext4" => VolumeKind::Ext4,
                "unison" => VolumeKind::Unison,
                _ => VolumeKind::Drbd,
            })
    });
    let mp = mountpoint.clone().and_then(|m| checked_path(cx, m));
    match (kind_v, &mp, &mountpoint) {
        (Some(VolumeKind::Drbd), _, Some(m)) => {
            cx.d.push(
                Diagnostic::error("bad-value", m.span.clone(), "a DRBD backing volume is not mounted")
                    .label("remove this mountpoint")
                    .help("mount the OCFS2 filesystem on the DRBD device instead: `[ocfs2.filesystems.NAME] mountpoint = ...`"),
            );
        }
        (Some(VolumeKind::Ext4 | VolumeKind::Unison), None, None) if !misspelt_mountpoint => {
            cx.d.push(
                Diagnostic::error(
                    "missing-key",
                    key.span.clone(),
                    format!("volume `{}` needs a mountpoint", key.value),
                )
                .label("ext4 and unison volumes are mounted")
                .help(format!("add `mountpoint = \"/vol/{}\"`", key.value)),
            );
        }
        _ => {}
    }
    let mount_options = mount_options(cx, options, grammar::Fs::Ext4);
    let vol_nodes = node_list(cx, on, nodes);
    if let Some(m) = &mp {
        register_mountpoint(cx, m, &vol_nodes);
    }
    if !(cx.define(Kind::Volume, &key, name_ok) && name_ok) {
        return None;
    }
    let (Some(size_b), Some(kind_v), Some(size)) = (size_b, kind_v, size) else {
        return None;
    };
    Some(Volume {
        name: key.value,
        size: size_b,
        size_text: size.value,
        kind: kind_v,
        mountpoint: mp.map(|m| m.value),
        mount_options,
        fsck_pass: if kind_v == VolumeKind::Drbd { 0 } else { 2 },
        nodes: vol_nodes,
    })
}

/// A mountpoint that passed the path grammar (or `None`, reported).
pub(crate) fn checked_path(cx: &mut Cx, m: Sp<String>) -> Option<Sp<String>> {
    cx.destination(&m, grammar::Kind::Mountpoint, "mountpoint")
        .then_some(m)
}

/// Record the mountpoint `m` of a volume or an OCFS2 filesystem; one used
/// twice is reported.
pub(crate) fn register_mountpoint(cx: &mut Cx, m: &Sp<String>, nodes: &[String]) {
    let entries = cx.facts.mountpoints.entry(m.value.clone()).or_default();
    if let Some((_, first)) = entries.iter().find(|(n, _)| shares_node(n, nodes)) {
        let first = first.clone();
        cx.d.push(duplicate(
            m.span.clone(),
            first,
            format!("mountpoint `{}` is used twice", m.value),
        ));
        return;
    }
    entries.push((nodes.to_vec(), m.span.clone()));
}

/// Two lists of nodes with a node in common.
pub(crate) fn shares_node(a: &[String], b: &[String]) -> bool {
    a.iter().any(|n| b.contains(n))
}

/// Where `path` is a mountpoint on one of `nodes`.
pub(crate) fn mountpoint_on(cx: &Cx, path: &str, nodes: &[String]) -> Option<Range<usize>> {
    cx.facts
        .mountpoints
        .get(path)?
        .iter()
        .find(|(n, _)| shares_node(n, nodes))
        .map(|(_, s)| s.clone())
}

/// `mount_options = [...]`, each checked; default `noatime`.
pub(crate) fn mount_options(
    cx: &mut Cx,
    options: Option<Vec<Sp<String>>>,
    fs: grammar::Fs,
) -> Vec<String> {
    let mut out = Vec::new();
    for o in options.unwrap_or_else(|| vec![Sp::new("noatime".into(), 0..0)]) {
        if cx.check(&o, "bad-option", "mount option", grammar::mount_option)
            && cx.check(&o, "fs-mount-option", "mount option", |s| {
                grammar::fs_mount_option(s, fs)
            })
        {
            out.push(o.value);
        }
    }
    out
}

/// The nearest mountpoint (of a volume or an OCFS2 filesystem) on one of
/// `nodes` that `path` lies strictly inside, with where it was given.
pub(crate) fn mountpoint_above(
    cx: &Cx,
    path: &str,
    nodes: &[String],
) -> Option<(String, Range<usize>)> {
    let mut p = path;
    while let Some(i) = p.rfind('/') {
        p = &p[..i];
        if let Some(span) = mountpoint_on(cx, p, nodes) {
            return Some((p.to_string(), span));
        }
    }
    None
}

/// The first mountpoint on one of `nodes` that lies strictly inside `path`.
pub(crate) fn mountpoint_below(
    cx: &Cx,
    path: &str,
    nodes: &[String],
) -> Option<(String, Range<usize>)> {
    let prefix = format!("{path}/");
    cx.facts
        .mountpoints
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .find_map(|(k, entries)| {
            let (_, s) = entries.iter().find(|(n, _)| shares_node(n, nodes))?;
            Some((k.clone(), s.clone()))
        })
}

pub(crate) fn kind_name(k: VolumeKind) -> &'static str {
    match k {
        VolumeKind::Ext4 => "ext4",
        VolumeKind::Unison => "unison",
        VolumeKind::Drbd => "drbd",
    }
}

/// Mountpoints side by side: one inside another is mounted in no
/// guaranteed order (fstab, the OCFS2 units) and the node-side command
/// makes and checks each on its own.
pub(crate) fn check_nesting(cx: &mut Cx) {
    let mut found = Vec::new();
    let all = cx
        .facts
        .mountpoints
        .iter()
        .flat_map(|(mp, entries)| entries.iter().map(move |(n, s)| (mp, n, s)));
    for (mp, nodes, span) in all {
        if let Some((outer, outer_span)) = mountpoint_above(cx, mp, nodes) {
            found.push(
                Diagnostic::error(
                    "nested-mountpoint",
                    span.clone(),
                    format!("mountpoint `{mp}` is inside mountpoint `{outer}`"),
                )
                .label("mounted inside another mountpoint")
                .related(outer_span, "the outer mountpoint")
                .help("mount it beside the other (e.g. `/vol/NAME`): nested mounts are neither ordered nor converged"),
            );
        }
    }
    cx.d.list.extend(found);
}

/// The volumes of each node fit its declared volume group.
pub(crate) fn check_vg_fit(cx: &mut Cx, nodes: &[Node], volumes: &[Volume]) {
    for (n, f) in nodes.iter().zip(&cx.facts.nodes) {
        let Some(vg) = n.vg_size else { continue };
        let total: u64 = volumes
            .iter()
            .filter(|v| v.nodes.contains(&n.name))
            .map(|v| v.size)
            .sum();
        if total > vg {
            cx.d.list.push(
                Diagnostic::error(
                    "vg-too-small",
                    f.span.clone(),
                    format!(
                        "the volumes of node `{}` need {} but its volume group holds {}",
                        n.name,
                        human(total),
                        human(vg)
                    ),
                )
                .label("volumes do not fit")
                .help("shrink the volumes or correct `vg_size`"),
            );
        }
    }
}

pub(crate) const KINDS: &[&str] = &["ext4", "unison", "drbd"];

pub(crate) static VOLUME: Section = section(
    "volumes.NAME",
    "One logical volume; NAME is the LV's name.",
    &[
        key("size", Ty::Str(Some(re::SIZE)), "`200G`, `2T`: LVM's binary units; a `drbd` volume holds DRBD's internal metadata and at least 1 MiB of data (`drbd-metadata`)").req("\"100G\""),
        key("kind", Ty::Enum(KINDS), "`ext4` (unreplicated), `unison` (ext4 replicated by unison) or `drbd` (a DRBD backing device)").req("\"ext4\""),
        key("mountpoint", Ty::Str(Some(re::PATH)), "where an ext4 or unison volume is mounted (never inside another mountpoint); a drbd volume has none"),
        key("mount_options", Ty::StrList(Some(re::OPTION)), "mount(8) and ext4(5) words (`fs-mount-option`)").def("[\"noatime\"]"),
        key("nodes", Ty::StrList(Some(re::NAME)), "the nodes that carry it [all]"),
    ],
);

pub(crate) static SPEC: Section = map(
    "volumes",
    "The logical volumes of the nodes, `[volumes.NAME]` each.",
    Some(re::NAME),
    Ty::Table(&VOLUME),
);
