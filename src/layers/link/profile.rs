//! The replication link: a node's `replication = {...}` (called from the
//! node's lowering) and the choice of network for DRBD, o2cb and unison.

use crate::model::{Link, Network, Node};
use crate::profile::cx::{AddressUse, Cx};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, section, Section, Ty};

/// The replication link of node `node`, its address registered; `None`
/// when refused (reported).
pub(crate) fn replication(cx: &mut Cx, mut l: Table, node: &str) -> Option<Link> {
    let iface = l.req_str(&mut cx.d, "interface");
    let addr = l.req_str(&mut cx.d, "address");
    let mtu = l.int_in(&mut cx.d, "mtu");
    l.finish(&mut cx.d);
    // A refused interface does not hide a problem of the address.
    let interface = iface.and_then(|i| {
        if !cx.check(&i, "bad-name", "interface", grammar::interface) {
            return None;
        }
        if i.value == "lo" {
            cx.d.push(
                Diagnostic::error("replication-link", i.span, "a replication link on `lo`")
                    .label("the loopback interface never reaches the peer")
                    .help("name the interface of the back-to-back link, such as `eth1`"),
            );
            return None;
        }
        Some(i.value)
    });
    let addr = addr?;
    match grammar::ip_with_prefix(&addr.value) {
        Ok(_)
            if !cx.check(
                &addr,
                "special-address",
                "replication address",
                grammar::node_address,
            ) =>
        {
            None
        }
        Ok((address, prefix)) => {
            if let Ok(net) = ipnet::IpNet::new(address, prefix) {
                cx.facts
                    .links
                    .push((node.to_string(), net, addr.span.clone()));
            }
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
        Some(v) if cx.one_of(&v, "network", NETWORKS) => {
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

/// Both ends of each replication link in one network: each pair's second
/// node's link address inside its first node's subnet, with the same
/// prefix (`pairs`: the nodes that replicate with each other; none yet:
/// every node against the first, the link of a site of one pair).
pub(crate) fn check_subnet(cx: &mut Cx, pairs: &[[String; 2]]) {
    let links = cx.facts.links.clone();
    let link = |n: &str| links.iter().find(|(m, _, _)| m == n);
    let mut checks = Vec::new();
    if pairs.is_empty() {
        if let Some(first) = links.first() {
            for other in &links[1..] {
                checks.push((first, other));
            }
        }
    }
    for [a, b] in pairs {
        if let (Some(a), Some(b)) = (link(a), link(b)) {
            checks.push((a, b));
        }
    }
    for ((first_node, first, first_span), (_, net, span)) in checks {
        if net.trunc() != first.trunc() || net.prefix_len() != first.prefix_len() {
            cx.d.push(
                Diagnostic::error(
                    "replication-link",
                    span.clone(),
                    format!("replication address {net} is not on the subnet {} of its peer `{first_node}`", first.trunc()),
                )
                .label("the peer is not on this node's link network")
                .related(first_span.clone(), "the peer's link")
                .help("give both ends of the back-to-back link addresses of one subnet, such as `10.11.12.6/24` and `10.11.12.7/24`"),
            );
        }
    }
}

/// `replication = { interface, address, mtu }` of `[nodes.NAME]`.
pub(crate) static SPEC: Section = section(
    "nodes.NAME.replication",
    "The back-to-back replication link: not `lo`, both ends on one subnet (`replication-link`).",
    &[
        key(
            "interface",
            Ty::Str(Some(re::INTERFACE)),
            "the link's interface",
        )
        .req("\"eth1\""),
        key(
            "address",
            Ty::Str(Some(re::IP_PREFIX)),
            "the node's end, `ADDRESS/PREFIX`",
        )
        .req("\"10.11.12.6/24\""),
        key(
            "mtu",
            Ty::Int(Some(576), Some(9216)),
            "the link's MTU [the interface's]",
        ),
    ],
);

/// The `network` keys of `[drbd]`, `[ocfs2]` and `[unison]`.
pub(crate) const NETWORKS: &[&str] = &["admin", "replication"];
