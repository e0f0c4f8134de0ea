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
