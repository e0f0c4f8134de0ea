//! The node package's spine: the storage target and the converge units,
//! the node-side command and the node's `layout.sh`, the Depends every
//! storage node has.

use crate::plan::common::{command_path, layout_path};
use crate::plan::contribution::{Contribution, NodeCx};
use crate::plan::PlanError;
use serde::Serialize;

/// `boot/storage.target`.
#[derive(Serialize)]
struct StorageTarget {
    site: String,
    package: String,
}

/// `boot/converge.service`.
#[derive(Serialize)]
struct ConvergeService {
    site: String,
    package: String,
    command: String,
    /// `<site>-storage.target` (DRBD and o2cb at boot).
    target: String,
}

/// `boot/converge-retry.service` and `boot/converge-retry.timer`.
#[derive(Serialize)]
struct ConvergeRetry {
    site: String,
    package: String,
    command: String,
    /// The command's name, `<site>-storage` (its /run flag and lock).
    prog: String,
    converge_unit: String,
    timer: String,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let pkg = cx.pkg;
    let units = cx.units;
    // Boot: a target of ours pulls in drbd.service and o2cb.service, which
    // their packages leave disabled (deb-systemd-helper enables only a
    // package's own units, on its first installation).
    let target = format!("{}-storage.target", site.name);
    let ctx = StorageTarget {
        site: site.name.clone(),
        package: pkg.into(),
    };
    c.render(cx, format!("{units}/{target}"), "boot/storage.target", &ctx)?;
    // The converge unit: the live half at every boot (enabled with the
    // target; never started by the postinst, which calls converge itself).
    let converge_unit = format!("{}-storage-converge.service", site.name);
    let ctx = ConvergeService {
        site: site.name.clone(),
        package: pkg.into(),
        command: cx.command.clone(),
        target: target.clone(),
    };
    c.render(
        cx,
        format!("{units}/{converge_unit}"),
        "boot/converge.service",
        &ctx,
    )?;
    // While a converge ends waiting (exit 3), a timer runs it again.
    let retry_service = format!("{}-storage-converge-retry.service", site.name);
    let retry_timer = format!("{}-storage-converge-retry.timer", site.name);
    let ctx = ConvergeRetry {
        site: site.name.clone(),
        package: pkg.into(),
        prog: cx
            .command
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        command: cx.command.clone(),
        converge_unit: converge_unit.clone(),
        timer: retry_timer.clone(),
    };
    for (unit, template) in [
        (&retry_service, "boot/converge-retry.service"),
        (&retry_timer, "boot/converge-retry.timer"),
    ] {
        c.render(cx, format!("{units}/{unit}"), template, &ctx)?;
    }
    c.units.extend([target, converge_unit, retry_timer.clone()]);
    c.stop_units.extend([retry_timer, retry_service]);
    // The flag that keeps the retry timer going while a converge waits.
    c.remove_files
        .push(format!("/run/{}-storage.waiting", site.name));

    // The node-side command (static) and this node's layout, which it reads.
    c.file(
        command_path(site),
        0o755,
        crate::layers::command::node_command(),
    );
    c.file(
        layout_path(site),
        0o644,
        crate::layout::layout(site, &cx.node.name),
    );
    c.depends.extend([
        format!("{} (= {})", site.ids.package, site.version),
        "drbd-utils".to_string(),
        "lvm2".into(),
        "nfs-kernel-server".into(),
    ]);
    c.recommends.push("bsd-mailx | mailutils".into());
    Ok(())
}
