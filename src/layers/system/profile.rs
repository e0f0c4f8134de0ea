//! The node's system settings: `[sysctl]` (over [`DEFAULT_SYSCTL`]),
//! `[resolver]` and `[hosts]`.

use crate::model::{HostEntry, Node, Resolver, Sysctl};
use crate::profile::cx::{printable, Cx};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{range, Sp, Table};
use crate::profile::spec::{key, map, section, Section, Ty};
use std::collections::BTreeMap;
use std::net::IpAddr;

pub const DEFAULT_SYSCTL: &[(&str, i64)] = &[
    ("vm.min_free_kbytes", 65536),
    ("kernel.panic", 10),
    ("kernel.panic_on_oops", 1),
];

pub(crate) fn sysctl(cx: &mut Cx, t: Option<Table>) -> Vec<Sysctl> {
    let mut map: BTreeMap<String, i64> = DEFAULT_SYSCTL
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    if let Some(t) = t {
        let entries = t.into_integers(&mut cx.d, |k| {
            format!("sysctl `{}` must be an integer", printable(k))
        });
        for (key, value) in entries {
            let Some(value) = value else { continue };
            if cx.check(&key, "bad-name", "sysctl key", grammar::sysctl_key)
                && sysctl_in_range(cx, &key.value, &value)
            {
                map.insert(key.value, value.value);
            }
        }
    }
    map.into_iter()
        .map(|(key, value)| Sysctl { key, value })
        .collect()
}

/// The kernel's range of the keys storpkg knows (Debian 12 and 13 run
/// 6.x kernels: `vm.swappiness` up to 200); other keys: the shape only.
const SYSCTL_RANGES: &[(&str, i64, i64)] = &[
    ("vm.swappiness", 0, 200),
    ("vm.min_free_kbytes", 0, i32::MAX as i64),
    ("vm.dirty_ratio", 0, 100),
    ("vm.dirty_background_ratio", 0, 100),
    ("vm.overcommit_memory", 0, 2),
    ("vm.overcommit_ratio", 0, i32::MAX as i64),
    ("vm.vfs_cache_pressure", 0, i32::MAX as i64),
    ("kernel.panic", i32::MIN as i64, i32::MAX as i64),
    ("kernel.panic_on_oops", 0, 1),
    ("net.ipv4.ip_forward", 0, 1),
];

fn sysctl_in_range(cx: &mut Cx, key: &str, v: &Sp<i64>) -> bool {
    let Some((_, lo, hi)) = SYSCTL_RANGES.iter().find(|(k, _, _)| *k == key) else {
        return true;
    };
    if (*lo..=*hi).contains(&v.value) {
        return true;
    }
    cx.d.push(
        Diagnostic::error(
            "sysctl-range",
            v.span.clone(),
            format!("`{key} = {}` is outside the kernel's range", v.value),
        )
        .label(format!("expected {lo} to {hi}"))
        .help(format!(
            "the kernel refuses `{key}` outside {lo}..={hi} and `sysctl --system` fails"
        )),
    );
    false
}

pub(crate) fn resolver(cx: &mut Cx, t: Option<Table>) -> Resolver {
    let mut r = Resolver {
        caching: true,
        forwarders: Vec::new(),
    };
    if let Some(mut t) = t {
        let caching = t.bool(&mut cx.d, "caching");
        let fw = t.str_list(&mut cx.d, "forwarders");
        t.finish(&mut cx.d);
        r.caching = caching.map_or(true, |c| c.value);
        if let (false, Some(first)) = (r.caching, fw.as_ref().and_then(|f| f.first())) {
            cx.d.push(
                Diagnostic::warning(
                    "unused-key",
                    first.span.clone(),
                    "`resolver.forwarders` has no effect with `caching = false`",
                )
                .label("ignored: only the node's caching resolver forwards")
                .help("remove `caching = false`, or remove the forwarders"),
            );
        }
        for f in fw.unwrap_or_default() {
            if let Some(a) = cx.ip(&f, "forwarder") {
                if own_resolver(cx, &f, a) {
                    r.forwarders.push(a);
                }
            }
        }
    }
    r
}

/// A forwarder is another machine: not loopback (the node's own unbound
/// listens there, and would ask itself), nor an address of a node (whose
/// resolver answers on loopback only). True when `a` may be used.
fn own_resolver(cx: &mut Cx, f: &Sp<String>, a: IpAddr) -> bool {
    let node = cx.facts.addresses.iter().find(|u| u.addr == a);
    let (what, label) = match node {
        _ if a.is_loopback() || a.is_unspecified() => (
            "the node's own resolver".to_string(),
            "the node's resolver would forward its queries to itself",
        ),
        Some(u) => (
            format!("the {}", u.what),
            "a node's resolver answers on its loopback address only",
        ),
        None => return true,
    };
    let mut diag = Diagnostic::error(
        "resolver-loop",
        f.span.clone(),
        format!("forwarder {a} is {what}"),
    )
    .label(label)
    .help("forwarders are the site's DNS servers, such as `192.168.1.1`; leave them out to resolve from the root servers");
    if let Some(u) = node {
        diag = diag.related(u.span.clone(), "that address");
    }
    cx.d.push(diag);
    false
}

