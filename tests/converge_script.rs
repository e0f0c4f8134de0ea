//! The node-side command `debian-templates/converge/storage.sh` (static,
//! installed as /usr/sbin/SITE-storage) and the layout files it reads:
//! shellcheck judges both, and the command's read-only paths run here
//! against a layout of pasta (this machine has no vg0, no DRBD resource).

mod common;

use std::path::Path;
use std::process::Command;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/debian-templates/converge/storage.sh"
);

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn script_and_layouts_pass_shellcheck() {
    if !have("shellcheck") {
        assert!(std::env::var_os("CI").is_none(), "shellcheck missing");
        return;
    }
    let o = Command::new("shellcheck")
        .args(["-s", "sh", SCRIPT])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let site = common::pasta();
    let dir = tempfile::tempdir().unwrap();
    for node in ["fiori", "torchio"] {
        let f = dir.path().join(format!("{node}.sh"));
        std::fs::write(&f, storpkg::layout::layout(&site, node)).unwrap();
        // Variables of a sourced file look unused to shellcheck (SC2034).
        let o = Command::new("shellcheck")
            .args(["-s", "sh", "-e", "SC2034"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{node}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

fn run(layout: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new("sh")
        .arg(SCRIPT)
        .args(args)
        .env("STORPKG_LAYOUT", layout)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn usage_and_a_missing_layout() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sh");
    let (code, _, err) = run(&missing, &["frobnicate"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("usage:"), "{err}");
    let (code, _, err) = run(&missing, &["status"]);
    assert_eq!(code, 1);
    assert!(err.contains("no layout file"), "{err}");
}

#[test]
fn status_reports_every_missing_layer_and_fails() {
    if !have("vgs") || !have("findmnt") {
        return;
    }
    let site = common::pasta();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("layout.sh");
    // A volume group this machine cannot have.
    let l = storpkg::layout::layout(&site, "fiori").replace("VG='vg0'", "VG='storpkg-no-such-vg'");
    std::fs::write(&f, l).unwrap();
    let (code, out, err) = run(&f, &["status"]);
    assert_eq!(code, 1, "{out}{err}");
    for want in [
        "node fiori (peer torchio) of site pasta",
        "storpkg-no-such-vg",
        "drbd   drbd0",
        "Unconfigured",
        "/vol/ocfs2-small",
        "not mounted",
    ] {
        assert!(out.contains(want), "status lacks {want:?}:\n{out}");
    }
}

/// Runs the fence-peer handler with `ssh` and the TCP probe replaced by
/// stubs on PATH: `ssh_ok` says whether `ssh root@PEER drbdadm outdate`
/// succeeds, `probe` what the probe of the peer's ssh port prints/returns.
fn fence(resource: &str, ssh_ok: bool, probe: &str) -> (i32, String) {
    let site = common::pasta();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("layout.sh");
    std::fs::write(&f, storpkg::layout::layout(&site, "fiori")).unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = dir.path().join("calls");
    let stub = |name: &str, body: &str| {
        let p = bin.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    stub(
        "ssh",
        &format!(
            "echo \"ssh $*\" >>{}\nexit {}",
            log.display(),
            if ssh_ok { 0 } else { 255 }
        ),
    );
    // timeout SECONDS CMD...: the probe is `timeout 3 bash -c ...`.
    stub(
        "timeout",
        &format!("shift\nif [ \"$1\" = bash ]; then {probe}; fi\nexec \"$@\""),
    );
    stub("logger", "exit 0");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = Command::new("sh")
        .arg(SCRIPT)
        .arg("fence-peer")
        .env("STORPKG_LAYOUT", &f)
        .env("PATH", path)
        .env("DRBD_RESOURCE", resource)
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    (
        o.status.code().unwrap_or(-1),
        format!("{}{calls}", String::from_utf8_lossy(&o.stderr)),
    )
}

#[test]
fn fence_peer_outdates_over_the_admin_network_or_says_what_it_knows() {
    // ssh trust: the peer's disk is outdated over the admin address.
    let (code, out) = fence("drbd0", true, "exit 0");
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("root@192.168.1.7 drbdadm outdate drbd0"),
        "{out}"
    );
    // No ssh trust, but the peer answers (refused or open): never "down".
    let (code, out) = fence("drbd0", false, "echo 'Connection refused' >&2; exit 1");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not declaring it down"), "{out}");
    let (code, out) = fence("drbd0", false, "exit 0");
    assert_eq!(code, 1, "{out}");
    // Nothing answers within the probe's time: assumed down.
    let (code, out) = fence("drbd0", false, "exit 124");
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("assumed down"), "{out}");
    // Only DRBD runs it: a resource name that is not one is refused.
    let (code, out) = fence("drbd0; reboot", true, "exit 0");
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("ssh "), "{out}");
}
