//! The .deb writer: a [`PackageSpec`] in, the bytes of `NAME_VERSION_ARCH.deb`
//! out. Pure: no file system, no clock, no printing. The same spec and
//! timestamp always give the same bytes.
//!
//! Layout (as `dpkg-deb --build --root-owner-group` with `SOURCE_DATE_EPOCH`):
//! ar members `debian-binary`, `control.tar.gz`, `data.tar.gz`; GNU tar
//! members `./`-prefixed, directories with a trailing `/`, in tree order
//! (a directory, then its entries sorted by name) except that symlinks come
//! last (dpkg-deb defers them so they unpack after their targets), every
//! parent directory present, owner root:root, mtime = the build timestamp.

pub mod ar;
pub mod control;
pub mod doc;
pub mod tar;

pub use doc::{changelog_entry, copyright_text, doc_files, gzip_deterministic};

use crate::package::{Entry, EntryKind, PackageSpec};
use md5::{Digest, Md5};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use tar::{TarKind, TarWriter};

/// xz preset of Packages.xz. Not xz's default 6: on these small text files
/// preset 6 costs ~4.5x the CPU of preset 3 for files ~4% smaller.
pub const XZ_PRESET: u32 = 3;

/// gzip level of the .deb members (control.tar.gz, data.tar.gz), which
/// every dpkg reads. Not xz: the members are the bulk of a build's CPU
/// (every node package carries the same ~110 KB node command), and on
/// them xz -3 costs ~3x the CPU of gzip -6 for members ~8% smaller
/// (a 128-node site: 5.5 vs 6.0 MiB of .debs).
pub const GZIP_LEVEL: u32 = 6;

#[derive(Debug, thiserror::Error)]
pub enum DebError {
    #[error("package {package}: field {field}: {problem}")]
    Field {
        package: String,
        field: &'static str,
        problem: String,
    },
    #[error("package {package}: path {path:?}: {problem}")]
    Path {
        package: String,
        path: String,
        problem: String,
    },
    #[error("writing {what}: {source}")]
    Io {
        what: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("not a readable .deb: {0}")]
    Parse(String),
}

/// A built (or read back) binary package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebFile {
    pub name: String,
    pub version: String,
    pub architecture: String,
    /// The `control` member, exactly as stored in control.tar.
    pub control: String,
    pub bytes: Vec<u8>,
}

impl DebFile {
    /// `NAME_VERSION_ARCH.deb`, with the epoch left out as dpkg-name does.
    pub fn file_name(&self) -> String {
        let version = self
            .version
            .split_once(':')
            .map_or(self.version.as_str(), |(_, v)| v);
        format!("{}_{}_{}.deb", self.name, version, self.architecture)
    }

    /// Reads the control file of an existing .deb (control.tar.xz or .gz).
    pub fn parse(bytes: Vec<u8>) -> Result<DebFile, DebError> {
        let parse = |e: io::Error| DebError::Parse(e.to_string());
        let members = ar::read(&bytes).map_err(parse)?;
        let first = members.first().map(|m| (m.name.as_str(), m.data));
        if first != Some(("debian-binary", b"2.0\n".as_slice())) {
            return Err(DebError::Parse(
                "first member is not debian-binary 2.0".into(),
            ));
        }
        let member = members
            .iter()
            .find(|m| m.name.starts_with("control.tar"))
            .ok_or_else(|| DebError::Parse("no control.tar member".into()))?;
        let mut tar_bytes = Vec::new();
        match member.name.as_str() {
            "control.tar.xz" => xz2::read::XzDecoder::new(member.data).read_to_end(&mut tar_bytes),
            "control.tar.gz" => {
                flate2::read::GzDecoder::new(member.data).read_to_end(&mut tar_bytes)
            }
            "control.tar" => {
                tar_bytes.extend_from_slice(member.data);
                Ok(0)
            }
            other => return Err(DebError::Parse(format!("unsupported member {other}"))),
        }
        .map_err(parse)?;
        let entries = tar::read(&tar_bytes).map_err(parse)?;
        let control = entries
            .iter()
            .find(|m| m.name == "./control" || m.name == "control")
            .ok_or_else(|| DebError::Parse("control.tar has no control file".into()))?;
        let control = String::from_utf8(control.data.to_vec())
            .map_err(|_| DebError::Parse("control file is not UTF-8".into()))?;
        let field = |name: &str| {
            control.lines().find_map(|l| {
                l.strip_prefix(name)?
                    .strip_prefix(':')
                    .map(|v| v.trim().to_owned())
            })
        };
        let (Some(name), Some(version), Some(architecture)) =
            (field("Package"), field("Version"), field("Architecture"))
        else {
            return Err(DebError::Parse(
                "control file lacks Package, Version or Architecture".into(),
            ));
        };
        drop(members);
        Ok(DebFile {
            name,
            version,
            architecture,
            control,
            bytes,
        })
    }
}

