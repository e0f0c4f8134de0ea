//! `[ocfs2]`: the o2cb cluster and the filesystems on DRBD resources; the
//! shared-link warning (o2cb heartbeats on DRBD's link).

use crate::layers::link::profile::network;
use crate::layers::link::profile::NETWORKS;
use crate::layers::volumes::profile::{checked_path, mount_options, register_mountpoint};
use crate::model::*;
use crate::profile::cx::{first_use, u32_of, Cx, Kind, PortUse};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, map, section, Section, Ty};
use crate::profile::{grammar, human};
use std::collections::BTreeMap;
use std::ops::Range;

pub(crate) fn ocfs2(
    cx: &mut Cx,
    t: Option<Table>,
    nodes: &[Node],
    volumes: &[Volume],
    drbd: &Drbd,
) -> Option<Ocfs2> {
    let mut t = t?;
    let d = &mut cx.d;
    let cluster = t.str(d, "cluster");
    let port = t.int_in(d, "port");
    let net = t.str(d, "network");
    let threshold = t.int_in(d, "heartbeat_threshold");
    let idle = t.int_in(d, "idle_timeout_ms");
    let keepalive = t.int_in(d, "keepalive_delay_ms");
    let reconnect = t.int_in(d, "reconnect_delay_ms");
    let filesystems = t.table(d, "filesystems");
    t.finish(d);
    cx.facts.ocfs2_network = net.as_ref().map(|n| n.span.clone());
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
    ipv4_only(cx, nodes, o.network);
    let pspan = port.map(|p| p.span).unwrap_or(0..0);
    for n in nodes {
        cx.facts.ports.push(PortUse {
            addr: n.address_on(o.network),
            port: o.port,
            span: pspan.clone(),
            what: "the o2cb cluster".into(),
        });
    }
    if let Some(fs) = filesystems {
        let mut used = BTreeMap::new();
        for (key, t) in fs.into_tables(&mut cx.d) {
            let Some(t) = t else { continue };
            let fs = filesystem(cx, t, key, volumes, drbd, &mut used);
            o.filesystems.extend(fs);
        }
    }
    Some(o)
}

/// o2cb's cluster.conf takes IPv4 addresses only (`ip_address`; the
/// kernel's o2net speaks IPv4): every node's address on the o2cb network.
fn ipv4_only(cx: &mut Cx, nodes: &[Node], net: Network) {
    for n in nodes {
        let addr = n.address_on(net);
        if addr.is_ipv4() {
            continue;
        }
        let Some(u) = cx.facts.addresses.iter().find(|u| u.addr == addr) else {
            continue;
        };
        let diag = Diagnostic::error(
            "ocfs2-ipv6",
            u.span.clone(),
            format!("the o2cb cluster cannot use the IPv6 {}", u.what),
        )
        .label("o2cb's cluster.conf takes IPv4 addresses only")
        .help(match net {
            Network::Admin => "give the node an IPv4 address, or put o2cb on IPv4 replication links (`ocfs2.network = \"replication\"`)",
            Network::Replication => "give the replication link an IPv4 address such as `10.11.12.6/24`, or put o2cb on the admin LAN (`ocfs2.network = \"admin\"`)",
        });
        cx.d.push(diag);
    }
}

