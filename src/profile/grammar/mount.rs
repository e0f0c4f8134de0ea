//! Mount options by filesystem: the words mount(8) takes for every
//! filesystem plus each filesystem's own (ext4(5); the kernel's
//! Documentation/filesystems/ocfs2.rst). A word the kernel does not know
//! makes it refuse the mount (EINVAL) at boot.

use super::{Check, Refusal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fs {
    Ext4,
    Ocfs2,
}

/// Words of mount(8) for every filesystem (`nofail` is ext4's below:
/// mount.ocfs2 hands it to the kernel, which refuses it).
const COMMON: &[&str] = &[
    "defaults",
    "noatime",
    "atime",
    "relatime",
    "norelatime",
    "strictatime",
    "nostrictatime",
    "nodiratime",
    "diratime",
    "lazytime",
    "nolazytime",
    "ro",
    "rw",
    "nosuid",
    "suid",
    "nodev",
    "dev",
    "noexec",
    "exec",
    "sync",
    "async",
    "dirsync",
    "auto",
    "noauto",
    "_netdev",
    "acl",
    "noacl",
    "user_xattr",
    "nouser_xattr",
    "usrquota",
    "grpquota",
    "data",
    "commit",
    "errors",
    "barrier",
];
const EXT4: &[&str] = &[
    "nofail",
    "nobarrier",
    "discard",
    "nodiscard",
    "journal_checksum",
    "nojournal_checksum",
    "journal_async_commit",
    "delalloc",
    "nodelalloc",
    "noinit_itable",
    "init_itable",
    "stripe",
    "max_batch_time",
    "min_batch_time",
    "journal_ioprio",
    "auto_da_alloc",
    "noauto_da_alloc",
    "resuid",
    "resgid",
    "sb",
    "quota",
    "noquota",
    "prjquota",
    "block_validity",
    "noblock_validity",
    "i_version",
    "nombcache",
    "dax",
];
const OCFS2: &[&str] = &[
    "intr",
    "nointr",
    "atime_quantum",
    "localalloc",
    "localflocks",
    "inode64",
    "resv_level",
    "dir_resv_level",
    "coherency",
    "preferred_slot",
    "heartbeat",
    "datavolume",
    "nodatavolume",
];

/// `s` (already a [`super::mount_option`]) is a word of `fs`.
pub fn fs_mount_option(s: &str, fs: Fs) -> Check {
    let word = s.split('=').next().unwrap_or(s);
    let own = match fs {
        Fs::Ext4 => EXT4,
        Fs::Ocfs2 => OCFS2,
    };
    if COMMON.contains(&word) || own.contains(&word) || word.starts_with("x-systemd.") {
        return Ok(());
    }
    let (name, help) = match fs {
        Fs::Ext4 => ("ext4", "see ext4(5) and mount(8): noatime, commit=60, data=ordered, errors=remount-ro, ..."),
        Fs::Ocfs2 if word == "nofail" => ("OCFS2", "the kernel refuses `nofail` on OCFS2; storpkg mounts it with `_netdev` after the converge unit"),
        Fs::Ocfs2 => ("OCFS2", "see the kernel's ocfs2.rst and mount(8): noatime, data=writeback, commit=60, coherency=buffered, ..."),
    };
    Err(Refusal {
        expected: format!("a mount option of {name}"),
        help: Some(help.into()),
    })
}
