//! Issue 2: one fixture profile per diagnostic code, each with a snapshot
//! of its rendered diagnostics (no colour); the example profiles' summaries;
//! all errors of a file in one run.

use std::collections::BTreeSet;
use std::path::Path;
use storpkg::profile::{check_bytes, check_str, diag::codes};

/// A fixture checked as `storpkg check` does: the profile stage, then the
/// checks of the filesystem (relative paths from `tests/fixtures/invalid`).
fn check_fixture(path: &Path) -> storpkg::profile::Checked {
    let bytes = std::fs::read(path).unwrap();
    let name = format!(
        "fixtures/invalid/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    let base = std::fs::canonicalize("tests/fixtures/invalid").unwrap();
    let mut checked = check_bytes(&name, bytes, &base.display().to_string());
    storpkg::preflight::check(&mut checked);
    checked
}

#[test]
fn every_fixture_reports_its_code() {
    insta::glob!("fixtures/invalid/*.toml", |path| {
        let checked = check_fixture(path);
        let code = path.file_stem().unwrap().to_string_lossy().into_owned();
        let found: BTreeSet<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        if code == "many-errors" {
            assert!(found.len() >= 6, "many-errors reported only {found:?}");
            assert!(
                checked.errors() >= 8,
                "many-errors: {}",
                checked.render_plain()
            );
        } else if code == "refused-names" {
            // One bad-name per refused name (Media, Back0, R0, Shared,
            // Home), none for the references to them.
            assert_eq!(
                found,
                BTreeSet::from(["bad-name"]),
                "{}",
                checked.render_plain()
            );
            assert_eq!(checked.diagnostics.len(), 5, "{}", checked.render_plain());
        } else {
            // Exactly the problem of its name: no other code, no follow-on.
            assert_eq!(
                found,
                BTreeSet::from([code.as_str()]),
                "{code}: found {found:?}\n{}",
                checked.render_plain()
            );
        }
        insta::assert_snapshot!(checked.render_plain());
    });
}

#[test]
fn every_code_has_a_fixture() {
    for (code, _) in codes::ALL {
        let path = format!("tests/fixtures/invalid/{code}.toml");
        assert!(
            Path::new(&path).exists(),
            "no fixture for `{code}`: add {path}"
        );
    }
}

#[test]
fn errors_fail_and_warnings_do_not() {
    for (code, meaning) in codes::ALL {
        let checked = check_fixture(Path::new(&format!("tests/fixtures/invalid/{code}.toml")));
        let warning = meaning.starts_with("warning:");
        assert_eq!(
            checked.site.is_some(),
            warning,
            "{code}: a site is returned exactly when only warnings were found"
        );
    }
}

#[test]
fn the_minimal_profile_is_clean() {
    let text = std::fs::read_to_string("tests/fixtures/minimal.toml").unwrap();
    let checked = check_str("minimal.toml", &text, "/");
    assert!(checked.diagnostics.is_empty(), "{}", checked.render_plain());
}

#[test]
fn example_profiles_summaries() {
    let mut profiles: Vec<_> = std::fs::read_dir("profiles")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    profiles.sort();
    assert!(
        profiles.len() >= 2,
        "at least two example profiles of different shapes"
    );
    for path in profiles {
        let checked = storpkg::profile::load(&path).unwrap();
        let report = checked.render_plain();
        let site = checked.site.as_ref().unwrap_or_else(|| panic!("{report}"));
        if path.ends_with("pasta.toml") {
            assert!(
                checked.diagnostics.is_empty(),
                "pasta must be clean:\n{report}"
            );
        }
        let text = format!(
            "{report}{}\n==== --verbose ====\n{}",
            storpkg::summary::summary(site, false),
            storpkg::summary::summary(site, true)
        );
        let name = format!("summary_{}", path.file_stem().unwrap().to_string_lossy());
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn generated_sites_of_many_nodes_are_valid() {
    for n in [2, 8, 128] {
        let out = std::process::Command::new("scripts/gen-site")
            .arg(n.to_string())
            .output()
            .unwrap();
        assert!(out.status.success());
        let checked = check_str("gen.toml", &String::from_utf8(out.stdout).unwrap(), "/");
        assert_eq!(checked.errors(), 0, "{}", checked.render_plain());
        let site = checked.site.unwrap();
        assert_eq!(site.nodes.len(), n);
        assert_eq!(site.drbd.resources.len(), n / 2);
        // N/2 independent pairs: each resource on a pair of its own, each
        // pair an o2cb cluster of its own.
        assert_eq!(site.pairs().len(), n / 2);
        for (p, r) in site.drbd.resources.iter().enumerate() {
            let pair = [format!("n{}", 2 * p + 1), format!("n{}", 2 * p + 2)];
            assert_eq!(r.nodes, pair);
            assert_eq!(r.initialiser, pair[0]);
            let cluster: Vec<&str> = site
                .ocfs2_cluster(&pair[1])
                .iter()
                .map(|n| n.name.as_str())
                .collect();
            assert_eq!(cluster, [pair[0].as_str(), pair[1].as_str()]);
        }
        let specs = storpkg::plan::plan_site(&{
            let mut s = site.clone();
            s.repository.public_key = None;
            s
        })
        .unwrap();
        assert_eq!(specs.len(), n + 3);
    }
}

/// The sites of several pairs: `check`'s summary groups each pair's
/// resources, filesystems, syncs, shares and exports under it, and a small
/// site of them stays one screen.
#[test]
fn many_pair_summaries_group_by_pair() {
    for name in ["pairs", "hub"] {
        let path = std::path::PathBuf::from(format!("tests/fixtures/{name}.toml"));
        let checked = storpkg::profile::load(&path).unwrap();
        let report = checked.render_plain();
        let site = checked.site.as_ref().unwrap_or_else(|| panic!("{report}"));
        let text = storpkg::summary::summary(site, false);
        assert!(
            text.lines().count() <= 45,
            "{name}: more than a screen:\n{text}"
        );
        assert!(text.contains("\npairs ("), "{text}");
        insta::assert_snapshot!(format!("summary_{name}"), text);
    }
}
