//! `<site>-storage-client`: what the how-to's NFS clients have: the
//! staging automount point and its links, autofs master entries for the
//! NIS maps, and the NIS binding.

use crate::model::{Nis, Site};
use crate::package::{ControlMember, Entry, PackageSpec};
use crate::plan::common::*;
use crate::plan::contribution::{script, Contribution};
use crate::plan::PlanError;
use crate::render::context::*;
use crate::render::Renderer;

pub fn plan(site: &Site, r: &Renderer) -> Result<PackageSpec, PlanError> {
    let pkg = site.client.package.as_str();
    let mut spec = client_spec(site);
    let autofs_file = add_mounts(&mut spec, site, r)?;
    let mut taken = Contribution::default();
    let mut yp_conf = None;
    let mut depends = vec!["autofs".to_string(), "nfs-common".into()];
    if let Some(nis) = &site.nis {
        taken.displace("/etc/yp.conf", pkg, yp_conf_body(nis, pkg, r)?);
        yp_conf = Some(displaced_copy("/etc/yp.conf", pkg));
        depends.push("ypbind-mt".into());
        spec.conflicts = site.nodes.iter().map(|n| n.package.clone()).collect();
    }
    spec.depends = depends;
    crate::plan::contribution::add_files(&mut spec, &taken);
    let (diversions, displaced) = (taken.diversions, taken.displaced);
    if let Some((path, body)) = site_overrides(site, &spec, &[]) {
        add_file(&mut spec, path, 0o644, body);
    }
    let common = CommonScripts {
        lib: lib(pkg),
        diversions,
        displaced: displaced.clone(),
        blocks: vec![],
        timers: vec![],
        stop_units: vec![],
        purge_files: vec![],
        remove_files: vec![],
        purge_globs: vec![],
        nis_rebuild: false,
        nis_maps: vec![],
    };
    let post = ClientPostinst {
        lib: lib(pkg),
        displaced,
        yp_conf,
        autofs_file,
    };
    add_scripts(&mut spec, r, &common, &post)?;
    Ok(spec)
}

/// The package's control fields: summary and description naming the NIS
/// maps and the automount point.
fn client_spec(site: &Site) -> PackageSpec {
    let c = &site.client;
    spec(
        site,
        &c.package,
        format!(
            "{} storage: NFS client side (autofs from NIS, /staging links)",
            site.name
        ),
        format!(
            "Configures an NFS client of the {} storage cluster: autofs mounts the \
             shares from the NIS maps ({}), and the public links (such as /pub) point \
             into the automount point {}.",
            site.name,
            c.automounts
                .iter()
                .map(|a| a.map.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            c.staging
        ),
    )
}

/// The autofs master file, the staging automount point and the public
/// links into it; returns the master file's path.
fn add_mounts(spec: &mut PackageSpec, site: &Site, r: &Renderer) -> Result<String, PlanError> {
    let c = &site.client;
    let autofs_file = format!("/etc/auto.master.d/{}.autofs", site.name);
    let ctx = AutoMaster {
        site: site.name.clone(),
        package: c.package.clone(),
        automounts: c.automounts.clone(),
    };
    add_file(
        spec,
        autofs_file.clone(),
        0o644,
        r.render("client/auto.master", &ctx)?,
    );
    spec.files.insert(c.staging.clone(), Entry::dir());
    for l in &c.links {
        spec.files.insert(
            l.path.clone(),
            Entry::symlink(policy_target(&l.path, &l.target)),
        );
    }
    Ok(autofs_file)
}

/// The client's yp.conf: the NIS servers of the site, else broadcast.
fn yp_conf_body(nis: &Nis, pkg: &str, r: &Renderer) -> Result<String, PlanError> {
    let lines = if nis.servers.is_empty() {
        vec![format!("domain {} broadcast", nis.domain)]
    } else {
        nis.servers
            .iter()
            .map(|s| format!("domain {} server {s}", nis.domain))
            .collect()
    };
    Ok(r.render(
        "nis/yp.conf",
        &crate::layers::nis::plan::YpConf {
            package: pkg.into(),
            lines,
        },
    )?)
}

/// The maintainer scripts: the common preinst (only when something is
/// diverted), the client's postinst, the common postrm.
fn add_scripts(
    spec: &mut PackageSpec,
    r: &Renderer,
    common: &CommonScripts,
    post: &ClientPostinst,
) -> Result<(), PlanError> {
    if !common.diversions.is_empty() {
        add_script(
            spec,
            ControlMember::Preinst,
            script(r, "scripts/common.preinst", common, &Default::default())?,
        );
    }
    add_script(
        spec,
        ControlMember::Postinst,
        script(r, "client/postinst", post, &Default::default())?,
    );
    add_script(
        spec,
        ControlMember::Postrm,
        script(r, "scripts/common.postrm", common, &Default::default())?,
    );
    Ok(())
}
