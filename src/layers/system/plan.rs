//! The node's system settings: the sysctl.d file, the caching resolver
//! (unbound on 127.0.0.1, resolv.conf taken over), the hosts block and the
//! postfix relay host.

use crate::plan::common::{block, block_source, relayhost};
use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use serde::Serialize;

/// `system/sysctl.conf`.
#[derive(Serialize)]
struct SysctlConf {
    site: String,
    package: String,
    sysctl: Vec<crate::model::Sysctl>,
}

/// `system/unbound.conf`.
#[derive(Serialize)]
struct UnboundConf {
    package: String,
    forwarders: Vec<String>,
}

/// `system/resolv.conf`.
#[derive(Serialize)]
struct ResolvConf {
    package: String,
}

/// `system/hosts`.
#[derive(Serialize)]
struct Hosts {
    hosts: Vec<HostLine>,
}

#[derive(Serialize)]
struct HostLine {
    address: String,
    names: Vec<String>,
}

/// `system/postinst-*`, `system/postrm-purge`.
#[derive(Serialize)]
struct Scripts {
    sysctl_file: String,
    unbound_conf: Option<String>,
    /// postfix `relayhost` value (`[192.168.1.1]`).
    mail_relay: Option<String>,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let pkg = cx.pkg;
    let sysctl_file = format!("/etc/sysctl.d/60-{}-storage.conf", site.name);
    let ctx = SysctlConf {
        site: site.name.clone(),
        package: pkg.into(),
        sysctl: site.sysctl.clone(),
    };
    c.render(cx, sysctl_file.clone(), "system/sysctl.conf", &ctx)?;
    let unbound_conf = resolver(cx, c)?;
    hosts(cx, c)?;
    let scripts = Scripts {
        sysctl_file,
        unbound_conf,
        mail_relay: site.mail_relay.map(relayhost),
    };
    if scripts.mail_relay.is_some() {
        c.script(cx, Phase::Vars, "system/postinst-vars", &scripts)?;
        c.script(cx, Phase::Configure, "system/postinst-configure", &scripts)?;
        c.script(cx, Phase::Purge, "system/postrm-purge", &scripts)?;
    }
    c.script(cx, Phase::Live, "system/postinst-live", &scripts)?;
    if site.resolver.caching {
        c.depends.push("unbound".into());
    }
    if site.mail_relay.is_some() {
        c.depends.push("postfix".into());
    }
    Ok(())
}

/// unbound on 127.0.0.1 and resolv.conf pointing at it: the unbound file.
fn resolver(cx: &NodeCx, c: &mut Contribution) -> Result<Option<String>, PlanError> {
    let site = cx.site;
    if !site.resolver.caching {
        return Ok(None);
    }
    let path = format!("/etc/unbound/unbound.conf.d/{}-storage.conf", site.name);
    let ctx = UnboundConf {
        package: cx.pkg.into(),
        forwarders: site
            .resolver
            .forwarders
            .iter()
            .map(|f| f.to_string())
            .collect(),
    };
    c.render(cx, path.clone(), "system/unbound.conf", &ctx)?;
    let ctx = ResolvConf {
        package: cx.pkg.into(),
    };
    let body = cx.r.render("system/resolv.conf", &ctx)?;
    c.displace("/etc/resolv.conf", cx.pkg, body);
    Ok(Some(path))
}

/// /etc/hosts: localhost, the nodes without domain (a block at the top).
fn hosts(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    if site.hosts.is_empty() {
        return Ok(());
    }
    let ctx = Hosts {
        hosts: site
            .hosts
            .iter()
            .map(|h| HostLine {
                address: h.address.to_string(),
                names: h.names.clone(),
            })
            .collect(),
    };
    let src = block_source(cx.pkg, "hosts");
    c.render(cx, src.clone(), "system/hosts", &ctx)?;
    let mut b = block("/etc/hosts", src, "top");
    b.disable = true;
    c.block(b);
    Ok(())
}
