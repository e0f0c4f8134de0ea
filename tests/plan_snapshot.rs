//! Golden snapshots: every package of the pasta site, whole.

mod common;
#[path = "common/tree.rs"]
mod tree;

use storpkg::model::Site;
use storpkg::package::PackageSpec;

/// Every package of `site`, in the order of `Site::package_names`.
fn plan(site: &Site) -> Vec<PackageSpec> {
    let packages = storpkg::plan::plan_site(site).expect("plan");
    let names: Vec<_> = packages.iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, site.package_names());
    packages
}

#[test]
fn pasta() {
    for p in &plan(&common::pasta()) {
        insta::assert_snapshot!(format!("pasta__{}", p.name), tree::render_tree(p));
    }
}

/// The unison keys change the node packages only (authorized_keys,
/// known_hosts): those are snapshotted; the others must equal pasta's.
#[test]
fn pasta_with_unison_keys() {
    let site = common::pasta_with_keys();
    let before = plan(&common::pasta());
    for (p, old) in plan(&site).iter().zip(&before) {
        if site.nodes.iter().any(|n| n.package == p.name) {
            assert_ne!(p, old, "{}: the keys change nothing", p.name);
            insta::assert_snapshot!(format!("pasta_keys__{}", p.name), tree::render_tree(p));
        } else {
            assert_eq!(p, old, "{}: changed by the unison keys", p.name);
        }
    }
}

#[test]
fn planning_is_deterministic() {
    let a = storpkg::plan::plan_site(&common::pasta()).unwrap();
    let b = storpkg::plan::plan_site(&common::pasta()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn signed_repository_needs_its_public_key() {
    let mut site = common::pasta();
    site.repository.public_key = None;
    let err = storpkg::plan::plan_site(&site).unwrap_err();
    assert!(
        matches!(err, storpkg::plan::PlanError::MissingPublicKey { .. }),
        "{err}"
    );
}
