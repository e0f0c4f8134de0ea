//! `[unison]`: the two-way synchronisation of a unison volume between a
//! client node and a server node.

use crate::layers::link::profile::network;
use crate::layers::link::profile::NETWORKS;
use crate::layers::volumes::profile::kind_name;
use crate::model::*;
use crate::profile::cx::{u32_of, Cx, Kind};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, map, section, Section, Ty};

/// `[unison]`, the site's first sync and the settings of every other, and
/// each `[unison.volumes.NAME]`; a node runs the scheduled sync of one
/// volume at most (it is the client of one, and may be the server of
/// others' no more than one: one `authorized_keys` entry).
pub(crate) fn unison(
    cx: &mut Cx,
    t: Option<Table>,
    nodes: &[Node],
    volumes: &[Volume],
) -> Vec<Unison> {
    let Some(t) = t else { return Vec::new() };
    let (first, more) = first_sync(cx, t, nodes, volumes);
    let mut out: Vec<Unison> = first.into_iter().collect();
    let mut roles: Vec<(String, &'static str, Sp<String>)> = Vec::new();
    if let Some(f) = out.first() {
        roles.push((f.client.clone(), "client", Sp::new(f.volume.clone(), 0..0)));
        roles.push((f.server.clone(), "server", Sp::new(f.volume.clone(), 0..0)));
    }
    let Some((base, more)) = more else { return out };
    for (key, t) in more.into_tables(&mut cx.d) {
        let Some(t) = t else { continue };
        if let Some((u, spans)) = other_sync(cx, t, &key, &base, volumes) {
            if out.iter().any(|o| o.volume == u.volume) {
                cx.d.push(
                    Diagnostic::error(
                        "duplicate",
                        key.span.clone(),
                        format!("unison volume `{}` is synchronised twice", u.volume),
                    )
                    .label("it is `[unison] volume` already")
                    .help("one sync per unison volume: drop this table or name another volume"),
                );
                continue;
            }
            let mut ok = true;
            for (node, role, span) in [
                (u.client.clone(), "client", spans.0),
                (u.server.clone(), "server", spans.1),
            ] {
                if let Some((_, _, first)) = roles.iter().find(|(n, r, _)| *n == node && *r == role)
                {
                    let mut d = Diagnostic::error("duplicate", span, format!("node `{node}` is the unison {role} of two volumes"))
                        .label(format!("already the {role} of `{}`", first.value))
                        .help("a node runs one scheduled sync and serves one: give this volume another pair, or swap client and server");
                    if !first.span.is_empty() {
                        d = d.related(first.span.clone(), "the first");
                    }
                    cx.d.push(d);
                    ok = false;
                    // One error a sync: its pair is what to change.
                    break;
                }
            }
            if ok {
                roles.push((u.client.clone(), "client", key.clone()));
                roles.push((u.server.clone(), "server", key.clone()));
                out.push(u);
            }
        }
    }
    out
}

/// `[unison]`'s own sync, and its `volumes` table with the sync the others
/// inherit from (the first's settings, or the defaults when it has none).
fn first_sync<'a>(
    cx: &mut Cx,
    mut t: Table<'a>,
    nodes: &[Node],
    volumes: &[Volume],
) -> (Option<Unison>, Option<(Unison, Table<'a>)>) {
    let d = &mut cx.d;
    let volume = t.req_str(d, "volume");
    let client = t.req_str(d, "client");
    let server = t.req_str(d, "server");
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
    let more = t.table(d, "volumes");
    t.finish(d);
    let vol = volume.as_ref().and_then(|v| unison_volume(cx, v, volumes));
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
        Some(p) if cx.one_of(&p, "unison prefer", PREFER) => p.value,
        _ => "newer".into(),
    };
    let logfile = logfile
        .filter(|l| cx.destination(l, grammar::Kind::LogFile, "log file"))
        .map_or_else(|| "/var/log/unison.log".into(), |l| l.value);
    let logrotate = logrotate_of(cx, logrotate);
    let key = |cx: &mut Cx, v, what| cx.checked(v, "bad-value", what, grammar::ssh_public_key);
    let client_key = key(cx, client_key, "ssh public key");
    let server_host_key = key(cx, host_key, "ssh host key");
    let perms = perms_of(cx, perms);
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
    let settings = Unison {
        profile: String::new(),
        mountpoint: String::new(),
        volume: String::new(),
        client: String::new(),
        server: String::new(),
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
        logrotate,
        client_key: None,
        server_host_key: None,
    };
    let more = more.map(|m| (settings.clone(), m));
    let first = match (vol, client, server) {
        (Some(vol), Some(client), Some(server)) => Some(Unison {
            profile: profile.unwrap_or_else(|| format!("vol-{}", vol.name)),
            mountpoint: vol.mountpoint.clone().unwrap_or_default(),
            volume: vol.name,
            client,
            server,
            client_key,
            server_host_key,
            ..settings
        }),
        _ => None,
    };
    (first, more)
}

