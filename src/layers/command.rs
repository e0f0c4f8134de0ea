//! The node-side command `/usr/sbin/SITE-storage`, assembled from the layers' shell files.
//!
//! The command (`converge [--dry-run]`, `status`, and DRBD's `fence-peer` and
//! `after-resync` handlers) is static POSIX sh: everything about a node
//! comes from its layout file (`crate::layout`). Each storage layer keeps
//! its part in `debian-templates/<layer>/command.sh`, its converge step
//! beside its status view; `boot/command-head.sh` (shebang, globals,
//! messages, helpers of several layers) opens the command and
//! `boot/command-main.sh` (the `converge` and `status` drivers, the argument
//! dispatch) closes it. A part is not a script of its own: it only defines
//! functions and globals for the others.
//!
//! The parts are compiled in and joined as they are, never through the
//! template engine, so no site template override can replace or alter the
//! command.

macro_rules! parts {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../debian-templates/", $path))),)*]
    };
}

/// The parts of the node-side command in the order they are joined: (path
/// under `debian-templates/`, content). The head comes first (it holds the
/// shebang), the drivers and the argument dispatch last; between them the
/// layers in the order `converge` runs their steps.
pub const PARTS: &[(&str, &str)] = parts![
    "boot/command-head.sh",
    "volumes/command.sh",
    "volumes/change.sh",
    "drbd/command.sh",
    "drbd/fence.sh",
    "drbd/repair.sh",
    "drbd/change.sh",
    "ocfs2/command.sh",
    "ocfs2/change.sh",
    "shares/command.sh",
    "unison/command.sh",
    "ids/command.sh",
    "system/command.sh",
    "system/change.sh",
    "boot/apply.sh",
    "boot/command-main.sh",
];

/// The node-side command: every part of [`PARTS`] in order, a blank line
/// between two parts. The same bytes for every node and site.
pub fn node_command() -> String {
    PARTS
        .iter()
        .map(|(_, content)| *content)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shebang_at_the_top() {
        let command = node_command();
        assert!(command.starts_with("#!/bin/sh\n"), "{}", &command[..40]);
        assert_eq!(command.matches("#!").count(), 1);
        for (path, content) in &PARTS[1..] {
            assert!(!content.contains("#!"), "{path} has a shebang");
        }
    }

    #[test]
    fn every_part_ends_with_a_newline() {
        for (path, content) in PARTS {
            assert!(!content.is_empty(), "{path} is empty");
            assert!(
                content.ends_with('\n'),
                "{path} does not end with a newline"
            );
            assert!(!content.ends_with("\n\n"), "{path} ends with a blank line");
        }
    }

    /// Static: nothing a template engine would read (the command never goes
    /// through one; a value in it would be a value nobody fills in).
    #[test]
    fn no_template_syntax() {
        for (path, content) in PARTS {
            for mark in ["{{", "{%"] {
                assert!(!content.contains(mark), "{path} contains {mark}");
            }
        }
    }

    #[test]
    fn every_function_is_defined_once() {
        let command = node_command();
        let mut names: Vec<&str> = command
            .lines()
            .filter_map(|l| l.split_once("() {").map(|(name, _)| name))
            .filter(|name| !name.starts_with(' ') && !name.contains(' '))
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a function is defined twice");
        assert!(all > 40, "{all}");
    }
}
