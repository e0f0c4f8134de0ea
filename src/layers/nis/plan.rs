//! NIS on a node: the binding (`/etc/yp.conf` taken over) and ypbind.
//! The NIS server's own package is [`super::package`].

use crate::plan::common::displaced_copy;
use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use serde::Serialize;

/// `nis/yp.conf` (the client package's too).
#[derive(Serialize)]
pub(crate) struct YpConf {
    pub package: String,
    pub lines: Vec<String>,
}

/// `nis/postinst-live`.
#[derive(Serialize)]
struct Live {
    yp_conf: String,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let Some(nis) = &site.nis else {
        return Ok(());
    };
    let ctx = YpConf {
        package: cx.pkg.into(),
        lines: vec![format!("domain {} server {}", nis.domain, nis.node_binding)],
    };
    let body = cx.r.render("nis/yp.conf", &ctx)?;
    c.displace("/etc/yp.conf", cx.pkg, body);
    let live = Live {
        yp_conf: displaced_copy("/etc/yp.conf", cx.pkg),
    };
    c.script(cx, Phase::Live, "nis/postinst-live", &live)?;
    c.depends.push("ypbind-mt".into());
    // Both divert /etc/yp.conf.
    c.conflicts.push(site.client.package.clone());
    Ok(())
}
