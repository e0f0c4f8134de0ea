//! Lowering, part two: the replicated storage (DRBD, OCFS2, shares and
//! exports, unison) and the NFS client side (client package, NIS maps).

use super::diag::Diagnostic;
use super::grammar;
use super::lower::{node_list, printable, u32_of, Cx};
use super::read::{Sp, Table};
use crate::model::*;
use std::collections::BTreeMap;
use std::ops::Range;

const AFTER_SB_0PRI: &[&str] = &[
    "disconnect",
    "discard-younger-primary",
    "discard-older-primary",
    "discard-zero-changes",
    "discard-least-changes",
];
const AFTER_SB_1PRI: &[&str] = &[
    "disconnect",
    "consensus",
    "violently-as0p",
    "discard-secondary",
    "call-pri-lost-after-sb",
];
const AFTER_SB_2PRI: &[&str] = &["disconnect", "violently-as0p", "call-pri-lost-after-sb"];
const FENCING: &[&str] = &["dont-care", "resource-only", "resource-and-stonith"];

fn network(cx: &mut Cx, v: Option<Sp<String>>, nodes: &[Node]) -> Network {
    match v {
        Some(v) if cx.one_of(&v, "network", &["admin", "replication"]) => {
            if v.value == "admin" {
                Network::Admin
            } else {
                if let Some(n) = nodes
                    .iter()
                    .find(|n| n.replication.is_none() && !cx.refused_links.contains(&n.name))
                {
                    cx.d.push(
                        Diagnostic::error("wrong-reference", v.span.clone(), format!("node `{}` has no replication link", n.name))
                            .label("the replication network needs `replication = {...}` on every node")
                            .help("add `replication = { interface = \"eth1\", address = \"10.11.12.6/24\" }` to the node, or use `network = \"admin\"`"),
                    );
                }
                Network::Replication
            }
        }
        Some(_) => Network::Admin,
        None if !nodes.is_empty()
            && nodes
                .iter()
                .all(|n| n.replication.is_some() || cx.refused_links.contains(&n.name)) =>
        {
            Network::Replication
        }
        None => Network::Admin,
    }
}

