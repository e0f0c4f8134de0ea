//! Helpers shared by the plan tests: the whole package as text, and the
//! package's files written to a directory.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;
use storpkg::package::{EntryKind, PackageSpec};

/// Every control field, script and file of a package, each under a
/// `==== name ====` header.
pub fn render_tree(spec: &PackageSpec) -> String {
    let mut out = String::new();
    let list = |v: &Vec<String>| v.join(", ");
    writeln!(out, "==== control ====").unwrap();
    writeln!(out, "Package: {}", spec.name).unwrap();
    writeln!(out, "Version: {}", spec.version).unwrap();
    writeln!(out, "Architecture: {}", spec.architecture).unwrap();
    writeln!(out, "Maintainer: {}", spec.maintainer).unwrap();
    writeln!(out, "Section: {}", spec.section).unwrap();
    writeln!(out, "Priority: {}", spec.priority).unwrap();
    for (k, v) in [
        ("Pre-Depends", &spec.pre_depends),
        ("Depends", &spec.depends),
        ("Recommends", &spec.recommends),
        ("Suggests", &spec.suggests),
        ("Conflicts", &spec.conflicts),
        ("Breaks", &spec.breaks),
        ("Replaces", &spec.replaces),
        ("Provides", &spec.provides),
    ] {
        if !v.is_empty() {
            writeln!(out, "{k}: {}", list(v)).unwrap();
        }
    }
    writeln!(out, "Description: {}", spec.summary).unwrap();
    writeln!(out, "{}", spec.description).unwrap();
    for (member, body) in &spec.control {
        writeln!(out, "==== DEBIAN/{} ====", member.file_name()).unwrap();
        out.push_str(body);
    }
    for (path, entry) in &spec.files {
        match &entry.kind {
            EntryKind::File(bytes) => {
                writeln!(out, "==== {path} ({:04o}) ====", entry.mode).unwrap();
                out.push_str(&String::from_utf8_lossy(bytes));
            }
            EntryKind::Dir => writeln!(out, "==== {path}/ ({:04o} dir) ====", entry.mode).unwrap(),
            EntryKind::Symlink(t) => writeln!(out, "==== {path} -> {t} ====").unwrap(),
        }
    }
    out
}

/// Write a package's files under `root` (symlinks as symlinks).
pub fn write_files(spec: &PackageSpec, root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for (path, entry) in &spec.files {
        let dest = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        match &entry.kind {
            EntryKind::File(bytes) => {
                std::fs::write(&dest, bytes).unwrap();
                std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(entry.mode))
                    .unwrap();
            }
            EntryKind::Dir => std::fs::create_dir_all(&dest).unwrap(),
            EntryKind::Symlink(t) => {
                let _ = std::fs::remove_file(&dest);
                std::os::unix::fs::symlink(t, &dest).unwrap();
            }
        }
    }
}

pub fn file<'a>(spec: &'a PackageSpec, path: &str) -> &'a [u8] {
    match &spec
        .files
        .get(path)
        .unwrap_or_else(|| panic!("{} has no {path}", spec.name))
        .kind
    {
        EntryKind::File(b) => b,
        _ => panic!("{path} is not a file"),
    }
}

/// A .deb of the spec through dpkg-deb (a stand-in for storpkg's own
/// writer in these tests): control fields, conffiles (every file under
/// /etc), scripts and files.
pub fn build_deb(spec: &PackageSpec, out: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let root = out.join(format!("{}-root", spec.name));
    let _ = std::fs::remove_dir_all(&root);
    write_files(spec, &root);
    let debian = root.join("DEBIAN");
    std::fs::create_dir_all(&debian).unwrap();
    let mut control = String::new();
    writeln!(control, "Package: {}", spec.name).unwrap();
    writeln!(control, "Version: {}", spec.version).unwrap();
    writeln!(control, "Architecture: {}", spec.architecture).unwrap();
    writeln!(control, "Maintainer: {}", spec.maintainer).unwrap();
    writeln!(control, "Section: {}", spec.section).unwrap();
    writeln!(control, "Priority: {}", spec.priority).unwrap();
    for (k, v) in [
        ("Pre-Depends", &spec.pre_depends),
        ("Depends", &spec.depends),
        ("Recommends", &spec.recommends),
        ("Conflicts", &spec.conflicts),
    ] {
        if !v.is_empty() {
            writeln!(control, "{k}: {}", v.join(", ")).unwrap();
        }
    }
    writeln!(control, "Description: {}", spec.summary).unwrap();
    for line in spec.description.lines() {
        if line.is_empty() {
            control.push_str(" .\n");
        } else {
            writeln!(control, " {line}").unwrap();
        }
    }
    std::fs::write(debian.join("control"), control).unwrap();
    let conffiles: String = spec
        .files
        .iter()
        .filter(|(p, e)| p.starts_with("/etc/") && matches!(e.kind, EntryKind::File(_)))
        .map(|(p, _)| format!("{p}\n"))
        .collect();
    if !conffiles.is_empty() {
        std::fs::write(debian.join("conffiles"), conffiles).unwrap();
    }
    for (m, body) in &spec.control {
        let f = debian.join(m.file_name());
        std::fs::write(&f, body).unwrap();
        let mode = if m.is_script() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let deb = out.join(format!("{}_{}_all.deb", spec.name, spec.version));
    let o = std::process::Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(&root)
        .arg(&deb)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "dpkg-deb: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    deb
}
