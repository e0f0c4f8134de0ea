//! The typed contribution a storage layer hands to the node package
//! planner, and the fold that turns the layers' contributions into one
//! [`PackageSpec`].
//!
//! Each layer of [`crate::layers`] writes its part into a [`Contribution`]
//! (files, diversions, blocks of shared files, units, Depends, maintainer
//! script fragments, layout lines); [`super::node::plan`] asks every layer in
//! [`super::node::LAYERS`] order and folds. Maintainer scripts are
//! skeletons (`debian-templates/scripts/`) with marker lines
//! (`#LAYERS:configure#`, as debhelper's `#DEBHELPER#`) where the layers'
//! pre-rendered fragments go; every fragment is a shell template, so every
//! value in it passed `shell_quote`.

use super::common::*;
use super::PlanError;
use crate::model::{Node, Site};
use crate::package::{Entry, PackageSpec};
use crate::render::context::{Block, Displaced, Diversion, LayoutLink, PurgeGlob};
use crate::render::Renderer;
use serde::Serialize;
use std::collections::BTreeMap;

/// What every layer of a node package may read.
pub(crate) struct NodeCx<'a> {
    pub site: &'a Site,
    pub node: &'a Node,
    /// The node's package name.
    pub pkg: &'a str,
    pub r: &'a Renderer,
    /// Where units go on the suite.
    pub units: &'static str,
    /// `/usr/sbin/SITE-storage`.
    pub command: String,
    /// `/var/lib/PKG`.
    pub state: String,
    /// `/etc/SITE-storage`.
    pub etc: String,
}

/// Where a maintainer script fragment goes: a marker line of the skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// postinst: variables after `NODE` and `COMMAND`.
    Vars,
    /// postinst: functions after the shared ones.
    Functions,
    /// postinst: steps of `configure`, after the displaced files, the
    /// blocks, the units and the layout's directories and links.
    Configure,
    /// postinst: steps of `apply_live` (a running system only), before the
    /// timers start and the converge hook.
    Live,
    /// postrm: top level, before the shared library.
    PostrmTop,
    /// postrm: steps of `purge`, after the blocks are removed.
    Purge,
}

impl Phase {
    /// The marker line in the skeletons.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            Phase::Vars => "#LAYERS:vars#",
            Phase::Functions => "#LAYERS:functions#",
            Phase::Configure => "#LAYERS:configure#",
            Phase::Live => "#LAYERS:live#",
            Phase::PostrmTop => "#LAYERS:postrm-top#",
            Phase::Purge => "#LAYERS:purge#",
        }
    }
    pub(crate) const ALL: [Phase; 6] = [
        Phase::Vars,
        Phase::Functions,
        Phase::Configure,
        Phase::Live,
        Phase::PostrmTop,
        Phase::Purge,
    ];
}

/// One layer's part of a node package. Lists keep the layer's order; the
/// fold appends the layers' lists in [`super::node::LAYERS`] order.
#[derive(Debug, Default)]
pub(crate) struct Contribution {
    /// Files, directories and symlinks the package ships.
    pub files: BTreeMap<String, Entry>,
    /// Files moved aside with `dpkg-divert`.
    pub diversions: Vec<Diversion>,
    /// Diverted files replaced by a symlink to our copy beside them.
    pub displaced: Vec<Displaced>,
    /// Lines of the package's `/etc/fstab` block.
    pub fstab: Vec<crate::layers::volumes::plan::FstabEntry>,
    /// Blocks of lines in other files (hosts, authorized_keys).
    pub blocks: Vec<Block>,
    /// Units of the package enabled by postinst (timers are also started on
    /// a running system), purged by postrm.
    pub units: Vec<String>,
    /// Units stopped by prerm.
    pub stop_units: Vec<String>,
    pub depends: Vec<String>,
    pub recommends: Vec<String>,
    pub suggests: Vec<String>,
    pub conflicts: Vec<String>,
    /// Files removed on purge by prefix (rotated logs).
    pub purge_globs: Vec<PurgeGlob>,
    /// Runtime files removed on remove and purge.
    pub remove_files: Vec<String>,
    /// Directories of the layout that postinst makes (mountpoints).
    pub dirs: Vec<String>,
    /// Symlinks of the layout that postinst makes (public share links).
    pub links: Vec<LayoutLink>,
    /// Pre-rendered maintainer script fragments, by marker.
    pub scripts: BTreeMap<Phase, Vec<String>>,
    /// Lines of README.Debian's list of shared files this package edits.
    pub block_names: Vec<String>,
}

impl Contribution {
    /// Ship `content` at `path`.
    pub(crate) fn file(&mut self, path: impl Into<String>, mode: u32, content: String) {
        self.files
            .insert(path.into(), Entry::file(mode, content.into_bytes()));
    }

