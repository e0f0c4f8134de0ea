//! The text of the index files: `Packages` stanzas and `Release`.

use super::{PoolEntry, RepoConfig};
use crate::deb::doc::rfc2822;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The Packages file of one architecture directory: every pool entry, in
/// the given order (already sorted by name, then version).
pub fn packages(entries: &[&PoolEntry]) -> String {
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(entry.deb.control.trim_end_matches('\n'));
        let _ = write!(
            out,
            "\nFilename: {}\nSize: {}\nMD5sum: {:x}\nSHA256: {:x}\n",
            entry.pool_path,
            entry.deb.bytes.len(),
            Md5::digest(&entry.deb.bytes),
            Sha256::digest(&entry.deb.bytes)
        );
    }
    out
}

/// The Release file listing `files` (path relative to `dists/SUITE`, bytes).
pub fn release(config: &RepoConfig, timestamp: u64, files: &[(String, Vec<u8>)]) -> String {
    let mut out = String::new();
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "{name}: {value}");
    };
    field("Origin", &config.origin);
    field("Label", &config.label);
    field("Suite", &config.suite);
    field("Codename", &config.codename);
    field("Date", &rfc2822(timestamp, "UTC"));
    field("Architectures", &config.architectures.join(" "));
    if config.architectures.iter().any(|a| a == "all") {
        // Like Debian's archive: Architecture: all packages are also listed
        // in every binary-ARCH index, so apt need not fetch binary-all.
        field("No-Support-for-Architecture-all", "Packages");
    }
    field("Components", &config.component);
    field("Description", &config.description);
    out.push_str("MD5Sum:\n");
    for (path, bytes) in files {
        let _ = writeln!(out, " {:x} {:>16} {path}", Md5::digest(bytes), bytes.len());
    }
    out.push_str("SHA256:\n");
    for (path, bytes) in files {
        let _ = writeln!(
            out,
            " {:x} {:>16} {path}",
            Sha256::digest(bytes),
            bytes.len()
        );
    }
    out
}
