//! The OCFS2 layer's transitions ([`crate::plan::change`]): the o2cb
//! cluster's node addresses, port and timeouts are read into configfs when
//! it goes online and cannot change while a filesystem is mounted: a
//! window on every node. New filesystems and remountable options are live;
//! mkfs parameters of an existing filesystem are refused.

use crate::layers::volumes::transition::remount_cannot;
use crate::model::{Ocfs2Fs, Site};
use crate::plan::change::{window_order, Out, Transition, Tx};

pub(crate) struct Ocfs2;

fn fss<'a>(site: &'a Site, node: &str) -> Vec<&'a Ocfs2Fs> {
    site.ocfs2
        .iter()
        .flat_map(|c| c.filesystems.iter())
        .filter(|f| f.nodes.iter().any(|n| n == node))
        .collect()
}

/// What configfs holds of `node`'s cluster: name, port, each node's
/// number and address, the timeouts (a pair that joins the site elsewhere
/// is no change here: its cluster is its own).
fn cluster_view(site: &Site, node: &str) -> Option<Vec<String>> {
    let c = site.ocfs2.as_ref()?;
    let mut v = vec![
        format!("cluster {}", c.cluster),
        format!("port {}", c.port),
        format!("heartbeat threshold {}", c.heartbeat_threshold),
        format!("idle timeout {} ms", c.idle_timeout_ms),
        format!("keepalive delay {} ms", c.keepalive_delay_ms),
        format!("reconnect delay {} ms", c.reconnect_delay_ms),
    ];
    for n in site.ocfs2_cluster(node) {
        v.push(format!(
            "node {} number {} address {}",
            n.name,
            n.ocfs2_number,
            n.address_on(c.network)
        ));
    }
    Some(v)
}

impl Transition for Ocfs2 {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (old, new) = (fss(tx.old, tx.node), fss(tx.new, tx.node));
        if !old.is_empty() && !new.is_empty() {
            if let (Some(a), Some(b)) =
                (cluster_view(tx.old, tx.node), cluster_view(tx.new, tx.node))
            {
                let changed: Vec<String> = b.iter().filter(|l| !a.contains(l)).cloned().collect();
                if !changed.is_empty() {
                    let what = format!("o2cb: {}", changed.join("; "));
                    out.window(
                        format!(
                            "{what}: o2cb reads them only when it goes online; recorded as pending, done by '{} apply' here and on the peer",
                            tx.command()
                        ),
                        window_order(tx.new, tx.node, "new cluster.conf and /etc/default/o2cb take effect"),
                    );
                }
            }
        }
        for f in &new {
            let Some(o) = old.iter().find(|o| o.name == f.name) else {
                out.live(format!(
                    "new OCFS2 filesystem {} on {}: mkfs.ocfs2 by the initialiser only on a device with no signature, once DRBD {} is Primary UpToDate; mounted on {}",
                    f.name, f.device, f.resource, f.mountpoint
                ));
                continue;
            };
            let key = |k: &'static str| ["ocfs2", "filesystems", f.name.as_str(), k];
            if o.resource != f.resource {
                out.refuse(
                    "ocfs2-backing",
                    &key("resource"),
                    false,
                    format!(
                        "OCFS2 filesystem `{}` moves from DRBD `{}` to `{}`: its files stay on `{}`, the new device would be formatted",
                        f.name, o.resource, f.resource, o.resource
                    ),
                    format!("was `{}`", o.resource),
                    format!("keep resource = \"{}\"; to move the files, add a new filesystem and copy them", o.resource),
                );
                continue;
            }
            for (k, a, b) in [
                ("mode", &o.mode, &f.mode),
                ("feature_level", &o.feature_level, &f.feature_level),
            ] {
                if a != b {
                    out.refuse(
                        "ocfs2-mkfs",
                        &key(k),
                        false,
                        format!(
                            "OCFS2 filesystem `{}`: `{k}` {a} -> {b} is a choice of mkfs.ocfs2, and the filesystem exists: storpkg never formats it again",
                            f.name
                        ),
                        format!("was {a}"),
                        format!("keep {k} = \"{a}\" (tunefs.ocfs2 changes some features of an unmounted filesystem by hand; see tunefs.ocfs2(8))"),
                    );
                }
            }
            if o.slots != f.slots {
                out.refuse(
                    "ocfs2-mkfs",
                    &key("slots"),
                    false,
                    format!(
                        "OCFS2 filesystem `{}`: slots {} -> {} is a choice of mkfs.ocfs2, and the filesystem exists",
                        f.name, o.slots, f.slots
                    ),
                    format!("was {}", o.slots),
                    format!("keep slots = {}; add slots by hand with 'tunefs.ocfs2 -N {} {}' while it is mounted nowhere", o.slots, f.slots, f.device),
                );
            }
            if o.mountpoint != f.mountpoint {
                out.window(
                    format!(
                        "OCFS2 {} moves from {} to {}",
                        f.name, o.mountpoint, f.mountpoint
                    ),
                    vec![
                        format!("stop the exports and pools under {}", o.mountpoint),
                        format!("umount {}", o.mountpoint),
                        format!("mount {}", f.mountpoint),
                        "export again, start the pools".into(),
                    ],
                );
            } else if o.mount_options != f.mount_options {
                if let Some(why) = remount_cannot(&o.mount_options, &f.mount_options) {
                    out.window(
                        format!(
                            "{}: mount options {} -> {} ({why})",
                            f.mountpoint,
                            o.mount_options.join(","),
                            f.mount_options.join(",")
                        ),
                        vec![
                            format!("stop the exports and pools under {}", f.mountpoint),
                            format!("umount {}", f.mountpoint),
                            format!("mount {}", f.mountpoint),
                            "export again, start the pools".into(),
                        ],
                    );
                } else {
                    out.live(format!(
                        "{}: mount -o remount,{}",
                        f.mountpoint,
                        f.mount_options.join(",")
                    ));
                }
            }
        }
        for o in &old {
            if !new.iter().any(|f| f.name == o.name) {
                out.live(format!(
                    "OCFS2 filesystem {} leaves the profile: its fstab line goes; still mounted on {} until unmounted by hand",
                    o.name, o.mountpoint
                ));
                out.keep(format!(
                    "OCFS2 filesystem {} on {} and its files",
                    o.name, o.device
                ));
            }
        }
    }
}
