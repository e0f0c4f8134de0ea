//! Day two on a node (`debian-templates/*/change.sh`, `boot/apply.sh`):
//! converge, apply and status decisions for each kind of change, with
//! DRBD, o2cb's configfs, the mount table and the peer stubbed. The
//! assembled command is sourced as a library (STORPKG_CONVERGE_LIBRARY=1)
//! against the layout of a node of tests/fixtures/change/link-v2.toml.

mod common;

use std::process::Command;

/// Runs `body` after sourcing the command and alpha's layout, with stubs
/// (name, shell body) first on PATH; returns (exit code, output, calls).
fn harness(stubs: &[(&str, &str)], setup: &[(&str, &str)], body: &str) -> (i32, String, String) {
    let site = common::load("tests/fixtures/change/link-v2.toml");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("layout.sh"), storpkg::layout::layout(&site, "alpha")).unwrap();
    std::fs::write(
        d.join("command.sh"),
        storpkg::layers::command::node_command(),
    )
    .unwrap();
    let bin = d.join("bin");
    std::fs::create_dir(&bin).unwrap();
    for (name, script) in stubs {
        use std::os::unix::fs::PermissionsExt;
        let p = bin.join(name);
        std::fs::write(
            &p,
            format!("#!/bin/sh\necho \"{name} $*\" >>\"$CALLS\"\n{script}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for (rel, content) in setup {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    let dd = d.display();
    let harness = format!(
        r#"STORPKG_CONVERGE_LIBRARY=1
. {dd}/command.sh
LAYOUT={dd}/layout.sh
load_layout
STATE_DIR={dd}/state
mkdir -p "$STATE_DIR"
LOGGER=0
PROG=mini-storage
D={dd}
DRBD_CONF_DIR={dd}/drbd.d
CONFIGFS_CLUSTER={dd}/configfs
O2CB_CONF={dd}/etc/cluster.conf
MOUNTS=$(cat {dd}/mounts 2>/dev/null)
[ -n "$MOUNTS" ] || MOUNTS=none
drbd_read() {{ read -r CS RO DS <{dd}/drbdstate; SUSP=0; }}
o2cb_restart() {{ echo "o2cb restart" >>"$CALLS"; }}
mount_fstab() {{ echo "mount $1" >>"$CALLS"; }}
{body}
"#
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(harness)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("CALLS", d.join("calls"))
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(d.join("calls")).unwrap_or_default();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code().unwrap_or(-1), out, calls)
}

const SHOW_OLD: &str = "resource r0 {\n    _remote_host {\n        address\t\t\tipv4 10.0.0.12:7790;\n    }\n    _this_host {\n        address\t\t\tipv4 10.0.0.11:7790;\n        volume 0 {\n        }\n    }\n}\n";
const SHOW_NEW: &str = "resource r0 {\n    _remote_host {\n        address\t\t\tipv4 10.9.0.12:7790;\n    }\n    _this_host {\n        address\t\t\tipv4 10.9.0.11:7790;\n    }\n}\n";
const ADJUST_SWITCH: &str = "drbdsetup-84 disconnect ipv4:10.0.0.11:7790 ipv4:10.0.0.12:7790\ndrbdsetup-84 connect r0 ipv4:10.9.0.11:7790 ipv4:10.9.0.12:7790\n";

/// drbdadm: `-d adjust` prints the file `adjust`; `adjust` (the real one)
/// makes the switch happen (the state file says Connected on new ends).
fn drbd_stubs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("drbdadm", "case \"$1 $2\" in\n '-d adjust') cat \"$D_DIR/adjust\" 2>/dev/null ;;\n 'adjust r0') cp \"$D_DIR/show-new\" \"$D_DIR/show\" 2>/dev/null; : >\"$D_DIR/adjust\" ;;\nesac\nexit 0"),
        ("drbdsetup", "[ \"$1\" = show ] && cat \"$D_DIR/show\" 2>/dev/null\nexit 0"),
        ("blockdev", "exit 1"),
        ("logger", "exit 0"),
        // Nothing leaves this machine: the peer's probes fail.
        ("timeout", "exit 124"),
        ("ssh", "exit 255"),
        ("ping", "exit 1"),
    ]
}

