//! OCFS2: the o2cb cluster (`cluster.conf` and ocfs2-tools' debconf
//! answers) and the shared filesystems' fstab lines.

use crate::layers::volumes::plan::FstabEntry;
use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use serde::Serialize;

/// `ocfs2/cluster.conf`.
#[derive(Serialize)]
struct ClusterConf {
    cluster: String,
    port: u16,
    nodes: Vec<Ocfs2Node>,
}

#[derive(Serialize)]
struct Ocfs2Node {
    name: String,
    address: String,
    number: u32,
}

/// ocfs2-tools' debconf answers (`ocfs2/postinst-functions`).
#[derive(Serialize)]
struct O2cb {
    cluster: String,
    heartbeat_threshold: u32,
    idle_timeout_ms: u32,
    keepalive_delay_ms: u32,
    reconnect_delay_ms: u32,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let Some(ocfs2) = &site.ocfs2 else {
        return Ok(());
    };
    let ctx = ClusterConf {
        cluster: ocfs2.cluster.clone(),
        port: ocfs2.port,
        nodes: site
            .ocfs2_cluster(&cx.node.name)
            .into_iter()
            .map(|n| Ocfs2Node {
                name: n.name.clone(),
                address: n.address_on(ocfs2.network).to_string(),
                number: n.ocfs2_number,
            })
            .collect(),
    };
    c.render(cx, "/etc/ocfs2/cluster.conf", "ocfs2/cluster.conf", &ctx)?;
    let o2cb = O2cb {
        cluster: ocfs2.cluster.clone(),
        heartbeat_threshold: ocfs2.heartbeat_threshold,
        idle_timeout_ms: ocfs2.idle_timeout_ms,
        keepalive_delay_ms: ocfs2.keepalive_delay_ms,
        reconnect_delay_ms: ocfs2.reconnect_delay_ms,
    };
    for (phase, name) in [
        (Phase::Functions, "ocfs2/postinst-functions"),
        (Phase::Configure, "ocfs2/postinst-configure"),
        (Phase::PostrmTop, "ocfs2/postrm-top"),
        (Phase::Purge, "ocfs2/postrm-purge"),
    ] {
        c.script(cx, phase, name, &o2cb)?;
    }
    for fs in ocfs2
        .filesystems
        .iter()
        .filter(|f| f.nodes.contains(&cx.node.name))
    {
        // No `nofail`: mount.ocfs2 hands it to the kernel, which refuses
        // the mount ("Unrecognized mount option", EINVAL; seen in the VM
        // suite). `_netdev` keeps a failed mount out of local-fs.target.
        // After the converge unit, which promotes the resource first
        // (and mounts it itself: this unit then finds it mounted).
        let mut opts: Vec<String> = vec![
            "_netdev".into(),
            "x-systemd.requires=o2cb.service".into(),
            "x-systemd.requires=drbd.service".into(),
            format!("x-systemd.after={}-storage-converge.service", site.name),
        ];
        opts.extend(fs.mount_options.iter().cloned());
        c.fstab.push(FstabEntry {
            device: fs.device.clone(),
            mountpoint: fs.mountpoint.clone(),
            fstype: "ocfs2".into(),
            options: opts.join(","),
            // Never fsck at boot: the peer may have it mounted.
            pass: 0,
        });
        c.dirs.push(fs.mountpoint.clone());
    }
    c.depends.push("ocfs2-tools".into());
    Ok(())
}
