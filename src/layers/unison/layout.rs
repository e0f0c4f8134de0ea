//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::Layout;

/// unison: this node's role. A node is the client of one sync and the
/// server of one at most: `UNISON_ROLE` is its client role when it has one
/// (else its server role), `UNISON_SERVES` the client it also serves.
pub(crate) fn layout(o: &mut Layout) {
    o.comment("unison: this node's role (client, server or none), profile, peer.");
    let client = o.site.unison.iter().find(|u| u.client == o.node);
    let server = o.site.unison.iter().find(|u| u.server == o.node);
    let (role, u_peer, u) = match (client, server) {
        (Some(u), _) => ("client", u.server.as_str(), Some(u)),
        (None, Some(u)) => ("server", u.client.as_str(), Some(u)),
        (None, None) => ("", "", None),
    };
    o.var("UNISON_ROLE", role);
    o.var("UNISON_PEER", u_peer);
    o.var(
        "UNISON_PROFILE",
        u.map(|u| u.profile.as_str()).unwrap_or(""),
    );
    o.var(
        "UNISON_MOUNTPOINT",
        u.map(|u| u.mountpoint.as_str()).unwrap_or(""),
    );
    o.var(
        "UNISON_SERVICE",
        if role == "client" {
            format!("{}-storage-unison.service", o.site.name)
        } else {
            String::new()
        },
    );
    // Only a node of two syncs (a client that serves another pair's).
    if let (Some(_), Some(s)) = (client, server) {
        o.var("UNISON_SERVES", &s.client);
    }
}
