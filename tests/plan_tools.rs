//! The real Debian tools judge the planned packages of the pasta site:
//! shellcheck and sh -n, drbdadm (9 and 8.4 parsers), o2cb, systemd's
//! fstab generator and systemd-analyze, exportfs and nfs-server's
//! generator, nfsconf, logrotate, apt, ssh-keygen.
//!
//! A tool that is missing skips its test locally and fails it when `CI`
//! is set. Tools needing namespaces (unshare) need root, as in CI.

mod common;
#[path = "common/tree.rs"]
mod tree;

use common::{is_root, tool};
use std::path::Path;
use std::process::{Command, Output};
use storpkg::model::Site;
use storpkg::package::{ControlMember, EntryKind, PackageSpec};

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// pasta with real ssh keys, so that ssh's own parsers can read them.
fn pasta_real_keys(dir: &Path) -> Site {
    let mut site = common::pasta();
    let mut keys = Vec::new();
    for name in ["client", "host"] {
        let k = dir.join(name);
        let o = run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&k));
        assert!(o.status.success(), "{}", text(&o));
        keys.push(
            std::fs::read_to_string(k.with_extension("pub"))
                .unwrap()
                .trim()
                .to_string(),
        );
    }
    let u = site.unison.first_mut().unwrap();
    u.client_key = Some(keys[0].clone());
    u.server_host_key = Some(keys[1].clone());
    site
}

fn packages(site: &Site) -> Vec<PackageSpec> {
    storpkg::plan::plan_site(site).expect("plan")
}

/// The package of pasta's `node`.
fn node_package<'a>(pkgs: &'a [PackageSpec], node: &str) -> &'a PackageSpec {
    package(pkgs, &format!("pasta-storage-{node}"))
}

fn package<'a>(pkgs: &'a [PackageSpec], name: &str) -> &'a PackageSpec {
    pkgs.iter().find(|p| p.name == name).unwrap()
}

fn file_text(spec: &PackageSpec, path: &str) -> String {
    String::from_utf8(tree::file(spec, path).to_vec()).unwrap()
}

