//! The DRBD layer's transitions ([`crate::plan::change`]): what
//! `drbdadm adjust` applies while the resource runs, what makes it
//! reconnect (a pause), what it cannot do without risking data (refused).

use crate::model::{DrbdResource, Site};
use crate::plan::change::{same, Out, Transition, Tx};
use crate::plan::common::drbd_address;

pub(crate) struct Drbd;

fn on<'a>(site: &'a Site, node: &str) -> Vec<&'a DrbdResource> {
    site.drbd
        .resources
        .iter()
        .filter(|r| r.nodes.iter().any(|n| n == node))
        .collect()
}

/// The two endpoints of a resource on `node`: its own, then the peer's.
fn endpoints(site: &Site, r: &DrbdResource, node: &str) -> (String, String) {
    let addr = |n: &str| {
        site.node(n)
            .map(|n| drbd_address(n.address_on(site.drbd.network), r.port))
            .unwrap_or_default()
    };
    let peer = r
        .nodes
        .iter()
        .find(|n| *n != node)
        .cloned()
        .unwrap_or_default();
    (addr(node), addr(&peer))
}

/// The same nodes, in any order.
fn same_nodes(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|n| b.contains(n))
}

/// A resource's nodes change: the new pair has none of its data.
fn refuse_move(out: &mut Out, name: &str, was: &[String], now: &[String]) {
    out.refuse(
        "drbd-peer",
        &["drbd", "resources", name, "nodes"],
        false,
        format!(
            "DRBD resource `{name}` changes its nodes ({} -> {}): the new peer has none of its data",
            was.join(", "),
            now.join(", ")
        ),
        "another pair",
        "keep the resource's nodes; to move it, add a new resource on the new pair and copy the data",
    );
}

