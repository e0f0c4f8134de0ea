//! The .deb writer judged by reading the archives back and by the real
//! Debian tools (dpkg-deb, dpkg-gencontrol, lintian).

mod common;
#[path = "deb_fixture.rs"]
mod fixture;

use common::have;
use fixture::{ok, run, spec, TS};
use std::io::Read;
use std::process::Command;
use storpkg::deb::{self, ar, build_deb, DebError, DebFile};
use storpkg::package::{ControlMember, Entry};

fn ungz(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

struct Member {
    path: String,
    mode: u32,
    kind: tar::EntryType,
    link: Option<String>,
    size: u64,
}

/// Reads a tar stream with the `tar` crate and checks the header fields that
/// must be the same for every member.
fn members(tar_bytes: &[u8]) -> Vec<Member> {
    let mut archive = tar::Archive::new(tar_bytes);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        let h = entry.header();
        assert!(h.as_gnu().is_some(), "not a GNU header");
        assert_eq!(h.uid().unwrap(), 0);
        assert_eq!(h.gid().unwrap(), 0);
        assert_eq!(h.username().unwrap(), Some("root"));
        assert_eq!(h.groupname().unwrap(), Some("root"));
        assert_eq!(h.mtime().unwrap(), TS);
        let path = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
        out.push(Member {
            path,
            mode: h.mode().unwrap(),
            kind: h.entry_type(),
            link: entry
                .link_name()
                .unwrap()
                .map(|l| l.to_string_lossy().into_owned()),
            size: h.size().unwrap(),
        });
    }
    out
}

#[test]
fn archive_reads_back() {
    let bytes = build_deb(&spec("pasta-storage-test", "1.2"), TS).unwrap();
    let ar_members = ar::read(&bytes).unwrap();
    let names: Vec<&str> = ar_members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["debian-binary", "control.tar.gz", "data.tar.gz"]);
    for m in &ar_members {
        assert_eq!(
            (m.mtime, m.uid, m.gid, m.mode),
            (TS, 0, 0, 0o100644),
            "{}",
            m.name
        );
    }
    assert_eq!(ar_members[0].data, b"2.0\n");

    let data = members(&ungz(ar_members[2].data));
    let listing: Vec<(&str, u32)> = data.iter().map(|m| (m.path.as_str(), m.mode)).collect();
    assert_eq!(
        listing,
        [
            ("./", 0o755),
            ("./etc/", 0o755),
            ("./etc/pasta/", 0o755),
            ("./etc/pasta/storage.conf", 0o644),
            ("./usr/", 0o755),
            ("./usr/lib/", 0o755),
            ("./usr/lib/pasta/", 0o755),
            ("./usr/lib/pasta/sync", 0o755),
            ("./usr/share/", 0o755),
            ("./usr/share/doc/", 0o755),
            ("./usr/share/doc/pasta-storage-test/", 0o755),
            ("./usr/share/doc/pasta-storage-test/changelog.gz", 0o644),
            ("./usr/share/doc/pasta-storage-test/copyright", 0o644),
            ("./usr/share/pasta/", 0o755),
            ("./usr/share/pasta/nested/", 0o755),
            ("./usr/share/pasta/nested/deeper/", 0o755),
            ("./usr/share/pasta/nested/deeper/volumes.list", 0o644),
            ("./var/", 0o755),
            ("./var/lib/", 0o755),
            ("./var/lib/pasta/", 0o755),
            ("./usr/share/pasta/current", 0o777),
        ]
    );
    let link = data
        .iter()
        .find(|m| m.path == "./usr/share/pasta/current")
        .unwrap();
    assert_eq!(link.kind, tar::EntryType::Symlink);
    assert_eq!(link.link.as_deref(), Some("nested/deeper"));
    assert_eq!(link.size, 0);

    let control = members(&ungz(ar_members[1].data));
    let listing: Vec<(&str, u32)> = control.iter().map(|m| (m.path.as_str(), m.mode)).collect();
    assert_eq!(
        listing,
        [
            ("./", 0o755),
            ("./conffiles", 0o644),
            ("./control", 0o644),
            ("./md5sums", 0o644),
            ("./postinst", 0o755),
            ("./prerm", 0o755),
        ]
    );
}

