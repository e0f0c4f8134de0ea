//! The apt repository writer. Given the packages of this build and those
//! already in the pool, writes under a repository root:
//!
//! ```text
//! pool/COMPONENT/P/NAME/NAME_VERSION_ARCH.deb     P = first letter, or lib + letter
//! dists/SUITE/Release, InRelease, Release.gpg
//! dists/SUITE/COMPONENT/binary-ARCH/Packages{,.gz,.xz}   for every architecture
//! archive-key.asc, archive-key.gpg               public key, when signed
//! ```
//!
//! Architecture: all packages are listed in every `binary-ARCH/Packages`
//! (and in `binary-all/Packages` when `all` is among the architectures, with
//! `No-Support-for-Architecture-all: Packages` in Release, as Debian does).
//! Packages are sorted by name, then by Debian version.

mod index;
pub mod sign;
pub mod version;

pub use sign::{Signed, SigningKey};

use crate::deb::{gzip_deterministic, xz, DebError, DebFile};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// How the Release file is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// No InRelease/Release.gpg: apt refuses the repository unless told
    /// `[trusted=yes]`. Only when the profile asks for it; warned about.
    Unsigned,
    /// Sign with `gpg --local-user KEY`, in `homedir` (else GNUPGHOME/~/.gnupg).
    Gpg {
        key: String,
        homedir: Option<PathBuf>,
    },
    /// Sign with a key already looked up ([`SigningKey::load`]): `build`
    /// does so before planning, as the node packages ship its public half.
    Key(SigningKey),
}

/// The repository's identity and options, filled from the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoConfig {
    pub origin: String,
    pub label: String,
    /// The `dists/` directory name and the Suite field.
    pub suite: String,
    pub codename: String,
    /// The one component, normally `main`.
    pub component: String,
    /// Release's Architectures, e.g. `["amd64"]` or `["all", "amd64"]`.
    pub architectures: Vec<String>,
    pub description: String,
    pub signing: Signing,
    /// Drop every pool file that this build does not produce.
    pub prune: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(
        "the repository already holds {file} with different contents; raise `site.version` in the profile \
         (apt and reprepro refuse a rebuilt package under the same version)"
    )]
    VersionReused {
        name: String,
        version: String,
        file: String,
    },
    #[error("package {name} version {version} is built twice, or clashes with a version differing only by its epoch")]
    Duplicate { name: String, version: String },
    #[error("repository configuration: {0}")]
    Config(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("existing pool file {}: {source}", path.display())]
    BadPoolFile {
        path: PathBuf,
        #[source]
        source: DebError,
    },
    #[error("signing failed while {what}: {message}")]
    Gpg { what: &'static str, message: String },
}

/// One package in the pool, with its path relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolEntry {
    pub pool_path: String,
    pub deb: DebFile,
    /// Built by this run (as opposed to kept from the previous pool).
    pub new: bool,
}

/// What the repository writer did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepoReport {
    /// Every package listed in the indexes: (name, version, pool path, new).
    pub packages: Vec<(String, String, String, bool)>,
    /// Pool files of the previous output dropped by `prune`.
    pub pruned: Vec<String>,
    pub signed: bool,
    /// Time written into the signatures (None: unsigned, or the real clock).
    pub signature_time: Option<u64>,
    pub warnings: Vec<String>,
}

