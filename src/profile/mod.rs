//! Stage one: read a site profile, check it whole, and lower it into the
//! resolved [`crate::model::Site`]. Every problem of the file is collected
//! (never only the first); nothing here writes anywhere.

pub mod diag;
pub mod grammar;
mod lower;
mod read;
mod storage;

pub use diag::{Diagnostic, Severity};
pub use lower::DEFAULT_SYSCTL;

use crate::model::{Network, Site};
use read::{Diags, Sp, Table};
use std::collections::BTreeMap;
use std::path::Path;

/// A profile that was read: its text (for rendering diagnostics), the
/// diagnostics, and the site when there was no error.
#[derive(Debug)]
pub struct Checked {
    pub file_name: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    pub site: Option<Site>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
    /// The diagnostics rendered without colour.
    pub fn render_plain(&self) -> String {
        diag::render_plain(&self.file_name, &self.source, &self.diagnostics)
    }
}

/// Why a profile could not be read at all (usage error, exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ReadError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// Read and check the profile at `path`.
pub fn load(path: &Path) -> Result<Checked, ReadError> {
    let source = std::fs::read_to_string(path).map_err(|source| ReadError {
        path: path.display().to_string(),
        source,
    })?;
    let base = path.parent().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    });
    let base = base
        .and_then(|b| std::fs::canonicalize(b).ok())
        .map(|b| b.display().to_string())
        .unwrap_or_else(|| "/".into());
    Ok(check_str(&path.display().to_string(), &source, &base))
}

/// Check profile text. `base_dir` resolves relative paths in the profile.
pub fn check_str(file_name: &str, source: &str, base_dir: &str) -> Checked {
    let mut cx = lower::Cx::default();
    let site = match toml_span::parse(source) {
        Ok(root) => lower_root(&mut cx, root, base_dir),
        Err(e) => {
            let span = e.span.start..e.span.end.max(e.span.start);
            cx.d.push(
                Diagnostic::error("toml-syntax", span, format!("this is not valid TOML: {e}"))
                    .label("here"),
            );
            None
        }
    };
    let Diags { list } = cx.d;
    let has_errors = list.iter().any(Diagnostic::is_error);
    Checked {
        file_name: file_name.to_string(),
        source: source.to_string(),
        diagnostics: list,
        site: if has_errors { None } else { site },
    }
}