#[test]
fn control_members_content() {
    let spec = spec("pasta-storage-test", "1.2");
    let deb = DebFile::parse(build_deb(&spec, TS).unwrap()).unwrap();
    assert_eq!(
        (
            deb.name.as_str(),
            deb.version.as_str(),
            deb.architecture.as_str()
        ),
        ("pasta-storage-test", "1.2", "all")
    );
    let expected = "Package: pasta-storage-test\n\
                    Version: 1.2\n\
                    Architecture: all\n\
                    Maintainer: Pasta Storage Admins <storage@pasta.example.org>\n\
                    Installed-Size: 23\n\
                    Depends: drbd-utils (>= 9.22), ocfs2-tools\n\
                    Recommends: bsd-mailx | mailx\n\
                    Section: admin\n\
                    Priority: optional\n\
                    Description: storage configuration of the pasta site\n \
                    This package configures one node of the replicated storage of the\n \
                    pasta site: DRBD resources, the OCFS2 cluster and the NFS exports.\n \
                    .\n \
                    It was generated by storpkg from the site profile.\n";
    assert_eq!(deb.control, expected);
}

#[test]
fn deterministic() {
    let spec = spec("pasta-storage-test", "1.2");
    let a = build_deb(&spec, TS).unwrap();
    assert_eq!(a, build_deb(&spec.clone(), TS).unwrap());
    assert_ne!(a, build_deb(&spec, TS + 1).unwrap());
}

/// The parallel writer gives each package the bytes of the serial one, in
/// order, and reports the first failing package.
#[test]
fn build_all_is_build_of_each() {
    let specs: Vec<_> = (0..7)
        .map(|i| spec(&format!("pasta-storage-n{i}"), &format!("1.{i}")))
        .collect();
    let all = deb::build_all(&specs, TS).unwrap();
    let each: Vec<_> = specs.iter().map(|s| deb::build(s, TS).unwrap()).collect();
    assert_eq!(all, each);
    let mut broken = specs.clone();
    broken[2].version = "bad version".into();
    broken[5].name = "Bad".into();
    assert!(matches!(
        deb::build_all(&broken, TS),
        Err(DebError::Field {
            field: "Version",
            ..
        })
    ));
}

#[test]
fn refuses_broken_input() {
    let base = spec("pasta-storage-test", "1.2");
    let field = |e: DebError| match e {
        DebError::Field { field, .. } => field,
        other => panic!("unexpected {other}"),
    };
    let mut s = base.clone();
    s.depends.push("evil\nPackage: other".into());
    assert_eq!(field(build_deb(&s, TS).unwrap_err()), "Depends");
    let mut s = base.clone();
    s.summary = "two\nlines".into();
    assert_eq!(field(build_deb(&s, TS).unwrap_err()), "Description");
    let mut s = base.clone();
    s.version = "1.2 beta".into();
    assert_eq!(field(build_deb(&s, TS).unwrap_err()), "Version");
    let mut s = base.clone();
    s.name = "Pasta".into();
    assert_eq!(field(build_deb(&s, TS).unwrap_err()), "Package");
    for bad in [
        "relative/path",
        "/etc/../x",
        "/etc/pasta/storage.conf/below",
        "/etc//x",
    ] {
        let mut s = base.clone();
        s.files.insert(bad.into(), Entry::file(0o644, "x"));
        assert!(
            matches!(build_deb(&s, TS), Err(DebError::Path { .. })),
            "{bad}"
        );
    }
    let mut s = base.clone();
    s.control.insert(ControlMember::Postrm, "no shebang".into());
    assert!(matches!(build_deb(&s, TS), Err(DebError::Path { .. })));
}

/// dpkg-deb accepts the package, and rebuilding the unpacked tree with
/// `dpkg-deb --build --root-owner-group` gives the very same tar streams.
#[test]
fn dpkg_deb_agrees() {
    if !have("dpkg-deb") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let deb_path = dir.path().join("p.deb");
    std::fs::write(
        &deb_path,
        build_deb(&spec("pasta-storage-test", "1.2"), TS).unwrap(),
    )
    .unwrap();
    let info = ok(Command::new("dpkg-deb").arg("--info").arg(&deb_path));
    assert!(info.contains(" Package: pasta-storage-test"), "{info}");
    let contents = ok(Command::new("dpkg-deb").arg("--contents").arg(&deb_path));
    assert!(contents.contains("lrwxrwxrwx root/root         0 2023-11-14 22:13 ./usr/share/pasta/current -> nested/deeper"), "{contents}");
    let ctrl = run(Command::new("dpkg-deb")
        .arg("--ctrl-tarfile")
        .arg(&deb_path));
    assert!(ctrl.status.success());
    let tree = dir.path().join("tree");
    ok(Command::new("dpkg-deb").arg("-x").arg(&deb_path).arg(&tree));
    ok(Command::new("dpkg-deb")
        .arg("-e")
        .arg(&deb_path)
        .arg(tree.join("DEBIAN")));
    // dpkg-deb -e also writes md5sums/conffiles; keep them (dpkg-deb --build
    // takes them as they are).
    let rebuilt = dir.path().join("rebuilt.deb");
    ok(Command::new("dpkg-deb")
        .env("SOURCE_DATE_EPOCH", TS.to_string())
        .args(["--root-owner-group", "-Zxz", "--build"])
        .arg(&tree)
        .arg(&rebuilt));
    for what in ["--fsys-tarfile", "--ctrl-tarfile"] {
        let ours = run(Command::new("dpkg-deb").arg(what).arg(&deb_path)).stdout;
        let theirs = run(Command::new("dpkg-deb").arg(what).arg(&rebuilt)).stdout;
        if ours != theirs {
            let keep = std::env::temp_dir().join("storpkg-deb-mismatch");
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::write(keep.join("ours.tar"), &ours).unwrap();
            std::fs::write(keep.join("theirs.tar"), &theirs).unwrap();
            panic!(
                "{what} differs from dpkg-deb's (both kept in {})",
                keep.display()
            );
        }
    }
    // dpkg-deb -I on both shows the same control.
    let theirs = ok(Command::new("dpkg-deb").args(["-f"]).arg(&rebuilt));
    let ours = ok(Command::new("dpkg-deb").args(["-f"]).arg(&deb_path));
    assert_eq!(ours, theirs);
}

