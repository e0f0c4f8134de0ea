//! The repository and the atomic output judged by reprepro, gpgv and apt
//! (private configuration, no chroot), plus the version guard and atomicity.

mod common;
#[path = "deb_fixture.rs"]
mod fixture;

use common::have;
use fixture::{ok, run, spec, TS};
use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use storpkg::output::{write_site, OutputError, MARKER};
use storpkg::package::{Entry, PackageSpec};
use storpkg::repo::{RepoConfig, RepoError, Signing};

fn config(signing: Signing) -> RepoConfig {
    RepoConfig {
        origin: "pasta".into(),
        label: "pasta storage".into(),
        suite: "bookworm".into(),
        codename: "bookworm".into(),
        component: "main".into(),
        architectures: vec!["all".into(), "amd64".into()],
        description: "Site packages of the pasta storage cluster".into(),
        signing,
        prune: false,
    }
}

fn specs(version: &str) -> Vec<PackageSpec> {
    vec![
        spec("pasta-storage-fiori", version),
        spec("pasta-storage-ids", version),
        spec("libpasta-test", version),
    ]
}

fn extras() -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([(
        "preseed/fiori.cfg".to_owned(),
        b"d-i apt-setup/local0/repository string x\n".to_vec(),
    )])
}

/// Every file and directory under `dir`: relative path -> (bytes, mode,
/// mtime); the mtime is 0 under `repo/dists`, whose indexes keep the time
/// they were written (checked: every one is newer than the timestamp).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32, i64)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, u32, i64)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_owned();
            let mtime = if rel.starts_with("repo/dists") {
                assert!(
                    meta.mtime() > TS as i64,
                    "{}: an index must keep its write time (If-Modified-Since)",
                    rel.display()
                );
                0
            } else {
                meta.mtime()
            };
            if meta.is_dir() {
                out.insert(rel, (Vec::new(), meta.permissions().mode(), mtime));
                walk(root, &path, out);
            } else {
                out.insert(
                    rel,
                    (
                        std::fs::read(&path).unwrap(),
                        meta.permissions().mode(),
                        mtime,
                    ),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A throwaway GnuPG home with an ed25519 signing key; kills its agent on drop.
struct Gpg {
    home: tempfile::TempDir,
    fingerprint: String,
}

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        ok(Command::new("gpg").arg("--homedir").arg(home.path()).args([
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "storpkg test <test@invalid>",
            "ed25519",
            "sign",
            "never",
        ]));
        let listing = ok(Command::new("gpg")
            .arg("--homedir")
            .arg(home.path())
            .args(["--with-colons", "--list-keys"]));
        let fingerprint = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:::::::::"))
            .unwrap()
            .trim_end_matches(':')
            .to_owned();
        Gpg { home, fingerprint }
    }
    fn signing(&self) -> Signing {
        Signing::Gpg {
            key: self.fingerprint.clone(),
            homedir: Some(self.home.path().to_owned()),
        }
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

#[test]
fn layout_indexes_and_determinism() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out_a = a.path().join("dist");
    let out_b = b.path().join("nested/elsewhere/dist");
    let report = write_site(
        &out_a,
        &specs("1.0"),
        &extras(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    write_site(
        &out_b,
        &specs("1.0"),
        &extras(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    assert!(!report.replaced);
    assert_eq!(
        report.repo.warnings.len(),
        1,
        "unsigned repositories are warned about"
    );
    let snap = snapshot(&out_a);
    assert_eq!(
        snap,
        snapshot(&out_b),
        "two builds in two directories differ"
    );

    let paths: Vec<String> = snap.keys().map(|p| p.display().to_string()).collect();
    for expected in [
        MARKER,
        "debs/pasta-storage-fiori_1.0_all.deb",
        "preseed/fiori.cfg",
        "repo/pool/main/libp/libpasta-test/libpasta-test_1.0_all.deb",
        "repo/pool/main/p/pasta-storage-fiori/pasta-storage-fiori_1.0_all.deb",
        "repo/dists/bookworm/Release",
        "repo/dists/bookworm/main/binary-amd64/Packages.xz",
        "repo/dists/bookworm/main/binary-all/Packages.gz",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} missing from {paths:#?}"
        );
    }
    for (path, (_, mode, mtime)) in &snap {
        if path.starts_with("repo/dists") {
            // Written now (see `fresh_indexes_are_newer_than_the_timestamp`).
            assert_eq!(*mtime, 0, "{}", path.display());
        } else {
            assert_eq!(*mtime, TS as i64, "{}", path.display());
        }
        let want = if out_a.join(path).is_dir() {
            0o40755
        } else {
            0o100644
        };
        assert_eq!(*mode, want, "{}", path.display());
    }
    let dist = out_a.join("repo/dists/bookworm");
    let release = std::fs::read_to_string(dist.join("Release")).unwrap();
    assert!(
        release.starts_with(
            "Origin: pasta\nLabel: pasta storage\nSuite: bookworm\nCodename: bookworm\n\
         Date: Tue, 14 Nov 2023 22:13:20 UTC\nArchitectures: all amd64\n"
        ),
        "{release}"
    );
    // Every index listed with its real size and SHA256.
    let sha256 = release.split("SHA256:\n").nth(1).unwrap();
    let mut listed = 0;
    for line in sha256.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let bytes = std::fs::read(dist.join(f[2])).unwrap();
        assert_eq!(f[1], bytes.len().to_string());
        use sha2::Digest;
        assert_eq!(f[0], format!("{:x}", sha2::Sha256::digest(&bytes)));
        listed += 1;
    }
    assert_eq!(listed, 6);
    let packages = std::fs::read_to_string(dist.join("main/binary-amd64/Packages")).unwrap();
    let names: Vec<&str> = packages
        .lines()
        .filter_map(|l| l.strip_prefix("Package: "))
        .collect();
    assert_eq!(
        names,
        ["libpasta-test", "pasta-storage-fiori", "pasta-storage-ids"]
    );
    assert!(packages
        .contains("Filename: pool/main/p/pasta-storage-ids/pasta-storage-ids_1.0_all.deb\n"));
}

#[test]
fn reprepro_accepts_every_package() {
    if !have("reprepro") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let report = write_site(
        &out,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    let base = dir.path().join("reprepro");
    std::fs::create_dir_all(base.join("conf")).unwrap();
    std::fs::write(
        base.join("conf/distributions"),
        "Codename: bookworm\nArchitectures: amd64\nComponents: main\n",
    )
    .unwrap();
    for deb in &report.debs {
        ok(Command::new("reprepro")
            .arg("-b")
            .arg(&base)
            .args(["includedeb", "bookworm"])
            .arg(out.join(&deb.path)));
    }
    let list = ok(Command::new("reprepro")
        .arg("-b")
        .arg(&base)
        .args(["list", "bookworm"]));
    assert_eq!(list.lines().count(), 3, "{list}");
}

/// apt-get with a private state, pointed at `repo` over file:.
fn apt(work: &Path, repo: &Path, options: &str, args: &[&str]) -> std::process::Output {
    for d in [
        "state/lists/partial",
        "cache/archives/partial",
        "parts",
        "sources.d",
    ] {
        std::fs::create_dir_all(work.join(d)).unwrap();
    }
    std::fs::write(work.join("status"), "").unwrap();
    std::fs::write(
        work.join("sources.list"),
        format!("deb [{options}] file:{} bookworm main\n", repo.display()),
    )
    .unwrap();
    let o = |k: &str, v: &Path| format!("-o{k}={}", v.display());
    run(Command::new("apt-get")
        .current_dir(work)
        .arg(o("Dir::Etc::SourceList", &work.join("sources.list")))
        .arg(o("Dir::Etc::SourceParts", &work.join("sources.d")))
        .arg(o("Dir::State", &work.join("state")))
        .arg(o("Dir::State::status", &work.join("status")))
        .arg(o("Dir::Cache", &work.join("cache")))
        .args([
            "-oAPT::Sandbox::User=root",
            "-oDebug::NoLocking=1",
            "-oAPT::Architecture=amd64",
        ])
        .args([
            "-oAPT::Architectures=amd64",
            "-oAcquire::Languages=none",
            "-q",
        ])
        .args(args))
}

#[test]
fn signed_repository_verified_by_gpgv_and_apt() {
    if !(have("gpg") && have("gpgv") && have("apt-get")) {
        return;
    }
    let key = Gpg::new();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    let report = write_site(
        &out,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(key.signing()),
        TS,
    )
    .unwrap();
    assert!(report.repo.signed);
    assert!(
        report.repo.warnings.is_empty(),
        "{:?}",
        report.repo.warnings
    );
    let repo = out.join("repo");
    let keyring = repo.join("archive-key.gpg");
    let dist = repo.join("dists/bookworm");
    ok(Command::new("gpgv")
        .arg("--keyring")
        .arg(&keyring)
        .arg(dist.join("InRelease")));
    ok(Command::new("gpgv")
        .arg("--keyring")
        .arg(&keyring)
        .arg(dist.join("Release.gpg"))
        .arg(dist.join("Release")));
    let asc = std::fs::read_to_string(repo.join("archive-key.asc")).unwrap();
    assert!(asc.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    // archive-key.gpg (decoded from the armor) is gpg's own binary export.
    let exported = Command::new("gpg")
        .arg("--homedir")
        .arg(key.home.path())
        .args(["--batch", "--export-options", "export-minimal", "--export"])
        .arg(&key.fingerprint)
        .output()
        .unwrap();
    assert!(exported.status.success());
    assert_eq!(std::fs::read(&keyring).unwrap(), exported.stdout);

    // Signatures are reproducible for an ed25519 key.
    let again = dir.path().join("again");
    write_site(
        &again,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(key.signing()),
        TS,
    )
    .unwrap();
    let (a, b) = (snapshot(&out), snapshot(&again));
    let differ: Vec<_> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            (
                k,
                a.get(k).map(|v| (v.1, v.2)),
                b.get(k).map(|v| (v.1, v.2)),
            )
        })
        .collect();
    if !differ.is_empty() {
        for k in &differ {
            eprintln!(
                "A {}:\n{}\nB:\n{}",
                k.0.display(),
                String::from_utf8_lossy(&a[k.0].0),
                String::from_utf8_lossy(&b[k.0].0)
            );
        }
    }
    assert!(differ.is_empty(), "signed builds differ: {differ:?}");

    // apt verifies with signed-by and downloads a package by name.
    let work = dir.path().join("apt");
    let signed_by = format!("signed-by={}", keyring.display());
    let update = apt(&work, &repo, &signed_by, &["update"]);
    let text = String::from_utf8_lossy(&update.stdout).into_owned()
        + &String::from_utf8_lossy(&update.stderr);
    assert!(
        update.status.success() && !text.contains("W:") && !text.contains("E:"),
        "apt-get update:\n{text}"
    );
    let download = apt(
        &work,
        &repo,
        &signed_by,
        &["download", "pasta-storage-fiori"],
    );
    assert!(
        download.status.success(),
        "{}",
        String::from_utf8_lossy(&download.stderr)
    );
    let fetched = std::fs::read(work.join("pasta-storage-fiori_1.0_all.deb")).unwrap();
    assert_eq!(
        fetched,
        std::fs::read(out.join("debs/pasta-storage-fiori_1.0_all.deb")).unwrap()
    );

    // A tampered Release (and InRelease) is refused.
    let tampered = dir.path().join("tampered");
    ok(Command::new("cp").arg("-a").arg(&out).arg(&tampered));
    let tdist = tampered.join("repo/dists/bookworm");
    for name in ["Release", "InRelease"] {
        let text = std::fs::read_to_string(tdist.join(name)).unwrap();
        std::fs::write(
            tdist.join(name),
            text.replace("Label: pasta storage", "Label: pasta storagf"),
        )
        .unwrap();
    }
    let work = dir.path().join("apt-tampered");
    let update = apt(&work, &tampered.join("repo"), &signed_by, &["update"]);
    let text = String::from_utf8_lossy(&update.stderr).into_owned();
    assert!(
        !update.status.success() && text.contains("BADSIG"),
        "tampered repo accepted:\n{text}"
    );

    // An unsigned repository is refused without [trusted=yes].
    let unsigned = dir.path().join("unsigned");
    write_site(
        &unsigned,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    let work = dir.path().join("apt-unsigned");
    let update = apt(&work, &unsigned.join("repo"), &signed_by, &["update"]);
    let text = String::from_utf8_lossy(&update.stderr).into_owned();
    assert!(
        !update.status.success() && text.contains("is not signed"),
        "unsigned repo accepted:\n{text}"
    );
}

#[test]
fn keeps_older_versions_unless_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    write_site(
        &out,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    let report = write_site(
        &out,
        &specs("1.1"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS + 60,
    )
    .unwrap();
    assert!(report.replaced);
    let packages =
        std::fs::read_to_string(out.join("repo/dists/bookworm/main/binary-amd64/Packages"))
            .unwrap();
    let listed: Vec<(&str, &str)> = packages
        .split("\n\n")
        .map(|s| {
            let f = |k: &str| s.lines().find_map(|l| l.strip_prefix(k)).unwrap();
            (f("Package: "), f("Version: "))
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("libpasta-test", "1.0"),
            ("libpasta-test", "1.1"),
            ("pasta-storage-fiori", "1.0"),
            ("pasta-storage-fiori", "1.1"),
            ("pasta-storage-ids", "1.0"),
            ("pasta-storage-ids", "1.1")
        ]
    );
    // debs/ holds only this build's packages.
    assert_eq!(std::fs::read_dir(out.join("debs")).unwrap().count(), 3);
    assert!(out
        .join("repo/pool/main/p/pasta-storage-ids/pasta-storage-ids_1.0_all.deb")
        .is_file());

    let mut prune = config(Signing::Unsigned);
    prune.prune = true;
    let report = write_site(&out, &specs("1.2"), &BTreeMap::new(), &prune, TS + 120).unwrap();
    assert_eq!(report.repo.pruned.len(), 6);
    let packages =
        std::fs::read_to_string(out.join("repo/dists/bookworm/main/binary-amd64/Packages"))
            .unwrap();
    assert_eq!(packages.matches("Version: 1.2").count(), 3);
    assert_eq!(packages.matches("Package: ").count(), 3);
    assert!(!out
        .join("repo/pool/main/p/pasta-storage-ids/pasta-storage-ids_1.0_all.deb")
        .exists());
}

#[test]
fn version_guard() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    write_site(
        &out,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    let before = snapshot(&out);
    // Rebuilding the same thing is idempotent.
    write_site(
        &out,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    assert_eq!(before, snapshot(&out));
    // Same version, other content: refused, output untouched.
    let mut changed = specs("1.0");
    changed[1].files.insert(
        "/etc/pasta/extra.conf".into(),
        Entry::file(0o644, "x = 1\n"),
    );
    let err = write_site(
        &out,
        &changed,
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap_err();
    match &err {
        OutputError::Repo(RepoError::VersionReused { name, version, .. }) => {
            assert_eq!(
                (name.as_str(), version.as_str()),
                ("pasta-storage-ids", "1.0")
            );
        }
        other => panic!("unexpected error {other}"),
    }
    assert!(err.to_string().contains("raise `site.version`"), "{err}");
    assert_eq!(before, snapshot(&out));
    assert_eq!(leftovers(dir.path()), ["dist"]);
}

fn leftovers(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    if !have("gpg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    write_site(
        &out,
        &specs("1.0"),
        &extras(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
    let before = snapshot(&out);
    let empty_home = tempfile::tempdir().unwrap();
    let bad = Signing::Gpg {
        key: "0123456789ABCDEF".into(),
        homedir: Some(empty_home.path().to_owned()),
    };
    // Fails after the packages, pool and indexes were written to the temporary tree.
    let err = write_site(&out, &specs("1.1"), &BTreeMap::new(), &config(bad), TS).unwrap_err();
    assert!(
        matches!(err, OutputError::Repo(RepoError::Gpg { .. })),
        "{err}"
    );
    assert_eq!(before, snapshot(&out));
    assert_eq!(leftovers(dir.path()), ["dist"]);
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(empty_home.path())
        .args(["--kill", "gpg-agent"])
        .output();

    // A broken package spec fails before anything is written.
    let mut broken = specs("1.1");
    broken[0].depends.push("bad\nvalue".into());
    assert!(matches!(
        write_site(
            &out,
            &broken,
            &BTreeMap::new(),
            &config(Signing::Unsigned),
            TS
        ),
        Err(OutputError::Deb(_))
    ));
    assert_eq!(before, snapshot(&out));
}

#[test]
fn refuses_to_replace_foreign_directories() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("home");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "precious").unwrap();
    let err = write_site(
        &out,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap_err();
    assert!(matches!(err, OutputError::NotOurs(_)), "{err}");
    assert_eq!(std::fs::read(out.join("thesis.tex")).unwrap(), b"precious");
    for bad in ["../x", "/abs", "repo/dists/x", "debs/x", "a/../b", ""] {
        let extra = BTreeMap::from([(bad.to_owned(), Vec::new())]);
        let err = write_site(
            &dir.path().join("new"),
            &specs("1.0"),
            &extra,
            &config(Signing::Unsigned),
            TS,
        );
        assert!(matches!(err, Err(OutputError::BadExtraPath(_))), "{bad}");
    }
    // An empty existing directory is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    write_site(
        &empty,
        &specs("1.0"),
        &BTreeMap::new(),
        &config(Signing::Unsigned),
        TS,
    )
    .unwrap();
}
