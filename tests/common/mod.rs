//! The pasta site of profiles/pasta.toml, as the planner tests use it.
#![allow(dead_code)]

use std::net::IpAddr;
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

pub fn pasta() -> Site {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/pasta.toml");
    let checked = storpkg::profile::load(std::path::Path::new(path))
        .expect("profiles/pasta.toml is readable");
    let report = checked.render_plain();
    let mut site = checked
        .site
        .unwrap_or_else(|| panic!("profiles/pasta.toml is invalid:\n{report}"));
    site.repository.public_key = Some(TEST_KEY.to_string());
    site
}

/// The three-node site of tests/fixtures/trio.toml: alpha, the initialiser,
/// pairs with beta (r0) and with gamma (r1).
pub fn trio() -> Site {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/trio.toml");
    let checked = storpkg::profile::load(std::path::Path::new(path))
        .expect("tests/fixtures/trio.toml is readable");
    let report = checked.render_plain();
    checked
        .site
        .unwrap_or_else(|| panic!("tests/fixtures/trio.toml is invalid:\n{report}"))
}

/// pasta with the unison keys known (the second build of the how-to).
pub fn pasta_with_keys() -> Site {
    let mut site = pasta();
    let u = site.unison.as_mut().unwrap();
    u.client_key = Some(s("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeClientKeyForTestsOnly0000000000000000 root@fiori unison"));
    u.server_host_key = Some(s(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeServerHostKeyForTestsOnly00000000000000",
    ));
    site
}
