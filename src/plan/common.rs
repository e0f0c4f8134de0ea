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

/// `/usr/share/SITE-storage/layout.sh`: the node's layout, read by the
/// node-side command (its name + `/layout.sh` under `/usr/share`).
pub fn layout_path(site: &Site) -> String {
    format!("/usr/share/{}-storage/layout.sh", site.name)
}

/// Where packaged systemd units go on the suite.
pub fn unit_dir(suite: Suite) -> &'static str {
    match suite {
        Suite::Bookworm => "/lib/systemd/system",
        Suite::Trixie => "/usr/lib/systemd/system",
    }
}

pub fn lib(package: &str) -> Lib {
    Lib {
        package: package.to_string(),
        state_dir: state_dir(package),
    }
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
    spec.files
        .insert(path.into(), Entry::file(mode, content.into_bytes()));
}

pub fn add_script(spec: &mut PackageSpec, member: ControlMember, content: String) {
    spec.control.insert(member, content);
}

/// Divert FILE out of the way to `FILE.PKG-orig`.
pub fn diversion(path: &str, package: &str) -> Diversion {
    Diversion {
        path: path.to_string(),
        diverted: format!("{path}.{package}-orig"),
    }
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

/// `target` relative to the directory of `link` (both absolute), so that
/// the link also works under another root (`/vol/home` → `ocfs2-small/home`).
pub fn relative_target(link: &str, target: &str) -> String {
    let dir: Vec<&str> = link.split('/').filter(|c| !c.is_empty()).collect();
    let dir = &dir[..dir.len().saturating_sub(1)];
    let to: Vec<&str> = target.split('/').filter(|c| !c.is_empty()).collect();
    let common = dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = std::iter::repeat("..").take(dir.len() - common).collect();
    parts.extend(&to[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// Top-level directories of the FHS that lintian expects.
pub const STANDARD_TOP: &[&str] = &[
    "bin", "boot", "etc", "lib", "lib64", "opt", "sbin", "srv", "usr", "var",
];

/// Symlink target as Debian policy wants it: relative within one top-level
/// directory, absolute across them. `target` may be relative to the link.
pub fn policy_target(link: &str, target: &str) -> String {
    let absolute = if target.starts_with('/') {
        target.to_string()
    } else {
        let dir = link.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        format!("{dir}/{target}")
    };
    let top = |p: &str| {
        p.trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    if top(link) == top(&absolute) {
        relative_target(link, &absolute)
    } else {
        absolute
    }
}

/// Lintian overrides for the site's own top-level paths (/vol, /staging,
/// /pub), for apt sources (the how-to's install server), and for a
/// root@ maintainer address, plus `extra`; `None` when nothing applies.
pub fn site_overrides(
    site: &Site,
    spec: &PackageSpec,
    extra: &[(&str, String)],
) -> Option<(String, String)> {
    use crate::package::EntryKind;
    use std::collections::BTreeSet;
    let mut lines: BTreeSet<(&str, String)> = BTreeSet::new();
    for (path, entry) in &spec.files {
        let rel = path.trim_start_matches('/');
        let (top, rest) = rel.split_once('/').unwrap_or((rel, ""));
        if STANDARD_TOP.contains(&top) {
            if rel.starts_with("etc/apt/sources.list.d/") {
                lines.insert(("package-installs-apt-sources", rel.to_string()));
            }
            continue;
        }
        match (&entry.kind, rest.is_empty()) {
            (EntryKind::Dir, true) => {
                lines.insert(("non-standard-toplevel-dir", format!("{top}/")));
            }
            (EntryKind::Dir, false) => {
                lines.insert(("non-standard-toplevel-dir", format!("{top}/")));
            }
            (_, true) => {
                lines.insert(("file-in-unusual-dir", top.to_string()));
            }
            (_, false) => {
                lines.insert(("non-standard-toplevel-dir", format!("{top}/")));
                lines.insert(("file-in-unusual-dir", format!("{top}/*")));
            }
        }
    }
    if site.maintainer.contains("<root@") {
        lines.insert(("root-in-contact", String::new()));
    }
    lines.extend(extra.iter().cloned());
    if lines.is_empty() {
        return None;
    }
    let lines: Vec<(&str, String)> = lines.into_iter().collect();
    Some(lintian_overrides(&spec.name, &lines))
}

/// A lintian overrides file: one `tag [context]` per line, with a comment.
pub fn lintian_overrides(package: &str, lines: &[(&str, String)]) -> (String, String) {
    let mut body = String::from("# Intentional: the site's layout, chosen in its profile.\n");
    for (tag, ctx) in lines {
        if ctx.is_empty() {
            body.push_str(&format!("{package}: {tag}\n"));
        } else {
            body.push_str(&format!("{package}: {tag} [{ctx}]\n"));
        }
    }
    (format!("/usr/share/lintian/overrides/{package}"), body)
}

#[cfg(test)]
mod tests {
    use super::relative_target;

    #[test]
    fn relative_targets() {
        assert_eq!(
            relative_target("/vol/home", "/vol/ocfs2-small/home"),
            "ocfs2-small/home"
        );
        assert_eq!(relative_target("/pub", "/staging/pub"), "staging/pub");
        assert_eq!(relative_target("/a/b/c", "/a/x"), "../x");
        assert_eq!(relative_target("/srv/x", "/vol/y"), "../vol/y");
    }
}
