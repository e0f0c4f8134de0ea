//! The shares layer's transitions ([`crate::plan::change`]): shares,
//! their links, NFS exports (`exportfs -ra`) and libvirt pools change live;
//! a share that moves to another volume is refused (its files would stay
//! behind); a share that leaves the profile keeps its directory.

use crate::model::{Share, Site};
use crate::plan::change::{same, Out, Transition, Tx};

pub(crate) struct Shares;

fn on<'a>(site: &'a Site, node: &str) -> Vec<&'a Share> {
    site.shares
        .iter()
        .filter(|s| s.nodes.iter().any(|n| n == node))
        .collect()
}

impl Transition for Shares {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (old, new) = (on(tx.old, tx.node), on(tx.new, tx.node));
        for s in &new {
            let Some(o) = old.iter().find(|o| o.name == s.name) else {
                out.live(format!(
                    "new share {}: directory {}{}{}",
                    s.name,
                    s.path,
                    s.link
                        .as_deref()
                        .map(|l| format!(", link {l}"))
                        .unwrap_or_default(),
                    if s.exports.is_empty() {
                        String::new()
                    } else {
                        ", exported (exportfs -ra)".into()
                    }
                ));
                continue;
            };
            if o.path != s.path {
                out.refuse(
                    "share-move",
                    &["shares", s.name.as_str(), "on"],
                    false,
                    format!(
                        "share `{}` moves from {} to {}: its files stay in {}, the new directory starts empty",
                        s.name, o.path, s.path, o.path
                    ),
                    format!("was on `{}`", o.on.name()),
                    format!(
                        "keep on = \"{}\"; to move it, add a new share, copy the files, then drop `{}` (its directory stays)",
                        o.on.name(),
                        s.name
                    ),
                );
                continue;
            }
            if o.link != s.link {
                out.live(format!(
                    "share {}: link {} -> {} (the old link is left in place if it is not the package's)",
                    s.name,
                    o.link.as_deref().unwrap_or("none"),
                    s.link.as_deref().unwrap_or("none")
                ));
            }
            if !same(&o.exports, &s.exports) {
                out.live(format!(
                    "share {}: NFS exports change (exportfs -ra)",
                    s.name
                ));
            }
            if o.libvirt_pool != s.libvirt_pool {
                out.live(format!(
                    "share {}: libvirt pool {} -> {}",
                    s.name,
                    o.libvirt_pool.as_deref().unwrap_or("none"),
                    s.libvirt_pool.as_deref().unwrap_or("none")
                ));
            }
            if (&o.mode, &o.owner, &o.group) != (&s.mode, &s.owner, &s.group) {
                out.live(format!(
                    "share {}: directory {} {}:{} mode {} (the directory itself only, never its contents)",
                    s.name, s.path, s.owner, s.group, s.mode
                ));
            }
        }
        for o in &old {
            if !new.iter().any(|s| s.name == o.name) {
                out.live(format!(
                    "share {} leaves the profile: its link, export and pool go",
                    o.name
                ));
                out.keep(format!(
                    "directory {} (share {}) and its files",
                    o.path, o.name
                ));
            }
        }
        if !same(&tx.old.nfs, &tx.new.nfs) {
            out.live("NFS server settings (nfs.conf.d: restart of nfs-mountd, threads set live)");
        }
    }
}
