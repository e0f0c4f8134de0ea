//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::flag;
use crate::layout::Layout;

/// The DRBD resources, each with its own peer.
pub(crate) fn layout(o: &mut Layout) {
    let site = o.site;
    let vg = o.vg;
    o.comment(
        "DRBD resources: name, minor, device, backing LV and its device, whether this\n\
         # node initialises the resource, seconds it waits for the peer; each its own peer.",
    );
    o.var("DRBD_PEER_WAIT", site.drbd.peer_wait.to_string());
    o.comment(
        "The fence-peer handler's witness: reaching it while the peer answers on none\n\
         # of its addresses means the peer is dead (not a cut network).",
    );
    o.var("DRBD_WITNESS", site.drbd.witness.to_string());
    let res: Vec<_> = site
        .drbd
        .resources
        .iter()
        .filter(|r| o.has(&r.nodes))
        .collect();
    o.var("DRBD_COUNT", res.len().to_string());
    for (i, r) in res.iter().enumerate() {
        let i = i + 1;
        o.item("DRBD", i, "NAME", &r.name);
        o.item("DRBD", i, "MINOR", r.minor.to_string());
        o.item("DRBD", i, "DEVICE", format!("/dev/drbd{}", r.minor));
        o.item("DRBD", i, "LV", &r.volume);
        o.item("DRBD", i, "DISK", format!("/dev/{vg}/{}", r.volume));
        o.item("DRBD", i, "INITIALISER", flag(r.initialiser == o.node));
        // Verified by the site-wide `verify` (the node's verify timer);
        // a resource of a schedule of its own has a timer running
        // `verify NAME`.
        let verify = r.initialiser == o.node
            && !r.verify_schedule.is_empty()
            && r.verify_schedule == site.drbd.verify_schedule;
        o.item("DRBD", i, "VERIFY", flag(verify));
        o.item("DRBD", i, "PEER_WAIT", site.drbd.peer_wait.to_string());
        o.item("DRBD", i, "FENCING", &r.fencing);
        // This node's own end (the running one is compared with it).
        o.item("DRBD", i, "PORT", r.port.to_string());
        o.item(
            "DRBD",
            i,
            "ADDRESS",
            site.node(o.node)
                .map(|n| n.address_on(site.drbd.network).to_string())
                .unwrap_or_default(),
        );
        let peer = o.peer_in(&r.nodes);
        o.item(
            "DRBD",
            i,
            "PEER",
            peer.map(|p| p.name.as_str()).unwrap_or(""),
        );
        o.item(
            "DRBD",
            i,
            "PEER_ADMIN",
            peer.map(|p| p.address.to_string()).unwrap_or_default(),
        );
        o.item(
            "DRBD",
            i,
            "PEER_ADDRESS",
            peer.map(|p| p.address_on(site.drbd.network).to_string())
                .unwrap_or_default(),
        );
        // Every address of the peer, on every network (admin first).
        let mut all = Vec::new();
        if let Some(p) = peer {
            all.push(p.address.to_string());
            if let Some(l) = &p.replication {
                all.push(l.address.to_string());
            }
        }
        o.item("DRBD", i, "PEER_ADDRESSES", all.join(" "));
        o.item(
            "DRBD",
            i,
            "PEER_FENCE",
            peer.and_then(|p| site.drbd.fence_command(&p.name))
                .unwrap_or(""),
        );
    }
}
