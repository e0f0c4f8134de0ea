//! `[drbd]`: site-wide tuning and policies, `[drbd.resync]`, and the
//! resources; the fencing warning, which DRBD's policies own.

use crate::layers::link::profile::network;
use crate::layers::link::profile::NETWORKS;
use crate::layers::volumes::profile::kind_name;
use crate::model::*;
use crate::profile::cx::{duplicate, u32_of, Cx, Kind, PortUse};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::site::node_list;
use crate::profile::spec::{key, map, section, Section, Ty};
use crate::profile::{grammar, human};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::ops::Range;

mod resync;

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
/// Digests of Debian's kernels that DRBD's online verify can use.
const VERIFY_ALG: &[&str] = &["crc32c", "sha1", "sha256", "sha512", "md5"];
const FENCING: &[&str] = &["dont-care", "resource-only", "resource-and-stonith"];

/// The `[drbd]` section, and the fencing policy with where it was given
/// (an empty span: the default).
pub(crate) fn drbd(
    cx: &mut Cx,
    t: Option<Table>,
    nodes: &[Node],
    volumes: &[Volume],
    site: &str,
    install_server: IpAddr,
) -> (Drbd, Sp<String>) {
    let first = nodes.first().map(|n| n.name.clone()).unwrap_or_default();
    let mut drbd = Drbd {
        wfc_timeout: 120,
        degr_wfc_timeout: 60,
        ping_int: 10,
        ping_timeout: 5,
        initialiser: first,
        peer_wait: 120,
        network: network(cx, None, nodes),
        resync: Resync::default(),
        witness: install_server,
        fence_commands: Vec::new(),
        verify_alg: "crc32c".into(),
        verify_schedule: "monthly".into(),
        resources: Vec::new(),
    };
    // Dual-primary (the default) needs resource-and-stonith: a Primary that
    // loses its peer freezes I/O until the fence-peer handler knows the
    // peer cannot write (DRBD user guide); single-primary, resource-only.
    let mut fencing = Sp::new("resource-and-stonith".to_string(), 0..0);
    let Some(mut t) = t else {
        return (drbd, fencing);
    };
    let d = &mut cx.d;
    let wfc = t.int_in(d, "wfc_timeout");
    let degr = t.int_in(d, "degr_wfc_timeout");
    let ping_int = t.int_in(d, "ping_int");
    let ping_timeout = t.int_in(d, "ping_timeout");
    let init = t.str(d, "initialiser");
    let peer_wait = t.int_in(d, "peer_wait");
    let net = t.str(d, "network");
    cx.facts.drbd_network = net.as_ref().map(|n| n.span.clone());
    let protocol = t.str(d, "protocol");
    let two = t.bool(d, "allow_two_primaries");
    let sb = [
        t.str(d, "after_sb_0pri"),
        t.str(d, "after_sb_1pri"),
        t.str(d, "after_sb_2pri"),
    ];
    let fencing_v = t.str(d, "fencing");
    let notify = t.str(d, "split_brain_notify");
    let demote = t.bool(d, "demote_before_resync");
    let witness = t.str(d, "witness");
    let verify_alg = t.str(d, "verify_alg");
    let verify_schedule = t.str(d, "verify_schedule");
    let fence = t.table(d, "fence_command");
    let resources = t.table(d, "resources");
    let resync = t.table(d, "resync");
    t.finish(d);
    if let Some(r) = resync {
        drbd.resync = resync::resync_of(cx, r, "drbd.resync");
    }
    if let Some(w) = witness {
        let ok = cx.check(&w, "bad-address", "witness address", grammar::node_address);
        if let Some(a) = cx.ip(&w, "witness address").filter(|_| ok) {
            let node = nodes
                .iter()
                .find(|n| n.address == a || n.replication.as_ref().is_some_and(|l| l.address == a));
            if let Some(n) = node {
                cx.d.push(
                    Diagnostic::error("bad-address", w.span.clone(), "the witness is a storage node")
                        .label(format!("this is an address of node `{}`", n.name))
                        .help("the witness is a third party both nodes reach on the admin network: the install server or the gateway"),
                );
            } else {
                drbd.witness = a;
            }
        }
    }
    if let Some(v) = verify_alg {
        if cx.one_of(&v, "verify algorithm", VERIFY_ALG) {
            drbd.verify_alg = v.value;
        }
    }
    if let Some(v) = verify_schedule {
        if v.value.is_empty() {
            drbd.verify_schedule = String::new();
        } else if let Some(v) = cx.checked(
            Some(v),
            "bad-schedule",
            "verify schedule",
            grammar::schedule,
        ) {
            drbd.verify_schedule = v;
        }
    }
    if let Some(f) = fence {
        drbd.fence_commands = fence_commands(cx, f);
    }
    drbd.wfc_timeout = u32_of(wfc, 120);
    drbd.degr_wfc_timeout = u32_of(degr, 60);
    drbd.ping_int = u32_of(ping_int, 10);
    drbd.ping_timeout = u32_of(ping_timeout, 5);
    drbd.peer_wait = u32_of(peer_wait, drbd.wfc_timeout);
    drbd.network = network(cx, net, nodes);
    initialiser(cx, init, &mut drbd);
    let protocol = match protocol {
        Some(p) if cx.one_of(&p, "DRBD protocol", PROTOCOLS) => {
            cx.facts.drbd_protocol = Some(p.span);
            p.value
        }
        _ => "C".into(),
    };
    let [sb0, sb1, sb2] = split_brain_policies(cx, sb);
    if two.as_ref().is_some_and(|t| !t.value) {
        fencing.value = "resource-only".into();
    }
    if let Some(f) = fencing_v {
        if cx.one_of(&f, "fencing policy", FENCING) {
            fencing = f;
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
    let template = DrbdResource {
        name: String::new(),
        nodes: Vec::new(),
        initialiser: String::new(),
        minor: 0,
        port: 0,
        volume: String::new(),
        protocol,
        allow_two_primaries: two.map_or(true, |t| t.value),
        after_sb_0pri: sb0,
        after_sb_1pri: sb1,
        after_sb_2pri: sb2,
        fencing: fencing.value.clone(),
        resync: drbd.resync.clone(),
        verify_alg: drbd.verify_alg.clone(),
        verify_schedule: drbd.verify_schedule.clone(),
        handlers: handlers(site, demote, &notify, &fencing.value),
    };
    if let Some(resources) = resources {
        let mut each = Resources {
            nodes,
            volumes,
            template,
            site: site.to_string(),
            demote,
            notify,
            minors: BTreeMap::new(),
            backing: BTreeMap::new(),
            fencing: Vec::new(),
            protocol: Vec::new(),
        };
        for (key, t) in resources.into_tables(&mut cx.d) {
            let Some(t) = t else { continue };
            let resource = each.resource(cx, t, key, &drbd);
            drbd.resources.extend(resource);
        }
        cx.facts.drbd_fencing = each.fencing;
        cx.facts.drbd_resource_protocol = each.protocol;
    }
    (drbd, fencing)
}

/// `[drbd.fence_command]`: `NODE = "COMMAND"`, the command that powers
/// NODE off (run by its peer's fence-peer handler, without a shell).
fn fence_commands(cx: &mut Cx, t: Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (_, entries) = t.into_entries();
    for (key, mut value) in entries {
        let known = cx.refer(Kind::Node, &key);
        let span = crate::profile::read::range(value.span);
        let toml_span::value::ValueInner::String(s) = value.take() else {
            cx.d.push(
                Diagnostic::error("wrong-type", span, "a fence command must be a string")
                    .label("expected a string such as \"/usr/bin/ipmitool -I lanplus -H 192.168.2.7 -U admin -f /etc/ipmi.pass chassis power off\""),
            );
            continue;
        };
        let v = Sp::new(s.into_owned(), span);
        if cx.check(&v, "bad-value", "fence command", grammar::fence_command) && known {
            out.push((key.value, v.value));
        }
    }
    out
}

/// `initialiser = "NODE"` into `drbd.initialiser` (default: the first
/// node): the initialiser of every resource that lists it.
fn initialiser(cx: &mut Cx, init: Option<Sp<String>>, drbd: &mut Drbd) {
    if let Some(i) = init {
        if cx.refer(Kind::Node, &i) {
            drbd.initialiser = i.value;
        }
    }
}

/// Each after-split-brain policy (0, 1 and 2 Primaries): its name in
/// messages, the values it takes and its default.
const SPLIT_BRAIN: [(&str, &[&str], &str); 3] = [
    (
        "after-sb-0pri policy",
        AFTER_SB_0PRI,
        "discard-zero-changes",
    ),
    // Never discard without the admin: with discard-secondary a node that
    // reconnects as Secondary silently loses what it wrote while apart (the
    // DRBD guide: automatic policies are "automatic data-loss").
    // discard-zero-changes drops only the side that wrote nothing.
    ("after-sb-1pri policy", AFTER_SB_1PRI, "disconnect"),
    ("after-sb-2pri policy", AFTER_SB_2PRI, "disconnect"),
];

/// The after-split-brain policies, with their defaults;
/// `discard-node-NODE` is a 0-Primary policy too.
fn split_brain_policies(cx: &mut Cx, given: [Option<Sp<String>>; 3]) -> [String; 3] {
    let mut pick = |v: Option<Sp<String>>, i: usize| {
        let (what, allowed, default) = SPLIT_BRAIN[i];
        match v {
            Some(v)
                if i == 0
                    && v.value
                        .strip_prefix("discard-node-")
                        .is_some_and(|n| cx.names.nodes.contains(n)) =>
            {
                v.value
            }
            Some(v) if cx.one_of(&v, what, allowed) => v.value,
            _ => default.to_string(),
        }
    };
    let [sb0, sb1, sb2] = given;
    [pick(sb0, 0), pick(sb1, 1), pick(sb2, 2)]
}

/// The handlers every resource has.
fn handlers(site: &str, demote: bool, notify: &str, fencing: &str) -> Vec<Handler> {
    let handler = |name: &str, command: String| Handler {
        name: name.into(),
        command,
    };
    let mut handlers = Vec::new();
    if demote {
        let command = "/usr/sbin/drbdsetup secondary $DRBD_MINOR".into();
        handlers.push(handler("before-resync-target", command));
    }
    let command = format!("/usr/lib/drbd/notify-split-brain.sh {notify}");
    handlers.push(handler("split-brain", command));
    // Promotion is the node-side command's (never `become-primary-on`,
    // which promotes a node that is still a resync target): when a resync
    // ends, the converge unit is run again to promote and mount.
    let command = format!("/usr/sbin/{site}-storage after-resync");
    handlers.push(handler("after-resync-target", command));
    if fencing != "dont-care" {
        let command = format!("/usr/sbin/{site}-storage fence-peer");
        handlers.push(handler("fence-peer", command));
    }
    handlers
}

/// What every `[drbd.resources.NAME]` is read against.
struct Resources<'a> {
    nodes: &'a [Node],
    volumes: &'a [Volume],
    /// The site-wide settings of every resource.
    template: DrbdResource,
    /// What the handlers are made of (a resource's own fencing changes them).
    site: String,
    demote: bool,
    notify: String,
    /// Minors per node: DRBD's minors are the node's (`/dev/drbdN`).
    minors: BTreeMap<(String, u32), Range<usize>>,
    /// Backing volumes per node.
    backing: BTreeMap<(String, String), Range<usize>>,
    /// Each resource's own `fencing`, where given (the fencing warning).
    fencing: Vec<(String, Range<usize>)>,
    /// Each resource's own `protocol`, where given (check_protocol).
    protocol: Vec<(String, Range<usize>)>,
}

impl Resources<'_> {
    /// One resource; its name is registered even when refused.
    fn resource(
        &mut self,
        cx: &mut Cx,
        mut t: Table,
        key: Sp<String>,
        drbd: &Drbd,
    ) -> Option<DrbdResource> {
        let d = &mut cx.d;
        let minor = t.req_int(d, "minor");
        let port = t.req_int(d, "port");
        let volume = t.req_str(d, "volume");
        let on = t.str_list_sp(d, "nodes");
        let init = t.str(d, "initialiser");
        let protocol = t.str(d, "protocol");
        let fencing = t.str(d, "fencing");
        let verify_alg = t.str(d, "verify_alg");
        let verify_schedule = t.str(d, "verify_schedule");
        let resync = t.table(d, "resync");
        let on_span = t.span.clone();
        t.finish(d);
        let name_ok = cx.check(&key, "bad-name", "resource name", grammar::name);
        let res_nodes = self.resource_nodes(cx, on, &key, on_span);
        if let Some(m) = &minor {
            let m32 = m.value as u32;
            per_node(cx, &mut self.minors, &res_nodes, m32, &m.span, |n| {
                format!("DRBD minor {m32} is used twice on node `{n}`")
            });
        }
        if let Some(v) = &volume {
            self.backing_volume(cx, v, &res_nodes);
        }
        let initialiser = self.resource_initialiser(cx, init, &key, &res_nodes, drbd);
        let mut res = DrbdResource {
            name: key.value.clone(),
            nodes: res_nodes,
            initialiser,
            ..self.template.clone()
        };
        if let Some(p) = protocol {
            if cx.one_of(&p, "DRBD protocol", PROTOCOLS) {
                res.protocol = p.value;
                self.protocol.push((key.value.clone(), p.span));
            }
        }
        if let Some(f) = fencing {
            if cx.one_of(&f, "fencing policy", FENCING) {
                res.fencing = f.value;
                self.fencing.push((key.value.clone(), f.span));
                res.handlers = handlers(&self.site, self.demote, &self.notify, &res.fencing);
            }
        }
        if let Some(v) = verify_alg {
            if cx.one_of(&v, "verify algorithm", VERIFY_ALG) {
                res.verify_alg = v.value;
            }
        }
        if let Some(v) = verify_schedule {
            if v.value.is_empty() {
                res.verify_schedule = String::new();
            } else if let Some(v) = cx.checked(
                Some(v),
                "bad-schedule",
                "verify schedule",
                grammar::schedule,
            ) {
                res.verify_schedule = v;
            }
        }
        if let Some(r) = resync {
            let path = format!("drbd.resources.{}.resync", key.value);
            let own = resync::resync_of(cx, r, &path);
            res.resync = own.over(&drbd.resync);
        }
        if !(cx.define(Kind::Resource, &key, name_ok) && name_ok) {
            return None;
        }
        let (Some(minor), Some(port), Some(volume)) = (minor, port, volume) else {
            return None;
        };
        // Ports are per address: recorded for the site-wide check.
        for n in &res.nodes {
            if let Some(node) = self.nodes.iter().find(|x| &x.name == n) {
                cx.facts.ports.push(PortUse {
                    addr: node.address_on(drbd.network),
                    port: port.value as u16,
                    span: port.span.clone(),
                    what: format!("DRBD resource `{}`", key.value),
                });
            }
        }
        res.minor = minor.value as u32;
        res.port = port.value as u16;
        res.volume = volume.value;
        Some(res)
    }

    /// The resource's two nodes (`nodes = [...]`, default all).
    fn resource_nodes(
        &self,
        cx: &mut Cx,
        on: Option<Sp<Vec<Sp<String>>>>,
        key: &Sp<String>,
        on_span: Range<usize>,
    ) -> Vec<String> {
        let on = on.map(|l| l.value);
        // Unknown or repeated nodes are reported by `node_list`; the count
        // is that of the list as written, so they are not reported twice.
        let listed = on.as_ref().map(Vec::len);
        let mut res_nodes = node_list(cx, on, self.nodes);
        let count = listed.unwrap_or(res_nodes.len());
        if count != 2 && !cx.facts.nodes.is_empty() {
            cx.d.push(
                Diagnostic::error("node-count", key.span.start..on_span.end.min(key.span.end), format!("DRBD resource `{}` has {count} nodes", key.value))
                    .label("DRBD 8.4 resources have exactly two nodes")
                    .help("give the resource `nodes = [\"a\", \"b\"]`, or define exactly two storage nodes"),
            );
            res_nodes.truncate(2);
        }
        res_nodes
    }

    /// The node that initialises the resource: its own `initialiser`
    /// (one of its nodes), else the site's when it is one of them, else
    /// the first it lists.
    fn resource_initialiser(
        &self,
        cx: &mut Cx,
        init: Option<Sp<String>>,
        key: &Sp<String>,
        res_nodes: &[String],
        drbd: &Drbd,
    ) -> String {
        let site = &drbd.initialiser;
        let fallback = if res_nodes.iter().any(|n| n == site) || res_nodes.is_empty() {
            site.clone()
        } else {
            res_nodes[0].clone()
        };
        let Some(i) = init else { return fallback };
        if !cx.refer(Kind::Node, &i) {
            return fallback;
        }
        if res_nodes.len() == 2 && !res_nodes.contains(&i.value) {
            self.missing_initialiser(cx, i.span.clone(), key, &i.value, res_nodes);
            return fallback;
        }
        i.value
    }

    fn missing_initialiser(
        &self,
        cx: &mut Cx,
        span: Range<usize>,
        key: &Sp<String>,
        init: &str,
        res_nodes: &[String],
    ) {
        cx.d.push(
            Diagnostic::error(
                "wrong-reference",
                span,
                format!("the initialiser `{init}` is not a node of DRBD resource `{}`", key.value),
            )
            .label(format!("the resource's nodes are `{}` and `{}`", res_nodes[0], res_nodes[1]))
            .help("a resource is initialised by one of its own two nodes: name one of them, or leave `initialiser` out (the site's when it is one of them, else the first listed)"),
        );
    }

    /// `volume = "NAME"`: a DRBD backing volume on both nodes, backing
    /// this resource only.
    fn backing_volume(&mut self, cx: &mut Cx, v: &Sp<String>, res_nodes: &[String]) {
        let Some(x) = self.volumes.iter().find(|x| x.name == v.value) else {
            // Unknown, or defined but refused (reported already).
            cx.refer(Kind::Volume, v);
            return;
        };
        if x.kind != VolumeKind::Drbd {
            cx.d.push(
                Diagnostic::error(
                    "wrong-reference",
                    v.span.clone(),
                    format!("volume `{}` is not a DRBD backing volume", v.value),
                )
                .label(format!("it is declared `kind = \"{}\"`", kind_name(x.kind)))
                .help("backing volumes have `kind = \"drbd\"`"),
            );
            return;
        }
        let md = internal_metadata(x.size);
        if x.size < md + MIN_DATA {
            let mut diag = Diagnostic::error(
                "drbd-metadata",
                v.span.clone(),
                format!(
                    "volume `{}` ({}) is too small for DRBD's internal metadata",
                    v.value,
                    human(x.size)
                ),
            )
            .label(format!("DRBD keeps {} of metadata at its end", human(md)))
            .help(format!(
                "a DRBD backing volume holds its internal metadata (36 KiB and 1/32768 of its size) and at least {} of data: give it `size = \"4M\"` or more",
                human(MIN_DATA)
            ));
            if let Some(vspan) = cx.names.volumes.span(&x.name) {
                diag = diag.related(vspan, "the volume");
            }
            cx.d.push(diag);
        }
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
        per_node(
            cx,
            &mut self.backing,
            res_nodes,
            v.value.clone(),
            &v.span,
            |n| format!("volume `{}` backs two resources on node `{n}`", v.value),
        );
    }
}

