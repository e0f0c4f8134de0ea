//! The back-to-back replication link: an ifupdown stanza of its own.

use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use serde::Serialize;

/// `link/interfaces`.
#[derive(Serialize)]
struct Interfaces {
    package: String,
    node: String,
    interface: String,
    /// `ADDR/PREFIX`.
    address: String,
    mtu: Option<u32>,
}

/// `link/postinst-*`.
#[derive(Serialize)]
struct Scripts {
    interface: String,
    interfaces_file: String,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let Some(link) = &cx.node.replication else {
        return Ok(());
    };
    let path = format!("/etc/network/interfaces.d/{}-replication", cx.site.name);
    let ctx = Interfaces {
        package: cx.pkg.into(),
        node: cx.node.name.clone(),
        interface: link.interface.clone(),
        address: format!("{}/{}", link.address, link.prefix),
        mtu: link.mtu,
    };
    c.render(cx, path.clone(), "link/interfaces", &ctx)?;
    let scripts = Scripts {
        interface: link.interface.clone(),
        interfaces_file: path,
    };
    for (phase, name) in [
        (Phase::Vars, "link/postinst-vars"),
        (Phase::Configure, "link/postinst-configure"),
        (Phase::Live, "link/postinst-live"),
    ] {
        c.script(cx, phase, name, &scripts)?;
    }
    c.depends.push("ifupdown".into());
    Ok(())
}
