//! The node's system settings: `[sysctl]` (over [`DEFAULT_SYSCTL`]),
//! `[resolver]` and `[hosts]`.

use crate::model::{HostEntry, Node, Resolver, Sysctl};
use crate::profile::cx::{printable, Cx};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::read::{range, Sp, Table};
use std::collections::BTreeMap;

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
            if cx.check(&key, "bad-name", "sysctl key", grammar::sysctl_key) {
                map.insert(key.value, value.value);
            }
        }
    }
    map.into_iter()
        .map(|(key, value)| Sysctl { key, value })
        .collect()
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
        for f in fw.unwrap_or_default() {
            if let Some(a) = cx.ip(&f, "forwarder") {
                r.forwarders.push(a);
            }
        }
    }
    r
}

pub(crate) fn hosts(cx: &mut Cx, t: Option<Table>, nodes: &[Node]) -> Vec<HostEntry> {
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
                    if cx.check(&s, "bad-name", "host name", grammar::host) {
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
