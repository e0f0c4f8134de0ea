//! The node-side command (static, installed as /usr/sbin/SITE-storage;
//! assembled by `storpkg::layers::command::node_command` from the layers'
//! `debian-templates/*/command*.sh`) and the layout files it reads:
//! shellcheck judges both, and the command's read-only paths run here
//! against a layout of pasta (this machine has no vg0, no DRBD resource).

mod common;

use common::have;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The assembled command, written once per test run to a file the tests
/// run and source (written beside and renamed: a concurrent run never
/// reads half a script).
fn script() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(dir).unwrap();
        let tmp = tempfile::NamedTempFile::new_in(dir).unwrap();
        std::fs::write(tmp.path(), storpkg::layers::command::node_command()).unwrap();
        let path = dir.join("converge_script-storage.sh");
        tmp.persist(&path).unwrap();
        path.to_str().unwrap().to_owned()
    })
}

#[test]
fn script_and_layouts_pass_shellcheck() {
    if !have("shellcheck") {
        return;
    }
    let o = Command::new("shellcheck")
        .args(["-s", "sh", script()])
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
        .arg(script())
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
        "node fiori (peers: torchio) of site pasta",
        "storpkg-no-such-vg",
        "drbd   drbd0",
        "Unconfigured",
        "/vol/ocfs2-small",
        "not mounted",
    ] {
        assert!(out.contains(want), "status lacks {want:?}:\n{out}");
    }
}

/// A directory of stub commands, put first on PATH.
struct Stubs {
    bin: std::path::PathBuf,
}

impl Stubs {
    fn new(dir: &Path) -> Self {
        let bin = dir.join("bin");
        std::fs::create_dir(&bin).unwrap();
        Stubs { bin }
    }

    fn add(&self, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = self.bin.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// The network as the probes see it: `ping` (logged to `log`) answers
    /// for the addresses of `ping`; `timeout` runs what it is given (its
    /// `-k` grace and limit dropped), except the TCP probe (`bash -c`),
    /// which "connects" to the addresses of `tcp` (a refusal: the host is
    /// up) and times out for the rest.
    fn net(&self, log: &Path, ping: &[&str], tcp: &[&str]) {
        let log = log.display();
        self.add(
            "ping",
            &format!(
                "echo \"ping $*\" >>{log}\nfor a; do :; done\ncase ' {} ' in *\" $a \"*) exit 0 ;; esac\nexit 1",
                ping.join(" ")
            ),
        );
        self.add(
            "timeout",
            &format!(
                "[ \"$1\" = -k ] && shift 2\nshift\nif [ \"$1\" = bash ]; then\n echo \"tcp $5 $6\" >>{log}\n case ' {} ' in *\" $5 \"*) echo 'Connection refused' >&2; exit 1 ;; esac\n exit 124\nfi\nexec \"$@\"",
                tcp.join(" ")
            ),
        );
    }

    fn path(&self) -> String {
        format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap())
    }
}

/// What the network looks like to the fence-peer handler.
#[derive(Default, Clone, Copy)]
struct Net<'a> {
    /// What `ssh root@PEER drbdadm outdate R` exits with (drbdadm's 0, 5 or
    /// 17; ssh's 255).
    ssh: i32,
    /// Addresses that answer a ping.
    ping: &'a [&'a str],
    /// Addresses whose TCP probe connects or is refused.
    tcp: &'a [&'a str],
    /// The fence command's exit status, when the site has one for the peer.
    power: Option<i32>,
}

/// Runs the fence-peer handler on `node` of `site` for `resource` with
/// `ssh`, `ping`, the TCP probe and the power command replaced by stubs on
/// PATH (nothing is ever sent to the profile's addresses from here).
/// Returns the exit status and the messages followed by the calls.
fn fence_on(site: &storpkg::model::Site, node: &str, resource: &str, net: Net) -> (i32, String) {
    let mut site = site.clone();
    let dir = tempfile::tempdir().unwrap();
    let stubs = Stubs::new(dir.path());
    let log = dir.path().join("calls");
    if let Some(rc) = net.power {
        let peers: Vec<String> = site
            .nodes
            .iter()
            .map(|n| n.name.clone())
            .filter(|n| n != node)
            .collect();
        for p in peers {
            site.drbd.fence_commands.push((
                p.clone(),
                format!("powerctl -H bmc-{p} -f /etc/ipmi.pass off"),
            ));
        }
        stubs.add(
            "powerctl",
            &format!("echo \"powerctl $*\" >>{}\nexit {rc}", log.display()),
        );
    }
    let f = dir.path().join("layout.sh");
    std::fs::write(&f, storpkg::layout::layout(&site, node)).unwrap();
    stubs.add(
        "ssh",
        &format!("echo \"ssh $*\" >>{}\nexit {}", log.display(), net.ssh),
    );
    stubs.net(&log, net.ping, net.tcp);
    stubs.add("logger", "exit 0");
    let o = Command::new("sh")
        .arg(script())
        .arg("fence-peer")
        .env("STORPKG_LAYOUT", &f)
        .env("STORPKG_RUN_DIR", dir.path())
        .env("PATH", stubs.path())
        .env("DRBD_RESOURCE", resource)
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    (
        o.status.code().unwrap_or(-1),
        format!("{}{calls}", String::from_utf8_lossy(&o.stderr)),
    )
}

