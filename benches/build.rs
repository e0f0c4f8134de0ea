//! Times the writers: `build_deb` + repository + atomic output for a
//! synthetic site of N storage nodes, against `dpkg-deb --build` of one
//! equivalent unpacked package. Run with `scripts/bench-build` or
//! `cargo bench --bench build`. A benchmark, not a test: prints a table.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use storpkg::deb::{build_deb, doc_files};
use storpkg::output::write_site;
use storpkg::package::{ControlMember, Entry, PackageSpec};
use storpkg::repo::{RepoConfig, Signing};

const TS: u64 = 1_700_000_000;
const MAINTAINER: &str = "Bench Site <storage@bench.example.org>";

/// A package shaped like a storage node's: a dozen config files, a few
/// scripts and units, maintainer scripts, docs.
fn node(site: &str, i: usize) -> PackageSpec {
    let name = format!("{site}-storage-node{i:03}");
    let mut files = BTreeMap::new();
    for r in 0..4 {
        let res = format!(
            "resource r{r} {{\n  protocol C;\n  on node{i:03} {{ device /dev/drbd{r}; disk /dev/vg0/r{r}; \
             address 10.0.{}.{}:{}; meta-disk internal; }}\n}}\n",
            i / 250,
            i % 250,
            7788 + r
        );
        files.insert(
            format!("/etc/drbd.d/r{r}.res"),
            Entry::file(0o644, res.repeat(3)),
        );
    }
    files.insert(
        "/etc/ocfs2/cluster.conf".into(),
        Entry::file(0o644, "cluster:\n\tnode_count = 2\n".repeat(20)),
    );
    files.insert(
        "/etc/exports.d/site.exports".into(),
        Entry::file(0o644, "/srv/home 10.0.0.0/24(rw)\n".repeat(8)),
    );
    files.insert(
        "/etc/sysctl.d/60-site.conf".into(),
        Entry::file(0o644, "kernel.panic = 30\n"),
    );
    files.insert(
        "/usr/lib/site/sync".into(),
        Entry::file(0o755, "#!/bin/sh\nset -e\n".repeat(40)),
    );
    files.insert(
        "/lib/systemd/system/site-sync.timer".into(),
        Entry::file(0o644, "[Timer]\nOnCalendar=hourly\n"),
    );
    files.insert(
        "/lib/systemd/system/site-sync.service".into(),
        Entry::file(0o644, "[Service]\nType=oneshot\n"),
    );
    files.insert(
        "/usr/share/site/volumes".into(),
        Entry::symlink("/srv/home"),
    );
    files.extend(doc_files(&name, "1.0", MAINTAINER, TS, "Bench build."));
    let mut control = BTreeMap::new();
    control.insert(ControlMember::Postinst, "#!/bin/sh\nset -e\n".repeat(30));
    control.insert(ControlMember::Prerm, "#!/bin/sh\nset -e\nexit 0\n".into());
    control.insert(
        ControlMember::Templates,
        "Template: site/x\nType: boolean\n".repeat(5),
    );
    PackageSpec {
        name,
        version: "1.0".into(),
        maintainer: MAINTAINER.into(),
        section: "admin".into(),
        priority: "optional".into(),
        architecture: "all".into(),
        homepage: None,
        pre_depends: vec![],
        depends: vec![
            "drbd-utils (>= 9.22)".into(),
            "ocfs2-tools".into(),
            "nfs-kernel-server".into(),
        ],
        recommends: vec!["bsd-mailx | mailx".into()],
        suggests: vec![],
        conflicts: vec![],
        breaks: vec![],
        replaces: vec![],
        provides: vec![],
        summary: "storage configuration of one bench node".into(),
        description: "Synthetic package for the storpkg benchmark.".into(),
        files,
        control,
    }
}

fn config() -> RepoConfig {
    RepoConfig {
        origin: "bench".into(),
        label: "bench".into(),
        suite: "bookworm".into(),
        codename: "bookworm".into(),
        component: "main".into(),
        architectures: vec!["all".into(), "amd64".into()],
        description: "bench".into(),
        signing: Signing::Unsigned,
        prune: false,
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<F: FnMut()>(reps: usize, mut f: F) -> Duration {
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let dir = tempfile::tempdir().expect("temp dir");
    println!("{:<44} {:>10}", "what (median of runs)", "time");
    let one = node("bench", 0);
    let t = time(20, || {
        build_deb(&one, TS).expect("build");
    });
    println!(
        "{:<44} {:>8.2}ms",
        "build_deb, one node package",
        t.as_secs_f64() * 1e3
    );

    // dpkg-deb --build of the same package, unpacked.
    let deb_path = dir.path().join("one.deb");
    std::fs::write(&deb_path, build_deb(&one, TS).expect("build")).expect("write");
    let tree = dir.path().join("tree");
    let unpacked = Command::new("dpkg-deb")
        .arg("-R")
        .arg(&deb_path)
        .arg(&tree)
        .status();
    if unpacked.is_ok_and(|s| s.success()) {
        let t = time(5, || {
            let status = Command::new("dpkg-deb")
                .env("SOURCE_DATE_EPOCH", TS.to_string())
                .args(["--root-owner-group", "-Zxz", "--build"])
                .arg(&tree)
                .arg(dir.path().join("dpkg.deb"))
                .stdout(std::process::Stdio::null())
                .status()
                .expect("dpkg-deb");
            assert!(status.success());
        });
        println!(
            "{:<44} {:>8.2}ms",
            "dpkg-deb --build, same package",
            t.as_secs_f64() * 1e3
        );
    } else {
        println!("dpkg-deb not available: comparison skipped");
    }

    for n in [8usize, 128] {
        let specs: Vec<PackageSpec> = (0..n).map(|i| node("bench", i)).collect();
        let out = dir.path().join(format!("out{n}"));
        let reps = if n > 100 { 3 } else { 5 };
        let t = time(reps, || {
            let _ = std::fs::remove_dir_all(&out);
            write_site(&out, &specs, &BTreeMap::new(), &config(), TS).expect("write_site");
        });
        let size: u64 = std::fs::read_dir(out.join("debs"))
            .expect("debs")
            .map(|e| e.map_or(0, |e| e.metadata().map_or(0, |m| m.len())))
            .sum();
        println!(
            "{:<44} {:>8.2}ms  ({:.2} ms/package, {} KiB of .debs)",
            format!("write_site: {n} packages + repo, unsigned"),
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() * 1e3 / n as f64,
            size / 1024
        );
        assert!(Path::new(&out)
            .join("repo/dists/bookworm/Release")
            .is_file());
    }
}
