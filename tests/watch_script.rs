//! The node-side command's watch and repair paths with DRBD stubbed:
//! `status --json` is valid JSON with every layer and DRBD's detail, the
//! metrics file is valid Prometheus text format, and `split-brain` refuses
//! what it must and runs the DRBD steps in order.

mod common;

use common::have;
use std::path::Path;
use std::process::Command;

/// pasta's fiori in the middle of a resync of drbd0 (this node the sync
/// source) and with drbd1 verified and 8 KiB out of sync.
const PROC_DRBD: &str = "version: 8.4.11 (api:1/proto:86-101)\n\
srcversion: B536C32A3EADA868561EFD9 \n \
0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n    \
ns:1234 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:1048576\n\
\t[=>..................] sync'ed: 10.1% (1024/1136)M\n\
\tfinish: 0:01:42 speed: 24,576 (24,576) K/sec\n \
1: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n    \
ns:10 nr:65626 dw:65637 dr:1009 al:11 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:8\n";

struct Node {
    dir: tempfile::TempDir,
}

impl Node {
    /// fiori of pasta with `proc` as /proc/drbd, stubs for the commands
    /// that would touch this machine's storage or network.
    fn new(proc: &str, dmesg: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("layout.sh"),
            storpkg::layout::layout(&common::pasta(), "fiori"),
        )
        .unwrap();
        std::fs::write(d.join("drbd"), proc).unwrap();
        std::fs::write(d.join("dmesg.txt"), dmesg).unwrap();
        std::fs::create_dir(d.join("bin")).unwrap();
        std::fs::create_dir(d.join("prom")).unwrap();
        let dd = d.display();
        let stubs: &[(&str, String)] = &[
            ("vgs", "exit 5".into()),
            ("lvs", "exit 5".into()),
            ("dmesg", format!("cat {dd}/dmesg.txt")),
            ("logger", "exit 0".into()),
            ("journalctl", "exit 1".into()),
            ("ping", "exit 1".into()),
            ("ssh", format!("echo \"ssh $*\" >>{dd}/calls\nexit 255")),
            (
                "drbdadm",
                format!("echo \"drbdadm $*\" >>{dd}/calls\nexit 0"),
            ),
            ("systemctl", "exit 1".into()),
            ("getent", "exit 2".into()),
            (
                "id",
                "[ \"$1\" = -u ] && [ $# = 1 ] && { echo 0; exit 0; }\nexec /usr/bin/id \"$@\""
                    .into(),
            ),
        ];
        for (name, body) in stubs {
            use std::os::unix::fs::PermissionsExt;
            let p = d.join("bin").join(name);
            std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Node { dir }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let d = self.dir.path();
        let path = format!(
            "{}:{}",
            d.join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let o = Command::new("sh")
            .arg(script(d))
            .args(args)
            .env("STORPKG_LAYOUT", d.join("layout.sh"))
            .env("STORPKG_PROC_DRBD", d.join("drbd"))
            .env("STORPKG_PROM_DIR", d.join("prom"))
            .env("STORPKG_RUN_DIR", d)
            .env("STORPKG_PROBE_LIMIT", "2")
            .env("PATH", path)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default()
    }
}

fn script(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("pasta-storage");
    if !p.exists() {
        std::fs::write(&p, storpkg::layers::command::node_command()).unwrap();
    }
    p
}

/// OUT parsed by python3's json (the test fails, with OUT and ERR, when it
/// is not JSON), printed back with sorted keys.
fn json_normalised(out: &str, err: &str) -> String {
    let mut py = Command::new("python3")
        .args([
            "-c",
            "import json,sys; d=json.load(sys.stdin); print(json.dumps(d, sort_keys=True))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    py.stdin.take().unwrap().write_all(out.as_bytes()).unwrap();
    let o = py.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "not JSON: {}\n{out}\n{err}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn status_json_is_valid_and_covers_every_layer() {
    if !have("python3") || !have("timeout") {
        return;
    }
    let node = Node::new(PROC_DRBD, "");
    let (code, out, err) = node.run(&["status", "--json"]);
    assert_eq!(code, 1, "{out}{err}");
    let norm = json_normalised(&out, "");
    for want in [
        r#""node": "fiori""#,
        r#""peers": ["torchio"]"#,
        r#""ok": false"#,
        r#""layer": "vg""#,
        r#""layer": "drbd""#,
        r#""layer": "ocfs2""#,
        r#""layer": "share""#,
        r#""layer": "sysctl""#,
        r#""cs": "SyncSource""#,
        r#""peer": "torchio""#,
        r#""running": "sync""#,
        r#""done_percent": 10.1"#,
        r#""eta": "0:01:42""#,
        r#""speed_kib_s": 24576"#,
        r#""out_of_sync_kib": 8"#,
        r#""suspended": false"#,
        r#""split_brain": false"#,
    ] {
        assert!(norm.contains(want), "lacks {want}: {norm}");
    }
    // The text view says the same in words.
    let (_, text, _) = node.run(&["status"]);
    assert!(
        text.contains("sync 10.1% done, about 0:01:42 left at 24576 K/s"),
        "{text}"
    );
    assert!(
        text.contains("8 KiB out of sync  <-- online verify found blocks that differ"),
        "{text}"
    );
    assert!(
        text.contains("drbdadm disconnect --force drbd1; drbdadm connect drbd1"),
        "{text}"
    );
}

#[test]
fn status_names_a_split_brain_and_a_frozen_resource() {
    let proc = "version: 8.4.11 (api:1/proto:86-101)\n \
        0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:64\n \
        1: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C s-----\n    ns:0 oos:0\n";
    let log = "[ 12.3] drbd drbd0: Split-Brain detected but unresolved, dropping connection!\n";
    let node = Node::new(proc, log);
    std::fs::write(
        node.dir.path().join("pasta-storage.fence-drbd1"),
        "1764547200 neither torchio nor the witness answers\n",
    )
    .unwrap();
    let (code, out, err) = node.run(&["status"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("SPLIT BRAIN  <--"), "{out}");
    assert!(out.contains("pasta-storage split-brain drbd0"), "{out}");
    assert!(out.contains("I/O FROZEN  <-- fencing: torchio is not known to be outdated or dead (neither torchio nor the witness answers)"), "{out}");
    // Nothing is read on the frozen resource's filesystem.
    assert!(out.contains("/vol/ocfs2-large"), "{out}");
}

/// Checks the Prometheus text exposition format (version 0.0.4) the way
/// the node exporter's parser does for what we write: HELP and TYPE once
/// per family before its samples, families contiguous, names and labels of
/// the grammar, a float value.
fn check_prometheus(text: &str) -> Vec<String> {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut families: Vec<String> = Vec::new();
    let mut typed: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(name_ok(name), "{line}");
            assert!(!families.contains(&name.to_string()), "family {name} twice");
            families.push(name.to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(Some(name), families.last().map(String::as_str), "{line}");
            assert!(["gauge", "counter", "untyped"].contains(&kind), "{line}");
            typed = Some(name.to_string());
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");
        let (series, value) = line.rsplit_once(' ').unwrap();
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("value of {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, l.strip_suffix('}').unwrap_or_else(|| panic!("{line}"))),
            None => (series, ""),
        };
        assert_eq!(
            Some(name),
            typed.as_deref(),
            "sample outside its family: {line}"
        );
        for pair in labels.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap();
            assert!(name_ok(k) && !k.contains(':'), "{line}");
            assert!(
                v.len() >= 2 && v.starts_with('"') && v.ends_with('"'),
                "{line}"
            );
            assert!(!v[1..v.len() - 1].contains(['"', '\\', '\n']), "{line}");
        }
    }
    families
}

#[test]
fn metrics_file_is_prometheus_text_written_atomically() {
    let node = Node::new(PROC_DRBD, "");
    let (code, out, err) = node.run(&["metrics"]);
    assert_eq!(code, 0, "{out}{err}");
    let prom = node.dir.path().join("prom");
    let names: Vec<_> = std::fs::read_dir(&prom)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("pasta_storage.prom")],
        "no temporary file left"
    );
    let text = std::fs::read_to_string(prom.join("pasta_storage.prom")).unwrap();
    let families = check_prometheus(&text);
    for f in [
        "drbd_connected",
        "drbd_io_suspended",
        "drbd_out_of_sync_bytes",
        "drbd_sync_progress_ratio",
        "drbd_sync_eta_seconds",
    ] {
        assert!(families.iter().any(|x| x == f), "{f}: {text}");
    }
    for want in [
        "drbd_connected{resource=\"drbd0\",minor=\"0\",peer=\"torchio\"} 0\n",
        "drbd_connected{resource=\"drbd1\",minor=\"1\",peer=\"torchio\"} 1\n",
        "drbd_sync_running{resource=\"drbd0\",minor=\"0\",peer=\"torchio\"} 1\n",
        "drbd_sync_progress_ratio{resource=\"drbd0\",minor=\"0\",peer=\"torchio\"} 0.1010\n",
        "drbd_sync_eta_seconds{resource=\"drbd0\",minor=\"0\",peer=\"torchio\"} 102\n",
        "drbd_out_of_sync_bytes{resource=\"drbd1\",minor=\"1\",peer=\"torchio\"} 8192\n",
        "drbd_io_suspended{resource=\"drbd1\",minor=\"1\",peer=\"torchio\"} 0\n",
    ] {
        assert!(text.contains(want), "lacks {want}{text}");
    }
    // Out-of-sync blocks on a connected resource are said once.
    assert!(
        err.contains("drbd1: 8 KiB out of sync while connected"),
        "{err}"
    );
    let (_, _, err) = node.run(&["metrics"]);
    assert!(!err.contains("out of sync"), "{err}");
    // No node exporter (no textfile directory): nothing written.
    std::fs::remove_dir_all(&prom).unwrap();
    let (code, _, _) = node.run(&["metrics"]);
    assert_eq!(code, 0);
    assert!(!prom.exists());
}

#[test]
fn example_alert_rules_name_metrics_the_command_writes() {
    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/prometheus-alerts.yml"
    ))
    .unwrap();
    let cmd = storpkg::layers::command::node_command();
    for word in rules.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.starts_with("drbd_") || word.starts_with("storage_") {
            assert!(
                cmd.contains(&format!("metric {word} ")) || cmd.contains(&format!("{word}{{")),
                "{word}"
            );
        }
    }
}