fn fence(resource: &str, net: Net) -> (i32, String) {
    fence_on(&common::pasta(), "fiori", resource, net)
}

/// pasta's addresses: torchio on the admin network and the link, the
/// install server (the default witness).
const TORCHIO: &str = "192.168.1.7";
const TORCHIO_LINK: &str = "10.11.12.7";
const WITNESS: &str = "192.168.1.1";

#[test]
fn fence_peer_outdates_over_the_admin_network_first() {
    // ssh trust: the peer's disk is outdated over the admin address: 4.
    let (code, out) = fence("drbd0", Net::default());
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("root@192.168.1.7 drbdadm outdate drbd0"),
        "{out}"
    );
    assert!(out.contains("ConnectTimeout=2"), "{out}");
    assert!(!out.contains("ping "), "{out}");
    // 5 there: its disk is Inconsistent or worse: 3.
    let (code, out) = fence(
        "drbd0",
        Net {
            ssh: 5,
            ..Net::default()
        },
    );
    assert_eq!(code, 3, "{out}");
    // 17 there: it is Primary: the link failed, not the peer: frozen.
    let (code, out) = fence(
        "drbd0",
        Net {
            ssh: 17,
            ..Net::default()
        },
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is up and Primary"), "{out}");
    assert!(
        out.contains("replication link to 10.11.12.7 failed"),
        "{out}"
    );
    assert!(!out.contains("ping "), "{out}");
    // Only DRBD runs it: a resource name that is not one is refused.
    let (code, out) = fence("drbd0; reboot", Net::default());
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("ssh "), "{out}");
}

#[test]
fn fence_peer_keeps_io_frozen_while_the_peer_answers_anywhere() {
    let witness = &[WITNESS][..];
    for (ping, tcp, named) in [
        (&[TORCHIO, WITNESS][..], witness, TORCHIO),
        (&[TORCHIO_LINK, WITNESS][..], witness, TORCHIO_LINK),
        (witness, &[TORCHIO, WITNESS][..], TORCHIO),
    ] {
        let net = Net {
            ssh: 255,
            ping,
            tcp,
            power: Some(0),
        };
        let (code, out) = fence("drbd0", net);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains(&format!("torchio is up (it answers on {named}")),
            "{out}"
        );
        assert!(out.contains("stays frozen here"), "{out}");
        assert!(out.contains("drbdadm resume-io drbd0"), "{out}");
        // A live peer is never powered off.
        assert!(!out.contains("powerctl"), "{out}");
        // Every address of the peer and the witness were probed.
        for a in [TORCHIO, TORCHIO_LINK, WITNESS] {
            assert!(
                out.contains(&format!("ping -n -q -c 1 -W 2 {a}")),
                "{a}: {out}"
            );
        }
        assert!(
            out.contains("tcp 192.168.1.7 22") && out.contains("tcp 192.168.1.1 80"),
            "{out}"
        );
    }
    // With resource-only fencing nothing is frozen: the message says so.
    let mut only = common::pasta();
    for r in &mut only.drbd.resources {
        r.fencing = "resource-only".into();
    }
    let net = Net {
        ssh: 255,
        ping: &[TORCHIO],
        ..Net::default()
    };
    let (code, out) = fence_on(&only, "fiori", "drbd0", net);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not declaring it down"), "{out}");
    assert!(!out.contains("frozen"), "{out}");
}

