//! `storpkg plan`: a snapshot per kind of change, on pairs of profiles in
//! tests/fixtures/change/ (v1.toml against each other file there; the
//! how-to's link switch as link-v1.toml against link-v2.toml): the steps in
//! their classes, the rendered files' diffs, refusals as diagnostics; and
//! the binary's exit status per worst class.

mod common;

use assert_cmd::Command;
use storpkg::plan::change::{exit_status, plan_change, render_diffs, render_text, Class};
use storpkg::render::Renderer;

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/change")
}

/// The plan of OLD -> NEW as the terminal shows it, the diffs and the
/// refusals (rendered as `storpkg plan` renders them) under it.
fn planned(old: &str, new: &str) -> (String, Option<Class>) {
    let o = common::load(&format!("tests/fixtures/change/{old}"));
    let n = common::load(&format!("tests/fixtures/change/{new}"));
    let plan = plan_change(&o, &n, &Renderer::new().unwrap()).unwrap();
    let mut s = render_text(&plan, "mini-storage");
    let source = std::fs::read_to_string(dir().join(new)).unwrap();
    for r in &plan.refused {
        let span = storpkg::profile::locate(&source, &r.key).expect("the key is in the profile");
        let d = storpkg::profile::Diagnostic::error(
            r.code,
            span,
            format!("refused change on {}: {}", r.node, r.message),
        )
        .label(r.label.clone())
        .help(r.help.clone());
        s.push_str(&storpkg::profile::diag::render_plain(new, &source, &[d]));
    }
    s.push_str(&render_diffs(&plan));
    (s, plan.worst)
}

macro_rules! change {
    ($name:ident, $old:literal, $new:literal, $worst:expr) => {
        #[test]
        fn $name() {
            let (text, worst) = planned($old, $new);
            assert_eq!(worst, $worst, "{text}");
            insta::assert_snapshot!(stringify!($name), text);
        }
    };
}

change!(
    link_switch,
    "link-v1.toml",
    "link-v2.toml",
    Some(Class::Window)
);
change!(
    drbd_options,
    "v1.toml",
    "drbd-options.toml",
    Some(Class::Live)
);
change!(drbd_port, "v1.toml", "drbd-port.toml", Some(Class::Pause));
change!(
    o2cb_timeouts,
    "v1.toml",
    "o2cb-timeouts.toml",
    Some(Class::Window)
);
change!(new_volume, "v1.toml", "new-volume.toml", Some(Class::Live));
change!(
    new_resource,
    "v1.toml",
    "new-resource.toml",
    Some(Class::Live)
);
change!(grow, "v1.toml", "grow.toml", Some(Class::Window));
change!(shares, "v1.toml", "shares.toml", Some(Class::Live));
change!(
    mount_options,
    "v1.toml",
    "mount-options.toml",
    Some(Class::Window)
);
// Back: the dropped nodiratime stays in effect through a remount, so a
// new mount (a window), as the data mode's way back.
change!(
    mount_options_back,
    "mount-options.toml",
    "v1.toml",
    Some(Class::Window)
);
change!(system, "v1.toml", "system.toml", Some(Class::Live));
change!(removed, "v1.toml", "removed.toml", Some(Class::Live));
change!(refused, "v1.toml", "refused.toml", Some(Class::Refused));
change!(
    rollback,
    "link-v2.toml",
    "link-v1.toml",
    Some(Class::Window)
);

#[test]
fn same_profile_plans_nothing() {
    let (text, worst) = planned("v1.toml", "v1.toml");
    assert_eq!(worst, None, "{text}");
    assert!(text.contains("worst: no change (exit 0)"), "{text}");
}

#[test]
fn link_switch_is_a_pause_for_drbd_and_a_window_for_o2cb() {
    let o = common::load("tests/fixtures/change/link-v1.toml");
    let n = common::load("tests/fixtures/change/link-v2.toml");
    let plan = plan_change(&o, &n, &Renderer::new().unwrap()).unwrap();
    for node in &plan.nodes {
        let class = |layer: &str| {
            node.steps
                .iter()
                .filter(|s| s.layer == layer)
                .map(|s| s.class)
                .max()
        };
        assert_eq!(class("drbd"), Some(Class::Pause), "{}", node.node);
        assert_eq!(class("ocfs2"), Some(Class::Window), "{}", node.node);
        assert_eq!(class("nis"), Some(Class::Live), "{}", node.node);
        assert_eq!(node.packages_added, vec!["ifupdown".to_string()]);
    }
}

#[test]
fn exit_status_by_worst_class() {
    assert_eq!(exit_status(None), 0);
    assert_eq!(exit_status(Some(Class::Live)), 0);
    assert_eq!(exit_status(Some(Class::Pause)), 10);
    assert_eq!(exit_status(Some(Class::Window)), 11);
    assert_eq!(exit_status(Some(Class::Refused)), 12);
}

fn storpkg() -> Command {
    Command::cargo_bin("storpkg").unwrap()
}

#[test]
fn binary_exits_by_worst_class() {
    for (new, code) in [
        ("v1.toml", 0),
        ("drbd-options.toml", 0),
        ("drbd-port.toml", 10),
        ("o2cb-timeouts.toml", 11),
        ("refused.toml", 12),
    ] {
        storpkg()
            .current_dir(dir())
            .args(["plan", "--color", "never", "v1.toml", new])
            .assert()
            .code(code);
    }
}

#[test]
fn refusals_are_diagnostics_of_the_new_profile() {
    let out = storpkg()
        .current_dir(dir())
        .args(["plan", "--color", "never", "v1.toml", "refused.toml"])
        .assert()
        .code(12)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("error[shrink-volume]"), "{err}");
    assert!(err.contains("refused.toml:33:9"), "{err}");
    assert!(err.contains("help: keep size = \"1G\""), "{err}");
    assert!(err.contains("refused change on alpha, beta"), "{err}");
}