/// The `[drbd]` section: site-wide tuning and policies, then resources.
pub fn drbd(
    cx: &mut Cx,
    t: Option<Table>,
    nodes: &[Node],
    volumes: &[Volume],
    site: &str,
) -> (Drbd, Sp<String>) {
    let first = nodes.first().map(|n| n.name.clone()).unwrap_or_default();
    let mut drbd = Drbd {
        wfc_timeout: 120,
        degr_wfc_timeout: 60,
        ping_int: 10,
        ping_timeout: 5,
        initialiser: first.clone(),
        peer_wait: 120,
        network: network(cx, None, nodes),
        resync: Resync::default(),
        resources: Vec::new(),
    };
    // Dual-primary (the default) needs resource-and-stonith: a Primary that
    // loses its peer freezes I/O until the fence-peer handler knows the
    // peer cannot write (DRBD user guide); single-primary, resource-only.
    let mut fencing_span = Sp::new("resource-and-stonith".to_string(), 0..0);
    let Some(mut t) = t else {
        return (drbd, fencing_span);
    };
    let d = &mut cx.d;
    let wfc = t.int_in(d, "wfc_timeout", 0, 86400);
    let degr = t.int_in(d, "degr_wfc_timeout", 0, 86400);
    let ping_int = t.int_in(d, "ping_int", 1, 120);
    let ping_timeout = t.int_in(d, "ping_timeout", 1, 300);
    let init = t.str(d, "initialiser");
    let peer_wait = t.int_in(d, "peer_wait", 0, 86400);
    let net = t.str(d, "network");
    cx.drbd_network_span = net.as_ref().map(|n| n.span.clone());
    let protocol = t.str(d, "protocol");
    let two = t.bool(d, "allow_two_primaries");
    let sb0 = t.str(d, "after_sb_0pri");
    let sb1 = t.str(d, "after_sb_1pri");
    let sb2 = t.str(d, "after_sb_2pri");
    let fencing = t.str(d, "fencing");
    let notify = t.str(d, "split_brain_notify");
    let demote = t.bool(d, "demote_before_resync");
    let resources = t.table(d, "resources");
    let resync = t.table(d, "resync");
    t.finish(d);
    if let Some(r) = resync {
        drbd.resync = resync_of(cx, r);
    }

    drbd.wfc_timeout = u32_of(wfc, 120);
    drbd.degr_wfc_timeout = u32_of(degr, 60);
    drbd.ping_int = u32_of(ping_int, 10);
    drbd.ping_timeout = u32_of(ping_timeout, 5);
    drbd.peer_wait = u32_of(peer_wait, drbd.wfc_timeout);
    drbd.network = network(cx, net, nodes);
    // Where the initialiser was named (none: the first node, by default);
    // an unknown one was reported and is not checked against resources.
    let init_span = init.as_ref().map(|i| i.span.clone());
    let mut init_known = !drbd.initialiser.is_empty();
    if let Some(i) = init {
        if cx.node_spans.contains_key(&i.value) {
            drbd.initialiser = i.value;
        } else {
            let known = cx.node_spans.clone();
            cx.unknown_ref(&i, "node", &known);
            init_known = false;
        }
    }
    let protocol = match protocol {
        Some(p) if cx.one_of(&p, "DRBD protocol", &["A", "B", "C"]) => p.value,
        _ => "C".into(),
    };
    let pick = |cx: &mut Cx,
                v: Option<Sp<String>>,
                what: &str,
                allowed: &[&str],
                default: &str|
     -> String {
        match v {
            Some(v)
                if v.value
                    .strip_prefix("discard-node-")
                    .is_some_and(|n| cx.node_spans.contains_key(n))
                    && what == "after-sb-0pri policy" =>
            {
                v.value
            }
            Some(v) if cx.one_of(&v, what, allowed) => v.value,
            _ => default.to_string(),
        }
    };
    let sb0 = pick(
        cx,
        sb0,
        "after-sb-0pri policy",
        AFTER_SB_0PRI,
        "discard-zero-changes",
    );
    let sb1 = pick(
        cx,
        sb1,
        "after-sb-1pri policy",
        AFTER_SB_1PRI,
        "discard-secondary",
    );
    let sb2 = pick(cx, sb2, "after-sb-2pri policy", AFTER_SB_2PRI, "disconnect");
    if two.as_ref().is_some_and(|t| !t.value) {
        fencing_span.value = "resource-only".into();
    }
    if let Some(f) = fencing {
        if cx.one_of(&f, "fencing policy", FENCING) {
            fencing_span = f;
        }
    }
    let notify = cx
        .checked(
            notify,
            "bad-value",
            "split-brain recipient",
            grammar::recipient,
        )
        .unwrap_or_else(|| "root".into());
    let demote = demote.map_or(true, |d| d.value);
    let allow_two = two.map_or(true, |t| t.value);

    let mut handlers = Vec::new();
    if demote {
        handlers.push(Handler {
            name: "before-resync-target".into(),
            command: "/usr/sbin/drbdsetup secondary $DRBD_MINOR".into(),
        });
    }
    handlers.push(Handler {
        name: "split-brain".into(),
        command: format!("/usr/lib/drbd/notify-split-brain.sh {notify}"),
    });
    // Promotion is the node-side command's (never `become-primary-on`,
    // which promotes a node that is still a resync target): when a resync
    // ends, the converge unit is run again to promote and mount.
    handlers.push(Handler {
        name: "after-resync-target".into(),
        command: format!("/usr/sbin/{site}-storage after-resync"),
    });
    if fencing_span.value != "dont-care" {
        handlers.push(Handler {
            name: "fence-peer".into(),
            command: format!("/usr/sbin/{site}-storage fence-peer"),
        });
    }

    let Some(resources) = resources else {
        return (drbd, fencing_span);
    };
    let (path, entries) = resources.into_entries();
    let mut minors: BTreeMap<u32, Range<usize>> = BTreeMap::new();
    let mut backing: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for (key, value) in entries {
        let Some(mut t) = Table::from_value(&mut cx.d, &format!("{path}.{}", key.value), value)
        else {
            continue;
        };
        let d = &mut cx.d;
        let minor = t.req_int(d, "minor", "0");
        let port = t.req_int(d, "port", "7790");
        let volume = t.req_str(d, "volume", "\"rep-drbd0\"");
        let on = t.str_list_sp(d, "nodes");
        let list_span = on.as_ref().map(|l| l.span.clone());
        let on = on.map(|l| l.value);
        // Unknown or repeated nodes are reported by `node_list`; the count
        // is that of the list as written, so they are not reported twice.
        let listed = on.as_ref().map(Vec::len);
        let on_span = t.span.clone();
        t.finish(d);
        let name_ok = cx.check(&key, "bad-name", "resource name", grammar::name);
        let minor = minor.filter(|m| {
            super::read::check_range(
                &mut cx.d,
                &format!("drbd.resources.{}.minor", key.value),
                m,
                0,
                1048575,
            )
        });
        let port = port.filter(|p| {
            super::read::check_range(
                &mut cx.d,
                &format!("drbd.resources.{}.port", key.value),
                p,
                1024,
                65535,
            )
        });
        if let Some(m) = &minor {
            let m32 = m.value as u32;
            if let Some(first) = minors.get(&m32) {
                cx.duplicate(
                    m.span.clone(),
                    first.clone(),
                    format!("DRBD minor {m32} is used twice"),
                );
            } else {
                minors.insert(m32, m.span.clone());
            }
        }
        let mut res_nodes = node_list(cx, on, nodes);
        let count = listed.unwrap_or(res_nodes.len());
        if count != 2 && !cx.no_nodes {
            cx.d.push(
                Diagnostic::error("node-count", key.span.start..on_span.end.min(key.span.end), format!("DRBD resource `{}` has {count} nodes", key.value))
                    .label("DRBD 8.4 resources have exactly two nodes")
                    .help("give the resource `nodes = [\"a\", \"b\"]`, or define exactly two storage nodes"),
            );
            res_nodes.truncate(2);
        }
        // One node initialises every resource (create-md first, the
        // one-legged start, mkfs.ocfs2): a resource that lists its own
        // nodes must list it, or nothing initialises that resource.
        if let Some(items) = &list_span {
            // Only a list that was itself fine: no follow-on of a node-count
            // or unknown-node error.
            let list_ok = count == 2 && res_nodes.len() == 2;
            if init_known && list_ok && !res_nodes.contains(&drbd.initialiser) {
                let init = &drbd.initialiser;
                let mut diag = Diagnostic::error(
                    "wrong-reference",
                    items.clone(),
                    format!(
                        "DRBD resource `{}` does not include the initialiser `{init}`",
                        key.value
                    ),
                )
                .label(format!("`{init}` is not one of these nodes"))
                .help(format!(
                    "list `{init}` in the resource's `nodes`, or name as `[drbd] initialiser` a node that every resource lists: one node creates the metadata and filesystems of all of them"
                ));
                diag = match &init_span {
                    Some(s) => diag.related(s.clone(), "the initialiser, named here"),
                    None => diag.label(format!(
                        "`{init}` (the first node: the default initialiser) is not one of these nodes"
                    )),
                };
                cx.d.push(diag);
            }
        }
        if let Some(v) = &volume {
            match volumes.iter().find(|x| x.name == v.value) {
                None if cx.volume_spans.contains_key(&v.value) => {}
                None => {
                    let known = cx.volume_spans.clone();
                    cx.unknown_ref(v, "volume", &known);
                }
                Some(x) if x.kind != VolumeKind::Drbd => {
                    cx.d.push(
                        Diagnostic::error(
                            "wrong-reference",
                            v.span.clone(),
                            format!("volume `{}` is not a DRBD backing volume", v.value),
                        )
                        .label(format!("it is declared `kind = \"{}\"`", kind_name(x.kind)))
                        .help("backing volumes have `kind = \"drbd\"`"),
                    );
                }
                Some(x) => {
                    if let Some(n) = res_nodes.iter().find(|n| !x.nodes.contains(n)) {
                        cx.d.push(
                            Diagnostic::error(
                                "wrong-reference",
                                v.span.clone(),
                                format!("volume `{}` does not exist on node `{n}`", v.value),
                            )
                            .label("the resource's nodes must both carry its backing volume"),
                        );
                    }
                    if let Some(first) = backing.get(&v.value) {
                        cx.duplicate(
                            v.span.clone(),
                            first.clone(),
                            format!("volume `{}` backs two resources", v.value),
                        );
                    } else {
                        backing.insert(v.value.clone(), v.span.clone());
                    }
                }
            }
        }
        if !name_ok {
            continue;
        }
        if let Some(first) = cx.resource_spans.get(&key.value) {
            let first = first.clone();
            cx.duplicate(
                key.span.clone(),
                first,
                format!("resource `{}` is defined twice", key.value),
            );
            continue;
        }
        cx.resource_spans
            .insert(key.value.clone(), key.span.clone());
        let (Some(minor), Some(port), Some(volume)) = (minor, port, volume) else {
            continue;
        };
        // Ports are per address: recorded for the site-wide check.
        for n in &res_nodes {
            if let Some(node) = nodes.iter().find(|x| &x.name == n) {
                cx.port_uses.push((
                    node.address_on(drbd.network),
                    port.value as u16,
                    port.span.clone(),
                    format!("DRBD resource `{}`", key.value),
                ));
            }
        }
        drbd.resources.push(DrbdResource {
            name: key.value,
            nodes: res_nodes,
            minor: minor.value as u32,
            port: port.value as u16,
            volume: volume.value,
            protocol: protocol.clone(),
            allow_two_primaries: allow_two,
            after_sb_0pri: sb0.clone(),
            after_sb_1pri: sb1.clone(),
            after_sb_2pri: sb2.clone(),
            fencing: fencing_span.value.clone(),
            handlers: handlers.clone(),
        });
    }
    (drbd, fencing_span)
}