#[test]
fn fence_peer_resumes_on_either_node_only_with_the_witness_or_power_fencing() {
    let pasta = common::pasta();
    // The peer is silent everywhere, the witness answers: peer dead, 5,
    // on the initialiser and on the other node alike.
    for (node, peer) in [("fiori", "torchio"), ("torchio", "fiori")] {
        let net = Net {
            ssh: 255,
            ping: &[WITNESS],
            ..Net::default()
        };
        let (code, out) = fence_on(&pasta, node, "drbd0", net);
        assert_eq!(code, 5, "{node}: {out}");
        assert!(
            out.contains(&format!("{peer} answers on none of its addresses")),
            "{out}"
        );
        assert!(out.contains("going on alone"), "{out}");
        // The witness answering only on its port 80 (refused or open) is enough.
        let net = Net {
            ssh: 255,
            tcp: &[WITNESS],
            ..Net::default()
        };
        assert_eq!(fence_on(&pasta, node, "drbd0", net).0, 5);
        // Neither peer nor witness: this node may be the one cut off.
        let net = Net {
            ssh: 255,
            ..Net::default()
        };
        let (code, out) = fence_on(&pasta, node, "drbd0", net);
        assert_eq!(code, 1, "{node}: {out}");
        assert!(out.contains("may be the one cut off"), "{out}");
        assert!(out.contains("stays frozen here"), "{out}");
    }
    // Power fencing: the silent peer is powered off: 7 (stonithed), even
    // when the witness does not answer.
    let net = Net {
        ssh: 255,
        power: Some(0),
        ..Net::default()
    };
    let (code, out) = fence("drbd0", net);
    assert_eq!(code, 7, "{out}");
    assert!(
        out.contains("powerctl -H bmc-torchio -f /etc/ipmi.pass off"),
        "{out}"
    );
    assert!(out.contains("peer stonithed"), "{out}");
    // The power command fails: the witness decides.
    let net = Net {
        ssh: 255,
        power: Some(1),
        ping: &[WITNESS],
        ..Net::default()
    };
    let (code, out) = fence("drbd0", net);
    assert_eq!(code, 5, "{out}");
    assert!(
        out.contains("the fence command for torchio failed (exit 1"),
        "{out}"
    );
    let net = Net {
        ssh: 255,
        power: Some(1),
        ..Net::default()
    };
    assert_eq!(fence("drbd0", net).0, 1);
}

#[test]
fn fence_peer_has_a_time_limit_for_every_probe_and_for_itself() {
    let cmd = storpkg::layers::command::node_command();
    for want in [
        "timeout -k 1 \"$FENCE_LIMIT\" env STORPKG_FENCE_INNER=1",
        "timeout -k 1 \"$FENCE_SSH_LIMIT\" ssh",
        "timeout -k 1 \"$FENCE_PROBE_LIMIT\" ping",
        "timeout -k 1 \"$FENCE_PROBE_LIMIT\" bash",
        "timeout -k 1 \"$FENCE_POWER_LIMIT\" $_power",
        "FENCE_LIMIT=12\n",
    ] {
        assert!(cmd.contains(want), "{want}");
    }
    // 3 (ssh) + 2 (probes, at once) + 4 (power) + the kill graces stay
    // under the watchdog, which stays far under o2cb's 60 s.
    let limit = |name: &str| -> u32 {
        let at = cmd.find(&format!("\n{name}=")).unwrap() + name.len() + 2;
        cmd[at..].split('\n').next().unwrap().parse().unwrap()
    };
    let worst = limit("FENCE_SSH_LIMIT")
        + 1
        + limit("FENCE_PROBE_LIMIT") * 2
        + 1
        + limit("FENCE_POWER_LIMIT")
        + 1;
    assert!(worst <= limit("FENCE_LIMIT") + 2, "{worst}");
    assert!(limit("FENCE_LIMIT") * 3 < 60);
}

