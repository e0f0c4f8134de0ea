//! `storpkg preseed`: the fragment parses with debconf-set-selections, its
//! shell commands pass shellcheck, and an unknown node lists the known ones.

mod common;

use common::have;
use std::path::Path;
use std::process::Command;

fn site(name: &str) -> storpkg::model::Site {
    let checked =
        storpkg::profile::load(Path::new(&format!("profiles/{name}.toml"))).expect("readable");
    let report = checked.render_plain();
    checked.site.unwrap_or_else(|| panic!("{report}"))
}

#[test]
fn fragments_parse_with_debconf_set_selections() {
    if !have("debconf-set-selections") {
        return;
    }
    for (profile, node) in [
        ("pasta", "fiori"),
        ("pasta", "torchio"),
        ("risotto", "arborio"),
    ] {
        let text = storpkg::preseed::fragment(&site(profile), node, 0).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("fragment.cfg");
        std::fs::write(&f, &text).unwrap();
        let out = Command::new("debconf-set-selections")
            .arg("-c")
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{profile}/{node}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(&format!("apt-install {profile}-storage-ids")));
        assert!(text.contains(&format!("{profile}-storage-{node}")));
    }
}

#[test]
fn signed_repositories_give_a_key_unsigned_ones_say_so() {
    let pasta = storpkg::preseed::fragment(&site("pasta"), "fiori", 3).unwrap();
    assert!(
        pasta.contains("d-i apt-setup/local3/key string http://192.168.1.1/pasta/archive-key.asc")
    );
    assert!(!pasta.contains("allow_unauthenticated"));
    let risotto = storpkg::preseed::fragment(&site("risotto"), "carnaroli", 0).unwrap();
    assert!(risotto.contains("allow_unauthenticated boolean true"));
    assert!(!risotto.contains("/key string"));
}

#[test]
fn commands_pass_shellcheck() {
    if !have("shellcheck") {
        return;
    }
    let text = storpkg::preseed::fragment(&site("pasta"), "fiori", 0).unwrap();
    let mut script = String::from("#!/bin/sh\n# d-i helpers, defined by the installer\nin_target() { chroot /target \"$@\"; }\n");
    for line in text.lines() {
        for key in [
            "preseed/early_command string ",
            "preseed/late_command string ",
        ] {
            if let Some((_, cmd)) = line.split_once(key) {
                script.push_str(&cmd.replace("in-target ", "in_target "));
                script.push('\n');
            }
        }
    }
    // The body of `sh -c '...'` is a script of its own: checked separately,
    // so SC2016 (no expansion in single quotes) is intended in the outer one.
    let inner = script
        .split("sh -c '")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("sh -c body");
    let inner = format!("#!/bin/sh\n{inner}\n");
    let dir = tempfile::tempdir().unwrap();
    for (name, text, excluded) in [("commands.sh", &script, "SC2016"), ("late.sh", &inner, "")] {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        let mut cmd = Command::new("shellcheck");
        cmd.args(["-s", "sh"]);
        if !excluded.is_empty() {
            cmd.args(["-e", excluded]);
        }
        let out = cmd.arg(&f).output().unwrap();
        assert!(
            out.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn unknown_node_lists_the_known_ones() {
    let err = storpkg::preseed::fragment(&site("pasta"), "penne", 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no storage node named `penne` in this profile; known nodes: fiori, torchio"
    );
}