/// `key` (given at `span`) once per node of `nodes` among `seen`: the
/// first node where it is taken already is reported (once per resource).
fn per_node<K: Ord + Clone>(
    cx: &mut Cx,
    seen: &mut BTreeMap<(String, K), Range<usize>>,
    nodes: &[String],
    key: K,
    span: &Range<usize>,
    message: impl Fn(&str) -> String,
) {
    let mut reported = false;
    for n in nodes {
        let k = (n.clone(), key.clone());
        match seen.get(&k) {
            Some(first) if !reported => {
                cx.d.push(duplicate(span.clone(), first.clone(), message(n)));
                reported = true;
            }
            Some(_) => {}
            None => {
                seen.insert(k, span.clone());
            }
        }
    }
}

/// The least data a backing volume holds beside DRBD's metadata.
const MIN_DATA: u64 = 1 << 20;

/// DRBD 8.4's internal metadata of a backing device of `size` bytes: the
/// superblock and activity log (72 sectors) and the bitmap (8 sectors per
/// 128 MiB started), as `drbdmeta create-md` lays it out.
fn internal_metadata(size: u64) -> u64 {
    let sectors = size / 512;
    (sectors.div_ceil(1 << 18) * 8 + 72) * 512
}

/// Dual-primary resources without resource-and-stonith fencing: a
/// warning at the site's `fencing` for the resources that keep it, and at
/// each resource's own `fencing` that is not resource-and-stonith.
pub(crate) fn check_fencing(
    cx: &mut Cx,
    drbd: &Drbd,
    fencing: &Sp<String>,
    site_span: Range<usize>,
) {
    let own = std::mem::take(&mut cx.facts.drbd_fencing);
    let weak = |r: &&DrbdResource| r.allow_two_primaries && r.fencing != "resource-and-stonith";
    let own_span = |r: &DrbdResource| {
        own.iter()
            .find(|(n, _)| *n == r.name)
            .map(|(_, s)| s.clone())
    };
    let site_weak = drbd
        .resources
        .iter()
        .filter(weak)
        .any(|r| own_span(r).is_none());
    if site_weak {
        let span = if fencing.span.is_empty() {
            site_span.start..site_span.start + 1
        } else {
            fencing.span.clone()
        };
        weak_fencing(cx, span, &fencing.value);
    }
    for r in drbd.resources.iter().filter(weak) {
        if let Some(span) = own_span(r) {
            weak_fencing(cx, span, &r.fencing);
        }
    }
}