const SPLIT: &str = "version: 8.4.11 (api:1/proto:86-101)\n \
    0: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown   r-----\n    ns:0 oos:64\n \
    1: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n    ns:0 oos:0\n";
const SPLIT_LOG: &str =
    "[ 12.3] block drbd0: Split-Brain detected but unresolved, dropping connection!\n";

#[test]
fn split_brain_refuses_without_a_split_brain_or_with_the_filesystem_mounted() {
    // Connected: nothing to recover.
    let node = Node::new(SPLIT, SPLIT_LOG);
    let (code, _, err) = node.run(&["split-brain", "drbd1", "--discard-here"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no split brain to recover"), "{err}");
    // StandAlone without the kernel's word for it: not a split brain.
    let node = Node::new(SPLIT, "");
    let (code, _, err) = node.run(&["split-brain", "drbd0", "--discard-here"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not a split brain"), "{err}");
    assert!(node.calls().is_empty(), "{}", node.calls());
    // An unknown resource, a missing one.
    let (code, _, _) = node.run(&["split-brain", "drbd9"]);
    assert_eq!(code, 2);
    let (code, _, err) = node.run(&["split-brain"]);
    assert_eq!(code, 2, "{err}");
    // Mounted here: refused, nothing run. (is_mounted reads MOUNTS.)
    let node = Node::new(SPLIT, SPLIT_LOG);
    let d = node.dir.path();
    let harness = format!(
        "STORPKG_CONVERGE_LIBRARY=1; . {}; LAYOUT={}/layout.sh; load_layout; MOUNTS='/dev/drbd0 /vol/ocfs2-small ocfs2 rw 0 0'; split_brain drbd0 1",
        script(d).display(),
        d.display()
    );
    let o = Command::new("sh")
        .args(["-c", &harness])
        .env("STORPKG_PROC_DRBD", d.join("drbd"))
        .env(
            "PATH",
            format!(
                "{}:{}",
                d.join("bin").display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("/vol/ocfs2-small is mounted here on DRBD drbd0: refused"),
        "{err}"
    );
    assert!(node.calls().is_empty(), "{}", node.calls());
}

#[test]
fn split_brain_says_what_it_would_do_then_does_the_drbd_steps_in_order() {
    let node = Node::new(SPLIT, SPLIT_LOG);
    let (code, _, err) = node.run(&["split-brain", "drbd0"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("split-brain drbd0 --discard-here"), "{err}");
    assert!(node.calls().is_empty(), "{}", node.calls());
    let (code, _, err) = node.run(&["split-brain", "drbd0", "--discard-here"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        node.calls().lines().collect::<Vec<_>>(),
        [
            "drbdadm disconnect drbd0",
            "drbdadm secondary drbd0",
            "drbdadm connect --discard-my-data drbd0",
            "ssh -n -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=yes root@192.168.1.7 drbdadm connect drbd0",
        ]
    );
    // No ssh trust: the survivor's step is said.
    assert!(
        err.contains("now run on torchio (the survivor): 'drbdadm connect drbd0'"),
        "{err}"
    );
}

#[test]
fn status_compares_the_pinned_ids_with_the_peer_over_ssh() {
    let node = Node::new(PROC_DRBD, "");
    let bin = node.dir.path().join("bin");
    let put = |name: &str, body: &str| {
        use std::os::unix::fs::PermissionsExt;
        let p = bin.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    // Without root's ssh trust: said, not counted as wrong.
    let (_, out, _) = node.run(&["status"]);
    assert!(
        out.contains("peer torchio")
            && out.contains("not compared (no ssh trust for root to 192.168.1.7)"),
        "{out}"
    );
    // Here as pinned (kvm 900, libvirt-qemu 64055).
    put("getent", "case \"$2\" in kvm) echo kvm:x:900: ;; libvirt-qemu) echo libvirt-qemu:x:64055: ;; *) exit 2 ;; esac");
    put(
        "id",
        "case \"$#/$1\" in 1/-u) echo 0 ;; 2/-u) echo 64055 ;; *) exit 1 ;; esac",
    );
    put("ssh", "printf 'kvm:x:900:\\nlibvirt-qemu:x:64055:\\nlibvirt-qemu:x:64055:900:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin\\n'");
    let (_, out, _) = node.run(&["status"]);
    assert!(
        out.contains("peer torchio") && out.contains("the same IDs"),
        "{out}"
    );
    // The peer's kvm differs: wrong, with the step.
    put("ssh", "printf 'kvm:x:994:\\nlibvirt-qemu:x:64055:\\nlibvirt-qemu:x:64055:994:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin\\n'");
    let (_, out, _) = node.run(&["status"]);
    assert!(
        out.contains("differ (here/there): group kvm 900/994  <-- reinstall pasta-storage-ids"),
        "{out}"
    );
}

/// The survivor of its peer's power loss (fence-peer let it go on alone):
/// status --json still parses.
#[test]
fn status_json_of_a_survivor_is_valid() {
    if !have("python3") || !have("timeout") {
        return;
    }
    let proc = "version: 8.4.11 (api:1/proto:86-101)\n\
srcversion: B536C32A3EADA868561EFD9 \n \
0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/Outdated C r-----\n    \
ns:1234 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:4096\n \
1: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n    \
ns:10 nr:65626 dw:65637 dr:1009 al:11 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n";
    let node = Node::new(proc, "");
    let (_, out, err) = node.run(&["status", "--json"]);
    json_normalised(&out, &err);
}
