//! Atomic output of a whole build.
//!
//! Layout of the output directory `DIR`:
//! ```text
//! DIR/.storpkg-output          marker: DIR may be replaced wholesale by storpkg
//! DIR/repo/...                 the apt repository (see `crate::repo`)
//! DIR/debs/NAME_VERSION_all.deb  this build's packages (hard links into the pool)
//! DIR/<extra files>            e.g. preseed fragments, given by the caller
//! DIR/profile.toml             the profile this build was made from (`storpkg plan NEW`)
//! ```
//! Every file is 0644, every directory 0755, and every mtime is the build
//! timestamp (so rsync -t / --checksum see no change after a rebuild) --
//! except under `repo/dists/`, whose indexes keep the time they were
//! written: apt asks the install server with If-Modified-Since, and an
//! InRelease of new content with the old mtime (the profile's timestamp
//! does not move with its version) would be answered "304 Not Modified",
//! so nodes would never see the new packages (found by the VM suite).
//!
//! The swap: everything is written into a fresh directory `.DIR.storpkg-XXXX`
//! created beside `DIR` (same file system). Only when all of it succeeded:
//! - if `DIR` exists, `renameat2(RENAME_EXCHANGE)` swaps the two directories
//!   in one step (DIR is never missing), then the old tree, now under the
//!   temporary name, is removed; where the file system cannot exchange, `DIR`
//!   is renamed to `.DIR.storpkg-old-XXXX`, the new tree renamed to `DIR`
//!   (the old one is put back if that fails), then the old tree removed;
//! - if `DIR` does not exist, the new tree is renamed to `DIR`.
//!
//! On any error before the swap the temporary directory is removed and `DIR`
//! is untouched. An existing `DIR` that is neither empty nor marked as
//! storpkg output is never replaced.

use crate::deb::{self, DebError, DebFile};
use crate::package::PackageSpec;
use crate::repo::{self, RepoConfig, RepoError, RepoReport};
use std::collections::BTreeMap;
use std::fs::{self, File, FileTimes};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// Name of the marker file at the top of every output directory.
pub const MARKER: &str = ".storpkg-output";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Deb(#[from] DebError),
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{} exists and is not a storpkg output directory (no {MARKER}); refusing to replace it",
        .0.display()
    )]
    NotOurs(PathBuf),
    #[error("extra file path {0:?} must be relative, without `..`, outside repo/ and debs/")]
    BadExtraPath(String),
}

/// One package written by this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDeb {
    pub name: String,
    pub version: String,
    /// Relative to the output directory: `debs/NAME_VERSION_ARCH.deb`.
    pub path: PathBuf,
    /// Relative to the output directory: `repo/pool/...`.
    pub pool_path: PathBuf,
    pub size: u64,
}

/// What `write_site` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    pub out_dir: PathBuf,
    pub debs: Vec<WrittenDeb>,
    pub repo: RepoReport,
    /// An earlier output was replaced.
    pub replaced: bool,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Builds every package, the repository and the extra files, and puts them
/// in place as `out_dir` atomically (see the module documentation).
pub fn write_site(
    out_dir: &Path,
    packages: &[PackageSpec],
    extra_files: &BTreeMap<String, Vec<u8>>,
    repo_config: &RepoConfig,
    timestamp: u64,
) -> Result<BuildReport, OutputError> {
    // Everything that can be refused without touching the disk, first.
    repo_config.validate()?;
    for path in extra_files.keys() {
        check_extra_path(path)?;
    }
    let debs: Vec<DebFile> = deb::build_all(packages, timestamp)?;

    let replaced = match fs::symlink_metadata(out_dir) {
        Ok(meta) => {
            let ours = meta.is_dir()
                && (out_dir.join(MARKER).is_file()
                    || fs::read_dir(out_dir)
                        .map_err(io_err(out_dir))?
                        .next()
                        .is_none());
            if !ours {
                return Err(OutputError::NotOurs(out_dir.to_owned()));
            }
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err(out_dir)(e)),
    };
    let old = if replaced {
        repo::read_pool(&out_dir.join("repo"))?
    } else {
        Vec::new()
    };

    let base = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{base}.storpkg-"))
        .tempdir_in(&parent)
        .map_err(io_err(&parent))?;
    let root = tmp.path();

    let repo_report = repo::write_repo(&root.join("repo"), &debs, old, repo_config, timestamp)?;
    let mut written = Vec::new();
    for deb in &debs {
        let pool_path = Path::new("repo").join(repo::pool_path(&repo_config.component, deb));
        let path = Path::new("debs").join(deb.file_name());
        let target = root.join(&path);
        fs::create_dir_all(root.join("debs")).map_err(io_err(&target))?;
        if fs::hard_link(root.join(&pool_path), &target).is_err() {
            fs::write(&target, &deb.bytes).map_err(io_err(&target))?;
        }
        written.push(WrittenDeb {
            name: deb.name.clone(),
            version: deb.version.clone(),
            path,
            pool_path,
            size: deb.bytes.len() as u64,
        });
    }
    for (rel, bytes) in extra_files {
        let target = root.join(rel);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::write(&target, bytes).map_err(io_err(&target))?;
    }
    let marker = root.join(MARKER);
    fs::write(
        &marker,
        "storpkg build output: replaced as a whole by the next `storpkg build`.\n",
    )
    .map_err(io_err(&marker))?;
    normalise(root, timestamp, &root.join("repo").join("dists"))?;

    swap(tmp, out_dir, &parent, &base, replaced)?;
    tracing::info!(out = %out_dir.display(), packages = written.len(), "build output in place");
    Ok(BuildReport {
        out_dir: out_dir.to_owned(),
        debs: written,
        repo: repo_report,
        replaced,
    })
}