fn lower_root(cx: &mut lower::Cx, root: toml_span::Value<'_>, base_dir: &str) -> Option<Site> {
    let mut top = Table::from_value(&mut cx.d, "", root)?;
    let d = &mut cx.d;
    let site_t = top.table(d, "site");
    let repo_t = top.table(d, "repository");
    let apt_t = top.table(d, "apt");
    let nodes_t = top.table(d, "nodes");
    let ids_t = top.table(d, "ids");
    let volumes_t = top.table(d, "volumes");
    let drbd_t = top.table(d, "drbd");
    let ocfs2_t = top.table(d, "ocfs2");
    let shares_t = top.table(d, "shares");
    let nfs_t = top.table(d, "nfs");
    let unison_t = top.table(d, "unison");
    let client_t = top.table(d, "client");
    let nis_t = top.table(d, "nis");
    let sysctl_t = top.table(d, "sysctl");
    let resolver_t = top.table(d, "resolver");
    let hosts_t = top.table(d, "hosts");
    let site_span = site_t.as_ref().map(|t| t.span.clone()).unwrap_or(0..0);
    let misspelt: Vec<&'static str> = [
        ("site", site_t.is_none()),
        ("repository", repo_t.is_none()),
        ("nodes", nodes_t.is_none()),
    ]
    .into_iter()
    .filter(|(name, absent)| *absent && top.has_near(name))
    .map(|(name, _)| name)
    .collect();
    top.finish(d);
    cx.misspelt_sections.extend(misspelt);

    let head = lower::site(cx, site_t, base_dir);
    let repository = lower::repository(cx, repo_t, &head);
    let apt = lower::apt(cx, apt_t);
    let nodes = lower::nodes(cx, nodes_t, &head.name);
    let ids = lower::ids(cx, ids_t, &head.name);
    let volumes = lower::volumes(cx, volumes_t, &nodes);
    let (drbd, fencing) = storage::drbd(cx, drbd_t, &nodes, &volumes, &head.name);
    let ocfs2 = storage::ocfs2(cx, ocfs2_t, &nodes, &volumes, &drbd);
    let (ocfs2, o2_net_span) = match ocfs2 {
        Some((o, s)) => (Some(o), s),
        None => (None, None),
    };
    let shares = storage::shares(cx, shares_t, &volumes, ocfs2.as_ref());
    let nfs = storage::nfs(cx, nfs_t);
    let unison = storage::unison(cx, unison_t, &nodes, &volumes);
    let client = storage::client(cx, client_t, &head.name);
    let nis = storage::nis(
        cx,
        nis_t,
        &Sp::new(head.name.clone(), 0..0),
        &head.domain,
        &nodes,
        &shares,
    );
    let sysctl = lower::sysctl(cx, sysctl_t);
    let resolver = lower::resolver(cx, resolver_t);
    let hosts = lower::hosts(cx, hosts_t, &nodes);

    site_checks(
        cx,
        &nodes,
        &volumes,
        &drbd,
        ocfs2.as_ref(),
        &fencing,
        o2_net_span,
        site_span,
        &head.name,
    );

    Some(Site {
        name: head.name,
        domain: head.domain,
        version: head.version,
        maintainer: head.maintainer,
        suite: head.suite,
        source_date_epoch: head.source_date_epoch,
        changes: head.changes,
        templates_dir: head.templates_dir,
        install_server: head.install_server,
        mail_relay: head.mail_relay,
        repository,
        apt,
        nodes,
        ids,
        volumes,
        drbd,
        ocfs2,
        shares,
        nfs,
        unison,
        client,
        nis,
        sysctl,
        resolver,
        hosts,
    })
}

