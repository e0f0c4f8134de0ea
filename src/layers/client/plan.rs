//! `<site>-storage-client`: what the how-to's NFS clients have: the
//! staging automount point and its links, autofs master entries for the
//! NIS maps, and the NIS binding.

use crate::model::Site;
use crate::package::{ControlMember, Entry, PackageSpec};
use crate::plan::common::*;
use crate::plan::contribution::{script, Contribution};
use crate::plan::PlanError;
use crate::render::context::*;
use crate::render::Renderer;

pub fn plan(site: &Site, r: &Renderer) -> Result<PackageSpec, PlanError> {
    let c = &site.client;
    let pkg = c.package.as_str();
    let mut spec = spec(
        site,
        pkg,
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
    );
    let autofs_file = format!("/etc/auto.master.d/{}.autofs", site.name);
    let ctx = AutoMaster {
        site: site.name.clone(),
        package: pkg.into(),
        automounts: c.automounts.clone(),
    };
    add_file(
        &mut spec,
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
    let mut taken = Contribution::default();
    let mut yp_conf = None;
    let mut depends = vec!["autofs".to_string(), "nfs-common".into()];
    if let Some(nis) = &site.nis {
        let lines = if nis.servers.is_empty() {
            vec![format!("domain {} broadcast", nis.domain)]
        } else {
            nis.servers
                .iter()
                .map(|s| format!("domain {} server {s}", nis.domain))
                .collect()
        };
        let body = r.render(
            "nis/yp.conf",
            &crate::layers::nis::plan::YpConf {
                package: pkg.into(),
                lines,
            },
        )?;
        taken.displace("/etc/yp.conf", pkg, body);
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
    if !common.diversions.is_empty() {
        add_script(
            &mut spec,
            ControlMember::Preinst,
            script(r, "scripts/common.preinst", &common, &Default::default())?,
        );
    }
    add_script(
        &mut spec,
        ControlMember::Postinst,
        script(r, "client/postinst", &post, &Default::default())?,
    );
    add_script(
        &mut spec,
        ControlMember::Postrm,
        script(r, "scripts/common.postrm", &common, &Default::default())?,
    );
    Ok(spec)
}