impl RepoConfig {
    /// Checks every value that lands in a path or a Release field.
    pub fn validate(&self) -> Result<(), RepoError> {
        let word = |what: &str, v: &str| {
            let ok = !v.is_empty()
                && v != "."
                && v != ".."
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c));
            if ok {
                Ok(())
            } else {
                Err(RepoError::Config(format!(
                    "{what} {v:?} must be a single word of letters, digits, - _ . +"
                )))
            }
        };
        let line = |what: &str, v: &str| {
            if v.trim().is_empty() || v.chars().any(char::is_control) || v != v.trim() {
                Err(RepoError::Config(format!(
                    "{what} {v:?} must be one non-empty line"
                )))
            } else {
                Ok(())
            }
        };
        word("suite", &self.suite)?;
        word("codename", &self.codename)?;
        word("component", &self.component)?;
        line("origin", &self.origin)?;
        line("label", &self.label)?;
        line("description", &self.description)?;
        if !self.architectures.iter().any(|a| a != "all") {
            return Err(RepoError::Config(
                "architectures must name at least one real architecture".into(),
            ));
        }
        for arch in &self.architectures {
            word("architecture", arch)?;
        }
        Ok(())
    }
}

/// `pool/COMPONENT/P/NAME/FILE` for a package (source name = package name).
pub fn pool_path(component: &str, deb: &DebFile) -> String {
    let prefix = if deb.name.starts_with("lib") && deb.name.len() > 3 {
        &deb.name[..4]
    } else {
        &deb.name[..1]
    };
    format!("pool/{component}/{prefix}/{}/{}", deb.name, deb.file_name())
}

/// Reads every `*.deb` below `repo_dir/pool` (none when it does not exist).
pub fn read_pool(repo_dir: &Path) -> Result<Vec<DebFile>, RepoError> {
    let mut found = Vec::new();
    let pool = repo_dir.join("pool");
    if pool.is_dir() {
        collect(&pool, &mut found)?;
    }
    found.sort();
    let mut debs = Vec::new();
    for path in found {
        let bytes = std::fs::read(&path).map_err(|source| RepoError::Io {
            path: path.clone(),
            source,
        })?;
        debs.push(DebFile::parse(bytes).map_err(|source| RepoError::BadPoolFile { path, source })?);
    }
    Ok(debs)
}

fn collect(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), RepoError> {
    let io = |source| RepoError::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            collect(&path, found)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "deb") {
            found.push(path);
        }
    }
    Ok(())
}

/// Merges this build's packages with the previous pool: the version guard
/// (same name, version and architecture must mean the same bytes), older
/// versions kept unless `prune`. Sorted by name, then version.
pub fn merge_pool(
    new: &[DebFile],
    old: Vec<DebFile>,
    config: &RepoConfig,
    report: &mut RepoReport,
) -> Result<Vec<PoolEntry>, RepoError> {
    let key = |d: &DebFile| (d.name.clone(), d.version.clone(), d.architecture.clone());
    let mut entries: BTreeMap<(String, String, String), PoolEntry> = BTreeMap::new();
    for deb in new {
        let entry = PoolEntry {
            pool_path: pool_path(&config.component, deb),
            deb: deb.clone(),
            new: true,
        };
        if entries.insert(key(deb), entry).is_some() {
            return Err(RepoError::Duplicate {
                name: deb.name.clone(),
                version: deb.version.clone(),
            });
        }
    }
    for deb in old {
        let pool_path = pool_path(&config.component, &deb);
        match entries.get(&key(&deb)) {
            Some(fresh) if fresh.deb.bytes == deb.bytes => {}
            Some(_) => {
                return Err(RepoError::VersionReused {
                    name: deb.name,
                    version: deb.version,
                    file: pool_path,
                });
            }
            None if config.prune => report.pruned.push(pool_path),
            None => {
                if let Some(fresh) = new
                    .iter()
                    .find(|n| n.name == deb.name && n.architecture == deb.architecture)
                {
                    if version::compare(&fresh.version, &deb.version).is_lt() {
                        report.warnings.push(format!(
                            "{} {} is older than {} already in the repository: nodes that have the newer one \
                             will not downgrade",
                            fresh.name, fresh.version, deb.version
                        ));
                    }
                }
                entries.insert(
                    key(&deb),
                    PoolEntry {
                        pool_path,
                        deb,
                        new: false,
                    },
                );
            }
        }
    }
    let mut list: Vec<PoolEntry> = entries.into_values().collect();
    // `1:1.0` and `1.0` share a file name (the epoch is not in it).
    let mut paths = std::collections::BTreeSet::new();
    for entry in &list {
        if !paths.insert(entry.pool_path.as_str()) {
            return Err(RepoError::Duplicate {
                name: entry.deb.name.clone(),
                version: entry.deb.version.clone(),
            });
        }
    }
    list.sort_by(|a, b| {
        a.deb
            .name
            .cmp(&b.deb.name)
            .then_with(|| version::compare(&a.deb.version, &b.deb.version))
            .then_with(|| a.deb.architecture.cmp(&b.deb.architecture))
    });
    Ok(list)
}

