//! The debian-installer preseed fragment of a storage node: the site
//! repository through apt-setup, a pre-pkgsel hook that installs the
//! pinned IDs before tasksel (so libvirt finds them), and a late_command
//! that installs the node package and fails loudly when an ID is wrong.
//! Pure text; every value in it passed the profile's grammar.

use crate::model::{Signing, Site};
use std::fmt::Write;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PreseedError {
    #[error("no storage node named `{node}` in this profile; known nodes: {known}")]
    UnknownNode { node: String, known: String },
}

/// Name of the pre-pkgsel hook dropped by `preseed/early_command`.
pub fn hook_name(site: &Site) -> String {
    format!("/usr/lib/pre-pkgsel.d/20{}-storage-ids", site.name)
}

/// The shell test that every pinned ID is what the profile says.
fn id_assertions(site: &Site) -> String {
    let mut checks = Vec::new();
    for g in &site.ids.groups {
        checks.push(format!(
            "[ \"$(getent group {n} | cut -d: -f3)\" = {id} ] || {{ echo \"{site}-storage: group {n} is not GID {id}\" >&2; bad=1; }}",
            n = g.name,
            id = g.gid,
            site = site.name
        ));
    }
    for u in &site.ids.users {
        checks.push(format!(
            "[ \"$(getent passwd {n} | cut -d: -f3)\" = {id} ] || {{ echo \"{site}-storage: user {n} is not UID {id}\" >&2; bad=1; }}",
            n = u.name,
            id = u.uid,
            site = site.name
        ));
    }
    format!("bad=0; {}; [ $bad = 0 ]", checks.join("; "))
}

/// The fragment for `node`, using apt-setup slot `local{slot}`.
pub fn fragment(site: &Site, node: &str, slot: u32) -> Result<String, PreseedError> {
    let Some(n) = site.node(node) else {
        return Err(PreseedError::UnknownNode {
            node: node.to_string(),
            known: site
                .nodes
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let ids = &site.ids.package;
    let hook = hook_name(site);
    let repo = &site.repository;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# debian-installer preseed fragment for {} (site {}, version {}), written by storpkg.",
        n.package, site.name, site.version
    );
    let _ = writeln!(
        w,
        "# Include it from the site's preseed (preseed/include) or append it. It sets no"
    );
    let _ = writeln!(
        w,
        "# partitioning or other answers of the site. If the site's preseed has its own"
    );
    let _ = writeln!(
        w,
        "# preseed/early_command or preseed/late_command, join the commands with ';' into one."
    );
    let _ = writeln!(
        w,
        "#\n# The site repository, added by apt-setup (signed-by its key under /etc/apt/keyrings)."
    );
    let _ = writeln!(
        w,
        "d-i apt-setup/local{slot}/repository string {} {} {}",
        repo.url,
        site.suite.as_str(),
        repo.component
    );
    let _ = writeln!(
        w,
        "d-i apt-setup/local{slot}/comment string {} storage packages (storpkg)",
        site.name
    );
    let _ = writeln!(w, "d-i apt-setup/local{slot}/source boolean false");
    match &repo.signing {
        Signing::Gpg { .. } => {
            let _ = writeln!(
                w,
                "d-i apt-setup/local{slot}/key string {}/archive-key.asc",
                repo.url
            );
        }
        Signing::Unsigned => {
            let _ = writeln!(
                w,
                "# The repository is UNSIGNED (profile: repository.unsigned = true)."
            );
            let _ = writeln!(w, "d-i debian-installer/allow_unauthenticated boolean true");
        }
    }
    let _ = writeln!(
        w,
        "#\n# Pinned IDs before anything else: a pre-pkgsel hook installs {ids} before"
    );
    let _ = writeln!(
        w,
        "# tasksel and pkgsel/include run, so libvirt and udev find the IDs in place."
    );
    let _ = writeln!(
        w,
        "d-i preseed/early_command string mkdir -p /usr/lib/pre-pkgsel.d && printf '#!/bin/sh\\napt-install {ids}\\n' > {hook} && chmod 0755 {hook}"
    );
    let _ = writeln!(
        w,
        "#\n# The node package comes last (it points resolv.conf at its caching resolver,\n# which runs only after the first boot); d-i ignores hook failures, so the IDs\n# are asserted here too,"
    );
    let _ = writeln!(w, "# failing the installation loudly when one is wrong.");
    let _ = writeln!(
        w,
        "d-i preseed/late_command string in-target apt-get install -y {ids} {node} && in-target sh -c '{check}'",
        node = n.package,
        check = id_assertions(site)
    );
    Ok(s)
}
