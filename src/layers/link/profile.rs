//! The replication link: a node's `replication = {...}` (called from the
//! node's lowering) and the choice of network for DRBD, o2cb and unison.

use crate::model::{Link, Network, Node};
use crate::profile::cx::{AddressUse, Cx};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::read::{Sp, Table};

/// The replication link of node `node`, its address registered; `None`
/// when refused (reported).
pub(crate) fn replication(cx: &mut Cx, mut l: Table, node: &str) -> Option<Link> {
    let iface = l.req_str(&mut cx.d, "interface", "\"eth1\"");
    let addr = l.req_str(&mut cx.d, "address", "\"10.11.12.6/24\"");
    let mtu = l.int_in(&mut cx.d, "mtu", 576, 9216);
    l.finish(&mut cx.d);
    // A refused interface does not hide a problem of the address.
    let interface = cx.checked(iface, "bad-name", "interface", grammar::interface);
    let addr = addr?;
    match grammar::ip_with_prefix(&addr.value) {
        Ok((address, prefix)) => {
            cx.facts.addresses.push(AddressUse {
                addr: address,
                span: addr.span.clone(),
                what: format!("replication address of node `{node}`"),
            });
            Some(Link {
                interface: interface?,
                address,
                prefix,
                mtu: mtu.map(|m| m.value as u32),
            })
        }
        Err(r) => {
            cx.d.push(
                Diagnostic::error(
                    "bad-address",
                    addr.span.clone(),
                    format!(
                        "invalid replication address `{}`",
                        crate::profile::cx::printable(&addr.value)
                    ),
                )
                .label(format!("expected {}", r.expected)),
            );
            None
        }
    }
}

/// The network `v` names (`admin` or `replication`); none given: the
/// replication network when every node has a link. A node whose link was
/// refused counts as having one (it was reported already).
pub(crate) fn network(cx: &mut Cx, v: Option<Sp<String>>, nodes: &[Node]) -> Network {
    let without_link = |cx: &Cx| {
        nodes
            .iter()
            .zip(&cx.facts.nodes)
            .find(|(n, f)| n.replication.is_none() && !f.link_refused)
            .map(|(n, _)| n.name.clone())
    };
    match v {
        Some(v) if cx.one_of(&v, "network", &["admin", "replication"]) => {
            if v.value == "admin" {
                return Network::Admin;
            }
            if let Some(n) = without_link(cx) {
                cx.d.push(
                    Diagnostic::error("wrong-reference", v.span.clone(), format!("node `{n}` has no replication link"))
                        .label("the replication network needs `replication = {...}` on every node")
                        .help("add `replication = { interface = \"eth1\", address = \"10.11.12.6/24\" }` to the node, or use `network = \"admin\"`"),
                );
            }
            Network::Replication
        }
        Some(_) => Network::Admin,
        None if !nodes.is_empty() && without_link(cx).is_none() => Network::Replication,
        None => Network::Admin,
    }
}
