//! Stage one: read a site profile, check it whole, and lower it into the
//! resolved [`crate::model::Site`]. Every problem of the file is collected
//! (never only the first); nothing here writes anywhere.

pub(crate) mod cx;
pub mod diag;
pub mod grammar;
pub(crate) mod packages;
pub(crate) mod read;
pub mod schema;
pub(crate) mod site;
pub mod spec;

pub use crate::layers::system::profile::DEFAULT_SYSCTL;
pub use diag::{Diagnostic, Severity};

use crate::layers::{apt, client, drbd, ids, link, nis, ocfs2, shares, system, unison, volumes};
use crate::model::{Drbd, Node, Site, Unison};
use read::{Diags, Table};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// A profile that was read: its text (for rendering diagnostics), the
/// diagnostics, and the site when there was no error.
#[derive(Debug)]
pub struct Checked {
    pub file_name: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    pub site: Option<Site>,
    /// Where some keys were given (`site.templates`, `site.version`,
    /// `repository.gnupg_home`), for the checks of the filesystem that
    /// `storpkg check` makes beyond the profile stage.
    pub spans: BTreeMap<&'static str, Range<usize>>,
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

/// The largest profile storpkg reads (a site of hundreds of nodes is a
/// few hundred KiB).
pub const MAX_PROFILE_BYTES: u64 = 1 << 20;

/// The bytes of the profile at `path`, at most [`MAX_PROFILE_BYTES`]: a
/// larger file (or `/dev/zero`) is refused after reading one byte more.
fn read_capped(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let err = |source| ReadError {
        path: diag::escape(&path.display().to_string()),
        source,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    let mut bytes = Vec::new();
    file.take(MAX_PROFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(err)?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Err(err(std::io::Error::other(format!(
            "larger than {} MiB, the most a profile may be",
            MAX_PROFILE_BYTES >> 20
        ))));
    }
    Ok(bytes)
}

/// The span of the value at `key` (a path of table keys) in a profile's
/// text, else of the nearest enclosing key that is there: where a
/// diagnostic about that key points (`storpkg plan`'s refusals).
pub fn locate(source: &str, key: &[String]) -> Option<Range<usize>> {
    let root = toml_span::parse(source).ok()?;
    let mut here = &root;
    let mut found = None;
    for k in key {
        let t = here.as_table()?;
        let (kk, v) = t.iter().find(|(kk, _)| kk.name == k.as_str())?;
        found = Some(read::range(kk.span));
        here = v;
        if here.as_table().is_none() {
            return Some(read::range(v.span));
        }
    }
    found
}

/// Read and check the profile at `path`. A profile that is not UTF-8 is
/// checked no further: one `not-utf8` diagnostic at its first bad byte.
pub fn load(path: &Path) -> Result<Checked, ReadError> {
    let bytes = read_capped(path)?;
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
    Ok(check_bytes(&path.display().to_string(), bytes, &base))
}

/// Check the bytes of a profile: [`check_str`] when they are UTF-8.
pub fn check_bytes(file_name: &str, bytes: Vec<u8>, base_dir: &str) -> Checked {
    match String::from_utf8(bytes) {
        Ok(source) => check_str(file_name, &source, base_dir),
        Err(e) => not_utf8(file_name, e.as_bytes(), e.utf8_error()),
    }
}

/// The diagnostic of a profile that is not UTF-8, at its first bad byte
/// (the text before it is shown as it is, the rest lossily).
fn not_utf8(file_name: &str, bytes: &[u8], e: std::str::Utf8Error) -> Checked {
    let at = e.valid_up_to();
    let bad = e.error_len().unwrap_or(bytes.len() - at);
    let shown: Vec<String> = bytes[at..at + bad]
        .iter()
        .map(|b| format!("0x{b:02x}"))
        .collect();
    let source = String::from_utf8_lossy(bytes).into_owned();
    let end = source[at..]
        .chars()
        .next()
        .map_or(at, |c| at + c.len_utf8());
    Checked {
        file_name: file_name.to_string(),
        source,
        diagnostics: vec![Diagnostic::error(
            "not-utf8",
            at..end,
            format!("the profile is not UTF-8: byte {} here", shown.join(" ")),
        )
        .label("not UTF-8")
        .help("save the profile as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")],
        site: None,
        spans: Default::default(),
    }
}

/// Check profile text. `base_dir` resolves relative paths in the profile.
pub fn check_str(file_name: &str, source: &str, base_dir: &str) -> Checked {
    let mut cx = cx::Cx::default();
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
        spans: cx.spans,
    }
}

/// The driver: the sections in a fixed order (each layer reads what the
/// ones before it lowered), then the checks across sections.
fn lower_root(cx: &mut cx::Cx, root: toml_span::Value<'_>, base_dir: &str) -> Option<Site> {
    let mut top = Table::from_value(&mut cx.d, "", root)?.with_spec(&schema::ROOT);
    let d = &mut cx.d;
    let mut take = |key| top.table(d, key);
    let site_t = take("site");
    let repo_t = take("repository");
    let apt_t = take("apt");
    let nodes_t = take("nodes");
    let ids_t = take("ids");
    let volumes_t = take("volumes");
    let drbd_t = take("drbd");
    let ocfs2_t = take("ocfs2");
    let shares_t = take("shares");
    let nfs_t = take("nfs");
    let unison_t = take("unison");
    let client_t = take("client");
    let nis_t = take("nis");
    let sysctl_t = take("sysctl");
    let resolver_t = take("resolver");
    let hosts_t = take("hosts");
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

    let head = site::site(cx, site_t, base_dir);
    cx.site = head.name.clone();
    let repository = site::repository(cx, repo_t, &head);
    let apt = apt::profile::apt(cx, apt_t);
    let nodes = site::nodes(cx, nodes_t, &head.name);
    let ids = ids::profile::ids(cx, ids_t, &head.name);
    let volumes = volumes::profile::volumes(cx, volumes_t, &nodes);
    let (drbd, fencing) = drbd::profile::drbd(
        cx,
        drbd_t,
        &nodes,
        &volumes,
        &head.name,
        head.install_server,
    );
    let ocfs2 = ocfs2::profile::ocfs2(cx, ocfs2_t, &nodes, &volumes, &drbd);
    let shares = shares::profile::shares(cx, shares_t, &volumes, ocfs2.as_ref());
    let nfs = shares::profile::nfs(cx, nfs_t);
    let unison = unison::profile::unison(cx, unison_t, &nodes, &volumes);
    let client = client::profile::client(cx, client_t, &head.name);
    let nis = nis::profile::nis(cx, nis_t, &head.name, &head.domain, &nodes, &shares);
    let sysctl = system::profile::sysctl(cx, sysctl_t);
    let resolver = system::profile::resolver(cx, resolver_t);
    let hosts = system::profile::hosts(cx, hosts_t, &nodes, &head.domain);

    let pairs = replication_pairs(&nodes, &drbd, &unison);
    link::profile::check_subnet(cx, &pairs);
    site::check_addresses(cx);
    site::check_ports(cx);
    volumes::profile::check_nesting(cx);
    volumes::profile::check_vg_fit(cx, &nodes, &volumes);
    packages::check_packages(cx, &nodes, &head.name, &head.version);
    drbd::profile::check_fencing(cx, &drbd, &fencing, site_span.clone());
    drbd::profile::check_protocol(cx, &drbd);
    ocfs2::profile::check_shared_link(cx, &nodes, &drbd, ocfs2.as_ref(), site_span);

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

/// The node pairs that replicate: each DRBD resource's two nodes and
/// unison's client and server, in node order, once each.
fn replication_pairs(nodes: &[Node], drbd: &Drbd, unison: &[Unison]) -> Vec<[String; 2]> {
    let pos = |n: &str| nodes.iter().position(|x| x.name == n).unwrap_or(usize::MAX);
    let mut out: Vec<[String; 2]> = Vec::new();
    let all = drbd
        .resources
        .iter()
        .filter(|r| r.nodes.len() == 2)
        .map(|r| [r.nodes[0].clone(), r.nodes[1].clone()])
        .chain(unison.iter().map(|u| [u.client.clone(), u.server.clone()]));
    for [a, b] in all {
        let p = if pos(&a) <= pos(&b) { [a, b] } else { [b, a] };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}