#[test]
fn shell_scripts_pass_shellcheck_and_sh_n() {
    let (Some(_), Some(_)) = (tool("shellcheck"), tool("sh")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for site in [
        common::pasta(),
        common::pasta_with_keys(),
        common::pairs(),
        common::hub(),
    ] {
        for p in packages(&site) {
            let mut scripts: Vec<(String, Vec<u8>)> = p
                .control
                .iter()
                .filter(|(m, _)| m.is_script())
                .map(|(m, body)| {
                    (
                        format!("{}.{}", p.name, m.file_name()),
                        body.clone().into_bytes(),
                    )
                })
                .collect();
            for (path, e) in &p.files {
                if let EntryKind::File(b) = &e.kind {
                    if e.mode & 0o111 != 0 && b.starts_with(b"#!/bin/sh") {
                        scripts.push((format!("{}{}", p.name, path.replace('/', "_")), b.clone()));
                    }
                }
            }
            for (name, body) in scripts {
                count += 1;
                let f = dir.path().join(&name);
                std::fs::write(&f, body).unwrap();
                let o = run(Command::new("sh").arg("-n").arg(&f));
                if !o.status.success() {
                    failures.push(format!("sh -n {name}:\n{}", text(&o)));
                }
                let o = run(Command::new("shellcheck").args(["-s", "sh", "-x"]).arg(&f));
                if !o.status.success() {
                    failures.push(format!("shellcheck {name}:\n{}", text(&o)));
                }
            }
        }
    }
    assert!(count >= 20, "only {count} scripts");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_maintainer_script_handles_unknown_arguments_and_sets_e() {
    for p in packages(&common::pasta()) {
        for (m, body) in &p.control {
            if !m.is_script() {
                continue;
            }
            assert!(
                body.starts_with("#!/bin/sh\n"),
                "{} {}",
                p.name,
                m.file_name()
            );
            assert!(body.contains("\nset -e\n"), "{} {}", p.name, m.file_name());
            assert!(
                body.contains("called with unknown argument"),
                "{} {}",
                p.name,
                m.file_name()
            );
            if *m == ControlMember::Postrm {
                for arg in [
                    "remove",
                    "purge",
                    "upgrade",
                    "failed-upgrade",
                    "abort-install",
                    "abort-upgrade",
                    "disappear",
                ] {
                    assert!(body.contains(arg), "{} postrm lacks {arg}", p.name);
                }
            }
        }
    }
}

/// `drbdadm dump all` as the node itself, inside a network namespace that
/// holds the node's DRBD address; with the 9 parser and the 8.4 one.
#[test]
fn drbdadm_parses_every_node_resources() {
    let (Some(_), Some(_)) = (tool("drbdadm"), tool("unshare")) else {
        return;
    };
    if !is_root() {
        return;
    }
    // pasta, and trio, pairs and hub where each node has only its own
    // resources (each with its own settings in pairs and hub).
    for site in [
        common::pasta(),
        common::trio(),
        common::pairs(),
        common::hub(),
    ] {
        drbdadm_parses(&site);
    }
}

fn drbdadm_parses(site: &Site) {
    let pkgs = packages(site);
    for node in &site.nodes {
        let mine = |r: &&storpkg::model::DrbdResource| r.nodes.contains(&node.name);
        let spec = package(&pkgs, &node.package);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("drbd.d")).unwrap();
        let mut includes = String::from("include \"/etc/drbd.d/global_common.conf\";\n");
        for res in site.drbd.resources.iter().filter(mine) {
            let path = format!("/etc/drbd.d/{}.res", res.name);
            std::fs::write(
                d.join("drbd.d").join(format!("{}.res", res.name)),
                file_text(spec, &path),
            )
            .unwrap();
        }
        includes.push_str(&format!("include \"{}/drbd.d/*.res\";\n", d.display()));
        std::fs::write(d.join("drbd.conf"), includes).unwrap();
        let ip = node.address_on(site.drbd.network);
        let dump = |conf: &Path, version: Option<&str>| {
            let script = format!(
                "ip link set lo up && ip addr add {ip}/32 dev lo && __DRBD_NODE__={} drbdadm -c {} dump all",
                node.name,
                conf.display()
            );
            let mut cmd = Command::new("unshare");
            cmd.args(["-n", "sh", "-c", &script]);
            if let Some(v) = version {
                cmd.env("DRBD_DRIVER_VERSION_OVERRIDE", v);
            }
            run(&mut cmd)
        };
        // 8.4: what runs against Debian's drbd.ko 8.4.11.
        let o = dump(&d.join("drbd.conf"), Some("8.4.11"));
        let out = text(&o);
        assert!(o.status.success(), "{} (8.4): {out}", node.name);
        for res in site.drbd.resources.iter().filter(mine) {
            assert!(out.contains(&format!("resource {}", res.name)), "{out}");
        }
        assert!(
            !out.contains("become-primary-on"),
            "converge promotes, not drbd.service: {out}"
        );
        for want in [
            "after-resync-target",
            "allow-two-primaries",
            "ping-timeout",
            "fencing",
            "wfc-timeout",
            "degr-wfc-timeout",
            "split-brain",
            "fence-peer",
        ] {
            assert!(
                out.contains(want),
                "{} (8.4) lost {want}:\n{out}",
                node.name
            );
        }
        // 9: the same files. The 9 grammar wants `fencing` in net {} where
        // 8.4 wants it in disk {} (and rejects it in net {}), so no file
        // satisfies both: the 9 parser must stop at that line and nowhere
        // else, and accept the files once the line is moved.
        let o = dump(&d.join("drbd.conf"), None);
        let out = text(&o);
        if !o.status.success() {
            assert!(
                out.contains("but got 'fencing'"),
                "{} (9): {out}",
                node.name
            );
            let moved = d.join("drbd9.d");
            std::fs::create_dir_all(&moved).unwrap();
            for res in site.drbd.resources.iter().filter(mine) {
                let body =
                    std::fs::read_to_string(d.join("drbd.d").join(format!("{}.res", res.name)))
                        .unwrap();
                let fencing = format!("\t\tfencing {};\n", res.fencing);
                let body = body
                    .replace(&fencing, "")
                    .replace("\tnet {\n", &format!("\tnet {{\n{fencing}"));
                std::fs::write(moved.join(format!("{}.res", res.name)), body).unwrap();
            }
            std::fs::write(
                d.join("drbd9.conf"),
                format!("include \"{}/*.res\";\n", moved.display()),
            )
            .unwrap();
            let o = dump(&d.join("drbd9.conf"), None);
            let out = text(&o);
            assert!(
                o.status.success(),
                "{} (9, fencing in net): {out}",
                node.name
            );
            // (The 9 parser drops become-primary-on: DRBD 9 auto-promotes.)
            for want in [
                "allow-two-primaries",
                "ping-timeout",
                "fencing",
                "wfc-timeout",
            ] {
                assert!(out.contains(want), "{} (9) lost {want}:\n{out}", node.name);
            }
        }
        // The 8.4 drbdsetup calls carry the site's net and disk options.
        let first = &site.drbd.resources.iter().find(mine).unwrap().name;
        let script = format!(
            "ip link set lo up && ip addr add {ip}/32 dev lo && __DRBD_NODE__={} drbdadm -d -c {}/drbd.conf up {first}",
            node.name,
            d.display()
        );
        let o = run(Command::new("unshare")
            .args(["-n", "sh", "-c", &script])
            .env("DRBD_DRIVER_VERSION_OVERRIDE", "8.4.11"));
        let out = text(&o);
        assert!(o.status.success(), "{out}");
        let res = site.drbd.resources.iter().find(mine).unwrap();
        let resync = res.resync.options();
        let wants = [
            format!("--ping-timeout={}", site.drbd.ping_timeout),
            format!("--ping-int={}", site.drbd.ping_int),
            "--allow-two-primaries".to_string(),
            format!("--fencing={}", res.fencing),
            format!("--protocol={}", res.protocol),
            format!("--verify-alg={}", res.verify_alg),
        ]
        .into_iter()
        .chain(resync.iter().map(|(n, v)| format!("--{n}={v}")));
        for want in wants {
            assert!(
                out.contains(&want),
                "drbdadm -d up {first} lacks {want}:\n{out}"
            );
        }
    }
}

#[test]
fn o2cb_reads_cluster_conf() {
    let Some(_) = tool("o2cb") else { return };
    let site = common::pasta();
    let pkgs = packages(&site);
    let spec = node_package(&pkgs, "fiori");
    let conf = file_text(spec, "/etc/ocfs2/cluster.conf");
    assert!(
        conf.lines()
            .filter(|l| l.contains(" = "))
            .all(|l| l.starts_with('\t')),
        "{conf}"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cluster.conf");
    std::fs::write(&f, conf).unwrap();
    let o = run(Command::new("o2cb")
        .arg(format!("--config-file={}", f.display()))
        .args(["list-cluster", "ocfs2"]));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for want in [
        "name = fiori",
        "name = torchio",
        "ip_address = 192.168.1.6",
        "number = 2",
        "node_count = 2",
    ] {
        assert!(out.contains(want), "o2cb lost {want}:\n{out}");
    }
}

/// Each node of a site of many pairs has the cluster.conf of its own o2cb
/// cluster: the nodes it shares OCFS2 filesystems with (each pair of
/// tests/fixtures/pairs.toml alone, the hub with both its peers), which
/// o2cb reads back, numbers and addresses included.
#[test]
fn o2cb_reads_each_clusters_conf_of_many_pairs() {
    let Some(_) = tool("o2cb") else { return };
    for site in [common::pairs(), common::hub()] {
        let pkgs = packages(&site);
        let cluster = &site.ocfs2.as_ref().unwrap().cluster;
        for node in &site.nodes {
            let members = site.ocfs2_cluster(&node.name);
            let spec = package(&pkgs, &node.package);
            let conf = file_text(spec, "/etc/ocfs2/cluster.conf");
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("cluster.conf");
            std::fs::write(&f, &conf).unwrap();
            let o = run(Command::new("o2cb")
                .arg(format!("--config-file={}", f.display()))
                .args(["list-cluster", cluster]));
            let out = text(&o);
            assert!(o.status.success(), "{}: {out}", node.name);
            assert!(
                out.contains(&format!("node_count = {}", members.len())),
                "{}: {out}",
                node.name
            );
            for n in &site.nodes {
                let listed = out.contains(&format!("name = {}\n", n.name));
                let member = members.iter().any(|m| m.name == n.name);
                assert_eq!(
                    listed, member,
                    "{}: {} in its cluster?\n{out}",
                    node.name, n.name
                );
                if member {
                    for want in [
                        format!("number = {}", n.ocfs2_number),
                        format!("ip_address = {}", n.address),
                    ] {
                        assert!(
                            out.contains(&want),
                            "{}: o2cb lost {want}:\n{out}",
                            node.name
                        );
                    }
                }
            }
        }
        // pairs: two clusters of two; hub: one of three.
        let sizes: Vec<usize> = site
            .nodes
            .iter()
            .map(|n| site.ocfs2_cluster(&n.name).len())
            .collect();
        assert!(sizes == [2, 2, 2, 2] || sizes == [3, 3, 3], "{sizes:?}");
    }
}

#[test]
fn systemd_accepts_units_drop_ins_and_fstab_lines() {
    let Some(analyze) = tool("systemd-analyze") else {
        return;
    };
    let generator = Path::new("/lib/systemd/system-generators/systemd-fstab-generator");
    if !generator.exists() {
        common::missing("systemd-fstab-generator");
        return;
    }
    let site = common::pasta();
    let pkgs = packages(&site);
    let spec = node_package(&pkgs, "fiori");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Units of the package.
    // Stand-ins for units this machine may lack (o2cb is a SysV script on
    // bookworm, turned into o2cb.service by systemd's sysv generator).
    let stubs = d.join("stubs");
    std::fs::create_dir(&stubs).unwrap();
    for u in ["o2cb.service", "drbd.service"] {
        std::fs::write(
            stubs.join(u),
            "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        )
        .unwrap();
    }
    let unit_path = format!("{}:", stubs.display());
    let mut units = Vec::new();
    for (path, _) in spec
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("/lib/systemd/system/"))
    {
        let rel = path.trim_start_matches("/lib/systemd/system/");
        if rel.contains(".service.d/") {
            // A drop-in: verify it on a stub of the unit it extends.
            let (unit, _) = rel.split_once(".d/").unwrap();
            let stub = d.join("stub").join(unit);
            std::fs::create_dir_all(stub.parent().unwrap()).unwrap();
            std::fs::write(&stub, "[Service]\nType=oneshot\nExecStart=/bin/true\n").unwrap();
            let dropin = d.join("stub").join(rel);
            std::fs::create_dir_all(dropin.parent().unwrap()).unwrap();
            std::fs::write(&dropin, tree::file(spec, path)).unwrap();
            units.push(stub);
        } else {
            let f = d.join(rel);
            std::fs::write(&f, tree::file(spec, path)).unwrap();
            units.push(f);
        }
    }
    assert!(units.len() >= 3, "{units:?}");
    for u in &units {
        let o = run(Command::new(&analyze).arg("verify").arg(u));
        let out = text(&o);
        // A command the package itself ships (the converge unit's
        // /usr/sbin/SITE-storage) is not on this machine: that is the only
        // failure accepted.
        let shipped_only = out.lines().filter(|l| !l.trim().is_empty()).all(|l| {
            spec.files.keys().any(|p| {
                l.contains(&format!(
                    "Command {p} is not executable: No such file or directory"
                ))
            })
        });
        assert!(o.status.success() || shipped_only, "{}: {out}", u.display());
        assert!(
            !out.contains("Unknown key") && !out.contains("Failed to parse"),
            "{}: {out}",
            u.display()
        );
    }
    // fstab lines through systemd's own generator.
    let fstab = d.join("fstab");
    std::fs::write(
        &fstab,
        tree::file(spec, "/usr/share/pasta-storage-fiori/blocks/fstab"),
    )
    .unwrap();
    let out_dir = d.join("gen");
    std::fs::create_dir(&out_dir).unwrap();
    let o = run(Command::new(generator)
        .env("SYSTEMD_FSTAB", &fstab)
        .args([&out_dir, &out_dir, &out_dir]));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("Failed") && !out.contains("nknown"), "{out}");
    let small = std::fs::read_to_string(out_dir.join("vol-ocfs2\\x2dsmall.mount")).unwrap();
    let words = |key: &str| -> Vec<String> {
        small
            .lines()
            .filter_map(|l| l.strip_prefix(key))
            .flat_map(|v| v.split_whitespace().map(String::from).collect::<Vec<_>>())
            .collect()
    };
    for unit in ["o2cb.service", "drbd.service"] {
        assert!(
            words("Requires=").contains(&unit.to_string()),
            "no Requires={unit}:\n{small}"
        );
        assert!(
            words("After=").contains(&unit.to_string()),
            "no After={unit}:\n{small}"
        );
    }
    assert!(
        small.contains("Type=ocfs2") && small.contains("_netdev"),
        "{small}"
    );
    let o = run(Command::new(&analyze)
        .env("SYSTEMD_UNIT_PATH", &unit_path)
        .arg("verify")
        .arg(out_dir.join("vol-ocfs2\\x2dsmall.mount")));
    assert!(o.status.success(), "{}", text(&o));
    assert!(out_dir.join("vol-rep\\x2dno.mount").exists());
}

/// exportfs reads the exports file; nfs-server's generator orders the
/// server after the exported paths' mounts.
#[test]
fn exportfs_and_nfs_server_generator_accept_the_exports() {
    let (Some(_), Some(_)) = (tool("exportfs"), tool("unshare")) else {
        return;
    };
    if !is_root() {
        return;
    }
    let site = common::pasta();
    exportfs_accepts(
        &site,
        "fiori",
        &["/vol/ocfs2-small/home", "/vol/rep-unison/pub"],
    );
    // Each node of two pairs and of a hub: its own shares' exports only.
    for (site, node, paths) in [
        (common::pairs(), "a", &["/vol/fs-ab/x"][..]),
        (common::pairs(), "c", &["/vol/fs-cd/y", "/vol/media/pub"]),
        (common::hub(), "h", &["/vol/fs-hx/hx", "/vol/fs-hy/hy"]),
        (common::hub(), "y", &["/vol/fs-hy/hy"]),
    ] {
        exportfs_accepts(&site, node, paths);
        let pkgs = packages(&site);
        let spec = package(&pkgs, &site.node(node).unwrap().package);
        let exports = file_text(
            spec,
            &format!("/etc/exports.d/{}-storage.exports", site.name),
        );
        let listed = exports.lines().filter(|l| l.starts_with('/')).count();
        assert_eq!(listed, paths.len(), "{node}: {exports}");
    }
}

/// exportfs reads `node`'s exports and nfs-server's generator makes
/// nfs-server require the mounts of `paths`.
fn exportfs_accepts(site: &Site, node: &str, paths: &[&str]) {
    let pkgs = packages(site);
    let spec = package(&pkgs, &site.node(node).unwrap().package);
    let exports_path = format!("/etc/exports.d/{}-storage.exports", site.name);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = file_text(spec, &exports_path);
    // exportfs stats every path: the same lines, rooted in the temp dir.
    let root = d.join("root");
    let rooted = original.replace(" /vol/", &format!(" {}/vol/", root.display()));
    let rooted: String = rooted
        .lines()
        .map(|l| {
            if l.starts_with("/vol/") {
                format!("{}{l}\n", root.display())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    for l in rooted.lines().filter(|l| !l.starts_with('#')) {
        std::fs::create_dir_all(l.split_whitespace().next().unwrap()).unwrap();
    }
    let exports = d.join("exports");
    std::fs::write(&exports, &rooted).unwrap();
    let generator_exports = d.join(format!("exports.d/{}-storage.exports", site.name));
    std::fs::create_dir(d.join("nfs")).unwrap();
    std::fs::create_dir(d.join("exports.d")).unwrap();
    std::fs::write(&generator_exports, &original).unwrap();
    std::fs::create_dir(d.join("gen")).unwrap();
    let script = format!(
        "set -e; mount --bind {e} /etc/exports; mount --bind {n} /var/lib/nfs; \
         if [ -d /etc/exports.d ]; then mount --bind {x} /etc/exports.d; fi; \
         exportfs -ra; exportfs -v; mount --bind {o} /etc/exports; \
         /lib/systemd/system-generators/nfs-server-generator {g} {g} {g}; \
         cat {g}/nfs-server.service.d/*.conf",
        e = exports.display(),
        n = d.join("nfs").display(),
        x = d.join("exports.d").display(),
        o = generator_exports.display(),
        g = d.join("gen").display(),
    );
    let o = run(Command::new("unshare").args(["-m", "sh", "-c", &script]));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for bad in [
        "unknown keyword",
        "syntax error",
        "bad option",
        "Invalid",
        "Failed",
    ] {
        assert!(!out.contains(bad), "exportfs: {out}");
    }
    for path in paths {
        assert!(
            out.contains(&format!("RequiresMountsFor={path}")),
            "generator of {node}: {out}"
        );
    }
}

#[test]
fn nfsconf_reads_manage_gids_over_debian_default() {
    let Some(nfsconf) = tool("nfsconf") else {
        return;
    };
    let default = Path::new("/usr/share/nfs-common/conffiles/nfs.conf");
    let site = common::pasta();
    let pkgs = packages(&site);
    let spec = node_package(&pkgs, "fiori");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(default, d.join("nfs.conf")).unwrap();
    std::fs::create_dir(d.join("nfs.conf.d")).unwrap();
    std::fs::write(
        d.join("nfs.conf.d/pasta-storage.conf"),
        tree::file(spec, "/etc/nfs.conf.d/pasta-storage.conf"),
    )
    .unwrap();
    let o = run(Command::new(nfsconf)
        .arg("--file")
        .arg(d.join("nfs.conf"))
        .args(["--get", "mountd", "manage-gids"]));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "n",
        "{}",
        text(&o)
    );
}

#[test]
fn logrotate_reads_the_unison_rotation() {
    let Some(logrotate) = tool("logrotate") else {
        return;
    };
    let pkgs = packages(&common::pasta());
    let spec = node_package(&pkgs, "fiori");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("unison");
    std::fs::write(
        &f,
        tree::file(spec, "/etc/logrotate.d/pasta-storage-unison"),
    )
    .unwrap();
    let o = run(Command::new(logrotate)
        .arg("-d")
        .arg("-s")
        .arg(dir.path().join("state"))
        .arg(&f));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("error"), "{out}");
    assert!(out.contains("/var/log/unison.log"), "{out}");
}

/// apt parses the deb822 sources (with the site keyring in place).
#[test]
fn apt_reads_the_sources() {
    let Some(apt) = tool("apt-get") else { return };
    let pkgs = packages(&common::pasta());
    let spec = node_package(&pkgs, "fiori");
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("sources.list.d");
    std::fs::create_dir(&parts).unwrap();
    for (path, e) in &spec.files {
        if let (Some(name), EntryKind::File(b)) =
            (path.strip_prefix("/etc/apt/sources.list.d/"), &e.kind)
        {
            std::fs::write(parts.join(name), b).unwrap();
        }
    }
    let o = run(Command::new(apt)
        .arg("-o")
        .arg(format!("Dir::Etc::SourceParts={}", parts.display()))
        .arg("-o")
        .arg(format!("Dir::State::Lists={}", dir.path().display()))
        .args([
            "-o",
            "Dir::Etc::SourceList=/dev/null",
            "--print-uris",
            "update",
        ]));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("E:") && !out.contains("W:"), "{out}");
    for want in [
        "http://192.168.1.1/pasta/dists/bookworm/InRelease",
        "http://192.168.1.1/pasta/dists/bookworm/main/binary-all/Packages",
        "http://192.168.1.1/debian/dists/bookworm/InRelease",
        "http://192.168.1.1/debian/dists/bookworm-updates/non-free-firmware/",
        "http://192.168.1.1/debian-security/dists/bookworm-security/main/",
    ] {
        assert!(out.contains(want), "apt lacks {want}:\n{out}");
    }
}

/// ssh's parsers read the authorized_keys entry and the pinned host key.
#[test]
fn ssh_reads_authorized_keys_and_known_hosts() {
    let Some(keygen) = tool("ssh-keygen") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let site = pasta_real_keys(dir.path());
    let pkgs = packages(&site);
    let server = node_package(&pkgs, "torchio");
    let ak = file_text(
        server,
        "/usr/share/pasta-storage-torchio/blocks/authorized_keys",
    );
    assert!(
        ak.starts_with("restrict,command=\"unison -server\",from=\"10.11.12.6\" ssh-ed25519 "),
        "{ak}"
    );
    let f = dir.path().join("authorized_keys");
    std::fs::write(&f, &ak).unwrap();
    let o = run(Command::new(&keygen).arg("-l").arg("-f").arg(&f));
    assert!(o.status.success(), "{}", text(&o));
    let client = node_package(&pkgs, "fiori");
    let kh = file_text(client, "/etc/pasta-storage/unison/known_hosts");
    let f = dir.path().join("known_hosts");
    std::fs::write(&f, &kh).unwrap();
    let o = run(Command::new(&keygen)
        .arg("-F")
        .arg("10.11.12.7")
        .arg("-f")
        .arg(&f));
    assert!(o.status.success() && !o.stdout.is_empty(), "{}", text(&o));
}

/// autofs(5) "sun" map entries: `key [-options] location`. Options
/// without their leading '-' would be read as a location (the how-to's
/// `alexis -noquota,... fiori...,torchio...:/vol/home/alexis`).
#[test]
fn nis_maps_are_autofs_entries_with_dashed_options() {
    let site = common::pasta();
    let pkgs = packages(&site);
    let nis = pkgs
        .iter()
        .find(|p| p.name == "pasta-storage-nis")
        .expect("pasta has a NIS package");
    let mut seen = 0;
    for map in ["auto.home", "auto.staging"] {
        let body = file_text(nis, &format!("/etc/pasta-storage/nis/{map}"));
        for line in body
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 3, "{map}: {line}");
            assert!(f[1].starts_with('-'), "{map}: {line}");
            assert!(f[2].contains(":/"), "{map}: {line}");
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}
