//! The volumes layer's transitions: new, grown, moved and dropped LVs and
//! their ext4 filesystems ([`crate::plan::change`]).

use crate::model::{Volume, VolumeKind};
use crate::plan::change::{Out, Transition, Tx};

pub(crate) struct Volumes;

fn on<'a>(vols: &'a [Volume], node: &str) -> Vec<&'a Volume> {
    vols.iter()
        .filter(|v| v.nodes.iter().any(|n| n == node))
        .collect()
}

/// Why `mount -o remount` cannot carry a change of mount options from OLD
/// to NEW, if it cannot (a window then): a new journalling mode (ext4's
/// and OCFS2's `data=`, OCFS2's `heartbeat=`), or an option dropped
/// without a new value for its key (a remount keeps what it is not given:
/// `commit=30` stays in effect once the profile no longer names it).
pub(crate) fn remount_cannot(old: &[String], new: &[String]) -> Option<String> {
    let fixed = |l: &[String]| -> Vec<String> {
        l.iter()
            .filter(|o| o.starts_with("data=") || o.starts_with("heartbeat="))
            .cloned()
            .collect()
    };
    if fixed(old) != fixed(new) {
        return Some("the journalling mode changes only on a new mount".into());
    }
    fn key(o: &str) -> &str {
        o.split_once('=').map_or(o, |(k, _)| k)
    }
    let dropped: Vec<&str> = old
        .iter()
        .filter(|o| !new.iter().any(|n| key(n) == key(o)))
        .map(String::as_str)
        .collect();
    if dropped.is_empty() {
        None
    } else {
        Some(format!("a remount keeps {} in effect", dropped.join(",")))
    }
}

impl Transition for Volumes {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (old, new) = (on(&tx.old.volumes, tx.node), on(&tx.new.volumes, tx.node));
        let vg = &tx.new_node().volume_group;
        for v in &new {
            let Some(o) = old.iter().find(|o| o.name == v.name) else {
                match (v.kind, &v.mountpoint) {
                    (VolumeKind::Drbd, _) | (_, None) => out.live(format!(
                        "new LV {vg}/{} ({}): lvcreate",
                        v.name, v.size_text
                    )),
                    (_, Some(mp)) => out.live(format!(
                        "new LV {vg}/{} ({}): lvcreate, mkfs.ext4 only on the new LV while it holds no signature, mount {mp}",
                        v.name, v.size_text
                    )),
                }
                continue;
            };
            let key = |k: &'static str| ["volumes", v.name.as_str(), k];
            if o.kind != v.kind {
                out.refuse(
                    "change-fs-kind",
                    &key("kind"),
                    false,
                    format!(
                        "volume `{}` changes from {:?} to {:?}: its contents would be replaced",
                        v.name, o.kind, v.kind
                    )
                    .to_lowercase(),
                    format!("was {:?}", o.kind).to_lowercase(),
                    format!(
                        "keep kind = \"{}\"; to change it, add a new volume of the new kind, copy the data over, then drop `{}` from the profile (its LV stays)",
                        format!("{:?}", o.kind).to_lowercase(),
                        v.name
                    ),
                );
                continue;
            }
            if v.size < o.size {
                out.refuse(
                    "shrink-volume",
                    &key("size"),
                    false,
                    format!(
                        "volume `{}` shrinks from {} to {}: storpkg never shrinks a volume (the data past the new end is lost)",
                        v.name, o.size_text, v.size_text
                    ),
                    format!("was {}", o.size_text),
                    format!(
                        "keep size = \"{}\"; to make it smaller, move the data to a new, smaller volume and drop this one",
                        o.size_text
                    ),
                );
            } else if v.size > o.size {
                match v.kind {
                    VolumeKind::Drbd => out.live(format!(
                        "LV {vg}/{} grows {} -> {}: lvextend (the DRBD resize on it is the drbd layer's step)",
                        v.name, o.size_text, v.size_text
                    )),
                    _ => out.live(format!(
                        "LV {vg}/{} grows {} -> {}: lvextend, resize2fs while mounted (ext4 grows online)",
                        v.name, o.size_text, v.size_text
                    )),
                }
            }
            if o.mountpoint != v.mountpoint {
                if let (Some(a), Some(b)) = (&o.mountpoint, &v.mountpoint) {
                    out.window(
                        format!("volume {} moves from {a} to {b}", v.name),
                        vec![
                            format!("stop what uses {a} (exports, pools, unison)"),
                            format!("umount {a}"),
                            format!("mount {b}"),
                        ],
                    );
                }
            } else if o.mount_options != v.mount_options {
                if let Some(mp) = &v.mountpoint {
                    if let Some(why) = remount_cannot(&o.mount_options, &v.mount_options) {
                        out.window(
                            format!(
                                "{mp}: mount options {} -> {} ({why})",
                                o.mount_options.join(","),
                                v.mount_options.join(",")
                            ),
                            vec![format!("umount {mp}"), format!("mount {mp}")],
                        );
                    } else {
                        out.live(format!(
                            "{mp}: mount -o remount,{}",
                            v.mount_options.join(",")
                        ));
                    }
                }
            }
        }
        for o in &old {
            if !new.iter().any(|v| v.name == o.name) {
                let mp = o
                    .mountpoint
                    .as_deref()
                    .map(|m| format!(", still mounted on {m} until unmounted by hand"))
                    .unwrap_or_default();
                out.live(format!(
                    "volume {} leaves the profile: its fstab line goes{mp}",
                    o.name
                ));
                out.keep(format!(
                    "LV {}/{} ({}) and its data (remove it by hand with lvremove once it is no longer wanted)",
                    tx.old_node().volume_group,
                    o.name,
                    o.size_text
                ));
            }
        }
    }
}