/// Where a sync's client and server were named.
type RoleSpans = (std::ops::Range<usize>, std::ops::Range<usize>);

/// One `[unison.volumes.NAME]`: the sync of volume NAME, `[unison]`'s
/// settings but its own pair, profile, schedule and keys; with the spans
/// of its client and server.
fn other_sync(
    cx: &mut Cx,
    mut t: Table,
    key: &Sp<String>,
    base: &Unison,
    volumes: &[Volume],
) -> Option<(Unison, RoleSpans)> {
    let d = &mut cx.d;
    let client = t.req_str(d, "client");
    let server = t.req_str(d, "server");
    let profile = t.str(d, "profile");
    let schedule = t.str(d, "schedule");
    let prefer = t.str(d, "prefer");
    let client_key = t.str(d, "client_key");
    let host_key = t.str(d, "server_host_key");
    t.finish(d);
    let vol = unison_volume(cx, key, volumes);
    let spans = (
        client
            .as_ref()
            .map(|c| c.span.clone())
            .unwrap_or(key.span.clone()),
        server
            .as_ref()
            .map(|c| c.span.clone())
            .unwrap_or(key.span.clone()),
    );
    let client = node_ref(cx, client);
    let server = node_ref(cx, server);
    if let (Some(c), Some(s)) = (&client, &server) {
        if c == s {
            cx.d.push(
                Diagnostic::error(
                    "duplicate",
                    spans.0.clone(),
                    "unison's client and server are the same node",
                )
                .label("the second root must be the peer")
                .help("name the other node of the pair as server"),
            );
            return None;
        }
    }
    let profile = cx.checked(profile, "bad-name", "unison profile name", grammar::name);
    let schedule = cx.checked(schedule, "bad-schedule", "schedule", grammar::schedule);
    let prefer = match prefer {
        Some(p) if cx.one_of(&p, "unison prefer", PREFER) => Some(p.value),
        _ => None,
    };
    let k = |cx: &mut Cx, v, what| cx.checked(v, "bad-value", what, grammar::ssh_public_key);
    let client_key = k(cx, client_key, "ssh public key");
    let server_host_key = k(cx, host_key, "ssh host key");
    if let (Some(v), Some(c), Some(s)) = (&vol, &client, &server) {
        if let Some(n) = [c, s].into_iter().find(|n| !v.nodes.contains(n)) {
            cx.d.push(
                Diagnostic::error(
                    "wrong-reference",
                    key.span.clone(),
                    format!("volume `{}` does not exist on node `{n}`", v.name),
                )
                .label("unison's client and server must both carry the volume"),
            );
        }
    }
    let (vol, client, server) = (vol?, client?, server?);
    Some((
        Unison {
            profile: profile.unwrap_or_else(|| format!("vol-{}", vol.name)),
            mountpoint: vol.mountpoint.clone().unwrap_or_default(),
            volume: vol.name,
            client,
            server,
            schedule: schedule.unwrap_or_else(|| base.schedule.clone()),
            prefer: prefer.unwrap_or_else(|| base.prefer.clone()),
            client_key,
            server_host_key,
            ..base.clone()
        },
        spans,
    ))
}

