//! `[shares.NAME]`: directories on mounted volumes and OCFS2 filesystems,
//! their public symlinks, libvirt pools and NFS exports; `[nfs]`.

use crate::layers::volumes::profile::{mountpoint_above, mountpoint_below, mountpoint_on};
use crate::model::*;
use crate::profile::cx::{first_use, printable, Cx, Kind};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, map, section, Section, Ty};
use std::collections::BTreeMap;
use std::ops::Range;

/// Where a share lives: on what, its mountpoint, and on which nodes.
type Target = (ShareOn, String, Vec<String>);

/// What the shares must not repeat: directories, symlinks, pool names.
#[derive(Default)]
struct Taken {
    paths: BTreeMap<String, Range<usize>>,
    links: BTreeMap<String, Range<usize>>,
    pools: BTreeMap<String, Range<usize>>,
}

/// Whether `v` is new among `of`; if not, it is reported as `what`.
fn first(
    cx: &mut Cx,
    of: &mut BTreeMap<String, Range<usize>>,
    v: &Sp<String>,
    what: String,
) -> bool {
    first_use(&mut cx.d, of, v.value.clone(), &v.span, || what)
}

pub(crate) fn shares(
    cx: &mut Cx,
    t: Option<Table>,
    volumes: &[Volume],
    ocfs2: Option<&Ocfs2>,
) -> Vec<Share> {
    let Some(t) = t else { return Vec::new() };
    let mut out = Vec::new();
    let mut taken = Taken::default();
    for (key, t) in t.into_tables(&mut cx.d) {
        let Some(t) = t else { continue };
        out.extend(share(cx, t, key, volumes, ocfs2, &mut taken));
    }
    out
}

/// One share; its name is registered even when refused.
fn share(
    cx: &mut Cx,
    mut t: Table,
    key: Sp<String>,
    volumes: &[Volume],
    ocfs2: Option<&Ocfs2>,
    taken: &mut Taken,
) -> Option<Share> {
    let d = &mut cx.d;
    let on = t.req_str(d, "on");
    let dir = t.str(d, "dir");
    let link = t.str(d, "link");
    let mode = t.str(d, "mode");
    let owner = t.str(d, "owner");
    let group = t.str(d, "group");
    let exports = t.table_list(d, "exports");
    let pool = t.str(d, "libvirt_pool");
    t.finish(d);
    let name_ok = cx.check(&key, "bad-name", "share name", grammar::name);
    let target = on.as_ref().and_then(|o| target(cx, o, volumes, ocfs2));
    let dir_span = dir.as_ref().map_or(key.span.clone(), |d| d.span.clone());
    let dir = match dir {
        Some(d) if cx.check(&d, "bad-path", "share directory", grammar::share_dir) => d.value,
        _ => key.value.clone(),
    };
    if let Some((_, base, _)) = &target {
        let full = Sp::new(format!("{base}/{dir}"), dir_span);
        let what = format!("two shares are the directory `{}`", full.value);
        first(cx, &mut taken.paths, &full, what);
    }
    let link = link.and_then(|l| {
        cx.destination(&l, grammar::Kind::Link, "symlink")
            .then_some(l)
    });
    if let Some(l) = &link {
        let on = target
            .as_ref()
            .map(|(_, _, n)| n.clone())
            .unwrap_or_default();
        symlink(cx, l, &on, taken);
    }
    let mode = mode_of(cx, mode);
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
        let what = format!("libvirt pool `{}` is defined twice", p.value);
        first(cx, &mut taken.pools, &p, what).then_some(p.value)
    });
    let on = target.as_ref().map(|(on, _, _)| on);
    let export_list = exports
        .into_iter()
        .filter_map(|e| export(cx, e, &key, on))
        .collect();
    if !(cx.define(Kind::Share, &key, name_ok) && name_ok) {
        return None;
    }
    let (on, base, share_nodes) = target?;
    Some(Share {
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
    })
}

/// `on = "NAME"`: a mounted volume or an OCFS2 filesystem.
fn target(
    cx: &mut Cx,
    o: &Sp<String>,
    volumes: &[Volume],
    ocfs2: Option<&Ocfs2>,
) -> Option<Target> {
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
        let on = ShareOn::Volume {
            name: v.name.clone(),
            kind: v.kind,
        };
        return Some((
            on,
            v.mountpoint.clone().unwrap_or_default(),
            v.nodes.clone(),
        ));
    }
    if let Some(f) = ocfs2.and_then(|o2| o2.filesystems.iter().find(|f| f.name == o.value)) {
        let on = ShareOn::Ocfs2 {
            name: f.name.clone(),
        };
        return Some((on, f.mountpoint.clone(), f.nodes.clone()));
    }
    let names = &cx.names;
    if names.volumes.contains(&o.value) || names.filesystems.contains(&o.value) {
        return None; // refused itself, already reported
    }
    let known: std::collections::BTreeSet<&str> = names
        .volumes
        .names()
        .chain(names.filesystems.names())
        .collect();
    let known: Vec<String> = known.into_iter().map(str::to_string).collect();
    cx.unknown_ref(o, "volume or OCFS2 filesystem", &known);
    None
}