/// Builds the .deb of `spec`; every timestamp in it is `timestamp`.
pub fn build_deb(spec: &PackageSpec, timestamp: u64) -> Result<Vec<u8>, DebError> {
    build(spec, timestamp).map(|deb| deb.bytes)
}

/// Builds the .deb of `spec` and returns it with its control stanza.
pub fn build(spec: &PackageSpec, timestamp: u64) -> Result<DebFile, DebError> {
    let tars = tars(spec, timestamp)?;
    let control_gz = gzip_member(&tars.control_tar).map_err(|source| DebError::Io {
        what: "control.tar",
        source,
    })?;
    let data_gz = gzip_member(&tars.data_tar).map_err(|source| DebError::Io {
        what: "data.tar",
        source,
    })?;
    assemble(tars, &control_gz, &data_gz, timestamp)
}

/// Builds every package of `specs`, in `specs` order: the same bytes as
/// [`build`] on each, with the compression of all members (the bulk of
/// the work) spread over the available cores, biggest member first. The
/// error reported is the one of the first failing package.
pub fn build_all(specs: &[PackageSpec], timestamp: u64) -> Result<Vec<DebFile>, DebError> {
    let tars: Vec<Tars> = crate::par::map(specs, |spec| tars(spec, timestamp))
        .into_iter()
        .collect::<Result<_, _>>()?;
    // (package, data member?) for every member, biggest first.
    let mut jobs: Vec<(usize, bool)> = (0..tars.len())
        .flat_map(|i| [(i, false), (i, true)])
        .collect();
    jobs.sort_by_key(|&(i, data)| std::cmp::Reverse(tars[i].member(data).len()));
    let compressed = crate::par::map(&jobs, |&(i, data)| gzip_member(tars[i].member(data)));
    let mut members: Vec<[Option<io::Result<Vec<u8>>>; 2]> =
        std::iter::repeat_with(|| [None, None])
            .take(tars.len())
            .collect();
    for (&(i, data), gz) in jobs.iter().zip(compressed) {
        members[i][usize::from(data)] = Some(gz);
    }
    tars.into_iter()
        .zip(members)
        .map(|(tars, [control_gz, data_gz])| {
            let control_gz = control_gz
                .expect("compressed")
                .map_err(|source| DebError::Io {
                    what: "control.tar",
                    source,
                })?;
            let data_gz = data_gz
                .expect("compressed")
                .map_err(|source| DebError::Io {
                    what: "data.tar",
                    source,
                })?;
            assemble(tars, &control_gz, &data_gz, timestamp)
        })
        .collect()
}

/// A package with its control.tar and data.tar written, not yet compressed.
struct Tars {
    name: String,
    version: String,
    architecture: String,
    control: String,
    files: usize,
    control_tar: Vec<u8>,
    data_tar: Vec<u8>,
}

impl Tars {
    fn member(&self, data: bool) -> &[u8] {
        if data {
            &self.data_tar
        } else {
            &self.control_tar
        }
    }
}

