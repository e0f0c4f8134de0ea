//! Planning: turns a resolved [`Site`] into the site's packages, every
//! file, mode, control field and maintainer script decided here.
//!
//! Invariants: pure (no I/O, no clock, no environment); deterministic
//! (ordered maps, model order); every path absolute. Templates come from
//! [`crate::render`]; values reaching shell scripts pass `shell_quote`.
//!
//! Packages, in [`Site::package_names`] order:
//! - `layers::ids`: `<site>-storage-ids`, the pinned users and groups;
//! - [`node`]: `<site>-storage-<node>`, one per storage node, folded from
//!   the storage layers' [`contribution::Contribution`]s;
//! - `layers::client`: `<site>-storage-client`, the NFS clients' side;
//! - `layers::nis`: `<site>-storage-nis`, the NIS server's automount maps.

pub mod change;
pub(crate) mod common;
pub(crate) mod contribution;
pub mod node;

use crate::model::Site;
use crate::package::PackageSpec;
use crate::render::{RenderError, Renderer};

pub use common::{command_path, etc_dir, state_dir};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A template failed: a storpkg bug.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The model refers to something it does not hold: a resolver bug.
    #[error("inconsistent site model: {0}")]
    Model(String),
    /// A node's preseed fragment could not be written.
    #[error(transparent)]
    Preseed(#[from] crate::preseed::PreseedError),
    /// A signed repository needs its public key in the node packages.
    #[error("the repository is signed with `{key}` but `repository.public_key` is empty: export the public key before planning")]
    MissingPublicKey { key: String },
}

/// Every package of the site, in [`Site::package_names`] order.
pub fn plan_site(site: &Site) -> Result<Vec<PackageSpec>, PlanError> {
    plan_site_with(site, &std::collections::BTreeMap::new())
}

/// As [`plan_site`], with the site's template overrides (name → source).
pub fn plan_site_with(
    site: &Site,
    overrides: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<PackageSpec>, PlanError> {
    plan_site_using(site, &Renderer::with_overrides(overrides)?)
}

/// As [`plan_site`], rendering with `r` (built once per build). Packages
/// are planned in parallel; the order and the error reported (the first
/// failing package's) do not depend on it.
pub fn plan_site_using(site: &Site, r: &Renderer) -> Result<Vec<PackageSpec>, PlanError> {
    enum Job<'a> {
        Ids,
        Node(&'a crate::model::Node),
        Client,
        Nis(&'a crate::model::Nis),
    }
    let mut jobs = vec![Job::Ids];
    jobs.extend(site.nodes.iter().map(Job::Node));
    jobs.push(Job::Client);
    jobs.extend(site.nis.iter().map(Job::Nis));
    crate::par::map(&jobs, |job| match job {
        Job::Ids => crate::layers::ids::plan::plan(site, r),
        Job::Node(node) => node::plan(site, node, r),
        Job::Client => crate::layers::client::plan::plan(site, r),
        Job::Nis(nis) => crate::layers::nis::package::plan(site, nis, r),
    })
    .into_iter()
    .collect()
}

/// Everything a build writes, planned: every package with its
/// documentation, and the files beside the repository (one preseed fragment
/// per node, `preseed/NODE.cfg`; the pictures of each node,
/// `diagram/SITE-storage-NODE.svg` (named after its package, so never the
/// site's), and of the site, `diagram/SITE.svg`).
#[derive(Debug)]
pub struct SitePlan {
    pub packages: Vec<PackageSpec>,
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
}

/// The whole build of `site` at `timestamp` (the changelog's date):
/// [`plan_site_using`], the documentation of every package, the preseed
/// fragments. Pure, as every planner.
pub fn plan_build(site: &Site, r: &Renderer, timestamp: u64) -> Result<SitePlan, PlanError> {
    let mut packages = plan_site_using(site, r)?;
    let changes = site.changes.join("\n");
    for spec in &mut packages {
        let docs = crate::deb::doc::doc_files(
            &spec.name,
            &spec.version,
            &spec.maintainer,
            timestamp,
            &changes,
        );
        spec.files.extend(docs);
    }
    let mut files = std::collections::BTreeMap::new();
    for n in &site.nodes {
        let text = crate::preseed::fragment(site, &n.name, 0)?;
        files.insert(format!("preseed/{}.cfg", n.name), text.into_bytes());
        let picture = crate::diagram::picture(site, Some(&n.name));
        files.insert(
            format!("diagram/{}.svg", n.package),
            crate::diagram::svg(&picture).into_bytes(),
        );
    }
    let picture = crate::diagram::picture(site, None);
    files.insert(
        format!("diagram/{}.svg", site.name),
        crate::diagram::svg(&picture).into_bytes(),
    );
    Ok(SitePlan { packages, files })
}