#[test]
fn drbd_read_takes_state_and_frozen_io_from_proc_drbd() {
    let dir = tempfile::tempdir().unwrap();
    let proc = dir.path().join("drbd");
    std::fs::write(
        &proc,
        "version: 8.4.11 (api:1/proto:86-101)\n\
         srcversion: B536C32A3EADA868561EFD9 \n \
         0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n    \
         ns:10 nr:65626 dw:65637 dr:1009 al:11 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n \
         1: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C s-----\n \
         2: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown   r-----\n \
         3: cs:Unconfigured\n\
         10: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n",
    )
    .unwrap();
    let script = script();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "STORPKG_CONVERGE_LIBRARY=1; . {script}; PROC_DRBD={}; for m in 0 1 2 3 4 10; do drbd_read $m; echo \"$m $CS $RO $DS $SUSP\"; done",
            proc.display()
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "0 Connected Primary/Primary UpToDate/UpToDate 0\n\
         1 WFConnection Primary/Unknown UpToDate/DUnknown 1\n\
         2 StandAlone Secondary/Unknown UpToDate/DUnknown 0\n\
         3 Unconfigured - - 0\n\
         4 Unconfigured - - 0\n\
         10 SyncTarget Secondary/Primary Inconsistent/UpToDate 0\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn fence_peer_reaches_the_resources_own_peer_on_a_three_node_site() {
    // alpha pairs with beta for r0 and with gamma for r1.
    let site = common::trio();
    let (code, out) = fence_on(&site, "alpha", "r1", Net::default());
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("root@10.0.0.13 drbdadm outdate r1"), "{out}");
    assert!(out.contains("the disk of gamma outdated"), "{out}");
    let net = Net {
        ssh: 255,
        ping: &["10.0.0.12"],
        ..Net::default()
    };
    let (code, out) = fence_on(&site, "alpha", "r0", net);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ping -n -q -c 1 -W 2 10.9.0.12"), "{out}");
    assert!(!out.contains("10.0.0.13"), "{out}");
    assert!(out.contains("beta is up"), "{out}");
    // A resource this node does not have: no peer to fence.
    let (code, out) = fence_on(&site, "beta", "r1", Net::default());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no DRBD resource r1"), "{out}");
    assert!(!out.contains("ssh "), "{out}");
}

/// Runs `drbd_settle 1` (resource drbd0 of fiori, the initialiser) from the
/// sourced script with DRBD replaced: `state` is what /proc/drbd says
/// ("CS RO DS"), `fresh` whether storpkg's fresh mark is there, `gi` what
/// `drbdadm get-gi` prints, `ping_ok` whether the peer answers a ping.
/// Returns the drbdadm calls, the messages and WAITING/FAILED.
fn settle(state: &str, fresh: bool, gi: &str, ping_ok: bool) -> (String, String) {
    // The peer answers a ping or not; the witness does; no TCP probe answers.
    let up: &[&str] = if ping_ok {
        &["192.168.1.7", "10.11.12.7", "192.168.1.1"]
    } else {
        &["192.168.1.1"]
    };
    settle_net(state, fresh, gi, up)
}

/// `settle` with `up` the addresses that answer a ping.
fn settle_net(state: &str, fresh: bool, gi: &str, up: &[&str]) -> (String, String) {
    settle_on(&common::pasta(), "fiori", 1, state, fresh, gi, up)
}

