//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::Layout;

/// unison: this node's role.
pub(crate) fn layout(o: &mut Layout) {
    o.comment("unison: this node's role (client, server or none), profile, peer.");
    let (role, u_peer) = match &o.site.unison {
        Some(u) if u.client == o.node => ("client", u.server.as_str()),
        Some(u) if u.server == o.node => ("server", u.client.as_str()),
        _ => ("", ""),
    };
    o.var("UNISON_ROLE", role);
    o.var("UNISON_PEER", u_peer);
    let u = o.site.unison.as_ref().filter(|_| !role.is_empty());
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
}