/// Checks across sections: duplicate addresses and ports, sizes that must
/// fit, package names, and the risky-but-valid choices (warnings).
#[allow(clippy::too_many_arguments)]
fn site_checks(
    cx: &mut lower::Cx,
    nodes: &[crate::model::Node],
    volumes: &[crate::model::Volume],
    drbd: &crate::model::Drbd,
    ocfs2: Option<&crate::model::Ocfs2>,
    fencing: &Sp<String>,
    o2_net_span: Option<Sp<String>>,
    site_span: std::ops::Range<usize>,
    site: &str,
) {
    // Addresses: each given once across the site.
    let mut seen: BTreeMap<std::net::IpAddr, (std::ops::Range<usize>, String)> = BTreeMap::new();
    for (a, span, what) in cx.address_spans.clone() {
        if let Some((first, first_what)) = seen.get(&a) {
            cx.duplicate(
                span,
                first.clone(),
                format!("address {a} is both the {first_what} and the {what}"),
            );
        } else {
            seen.insert(a, (span, what));
        }
    }
    // Ports: one user per address and port.
    let mut ports: BTreeMap<(std::net::IpAddr, u16), String> = BTreeMap::new();
    // One report per place and clash, not one per node address.
    let mut reported: std::collections::BTreeSet<(usize, String)> = Default::default();
    for (a, p, span, what) in cx.port_uses.clone() {
        match ports.get(&(a, p)) {
            Some(first) if *first != what && !reported.insert((span.start, first.clone())) => {}
            Some(first) if *first != what => cx.d.push(
                diag::Diagnostic::error(
                    "duplicate",
                    span,
                    format!("port {p} on {a} is used by {first} and by {what}"),
                )
                .label("ports must differ on one address"),
            ),
            Some(_) => {}
            None => {
                ports.insert((a, p), what);
            }
        }
    }
    // Mountpoints side by side: one inside another is mounted in no
    // guaranteed order (fstab, the OCFS2 units) and the node-side command
    // makes and checks each on its own.
    for (mp, span) in cx.mountpoints() {
        if let Some((outer, outer_span)) = cx.mountpoint_above(&mp) {
            cx.d.push(
                diag::Diagnostic::error(
                    "nested-mountpoint",
                    span,
                    format!("mountpoint `{mp}` is inside mountpoint `{outer}`"),
                )
                .label("mounted inside another mountpoint")
                .related(outer_span, "the outer mountpoint")
                .help("mount it beside the other (e.g. `/vol/NAME`): nested mounts are neither ordered nor converged"),
            );
        }
    }
    // Volume sizes fit the declared volume group.
    for n in nodes {
        let Some(vg) = n.vg_size else { continue };
        let total: u64 = volumes
            .iter()
            .filter(|v| v.nodes.contains(&n.name))
            .map(|v| v.size)
            .sum();
        if total > vg {
            let span = cx.node_spans.get(&n.name).cloned().unwrap_or(0..0);
            cx.d.push(
                diag::Diagnostic::error(
                    "vg-too-small",
                    span,
                    format!(
                        "the volumes of node `{}` need {} but its volume group holds {}",
                        n.name,
                        human(total),
                        human(vg)
                    ),
                )
                .label("volumes do not fit")
                .help("shrink the volumes or correct `vg_size`"),
            );
        }
    }
    // Package names are unique (a node called `ids` or `client` clashes).
    let mut pkgs: BTreeMap<String, ()> = BTreeMap::new();
    for fixed in ["ids", "client", "nis"] {
        pkgs.insert(format!("{site}-storage-{fixed}"), ());
    }
    for n in nodes {
        if pkgs.insert(n.package.clone(), ()).is_some() {
            let span = cx.node_spans.get(&n.name).cloned().unwrap_or(0..0);
            cx.d.push(
                diag::Diagnostic::error(
                    "duplicate",
                    span,
                    format!(
                        "node `{}` would make package `{}`, which storpkg already builds",
                        n.name, n.package
                    ),
                )
                .label("rename this node"),
            );
        }
    }
    // Warnings.
    if drbd.resources.iter().any(|r| r.allow_two_primaries)
        && fencing.value != "resource-and-stonith"
    {
        let span = if fencing.span.is_empty() {
            site_span.start..site_span.start + 1
        } else {
            fencing.span.clone()
        };
        let (title, help) = if fencing.value == "dont-care" {
            ("dual-primary DRBD without fencing", "the DRBD user guide calls this \"a very bad idea\": use `fencing = \"resource-and-stonith\"`")
        } else {
            ("dual-primary DRBD with resource-only fencing", "if only the replication link fails, both Primaries write on and the OCFS2 copies diverge: use `fencing = \"resource-and-stonith\"` (I/O waits until the peer is outdated, unreachable or back)")
        };
        cx.d.push(
            diag::Diagnostic::warning("dual-primary-without-fencing", span, title)
                .label(format!(
                    "allow-two-primaries with fencing {}",
                    fencing.value
                ))
                .help(help),
        );
    }
    if let Some(o) = ocfs2 {
        if !drbd.resources.is_empty() {
            // A node whose link was refused falls back to its admin address:
            // that is no reason to warn.
            let shared = nodes
                .iter()
                .filter(|n| !cx.refused_links.contains(&n.name))
                .any(|n| n.address_on(o.network) == n.address_on(drbd.network));
            if shared {
                let span = o2_net_span
                    .map(|s| s.span)
                    .or(cx.drbd_network_span.clone())
                    .unwrap_or(site_span.start..site_span.start + 1);
                cx.d.push(
                    diag::Diagnostic::warning("shared-link", span, "DRBD and o2cb use the same network link")
                        .label("one link carries both replication and cluster heartbeats")
                        .help("run DRBD over the back-to-back link (`drbd.network = \"replication\"`) and o2cb over the LAN (`ocfs2.network = \"admin\"`)"),
                );
            }
        }
    }
    let _ = Network::Admin;
}

/// Bytes as LVM prints them (binary units).
pub fn human(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if (v - v.round()).abs() < 0.005 {
        format!("{} {}", v.round(), UNITS[u])
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}