impl Transition for Drbd {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (old, new) = (on(tx.old, tx.node), on(tx.new, tx.node));
        let cmd = tx.command();
        // A resource that moves to other nodes: refused on every node of
        // either pair (on the old pair it would seem to leave, on the new
        // one to be new; its data is on the old pair's legs).
        let mut names: Vec<&str> = Vec::new();
        for r in new.iter().chain(&old) {
            if !names.contains(&r.name.as_str()) {
                names.push(&r.name);
            }
        }
        let find = |s: &'_ Site, n: &str| {
            s.drbd
                .resources
                .iter()
                .find(|r| r.name == n)
                .map(|r| r.nodes.clone())
        };
        for n in names {
            if let (Some(was), Some(now)) = (find(tx.old, n), find(tx.new, n)) {
                if !same_nodes(&was, &now) {
                    refuse_move(out, n, &was, &now);
                }
            }
        }
        for r in &new {
            if let Some(o) = tx.old.drbd.resources.iter().find(|o| o.name == r.name) {
                if !same_nodes(&o.nodes, &r.nodes) {
                    continue;
                }
            }
            let Some(o) = old.iter().find(|o| o.name == r.name) else {
                out.live(format!(
                    "new DRBD resource {} (minor {}, port {}): create-md only on a leg with no metadata and no signature, the initial sync skipped when both legs are fresh, Primary once UpToDate",
                    r.name, r.minor, r.port
                ));
                continue;
            };
            let key = |k: &'static str| ["drbd", "resources", r.name.as_str(), k];
            let mut refused = false;
            if o.minor != r.minor {
                refused = true;
                out.refuse(
                    "drbd-minor",
                    &key("minor"),
                    false,
                    format!(
                        "DRBD resource `{}` changes its minor from {} to {}: /dev/drbd{} is in use (OCFS2, fstab, the running kernel)",
                        r.name, o.minor, r.minor, o.minor
                    ),
                    format!("was {}", o.minor),
                    format!("keep minor = {}; a running resource's minor changes only with 'drbdadm down' of it (its filesystems unmounted on both nodes)", o.minor),
                );
            }
            if o.volume != r.volume {
                refused = true;
                out.refuse(
                    "drbd-backing",
                    &key("volume"),
                    false,
                    format!(
                        "DRBD resource `{}` moves from LV `{}` to `{}`: its data stays on `{}`, the new LV would start empty",
                        r.name, o.volume, r.volume, o.volume
                    ),
                    format!("was `{}`", o.volume),
                    format!("keep volume = \"{}\"; to give the resource more room, grow `{}` (its size) instead", o.volume, o.volume),
                );
            }
            if refused {
                continue;
            }
            let (oa, op) = endpoints(tx.old, o, tx.node);
            let (na, np) = endpoints(tx.new, r, tx.node);
            if (oa.as_str(), op.as_str()) != (na.as_str(), np.as_str()) {
                out.pause(format!(
                    "DRBD {}: {oa} <-> {op} becomes {na} <-> {np}: disconnect and connect (drbdadm adjust) on both nodes at once: the node that upgrades first waits, the second completes the switch on both; I/O waits until they reconnect",
                    r.name
                ));
            } else if o.protocol != r.protocol {
                out.pause(format!(
                    "DRBD {}: protocol {} -> {}: drbdadm adjust reconnects",
                    r.name, o.protocol, r.protocol
                ));
            }
            if o.allow_two_primaries != r.allow_two_primaries
                || o.after_sb_0pri != r.after_sb_0pri
                || o.after_sb_1pri != r.after_sb_1pri
                || o.after_sb_2pri != r.after_sb_2pri
                || o.verify_alg != r.verify_alg
                || tx.old.drbd.ping_int != tx.new.drbd.ping_int
                || tx.old.drbd.ping_timeout != tx.new.drbd.ping_timeout
            {
                out.live(format!(
                    "DRBD {}: net options (drbdadm adjust: net-options, connected)",
                    r.name
                ));
            }
            if o.fencing != r.fencing || !same(&o.resync, &r.resync) {
                out.live(format!(
                    "DRBD {}: disk options (fencing, resync: drbdadm adjust: disk-options, attached)",
                    r.name
                ));
            }
            if !same(&o.handlers, &r.handlers)
                || tx.old.drbd.wfc_timeout != tx.new.drbd.wfc_timeout
                || tx.old.drbd.degr_wfc_timeout != tx.new.drbd.degr_wfc_timeout
            {
                out.live(format!(
                    "DRBD {}: handlers and startup timeouts (read from the file when used)",
                    r.name
                ));
            }
            if o.initialiser != r.initialiser || o.verify_schedule != r.verify_schedule {
                out.live(format!(
                    "DRBD {}: initialised and verified by {} (was {}), verify schedule {} (the verify timers; a resource that exists is never initialised again)",
                    r.name,
                    r.initialiser,
                    o.initialiser,
                    if r.verify_schedule.is_empty() { "never" } else { &r.verify_schedule }
                ));
            }
            let size = |s: &Site, v: &str| s.volume(v).map(|v| (v.size, v.size_text.clone()));
            if let (Some((os, ot)), Some((ns, nt))) =
                (size(tx.old, &o.volume), size(tx.new, &r.volume))
            {
                if ns > os {
                    let fs = tx
                        .new
                        .ocfs2
                        .iter()
                        .flat_map(|c| c.filesystems.iter())
                        .find(|f| f.resource == r.name);
                    let grow = match fs {
                        Some(f) => format!("tunefs.ocfs2 -S {} (online)", f.device),
                        None => "grow what is on it".into(),
                    };
                    out.window(
                        format!(
                            "DRBD {} grows {ot} -> {nt} (both legs are grown by the upgrade): DRBD resizes only with one Primary; guided: '{cmd} apply' prints the commands, it does not run them",
                            r.name
                        ),
                        vec![
                            format!("on the peer: unmount what is on /dev/drbd{}, drbdadm secondary {}", r.minor, r.name),
                            format!("here: drbdadm resize {}", r.name),
                            format!("here: {grow}"),
                            format!("on the peer: drbdadm primary {}, {cmd} converge (mounts)", r.name),
                        ],
                    );
                }
            }
        }
        for o in &old {
            let moved = tx.new.drbd.resources.iter().any(|r| r.name == o.name);
            if !new.iter().any(|r| r.name == o.name) && !moved {
                out.live(format!(
                    "DRBD resource {} leaves the profile: its .res file goes; the running resource is left up (run 'drbdadm down {}' once nothing uses it)",
                    o.name, o.name
                ));
                out.keep(format!(
                    "DRBD resource {} (minor {}): its backing LV `{}` and its metadata stay",
                    o.name, o.minor, o.volume
                ));
            }
        }
    }
}
