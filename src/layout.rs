//! The layout of one storage node as a shell-sourceable file
//! (`/usr/share/<site>-storage/layout.sh`), read by the node-side command
//! (`crate::layers::command::node_command`, installed as
//! `/usr/sbin/<site>-storage`). The command is static; everything it needs
//! to know about the node comes from here.
//!
//! Format: `NAME='value'` lines only, every value single-quoted by
//! [`shell_quote`]. Lists are numbered from 1 with a `_COUNT`
//! (`LV_COUNT='2'`, `LV_1_NAME='rep-no'`, ...), so the command reaches
//! them by index and never builds a variable name from a profile value.
//! Booleans are `'1'` or `'0'`. No I/O here.

use crate::model::{Node, Site};
use std::fmt::Write;

/// A POSIX shell word that is exactly `s`: single quotes, with each `'`
/// written as `'\''`. The one quoting function of storpkg (the templates'
/// `shell_quote` filter is the same function).
pub use crate::render::shell_quote;

/// The layout being written: what every layer's part reads, and the text.
pub(crate) struct Layout<'a> {
    pub site: &'a Site,
    /// The node's name.
    pub node: &'a str,
    /// The node (None for a name that is not a node of the site).
    pub me: Option<&'a Node>,
    /// The node's volume group.
    pub vg: &'a str,
    pub out: String,
}

impl<'a> Layout<'a> {
    pub(crate) fn var(&mut self, name: &str, value: impl AsRef<str>) {
        let _ = writeln!(self.out, "{name}={}", shell_quote(value.as_ref()));
    }
    pub(crate) fn item(&mut self, list: &str, i: usize, field: &str, value: impl AsRef<str>) {
        self.var(&format!("{list}_{i}_{field}"), value);
    }
    pub(crate) fn comment(&mut self, text: &str) {
        let _ = writeln!(self.out, "\n# {text}");
    }
    /// This node is one of `nodes`.
    pub(crate) fn has(&self, nodes: &[String]) -> bool {
        nodes.iter().any(|n| n == self.node)
    }
    /// Each DRBD resource pairs this node with one other node (DRBD 8.4):
    /// that is the resource's peer. A node of a site of more than two nodes
    /// may have several peers.
    pub(crate) fn peer_in(&self, nodes: &[String]) -> Option<&'a Node> {
        nodes
            .iter()
            .find(|n| n.as_str() != self.node)
            .and_then(|n| self.site.node(n))
    }
}

pub(crate) fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

/// The layers' parts of `layout.sh`, in the node package's layer order.
const PARTS: &[fn(&mut Layout)] = &[
    crate::layers::boot::layout::layout,
    crate::layers::volumes::layout::layout,
    crate::layers::drbd::layout::layout,
    crate::layers::ocfs2::layout::layout,
    crate::layers::shares::layout::layout,
    crate::layers::unison::layout::layout,
    crate::layers::system::layout::layout,
    crate::layers::link::layout::layout,
];