/// `link = "/PATH"`: a public symlink beside the mountpoints, used once.
fn symlink(cx: &mut Cx, l: &Sp<String>, nodes: &[String], taken: &mut Taken) {
    if let Some(mp) = mountpoint_on(cx, &l.value, nodes) {
        let message = format!("symlink `{}` would replace a mountpoint", l.value);
        cx.duplicate(l.span.clone(), mp, message);
        return;
    }
    let nested = mountpoint_above(cx, &l.value, nodes)
        .map(|(mp, span)| {
            (
                format!("symlink `{}` is inside mountpoint `{mp}`", l.value),
                "it would be made on the mounted filesystem, or hidden under it",
                span,
                "put the public symlink outside every mountpoint, beside them (e.g. `/vol/NAME`)",
            )
        })
        .or_else(|| {
            let (mp, span) = mountpoint_below(cx, &l.value, nodes)?;
            Some((
                format!("symlink `{}` would hold mountpoint `{mp}`", l.value),
                "a directory of a mountpoint stands where the symlink would be",
                span,
                "put the public symlink beside the mountpoints, not above them",
            ))
        });
    if let Some((message, label, mp_span, help)) = nested {
        cx.d.push(
            Diagnostic::error("nested-mountpoint", l.span.clone(), message)
                .label(label)
                .related(mp_span, "mounted here")
                .help(help),
        );
        return;
    }
    let what = format!("symlink `{}` is used twice", l.value);
    first(cx, &mut taken.links, l, what);
}

/// `mode = "0755"`: an octal mode of four digits.
fn mode_of(cx: &mut Cx, mode: Option<Sp<String>>) -> String {
    match mode {
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
    }
}

/// One `exports = [{ clients, options }]` entry of share `key` (on `on`);
/// a refused one is recorded in the facts.
fn export(
    cx: &mut Cx,
    mut e: Table,
    key: &Sp<String>,
    on: Option<&ShareOn>,
) -> Option<ExportClient> {
    let clients = e.req_str(&mut cx.d, "clients");
    let options = e.str_list(&mut cx.d, "options");
    let espan = e.span.clone();
    e.finish(&mut cx.d);
    let clients = clients.filter(|c| {
        cx.check(
            c,
            "bad-value",
            "NFS client pattern",
            grammar::export_clients,
        )
    });
    let Some(clients) = clients else {
        cx.facts.refused_exports.insert(key.value.clone());
        return None;
    };
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
    if on.is_some_and(|on| !on.replicated()) {
        cx.d.push(
            Diagnostic::error("export-unreplicated", espan, format!("share `{}` is on an unreplicated volume", key.value))
                .label("only replicated data is shared over NFS")
                .help("export shares on OCFS2 filesystems or unison volumes; unreplicated data differs between the nodes"),
        );
    }
    Some(ExportClient {
        clients: clients.value,
        options: list,
    })
}

pub(crate) fn nfs(cx: &mut Cx, t: Option<Table>) -> Nfs {
    let mut nfs = Nfs {
        manage_gids: false,
        threads: None,
    };
    if let Some(mut t) = t {
        let m = t.bool(&mut cx.d, "manage_gids");
        // The kernel's NFSD_MAXSERVS is 8192.
        let threads = t.int_in(&mut cx.d, "threads");
        t.finish(&mut cx.d);
        nfs.manage_gids = m.is_some_and(|m| m.value);
        nfs.threads = threads.map(|n| n.value as u32);
    }
    nfs
}

pub(crate) static EXPORT: Section = section(
    "shares.NAME.exports",
    "One NFS export of the share (only shares on replicated storage: `export-unreplicated`).",
    &[
        key("clients", Ty::Str(None), "`*`, an address, a network (`192.168.1.0/24`), a host name (wildcards allowed) or `@netgroup`").req("\"192.168.1.0/24\""),
        key("options", Ty::StrList(Some(re::OPTION)), "exports(5) options").def("[\"rw\", \"sync\", \"no_subtree_check\", \"root_squash\"]"),
    ],
);

pub(crate) static SHARE: Section = section(
    "shares.NAME",
    "One shared directory on a mounted volume or an OCFS2 filesystem.",
    &[
        key(
            "on",
            Ty::Str(Some(re::NAME)),
            "a mounted volume or an OCFS2 filesystem",
        )
        .req("\"ocfs2-small\""),
        key(
            "dir",
            Ty::Str(Some(re::SHARE_DIR)),
            "relative to the filesystem's mountpoint, no leading `/` [NAME]",
        ),
        key(
            "link",
            Ty::Str(Some(re::PATH)),
            "a public symlink to it, outside every mountpoint",
        ),
        key(
            "mode",
            Ty::Str(Some(re::MODE)),
            "the directory's octal mode",
        )
        .def("\"0755\""),
        key(
            "owner",
            Ty::Str(Some(re::ACCOUNT)),
            "the directory's owner [root]",
        ),
        key("group", Ty::Str(Some(re::ACCOUNT)), "the directory's group").def("\"root\""),
        key(
            "exports",
            Ty::Tables(&EXPORT),
            "NFS exports, `[{ clients, options }]`",
        ),
        key(
            "libvirt_pool",
            Ty::Str(Some(re::NAME)),
            "a libvirt storage pool of this directory",
        ),
    ],
);

pub(crate) static SPEC: Section = map(
    "shares",
    "The shared directories, `[shares.NAME]` each.",
    Some(re::NAME),
    Ty::Table(&SHARE),
);

pub(crate) static NFS: Section = section(
    "nfs",
    "The kernel NFS server of the nodes.",
    &[
        key(
            "manage_gids",
            Ty::Bool,
            "the secondary-groups fix, as `[mountd] manage-gids`",
        )
        .def("false"),
        key(
            "threads",
            Ty::Int(Some(1), Some(8192)),
            "the server's threads, as `[nfsd] threads` [nfs-utils' 8]",
        ),
    ],
);
