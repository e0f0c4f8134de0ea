//! The real binary: exit codes, where diagnostics go, that `check` writes
//! nothing, help texts. Hostile strings in profile fields are
//! tests/profile_hostile.rs's.

use assert_cmd::Command;
use predicates::prelude::*;

fn storpkg() -> Command {
    Command::cargo_bin("storpkg").unwrap()
}

#[test]
fn check_pasta_exits_0_and_lists_the_packages() {
    storpkg()
        .args(["check", "profiles/pasta.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pasta-storage-fiori_1.0_all.deb"))
        .stdout(predicate::str::contains("DRBD resources"))
        .stderr(predicate::str::is_empty());
}

#[test]
fn invalid_profile_exits_1_with_file_line_col() {
    storpkg()
        .args([
            "check",
            "--color",
            "never",
            "tests/fixtures/invalid/many-errors.toml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "tests/fixtures/invalid/many-errors.toml:4:9",
        ))
        .stderr(predicate::str::contains("nothing written"))
        .stderr(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn missing_file_and_bad_flag_exit_2() {
    storpkg()
        .args(["check", "no/such/profile.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read no/such/profile.toml"));
    storpkg()
        .args(["check", "--no-such-flag", "profiles/pasta.toml"])
        .assert()
        .code(2);
    storpkg().assert().code(2);
}

#[test]
fn deny_warnings_fails_a_warning_only_profile() {
    storpkg()
        .args(["check", "-q", "profiles/risotto.toml"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[unsigned-repository]"));
    storpkg()
        .args(["check", "-q", "--deny-warnings", "profiles/risotto.toml"])
        .assert()
        .code(1);
}

#[test]
fn check_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::canonicalize("profiles/pasta.toml").unwrap();
    let bad = std::fs::canonicalize("tests/fixtures/invalid/many-errors.toml").unwrap();
    storpkg()
        .current_dir(dir.path())
        .arg("check")
        .arg(&profile)
        .assert()
        .success();
    storpkg()
        .current_dir(dir.path())
        .arg("check")
        .arg(&bad)
        .assert()
        .code(1);
    storpkg()
        .current_dir(dir.path())
        .arg("build")
        .arg(&bad)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn help_texts() {
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["build", "--help"],
        &["preseed", "--help"],
    ] {
        let out = storpkg()
            .args(args)
            .env("COLUMNS", "100")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let name = format!("help_{}", args.join("_").replace("--", ""));
        insta::assert_snapshot!(name, String::from_utf8(out).unwrap());
    }
    storpkg()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("storpkg "));
    storpkg()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH storpkg"));
    storpkg()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("storpkg"));
}

#[test]
fn preseed_unknown_node_exits_2_and_lists_nodes() {
    storpkg()
        .args(["preseed", "profiles/pasta.toml", "--node", "penne"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("known nodes: fiori, torchio"));
}

/// storpkg's own package ships the man page and completions from debian/:
/// they must match what the binary prints (regenerate with
/// `storpkg man > debian/storpkg.1`, `storpkg completions SHELL > debian/completions/...`).
#[test]
fn packaged_man_page_and_completions_are_current() {
    for (args, file) in [
        (&["man"][..], "debian/storpkg.1"),
        (&["completions", "bash"], "debian/completions/storpkg.bash"),
        (&["completions", "zsh"], "debian/completions/_storpkg"),
        (&["completions", "fish"], "debian/completions/storpkg.fish"),
    ] {
        let out = storpkg()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let shipped = std::fs::read(file).unwrap();
        assert!(
            out == shipped,
            "{file} is stale: regenerate it with `storpkg {}`",
            args.join(" ")
        );
    }
}