/// Protocols DRBD 8.4's kernel refuses with a resource's other settings
/// (its netlink check of the net options, `drbdadm up` fails and the
/// resource stays StandAlone): A or B with allow-two-primaries (dual-primary
/// needs protocol C, ERR_NOT_PROTO_C) and A with resource-and-stonith
/// fencing (ERR_STONITH_AND_PROT_A). An error at the resource's own
/// `protocol`, else at `[drbd] protocol` (once), which it takes.
pub(crate) fn check_protocol(cx: &mut Cx, drbd: &Drbd) {
    let own = std::mem::take(&mut cx.facts.drbd_resource_protocol);
    let site = cx.facts.drbd_protocol.take();
    let mut site_said = false;
    for r in &drbd.resources {
        let why = if r.allow_two_primaries && r.protocol != "C" {
            Some((
                format!("protocol {} with allow-two-primaries", r.protocol),
                "dual-primary (OCFS2 on both nodes) needs protocol C: DRBD refuses the resource (\"protocol C required\") and it never connects; use `protocol = \"C\"` (or, for a site of single-primary resources, `[drbd] allow_two_primaries = false`)",
            ))
        } else if r.protocol == "A" && r.fencing == "resource-and-stonith" {
            Some((
                "protocol A with resource-and-stonith fencing".into(),
                "DRBD refuses protocol A with resource-and-stonith fencing and the resource never connects: use protocol B or C",
            ))
        } else {
            None
        };
        let Some((label, help)) = why else { continue };
        let span = match own.iter().find(|(n, _)| *n == r.name) {
            Some((_, span)) => span.clone(),
            None => match &site {
                Some(span) if !site_said => {
                    site_said = true;
                    span.clone()
                }
                _ => continue,
            },
        };
        cx.d.push(
            Diagnostic::error(
                "drbd-protocol",
                span,
                format!("DRBD resource `{}`: a protocol DRBD refuses", r.name),
            )
            .label(label)
            .help(help),
        );
    }
}

