//! `storpkg build` of the example profiles, judged by the real tools:
//! byte-identical rebuilds from different directories, dpkg-deb, lintian
//! (pedantic, with every remaining tag listed and explained), reprepro,
//! SOURCE_DATE_EPOCH handling.

mod common;

use assert_cmd::Command;
use common::have;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

/// A throwaway GnuPG home with the key the example profile names.
fn gnupg(dir: &Path) -> PathBuf {
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let ok = Std::new("gpg")
        .args([
            "--batch",
            "--quiet",
            "--passphrase",
            "",
            "--quick-gen-key",
            "storpkg pasta archive key <root@pasta.net>",
            "ed25519",
            "sign",
            "never",
        ])
        .env("GNUPGHOME", &home)
        .status()
        .unwrap();
    assert!(ok.success());
    home
}

fn build(profile: &str, out: &Path, home: &Path, cwd: &Path) {
    let profile = std::fs::canonicalize(profile).unwrap();
    Command::cargo_bin("storpkg")
        .unwrap()
        .current_dir(cwd)
        .env("GNUPGHOME", home)
        .env("SOURCE_DATE_EPOCH", "1764547200")
        .arg("build")
        .arg(&profile)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn two_builds_from_different_directories_are_byte_identical() {
    if !have("gpg") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = gnupg(tmp.path());
    for (i, cwd) in ["a", "b/c"].iter().enumerate() {
        let cwd = tmp.path().join(cwd);
        std::fs::create_dir_all(&cwd).unwrap();
        build(
            "profiles/pasta.toml",
            &tmp.path().join(format!("out{i}")),
            &home,
            &cwd,
        );
    }
    let (a, b) = (
        tree(&tmp.path().join("out0")),
        tree(&tmp.path().join("out1")),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(b[k] == *v, "{k} differs between the two builds");
    }
    assert!(a.contains_key("repo/dists/bookworm/InRelease"));
    assert!(a.contains_key("preseed/fiori.cfg"));
}

/// Tags lintian --pedantic -I may still report, with their reasons, in
/// tests/lintian-allowed-tags (shared with tests/chroot/lintian).
fn allowed_tags() -> Vec<String> {
    std::fs::read_to_string("tests/lintian-allowed-tags")
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn lintian_dpkg_deb_and_reprepro_accept_every_package() {
    if !have("gpg") || !have("lintian") || !have("reprepro") || !have("dpkg-deb") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = gnupg(tmp.path());
    let allowed = allowed_tags();
    // The examples, and the sites of two pairs and of a hub with two peers:
    // one thread each, and one lintian run over all of a site's packages
    // (lintian's start-up is most of its time on packages this small).
    let profiles = [
        "profiles/pasta.toml",
        "profiles/risotto.toml",
        "tests/fixtures/pairs.toml",
        "tests/fixtures/hub.toml",
    ];
    std::thread::scope(|scope| {
        let tmp = tmp.path();
        let (home, allowed) = (&home, &allowed);
        let runs: Vec<_> = profiles
            .iter()
            .map(|path| scope.spawn(move || judge_site(path, tmp, home, allowed)))
            .collect();
        for run in runs {
            if let Err(panic) = run.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// One site built, then every package judged by dpkg-deb, lintian (of this
/// machine's release) and reprepro.
fn judge_site(path: &str, tmp: &Path, home: &Path, allowed: &[String]) {
    let profile = Path::new(path).file_stem().unwrap().to_str().unwrap();
    let out = tmp.join(profile);
    build(path, &out, home, tmp);
    let mut debs: Vec<PathBuf> = std::fs::read_dir(out.join("debs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    debs.sort();
    assert!(debs.len() >= 4, "{profile}: {debs:?}");
    let reprepro = tmp.join(format!("reprepro-{profile}"));
    std::fs::create_dir_all(reprepro.join("conf")).unwrap();
    let suite = if profile == "risotto" {
        "trixie"
    } else {
        "bookworm"
    };
    std::fs::write(
        reprepro.join("conf/distributions"),
        format!("Codename: {suite}\nArchitectures: amd64\nComponents: main\n"),
    )
    .unwrap();
    for deb in &debs {
        for args in [&["--info"][..], &["--contents"], &["--ctrl-tarfile"]] {
            let o = Std::new("dpkg-deb").args(args).arg(deb).output().unwrap();
            assert!(
                o.status.success(),
                "dpkg-deb {args:?} {}: {}",
                deb.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    let o = Std::new("lintian")
        .args([
            "--pedantic",
            "-I",
            "--fail-on",
            "error,warning",
            "--tag-display-limit",
            "0",
        ])
        .args(&debs)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "lintian ({profile}):\n{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for line in text
        .lines()
        .filter(|l| l.len() > 2 && l.as_bytes()[1] == b':')
    {
        let tag = line.split_whitespace().nth(2).unwrap_or("");
        assert!(
            allowed.iter().any(|t| t == tag),
            "lintian tag not explained in tests/lintian-allowed-tags ({profile}): {line}"
        );
    }
    for deb in &debs {
        let o = Std::new("reprepro")
            .arg("-b")
            .arg(&reprepro)
            .args(["includedeb", suite])
            .arg(deb)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "reprepro {}: {}",
            deb.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn malformed_source_date_epoch_is_an_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dist");
    Command::cargo_bin("storpkg")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["build", "profiles/risotto.toml", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("SOURCE_DATE_EPOCH=\"yesterday\""));
    assert!(!out.exists());
}

#[test]
fn a_refused_profile_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = tmp.path().join("bad.toml");
    let text = std::fs::read_to_string("profiles/risotto.toml")
        .unwrap()
        .replace("minor = 11", "minor = 10");
    std::fs::write(&profile, text).unwrap();
    let out = tmp.path().join("dist");
    Command::cargo_bin("storpkg")
        .unwrap()
        .arg("build")
        .arg(&profile)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert!(!out.exists());
}

#[test]
fn site_templates_override_the_built_in_ones() {
    if !have("dpkg-deb") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("profiles/risotto.toml")
        .unwrap()
        .replace("[site]\n", "[site]\ntemplates = \"tpl\"\n");
    std::fs::write(tmp.path().join("site.toml"), text).unwrap();
    std::fs::create_dir_all(tmp.path().join("tpl/system")).unwrap();
    std::fs::write(
        tmp.path().join("tpl/system/sysctl.conf"),
        "# risotto's own sysctl\n{% for s in sysctl %}{{ s.key }} = {{ s.value }}\n{% endfor %}",
    )
    .unwrap();
    let out = tmp.path().join("dist");
    Command::cargo_bin("storpkg")
        .unwrap()
        .arg("build")
        .arg(tmp.path().join("site.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let deb = out.join("debs/risotto-storage-arborio_2.3~rc1_all.deb");
    let x = tmp.path().join("x");
    assert!(Std::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&x)
        .status()
        .unwrap()
        .success());
    let sysctl = std::fs::read_to_string(x.join("etc/sysctl.d/60-risotto-storage.conf")).unwrap();
    assert!(sysctl.starts_with("# risotto's own sysctl\n"), "{sysctl}");
    assert!(sysctl.contains("vm.min_free_kbytes = 131072"), "{sysctl}");

    // A maintainer-script override is refused (a diagnostic of check), nothing written.
    std::fs::create_dir_all(tmp.path().join("tpl/nis")).unwrap();
    std::fs::write(
        tmp.path().join("tpl/nis/postinst"),
        "#!/bin/sh\necho {{ package }}\n",
    )
    .unwrap();
    let out2 = tmp.path().join("dist2");
    Command::cargo_bin("storpkg")
        .unwrap()
        .arg("build")
        .arg(tmp.path().join("site.toml"))
        .arg("--out")
        .arg(&out2)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("maintainer script"));
    assert!(!out2.exists());
}
