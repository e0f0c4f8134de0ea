//! `storpkg check` as a user runs it (the real binary): what goes to stdout
//! and stderr, exit statuses for every fixture, colour, and the help of the
//! subcommands tests/cli.rs does not snapshot.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn storpkg() -> Command {
    let mut c = Command::cargo_bin("storpkg").unwrap();
    c.env_remove("NO_COLOR").env("COLUMNS", "100");
    c
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/invalid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    assert!(v.len() > 20, "fixtures found: {v:?}");
    v
}

/// Every fixture through the binary: errors give status 1, the diagnostics
/// as FILE:LINE:COL on stderr, "nothing written" and an empty stdout;
/// warning-only profiles give status 0 and the summary, unless
/// --deny-warnings.
#[test]
fn every_fixture_through_the_binary() {
    let base = std::fs::canonicalize("tests/fixtures/invalid").unwrap();
    for path in fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let mut checked = storpkg::profile::check_bytes(
            &path.display().to_string(),
            bytes,
            &base.display().to_string(),
        );
        storpkg::preflight::check(&mut checked);
        let text = checked.source.clone();
        let shown = path.display().to_string();
        let first = checked
            .diagnostics
            .iter()
            .map(|d| d.span.start)
            .min()
            .unwrap();
        let line = text[..first].matches('\n').count() + 1;
        let located = format!("{shown}:{line}:");
        if checked.errors() > 0 {
            storpkg()
                .args(["check", "--color", "never"])
                .arg(&path)
                .assert()
                .code(1)
                .stdout(predicate::str::is_empty())
                .stderr(predicate::str::contains(located.as_str()))
                .stderr(predicate::str::contains("nothing written"))
                .stderr(predicate::str::contains(format!(
                    "{} error",
                    checked.errors()
                )));
        } else {
            let code = checked.diagnostics[0].code;
            storpkg()
                .args(["check"])
                .arg(&path)
                .assert()
                .success()
                .stdout(predicate::str::contains("packages"))
                .stderr(predicate::str::contains(format!("warning[{code}]")))
                .stderr(predicate::str::contains(located.as_str()))
                .stderr(predicate::str::contains("nothing written").not());
            storpkg()
                .args(["check", "--deny-warnings"])
                .arg(&path)
                .assert()
                .code(1)
                .stdout(predicate::str::is_empty())
                .stderr(predicate::str::contains("warnings denied"))
                .stderr(predicate::str::contains("nothing written"));
        }
    }
}