/// Checks `spec` and writes its two tar members.
fn tars(spec: &PackageSpec, timestamp: u64) -> Result<Tars, DebError> {
    let members = data_members(spec)?;
    let control_text = control::render(spec, installed_size(&members))?;

    let mut data = TarWriter::new(Vec::new(), timestamp);
    let mut md5sums = String::new();
    let mut conffiles = String::new();
    for (path, entry) in &members {
        let name = if path == "/" {
            "./".to_owned()
        } else {
            format!(".{path}")
        };
        let io = |source| DebError::Io {
            what: "data.tar",
            source,
        };
        match &entry.kind {
            EntryKind::Dir => data.append(
                &format!("{}/", name.trim_end_matches('/')),
                entry.mode,
                TarKind::Dir,
            ),
            EntryKind::Symlink(target) => data.append(&name, entry.mode, TarKind::Symlink(target)),
            EntryKind::File(bytes) => {
                md5sums.push_str(&format!("{:x}  {}\n", Md5::digest(bytes), &path[1..]));
                if path.starts_with("/etc/") {
                    conffiles.push_str(path);
                    conffiles.push('\n');
                }
                data.append(&name, entry.mode, TarKind::File(bytes))
            }
        }
        .map_err(io)?;
    }
    let data = data.finish().map_err(|source| DebError::Io {
        what: "data.tar",
        source,
    })?;

    let mut ctrl: BTreeMap<&str, (u32, &[u8])> = BTreeMap::new();
    ctrl.insert("control", (0o644, control_text.as_bytes()));
    if !md5sums.is_empty() {
        ctrl.insert("md5sums", (0o644, md5sums.as_bytes()));
    }
    if !conffiles.is_empty() {
        ctrl.insert("conffiles", (0o644, conffiles.as_bytes()));
    }
    for (member, text) in &spec.control {
        let mode = if member.is_script() { 0o755 } else { 0o644 };
        if member.is_script() && !text.starts_with("#!") {
            return Err(DebError::Path {
                package: spec.name.clone(),
                path: member.file_name().to_owned(),
                problem: "maintainer script does not start with #!".into(),
            });
        }
        ctrl.insert(member.file_name(), (mode, text.as_bytes()));
    }
    let mut control_tar = TarWriter::new(Vec::new(), timestamp);
    let cio = |source| DebError::Io {
        what: "control.tar",
        source,
    };
    control_tar.append("./", 0o755, TarKind::Dir).map_err(cio)?;
    for (name, (mode, bytes)) in &ctrl {
        control_tar
            .append(&format!("./{name}"), *mode, TarKind::File(bytes))
            .map_err(cio)?;
    }
    let control_tar = control_tar.finish().map_err(cio)?;

    Ok(Tars {
        name: spec.name.clone(),
        version: spec.version.clone(),
        architecture: spec.architecture.clone(),
        control: control_text,
        files: members.len(),
        control_tar,
        data_tar: data,
    })
}

/// The ar container around the compressed members.
fn assemble(
    tars: Tars,
    control_gz: &[u8],
    data_gz: &[u8],
    timestamp: u64,
) -> Result<DebFile, DebError> {
    let aio = |source| DebError::Io { what: "ar", source };
    let mut deb = ar::ArWriter::new(Vec::new(), timestamp).map_err(aio)?;
    deb.append("debian-binary", b"2.0\n").map_err(aio)?;
    deb.append("control.tar.gz", control_gz).map_err(aio)?;
    deb.append("data.tar.gz", data_gz).map_err(aio)?;
    tracing::debug!(package = %tars.name, version = %tars.version, files = tars.files, "built .deb");
    Ok(DebFile {
        name: tars.name,
        version: tars.version,
        architecture: tars.architecture,
        control: tars.control,
        bytes: deb.into_inner(),
    })
}