fn drbd_case(adjust: &str, peer_token: Option<bool>, body: &str) -> (i32, String, String) {
    let token_of_res = "resource r0 {}\n";
    let mut setup: Vec<(&str, String)> = vec![
        ("drbd.d/r0.res", token_of_res.into()),
        ("adjust", adjust.into()),
        ("show", SHOW_OLD.into()),
        ("show-new", SHOW_NEW.into()),
        (
            "drbdstate",
            "Connected Primary/Primary UpToDate/UpToDate\n".into(),
        ),
        ("mounts", "/dev/drbd0 /vol/shared ocfs2 rw 0 0\n".into()),
    ];
    let real = {
        use md5::{Digest, Md5};
        let h = Md5::digest(token_of_res.as_bytes());
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let peer = match peer_token {
        Some(true) => Some(format!("{real}\n")),
        Some(false) => Some("0123456789abcdef0123456789abcdef\n".into()),
        None => None,
    };
    if let Some(p) = peer {
        setup.push(("shared/.mini-storage/drbd-r0.beta", p));
    }
    let setup_ref: Vec<(&str, &str)> = setup.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let body = format!(
        "D_DIR=$D; export D_DIR\nOCFS2_1_MOUNTPOINT=$D/shared\nPROG=mini-storage\nMOUNTS=\"/dev/drbd0 $D/shared ocfs2 rw 0 0\"\n{body}"
    );
    harness(&drbd_stubs(), &setup_ref, &body)
}

#[test]
fn drbd_options_are_adjusted_live() {
    let (_, out, calls) = drbd_case(
        "drbdsetup-84 net-options 0 --ping-int=20\n",
        None,
        "drbd_change 1; echo FAILED=$FAILED",
    );
    assert!(calls.contains("drbdadm adjust r0"), "{calls}\n{out}");
    assert!(out.contains("FAILED=0"), "{out}");
}

/// An adjust that drbdadm keeps listing for a file already applied is not
/// run again (a no-op converge stays one).
#[test]
fn drbd_file_already_applied_is_not_adjusted_again() {
    let (_, out, calls) = drbd_case(
        "drbdsetup-84 disk-options 0 --c-plan-ahead=0\n",
        None,
        "cp $D/show-new $D/show; drbd_change 1; : >$CALLS; ACTED=0; drbd_change 1; echo ACTED=$ACTED",
    );
    assert!(!calls.contains("drbdadm adjust"), "{calls}");
    assert!(out.contains("ACTED=0"), "{out}");
}

#[test]
fn drbd_nothing_to_adjust_runs_nothing() {
    let (_, out, calls) = drbd_case("", None, "drbd_change 1; echo ACTED=$ACTED");
    assert!(!calls.contains("drbdadm adjust"), "{calls}");
    assert!(out.contains("ACTED=0"), "{out}");
}

/// The first node to upgrade only waits: no disconnect, a token for the
/// peer, a mark for its fence-peer handler, status non-zero with what to run.
#[test]
fn drbd_switch_first_node_waits_for_its_peer() {
    let (_, out, calls) = drbd_case(
        ADJUST_SWITCH,
        None,
        "drbd_change 1; echo WAITING=$WAITING; cat \"$(drbd_switch_mark r0)\"; cat $D/shared/.mini-storage/drbd-r0.alpha; status_drbd_change; echo BAD=$BAD",
    );
    assert!(
        !calls.contains("drbdadm adjust") && !calls.contains("disconnect"),
        "{calls}"
    );
    assert!(out.contains("WAITING=1"), "{out}");
    assert!(out.contains("waiting "), "{out}");
    assert!(
        out.contains("runs 10.0.0.11:7790 10.0.0.12:7790, profile 10.9.0.11:7790 10.9.0.12:7790"),
        "{out}"
    );
    assert!(out.contains("waits for its peer's upgrade"), "{out}");
    assert!(out.contains("BAD=1"), "{out}");
}

/// A peer that announced another configuration is not followed.
#[test]
fn drbd_switch_waits_while_the_peer_runs_another_configuration() {
    let (_, out, calls) = drbd_case(
        ADJUST_SWITCH,
        Some(false),
        "drbd_change 1; echo WAITING=$WAITING",
    );
    assert!(!calls.contains("drbdadm adjust"), "{calls}");
    assert!(out.contains("WAITING=1"), "{out}");
}

/// The second node finds the peer's token equal to its own: it switches,
/// waits for the connection, and clears what the switch left.
#[test]
fn drbd_switch_second_node_completes_it() {
    let (_, out, calls) = drbd_case(
        ADJUST_SWITCH,
        Some(true),
        "drbd_change 1; echo FAILED=$FAILED; [ -e \"$(drbd_switch_mark r0)\" ] && echo MARK || echo NOMARK; status_drbd_change; echo BAD=$BAD",
    );
    // The peer refuses a graceful disconnect of two Primaries: a hard
    // one, of the running connection (the file already names the new).
    assert!(
        calls.contains("drbdsetup disconnect ipv4:10.0.0.11:7790 ipv4:10.0.0.12:7790 --force"),
        "{calls}"
    );
    assert!(calls.contains("drbdadm adjust r0"), "{calls}");
    assert!(out.contains("reconnecting both now"), "{out}");
    assert!(
        out.contains("connected on 10.9.0.11:7790 10.9.0.12:7790"),
        "{out}"
    );
    assert!(out.contains("FAILED=0") && out.contains("NOMARK"), "{out}");
    assert!(out.contains("BAD=0"), "{out}");
}

/// Not both Primary with a filesystem mounted: a reconnect freezes
/// nothing that waits for the peer; adjusted at once.
#[test]
fn drbd_switch_of_a_secondary_resource_is_adjusted_at_once() {
    let (_, _, calls) = drbd_case(ADJUST_SWITCH, None, "MOUNTS=none; drbd_change 1");
    assert!(calls.contains("drbdadm adjust r0"), "{calls}");
}

/// The waiting node's fence-peer handler: the connection dropped because
/// the peer switched: reconnect here, keep I/O frozen (exit 1) meanwhile.
#[test]
fn fence_peer_of_a_waiting_node_reconnects_on_the_new_configuration() {
    // The probe of the peer's new endpoint answers (`timeout` stubbed as a
    // function: nothing is sent anywhere).
    let (_, out, calls) = drbd_case(
        ADJUST_SWITCH,
        None,
        "timeout() { echo \"probe $*\" >>$CALLS; return 0; }; drbd_change 1; (DRBD_RESOURCE=r0 STORPKG_FENCE_INNER=1 fence_peer); echo RC=$?; sleep 2",
    );
    assert!(out.contains("RC=1"), "{out}");
    assert!(out.contains("it has switched"), "{out}");
    assert!(
        calls.contains("10.9.0.12 7790"),
        "the probe is of the peer's new endpoint: {calls}"
    );
    assert!(calls.contains("drbdadm adjust r0"), "{calls}");
    assert!(
        !calls.contains("ssh "),
        "no outdate of the peer during a switch: {calls}"
    );
}

/// The peer drops the connection before it listens on its new endpoint:
/// the waiting node's fence-peer probes again until it does.
#[test]
fn fence_peer_of_a_waiting_node_probes_until_the_peer_listens() {
    let (_, out, calls) = drbd_case(
        ADJUST_SWITCH,
        None,
        "timeout() { echo \"probe $*\" >>$CALLS; [ $(grep -c '^probe' $CALLS) -ge 3 ]; }; drbd_change 1; (DRBD_RESOURCE=r0 STORPKG_FENCE_INNER=1 fence_peer); echo RC=$?; sleep 2",
    );
    assert!(
        out.contains("RC=1") && out.contains("it has switched"),
        "{out}"
    );
    assert_eq!(calls.matches("probe 1 bash").count(), 3, "{calls}");
    assert!(calls.contains("drbdadm adjust r0"), "{calls}");
}

/// A link failure while the node waits for its peer's upgrade is not a
/// switch: the peer does not listen on its new endpoint; fence-peer goes
/// its usual way and nothing reconnects on the new addresses.
#[test]
fn fence_peer_of_a_waiting_node_on_a_link_failure_is_the_usual_one() {
    let (_, out, calls) = drbd_case(
        ADJUST_SWITCH,
        None,
        "SWITCH_PROBE_S=1; timeout() { echo \"probe $*\" >>$CALLS; return 1; }; drbd_change 1; (DRBD_RESOURCE=r0 STORPKG_FENCE_INNER=1 fence_peer); echo RC=$?; sleep 2",
    );
    // The usual way: neither the peer nor the witness answers (stubs):
    // I/O stays frozen (1).
    assert!(
        out.contains("RC=1") && out.contains("nor the witness"),
        "{out}"
    );
    assert!(!out.contains("it has switched"), "{out}");
    assert!(!calls.contains("drbdadm adjust"), "{calls}");
}

#[test]
fn dry_run_shows_the_switch_from_what_runs() {
    let (_, out, calls) = drbd_case(ADJUST_SWITCH, Some(true), "DRY=1; drbd_change 1");
    assert!(out.contains("would reconnect DRBD r0 (10.0.0.11:7790 10.0.0.12:7790 -> 10.9.0.11:7790 10.9.0.12:7790)"), "{out}");
    assert!(!calls.contains("drbdadm adjust"), "{calls}");
}

/// configfs of a cluster online on the admin LAN (link-v1's addresses).
fn configfs_old() -> Vec<(&'static str, &'static str)> {
    vec![
        ("configfs/mini/idle_timeout_ms", "30000\n"),
        ("configfs/mini/keepalive_delay_ms", "2000\n"),
        ("configfs/mini/reconnect_delay_ms", "2000\n"),
        ("configfs/mini/heartbeat/dead_threshold", "31\n"),
        ("configfs/mini/node/alpha/ipv4_address", "10.0.0.11\n"),
        ("configfs/mini/node/alpha/ipv4_port", "7777\n"),
        ("configfs/mini/node/alpha/num", "1\n"),
        ("configfs/mini/node/beta/ipv4_address", "10.0.0.12\n"),
        ("configfs/mini/node/beta/ipv4_port", "7777\n"),
        ("configfs/mini/node/beta/num", "2\n"),
        ("etc/cluster.conf", "node:\n"),
    ]
}

fn o2cb(body: &str, mounted: bool, stubs: &[(&str, &str)]) -> (i32, String, String) {
    let mut s = vec![("logger", "exit 0")];
    s.extend_from_slice(stubs);
    let m = if mounted {
        "MOUNTS=\"/dev/drbd0 /vol/shared ocfs2 rw 0 0\""
    } else {
        "MOUNTS=none"
    };
    harness(&s, &configfs_old(), &format!("{m}\n{body}"))
}

#[test]
fn o2cb_drift_lists_what_runs_against_the_profile() {
    let (_, out, _) = o2cb("o2cb_drift", true, &[]);
    assert!(
        out.contains("node alpha 10.0.0.11:7777 #1 (profile 10.9.0.11:7777 #1)"),
        "{out}"
    );
    assert!(
        out.contains("node beta 10.0.0.12:7777 #2 (profile 10.9.0.12:7777 #2)"),
        "{out}"
    );
}

/// Mounted: never restarted by converge; a pending window step that
/// status reports (exit 1) with what to run.
#[test]
fn o2cb_change_while_mounted_is_pending_for_apply() {
    let (_, out, calls) = o2cb(
        "converge_o2cb_change; cat $STATE_DIR/pending/o2cb; status_o2cb_change; status_pending; echo BAD=$BAD",
        true,
        &[],
    );
    assert!(!calls.contains("o2cb restart"), "{calls}");
    assert!(
        out.contains("run 'mini-storage apply' here and on beta"),
        "{out}"
    );
    assert!(out.contains("BAD=1"), "{out}");
}

#[test]
fn o2cb_change_with_nothing_mounted_restarts_it() {
    let (_, out, calls) = o2cb(
        "converge_o2cb_change; ls $STATE_DIR/pending 2>/dev/null | wc -l",
        false,
        &[],
    );
    assert!(calls.contains("o2cb restart"), "{calls}\n{out}");
}

/// apply refuses while the peer mounts and has not announced the new
/// cluster configuration: nothing is stopped.
#[test]
fn apply_refuses_while_the_peer_runs_the_old_configuration() {
    let (_, out, calls) = o2cb(
        "mkdir -p $STATE_DIR/pending; echo x >$STATE_DIR/pending/o2cb; apply_ocfs2; echo FAILED=$FAILED",
        true,
        &[("mounted.ocfs2", "printf 'Device  Stack  Cluster  F  Nodes\\n/dev/drbd0  o2cb  mini    alpha, beta\\n'")],
    );
    assert!(out.contains("upgrade its package first"), "{out}");
    assert!(out.contains("FAILED=1"), "{out}");
    assert!(
        !calls.contains("umount") && !calls.contains("o2cb restart"),
        "{calls}"
    );
}

/// The second node to apply (the peer already unmounted, waiting):
/// exports off, unmount, o2cb restart, mount, exports back, in that order.
#[test]
fn apply_runs_the_window_in_order() {
    let (_, out, calls) = o2cb(
        "mkdir -p $STATE_DIR/pending; echo x >$STATE_DIR/pending/o2cb; o2cb_drift() { :; }; apply_ocfs2; echo FAILED=$FAILED; ls $STATE_DIR/pending | wc -l",
        true,
        &[
            ("mounted.ocfs2", "printf 'Device  Stack  Cluster  F  Nodes\\n/dev/drbd0  o2cb  mini    alpha\\n'"),
            ("umount", "exit 0"),
            ("exportfs", "exit 0"),
        ],
    );
    assert!(out.contains("FAILED=0"), "{out}");
    let order: Vec<&str> = calls
        .lines()
        .filter(|l| !l.starts_with("mounted.ocfs2"))
        .collect();
    assert_eq!(
        order,
        [
            "umount /vol/shared",
            "o2cb restart",
            "mount /vol/shared",
            "exportfs -ra"
        ],
        "{calls}"
    );
}

#[test]
fn remount_is_live_and_a_data_mode_is_pending() {
    let findmnt = ("findmnt", "echo 'rw,relatime'");
    let (_, out, calls) = harness(
        &[findmnt, ("mount", "exit 0"), ("logger", "exit 0")],
        &[],
        "MOUNTS=\"/dev/x /vol/local ext4 rw 0 0\"
        remount_or_pending /vol/local noatime; echo FIRST=$ACTED
        remount_or_pending /vol/local noatime; echo SAME=$ACTED
        remount_or_pending /vol/local noatime,nodiratime
        remount_or_pending /vol/local noatime,nodiratime,data=writeback; ls $STATE_DIR/pending",
    );
    assert!(
        out.contains("FIRST=0") && out.contains("SAME=0"),
        "first sight and no change do nothing: {out}"
    );
    assert!(
        calls.contains("mount -o remount,noatime,nodiratime /vol/local"),
        "{calls}"
    );
    assert_eq!(calls.matches("mount -o remount").count(), 1, "{calls}");
    assert!(out.contains("remount-_vol_local"), "{out}");
}

/// A remount keeps what it is not given: a dropped option waits for a new
/// mount; a new value for an option's key is remounted live.
#[test]
fn a_dropped_mount_option_is_pending_a_new_value_is_remounted() {
    let findmnt = ("findmnt", "echo 'rw,relatime'");
    let (_, out, calls) = harness(
        &[findmnt, ("mount", "exit 0"), ("logger", "exit 0")],
        &[],
        "MOUNTS=\"/dev/x /vol/local ext4 rw 0 0\"
        remount_or_pending /vol/local noatime,commit=60
        remount_or_pending /vol/local noatime,commit=30; echo NEWVALUE=$(ls $STATE_DIR/pending 2>/dev/null | wc -l)
        remount_or_pending /vol/local noatime; cat $STATE_DIR/pending/remount-_vol_local",
    );
    assert!(
        calls.contains("mount -o remount,noatime,commit=30 /vol/local"),
        "{calls}"
    );
    assert_eq!(calls.matches("mount -o remount").count(), 1, "{calls}");
    assert!(out.contains("NEWVALUE=0"), "{out}");
    assert!(
        out.contains("a remount keeps commit=30 in effect): run 'mini-storage apply'"),
        "{out}"
    );
}

#[test]
fn status_reports_missing_mount_options_and_kept_volumes() {
    let (_, out, _) = harness(
        &[
            ("findmnt", "echo 'rw,relatime'"),
            ("lvs", "printf '  local 1073741824\\n  media 2147483648\\n  back0 1073741824\\n  old 5368709120\\n'"),
            ("logger", "exit 0"),
        ],
        &[],
        "MOUNTS=\"/dev/x /vol/local ext4 rw 0 0\"; status_volumes_change; echo BAD=$BAD",
    );
    assert!(
        out.contains("/vol/local") && out.contains("without noatime"),
        "{out}"
    );
    assert!(
        out.contains("vg0/old") && out.contains("not in the profile: its data stays"),
        "{out}"
    );
    assert!(out.contains("BAD=1"), "{out}");
}

#[test]
fn status_checks_the_replication_link_and_the_peer_on_it() {
    let (_, out, calls) = harness(
        &[
            (
                "ip",
                "echo '3: eth1    inet 10.9.0.11/24 brd 10.9.0.255 scope global eth1'",
            ),
            ("ping", "exit 1"),
        ],
        &[],
        "status_link; echo BAD=$BAD",
    );
    assert!(out.contains("10.9.0.11/24"), "{out}");
    assert!(
        out.contains("peer 10.9.0.12") && out.contains("no answer"),
        "{out}"
    );
    assert!(calls.contains("ping -n -q -c 1 -W 2 10.9.0.12"), "{calls}");
    assert!(out.contains("BAD=1"), "{out}");
}