/// One `[ocfs2.filesystems.NAME]`; its name is registered even when refused.
fn filesystem(
    cx: &mut Cx,
    mut t: Table,
    key: Sp<String>,
    volumes: &[Volume],
    drbd: &Drbd,
    used: &mut BTreeMap<String, Range<usize>>,
) -> Option<Ocfs2Fs> {
    let d = &mut cx.d;
    let resource = t.req_str(d, "resource");
    let mode = t.str(d, "mode");
    let level = t.str(d, "feature_level");
    let mountpoint = t.req_str(d, "mountpoint");
    let options = t.str_list(d, "mount_options");
    let slots = t.int_in(d, "slots");
    t.finish(d);
    let name_ok = cx.check(&key, "bad-name", "filesystem name", grammar::name);
    let res = resource.as_ref().and_then(|r| carrier(cx, r, drbd, used));
    let (mode, mode_span) = mode_of(cx, mode, &key);
    // mkfs.ocfs2 refuses -T vmstore and -T datafiles below 2 GiB
    // (their 1 MiB clusters): the first boot would stop there.
    let backing = res.and_then(|r| volumes.iter().find(|v| v.name == r.volume));
    if let (Some(span), Some(v)) = (mode_span, backing) {
        if mode != "mail" && v.size < 2 << 30 {
            small(cx, span, &key, &mode, v);
        }
    }
    let level = match level {
        Some(l) if cx.one_of(&l, "feature level", FEATURE_LEVELS) => l.value,
        _ => "default".into(),
    };
    let mp = mountpoint.and_then(|m| checked_path(cx, m));
    if let Some(m) = &mp {
        let on = res.map(|r| r.nodes.clone()).unwrap_or_default();
        register_mountpoint(cx, m, &on);
    }
    let mount_options = mount_options(cx, options, grammar::Fs::Ocfs2);
    if let (Some(s), Some(r)) = (&slots, res) {
        if (s.value as usize) < r.nodes.len() {
            cx.d.push(
                Diagnostic::error(
                    "ocfs2-slots",
                    s.span.clone(),
                    format!(
                        "{} slots for {} nodes that mount `{}`",
                        s.value,
                        r.nodes.len(),
                        key.value
                    ),
                )
                .label("each node that mounts the filesystem needs a slot")
                .help(format!(
                    "give at least `slots = {}` (the nodes of resource `{}`), or leave `slots` out",
                    r.nodes.len(),
                    r.name
                )),
            );
        }
    }
    if !(cx.define(Kind::Filesystem, &key, name_ok) && name_ok) {
        return None;
    }
    let (Some(res), Some(mp)) = (res, mp) else {
        return None;
    };
    Some(Ocfs2Fs {
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
    })
}

/// The DRBD resource `r` that carries a filesystem (one each).
fn carrier<'a>(
    cx: &mut Cx,
    r: &Sp<String>,
    drbd: &'a Drbd,
    used: &mut BTreeMap<String, Range<usize>>,
) -> Option<&'a DrbdResource> {
    let Some(x) = drbd.resources.iter().find(|x| x.name == r.value) else {
        cx.refer(Kind::Resource, r);
        return None;
    };
    first_use(&mut cx.d, used, r.value.clone(), &r.span, || {
        format!("resource `{}` carries two filesystems", r.value)
    });
    if !x.allow_two_primaries {
        // Mounted on both nodes, OCFS2 needs both Primary.
        cx.d.push(
            Diagnostic::error(
                "wrong-reference",
                r.span.clone(),
                format!("OCFS2 on resource `{}`, which is single-primary", r.value),
            )
            .label("OCFS2 is mounted on both nodes of its resource, so both must be Primary")
            .help("set `[drbd] allow_two_primaries = true` (the default), or put an ext4 volume here instead"),
        );
    }
    Some(x)
}

/// The mkfs.ocfs2 type, and where it was given (the filesystem's name
/// when it is the default; `None` when it was refused).
fn mode_of(
    cx: &mut Cx,
    mode: Option<Sp<String>>,
    key: &Sp<String>,
) -> (String, Option<Range<usize>>) {
    match mode {
        Some(m) if cx.one_of(&m, "mkfs.ocfs2 -T type", MODES) => (m.value, Some(m.span)),
        Some(_) => ("datafiles".into(), None),
        None => ("datafiles".into(), Some(key.span.clone())),
    }
}

/// The small-ocfs2 warning: `mode` (given at `span`) on volume `v`.
fn small(cx: &mut Cx, span: Range<usize>, key: &Sp<String>, mode: &str, v: &Volume) {
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
        human(v.size)
    ))
    .help(format!(
        "use `mode = \"mail\"` for a small filesystem, or make volume `{}` larger than 2G (DRBD keeps its metadata on it too)",
        v.name
    ));
    if let Some(vspan) = cx.names.volumes.span(&v.name) {
        diag = diag.related(vspan, "the DRBD backing volume");
    }
    cx.d.push(diag);
}

