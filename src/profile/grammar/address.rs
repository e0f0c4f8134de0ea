//! Addresses a node can really have: what `ip address add` takes but a node
//! cannot be reached at (loopback, unspecified, multicast, broadcast, the
//! network or broadcast address of its own subnet).

use super::{all, lower_alnum, refuse, Check, Refusal};
use std::net::IpAddr;

fn refused(what: &str) -> Check {
    Err(Refusal {
        expected: format!("a unicast address of the node, not {what}"),
        help: Some("give the address the node has on its network, such as `192.168.1.6`".into()),
    })
}

/// A node's address (`address`, or a `replication` address without its
/// prefix); the text already parsed as an address or `ADDRESS/PREFIX`.
pub fn node_address(s: &str) -> Check {
    let Some(a) = s.split('/').next().and_then(|a| a.parse::<IpAddr>().ok()) else {
        return Ok(());
    };
    let broadcast = matches!(a, IpAddr::V4(v4) if v4.is_broadcast());
    match a {
        _ if a.is_unspecified() => refused("the unspecified address"),
        _ if a.is_loopback() => refused("a loopback address"),
        _ if a.is_multicast() => refused("a multicast address"),
        _ if broadcast => refused("the broadcast address"),
        _ => subnet_ends(s),
    }
}

/// `ADDRESS/PREFIX`: not the network or broadcast address of the subnet
/// (IPv4 below /31, RFC 3021).
fn subnet_ends(s: &str) -> Check {
    let Ok(net) = s.parse::<ipnet::IpNet>() else {
        return Ok(());
    };
    if net.prefix_len() >= net.max_prefix_len() - 1 || !net.addr().is_ipv4() {
        return Ok(());
    }
    if net.addr() == net.network() {
        return refused("the network address of its subnet");
    }
    if net.addr() == net.broadcast() {
        return refused("the broadcast address of its subnet");
    }
    Ok(())
}

/// A network interface name (at most 15 characters, no '/').
pub fn interface(s: &str) -> Check {
    if s.is_empty()
        || s.len() > 15
        || !s.starts_with(|c: char| c.is_ascii_lowercase())
        || !all(s, |c| lower_alnum(c) || matches!(c, '.' | '_' | '-'))
    {
        return refuse("an interface name such as `eth1` or `enp2s0`", None);
    }
    Ok(())
}
