//! Volumes: the ext4 (and unison) volumes' lines of the package's
//! `/etc/fstab` block and their mountpoints. The block itself holds every
//! layer's lines (OCFS2's too): [`fstab_block`] writes it after the fold.

use crate::model::VolumeKind;
use crate::plan::common::{block, block_source};
use crate::plan::contribution::{Contribution, NodeCx};
use crate::plan::PlanError;
use serde::Serialize;

/// One line of the package's fstab block.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FstabEntry {
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
    pub options: String,
    pub pass: u8,
}

/// `volumes/fstab`.
#[derive(Serialize)]
struct Fstab {
    package: String,
    entries: Vec<FstabEntry>,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let node = cx.node;
    for vol in cx
        .site
        .volumes
        .iter()
        .filter(|v| v.nodes.contains(&node.name))
    {
        if let (VolumeKind::Ext4 | VolumeKind::Unison, Some(mp)) = (vol.kind, &vol.mountpoint) {
            let mut opts = if vol.mount_options.is_empty() {
                vec!["defaults".to_string()]
            } else {
                vol.mount_options.clone()
            };
            opts.push("nofail".into());
            c.fstab.push(FstabEntry {
                device: vol.device(&node.volume_group),
                mountpoint: mp.clone(),
                fstype: "ext4".into(),
                options: opts.join(","),
                pass: vol.fsck_pass,
            });
            c.dirs.push(mp.clone());
        }
    }
    Ok(())
}

/// The package's `/etc/fstab` block from every layer's lines, first of the
/// package's blocks (always shipped: an empty one removes an old block).
pub(crate) fn fstab_block(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let src = block_source(cx.pkg, "fstab");
    let ctx = Fstab {
        package: cx.pkg.into(),
        entries: std::mem::take(&mut c.fstab),
    };
    c.render(cx, src.clone(), "volumes/fstab", &ctx)?;
    c.blocks.insert(0, block("/etc/fstab", src, "bottom"));
    c.block_names.insert(0, "/etc/fstab".to_string());
    Ok(())
}
