//! Paths and pieces shared by the package planners.

use crate::model::{Site, Suite};
use crate::package::{ControlMember, Entry, PackageSpec};
use crate::render::context::{Block, Diversion, Lib};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// `/var/lib/PKG`: what a package's scripts remember on the node.
pub fn state_dir(package: &str) -> String {
    format!("/var/lib/{package}")
}

/// `/etc/SITE-storage`: site configuration that is not another program's.
pub fn etc_dir(site: &Site) -> String {
    format!("/etc/{}-storage", site.name)
}

/// `/usr/sbin/SITE-storage`: the node-side command (converge, status).
pub fn command_path(site: &Site) -> String {
    format!("/usr/sbin/{}-storage", site.name)
}

/// The DRBD fence-peer handler shipped in the node packages; the
/// resolver's `fence-peer` handler command names this path.
pub fn fence_peer_path(site: &Site) -> String {
    format!("/usr/lib/{}-storage/drbd-fence-peer", site.name)
}

/// Where packaged systemd units go on the suite.
pub fn unit_dir(suite: Suite) -> &'static str {
    match suite {
        Suite::Bookworm => "/lib/systemd/system",
        Suite::Trixie => "/usr/lib/systemd/system",
    }
}

pub fn lib(package: &str) -> Lib {
    Lib { package: package.to_string(), state_dir: state_dir(package) }
}

/// A skeleton spec with the site's common control fields.
pub fn spec(site: &Site, name: &str, summary: String, description: String) -> PackageSpec {
    PackageSpec {
        name: name.to_string(),
        version: site.version.clone(),
        maintainer: site.maintainer.clone(),
        section: "admin".into(),
        priority: "optional".into(),
        architecture: "all".into(),
        homepage: None,
        pre_depends: vec![],
        depends: vec![],
        recommends: vec![],
        suggests: vec![],
        conflicts: vec![],
        breaks: vec![],
        replaces: vec![],
        provides: vec![],
        summary,
        description,
        files: BTreeMap::new(),
        control: BTreeMap::new(),
    }
}

pub fn add_file(spec: &mut PackageSpec, path: impl Into<String>, mode: u32, content: String) {
    spec.files.insert(path.into(), Entry::file(mode, content.into_bytes()));
}

pub fn add_script(spec: &mut PackageSpec, member: ControlMember, content: String) {
    spec.control.insert(member, content);
}

/// Divert FILE out of the way to `FILE.PKG-orig`.
pub fn diversion(path: &str, package: &str) -> Diversion {
    Diversion { path: path.to_string(), diverted: format!("{path}.{package}-orig") }
}

/// Our own copy of a displaced file lives next to it: `FILE.PKG`.
pub fn displaced_copy(path: &str, package: &str) -> String {
    format!("{path}.{package}")
}

/// A block source shipped under `/usr/share/PKG/blocks/NAME`.
pub fn block_source(package: &str, name: &str) -> String {
    format!("/usr/share/{package}/blocks/{name}")
}

pub fn block(file: &str, source: String, position: &str) -> Block {
    Block {
        file: file.to_string(),
        source,
        position: position.to_string(),
        disable: false,
        present: true,
        dir: None,
        dir_mode: "0755".into(),
        remove_if_empty: false,
    }
}

/// `ADDR:PORT` as drbd.conf writes it (`ipv6 [ADDR]:PORT` for IPv6).
pub fn drbd_address(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("ipv6 [{a}]:{port}"),
    }
}

/// postfix `relayhost` by address, without MX lookup.
pub fn relayhost(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => format!("[{a}]"),
        IpAddr::V6(a) => format!("[ipv6:{a}]"),
    }
}