    /// Ship template `name` rendered with `ctx` at `path` (mode 0644).
    pub(crate) fn render<C: Serialize>(
        &mut self,
        cx: &NodeCx,
        path: impl Into<String>,
        name: &str,
        ctx: &C,
    ) -> Result<(), PlanError> {
        let body = cx.r.render(name, ctx)?;
        self.file(path, 0o644, body);
        Ok(())
    }

    /// Take `path` over: divert it aside, ship our copy as `path.PKG`, and
    /// let postinst point `path` at it.
    pub(crate) fn displace(&mut self, path: &str, pkg: &str, content: String) {
        let copy = displaced_copy(path, pkg);
        let target = copy.rsplit('/').next().unwrap_or(&copy).to_string();
        self.file(copy, 0o644, content);
        self.diversions.push(diversion(path, pkg));
        self.displaced.push(Displaced {
            path: path.into(),
            target,
        });
    }

    /// A block of lines in another package's (or nobody's) file.
    pub(crate) fn block(&mut self, b: Block) {
        self.block_names.push(b.file.clone());
        self.blocks.push(b);
    }

    /// The shell template `name` rendered with `ctx`, inserted at `phase`'s
    /// marker.
    pub(crate) fn script<C: Serialize>(
        &mut self,
        cx: &NodeCx,
        phase: Phase,
        name: &str,
        ctx: &C,
    ) -> Result<(), PlanError> {
        let text = cx.r.render(name, ctx)?;
        self.scripts
            .entry(phase)
            .or_default()
            .push(text.trim_matches('\n').to_string());
        Ok(())
    }

    /// Append `other` (the next layer's part) to this one.
    pub(crate) fn extend(&mut self, other: Contribution) {
        self.files.extend(other.files);
        self.diversions.extend(other.diversions);
        self.displaced.extend(other.displaced);
        self.fstab.extend(other.fstab);
        self.blocks.extend(other.blocks);
        self.units.extend(other.units);
        self.stop_units.extend(other.stop_units);
        self.depends.extend(other.depends);
        self.recommends.extend(other.recommends);
        self.suggests.extend(other.suggests);
        self.conflicts.extend(other.conflicts);
        self.purge_globs.extend(other.purge_globs);
        self.remove_files.extend(other.remove_files);
        self.dirs.extend(other.dirs);
        self.links.extend(other.links);
        for (phase, parts) in other.scripts {
            self.scripts.entry(phase).or_default().extend(parts);
        }
        self.block_names.extend(other.block_names);
    }
}

/// `script` with each marker line replaced by the fragments for it (one
/// after the other, in layer order), or removed when there are none.
/// Fragments whose marker the skeleton lacks are not for it (a preinst has
/// none); `tests::every_marker_has_a_skeleton` checks that each marker has
/// its skeleton.
pub(crate) fn insert_fragments(script: &str, scripts: &BTreeMap<Phase, Vec<String>>) -> String {
    let mut out = script.to_string();
    for phase in Phase::ALL {
        let line = format!("{}\n", phase.marker());
        let parts = scripts.get(&phase).map(Vec::as_slice).unwrap_or(&[]);
        let sep = if phase == Phase::Functions {
            "\n\n"
        } else {
            "\n"
        };
        let text: String = parts
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}{sep}"))
            .collect();
        out = out.replacen(&line, &text, 1);
    }
    out
}

/// The maintainer script `name` rendered with `ctx`, `fragments` at its
/// markers.
pub(crate) fn script<C: Serialize>(
    r: &Renderer,
    name: &str,
    ctx: &C,
    fragments: &BTreeMap<Phase, Vec<String>>,
) -> Result<String, PlanError> {
    Ok(insert_fragments(&r.render(name, ctx)?, fragments))
}

/// Add every file of `c` to `spec`.
pub(crate) fn add_files(spec: &mut PackageSpec, c: &Contribution) {
    for (path, entry) in &c.files {
        spec.files.insert(path.clone(), entry.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_take_the_fragments_or_vanish() {
        let mut s = BTreeMap::new();
        s.insert(
            Phase::Configure,
            vec!["    a".to_string(), "    b".to_string()],
        );
        let out = insert_fragments("x\n#LAYERS:configure#\n#LAYERS:live#\ny\n", &s);
        assert_eq!(out, "x\n    a\n    b\ny\n");
    }

    #[test]
    fn every_marker_has_a_skeleton() {
        let skeleton = |name: &str| {
            crate::render::TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| *s)
                .unwrap()
        };
        for phase in Phase::ALL {
            let in_postinst = skeleton("scripts/node.postinst")
                .matches(phase.marker())
                .count();
            let in_postrm = skeleton("scripts/common.postrm")
                .matches(phase.marker())
                .count();
            assert_eq!(in_postinst + in_postrm, 1, "{}", phase.marker());
        }
    }
}