fn weak_fencing(cx: &mut Cx, span: Range<usize>, fencing: &str) {
    let (title, help) = if fencing == "dont-care" {
        ("dual-primary DRBD without fencing", "the DRBD user guide calls this \"a very bad idea\": use `fencing = \"resource-and-stonith\"`")
    } else {
        ("dual-primary DRBD with resource-only fencing", "if only the replication link fails, both Primaries write on and the OCFS2 copies diverge: use `fencing = \"resource-and-stonith\"` (I/O waits until the peer is outdated, unreachable or back)")
    };
    cx.d.push(
        Diagnostic::warning("dual-primary-without-fencing", span, title)
            .label(format!("allow-two-primaries with fencing {fencing}"))
            .help(help),
    );
}

pub(crate) const PROTOCOLS: &[&str] = &["A", "B", "C"];

pub(crate) static RESOURCE: Section = section(
    "drbd.resources.NAME",
    "One DRBD resource; NAME is its name in drbd.conf.",
    &[
        key("minor", Ty::Int(Some(0), Some(1048575)), "the device's minor (`/dev/drbdN`)").req("0"),
        key("port", Ty::Int(Some(1024), Some(65535)), "its TCP port: not a port of the node's own services (`service-port`) nor another resource's or o2cb's on the same address").req("7790"),
        key("volume", Ty::Str(Some(re::NAME)), "its backing volume, of `kind = \"drbd\"`").req("\"rep-drbd0\""),
        key("nodes", Ty::StrList(Some(re::NAME)), "its two nodes [the site's two nodes]; each pair of a site of many pairs names its own"),
        key("initialiser", Ty::Str(Some(re::NAME)), "the one of its nodes that initialises it [`[drbd] initialiser` when it is one of its nodes, else the first listed]"),
        key("protocol", Ty::Enum(PROTOCOLS), "its replication protocol, as `[drbd] protocol` allows (`drbd-protocol`) [`[drbd] protocol`]"),
        key("fencing", Ty::Enum(FENCING), "its fencing policy [`[drbd] fencing`]"),
        key("verify_alg", Ty::Enum(VERIFY_ALG), "the digest of its online verify [`[drbd] verify_alg`]"),
        key("verify_schedule", Ty::Str(None), "when its initialiser verifies it, a systemd OnCalendar expression (\"\" for never) [`[drbd] verify_schedule`]"),
        key("resync", Ty::Table(&resync::RESOURCE), "its resync controller, each key over `[drbd.resync]`'s"),
    ],
);