/// Names that the hosts block binds itself (`system/hosts`: localhost and
/// the IPv6 names): never to be given another address.
const LOCAL_NAMES: &[&str] = &[
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "ip6-allnodes",
    "ip6-allrouters",
];

/// A hosts name that would rebind `localhost` or a node's name (with or
/// without the domain) to another address; true when `name` may be used.
fn rebinds(cx: &mut Cx, name: &Sp<String>, addr: IpAddr, nodes: &[Node], domain: &str) -> bool {
    let lower = name.value.to_ascii_lowercase();
    let local = LOCAL_NAMES.contains(&lower.as_str()) || lower.starts_with("localhost.");
    let node = nodes.iter().find(|n| {
        (lower == n.name || lower == format!("{}.{domain}", n.name)) && n.address != addr
    });
    let (message, help) = match (local, node) {
        (true, _) => (
            format!("`{}` is bound by the node's hosts block itself", name.value),
            "remove it: the hosts block already has `127.0.0.1 localhost`, `::1 localhost ip6-localhost ip6-loopback` and the ip6-allnodes and ip6-allrouters lines".to_string(),
        ),
        (false, Some(n)) => (
            format!("`{}` is node `{}`, whose address is {}", name.value, n.name, n.address),
            format!("the hosts block already binds `{}` to {}: remove the name from this entry", n.name, n.address),
        ),
        (false, None) => return true,
    };
    cx.d.push(
        Diagnostic::error("hosts-rebind", name.span.clone(), message)
            .label(format!("would bind it to {addr}"))
            .help(help),
    );
    false
}

pub(crate) fn hosts(cx: &mut Cx, t: Option<Table>, nodes: &[Node], domain: &str) -> Vec<HostEntry> {
    let mut out: Vec<HostEntry> = nodes
        .iter()
        .map(|n| HostEntry {
            address: n.address,
            names: vec![n.name.clone()],
        })
        .collect();
    if let Some(t) = t {
        let (_, entries) = t.into_entries();
        for (key, mut value) in entries {
            let Some(addr) = cx.ip(&key, "hosts address") else {
                continue;
            };
            let vspan = range(value.span);
            let names = match value.take() {
                toml_span::value::ValueInner::Array(items) => items,
                _ => {
                    cx.d.push(
                        Diagnostic::error("wrong-type", vspan, "hosts entries are lists of names")
                            .label("expected [\"name\", ...]"),
                    );
                    continue;
                }
            };
            let mut list = Vec::new();
            for mut n in names {
                let span = range(n.span);
                if let toml_span::value::ValueInner::String(s) = n.take() {
                    let s = Sp::new(s.into_owned(), span);
                    if cx.check(&s, "bad-name", "host name", grammar::host)
                        && rebinds(cx, &s, addr, nodes, domain)
                    {
                        list.push(s.value);
                    }
                } else {
                    cx.d.push(
                        Diagnostic::error("wrong-type", span, "a host name must be a string")
                            .label("expected a string"),
                    );
                }
            }
            out.push(HostEntry {
                address: addr,
                names: list,
            });
        }
    }
    out
}

pub(crate) static SYSCTL: Section = map(
    "sysctl",
    "Kernel settings, `\"key\" = integer`, merged over the defaults vm.min_free_kbytes=65536, kernel.panic=10, kernel.panic_on_oops=1; the keys storpkg knows are held to the kernel's range (`sysctl-range`).",
    Some(re::SYSCTL),
    Ty::Int(None, None),
);

pub(crate) static RESOLVER: Section = section(
    "resolver",
    "The nodes' resolver.",
    &[
        key("caching", Ty::Bool, "a caching nameserver (unbound) on 127.0.0.1").def("true"),
        key("forwarders", Ty::StrList(Some(re::IP)), "where it forwards, by IP: other machines (`resolver-loop`) [none: from the root servers]"),
    ],
);

pub(crate) static HOSTS: Section = map(
    "hosts",
    "`\"ADDRESS\" = [\"name\", ...]`, added to the nodes' own entries in /etc/hosts (`hosts-rebind`).",
    Some(re::IP),
    Ty::StrList(Some(re::DOMAIN)),
);