/// Writes the whole repository under `repo_dir` (which should be empty):
/// pool, indexes, Release and, unless [`Signing::Unsigned`], the signatures and the
/// exported key. `old` is the previous pool (see [`read_pool`]).
pub fn write_repo(
    repo_dir: &Path,
    new: &[DebFile],
    old: Vec<DebFile>,
    config: &RepoConfig,
    timestamp: u64,
) -> Result<RepoReport, RepoError> {
    config.validate()?;
    let mut report = RepoReport::default();
    let entries = merge_pool(new, old, config, &mut report)?;
    for entry in &entries {
        write(&repo_dir.join(&entry.pool_path), &entry.deb.bytes)?;
        report.packages.push((
            entry.deb.name.clone(),
            entry.deb.version.clone(),
            entry.pool_path.clone(),
            entry.new,
        ));
    }

    let dist = repo_dir.join("dists").join(&config.suite);
    let mut archs: Vec<&str> = config.architectures.iter().map(String::as_str).collect();
    archs.sort_unstable();
    archs.dedup();
    let mut index_files: Vec<(String, Vec<u8>)> = Vec::new();
    for arch in archs {
        let listed: Vec<&PoolEntry> = entries
            .iter()
            .filter(|e| e.deb.architecture == arch || e.deb.architecture == "all")
            .collect();
        let text = index::packages(&listed).into_bytes();
        let dir = format!("{}/binary-{arch}", config.component);
        let xz = xz(&text).map_err(|source| RepoError::Io {
            path: dist.join(&dir),
            source,
        })?;
        index_files.push((format!("{dir}/Packages"), text.clone()));
        index_files.push((format!("{dir}/Packages.gz"), gzip_deterministic(&text)));
        index_files.push((format!("{dir}/Packages.xz"), xz));
    }
    for (path, bytes) in &index_files {
        write(&dist.join(path), bytes)?;
    }
    let release = index::release(config, timestamp, &index_files);
    let release_path = dist.join("Release");
    write(&release_path, release.as_bytes())?;

    let key = match &config.signing {
        Signing::Unsigned => None,
        Signing::Gpg { key, homedir } => {
            Some(Cow::Owned(SigningKey::load(key, homedir.as_deref())?))
        }
        Signing::Key(key) => Some(Cow::Borrowed(key)),
    };
    match key {
        None => {
            let warning =
                "the repository is unsigned: apt accepts it only with [trusted=yes]".to_owned();
            tracing::warn!("{warning}");
            report.warnings.push(warning);
        }
        Some(key) => {
            let signed = sign::sign(&release_path, &key, timestamp)?;
            write(&dist.join("InRelease"), &signed.in_release)?;
            write(&dist.join("Release.gpg"), &signed.release_gpg)?;
            write(&repo_dir.join("archive-key.asc"), &signed.key_asc)?;
            write(&repo_dir.join("archive-key.gpg"), &signed.key_gpg)?;
            report.signed = true;
            report.signature_time = signed.signature_time;
        }
    }
    tracing::info!(packages = entries.len(), suite = %config.suite, signed = report.signed, "wrote repository");
    Ok(report)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), RepoError> {
    let io = |source| RepoError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}