/// Every member of data.tar in archive order, keyed by absolute path ("/"
/// for the root), with the missing parent directories added (mode 0755).
/// Order: tree order (paths compared component by component), then the
/// symlinks in tree order, as dpkg-deb writes them.
pub fn data_members(spec: &PackageSpec) -> Result<Vec<(String, Entry)>, DebError> {
    let mut all: BTreeMap<Vec<&str>, (String, Entry)> = BTreeMap::new();
    all.insert(Vec::new(), ("/".to_owned(), Entry::dir()));
    for (path, entry) in &spec.files {
        let bad = |problem: &str| DebError::Path {
            package: spec.name.clone(),
            path: path.clone(),
            problem: problem.to_owned(),
        };
        let rel = path.strip_prefix('/').ok_or_else(|| bad("not absolute"))?;
        let parts: Vec<&str> = rel.split('/').collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
        {
            return Err(bad("empty, `.` or `..` component (or trailing slash)"));
        }
        if path.chars().any(char::is_control) {
            return Err(bad("control character in path"));
        }
        if entry.mode > 0o7777 {
            return Err(bad("mode has bits above 07777"));
        }
        for depth in 1..parts.len() {
            let key = parts[..depth].to_vec();
            match all.get(&key) {
                Some((_, e)) if e.kind != EntryKind::Dir => {
                    return Err(bad("a parent is not a directory"))
                }
                Some(_) => {}
                None => {
                    all.insert(
                        key,
                        (format!("/{}", parts[..depth].join("/")), Entry::dir()),
                    );
                }
            }
        }
        if let Some((_, existing)) = all.get(&parts) {
            if !(existing.kind == EntryKind::Dir && entry.kind == EntryKind::Dir) {
                return Err(bad("listed twice or below a file"));
            }
        }
        all.insert(parts, (path.clone(), entry.clone()));
    }
    // Belt and braces: no member may sit below a non-directory.
    let mut members: Vec<(String, Entry)> = all.into_values().collect();
    for pair in members.windows(2) {
        let (parent, entry) = &pair[0];
        if entry.kind != EntryKind::Dir && pair[1].0.starts_with(&format!("{parent}/")) {
            return Err(DebError::Path {
                package: spec.name.clone(),
                path: parent.clone(),
                problem: "is a file but has entries below it".into(),
            });
        }
    }
    // dpkg-deb defers symlinks to the end so they unpack after their targets.
    members.sort_by_key(|(_, e)| matches!(e.kind, EntryKind::Symlink(_)));
    Ok(members)
}

/// Installed-Size in KiB as dpkg-gencontrol computes it over the unpacked
/// tree: ceil(size/1024) per regular file and per symlink (size = length of
/// the target), 1 per directory including the root.
pub fn installed_size(members: &[(String, Entry)]) -> u64 {
    members
        .iter()
        .map(|(_, e)| match &e.kind {
            EntryKind::Dir => 1,
            EntryKind::File(bytes) => (bytes.len() as u64).div_ceil(1024),
            EntryKind::Symlink(target) => (target.len() as u64).div_ceil(1024),
        })
        .sum()
}

/// A .deb member gzip-compressed at [`GZIP_LEVEL`]: no file name, mtime 0,
/// OS byte 3 (Unix). Same input, same bytes.
pub fn gzip_member(input: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::GzBuilder::new().mtime(0).operating_system(3).write(
        Vec::with_capacity(input.len() / 4 + 64),
        flate2::Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(input)?;
    encoder.finish()
}

/// xz with a fixed preset, single-threaded, CRC64; the dictionary is cut to
/// the input size (same output as the full preset, far less memory and set-up
/// time for small members).
pub fn xz(input: &[u8]) -> io::Result<Vec<u8>> {
    let mut options = xz2::stream::LzmaOptions::new_preset(XZ_PRESET).map_err(io::Error::other)?;
    let dict = (input.len() as u32)
        .clamp(4096, 8 << 20)
        .next_power_of_two();
    options.dict_size(dict);
    let mut filters = xz2::stream::Filters::new();
    filters.lzma2(&options);
    let stream = xz2::stream::Stream::new_stream_encoder(&filters, xz2::stream::Check::Crc64)
        .map_err(io::Error::other)?;
    let mut encoder =
        xz2::write::XzEncoder::new_stream(Vec::with_capacity(input.len() / 3 + 512), stream);
    encoder.write_all(input)?;
    encoder.finish()
}