fn check_extra_path(path: &str) -> Result<(), OutputError> {
    let p = Path::new(path);
    let bad = || OutputError::BadExtraPath(path.to_owned());
    let mut components = p.components();
    let first = match components.next() {
        Some(Component::Normal(c)) => c,
        _ => return Err(bad()),
    };
    if first == "repo" || first == "debs" || first == MARKER || path.ends_with('/') {
        return Err(bad());
    }
    if !components.all(|c| matches!(c, Component::Normal(_))) || path.chars().any(char::is_control)
    {
        return Err(bad());
    }
    Ok(())
}

/// Modes 0755/0644 and mtime = timestamp on the whole tree but `fresh`
/// (which keeps its write times), children first (setting a file's time
/// does not touch its directory's).
fn normalise(path: &Path, timestamp: u64, fresh: &Path) -> Result<(), OutputError> {
    let meta = fs::symlink_metadata(path).map_err(io_err(path))?;
    let mode = if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(io_err(path))? {
            normalise(&entry.map_err(io_err(path))?.path(), timestamp, fresh)?;
        }
        0o755
    } else {
        0o644
    };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_err(path))?;
    if path.starts_with(fresh) {
        return Ok(());
    }
    let time = UNIX_EPOCH + Duration::from_secs(timestamp);
    let file = File::open(path).map_err(io_err(path))?;
    file.set_times(FileTimes::new().set_accessed(time).set_modified(time))
        .map_err(io_err(path))
}

fn swap(
    tmp: tempfile::TempDir,
    out_dir: &Path,
    parent: &Path,
    base: &str,
    replaced: bool,
) -> Result<(), OutputError> {
    if !replaced {
        fs::rename(tmp.path(), out_dir).map_err(io_err(out_dir))?;
        let _ = tmp.keep();
        return Ok(());
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use nix::fcntl::{renameat2, RenameFlags};
        match renameat2(
            None,
            tmp.path(),
            None,
            out_dir,
            RenameFlags::RENAME_EXCHANGE,
        ) {
            Ok(()) => {
                // `tmp` now names the previous output; dropping it removes it.
                let old = tmp.path().to_owned();
                if let Err(e) = tmp.close() {
                    tracing::warn!(path = %old.display(), error = %e, "could not remove the previous output");
                }
                return Ok(());
            }
            Err(nix::errno::Errno::EINVAL | nix::errno::Errno::ENOSYS) => {}
            Err(e) => return Err(io_err(out_dir)(io::Error::from(e))),
        }
    }
    // Two renames: DIR aside, new tree in, old tree removed.
    let aside = tempfile::Builder::new()
        .prefix(&format!(".{base}.storpkg-old-"))
        .tempdir_in(parent)
        .map_err(io_err(parent))?;
    let aside_path = aside.path().join("old");
    fs::rename(out_dir, &aside_path).map_err(io_err(out_dir))?;
    if let Err(e) = fs::rename(tmp.path(), out_dir) {
        let _ = fs::rename(&aside_path, out_dir);
        return Err(io_err(out_dir)(e));
    }
    let _ = tmp.keep();
    drop(aside);
    Ok(())
}
