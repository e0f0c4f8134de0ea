//! The real binary: exit codes, where diagnostics go, that `check` writes
//! nothing, help texts, and that hostile strings in any profile field are
//! refused (property test).

use assert_cmd::Command;
use predicates::prelude::*;
use proptest::prelude::*;

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

/// Every (line prefix, field) of pasta.toml whose string value reaches a
/// script or a configuration file.
const FIELDS: &[&str] = &[
    "name = \"pasta\"",
    "domain = \"pasta.net\"",
    "maintainer = \"Pasta Storage Admins <root@pasta.net>\"",
    "address = \"192.168.1.6\"",
    "volume_group = \"vg0\"",
    "interface = \"eth1\"",
    "mountpoint = \"/vol/rep-no\"",
    "mount_options = [\"noatime\"",
    "volume = \"rep-drbd0\"",
    "cluster = \"ocfs2\"",
    "mountpoint = \"/vol/ocfs2-small\"",
    "link = \"/vol/home\"",
    "clients = \"192.168.1.0/24\"",
    "options = [\"rw\"",
    "profile = \"vol-rep-unison\"",
    "logfile = \"/var/log/unison.log\"",
    "schedule = \"*-*-* 00:00:00\"",
    "links = { \"/pub\" = \"staging/pub\"",
    "staging = \"/staging\"",
    "users = [\"alexis\"",
    "automount_options = [\"noquota\"",
    "home = \"/var/lib/libvirt\"",
    "gecos = \"Libvirt Qemu\"",
    "path = \"/pasta\"",
    "signing_key = \"storpkg pasta archive key\"",
    "mirror = \"http://192.168.1.1/debian\"",
    "split_brain_notify = \"root\"",
    "initialiser = \"fiori\"",
    "on = \"ocfs2-small\"",
    "libvirt_pool = \"vmpool0\"",
    "node_binding = \"localhost\"",
    "changes = [\"Storage configuration",
];

fn toml_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Strings holding at least one character no grammar of storpkg allows.
fn hostile() -> impl Strategy<Value = String> {
    let bad = prop::sample::select(vec![
        " ",
        "\t",
        "\n",
        "'",
        "\"",
        "`",
        "$",
        ";",
        "|",
        "&",
        "\\",
        "$(reboot)",
        "\u{0}",
        "é",
        "\r",
        "../",
    ]);
    ("[a-z0-9./-]{0,8}", bad, "[a-z0-9]{0,8}").prop_map(|(a, b, c)| format!("{a}{b}{c}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn hostile_strings_in_any_field_are_refused(field in prop::sample::select(FIELDS), value in hostile()) {
        let text = std::fs::read_to_string("profiles/pasta.toml").unwrap();
        let (key, rest) = field.split_once('"').unwrap();
        let old_value = rest.split('"').next().unwrap();
        let at = text.find(field).expect("field in pasta.toml");
        let value_start = at + key.len() + 1;
        let mut patched = text.clone();
        patched.replace_range(value_start..value_start + old_value.len(), &toml_escape(&value));
        // Free-text fields (a gpg user id, GECOS, changelog lines) may hold
        // spaces and `../`; they never reach a shell unquoted either.
        let text_field = ["signing_key", "gecos", "changes"].iter().any(|f| field.starts_with(f));
        prop_assume!(!(text_field && (value.trim_matches(|c: char| c.is_ascii_alphanumeric() || c == '.' || c == '/' || c == '-').chars().all(|c| c == ' ' || c == '.' || c == '/'))));
        let checked = storpkg::profile::check_str("pasta.toml", &patched, "/");
        prop_assert!(checked.errors() > 0, "{field} = {value:?} was accepted");
        // The diagnostic points at the value, not somewhere else.
        let end = value_start + toml_escape(&value).len();
        prop_assert!(
            checked.diagnostics.iter().any(|d| d.is_error() && d.span.start <= end && d.span.end >= value_start - 1),
            "{field} = {value:?}: no error at the value:\n{}", checked.render_plain()
        );
    }
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
