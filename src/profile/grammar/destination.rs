//! Where a profile path lands on the node: a mountpoint, a symlink, a
//! directory storpkg creates, a log file, an automount root. Refused when
//! it is, contains or lies inside a location of the system or of a Debian
//! package; the site's own trees (`/vol`, `/srv`, `/staging`, `/export`,
//! `/home`, `/pub`, any other new top-level name) are free.

use super::{Check, Refusal};

/// What the path becomes; decides the allowed roots once per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A filesystem mounted there (fstab).
    Mountpoint,
    /// A symlink the package ships.
    Link,
    /// A directory storpkg creates (the client's staging directory).
    Dir,
    /// A log file a tool of the node writes.
    LogFile,
    /// An autofs mount root.
    AutomountRoot,
}

/// Never a destination, nor anything inside or above them: the base
/// system, the package manager's state, the homes of system users, the
/// admin's mount points (FHS: `/mnt`, `/media`), and what the node's
/// packages own.
const SYSTEM: &[&str] = &[
    "/usr",
    "/etc",
    "/boot",
    "/dev",
    "/proc",
    "/sys",
    "/run",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/root",
    "/tmp",
    "/var/tmp",
    "/var/run",
    "/var/lock",
    "/var/cache",
    "/var/lib/dpkg",
    "/var/lib/apt",
    "/var/lib/nfs",
    "/var/lib/libvirt",
    "/var/lib/drbd",
    "/var/lib/ucf",
    "/var/lib/systemd",
    "/var/backups",
    "/var/mail",
    "/nonexistent",
    "/mnt",
    "/media",
    "/lost+found",
    "/snap",
    "/efi",
    "/vmlinuz",
    "/vmlinuz.old",
    "/initrd.img",
    "/initrd.img.old",
];

/// Shared directories: neither a destination nor above one; inside them
/// only the site's own names, `SITE-...` directly below (deepest first).
const NAMESPACES: &[&str] = &[
    "/var/log",
    "/var/spool",
    "/var/lib",
    "/var/opt",
    "/opt",
    "/var",
];

/// Directories of every Debian system (base-files) that may hold the
/// site's trees or be a mountpoint, but never be replaced by a symlink.
const BASE_DIRS: &[&str] = &["/home", "/srv"];

fn inside(path: &str, root: &str) -> bool {
    path.strip_prefix(root)
        .is_some_and(|rest| rest.starts_with('/'))
}

fn refused(expected: String, kind: Kind) -> Check {
    let help = match kind {
        Kind::LogFile => "log files go in /var/log as `/var/log/SITE-NAME`, `/var/log/SITE-storage/NAME` or `/var/log/unison...`",
        Kind::Link => "symlinks go in the site's own trees such as `/vol/NAME`, `/srv/NAME`, `/home/NAME` or a new top-level name such as `/pub`; below /var, /opt only `SITE-...` names",
        _ => "use the site's own trees such as `/vol/NAME`, `/srv/NAME`, `/staging`, `/export/NAME`, `/home` or a new top-level name such as `/pub`; below /var, /opt only `SITE-...` names",
    };
    Err(Refusal {
        expected,
        help: Some(help.into()),
    })
}

/// Refuse `path` (already a valid [`super::path`]) as a destination of
/// `kind` on a node of site `site`.
pub fn destination(path: &str, kind: Kind, site: &str) -> Check {
    for root in SYSTEM.iter().chain(NAMESPACES) {
        if path == *root || inside(root, path) {
            return refused(
                format!("a path that is not and does not contain `{root}`"),
                kind,
            );
        }
    }
    if let Some(root) = SYSTEM.iter().find(|r| inside(path, r)) {
        return refused(format!("a path outside `{root}`"), kind);
    }
    let own = |first: &str| {
        first.strip_prefix(site).is_some_and(|r| r.starts_with('-'))
            || (kind == Kind::LogFile && first.starts_with("unison"))
    };
    if let Some(root) = NAMESPACES.iter().find(|r| inside(path, r)) {
        let first = path[root.len() + 1..].split('/').next().unwrap_or("");
        if !own(first) {
            return refused(
                format!("a name of the site's own, `{root}/{site}-...`"),
                kind,
            );
        }
    }
    if kind == Kind::Link && BASE_DIRS.contains(&path) {
        return refused(
            format!("a symlink that is not Debian's directory `{path}`"),
            kind,
        );
    }
    if kind == Kind::LogFile && !inside(path, "/var/log") {
        return refused("a log file inside /var/log".into(), kind);
    }
    Ok(())
}

/// A share's directory: relative to its filesystem's mountpoint (joined as
/// `MOUNTPOINT/DIR`), components as in [`super::path`].
pub fn share_dir(s: &str) -> Check {
    if !s.starts_with('/') && super::relative_path(s).is_ok() {
        return Ok(());
    }
    Err(Refusal {
        expected: "a directory relative to the filesystem's mountpoint such as `pub`".into(),
        help: Some("share directories are joined to the mountpoint: no leading '/'".into()),
    })
}
