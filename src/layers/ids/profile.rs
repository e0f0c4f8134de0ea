//! `[ids]`: the groups and users pinned to fixed IDs on every node.

use crate::model::{Ids, PinnedGroup, PinnedUser};
use crate::profile::cx::{first_use, printable, Cx};
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{check_range, Table};
use crate::profile::spec::{key, map, section, Section, Ty};
use std::collections::BTreeMap;
use std::ops::Range;

pub(crate) fn ids(cx: &mut Cx, t: Option<Table>, site: &str) -> Ids {
    let mut ids = Ids {
        package: format!("{site}-storage-ids"),
        groups: Vec::new(),
        users: Vec::new(),
    };
    let Some(mut t) = t else {
        // The how-to's point: libvirt-qemu pinned before libvirt comes.
        ids.groups.push(PinnedGroup {
            name: "libvirt-qemu".into(),
            gid: 64055,
            system: false,
        });
        ids.users.push(PinnedUser {
            name: "libvirt-qemu".into(),
            uid: 64055,
            group: "libvirt-qemu".into(),
            groups: Vec::new(),
            home: "/var/lib/libvirt".into(),
            shell: "/usr/sbin/nologin".into(),
            gecos: "Libvirt Qemu".into(),
            system: false,
        });
        return ids;
    };
    let groups_t = t.table(&mut cx.d, "groups");
    let users_t = t.table(&mut cx.d, "users");
    t.finish(&mut cx.d);
    // Group names, known even when their GID is refused: no cascade.
    let mut group_names: BTreeMap<String, Range<usize>> = BTreeMap::new();
    if let Some(g) = groups_t {
        ids.groups = groups(cx, g, &mut group_names);
    }
    if let Some(u) = users_t {
        ids.users = users(cx, u, &group_names);
    }
    ids
}

/// `[ids.groups]`: NAME = GID.
fn groups(
    cx: &mut Cx,
    g: Table,
    group_names: &mut BTreeMap<String, Range<usize>>,
) -> Vec<PinnedGroup> {
    let mut out = Vec::new();
    let mut gids: BTreeMap<u32, Range<usize>> = BTreeMap::new();
    let entries = g.into_integers(&mut cx.d, |k| {
        format!("`ids.groups.{}` must be an integer GID", printable(k))
    });
    for (key, gid) in entries {
        let Some(gid) = gid else {
            // Known by name all the same: users in it do not cascade.
            if grammar::account(&key.value).is_ok() {
                group_names.insert(key.value.clone(), key.span.clone());
            }
            continue;
        };
        if !cx.check(&key, "bad-name", "group name", grammar::account) {
            continue;
        }
        let (lo, hi) = if key.value == "kvm" {
            (100, 999)
        } else {
            (100, 65533)
        };
        let path = format!("ids.groups.{}", key.value);
        // Known by name even when its GID is refused: no cascade.
        group_names.insert(key.value.clone(), key.span.clone());
        if !check_range(&mut cx.d, &path, &gid, lo, hi) {
            if key.value == "kvm" {
                if let Some(last) = cx.d.list.last_mut() {
                    last.help = Some("udev's postinst creates kvm with `addgroup --system`: its GID must be a system GID (100-999)".into());
                }
            }
            continue;
        }
        let g = gid.value as u32;
        if !first_use(&mut cx.d, &mut gids, g, &gid.span, || {
            format!("GID {g} is pinned twice")
        }) {
            continue;
        }
        out.push(PinnedGroup {
            name: key.value,
            gid: g,
            system: g < 1000,
        });
    }
    out
}

/// `[ids.users.NAME]`: a user with its UID, groups, home, shell and GECOS.
fn users(cx: &mut Cx, u: Table, group_names: &BTreeMap<String, Range<usize>>) -> Vec<PinnedUser> {
    let entries = u.into_tables(&mut cx.d);
    let mut out = Vec::new();
    let mut uids: BTreeMap<u32, Range<usize>> = BTreeMap::new();
    let known: Vec<String> = group_names.keys().cloned().collect();
    for (key, t) in entries {
        let Some(mut t) = t else { continue };
        let d = &mut cx.d;
        let uid = t.req_int(d, "uid");
        let group = t.req_str(d, "group");
        let groups = t.str_list(d, "groups").unwrap_or_default();
        let home = t.str(d, "home");
        let shell = t.str(d, "shell");
        let gecos = t.str(d, "gecos");
        t.finish(d);
        let name_ok = cx.check(&key, "bad-name", "user name", grammar::account);
        let mut refs_ok = true;
        for gr in group.iter().chain(groups.iter()) {
            if !group_names.contains_key(&gr.value) {
                cx.unknown_ref(gr, "pinned group", &known);
                refs_ok = false;
            }
        }
        let home = cx
            .checked(home, "bad-path", "home directory", grammar::path)
            .unwrap_or_else(|| "/nonexistent".into());
        let shell = cx
            .checked(shell, "bad-path", "shell", grammar::path)
            .unwrap_or_else(|| "/usr/sbin/nologin".into());
        let gecos = cx
            .checked(gecos, "bad-value", "GECOS", grammar::gecos)
            .unwrap_or_default();
        let (Some(uid), Some(group), true, true) = (uid, group, name_ok, refs_ok) else {
            continue;
        };
        let u32id = uid.value as u32;
        if !first_use(&mut cx.d, &mut uids, u32id, &uid.span, || {
            format!("UID {u32id} is pinned twice")
        }) {
            continue;
        }
        out.push(PinnedUser {
            name: key.value,
            uid: u32id,
            group: group.value,
            groups: groups.into_iter().map(|g| g.value).collect(),
            home,
            shell,
            gecos,
            system: u32id < 1000,
        });
    }
    out
}

pub(crate) static GROUPS: Section = map(
    "ids.groups",
    "Pinned groups: `NAME = GID` (kvm must be 100–999: udev creates it as a system group).",
    Some(re::ACCOUNT),
    Ty::Int(None, None),
);

pub(crate) static USER: Section = section(
    "ids.users.NAME",
    "One pinned user.",
    &[
        key("uid", Ty::Int(Some(100), Some(65533)), "its UID").req("64055"),
        key(
            "group",
            Ty::Str(Some(re::ACCOUNT)),
            "its primary group, a pinned group",
        )
        .req("\"kvm\""),
        key(
            "groups",
            Ty::StrList(Some(re::ACCOUNT)),
            "its other groups, pinned groups",
        ),
        key("home", Ty::Str(Some(re::PATH)), "its home directory"),
        key("shell", Ty::Str(Some(re::PATH)), "its shell"),
        key("gecos", Ty::Str(None), "its GECOS field"),
    ],
);

pub(crate) static USERS: Section = map(
    "ids.users",
    "Pinned users, `[ids.users.NAME]` each.",
    Some(re::ACCOUNT),
    Ty::Table(&USER),
);

pub(crate) static SPEC: Section = section(
    "ids",
    "The users and groups pinned before libvirt is installed [the libvirt-qemu user and group 64055].",
    &[
        key("groups", Ty::Table(&GROUPS), "pinned groups"),
        key("users", Ty::Table(&USERS), "pinned users"),
    ],
);