/// `drbd_settle I` on `node` of `site`: resource I of its layout.
fn settle_on(
    site: &storpkg::model::Site,
    node: &str,
    i: usize,
    state: &str,
    fresh: bool,
    gi: &str,
    up: &[&str],
) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("layout.sh"), storpkg::layout::layout(site, node)).unwrap();
    // "refuse-once STATE": DRBD refuses the first plain primary.
    let state = match state.strip_prefix("refuse-once ") {
        Some(rest) => {
            std::fs::write(d.join("refuse"), "").unwrap();
            rest
        }
        None => state,
    };
    std::fs::write(d.join("state"), state).unwrap();
    std::fs::write(d.join("gi"), gi).unwrap();
    let stubs = Stubs::new(d);
    let dd = d.display();
    // new-current-uuid on a fresh connected pair makes both UpToDate.
    stubs.add(
        "drbdadm",
        &format!(
            "echo \"drbdadm $*\" >>{dd}/calls\ncase \"$1\" in\n get-gi) cat {dd}/gi ;;\n new-current-uuid) echo 'Connected Secondary/Secondary UpToDate/UpToDate' >{dd}/state ;;\n primary) [ \"$2\" = --force ] || ! rm {dd}/refuse 2>/dev/null || exit 11; [ \"$2\" = --force ] || ! grep -q '^WFConnection' {dd}/state || exit 11 ;;\nesac\nexit 0"
        ),
    );
    stubs.net(&d.join("calls"), up, &[]);
    stubs.add("logger", "exit 0");
    let fresh_cmd = if fresh {
        format!(": >\"$(drbd_fresh_mark \"$DRBD_{i}_NAME\")\"")
    } else {
        ":".to_string()
    };
    let script = script();
    let harness = format!(
        r#"STORPKG_CONVERGE_LIBRARY=1
. {script}
LAYOUT={dd}/layout.sh
load_layout
STATE_DIR={dd}/state.d
mkdir -p "$STATE_DIR"
LOGGER=0
DRBD_{i}_PEER_WAIT=1
STORPKG_SYNC_WAIT=1
drbd_read() {{ read -r CS RO DS <{dd}/state; }}
{fresh_cmd}
drbd_settle {i}
_r=$DRBD_{i}_NAME
echo "WAITING=$WAITING FAILED=$FAILED MARK=$([ -e "$(drbd_fresh_mark "$_r")" ] && echo yes || echo no) USED=$([ -e "$(drbd_used_mark "$_r")" ] && echo yes || echo no)"
"#
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(harness)
        .env("PATH", stubs.path())
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(d.join("calls")).unwrap_or_default();
    (
        calls,
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

const FRESH_GI: &str =
    "0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:0:0:0\n";
const USED_GI: &str =
    "8F6E7A1B2C3D4E51:0000000000000000:0000000000000004:0000000000000000:1:1:0:1:0:0:0\n";

#[test]
fn drbd_is_forced_only_on_a_fresh_leg_whose_peer_is_down() {
    let alone = "WFConnection Secondary/Unknown Inconsistent/DUnknown";
    // The one case: storpkg's own fresh metadata, never used, peer silent.
    let (calls, out) = settle(alone, true, FRESH_GI, false);
    assert!(
        calls.contains("drbdadm primary --force drbd0"),
        "{calls}{out}"
    );
    assert!(out.contains("going on one-legged"), "{out}");
    assert!(out.contains("FAILED=0") && out.contains("MARK=no"), "{out}");
    // The peer answers a ping: it is up, so nothing is forced.
    let (calls, out) = settle(alone, true, FRESH_GI, true);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(
        out.contains("WAITING=1") && out.contains("MARK=yes"),
        "{out}"
    );
    // No mark (the metadata was there before storpkg): never forced.
    let (calls, out) = settle(alone, false, FRESH_GI, false);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(out.contains("WAITING=1"), "{out}");
    // The peer silent, but the witness too: this node may be the one cut
    // off: never forced.
    let (calls, out) = settle_net(alone, true, FRESH_GI, &[]);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(
        out.contains("may be the one cut off") && out.contains("WAITING=1"),
        "{out}"
    );
    // The peer answers only on the replication link: up, nothing forced.
    let (calls, out) = settle_net(alone, true, FRESH_GI, &["10.11.12.7", "192.168.1.1"]);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(out.contains("torchio answers (10.11.12.7)"), "{out}");
    // A mark, but DRBD says the metadata has been used: never forced.
    let (calls, out) = settle(alone, true, USED_GI, false);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(out.contains("FAILED=1") && out.contains("get-gi"), "{out}");
}

#[test]
fn drbd_standalone_and_peer_data_are_never_overridden() {
    // StandAlone (a split brain, a refused handshake): reported, untouched.
    let (calls, out) = settle(
        "StandAlone Secondary/Unknown UpToDate/DUnknown",
        true,
        FRESH_GI,
        false,
    );
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(
        out.contains("StandAlone") && out.contains("FAILED=1"),
        "{out}"
    );
    // Connected to a peer that holds data: the mark goes, nothing forced,
    // no clear-bitmap; this leg waits for its sync.
    let (calls, out) = settle(
        "Connected Secondary/Secondary Inconsistent/UpToDate",
        true,
        FRESH_GI,
        false,
    );
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(!calls.contains("new-current-uuid"), "{calls}{out}");
    assert!(
        out.contains("MARK=no") && out.contains("WAITING=1"),
        "{out}"
    );
    // A sync target: waits, never promoted before UpToDate.
    let (calls, out) = settle(
        "SyncTarget Secondary/Secondary Inconsistent/UpToDate",
        false,
        USED_GI,
        false,
    );
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(
        out.contains("still syncing") && out.contains("WAITING=1"),
        "{out}"
    );
}

#[test]
fn drbd_fresh_pair_skips_the_initial_sync_and_uptodate_is_promoted() {
    let (calls, out) = settle(
        "Connected Secondary/Secondary Inconsistent/Inconsistent",
        true,
        FRESH_GI,
        false,
    );
    assert!(
        calls.contains("drbdadm new-current-uuid --clear-bitmap drbd0"),
        "{calls}{out}"
    );
    assert!(calls.contains("drbdadm primary drbd0"), "{calls}{out}");
    assert!(!calls.contains("--force"), "{calls}{out}");
    // Without storpkg's mark the initialiser cannot tell: it stops.
    let (calls, out) = settle(
        "Connected Secondary/Secondary Inconsistent/Inconsistent",
        false,
        FRESH_GI,
        false,
    );
    assert!(
        !calls.contains("new-current-uuid") && !calls.contains("primary"),
        "{calls}{out}"
    );
    assert!(out.contains("FAILED=1"), "{out}");
    // UpToDate after a reboot: promoted, plainly.
    let (calls, out) = settle(
        "Connected Secondary/Primary UpToDate/UpToDate",
        false,
        USED_GI,
        false,
    );
    assert!(calls.contains("drbdadm primary drbd0"), "{calls}{out}");
    assert!(!calls.contains("--force"), "{calls}{out}");
    // ...and remembered: metadata made later on this node is never fresh.
    assert!(out.contains("USED=yes"), "{out}");
    // Refused once while Connected (the peer's own promotion under way):
    // tried again, promoted, nothing failed.
    let (calls, out) = settle(
        "refuse-once Connected Secondary/Primary UpToDate/UpToDate",
        false,
        USED_GI,
        false,
    );
    assert_eq!(
        calls.matches("drbdadm primary drbd0").count(),
        2,
        "{calls}{out}"
    );
    assert!(out.contains("WAITING=0 FAILED=0"), "{out}");
    // UpToDate but alone, and DRBD refuses the plain primary (fence-peer
    // could not say the peer is outdated): waiting, not failed, not forced.
    let (calls, out) = settle(
        "WFConnection Secondary/Unknown UpToDate/DUnknown",
        false,
        USED_GI,
        true,
    );
    assert!(calls.contains("drbdadm primary drbd0"), "{calls}{out}");
    assert!(!calls.contains("--force"), "{calls}{out}");
    assert!(out.contains("not promoted while torchio"), "{out}");
    assert!(out.contains("WAITING=1 FAILED=0"), "{out}");
}

#[test]
fn signatures_read_a_device_or_say_it_could_not() {
    if !have("blkid") || !have("wipefs") || !have("mkfs.ext4") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk");
    std::fs::File::create(&img)
        .unwrap()
        .set_len(8 << 20)
        .unwrap();
    let script = script();
    let sig = |dev: &Path| {
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "STORPKG_CONVERGE_LIBRARY=1; . {script}; signatures \"$1\""
            ))
            .arg("sh")
            .arg(dev)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(sig(&img), "");
    let o = Command::new("mkfs.ext4")
        .arg("-q")
        .arg(&img)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(sig(&img), "ext4");
    // Unreadable: never "empty".
    let s = sig(&dir.path().join("missing"));
    assert!(s.contains("unreadable("), "{s}");
}

/// Runs `ocfs2_fs 1` (the first OCFS2 filesystem of pasta) on `node` with
/// DRBD Primary/UpToDate and the device's signature and label as `blkid`
/// would read them (`sig`, `label`; empty for none); mkfs.ocfs2, tunefs.ocfs2
/// and the mount are stubs that log their calls.
fn ocfs2_make_or_wait(node: &str, sig: &str, label: &str) -> (String, String) {
    let site = common::pasta();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dd = d.display();
    std::fs::write(d.join("layout.sh"), storpkg::layout::layout(&site, node)).unwrap();
    let stubs = Stubs::new(d);
    stubs.add(
        "blkid",
        &format!(
            "echo \"blkid $*\" >>{dd}/calls\ncase \"$*\" in\n *LABEL*) [ -n '{label}' ] && echo '{label}' ;;\n *TYPE*) [ -n '{sig}' ] && echo '{sig}' ;;\nesac\nexit 0"
        ),
    );
    stubs.add("wipefs", &format!("[ -n '{sig}' ] && echo '{sig}'\nexit 0"));
    stubs.add("blockdev", "exit 0");
    stubs.add("logger", "exit 0");
    for tool in ["mkfs.ocfs2", "tunefs.ocfs2"] {
        stubs.add(tool, &format!("echo \"{tool} $*\" >>{dd}/calls"));
    }
    let script = script();
    let harness = format!(
        r#"STORPKG_CONVERGE_LIBRARY=1
. {script}
LAYOUT={dd}/layout.sh
load_layout
LOGGER=0
DRBD_PEER_WAIT=1
is_mounted() {{ return 1; }}
o2cb_online() {{ return 0; }}
drbd_read() {{ CS=Connected RO=Primary/Primary DS=UpToDate/UpToDate; }}
mount_fstab() {{ echo "mount $1" >>{dd}/calls; }}
ocfs2_fs 1
echo "WAITING=$WAITING FAILED=$FAILED"
"#
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(harness)
        .env("PATH", stubs.path())
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(d.join("calls")).unwrap_or_default();
    let calls = calls
        .lines()
        .filter(|l| !l.starts_with("blkid"))
        .collect::<Vec<_>>()
        .join("\n");
    (
        calls,
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn ocfs2_is_mounted_by_the_peer_only_once_its_making_has_finished() {
    // The initialiser makes it under the making label, then gives it its
    // real one, then mounts it.
    let (calls, out) = ocfs2_make_or_wait("fiori", "", "");
    let mkfs = calls.find("mkfs.ocfs2").expect(&calls);
    let tune = calls.find("tunefs.ocfs2 -L ").expect(&calls);
    let mount = calls.find("mount ").expect(&calls);
    assert!(mkfs < tune && tune < mount, "{calls}");
    assert!(calls.contains("-L storpkg:mkfs"), "{calls}");
    assert!(out.contains("WAITING=0 FAILED=0"), "{out}");
    // The peer sees the signature while mkfs.ocfs2 still runs: it waits,
    // mounts nothing, makes nothing.
    let (calls, out) = ocfs2_make_or_wait("torchio", "ocfs2", "storpkg:mkfs");
    assert_eq!(calls, "", "{out}");
    assert!(out.contains("WAITING=1 FAILED=0"), "{out}");
    assert!(out.contains("has not finished making"), "{out}");
    // Once labelled, the peer mounts it.
    let (calls, out) = ocfs2_make_or_wait("torchio", "ocfs2", "home");
    assert!(calls.starts_with("mount "), "{calls}");
    assert!(out.contains("WAITING=0 FAILED=0"), "{out}");
    // An initialiser whose own mkfs was cut short: refused with the way out,
    // never formatted again by itself.
    let (calls, out) = ocfs2_make_or_wait("fiori", "ocfs2", "storpkg:mkfs");
    assert_eq!(calls, "", "{out}");
    assert!(
        out.contains("FAILED=1") && out.contains("wipefs -a"),
        "{out}"
    );
}

/// The real `timeout` against probes that never answer (stubs that sleep;
/// nothing is sent anywhere): the handler decides within its watchdog.
#[test]
fn fence_peer_decides_in_time_when_every_probe_hangs() {
    if !have("timeout") {
        return;
    }
    let mut site = common::pasta();
    site.drbd
        .fence_commands
        .push(("torchio".into(), "powerctl off".into()));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("layout.sh");
    std::fs::write(&f, storpkg::layout::layout(&site, "fiori")).unwrap();
    let stubs = Stubs::new(dir.path());
    for name in ["ssh", "ping", "bash", "powerctl"] {
        stubs.add(name, "exec sleep 60");
    }
    stubs.add("logger", "exit 0");
    let t0 = std::time::Instant::now();
    let o = Command::new("sh")
        .arg(script())
        .arg("fence-peer")
        .env("STORPKG_LAYOUT", &f)
        .env("STORPKG_RUN_DIR", dir.path())
        .env("PATH", stubs.path())
        .env("DRBD_RESOURCE", "drbd0")
        .output()
        .unwrap();
    let took = t0.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    // ssh 3 s, the probes 2 s, the power command 4 s, each with its 1 s
    // grace at most; the watchdog at 12 s. Not a timing test (a loaded
    // machine stretches it): what it proves is that no hung probe (each
    // sleeps 60 s) is waited out.
    assert!(took < 45.0, "{took} s: {err}");
    assert!(
        err.contains("the fence command for torchio failed (exit 124"),
        "{err}"
    );
    assert!(err.contains("neither torchio"), "{err}");
}

/// The hub's addresses: h, x and y on the admin network and the link, and
/// the install server (the default witness).
const HUB_X: [&str; 2] = ["10.0.0.11", "10.9.0.11"];
const HUB_Y: [&str; 2] = ["10.0.0.12", "10.9.0.12"];
const HUB_H: [&str; 2] = ["10.0.0.10", "10.9.0.10"];
const HUB_WITNESS: &str = "10.0.0.1";

#[test]
fn a_hub_forces_only_the_resource_it_initialises_and_asks_each_its_own_peer() {
    // h pairs with x (hx, 1 in h's layout, initialised by x) and with y
    // (hy, 2, initialised by h).
    let site = common::hub();
    let alone = "WFConnection Secondary/Unknown Inconsistent/DUnknown";
    // y silent, x up: h's own fresh hy goes one-legged; x is never asked.
    let up = [HUB_X[0], HUB_X[1], HUB_WITNESS];
    let (calls, out) = settle_on(&site, "h", 2, alone, true, FRESH_GI, &up);
    assert!(calls.contains("drbdadm primary --force hy"), "{calls}{out}");
    assert!(out.contains("y did not connect"), "{out}");
    assert!(
        !calls.contains("10.0.0.11") && !calls.contains("10.9.0.11"),
        "{calls}"
    );
    // The same with y up and x silent: y answers, nothing forced.
    let up = [HUB_Y[0], HUB_Y[1], HUB_WITNESS];
    let (calls, out) = settle_on(&site, "h", 2, alone, true, FRESH_GI, &up);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(
        out.contains("y answers") && out.contains("WAITING=1"),
        "{out}"
    );
    // hx is x's to initialise: h never forces it, even with x silent.
    let (calls, out) = settle_on(&site, "h", 1, alone, true, FRESH_GI, &[HUB_WITNESS]);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(
        out.contains("waiting for x") && out.contains("WAITING=1"),
        "{out}"
    );
    // x, hx's initialiser, forces its own fresh leg while h is silent.
    let (calls, out) = settle_on(&site, "x", 1, alone, true, FRESH_GI, &[HUB_WITNESS]);
    assert!(calls.contains("drbdadm primary --force hx"), "{calls}{out}");
    assert!(out.contains("h did not connect"), "{out}");
    // y is not hy's initialiser: it waits for h.
    let (calls, out) = settle_on(&site, "y", 1, alone, true, FRESH_GI, &[HUB_WITNESS]);
    assert!(!calls.contains("primary"), "{calls}{out}");
    assert!(out.contains("waiting for h"), "{out}");
    // A fresh connected pair skips its initial sync on its own initialiser
    // only: h clears hy's bitmap, not hx's.
    let fresh = "Connected Secondary/Secondary Inconsistent/Inconsistent";
    let (calls, _) = settle_on(&site, "h", 2, fresh, true, FRESH_GI, &up);
    assert!(
        calls.contains("new-current-uuid --clear-bitmap hy"),
        "{calls}"
    );
    let (calls, _) = settle_on(&site, "h", 1, fresh, true, FRESH_GI, &up);
    assert!(!calls.contains("new-current-uuid"), "{calls}");
}

#[test]
fn fence_peer_on_a_hub_fences_the_resources_own_peer_only() {
    let mut site = common::hub();
    // The stubbed power command (Net::power) instead of the profile's.
    site.drbd.fence_commands.clear();
    // hy's peer y silent everywhere, x up, the witness up: y powered off
    // (7), x neither probed nor powered off.
    let net = Net {
        ssh: 255,
        ping: &[HUB_X[0], HUB_X[1], HUB_WITNESS],
        power: Some(0),
        ..Net::default()
    };
    let (code, out) = fence_on(&site, "h", "hy", net);
    assert_eq!(code, 7, "{out}");
    assert!(out.contains("powerctl -H bmc-y"), "{out}");
    assert!(!out.contains("bmc-x"), "{out}");
    assert!(out.contains("root@10.0.0.12 drbdadm outdate hy"), "{out}");
    assert!(
        !out.contains("10.0.0.11") && !out.contains("10.9.0.11"),
        "{out}"
    );
    // hx's peer x answers on the link only: alive, so hx stays frozen (1),
    // whatever y does.
    let net = Net {
        ssh: 255,
        ping: &[HUB_X[1], HUB_WITNESS],
        ..Net::default()
    };
    let (code, out) = fence_on(&site, "h", "hx", net);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("x is up"), "{out}");
    assert!(
        !out.contains("10.0.0.12") && !out.contains("10.9.0.12"),
        "{out}"
    );
    // On x, hx's peer is h: outdated over h's admin address.
    let (code, out) = fence_on(&site, "x", "hx", Net::default());
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains(&format!("root@{} drbdadm outdate hx", HUB_H[0])),
        "{out}"
    );
}