pub fn kind_name(k: VolumeKind) -> &'static str {
    match k {
        VolumeKind::Ext4 => "ext4",
        VolumeKind::Unison => "unison",
        VolumeKind::Drbd => "drbd",
    }
}

pub fn ocfs2(
    cx: &mut Cx,
    t: Option<Table>,
    nodes: &[Node],
    volumes: &[Volume],
    drbd: &Drbd,
) -> Option<(Ocfs2, Option<Sp<String>>)> {
    let mut t = t?;
    let d = &mut cx.d;
    let cluster = t.str(d, "cluster");
    let port = t.int_in(d, "port", 1024, 65535);
    let net = t.str(d, "network");
    let threshold = t.int_in(d, "heartbeat_threshold", 3, 1000);
    let idle = t.int_in(d, "idle_timeout_ms", 5000, 600000);
    let keepalive = t.int_in(d, "keepalive_delay_ms", 1000, 600000);
    let reconnect = t.int_in(d, "reconnect_delay_ms", 2000, 600000);
    let filesystems = t.table(d, "filesystems");
    t.finish(d);
    let net_span = net.clone();
    let mut o = Ocfs2 {
        cluster: cx
            .checked(
                cluster,
                "bad-name",
                "OCFS2 cluster name",
                grammar::cluster_name,
            )
            .unwrap_or_else(|| "ocfs2".into()),
        port: port.as_ref().map(|p| p.value as u16).unwrap_or(7777),
        network: Network::Admin,
        heartbeat_threshold: u32_of(threshold, 31),
        idle_timeout_ms: u32_of(idle, 30000),
        keepalive_delay_ms: u32_of(keepalive.clone(), 2000),
        reconnect_delay_ms: u32_of(reconnect, 2000),
        filesystems: Vec::new(),
    };
    o.network = match net {
        Some(n) => network(cx, Some(n), nodes),
        None => Network::Admin,
    };
    if o.keepalive_delay_ms >= o.idle_timeout_ms {
        if let Some(k) = &keepalive {
            cx.d.push(
                Diagnostic::error(
                    "out-of-range",
                    k.span.clone(),
                    "the o2cb keepalive delay must be shorter than the idle timeout",
                )
                .label(format!(
                    "{} ms is not below idle_timeout_ms = {}",
                    o.keepalive_delay_ms, o.idle_timeout_ms
                )),
            );
        }
    }
    let pspan = port.map(|p| p.span).unwrap_or(0..0);
    for n in nodes {
        cx.port_uses.push((
            n.address_on(o.network),
            o.port,
            pspan.clone(),
            "the o2cb cluster".into(),
        ));
    }
    if let Some(fs) = filesystems {
        let (path, entries) = fs.into_entries();
        let mut used: BTreeMap<String, Range<usize>> = BTreeMap::new();
        for (key, value) in entries {
            let Some(mut t) = Table::from_value(&mut cx.d, &format!("{path}.{}", key.value), value)
            else {
                continue;
            };
            let d = &mut cx.d;
            let resource = t.req_str(d, "resource", "\"drbd0\"");
            let mode = t.str(d, "mode");
            let level = t.str(d, "feature_level");
            let mountpoint = t.req_str(d, "mountpoint", "\"/vol/ocfs2-small\"");
            let options = t.str_list(d, "mount_options");
            let slots = t.int_in(d, "slots", 1, 255);
            t.finish(d);
            let name_ok = cx.check(&key, "bad-name", "filesystem name", grammar::name);
            let res = resource.as_ref().and_then(|r| {
                match drbd.resources.iter().find(|x| x.name == r.value) {
                    Some(x) => {
                        if let Some(first) = used.get(&r.value) {
                            cx.duplicate(
                                r.span.clone(),
                                first.clone(),
                                format!("resource `{}` carries two filesystems", r.value),
                            );
                        } else {
                            used.insert(r.value.clone(), r.span.clone());
                        }
                        Some(x)
                    }
                    None => {
                        if !cx.resource_spans.contains_key(&r.value) {
                            let known = cx.resource_spans.clone();
                            cx.unknown_ref(r, "DRBD resource", &known);
                        }
                        None
                    }
                }
            });
            // Where the mode was given (the filesystem's name when it is the
            // default); `None` when it was refused.
            let mut mode_span = Some(key.span.clone());
            let mode = match mode {
                Some(m)
                    if cx.one_of(&m, "mkfs.ocfs2 -T type", &["mail", "datafiles", "vmstore"]) =>
                {
                    mode_span = Some(m.span);
                    m.value
                }
                Some(_) => {
                    mode_span = None;
                    "datafiles".into()
                }
                None => "datafiles".into(),
            };
            // mkfs.ocfs2 refuses -T vmstore and -T datafiles below 2 GiB
            // (their 1 MiB clusters): the first boot would stop there.
            let backing = res.and_then(|r| volumes.iter().find(|v| v.name == r.volume));
            if let (Some(span), Some(v)) = (mode_span, backing) {
                if mode != "mail" && v.size < 2 << 30 {
                    let mut diag = Diagnostic::warning(
                        "small-ocfs2",
                        span.clone(),
                        format!("mkfs.ocfs2 -T {mode} refuses a device below 2 GiB"),
                    )
                    .label(format!(
                        "{}volume `{}` is {}",
                        if span == key.span {
                            "`mode` is `datafiles` by default; its "
                        } else {
                            ""
                        },
                        v.name,
                        super::human(v.size)
                    ))
                    .help(format!(
                        "use `mode = \"mail\"` for a small filesystem, or make volume `{}` larger than 2G (DRBD keeps its metadata on it too)",
                        v.name
                    ));
                    if let Some(vspan) = cx.volume_spans.get(&v.name) {
                        diag = diag.related(vspan.clone(), "the DRBD backing volume");
                    }
                    cx.d.push(diag);
                }
            }
            let level = match level {
                Some(l)
                    if cx.one_of(
                        &l,
                        "feature level",
                        &["default", "max-compat", "max-features"],
                    ) =>
                {
                    l.value
                }
                _ => "default".into(),
            };
            let mp = mountpoint.and_then(|m| {
                cx.check(&m, "bad-path", "mountpoint", grammar::path)
                    .then_some(m)
            });
            if let Some(m) = &mp {
                let k = format!("mountpoint:{}", m.value);
                if let Some(first) = cx.fs_spans.get(&k) {
                    let first = first.clone();
                    cx.duplicate(
                        m.span.clone(),
                        first,
                        format!("mountpoint `{}` is used twice", m.value),
                    );
                } else {
                    cx.fs_spans.insert(k, m.span.clone());
                }
            }
            let mut mount_options = Vec::new();
            for o in options.unwrap_or_else(|| vec![Sp::new("noatime".into(), 0..0)]) {
                if cx.check(&o, "bad-option", "mount option", grammar::mount_option) {
                    mount_options.push(o.value);
                }
            }
            if !name_ok {
                continue;
            }
            if cx.fs_spans.contains_key(&key.value) || cx.volume_spans.contains_key(&key.value) {
                let first = cx
                    .fs_spans
                    .get(&key.value)
                    .or(cx.volume_spans.get(&key.value))
                    .cloned()
                    .unwrap_or(0..0);
                cx.duplicate(
                    key.span.clone(),
                    first,
                    format!("`{}` already names a volume or filesystem", key.value),
                );
                continue;
            }
            cx.fs_spans.insert(key.value.clone(), key.span.clone());
            let (Some(res), Some(mp)) = (res, mp) else {
                continue;
            };
            o.filesystems.push(Ocfs2Fs {
                name: key.value,
                resource: res.name.clone(),
                device: format!("/dev/drbd{}", res.minor),
                mode,
                feature_level: level,
                slots: slots
                    .map(|s| s.value as u32)
                    .unwrap_or(res.nodes.len() as u32),
                mountpoint: mp.value,
                mount_options,
                nodes: res.nodes.clone(),
            });
        }
    }
    Some((o, net_span))
}

