//! `[nis]`: the site's NIS package (domain, servers) and its automount
//! maps of the exported shares (`auto.home`, `auto.staging`).

use crate::model::{Nis, NisEntry, NisMap, Node, Share};
use crate::profile::cx::{first_use, Cx, Kind};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, section, Section, Ty};
use std::collections::BTreeMap;
use std::ops::Range;

pub(crate) fn nis(
    cx: &mut Cx,
    t: Option<Table>,
    site: &str,
    domain: &str,
    nodes: &[Node],
    shares: &[Share],
) -> Option<Nis> {
    let mut t = t?;
    let d = &mut cx.d;
    let nis_domain = t.req_str(d, "domain");
    let binding = t.str(d, "node_binding");
    let servers = t.str_list(d, "servers");
    let options = t.str_list(d, "automount_options");
    let home = t.str(d, "home_share");
    let users = t.str_list(d, "users");
    let staging = t.str_list(d, "staging");
    t.finish(d);
    // A refused domain does not hide the problems of the other keys.
    let nis_domain = cx.checked(nis_domain, "bad-name", "NIS domain", grammar::domain);
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
    let maps = Maps {
        hosts: nodes
            .iter()
            .map(|n| (format!("{}.{domain}", n.name), n.name.as_str()))
            .collect(),
        shares,
    };
    let mut out = Vec::new();
    if let Some(h) = home {
        out.extend(maps.home(cx, &h, users.unwrap_or_default()));
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
    out.extend(maps.staging(cx, staging.unwrap_or_default()));
    Some(Nis {
        package: format!("{site}-storage-nis"),
        domain: nis_domain?,
        node_binding,
        servers: server_list,
        automount_options,
        maps: out,
    })
}

/// What the automount maps are made of.
struct Maps<'a> {
    /// Each node's host name, with the node's name.
    hosts: Vec<(String, &'a str)>,
    shares: &'a [Share],
}

impl Maps<'_> {
    /// The exported share `s` names: its path and nodes.
    fn share(&self, cx: &mut Cx, s: &Sp<String>) -> Option<(String, Vec<String>)> {
        let Some(x) = self.shares.iter().find(|x| x.name == s.value) else {
            // Unknown, or defined but refused (reported already).
            cx.refer(Kind::Share, s);
            return None;
        };
        if !x.exports.is_empty() {
            let path = x.link.clone().unwrap_or_else(|| x.path.clone());
            return Some((path, x.nodes.clone()));
        }
        if !cx.facts.refused_exports.contains(&x.name) {
            cx.d.push(
                Diagnostic::error(
                    "wrong-reference",
                    s.span.clone(),
                    format!("share `{}` is not exported", s.value),
                )
                .label("automount entries need an NFS export")
                .help("add `exports = [...]` to the share"),
            );
        }
        None
    }

    /// `HOST,HOST:PATH` of the nodes `on`.
    fn location(&self, path: &str, on: &[String]) -> String {
        let hs: Vec<&str> = self
            .hosts
            .iter()
            .filter(|(_, n)| on.iter().any(|o| o == n))
            .map(|(h, _)| h.as_str())
            .collect();
        format!("{}:{path}", hs.join(","))
    }

    /// `auto.home`: a directory per user on the home share `h`.
    fn home(&self, cx: &mut Cx, h: &Sp<String>, users: Vec<Sp<String>>) -> Option<NisMap> {
        let (path, on) = self.share(cx, h)?;
        let mut entries: Vec<NisEntry> = Vec::new();
        let mut seen = BTreeMap::new();
        for u in users {
            if !first(cx, &mut seen, &u, "user") {
                continue;
            }
            if cx.check(&u, "bad-name", "user name", grammar::account) {
                entries.push(NisEntry {
                    location: self.location(&format!("{path}/{}", u.value), &on),
                    key: u.value,
                });
            }
        }
        Some(NisMap {
            name: "auto.home".into(),
            entries,
        })
    }

    /// `auto.staging`: an entry per listed share (none listed: no map).
    fn staging(&self, cx: &mut Cx, staging: Vec<Sp<String>>) -> Option<NisMap> {
        let mut entries = Vec::new();
        let mut seen = BTreeMap::new();
        for s in staging {
            if !first(cx, &mut seen, &s, "share") {
                continue;
            }
            if let Some((path, on)) = self.share(cx, &s) {
                entries.push(NisEntry {
                    location: self.location(&path, &on),
                    key: s.value,
                });
            }
        }
        (!entries.is_empty()).then(|| NisMap {
            name: "auto.staging".into(),
            entries,
        })
    }
}

/// Whether `v` is listed for the first time; if not, it is reported.
fn first(
    cx: &mut Cx,
    seen: &mut BTreeMap<String, Range<usize>>,
    v: &Sp<String>,
    what: &str,
) -> bool {
    first_use(&mut cx.d, seen, v.value.clone(), &v.span, || {
        format!("{what} `{}` is listed twice", v.value)
    })
}

pub(crate) static SPEC: Section = section(
    "nis",
    "NIS: the nodes' binding, and the automount maps the site's NIS package adds (auto.home, auto.staging).",
    &[
        key("domain", Ty::Str(Some(re::DOMAIN)), "the NIS domain").req("\"pasta.net\""),
        key("node_binding", Ty::Str(Some(re::DOMAIN)), "the NIS server the nodes bind to").def("\"localhost\""),
        key("servers", Ty::StrList(None), "NIS servers (host names or addresses)"),
        key("automount_options", Ty::StrList(Some(re::OPTION)), "options of the map entries").def("[\"nfsvers=3\"]"),
        key("home_share", Ty::Str(Some(re::NAME)), "the share holding the home directories (auto.home)"),
        key("users", Ty::StrList(Some(re::ACCOUNT)), "the users of auto.home (needs `home_share`)"),
        key("staging", Ty::StrList(Some(re::NAME)), "the shares in auto.staging"),
    ],
);