/// The layout file of `node`. A name that is not a node of the site gives a
/// layout with the site's names and no volumes (the planner only asks for
/// the site's own nodes).
pub fn layout(site: &Site, node: &str) -> String {
    let me = site.node(node);
    let mut o = Layout {
        site,
        node,
        me,
        vg: me.map(|n| n.volume_group.as_str()).unwrap_or(""),
        out: String::new(),
    };
    for part in PARTS {
        part(&mut o);
    }
    o.out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The valid site of the profile at `rel` (from the crate's root).
    fn load(rel: &str) -> Site {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        crate::profile::load(&path)
            .unwrap_or_else(|_| panic!("{rel} reads"))
            .site
            .unwrap_or_else(|| panic!("{rel} is valid"))
    }

    fn pasta() -> Site {
        load("profiles/pasta.toml")
    }

    /// Runs `sh -c` on the layout plus `script`, returning stdout.
    fn sh(layout: &str, script: &str) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("set -eu\n{layout}\n{script}"))
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn quote_round_trips_through_sh() {
        for s in [
            "",
            "plain",
            "it's",
            "''",
            "a b\tc\nd",
            "$(rm -rf /) `x` $HOME \\ \" ; & | * ?",
            "'; echo pwned; '",
        ] {
            let got = sh(&format!("V={}", shell_quote(s)), "printf '%s' \"$V\"");
            assert_eq!(got, s, "quoting {s:?}");
        }
    }

    #[test]
    fn quote_shapes() {
        assert_eq!(shell_quote("abc"), "'abc'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn every_line_is_a_comment_blank_or_quoted_assignment() {
        let site = pasta();
        for node in ["fiori", "torchio"] {
            for line in layout(&site, node).lines() {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (name, value) = line.split_once('=').expect("NAME=VALUE");
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                    "variable name {name:?}"
                );
                assert!(
                    value.starts_with('\'') && value.ends_with('\'') && value.len() >= 2,
                    "unquoted value in {line:?}"
                );
            }
        }
    }

    #[test]
    fn pasta_fiori_is_the_howto() {
        let l = layout(&pasta(), "fiori");
        let got = sh(
            &l,
            r#"printf '%s %s %s %s\n' "$NODE" "$PEERS" "$VG" "$DRBD_1_INITIALISER"
i=1; while [ "$i" -le "$LV_COUNT" ]; do
  eval "printf 'lv %s %s %s %s [%s]\n' \"\$LV_${i}_NAME\" \"\$LV_${i}_SIZE\" \"\$LV_${i}_KIND\" \"\$LV_${i}_DEVICE\" \"\$LV_${i}_MOUNTPOINT\""
  i=$((i + 1)); done
i=1; while [ "$i" -le "$DRBD_COUNT" ]; do
  eval "printf 'drbd %s %s %s %s\n' \"\$DRBD_${i}_NAME\" \"\$DRBD_${i}_MINOR\" \"\$DRBD_${i}_DEVICE\" \"\$DRBD_${i}_DISK\""
  i=$((i + 1)); done
i=1; while [ "$i" -le "$OCFS2_COUNT" ]; do
  eval "printf 'ocfs2 %s %s %s %s %s %s\n' \"\$OCFS2_${i}_DEVICE\" \"\$OCFS2_${i}_MODE\" \"\$OCFS2_${i}_FEATURE_LEVEL\" \"\$OCFS2_${i}_SLOTS\" \"\$OCFS2_${i}_LABEL\" \"\$OCFS2_${i}_MOUNTPOINT\""
  i=$((i + 1)); done
printf 'shares %s unison %s %s cluster %s\n' "$SHARE_COUNT" "$UNISON_ROLE" "$UNISON_PEER" "$OCFS2_CLUSTER"
"#,
        );
        assert_eq!(
            got,
            "fiori torchio vg0 1\n\
             lv rep-no 100G ext4 /dev/vg0/rep-no [/vol/rep-no]\n\
             lv rep-unison 2T unison /dev/vg0/rep-unison [/vol/rep-unison]\n\
             lv rep-drbd0 200G drbd /dev/vg0/rep-drbd0 []\n\
             lv rep-drbd1 200G drbd /dev/vg0/rep-drbd1 []\n\
             drbd drbd0 0 /dev/drbd0 /dev/vg0/rep-drbd0\n\
             drbd drbd1 1 /dev/drbd1 /dev/vg0/rep-drbd1\n\
             ocfs2 /dev/drbd0 mail max-features 2 ocfs2-small /vol/ocfs2-small\n\
             ocfs2 /dev/drbd1 vmstore max-features 2 ocfs2-large /vol/ocfs2-large\n\
             shares 8 unison client torchio cluster ocfs2\n"
        );
    }

    #[test]
    fn torchio_is_not_the_initialiser_and_serves_unison() {
        let l = layout(&pasta(), "torchio");
        let got = sh(
            &l,
            r#"printf '%s %s %s %s %s\n' "$NODE" "$PEERS" "$DRBD_1_INITIALISER" "$OCFS2_1_INITIALISER" "$UNISON_ROLE""#,
        );
        assert_eq!(got, "torchio fiori 0 0 server\n");
    }

    #[test]
    fn each_resource_names_its_own_peer_on_a_three_node_site() {
        let site = load("tests/fixtures/trio.toml");
        let show = r#"printf '%s|' "$PEERS"
i=1; while [ "$i" -le "$DRBD_COUNT" ]; do
  eval "printf '%s %s %s %s|' \"\$DRBD_${i}_NAME\" \"\$DRBD_${i}_PEER\" \"\$DRBD_${i}_PEER_ADMIN\" \"\$DRBD_${i}_PEER_ADDRESS\""
  i=$((i + 1)); done
i=1; while [ "$i" -le "$OCFS2_COUNT" ]; do
  eval "printf '%s %s|' \"\$OCFS2_${i}_NAME\" \"\$OCFS2_${i}_PEER\""
  i=$((i + 1)); done"#;
        assert_eq!(
            sh(&layout(&site, "alpha"), show),
            "beta gamma|r0 beta 10.0.0.12 10.9.0.12|r1 gamma 10.0.0.13 10.9.0.13|fs0 beta|fs1 gamma|"
        );
        assert_eq!(
            sh(&layout(&site, "gamma"), show),
            "alpha|r1 alpha 10.0.0.11 10.9.0.11|fs1 alpha|"
        );
    }

    #[test]
    fn each_resource_has_its_own_initialiser_on_a_hub() {
        // h pairs with x (hx, initialised by x) and with y (hy, by h).
        let site = load("tests/fixtures/hub.toml");
        let show = r#"printf '%s|%s|' "$PEERS" "$REPL_PEER"
i=1; while [ "$i" -le "$DRBD_COUNT" ]; do
  eval "printf '%s %s %s %s|' \"\$DRBD_${i}_NAME\" \"\$DRBD_${i}_PEER\" \"\$DRBD_${i}_INITIALISER\" \"\$DRBD_${i}_VERIFY\""
  i=$((i + 1)); done
i=1; while [ "$i" -le "$OCFS2_COUNT" ]; do
  eval "printf '%s %s %s|' \"\$OCFS2_${i}_NAME\" \"\$OCFS2_${i}_PEER\" \"\$OCFS2_${i}_INITIALISER\""
  i=$((i + 1)); done
printf 'o2cb %s' "$O2CB_NODE_COUNT""#;
        assert_eq!(
            sh(&layout(&site, "h"), show),
            "x y|10.9.0.11 10.9.0.12|hx x 0 0|hy y 1 0|fs-hx x 0|fs-hy y 1|o2cb 3"
        );
        assert_eq!(
            sh(&layout(&site, "x"), show),
            "h|10.9.0.10|hx h 1 1|fs-hx h 1|o2cb 3"
        );
    }

    #[test]
    fn independent_pairs_are_clusters_of_their_own() {
        let site = load("tests/fixtures/pairs.toml");
        let show = r#"printf '%s|%s|%s|' "$PEERS" "$REPL_PEER" "$O2CB_NODE_COUNT"
i=1; while [ "$i" -le "$O2CB_NODE_COUNT" ]; do
  eval "printf '%s %s|' \"\$O2CB_NODE_${i}_NAME\" \"\$O2CB_NODE_${i}_NUMBER\""
  i=$((i + 1)); done"#;
        assert_eq!(sh(&layout(&site, "a"), show), "b|10.9.0.12|2|a 1|b 2|");
        assert_eq!(sh(&layout(&site, "d"), show), "c|10.9.1.13|2|c 3|d 4|");
    }

    #[test]
    fn shares_carry_their_volume_mountpoint_link_and_export() {
        let l = layout(&pasta(), "fiori");
        let got = sh(
            &l,
            r#"i=1; while [ "$i" -le "$SHARE_COUNT" ]; do
  eval "printf '%s %s %s %s %s %s\n' \"\$SHARE_${i}_NAME\" \"\$SHARE_${i}_PATH\" \"\$SHARE_${i}_ON\" \"\$SHARE_${i}_LINK\" \"\$SHARE_${i}_EXPORTED\" \"\$SHARE_${i}_POOL\""
  i=$((i + 1)); done"#,
        );
        assert!(got.contains("home /vol/ocfs2-small/home /vol/ocfs2-small /vol/home 1 \n"));
        assert!(got.contains(
            "vmpool1 /vol/ocfs2-large/vmpool1 /vol/ocfs2-large /vol/vmpool1 0 vmpool1\n"
        ));
        assert!(got.contains("scratch /vol/rep-no/scratch /vol/rep-no /vol/scratch 0 \n"));
    }

    #[test]
    fn the_vm_suite_profile_has_a_layout_per_node() {
        let site = load("tests/vm/site.toml");
        for node in ["fiori", "torchio"] {
            let got = sh(
                &layout(&site, node),
                r#"printf '%s %s %s %s\n' "$LV_COUNT" "$DRBD_COUNT" "$OCFS2_COUNT" "$DRBD_PEER_WAIT""#,
            );
            assert_eq!(got, "4 2 2 30\n");
        }
    }
}
