//! shellcheck judges the project's own shell scripts (scripts/, .ci/run,
//! tests/chroot/, tests/vm/, tests/installer/), with every check enabled,
//! as it judges the scripts storpkg generates.
//!
//! A missing shellcheck skips this test locally and fails it when `CI` is set.

mod common;

use common::tool;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file under DIRS that is a shell script: a `sh`/`bash` shebang, or
/// a sourced file that names its shell (`# shellcheck shell=...`).
fn shell_scripts() -> Vec<PathBuf> {
    let mut found = vec![PathBuf::from(".ci/run")];
    for dir in ["scripts", "tests/chroot", "tests/vm", "tests/installer"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let first = text.lines().next().unwrap_or("");
            let shebang =
                first.starts_with("#!") && (first.ends_with("/sh") || first.ends_with("bash"));
            if shebang || first.starts_with("# shellcheck shell=") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn own_shell_scripts_pass_shellcheck() {
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    let scripts = shell_scripts();
    assert!(
        scripts.iter().any(|p| p == Path::new("scripts/test")),
        "{scripts:?}"
    );
    let mut failures = Vec::new();
    for script in &scripts {
        let dir = script.parent().unwrap();
        let o = Command::new(&shellcheck)
            .arg("-x")
            .arg("--source-path=SCRIPTDIR")
            .arg(script.file_name().unwrap())
            .current_dir(dir)
            .output()
            .unwrap();
        if !o.status.success() {
            failures.push(format!(
                "shellcheck {}:\n{}",
                script.display(),
                String::from_utf8_lossy(&o.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
