//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::flag;
use crate::layout::Layout;

/// The OCFS2 cluster and filesystems.
pub(crate) fn layout(o: &mut Layout) {
    let site = o.site;
    o.comment(
        "OCFS2: cluster name; filesystems: device, mkfs.ocfs2 -T mode, feature level,\n\
         # slots, label, mountpoint, whether this node makes it.",
    );
    let fss: Vec<_> = site
        .ocfs2
        .iter()
        .flat_map(|c| c.filesystems.iter())
        .filter(|f| o.has(&f.nodes))
        .collect();
    o.var(
        "OCFS2_CLUSTER",
        site.ocfs2
            .as_ref()
            .map(|c| c.cluster.as_str())
            .unwrap_or(""),
    );
    o.var("OCFS2_COUNT", fss.len().to_string());
    // What o2cb must run with (configfs once online): the port, the
    // timeouts, every node's number and address. Compared by status and
    // converge; a difference is a window step for `apply`.
    if let (Some(c), false) = (&site.ocfs2, fss.is_empty()) {
        o.var("O2CB_PORT", c.port.to_string());
        o.var("O2CB_THRESHOLD", c.heartbeat_threshold.to_string());
        o.var("O2CB_IDLE_MS", c.idle_timeout_ms.to_string());
        o.var("O2CB_KEEPALIVE_MS", c.keepalive_delay_ms.to_string());
        o.var("O2CB_RECONNECT_MS", c.reconnect_delay_ms.to_string());
        let cluster = site.ocfs2_cluster(o.node);
        o.var("O2CB_NODE_COUNT", cluster.len().to_string());
        for (j, n) in cluster.iter().enumerate() {
            o.item("O2CB_NODE", j + 1, "NAME", &n.name);
            o.item("O2CB_NODE", j + 1, "NUMBER", n.ocfs2_number.to_string());
            o.item(
                "O2CB_NODE",
                j + 1,
                "ADDRESS",
                n.address_on(c.network).to_string(),
            );
        }
    } else {
        o.var("O2CB_NODE_COUNT", "0");
    }
    for (i, f) in fss.iter().enumerate() {
        let i = i + 1;
        o.item("OCFS2", i, "NAME", &f.name);
        o.item("OCFS2", i, "RESOURCE", &f.resource);
        o.item("OCFS2", i, "DEVICE", &f.device);
        o.item("OCFS2", i, "MODE", &f.mode);
        o.item("OCFS2", i, "FEATURE_LEVEL", &f.feature_level);
        o.item("OCFS2", i, "SLOTS", f.slots.to_string());
        o.item("OCFS2", i, "LABEL", &f.name);
        o.item("OCFS2", i, "MOUNTPOINT", &f.mountpoint);
        o.item("OCFS2", i, "OPTIONS", f.mount_options.join(","));
        o.item(
            "OCFS2",
            i,
            "PEER",
            o.peer_in(&f.nodes).map(|p| p.name.as_str()).unwrap_or(""),
        );
        // Its resource's initialiser makes it (mkfs.ocfs2); the peer waits.
        let init = site
            .drbd
            .resources
            .iter()
            .any(|r| r.name == f.resource && r.initialiser == o.node);
        o.item("OCFS2", i, "INITIALISER", flag(init));
    }
}