/// Installed-Size equals what dpkg-gencontrol computes over the same tree.
#[test]
fn installed_size_matches_dpkg_gencontrol() {
    if !have("dpkg-gencontrol") {
        return;
    }
    let spec = spec("pasta-storage-test", "1.2");
    let deb = DebFile::parse(build_deb(&spec, TS).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("debian/pasta-storage-test");
    std::fs::create_dir_all(&tree).unwrap();
    let deb_path = dir.path().join("p.deb");
    std::fs::write(&deb_path, &deb.bytes).unwrap();
    ok(Command::new("dpkg-deb").arg("-x").arg(&deb_path).arg(&tree));
    std::fs::write(
        dir.path().join("debian/control"),
        format!("Source: pasta-storage-test\nMaintainer: {}\n\nPackage: pasta-storage-test\nArchitecture: all\nDescription: x\n", fixture::MAINTAINER),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("debian/changelog"),
        storpkg::deb::changelog_entry("pasta-storage-test", "1.2", fixture::MAINTAINER, TS, "x"),
    )
    .unwrap();
    let out = ok(Command::new("dpkg-gencontrol")
        .current_dir(dir.path())
        .args(["-ppasta-storage-test", "-O"])
        .arg("-Pdebian/pasta-storage-test"));
    let theirs = out
        .lines()
        .find_map(|l| l.strip_prefix("Installed-Size: "))
        .unwrap();
    let ours = deb
        .control
        .lines()
        .find_map(|l| l.strip_prefix("Installed-Size: "))
        .unwrap();
    assert_eq!(ours, theirs);
}

/// lintian --pedantic -I reports no error, no warning and no info tag on a
/// package with a native version (what site profiles should use: `1.2`).
/// With a Debian revision (`1.2-1`) exactly one warning is left, and stays:
/// `initial-upload-closes-no-bugs` (a one-entry changelog of a `-1` version
/// should close an ITP bug in Debian's archive; meaningless for a site's
/// own repository), so it is the only tag allowed there.
#[test]
fn lintian_is_clean() {
    if !have("lintian") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (version, allowed) in [
        ("1.2", None),
        (
            "1.2-1",
            Some("W: pasta-storage-test: initial-upload-closes-no-bugs"),
        ),
    ] {
        let path = dir
            .path()
            .join(format!("pasta-storage-test_{version}_all.deb"));
        std::fs::write(
            &path,
            build_deb(&spec("pasta-storage-test", version), TS).unwrap(),
        )
        .unwrap();
        let out = run(Command::new("lintian")
            .args(["--pedantic", "-I", "--fail-on", "error,warning"])
            .arg(&path));
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let tags: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.contains("running with root privileges"))
            .collect();
        match allowed {
            None => {
                assert!(out.status.success(), "lintian failed on {version}:\n{text}");
                assert!(tags.is_empty(), "lintian tags on {version}:\n{text}");
            }
            Some(tag) => {
                assert_eq!(tags.len(), 1, "lintian on {version}:\n{text}");
                assert!(tags[0].starts_with(tag), "lintian on {version}:\n{text}");
            }
        }
    }
}

#[test]
fn file_names_drop_the_epoch() {
    let mut s = spec("pasta-storage-test", "2:1.2-1");
    s.files = deb::doc_files("pasta-storage-test", "2:1.2-1", fixture::MAINTAINER, TS, "");
    let deb = deb::build(&s, TS).unwrap();
    assert_eq!(deb.file_name(), "pasta-storage-test_1.2-1_all.deb");
}