#[test]
fn json_for_scripts() {
    let out = storpkg()
        .current_dir(dir())
        .args(["plan", "--json", "link-v1.toml", "link-v2.toml"])
        .assert()
        .code(11)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["worst"], "window");
    assert_eq!(v["nodes"][0]["node"], "alpha");
    let classes: Vec<&str> = v["nodes"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["class"].as_str().unwrap())
        .collect();
    assert!(
        classes.contains(&"pause") && classes.contains(&"window"),
        "{classes:?}"
    );
}

/// `storpkg plan NEW` compares NEW with the profile the last build
/// recorded in DIR/profile.toml; with none there it says what to give.
#[test]
fn one_profile_against_the_last_build() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    storpkg()
        .current_dir(dir())
        .args(["plan", "--out", dist.to_str().unwrap(), "drbd-port.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("storpkg plan OLD NEW"));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::copy(dir().join("v1.toml"), dist.join("profile.toml")).unwrap();
    storpkg()
        .current_dir(dir())
        .args(["plan", "--out", dist.to_str().unwrap(), "drbd-port.toml"])
        .assert()
        .code(10)
        .stdout(predicates::str::contains("pause   drbd"));
}

/// tests/fixtures/pairs.toml with `edits` (from, to) applied.
fn pairs_edited(edits: &[(&str, &str)]) -> storpkg::model::Site {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pairs.toml");
    let mut source = std::fs::read_to_string(path).unwrap();
    for (from, to) in edits {
        assert!(source.contains(from), "{from}");
        source = source.replacen(from, to, 1);
    }
    let checked = storpkg::profile::check_str("pairs.toml", &source, ".");
    let report = checked.render_plain();
    checked.site.unwrap_or_else(|| panic!("{report}"))
}

/// A third pair joins a site of two: nothing of the two pairs' DRBD or
/// o2cb changes (each pair is its own o2cb cluster), so no node of theirs
/// has a pause, a window or a refusal.
#[test]
fn a_new_pair_leaves_the_other_pairs_running() {
    let old = common::load("tests/fixtures/pairs.toml");
    let new = pairs_edited(&[(
        "[ids.groups]",
        "[nodes.e]\naddress = \"10.0.0.15\"\nvg_size = \"8G\"\nreplication = { interface = \"eth1\", address = \"10.9.2.15/24\" }\n\n[nodes.f]\naddress = \"10.0.0.16\"\nvg_size = \"8G\"\nreplication = { interface = \"eth1\", address = \"10.9.2.16/24\" }\n\n[volumes.back-ef]\nsize = \"1G\"\nkind = \"drbd\"\nnodes = [\"e\", \"f\"]\n\n[drbd.resources.r-ef]\nminor = 0\nport = 7790\nvolume = \"back-ef\"\nnodes = [\"e\", \"f\"]\n\n[ocfs2.filesystems.fs-ef]\nresource = \"r-ef\"\nmode = \"mail\"\nmountpoint = \"/vol/fs-ef\"\n\n[ids.groups]",
    )]);
    let plan = plan_change(&old, &new, &Renderer::new().unwrap()).unwrap();
    let text = render_text(&plan, "duo-storage");
    assert!(plan.refused.is_empty(), "{text}");
    for node in plan
        .nodes
        .iter()
        .filter(|n| ["a", "b", "c", "d"].contains(&n.node.as_str()))
    {
        let worst = node.steps.iter().map(|s| s.class).max();
        assert!(worst <= Some(Class::Live), "{}: {text}", node.node);
        assert!(
            !node
                .files
                .iter()
                .any(|f| f.path == "/etc/ocfs2/cluster.conf"),
            "{}: {text}",
            node.node
        );
    }
}

/// A resource that moves to another pair is refused on the nodes of both
/// (its data is on the old pair's legs), never planned as a removal there
/// and a new resource here.
#[test]
fn a_resource_moving_to_another_pair_is_refused() {
    let old = common::load("tests/fixtures/pairs.toml");
    let new = pairs_edited(&[
        (
            "nodes = [\"c\", \"d\"]\n\n[drbd]",
            "nodes = [\"b\", \"c\", \"d\"]\n\n[drbd]",
        ),
        (
            "volume = \"back-cd\"\nnodes = [\"c\", \"d\"]",
            "volume = \"back-cd\"\nnodes = [\"b\", \"c\"]",
        ),
        ("initialiser = \"d\"", "initialiser = \"c\""),
        (
            "minor = 0\nport = 7790\nvolume = \"back-cd\"",
            "minor = 1\nport = 7791\nvolume = \"back-cd\"",
        ),
        ("10.9.1.13/24", "10.9.0.13/24"),
        ("10.9.1.14/24", "10.9.0.14/24"),
    ]);
    let plan = plan_change(&old, &new, &Renderer::new().unwrap()).unwrap();
    let text = render_text(&plan, "duo-storage");
    assert_eq!(plan.worst, Some(Class::Refused), "{text}");
    let mut on: Vec<&str> = plan
        .refused
        .iter()
        .filter(|r| r.code == "drbd-peer")
        .map(|r| r.node.as_str())
        .collect();
    on.sort_unstable();
    on.dedup();
    // One refusal, named by every node it is refused on.
    assert_eq!(on, ["b, c, d"], "{text}");
    assert!(!text.contains("new DRBD resource r-cd"), "{text}");
    assert!(!text.contains("r-cd leaves the profile"), "{text}");
}