#[test]
fn stdout_is_exactly_the_summary() {
    let checked = storpkg::profile::load(Path::new("profiles/pasta.toml")).unwrap();
    let site = checked.site.unwrap();
    for (args, verbose) in [
        (&["check"][..], false),
        (&["check", "--verbose"], true),
        (&["check", "-v"], true),
    ] {
        storpkg()
            .args(args)
            .arg("profiles/pasta.toml")
            .assert()
            .success()
            .stdout(storpkg::summary::summary(&site, verbose))
            .stderr(predicate::str::is_empty());
    }
    storpkg()
        .args(["check", "--quiet", "profiles/pasta.toml"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let bad = "tests/fixtures/invalid/many-errors.toml";
    let esc = predicate::str::contains("\u{1b}[");
    storpkg()
        .args(["check", "--color", "always", bad])
        .assert()
        .code(1)
        .stderr(esc.clone());
    storpkg()
        .args(["check", "--color", "never", bad])
        .assert()
        .code(1)
        .stderr(esc.clone().not());
    // Not a terminal: auto means no colour.
    storpkg()
        .args(["check", bad])
        .assert()
        .code(1)
        .stderr(esc.clone().not());
    storpkg()
        .args(["--color", "never", "check", bad])
        .assert()
        .code(1)
        .stderr(esc.clone().not());
    // Warnings too, and the summary on stdout never.
    let warn = "tests/fixtures/invalid/unsigned-repository.toml";
    storpkg()
        .args(["check", "--color", "never", warn])
        .assert()
        .success()
        .stderr(esc.clone().not())
        .stdout(esc.not());
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    std::fs::write(&big, "# padding\n".repeat(200_000)).unwrap();
    for args in [
        vec!["check".to_string()],
        vec![
            "check".into(),
            "profiles/pasta.toml".into(),
            "profiles/risotto.toml".into(),
        ],
        vec![
            "check".into(),
            "--color".into(),
            "sometimes".into(),
            "profiles/pasta.toml".into(),
        ],
        vec!["chekc".into(), "profiles/pasta.toml".into()],
        vec!["check".into(), dir.path().display().to_string()],
        vec!["check".into(), big.display().to_string()],
        vec!["check".into(), "/dev/zero".into()],
        vec!["check".into(), "tests/fixtures/invalid/no-such.toml".into()],
    ] {
        storpkg()
            .args(&args)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::is_empty().not());
    }
    storpkg()
        .args(["chekc", "profiles/pasta.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("check"));
}

#[test]
fn check_writes_nothing_even_verbose_or_failing() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::env::current_dir().unwrap();
    for args in [
        vec!["check", "--verbose", "profiles/pasta.toml"],
        vec!["check", "profiles/risotto.toml"],
        vec![
            "check",
            "--deny-warnings",
            "tests/fixtures/invalid/shared-link.toml",
        ],
        vec!["check", "tests/fixtures/invalid/toml-syntax.toml"],
        vec!["check", "no-such.toml"],
    ] {
        let mut c = storpkg();
        c.current_dir(dir.path())
            .env("HOME", dir.path())
            .env("TMPDIR", dir.path());
        let mut args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        let last = args.last_mut().unwrap();
        *last = root.join(&*last).into_os_string();
        let _ = c.args(&args).output().unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
}

#[test]
fn help_of_the_other_subcommands() {
    for args in [
        &["completions", "--help"][..],
        &["man", "--help"],
        &["help", "check"],
    ] {
        let out = storpkg()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let name = format!("help_{}", args.join("_").replace("--", ""));
        insta::assert_snapshot!(name, String::from_utf8(out).unwrap());
    }
    // `storpkg help check` and `storpkg check --help` are the same text.
    let a = storpkg().args(["help", "check"]).output().unwrap().stdout;
    let b = storpkg().args(["check", "--help"]).output().unwrap().stdout;
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    // The top-level help names the exit statuses and every subcommand.
    let top = storpkg().arg("--help").output().unwrap().stdout;
    let top = String::from_utf8(top).unwrap();
    for word in [
        "check",
        "build",
        "preseed",
        "completions",
        "man",
        "Exit status",
    ] {
        assert!(top.contains(word), "storpkg --help lacks {word:?}:\n{top}");
    }
}

/// A profile over 1 MiB (or an endless one) is refused at once as
/// unreadable, saying why; a non-UTF-8 profile is a `not-utf8` diagnostic
/// at the line and column of its first bad byte.
#[test]
fn oversized_and_non_utf8_profiles() {
    for big in ["/dev/zero".to_string(), {
        let dir = tempfile::tempdir().unwrap().keep();
        let p = dir.join("big.toml");
        std::fs::write(&p, "# padding\n".repeat(200_000)).unwrap();
        p.display().to_string()
    }] {
        storpkg()
            .args(["check", &big])
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains("larger than 1 MiB"));
    }
    let dir = tempfile::tempdir().unwrap();
    let latin1 = dir.path().join("latin1.toml");
    std::fs::write(&latin1, b"[site]\nname = \"caf\xe9\"\n").unwrap();
    storpkg()
        .args(["check", "--color", "never"])
        .arg(&latin1)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[not-utf8]"))
        .stderr(predicate::str::contains("latin1.toml:2:12"))
        .stderr(predicate::str::contains("byte 0xe9"));
}

/// Control characters in a profile (ESC, NUL, CR, DEL, C1) never reach the
/// terminal raw, long values are cut, and at most 50 diagnostics are shown.
#[test]
fn diagnostics_stay_readable_under_attack() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(300);
    let mut text = String::from("[site]\nname = \"a\\u001b[31mb\\u0000c\\rd\\u007fe\\u009bf\"\n");
    text.push_str(&format!("domain = \"{long}\"\n"));
    for i in 0..70 {
        text.push_str(&format!("bogus{i} = 1\n"));
    }
    let raw = "[site]\n# raw \x1b[2J\x00\r\x7f\u{9b} in a comment\n".to_string();
    for (name, text, capped) in [("evil.toml", text, true), ("raw.toml", raw, false)] {
        let evil = dir.path().join(name);
        std::fs::write(&evil, &text).unwrap();
        let out = storpkg()
            .args(["check", "--color", "never"])
            .arg(&evil)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            !err.chars().any(|c| c.is_control() && c != '\n'),
            "a raw control character: {err:?}"
        );
        // Only the profile's own lines show the value whole.
        let echoed = err.lines().filter(|l| {
            let t = l.trim_start();
            !(t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(" │ "))
        });
        for l in echoed {
            assert!(!l.contains(&long), "a long value is cut: {l}");
        }
        if capped {
            assert!(err.contains("\\e[31mb\\0c\\rd\\u{7f}e\\u{9b}f"), "{err}");
            assert!(err.contains("more diagnostics not shown"), "{err}");
        } else {
            assert!(err.contains("# raw \\e[2J"), "{err}");
        }
    }
}

/// `check` lists the site's template overrides, and renders them with the
/// real values: an override with an undefined variable fails `check`.
#[test]
fn check_lists_and_renders_template_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("profiles/risotto.toml")
        .unwrap()
        .replace("[site]\n", "[site]\ntemplates = \"tpl\"\n");
    let profile = dir.path().join("site.toml");
    std::fs::write(&profile, text).unwrap();
    std::fs::create_dir_all(dir.path().join("tpl/system")).unwrap();
    let sysctl = dir.path().join("tpl/system/sysctl.conf");
    std::fs::write(
        &sysctl,
        "# own\n{% for s in sysctl %}{{ s.key }}\n{% endfor %}",
    )
    .unwrap();
    storpkg()
        .args(["check", "--verbose"])
        .arg(&profile)
        .assert()
        .success()
        .stdout(predicate::str::contains("site templates: 1 override from "))
        .stdout(predicate::str::contains(
            "replaces the built-in template debian-templates/system/sysctl.conf",
        ));
    std::fs::write(&sysctl, "{{ no_such_value }}\n").unwrap();
    storpkg()
        .args(["check", "--color", "never"])
        .arg(&profile)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[template-override]"))
        .stderr(predicate::str::contains("fails to render"));
    std::fs::write(&sysctl, "{% if %}\n").unwrap();
    storpkg()
        .args(["check", "--color", "never"])
        .arg(&profile)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not parse"));
}
