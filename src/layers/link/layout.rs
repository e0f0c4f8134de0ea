//! This layer's part of `layout.sh` ([`crate::layout`]): the replication
//! link, which status checks (the address on the interface, the peer
//! reachable over it).

use crate::layout::Layout;

pub(crate) fn layout(o: &mut Layout) {
    o.comment(
        "The back-to-back replication link: interface, address/prefix, the peer's address on it.",
    );
    let me = o.site.node(o.node).and_then(|n| n.replication.as_ref());
    // Every peer's end, space-separated (a node of several pairs).
    let peers: Vec<String> = o
        .site
        .peers_of(o.node)
        .into_iter()
        .filter_map(|p| p.replication.as_ref())
        .map(|l| l.address.to_string())
        .collect();
    let peer = (!peers.is_empty()).then(|| peers.join(" "));
    match (me, peer) {
        (Some(l), Some(p)) => {
            o.var("REPL_IFACE", &l.interface);
            o.var("REPL_ADDRESS", format!("{}/{}", l.address, l.prefix));
            o.var("REPL_PEER", p);
        }
        _ => {
            o.var("REPL_IFACE", "");
            o.var("REPL_ADDRESS", "");
            o.var("REPL_PEER", "");
        }
    }
}
