//! `<site>-storage-ids`: the pinned users and groups, created in preinst
//! so that it can be installed on its own before libvirt and udev.

use crate::model::{Ids, Site};
use crate::package::{ControlMember, PackageSpec};
use crate::plan::common::*;
use crate::plan::PlanError;
use crate::render::context::{IdGroup, IdUser, IdsScripts};
use crate::render::Renderer;

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

pub fn plan(site: &Site, r: &Renderer) -> Result<PackageSpec, PlanError> {
    let pkg = site.ids.package.as_str();
    check_groups_pinned(&site.ids)?;
    let mut spec = ids_spec(site);
    spec.pre_depends = vec!["adduser".into()];
    let ctx = scripts_context(&site.ids);
    add_file(
        &mut spec,
        format!("/usr/share/{pkg}/pinned-ids"),
        0o644,
        pinned_ids(&site.ids),
    );
    add_script(
        &mut spec,
        ControlMember::Preinst,
        r.render("ids/preinst", &ctx)?,
    );
    if let Some((path, body)) = site_overrides(site, &spec, &[]) {
        add_file(&mut spec, path, 0o644, body);
    }
    add_script(
        &mut spec,
        ControlMember::Postrm,
        r.render("ids/postrm", &ctx)?,
    );
    Ok(spec)
}

/// The package's control fields: the description names every pinned group
/// and user with its ID.
fn ids_spec(site: &Site) -> PackageSpec {
    let names: Vec<String> = site
        .ids
        .groups
        .iter()
        .map(|g| format!("group {} ({})", g.name, g.gid))
        .chain(
            site.ids
                .users
                .iter()
                .map(|u| format!("user {} ({})", u.name, u.uid)),
        )
        .collect();
    spec(
        site,
        &site.ids.package,
        format!(
            "{} storage: users and groups with IDs pinned across the cluster",
            site.name
        ),
        format!(
            "Creates the users and groups whose IDs must be the same on every node of \
             the {} site, because the nodes share files on OCFS2: {}.\n\n\
             Install it before libvirt and udev, which keep existing entries. An \
             existing entry with another ID is moved only when no file on a local \
             filesystem is owned by the old ID; otherwise the installation stops and \
             says what to run.",
            site.name,
            names.join(", ")
        ),
    )
}

/// Every group a pinned user is in (primary or supplementary) is pinned too.
fn check_groups_pinned(ids: &Ids) -> Result<(), PlanError> {
    for g in ids
        .users
        .iter()
        .flat_map(|u| std::iter::once(&u.group).chain(u.groups.iter()))
    {
        if !ids.groups.iter().any(|pg| &pg.name == g) {
            return Err(PlanError::Model(format!(
                "pinned users refer to group {g}, which is not pinned"
            )));
        }
    }
    Ok(())
}

/// What ids/preinst and ids/postrm create and remove.
fn scripts_context(ids: &Ids) -> IdsScripts {
    IdsScripts {
        lib: lib(&ids.package),
        groups: ids
            .groups
            .iter()
            .map(|g| IdGroup {
                name: g.name.clone(),
                gid: g.gid,
                system: yes_no(g.system),
            })
            .collect(),
        users: ids
            .users
            .iter()
            .map(|u| IdUser {
                name: u.name.clone(),
                uid: u.uid,
                group: u.group.clone(),
                groups: u.groups.clone(),
                home: u.home.clone(),
                shell: u.shell.clone(),
                gecos: u.gecos.clone(),
                system: yes_no(u.system),
            })
            .collect(),
    }
}

/// The pinned IDs as data (`/usr/share/<pkg>/pinned-ids`): `status`
/// compares them with the peer's.
fn pinned_ids(ids: &Ids) -> String {
    let mut pinned = String::from("# kind name id (pinned by the site profile)\n");
    for g in &ids.groups {
        pinned.push_str(&format!("group {} {}\n", g.name, g.gid));
    }
    for u in &ids.users {
        pinned.push_str(&format!("user {} {}\n", u.name, u.uid));
    }
    pinned
}