/// `volume = "NAME"`: a volume of `kind = "unison"`.
fn unison_volume(cx: &mut Cx, v: &Sp<String>, volumes: &[Volume]) -> Option<Volume> {
    let Some(x) = volumes.iter().find(|x| x.name == v.value) else {
        // Unknown, or defined but refused (reported already).
        cx.refer(Kind::Volume, v);
        return None;
    };
    if x.kind == VolumeKind::Unison {
        return Some(x.clone());
    }
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

fn node_ref(cx: &mut Cx, v: Option<Sp<String>>) -> Option<String> {
    let v = v?;
    cx.refer(Kind::Node, &v).then_some(v.value)
}

/// `logrotate = { frequency, rotate, compress }`.
fn logrotate_of(cx: &mut Cx, l: Option<Table>) -> LogRotate {
    let mut rot = LogRotate {
        frequency: "daily".into(),
        rotate: 28,
        compress: true,
    };
    let Some(mut l) = l else { return rot };
    let f = l.str(&mut cx.d, "frequency");
    let r = l.int_in(&mut cx.d, "rotate");
    let c = l.bool(&mut cx.d, "compress");
    l.finish(&mut cx.d);
    if let Some(f) = f {
        if cx.one_of(&f, "rotation frequency", FREQUENCIES) {
            rot.frequency = f.value;
        }
    }
    rot.rotate = u32_of(r, 28);
    rot.compress = c.map_or(true, |c| c.value);
    rot
}

/// `perms`: -1 (unison's default) or a mode mask.
fn perms_of(cx: &mut Cx, perms: Option<Sp<i64>>) -> i64 {
    match perms {
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
    }
}

pub(crate) const PREFER: &[&str] = &["newer", "older"];
pub(crate) const FREQUENCIES: &[&str] = &["daily", "weekly", "monthly", "yearly"];

pub(crate) static LOGROTATE: Section = section(
    "unison.logrotate",
    "logrotate of unison's log file.",
    &[
        key("frequency", Ty::Enum(FREQUENCIES), "how often").def("\"daily\""),
        key(
            "rotate",
            Ty::Int(Some(1), Some(3650)),
            "how many logs are kept",
        )
        .def("28"),
        key("compress", Ty::Bool, "compress rotated logs").def("true"),
    ],
);

/// `[unison.volumes.NAME]`: another volume's sync.
pub(crate) static VOLUME: Section = section(
    "unison.volumes.NAME",
    "The sync of unison volume NAME between its own pair: `[unison]`'s preferences, log and network, its own nodes, profile, schedule and keys. A node is the client of one sync and the server of one at most.",
    &[
        key("client", Ty::Str(Some(re::NAME)), "the node that runs the scheduled sync").req("\"c\""),
        key("server", Ty::Str(Some(re::NAME)), "the other node (the second root)").req("\"d\""),
        key("profile", Ty::Str(Some(re::NAME)), "the unison profile's name [`vol-NAME`]"),
        key("schedule", Ty::Str(None), "when the sync runs, a systemd OnCalendar expression [`[unison] schedule`]"),
        key("prefer", Ty::Enum(PREFER), "which side wins a conflict [`[unison] prefer`]"),
        key("client_key", Ty::Str(Some(re::SSH_KEY)), "the client's public ssh key, pasted after its first install"),
        key("server_host_key", Ty::Str(Some(re::SSH_KEY)), "the server's `/etc/ssh/ssh_host_ed25519_key.pub`, pinned by the client"),
    ],
);

pub(crate) static VOLUMES: Section = map(
    "unison.volumes",
    "Further unison volumes, each with its own pair: `[unison.volumes.NAME]`, NAME a volume of `kind = \"unison\"`.",
    Some(re::NAME),
    Ty::Table(&VOLUME),
);

pub(crate) static SPEC: Section = section(
    "unison",
    "The two-way synchronisation of a unison volume between a client node and a server node; its settings are those of the further volumes' syncs too.",
    &[
        key(
            "volume",
            Ty::Str(Some(re::NAME)),
            "a volume of `kind = \"unison\"` on both nodes",
        )
        .req("\"rep-unison\""),
        key(
            "client",
            Ty::Str(Some(re::NAME)),
            "the node that runs the scheduled sync",
        )
        .req("\"fiori\""),
        key(
            "server",
            Ty::Str(Some(re::NAME)),
            "the other node (the second root)",
        )
        .req("\"torchio\""),
        key(
            "network",
            Ty::Enum(NETWORKS),
            "the network unison's ssh runs on [replication when every node has a link, else admin]",
        ),
        key(
            "profile",
            Ty::Str(Some(re::NAME)),
            "the unison profile's name [`vol-<volume>`]",
        ),
        key(
            "schedule",
            Ty::Str(None),
            "when the sync runs, a systemd OnCalendar expression",
        )
        .def("\"daily\""),
        key("owner", Ty::Bool, "unison preference `owner`").def("true"),
        key("group", Ty::Bool, "unison preference `group`").def("true"),
        key(
            "perms",
            Ty::Int(Some(-1), Some(4095)),
            "unison preference `perms`: -1 (unison's default) or a mode mask",
        )
        .def("-1"),
        key("times", Ty::Bool, "unison preference `times`").def("true"),
        key("auto", Ty::Bool, "unison preference `auto`").def("true"),
        key("batch", Ty::Bool, "unison preference `batch`").def("true"),
        key("terse", Ty::Bool, "unison preference `terse`").def("true"),
        key(
            "confirmbigdel",
            Ty::Bool,
            "unison preference `confirmbigdel`",
        )
        .def("true"),
        key("fastcheck", Ty::Bool, "unison preference `fastcheck`").def("true"),
        key("prefer", Ty::Enum(PREFER), "which side wins a conflict").def("\"newer\""),
        key(
            "logfile",
            Ty::Str(Some(re::PATH)),
            "inside /var/log, named `SITE-...` or `unison...`",
        )
        .def("\"/var/log/unison.log\""),
        key("logrotate", Ty::Table(&LOGROTATE), "its rotation"),
        key(
            "client_key",
            Ty::Str(Some(re::SSH_KEY)),
            "the client's public ssh key, pasted after its first install (the two-step)",
        ),
        key(
            "server_host_key",
            Ty::Str(Some(re::SSH_KEY)),
            "the server's `/etc/ssh/ssh_host_ed25519_key.pub`, pinned by the client",
        ),
        key("volumes", Ty::Table(&VOLUMES), "further unison volumes, each with its own pair"),
    ],
);
