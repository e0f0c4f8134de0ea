//! DRBD: one `/etc/drbd.d/RES.res` per resource of the node.

use crate::plan::common::drbd_address;
use crate::plan::contribution::{Contribution, NodeCx};
use crate::plan::PlanError;
use serde::Serialize;

/// `drbd/drbd.res`.
#[derive(Serialize)]
struct DrbdRes {
    site: String,
    /// The node-side command (DRBD's handlers call it).
    command: String,
    name: String,
    minor: u32,
    wfc_timeout: u32,
    degr_wfc_timeout: u32,
    fencing: String,
    protocol: String,
    allow_two_primaries: bool,
    after_sb_0pri: String,
    after_sb_1pri: String,
    after_sb_2pri: String,
    /// `net { verify-alg }`.
    verify_alg: String,
    ping_int: u32,
    ping_timeout: u32,
    /// `disk {}` resync options that the profile sets.
    resync: Vec<DiskOption>,
    handlers: Vec<crate::model::Handler>,
    nodes: Vec<DrbdOn>,
}

/// `drbd/verify.{service,timer}` and `drbd/metrics.{service,timer}`.
#[derive(Serialize)]
struct DrbdUnits {
    site: String,
    package: String,
    node: String,
    command: String,
    /// The verify timer's `OnCalendar=`.
    schedule: String,
    /// The one resource a verify unit of its own verifies ("": the node's
    /// resources on the site's schedule).
    resource: String,
}

#[derive(Serialize)]
struct DiskOption {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct DrbdOn {
    name: String,
    disk: String,
    /// `ADDR:PORT` (or `ipv6 [ADDR]:PORT`).
    address: String,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let drbd = &site.drbd;
    units(cx, c)?;
    for res in drbd
        .resources
        .iter()
        .filter(|r| r.nodes.contains(&cx.node.name))
    {
        let vol = site.volume(&res.volume).ok_or_else(|| {
            PlanError::Model(format!(
                "DRBD resource {} has no volume {}",
                res.name, res.volume
            ))
        })?;
        let nodes = site
            .nodes
            .iter()
            .filter(|n| res.nodes.contains(&n.name))
            .map(|n| DrbdOn {
                name: n.name.clone(),
                disk: vol.device(&n.volume_group),
                address: drbd_address(n.address_on(drbd.network), res.port),
            })
            .collect();
        let ctx = DrbdRes {
            site: site.name.clone(),
            command: cx.command.clone(),
            name: res.name.clone(),
            minor: res.minor,
            wfc_timeout: drbd.wfc_timeout,
            degr_wfc_timeout: drbd.degr_wfc_timeout,
            fencing: res.fencing.clone(),
            protocol: res.protocol.clone(),
            allow_two_primaries: res.allow_two_primaries,
            after_sb_0pri: res.after_sb_0pri.clone(),
            after_sb_1pri: res.after_sb_1pri.clone(),
            after_sb_2pri: res.after_sb_2pri.clone(),
            verify_alg: res.verify_alg.clone(),
            ping_int: drbd.ping_int,
            ping_timeout: drbd.ping_timeout,
            resync: res
                .resync
                .options()
                .into_iter()
                .map(|(name, value)| DiskOption {
                    name: name.to_string(),
                    value,
                })
                .collect(),
            handlers: res.handlers.clone(),
            nodes,
        };
        c.render(
            cx,
            format!("/etc/drbd.d/{}.res", res.name),
            "drbd/drbd.res",
            &ctx,
        )?;
    }
    Ok(())
}

/// The metrics timer on every node with a resource; on a resource's
/// initialiser, the verify timer of the resources it initialises on the
/// site's schedule (`verify`), and one of each resource of a schedule of
/// its own (`verify-RES`, running `verify RES`); none for an empty schedule.
fn units(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let drbd = &site.drbd;
    let mine = drbd
        .resources
        .iter()
        .any(|r| r.nodes.contains(&cx.node.name));
    if !mine {
        return Ok(());
    }
    let ctx = |schedule: &str, resource: &str| DrbdUnits {
        site: site.name.clone(),
        package: cx.pkg.into(),
        node: cx.node.name.clone(),
        command: cx.command.clone(),
        schedule: schedule.to_string(),
        resource: resource.to_string(),
    };
    // The metrics timer writes for prometheus-node-exporter's textfile
    // collector when it is there; nothing depends on it.
    c.suggests.push("prometheus-node-exporter".into());
    let mut kinds = vec![("metrics".to_string(), "metrics", ctx("", ""))];
    let verified = drbd
        .resources
        .iter()
        .filter(|r| r.initialiser == cx.node.name && !r.verify_schedule.is_empty());
    let (site_wide, own): (Vec<_>, Vec<_>) =
        verified.partition(|r| r.verify_schedule == drbd.verify_schedule);
    if !site_wide.is_empty() {
        kinds.push(("verify".into(), "verify", ctx(&drbd.verify_schedule, "")));
    }
    for r in own {
        let unit = format!("verify-{}", r.name);
        kinds.push((unit, "verify", ctx(&r.verify_schedule, &r.name)));
    }
    for (unit, template, ctx) in kinds {
        let service = format!("{}-storage-{unit}.service", site.name);
        let timer = format!("{}-storage-{unit}.timer", site.name);
        c.render(
            cx,
            format!("{}/{service}", cx.units),
            &format!("drbd/{template}.service"),
            &ctx,
        )?;
        c.render(
            cx,
            format!("{}/{timer}", cx.units),
            &format!("drbd/{template}.timer"),
            &ctx,
        )?;
        c.stop_units.push(timer.clone());
        c.stop_units.push(service);
        c.units.push(timer);
    }
    Ok(())
}