pub(crate) static RESOURCES: Section = map(
    "drbd.resources",
    "The DRBD resources, `[drbd.resources.NAME]` each.",
    Some(re::NAME),
    Ty::Table(&RESOURCE),
);

pub(crate) static FENCE_COMMANDS: Section = map(
    "drbd.fence_command",
    "`NODE = \"COMMAND\"`: the command (words, run without a shell) that powers NODE off, run by its peer's fence-peer handler; its success is DRBD's \"peer stonithed\".",
    Some(re::NAME),
    Ty::Str(None),
);

pub(crate) static SPEC: Section = section(
    "drbd",
    "DRBD's site-wide tuning and policies, and its resources.",
    &[
        key("wfc_timeout", Ty::Int(Some(0), Some(86400)), "wait-for-connection timeout, seconds").def("120"),
        key("degr_wfc_timeout", Ty::Int(Some(0), Some(86400)), "the same, after a degraded cluster's reboot").def("60"),
        key("ping_int", Ty::Int(Some(1), Some(120)), "seconds between keep-alive pings").def("10"),
        key("ping_timeout", Ty::Int(Some(1), Some(300)), "ping timeout, tenths of a second").def("5"),
        key("initialiser", Ty::Str(Some(re::NAME)), "the node that initialises (the how-to's \"on one node only\") every resource that lists it; a resource without it is initialised by its own `initialiser` or its first node [the first node]"),
        key("peer_wait", Ty::Int(Some(0), Some(86400)), "seconds the initialiser waits for its peer before one leg [wfc_timeout]"),
        key("network", Ty::Enum(NETWORKS), "the network DRBD replicates on [replication when every node has a link, else admin]"),
        key("protocol", Ty::Enum(PROTOCOLS), "DRBD's replication protocol: C with dual-primary, B or C with resource-and-stonith fencing (`drbd-protocol`)").def("\"C\""),
        key("allow_two_primaries", Ty::Bool, "dual-primary (OCFS2 on both nodes)").def("true"),
        key("after_sb_0pri", Ty::EnumOr(AFTER_SB_0PRI, "^discard-node-[a-z0-9-]+$"), "after split brain, no Primary (also `discard-node-NODE`)").def("\"discard-zero-changes\""),
        key("after_sb_1pri", Ty::Enum(AFTER_SB_1PRI), "after split brain, one Primary (`disconnect`: nothing is discarded without the admin, see `SITE-storage split-brain`)").def("\"disconnect\""),
        key("after_sb_2pri", Ty::Enum(AFTER_SB_2PRI), "after split brain, two Primaries").def("\"disconnect\""),
        key("fencing", Ty::Enum(FENCING), "[resource-and-stonith with `allow_two_primaries`, else resource-only; anything else with dual-primary is warned of]"),
        key("split_brain_notify", Ty::Str(None), "who is mailed a split brain: a local user or an address").def("\"root\""),
        key("demote_before_resync", Ty::Bool, "demote a Primary that becomes a resync target").def("true"),
        key("witness", Ty::Str(Some(re::IP)), "the third party fence-peer asks when the peer is silent: a node that reaches it but neither of the peer's addresses resumes I/O alone; not a node's address [install_server]"),
        key("fence_command", Ty::Table(&FENCE_COMMANDS), "power fencing: per node, the command its peer runs to power it off"),
        key("verify_alg", Ty::Enum(VERIFY_ALG), "the digest of DRBD's online verify").def("\"crc32c\""),
        key("verify_schedule", Ty::Str(None), "when each resource's initialiser runs `drbdadm verify` on it, a systemd OnCalendar expression (\"\" for never)").def("\"monthly\""),
        key("resources", Ty::Table(&RESOURCES), "the resources"),
        key("resync", Ty::Table(&resync::SPEC), "the resync controller; each key written only when set, else DRBD 8.4's default"),
    ],
);
