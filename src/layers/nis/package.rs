//! `<site>-storage-nis`: the automount entries of the NIS server's maps.
//! The entries are shipped under /etc (editable, kept on upgrade) and
//! merged into the NIS source maps (`/etc/auto.home`, ...) between markers.

use crate::model::{Nis, Site};
use crate::package::{ControlMember, PackageSpec};
use crate::plan::common::*;
use crate::plan::contribution::script;
use crate::plan::PlanError;
use crate::render::context::*;
use crate::render::Renderer;

pub fn plan(site: &Site, nis: &Nis, r: &Renderer) -> Result<PackageSpec, PlanError> {
    let pkg = nis.package.as_str();
    let mut spec = spec(
        site,
        pkg,
        format!(
            "{} storage: automount entries for the NIS server's maps",
            site.name
        ),
        format!(
            "Adds the {} storage cluster's automount entries to the NIS source maps \
             ({}) and rebuilds the maps (make -C /var/yp) when installed on the NIS \
             master.",
            site.name,
            nis.maps
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let dir = format!("{}/nis", etc_dir(site));
    let mut blocks = Vec::new();
    for map in &nis.maps {
        let target = format!("/etc/{}", map.name);
        let src = format!("{dir}/{}", map.name);
        let ctx = NisMapFile {
            site: site.name.clone(),
            package: pkg.into(),
            map: map.name.clone(),
            target: target.clone(),
            options: nis.automount_options.join(","),
            entries: map.entries.clone(),
        };
        add_file(&mut spec, src.clone(), 0o644, r.render("nis/map", &ctx)?);
        blocks.push(block(&target, src, "bottom"));
    }
    let maps: Vec<String> = nis.maps.iter().map(|m| m.name.clone()).collect();
    let common = CommonScripts {
        lib: lib(pkg),
        diversions: vec![],
        displaced: vec![],
        blocks: blocks.clone(),
        timers: vec![],
        stop_units: vec![],
        purge_files: vec![],
        remove_files: vec![],
        purge_globs: vec![],
        nis_rebuild: true,
        nis_maps: maps.clone(),
    };
    let post = NisPostinst {
        lib: lib(pkg),
        maps,
        blocks,
    };
    add_script(
        &mut spec,
        ControlMember::Postinst,
        script(r, "nis/postinst", &post, &Default::default())?,
    );
    if let Some((path, body)) = site_overrides(site, &spec, &[]) {
        add_file(&mut spec, path, 0o644, body);
    }
    add_script(
        &mut spec,
        ControlMember::Postrm,
        script(r, "scripts/common.postrm", &common, &Default::default())?,
    );
    Ok(spec)
}
