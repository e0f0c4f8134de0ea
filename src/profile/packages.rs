//! The checks of the site's package names: no node makes a package that
//! storpkg builds anyway, and every `NAME_VERSION_all.deb` fits a file name.

use super::cx::Cx;
use super::diag::Diagnostic;
use crate::model::Node;
use std::collections::BTreeSet;

/// The longest file name a package may have (`NAME_VERSION_all.deb` in the
/// pool and in `debs/`): the filesystems' 255 bytes.
const MAX_FILE_NAME: usize = 255;

/// Every package's `NAME_VERSION_all.deb` fits a file name.
fn check_file_names(cx: &mut Cx, pkgs: &BTreeSet<String>, version: &str) {
    let Some(longest) = pkgs.iter().max_by_key(|p| p.len()) else {
        return;
    };
    let file = format!("{longest}_{version}_all.deb");
    if file.len() > MAX_FILE_NAME {
        let span = cx.spans.get("site.version").cloned().unwrap_or(0..0);
        cx.d.push(
            Diagnostic::error(
                "too-long",
                span,
                format!(
                    "package file names would be {} bytes long, more than a file name may be ({MAX_FILE_NAME})",
                    file.len()
                ),
            )
            .label(format!(
                "with package `{longest}`, this version leaves {} bytes",
                MAX_FILE_NAME.saturating_sub(longest.len() + "__all.deb".len())
            ))
            .help("use a short version such as `1.0` or `2.3+site1`"),
        );
    }
}

pub(crate) fn check_packages(cx: &mut Cx, nodes: &[Node], site: &str, version: &str) {
    let mut pkgs: BTreeSet<String> = ["ids", "client", "nis"]
        .into_iter()
        .map(|fixed| format!("{site}-storage-{fixed}"))
        .collect();
    for (n, f) in nodes.iter().zip(&cx.facts.nodes) {
        if !pkgs.insert(n.package.clone()) {
            cx.d.list.push(
                Diagnostic::error(
                    "duplicate",
                    f.span.clone(),
                    format!(
                        "node `{}` would make package `{}`, which storpkg already builds",
                        n.name, n.package
                    ),
                )
                .label("rename this node"),
            );
        }
    }
    check_file_names(cx, &pkgs, version);
}
