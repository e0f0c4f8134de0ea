//! What the tests share: the pasta site of profiles/pasta.toml as the
//! planner tests use it, and the skip-locally-fail-in-CI rule for tests
//! that need a tool (`have`, `tool`, `missing`).
#![allow(dead_code)]

use std::net::IpAddr;
use std::path::PathBuf;
use storpkg::model::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn s(v: &str) -> String {
    v.to_string()
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| i.to_string()).collect()
}

/// A stand-in armoured key: the planner ships it verbatim.
pub const TEST_KEY: &str =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ0test\n-----END PGP PUBLIC KEY BLOCK-----\n";

/// The valid site of the profile at `rel` (from the crate's root).
pub fn load(rel: &str) -> Site {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let checked = storpkg::profile::load(&path).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
    let report = checked.render_plain();
    checked
        .site
        .unwrap_or_else(|| panic!("{rel} is invalid:\n{report}"))
}

pub fn pasta() -> Site {
    let mut site = load("profiles/pasta.toml");
    site.repository.public_key = Some(TEST_KEY.to_string());
    site
}

/// The three-node site of tests/fixtures/trio.toml: alpha, the initialiser,
/// pairs with beta (r0) and with gamma (r1).
pub fn trio() -> Site {
    load("tests/fixtures/trio.toml")
}

/// The site of two independent pairs of tests/fixtures/pairs.toml: a+b
/// (r-ab, a initialises) and c+d (r-cd, d initialises, its own settings).
pub fn pairs() -> Site {
    load("tests/fixtures/pairs.toml")
}

/// The hub of tests/fixtures/hub.toml: h pairs with x (hx, initialised by
/// x) and with y (hy, initialised by h).
pub fn hub() -> Site {
    load("tests/fixtures/hub.toml")
}

/// pasta with the unison keys known (the second build of the how-to).
pub fn pasta_with_keys() -> Site {
    let mut site = pasta();
    let u = site.unison.first_mut().unwrap();
    u.client_key = Some(s("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeClientKeyForTestsOnly0000000000000000 root@fiori unison"));
    u.server_host_key = Some(s(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeServerHostKeyForTestsOnly00000000000000",
    ));
    site
}

/// A test that needs `what` (a tool, root, a file) and lacks it: with `CI`
/// set this panics (a skip there would pass unnoticed); otherwise it says
/// `SKIPPED` and the caller returns.
pub fn missing(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing in CI (.ci/run installs it)");
    }
    eprintln!("SKIPPED: {what} is missing");
}

/// True when `name` is on PATH; else [`missing`] (a panic in CI).
pub fn have(name: &str) -> bool {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&paths).any(|d| d.join(name).is_file());
    if !found {
        missing(&format!("`{name}`"));
    }
    found
}

/// Path of `name`, on PATH or in /usr/sbin or /sbin (not on a user's
/// PATH); None after [`missing`] (a panic in CI).
pub fn tool(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&paths)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        missing(&format!("`{name}`"));
    }
    found
}

/// True when the test runs as root (namespaces need it); else [`missing`].
pub fn is_root() -> bool {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !root {
        missing("root (namespaces)");
    }
    root
}

/// A proptest runner of `cases` cases with no failure persistence: the same
/// cases on every run (ChaCha with the fixed seed), or new ones when
/// `random` says so.
pub fn proptest_runner(cases: u32, random: bool) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if random {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    }
}
