//! Golden snapshots: every package of the pasta site, whole.

mod common;
#[path = "common/tree.rs"]
mod tree;

fn snapshot_site(name: &str, site: &storpkg::model::Site) {
    let packages = storpkg::plan::plan_site(site).expect("plan");
    let names: Vec<_> = packages.iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, site.package_names());
    for p in &packages {
        insta::assert_snapshot!(format!("{name}__{}", p.name), tree::render_tree(p));
    }
}

#[test]
fn pasta() {
    snapshot_site("pasta", &common::pasta());
}

#[test]
fn pasta_with_unison_keys() {
    snapshot_site("pasta_keys", &common::pasta_with_keys());
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
