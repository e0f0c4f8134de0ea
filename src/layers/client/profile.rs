//! `[client]`: the NFS client package (staging directory, symlinks,
//! automount points).

use crate::model::{Automount, Client, Symlink};
use crate::profile::cx::Cx;
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, map, section, Section, Ty};

fn symlink_map(
    cx: &mut Cx,
    t: Option<Table>,
    what: &str,
    kind: grammar::Kind,
    target_check: fn(&str) -> grammar::Check,
) -> Vec<(Sp<String>, Sp<String>)> {
    let Some(t) = t else { return Vec::new() };
    let mut out = Vec::new();
    for (key, target) in t.into_strings(&mut cx.d, |_| format!("{what} targets are strings")) {
        let Some(target) = target else { continue };
        if cx.destination(&key, kind, "path") && cx.check(&target, "bad-path", what, target_check) {
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

pub(crate) fn client(cx: &mut Cx, t: Option<Table>, site: &str) -> Client {
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
        if let Some(s) =
            staging.filter(|s| cx.destination(s, grammar::Kind::Dir, "staging directory"))
        {
            c.staging = s.value;
        }
        let link = grammar::Kind::Link;
        let links = symlink_map(cx, links, "symlink target", link, grammar::relative_path);
        let root = grammar::Kind::AutomountRoot;
        let automounts = symlink_map(cx, automounts, "automount map", root, map_name);
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

pub(crate) static LINKS: Section = map(
    "client.links",
    "Symlinks the client package makes: `\"/pub\" = \"staging/pub\"` (a relative target).",
    Some(re::PATH),
    Ty::Str(Some(re::RELATIVE_PATH)),
);

pub(crate) static AUTOMOUNTS: Section = map(
    "client.automounts",
    "autofs mount points and their NIS maps: `\"/staging\" = \"auto.staging\"`.",
    Some(re::PATH),
    Ty::Str(Some(re::MAP)),
);

pub(crate) static SPEC: Section = section(
    "client",
    "The NFS client package: the staging directory, its symlinks and automount points.",
    &[
        key(
            "staging",
            Ty::Str(Some(re::PATH)),
            "the directory the client package creates",
        )
        .def("\"/staging\""),
        key(
            "links",
            Ty::Table(&LINKS),
            "symlinks, path = relative target",
        ),
        key(
            "automounts",
            Ty::Table(&AUTOMOUNTS),
            "automount roots, path = map name",
        ),
    ],
);
