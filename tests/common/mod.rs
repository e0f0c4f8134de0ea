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