pub fn shares(
    cx: &mut Cx,
    t: Option<Table>,
    volumes: &[Volume],
    ocfs2: Option<&Ocfs2>,
) -> Vec<Share> {
    let Some(t) = t else { return Vec::new() };
    let (path, entries) = t.into_entries();
    let mut out = Vec::new();
    let mut links: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut pools: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut paths: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for (key, value) in entries {
        let Some(mut t) = Table::from_value(&mut cx.d, &format!("{path}.{}", key.value), value)
        else {
            continue;
        };
        let d = &mut cx.d;
        let on = t.req_str(d, "on", "\"ocfs2-small\"");
        let dir = t.str(d, "dir");
        let link = t.str(d, "link");
        let mode = t.str(d, "mode");
        let owner = t.str(d, "owner");
        let group = t.str(d, "group");
        let exports = t.table_list(d, "exports");
        let pool = t.str(d, "libvirt_pool");
        t.finish(d);
        let name_ok = cx.check(&key, "bad-name", "share name", grammar::name);
        let target = on.as_ref().and_then(|o| {
            if let Some(v) = volumes.iter().find(|v| v.name == o.value) {
                if v.kind == VolumeKind::Drbd {
                    cx.d.push(
                        Diagnostic::error(
                            "wrong-reference",
                            o.span.clone(),
                            format!("volume `{}` is a DRBD backing device", o.value),
                        )
                        .label("shares live on mounted volumes")
                        .help("name the OCFS2 filesystem on its DRBD resource instead"),
                    );
                    return None;
                }
                return Some((
                    ShareOn::Volume {
                        name: v.name.clone(),
                        kind: v.kind,
                    },
                    v.mountpoint.clone().unwrap_or_default(),
                    v.nodes.clone(),
                ));
            }
            if let Some(f) = ocfs2.and_then(|o2| o2.filesystems.iter().find(|f| f.name == o.value))
            {
                return Some((
                    ShareOn::Ocfs2 {
                        name: f.name.clone(),
                    },
                    f.mountpoint.clone(),
                    f.nodes.clone(),
                ));
            }
            if cx.volume_spans.contains_key(&o.value) || cx.fs_spans.contains_key(&o.value) {
                return None; // invalid itself, already reported
            }
            let mut known = cx.volume_spans.clone();
            known.extend(
                cx.fs_spans
                    .iter()
                    .filter(|(k, _)| !k.starts_with("mountpoint:"))
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            cx.unknown_ref(o, "volume or OCFS2 filesystem", &known);
            None
        });
        let dir_span = dir.as_ref().map_or(key.span.clone(), |d| d.span.clone());
        let dir = match dir {
            Some(d) if cx.check(&d, "bad-path", "share directory", grammar::relative_path) => {
                d.value
            }
            _ => key.value.clone(),
        };
        if let Some((_, base, _)) = &target {
            let full = format!("{base}/{dir}");
            if let Some(first) = paths.get(&full) {
                cx.duplicate(
                    dir_span,
                    first.clone(),
                    format!("two shares are the directory `{full}`"),
                );
            } else {
                paths.insert(full, dir_span);
            }
        }
        let link = link.and_then(|l| {
            cx.check(&l, "bad-path", "symlink", grammar::path)
                .then_some(l)
        });
        if let Some(l) = &link {
            if let Some(mp) = cx.fs_spans.get(&format!("mountpoint:{}", l.value)) {
                let mp = mp.clone();
                cx.duplicate(
                    l.span.clone(),
                    mp,
                    format!("symlink `{}` would replace a mountpoint", l.value),
                );
            } else if let Some((message, label, mp_span, help)) = cx
                .mountpoint_above(&l.value)
                .map(|(mp, span)| {
                    (
                        format!("symlink `{}` is inside mountpoint `{mp}`", l.value),
                        "it would be made on the mounted filesystem, or hidden under it",
                        span,
                        "put the public symlink outside every mountpoint, beside them (e.g. `/vol/NAME`)",
                    )
                })
                .or_else(|| {
                    let (mp, span) = cx.mountpoint_below(&l.value)?;
                    Some((
                        format!("symlink `{}` would hold mountpoint `{mp}`", l.value),
                        "a directory of a mountpoint stands where the symlink would be",
                        span,
                        "put the public symlink beside the mountpoints, not above them",
                    ))
                })
            {
                cx.d.push(
                    Diagnostic::error("nested-mountpoint", l.span.clone(), message)
                        .label(label)
                        .related(mp_span, "mounted here")
                        .help(help),
                );
            } else if let Some(first) = links.get(&l.value) {
                cx.duplicate(
                    l.span.clone(),
                    first.clone(),
                    format!("symlink `{}` is used twice", l.value),
                );
            } else {
                links.insert(l.value.clone(), l.span.clone());
            }
        }
        let mode = match mode {
            Some(m)
                if m.value.len() == 4
                    && m.value.starts_with('0')
                    && m.value.chars().all(|c| ('0'..='7').contains(&c)) =>
            {
                m.value
            }
            Some(m) => {
                cx.d.push(
                    Diagnostic::error(
                        "bad-value",
                        m.span.clone(),
                        format!("invalid mode `{}`", printable(&m.value)),
                    )
                    .label("expected an octal mode such as `0755`"),
                );
                "0755".into()
            }
            None => "0755".into(),
        };
        let owner = cx
            .checked(owner, "bad-name", "owner", grammar::account)
            .unwrap_or_else(|| "root".into());
        let group = cx
            .checked(group, "bad-name", "group", grammar::account)
            .unwrap_or_else(|| "root".into());
        let pool = pool.and_then(|p| {
            if !cx.check(&p, "bad-name", "libvirt pool name", grammar::name) {
                return None;
            }
            if let Some(first) = pools.get(&p.value) {
                cx.duplicate(
                    p.span.clone(),
                    first.clone(),
                    format!("libvirt pool `{}` is defined twice", p.value),
                );
                return None;
            }
            pools.insert(p.value.clone(), p.span.clone());
            Some(p.value)
        });
        let mut export_list = Vec::new();
        for mut e in exports {
            let clients = e.req_str(&mut cx.d, "clients", "\"192.168.1.0/24\"");
            let options = e.str_list(&mut cx.d, "options");
            let espan = e.span.clone();
            e.finish(&mut cx.d);
            let Some(clients) = clients else {
                cx.refused_exports.insert(key.value.clone());
                continue;
            };
            if !cx.check(
                &clients,
                "bad-value",
                "NFS client pattern",
                grammar::export_clients,
            ) {
                cx.refused_exports.insert(key.value.clone());
                continue;
            }
            let opts = options.unwrap_or_else(|| {
                ["rw", "sync", "no_subtree_check", "root_squash"]
                    .iter()
                    .map(|s| Sp::new(s.to_string(), 0..0))
                    .collect()
            });
            let mut list = Vec::new();
            for o in &opts {
                if cx.check(o, "bad-option", "export option", grammar::export_option) {
                    list.push(o.value.clone());
                }
            }
            if clients.value == "*" && list.iter().any(|o| o == "no_root_squash") {
                cx.d.push(
                    Diagnostic::warning("export-world-root", clients.span.clone(), format!("share `{}` is exported to every host with no_root_squash", key.value))
                        .label("root on any client is root on this export")
                        .help("limit the clients to the site's network, e.g. `192.168.1.0/24`, or use root_squash"),
                );
            }
            if let Some((on, _, _)) = &target {
                if !on.replicated() {
                    cx.d.push(
                        Diagnostic::error("export-unreplicated", espan.clone(), format!("share `{}` is on an unreplicated volume", key.value))
                            .label("only replicated data is shared over NFS")
                            .help("export shares on OCFS2 filesystems or unison volumes; unreplicated data differs between the nodes"),
                    );
                }
            }
            export_list.push(ExportClient {
                clients: clients.value,
                options: list,
            });
        }
        if !name_ok {
            continue;
        }
        if let Some(first) = cx.share_spans.get(&key.value) {
            let first = first.clone();
            cx.duplicate(
                key.span.clone(),
                first,
                format!("share `{}` is defined twice", key.value),
            );
            continue;
        }
        cx.share_spans.insert(key.value.clone(), key.span.clone());
        let Some((on, base, share_nodes)) = target else {
            continue;
        };
        out.push(Share {
            name: key.value,
            path: format!("{base}/{dir}"),
            on,
            link: link.map(|l| l.value),
            mode,
            owner,
            group,
            exports: export_list,
            libvirt_pool: pool,
            nodes: share_nodes,
        });
    }
    out
}

pub fn unison(cx: &mut Cx, t: Option<Table>, nodes: &[Node], volumes: &[Volume]) -> Option<Unison> {
    let mut t = t?;
    let d = &mut cx.d;
    let volume = t.req_str(d, "volume", "\"rep-unison\"");
    let client = t.req_str(d, "client", "\"fiori\"");
    let server = t.req_str(d, "server", "\"torchio\"");
    let net = t.str(d, "network");
    let profile = t.str(d, "profile");
    let schedule = t.str(d, "schedule");
    let owner = t.bool(d, "owner");
    let group = t.bool(d, "group");
    let perms = t.int(d, "perms");
    let times = t.bool(d, "times");
    let auto = t.bool(d, "auto");
    let batch = t.bool(d, "batch");
    let terse = t.bool(d, "terse");
    let confirmbigdel = t.bool(d, "confirmbigdel");
    let fastcheck = t.bool(d, "fastcheck");
    let prefer = t.str(d, "prefer");
    let logfile = t.str(d, "logfile");
    let logrotate = t.table(d, "logrotate");
    let client_key = t.str(d, "client_key");
    let host_key = t.str(d, "server_host_key");
    t.finish(d);
    let vol = volume
        .as_ref()
        .and_then(|v| match volumes.iter().find(|x| x.name == v.value) {
            Some(x) if x.kind == VolumeKind::Unison => Some(x.clone()),
            Some(x) => {
                cx.d.push(
                    Diagnostic::error(
                        "wrong-reference",
                        v.span.clone(),
                        format!("volume `{}` is not a unison volume", v.value),
                    )
                    .label(format!("it is declared `kind = \"{}\"`", kind_name(x.kind)))
                    .help("unison replicates volumes of `kind = \"unison\"`"),
                );
                None
            }
            None => {
                if !cx.volume_spans.contains_key(&v.value) {
                    let known = cx.volume_spans.clone();
                    cx.unknown_ref(v, "volume", &known);
                }
                None
            }
        });
    let node_ref = |cx: &mut Cx, v: Option<Sp<String>>| -> Option<String> {
        let v = v?;
        if cx.node_spans.contains_key(&v.value) {
            Some(v.value)
        } else {
            let known = cx.node_spans.clone();
            cx.unknown_ref(&v, "node", &known);
            None
        }
    };
    let client_span = client.as_ref().map(|c| c.span.clone());
    let client = node_ref(cx, client);
    let server = node_ref(cx, server);
    if let (Some(c), Some(s), Some(span)) = (&client, &server, client_span) {
        if c == s {
            cx.d.push(
                Diagnostic::error("duplicate", span, "unison's client and server are the same node")
                    .label("the second root must be the peer")
                    .help("the how-to's profile synchronised a node with itself; name the other node as server"),
            );
        }
    }
    let network = network(cx, net, nodes);
    let profile = cx.checked(profile, "bad-name", "unison profile name", grammar::name);
    let schedule = cx
        .checked(schedule, "bad-schedule", "schedule", grammar::schedule)
        .unwrap_or_else(|| "daily".into());
    let prefer = match prefer {
        Some(p) if cx.one_of(&p, "unison prefer", &["newer", "older"]) => p.value,
        _ => "newer".into(),
    };
    let logfile = cx
        .checked(logfile, "bad-path", "log file", grammar::path)
        .unwrap_or_else(|| "/var/log/unison.log".into());
    let mut rot = LogRotate {
        frequency: "daily".into(),
        rotate: 28,
        compress: true,
    };
    if let Some(mut l) = logrotate {
        let f = l.str(&mut cx.d, "frequency");
        let r = l.int_in(&mut cx.d, "rotate", 1, 3650);
        let c = l.bool(&mut cx.d, "compress");
        l.finish(&mut cx.d);
        if let Some(f) = f {
            if cx.one_of(
                &f,
                "rotation frequency",
                &["daily", "weekly", "monthly", "yearly"],
            ) {
                rot.frequency = f.value;
            }
        }
        rot.rotate = u32_of(r, 28);
        rot.compress = c.map_or(true, |c| c.value);
    }
    let client_key = cx.checked(
        client_key,
        "bad-value",
        "ssh public key",
        grammar::ssh_public_key,
    );
    let server_host_key = cx.checked(
        host_key,
        "bad-value",
        "ssh host key",
        grammar::ssh_public_key,
    );
    let perms = match perms {
        Some(p) if p.value >= -1 && p.value <= 0o7777 => p.value,
        Some(p) => {
            cx.d.push(
                Diagnostic::error(
                    "out-of-range",
                    p.span,
                    "unison perms must be -1 or a mode mask",
                )
                .label("expected -1 or 0..=4095"),
            );
            -1
        }
        None => -1,
    };
    let b = |v: Option<Sp<bool>>, default: bool| v.map(|v| v.value).unwrap_or(default);
    if let (Some(v), Some(c), Some(s), Some(vs)) = (&vol, &client, &server, &volume) {
        if let Some(n) = [c, s].into_iter().find(|n| !v.nodes.contains(n)) {
            cx.d.push(
                Diagnostic::error(
                    "wrong-reference",
                    vs.span.clone(),
                    format!("volume `{}` does not exist on node `{n}`", v.name),
                )
                .label("unison's client and server must both carry the volume"),
            );
        }
    }
    let (vol, client, server) = (vol?, client?, server?);
    Some(Unison {
        profile: profile.unwrap_or_else(|| format!("vol-{}", vol.name)),
        mountpoint: vol.mountpoint.clone().unwrap_or_default(),
        volume: vol.name,
        client,
        server,
        network,
        schedule,
        owner: b(owner, true),
        group: b(group, true),
        perms,
        times: b(times, true),
        auto: b(auto, true),
        batch: b(batch, true),
        terse: b(terse, true),
        confirmbigdel: b(confirmbigdel, true),
        fastcheck: b(fastcheck, true),
        prefer,
        logfile,
        logrotate: rot,
        client_key,
        server_host_key,
    })
}

pub fn nfs(cx: &mut Cx, t: Option<Table>) -> Nfs {
    let mut nfs = Nfs { manage_gids: false };
    if let Some(mut t) = t {
        let m = t.bool(&mut cx.d, "manage_gids");
        t.finish(&mut cx.d);
        nfs.manage_gids = m.is_some_and(|m| m.value);
    }
    nfs
}

fn symlink_map(
    cx: &mut Cx,
    t: Option<Table>,
    what: &str,
    target_check: fn(&str) -> grammar::Check,
) -> Vec<(Sp<String>, Sp<String>)> {
    let Some(t) = t else { return Vec::new() };
    let mut out = Vec::new();
    for (key, target) in t.into_strings(&mut cx.d, |_| format!("{what} targets are strings")) {
        let Some(target) = target else { continue };
        if cx.check(&key, "bad-path", "path", grammar::path)
            && cx.check(&target, "bad-path", what, target_check)
        {
            out.push((key, target));
        }
    }
    out
}

fn map_name(s: &str) -> grammar::Check {
    let ok = s.starts_with("auto.") && grammar::name(&s[5..]).is_ok();
    if ok {
        Ok(())
    } else {
        Err(grammar::Refusal {
            expected: "an automount map name such as `auto.home`".into(),
            help: None,
        })
    }
}

pub fn client(cx: &mut Cx, t: Option<Table>, site: &str) -> Client {
    let mut c = Client {
        package: format!("{site}-storage-client"),
        staging: "/staging".into(),
        automounts: Vec::new(),
        links: Vec::new(),
    };
    if let Some(mut t) = t {
        let staging = t.str(&mut cx.d, "staging");
        let links = t.table(&mut cx.d, "links");
        let automounts = t.table(&mut cx.d, "automounts");
        t.finish(&mut cx.d);
        if let Some(s) = cx.checked(staging, "bad-path", "staging directory", grammar::path) {
            c.staging = s;
        }
        let links = symlink_map(cx, links, "symlink target", grammar::relative_path);
        let automounts = symlink_map(cx, automounts, "automount map", map_name);
        for (p, target) in links {
            // A link may not replace the automount directories.
            if let Some((first, _)) = automounts.iter().find(|(a, _)| a.value == p.value) {
                cx.duplicate(
                    p.span.clone(),
                    first.span.clone(),
                    format!("`{}` is both a symlink and an automount point", p.value),
                );
            } else if p.value == c.staging {
                cx.d.push(
                    Diagnostic::error(
                        "duplicate",
                        p.span.clone(),
                        format!("`{}` is both a symlink and the staging directory", p.value),
                    )
                    .label("duplicate"),
                );
            }
            c.links.push(Symlink {
                path: p.value,
                target: target.value,
            });
        }
        for (p, map) in automounts {
            c.automounts.push(Automount {
                mountpoint: p.value,
                map: map.value,
            });
        }
    }
    c
}

pub fn nis(
    cx: &mut Cx,
    t: Option<Table>,
    site: &Sp<String>,
    domain: &str,
    nodes: &[Node],
    shares: &[Share],
) -> Option<Nis> {
    let mut t = t?;
    let d = &mut cx.d;
    let nis_domain = t.req_str(d, "domain", "\"pasta.net\"");
    let binding = t.str(d, "node_binding");
    let servers = t.str_list(d, "servers");
    let options = t.str_list(d, "automount_options");
    let home = t.str(d, "home_share");
    let users = t.str_list(d, "users");
    let staging = t.str_list(d, "staging");
    t.finish(d);
    let nis_domain = cx.checked(nis_domain, "bad-name", "NIS domain", grammar::domain)?;
    let node_binding = cx
        .checked(binding, "bad-name", "NIS server", grammar::host)
        .unwrap_or_else(|| "localhost".into());
    let mut server_list = Vec::new();
    for s in servers.unwrap_or_default() {
        if cx.check(&s, "bad-name", "NIS server", |x| {
            grammar::host(x).or_else(|_| grammar::ip(x).map(|_| ()))
        }) {
            server_list.push(s.value);
        }
    }
    let mut automount_options = Vec::new();
    for o in options.unwrap_or_else(|| vec![Sp::new("nfsvers=3".into(), 0..0)]) {
        if cx.check(
            &o,
            "bad-option",
            "automount option",
            grammar::automount_option,
        ) {
            automount_options.push(o.value);
        }
    }
    let hosts: Vec<String> = nodes
        .iter()
        .map(|n| format!("{}.{domain}", n.name))
        .collect();
    let share_ref = |cx: &mut Cx, s: &Sp<String>| -> Option<(String, Vec<String>)> {
        match shares.iter().find(|x| x.name == s.value) {
            Some(x) if x.exports.is_empty() && !cx.refused_exports.contains(&x.name) => {
                cx.d.push(
                    Diagnostic::error(
                        "wrong-reference",
                        s.span.clone(),
                        format!("share `{}` is not exported", s.value),
                    )
                    .label("automount entries need an NFS export")
                    .help("add `exports = [...]` to the share"),
                );
                None
            }
            Some(x) if x.exports.is_empty() => None,
            Some(x) => Some((
                x.link.clone().unwrap_or_else(|| x.path.clone()),
                x.nodes.clone(),
            )),
            None => {
                if !cx.share_spans.contains_key(&s.value) {
                    let known = cx.share_spans.clone();
                    cx.unknown_ref(s, "share", &known);
                }
                None
            }
        }
    };
    let location = |path: &str, on: &[String]| -> String {
        let hs: Vec<&str> = hosts
            .iter()
            .zip(nodes)
            .filter(|(_, n)| on.contains(&n.name))
            .map(|(h, _)| h.as_str())
            .collect();
        format!("{}:{path}", hs.join(","))
    };
    let mut maps = Vec::new();
    if let Some(h) = home {
        if let Some((path, on)) = share_ref(cx, &h) {
            let mut entries: Vec<NisEntry> = Vec::new();
            let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
            for u in users.unwrap_or_default() {
                if let Some(first) = seen.get(&u.value) {
                    let first = first.clone();
                    cx.duplicate(
                        u.span.clone(),
                        first,
                        format!("user `{}` is listed twice", u.value),
                    );
                    continue;
                }
                seen.insert(u.value.clone(), u.span.clone());
                if cx.check(&u, "bad-name", "user name", grammar::account) {
                    entries.push(NisEntry {
                        location: location(&format!("{path}/{}", u.value), &on),
                        key: u.value,
                    });
                }
            }
            maps.push(NisMap {
                name: "auto.home".into(),
                entries,
            });
        }
    } else if let Some(u) = users.as_ref().and_then(|u| u.first()) {
        cx.d.push(
            Diagnostic::error(
                "missing-key",
                u.span.clone(),
                "`nis.users` needs `nis.home_share`",
            )
            .label("home directories live on a share")
            .help("add `home_share = \"home\"`"),
        );
    }
    let mut entries = Vec::new();
    let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for s in staging.unwrap_or_default() {
        if let Some(first) = seen.get(&s.value) {
            let first = first.clone();
            cx.duplicate(
                s.span.clone(),
                first,
                format!("share `{}` is listed twice", s.value),
            );
            continue;
        }
        seen.insert(s.value.clone(), s.span.clone());
        if let Some((path, on)) = share_ref(cx, &s) {
            entries.push(NisEntry {
                location: location(&path, &on),
                key: s.value,
            });
        }
    }
    if !entries.is_empty() {
        maps.push(NisMap {
            name: "auto.staging".into(),
            entries,
        });
    }
    Some(Nis {
        package: format!("{}-storage-nis", site.value),
        domain: nis_domain,
        node_binding,
        servers: server_list,
        automount_options,
        maps,
    })
}

/// `[drbd.resync]`: DRBD 8.4's resync controller. Rates and the fill target
/// are sizes (per second for rates; LVM's units, a bare number is MiB),
/// written as whole KiB within the kernel's limits (drbd_limits.h).
fn resync_of(cx: &mut Cx, mut t: Table) -> Resync {
    let d = &mut cx.d;
    let rate = t.str(d, "rate");
    let plan_ahead = t.int_in(d, "plan_ahead", 0, 300);
    let fill_target = t.str(d, "fill_target");
    let max_rate = t.str(d, "max_rate");
    let min_rate = t.str(d, "min_rate");
    t.finish(d);
    // A size in whole KiB within lo..=hi KiB (`0` where lo is 0), with
    // its span and DRBD's spelling of it.
    let mut kib = |v: Option<Sp<String>>, key: &str, lo: u64, hi: u64| {
        let v = v?;
        let k = if lo == 0 && v.value == "0" {
            0
        } else {
            cx.size(&v)? / 1024
        };
        if k < lo || k > hi {
            cx.d.push(
                Diagnostic::error(
                    "out-of-range",
                    v.span.clone(),
                    format!("`drbd.resync.{key}` is out of range"),
                )
                .label(format!("{k} KiB is not within {lo}..={hi} KiB"))
                .help(format!(
                    "DRBD 8.4 takes {} to {}",
                    crate::profile::human(lo * 1024),
                    crate::profile::human(hi * 1024)
                )),
            );
            return None;
        }
        let text = if k == 0 {
            "0".to_string()
        } else if k % (1024 * 1024) == 0 {
            format!("{}G", k / (1024 * 1024))
        } else if k % 1024 == 0 {
            format!("{}M", k / 1024)
        } else {
            format!("{k}K")
        };
        Some((k, v.span.clone(), text))
    };
    const MAX: u64 = 4 << 20; // 4 GiB/s, in KiB
    let rate = kib(rate, "rate", 1, MAX);
    // 1 << 20 sectors of 512 bytes
    let fill_target = kib(fill_target, "fill_target", 1, 512 * 1024);
    let max_rate = kib(max_rate, "max_rate", 250, MAX);
    // 0: resync I/O is never slowed for application I/O.
    let min_rate = kib(min_rate, "min_rate", 0, MAX);
    if let (Some((min, span, _)), Some((max, max_span, _))) = (&min_rate, &max_rate) {
        if min > max {
            cx.d.push(
                Diagnostic::error(
                    "out-of-range",
                    span.clone(),
                    "`drbd.resync.min_rate` is above `max_rate`",
                )
                .label(format!("{min} KiB/s is more than max_rate"))
                .related(max_span.clone(), "the ceiling, set here")
                .help("c-min-rate is the floor the controller keeps a resync at; it must not exceed c-max-rate"),
            );
        }
    }
    Resync {
        rate: rate.map(|r| r.2),
        plan_ahead: plan_ahead.map(|p| p.value as u32),
        fill_target: fill_target.map(|r| r.2),
        max_rate: max_rate.map(|r| r.2),
        min_rate: min_rate.map(|r| r.2),
    }
}