/// DRBD and o2cb on one link (a warning). A node whose link was refused
/// falls back to its admin address: that is no reason to warn.
pub(crate) fn check_shared_link(
    cx: &mut Cx,
    nodes: &[Node],
    drbd: &Drbd,
    ocfs2: Option<&Ocfs2>,
    site_span: Range<usize>,
) {
    let Some(o) = ocfs2 else { return };
    if drbd.resources.is_empty() {
        return;
    }
    let shared = nodes
        .iter()
        .zip(&cx.facts.nodes)
        .filter(|(_, f)| !f.link_refused)
        .any(|(n, _)| n.address_on(o.network) == n.address_on(drbd.network));
    if shared {
        let span = cx
            .facts
            .ocfs2_network
            .clone()
            .or(cx.facts.drbd_network.clone())
            .unwrap_or(site_span.start..site_span.start + 1);
        cx.d.push(
            Diagnostic::warning("shared-link", span, "DRBD and o2cb use the same network link")
                .label("one link carries both replication and cluster heartbeats")
                .help("run DRBD over the back-to-back link (`drbd.network = \"replication\"`) and o2cb over the LAN (`ocfs2.network = \"admin\"`)"),
        );
    }
}

pub(crate) const MODES: &[&str] = &["mail", "datafiles", "vmstore"];
pub(crate) const FEATURE_LEVELS: &[&str] = &["default", "max-compat", "max-features"];

pub(crate) static FILESYSTEM: Section = section(
    "ocfs2.filesystems.NAME",
    "One OCFS2 filesystem on a DRBD resource.",
    &[
        key(
            "resource",
            Ty::Str(Some(re::NAME)),
            "the DRBD resource it lives on",
        )
        .req("\"drbd0\""),
        key(
            "mode",
            Ty::Enum(MODES),
            "mkfs.ocfs2 `-T` (vmstore and datafiles below 2 GiB: warning `small-ocfs2`)",
        )
        .def("\"datafiles\""),
        key(
            "feature_level",
            Ty::Enum(FEATURE_LEVELS),
            "mkfs.ocfs2 `--fs-feature-level`",
        )
        .def("\"default\""),
        key(
            "mountpoint",
            Ty::Str(Some(re::PATH)),
            "where it is mounted on every node of the resource",
        )
        .req("\"/vol/ocfs2-small\""),
        key(
            "mount_options",
            Ty::StrList(Some(re::OPTION)),
            "mount(8)'s words and the kernel's OCFS2 options; never `nofail` (`fs-mount-option`)",
        )
        .def("[\"noatime\"]"),
        key(
            "slots",
            Ty::Int(Some(1), Some(255)),
            "node slots [the resource's nodes; never fewer: `ocfs2-slots`]",
        ),
    ],
);

pub(crate) static FILESYSTEMS: Section = map(
    "ocfs2.filesystems",
    "The OCFS2 filesystems, `[ocfs2.filesystems.NAME]` each.",
    Some(re::NAME),
    Ty::Table(&FILESYSTEM),
);

pub(crate) static SPEC: Section = section(
    "ocfs2",
    "The o2cb cluster and its OCFS2 filesystems. The nodes' addresses on o2cb's network are IPv4 (`ocfs2-ipv6`).",
    &[
        key("cluster", Ty::Str(Some(re::CLUSTER)), "the o2cb cluster's name, at most 16 letters and digits").def("\"ocfs2\""),
        key("port", Ty::Int(Some(1024), Some(65535)), "o2cb's TCP port (the DRBD ports' rules)").def("7777"),
        key("network", Ty::Enum(NETWORKS), "the network o2cb speaks on").def("\"admin\""),
        key("heartbeat_threshold", Ty::Int(Some(3), Some(1000)), "O2CB_HEARTBEAT_THRESHOLD, iterations of 2 s").def("31"),
        key("idle_timeout_ms", Ty::Int(Some(5000), Some(600000)), "O2CB_IDLE_TIMEOUT_MS").def("30000"),
        key("keepalive_delay_ms", Ty::Int(Some(1000), Some(600000)), "O2CB_KEEPALIVE_DELAY_MS").def("2000"),
        key("reconnect_delay_ms", Ty::Int(Some(2000), Some(600000)), "O2CB_RECONNECT_DELAY_MS").def("2000"),
        key("filesystems", Ty::Table(&FILESYSTEMS), "the filesystems"),
    ],
);
