//! The spine every layer reads: the site head (`[site]`), the repository
//! and the nodes, with the checks they own (addresses and ports per node
//! address, package names).

use super::cx::{duplicate, first_use, AddressUse, Cx, Kind, NodeFacts};
use super::diag::Diagnostic;
use super::grammar;
use super::read::{check_range, Sp, Table};
use crate::layers::link;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::ops::Range;

pub(crate) struct SiteHead {
    pub name: String,
    pub domain: String,
    pub version: String,
    pub maintainer: String,
    pub suite: Suite,
    pub source_date_epoch: u64,
    pub changes: Vec<String>,
    pub templates_dir: Option<String>,
    pub install_server: IpAddr,
    pub mail_relay: Option<IpAddr>,
}

pub(crate) fn site(cx: &mut Cx, t: Option<Table>, base_dir: &str) -> SiteHead {
    let mut head = SiteHead {
        name: "site".into(),
        domain: "invalid".into(),
        version: "0".into(),
        maintainer: String::new(),
        suite: Suite::Bookworm,
        source_date_epoch: 0,
        changes: vec!["Built by storpkg from the site profile.".into()],
        templates_dir: None,
        install_server: IpAddr::from([0, 0, 0, 0]),
        mail_relay: None,
    };
    let Some(mut t) = t else {
        if cx.misspelt_sections.contains("site") {
            return head;
        }
        cx.d.push(
            Diagnostic::error("missing-key", 0..0, "the profile has no `[site]` section")
                .label("expected a [site] table")
                .help("start the profile with `[site]`, `name = \"pasta\"`, `domain = ...`"),
        );
        return head;
    };
    let d = &mut cx.d;
    let name = t.req_str(d, "name");
    let domain = t.req_str(d, "domain");
    let version = t.req_str(d, "version");
    let maintainer = t.req_str(d, "maintainer");
    let suite = t.str(d, "suite");
    let epoch = t.req_int(d, "source_date_epoch");
    let changes = t.str_list(d, "changes");
    let templates = t.str(d, "templates");
    let install_server = t.req_str(d, "install_server");
    let mail_relay = t.str(d, "mail_relay");
    t.finish(d);

    if let Some(n) = cx.checked(name, "bad-name", "site name", grammar::name) {
        head.name = n;
    }
    if let Some(v) = cx.checked(domain, "bad-name", "domain", grammar::domain) {
        head.domain = v;
    }
    if let Some(v) = &version {
        cx.spans.insert("site.version", v.span.clone());
    }
    if let Some(v) = cx.checked(version, "bad-value", "version", grammar::version) {
        head.version = v;
    }
    if let Some(v) = cx.checked(maintainer, "bad-value", "maintainer", grammar::maintainer) {
        head.maintainer = v;
    }
    if let Some(s) = suite {
        if cx.one_of(&s, "suite", super::schema::SUITES) {
            head.suite = if s.value == "trixie" {
                Suite::Trixie
            } else {
                Suite::Bookworm
            };
        }
    }
    if let Some(e) = epoch {
        if check_range(
            &mut cx.d,
            "site.source_date_epoch",
            &e,
            315532800,
            253402300799,
        ) {
            head.source_date_epoch = e.value as u64;
        }
    }
    if let Some(list) = changes {
        let mut out = Vec::new();
        for c in list {
            if cx.check(&c, "bad-value", "changelog line", grammar::text) {
                out.push(c.value);
            }
        }
        if !out.is_empty() {
            head.changes = out;
        }
    }
    if let Some(dir) = templates {
        cx.spans.insert("site.templates", dir.span.clone());
        let abs = if dir.value.starts_with('/') {
            dir.value.clone()
        } else {
            format!("{base_dir}/{}", dir.value)
        };
        let abs = Sp::new(abs.replace("/./", "/"), dir.span.clone());
        if cx.check(&abs, "bad-path", "templates directory", grammar::path) {
            head.templates_dir = Some(abs.value);
        }
    }
    if let Some(a) = install_server.and_then(|v| cx.ip(&v, "install server address")) {
        head.install_server = a;
    }
    head.mail_relay = mail_relay.and_then(|v| cx.ip(&v, "mail relay address"));
    head
}

pub(crate) fn repository(cx: &mut Cx, t: Option<Table>, head: &SiteHead) -> Repository {
    let mut repo = Repository {
        url: String::new(),
        origin: head.name.clone(),
        label: format!("{} storage", head.name),
        component: "main".into(),
        architectures: vec!["amd64".into()],
        description: format!("{} storage packages, built by storpkg", head.name),
        signing: Signing::Unsigned,
        public_key: None,
        prune: false,
    };
    let mut path = format!("/{}", head.name);
    let Some(mut t) = t else {
        repo.url = format!("http://{}{path}", url_host(head.install_server));
        if cx.misspelt_sections.contains("repository") {
            return repo;
        }
        cx.d.push(
            Diagnostic::error(
                "missing-signing",
                0..0,
                "the profile has no `[repository]` section",
            )
            .label("the repository must be signed, or explicitly unsigned")
            .help("add `[repository]` with `signing_key = \"KEYID\"` (or `unsigned = true`)"),
        );
        return repo;
    };
    let d = &mut cx.d;
    let p = t.str(d, "path");
    let origin = t.str(d, "origin");
    let label = t.str(d, "label");
    let key = t.str(d, "signing_key");
    let home = t.str(d, "gnupg_home");
    let unsigned = t.bool(d, "unsigned");
    let prune = t.bool(d, "prune");
    let span = t.span.clone();
    t.finish(d);
    if let Some(p) = cx.checked(p, "bad-path", "repository path", grammar::path) {
        path = p;
    }
    if let Some(o) = cx.checked(origin, "bad-value", "origin", non_empty_text) {
        repo.origin = o;
    }
    if let Some(l) = cx.checked(label, "bad-value", "label", non_empty_text) {
        repo.label = l;
    }
    if let Some(h) = &home {
        cx.spans.insert("repository.gnupg_home", h.span.clone());
    }
    let home = cx.checked(home, "bad-path", "GnuPG home", grammar::path);
    repo.prune = prune.is_some_and(|p| p.value);
    match (key, unsigned) {
        (Some(k), Some(u)) if u.value => {
            cx.d.push(
                Diagnostic::error(
                    "bad-value",
                    u.span,
                    "`unsigned = true` contradicts `signing_key`",
                )
                .label("the repository cannot be both")
                .related(k.span, "signing key given here")
                .help("remove one of the two"),
            );
        }
        (Some(k), _) => {
            if cx.check(&k, "bad-value", "signing key", grammar::gpg_key) {
                repo.signing = Signing::Gpg {
                    key: k.value,
                    gnupg_home: home,
                };
            }
        }
        (None, Some(u)) if u.value => {
            cx.d.push(
                Diagnostic::warning(
                    "unsigned-repository",
                    u.span,
                    "the repository will not be signed",
                )
                .label("apt will need `trusted=yes` for this repository")
                .help("sign it with `signing_key`, so nodes can verify what they install"),
            );
        }
        (None, _) => {
            cx.d.push(
                Diagnostic::error("missing-signing", span.start..span.start + 1, "the repository is neither signed nor explicitly unsigned")
                    .label("this section has no `signing_key`")
                    .help("add `signing_key = \"KEYID\"` (a key in the builder's gpg keyring), or `unsigned = true` for a test site"),
            );
        }
    }
    repo.url = format!("http://{}{path}", url_host(head.install_server));
    repo
}

pub(crate) fn url_host(a: IpAddr) -> String {
    match a {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    }
}

/// OCFS2 node numbers: the ones given, and the ones taken by position.
#[derive(Default)]
struct Numbers {
    given: BTreeMap<u32, Range<usize>>,
    /// Nodes without `ocfs2_number` are numbered by position: that number
    /// may be one another node was given explicitly.
    by_position: Vec<(u32, String, Range<usize>)>,
}

impl Numbers {
    /// The number of the node `key` at position `i`.
    fn number(&mut self, cx: &mut Cx, given: Option<Sp<i64>>, i: usize, key: &Sp<String>) -> u32 {
        let Some(n) = given else {
            let n = i as u32 + 1;
            self.by_position
                .push((n, key.value.clone(), key.span.clone()));
            return n;
        };
        let n32 = n.value as u32;
        first_use(&mut cx.d, &mut self.given, n32, &n.span, || {
            format!("OCFS2 node number {n32} is used twice")
        });
        n32
    }

    /// Report a number taken by position that another node was given.
    fn check(self, cx: &mut Cx) {
        for (n, name, span) in self.by_position {
            if let Some(first) = self.given.get(&n) {
                cx.d.push(
                    Diagnostic::error(
                        "duplicate",
                        span,
                        format!("node `{name}` gets OCFS2 node number {n} by position, which another node was given"),
                    )
                    .label("numbered by its position in the profile")
                    .related(first.clone(), "given here")
                    .help("give every node its `ocfs2_number`"),
                );
            }
        }
    }
}

pub(crate) fn nodes(cx: &mut Cx, t: Option<Table>, site: &str) -> Vec<Node> {
    let Some(t) = t else {
        if !cx.misspelt_sections.contains("nodes") {
            cx.d.push(
                Diagnostic::error(
                    "missing-key",
                    0..0,
                    "the profile has no `[nodes.NAME]` sections",
                )
                .label("expected storage nodes")
                .help("add `[nodes.fiori]` with `address = \"192.168.1.6\"` for each storage node"),
            );
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut numbers = Numbers::default();
    for (i, (key, t)) in t.into_tables(&mut cx.d).into_iter().enumerate() {
        let Some(t) = t else { continue };
        if let Some(node) = node(cx, t, key, i, site, &mut numbers) {
            out.push(node);
        }
    }
    numbers.check(cx);
    if out.is_empty() && !cx.d.has_errors() {
        cx.d.push(
            Diagnostic::error("missing-key", 0..0, "the profile defines no storage node")
                .label("expected `[nodes.NAME]`"),
        );
    }
    out
}

/// One `[nodes.NAME]`, registered (with its facts) even when its name is
/// refused; `None` when the name is taken.
fn node(
    cx: &mut Cx,
    mut t: Table,
    key: Sp<String>,
    i: usize,
    site: &str,
    numbers: &mut Numbers,
) -> Option<Node> {
    let d = &mut cx.d;
    let address = t.req_str(d, "address");
    let vg = t.str(d, "volume_group");
    let vg_size = t.str(d, "vg_size");
    let number = t.int_in(d, "ocfs2_number");
    let link_given = t.has("replication");
    let link = t.table(d, "replication");
    t.finish(d);
    let name_ok = cx.check(&key, "bad-name", "node name", grammar::name);
    if name_ok && key.value.len() > 63 - site.len() - 9 {
        cx.d.push(
            Diagnostic::error(
                "bad-name",
                key.span.clone(),
                "node name too long for a package name",
            )
            .label("shorten it"),
        );
    }
    let address = address.and_then(|a| {
        let ip = cx.ip(&a, "node address")?;
        if !cx.check(&a, "special-address", "node address", grammar::node_address) {
            return None;
        }
        cx.facts.addresses.push(AddressUse {
            addr: ip,
            span: a.span.clone(),
            what: format!("address of node `{}`", key.value),
        });
        Some(ip)
    });
    let volume_group = cx
        .checked(vg, "bad-name", "volume group", grammar::name)
        .unwrap_or_else(|| "vg0".into());
    let vg_size = vg_size.and_then(|s| cx.size(&s));
    let ocfs2_number = numbers.number(cx, number, i, &key);
    let replication = link.and_then(|l| link::profile::replication(cx, l, &key.value));
    if !cx.define(Kind::Node, &key, name_ok) {
        return None;
    }
    cx.facts.nodes.push(NodeFacts {
        span: key.span.clone(),
        link_refused: link_given && replication.is_none(),
    });
    Some(Node {
        package: format!("{site}-storage-{}", key.value),
        name: key.value,
        address: address.unwrap_or(IpAddr::from([0, 0, 0, 0])),
        volume_group,
        vg_size,
        ocfs2_number,
        replication,
    })
}

/// Resolve an optional `nodes = [...]` list; default all nodes.
pub(crate) fn node_list(cx: &mut Cx, list: Option<Vec<Sp<String>>>, nodes: &[Node]) -> Vec<String> {
    let Some(list) = list else {
        return nodes.iter().map(|n| n.name.clone()).collect();
    };
    let mut out: Vec<String> = Vec::new();
    for n in list {
        if !cx.refer(Kind::Node, &n) {
            continue;
        }
        if out.contains(&n.value) {
            cx.d.push(
                Diagnostic::error(
                    "duplicate",
                    n.span.clone(),
                    format!("node `{}` is listed twice", n.value),
                )
                .label("duplicate"),
            );
        } else {
            out.push(n.value);
        }
    }
    out
}

/// Each address is given once across the site.
pub(crate) fn check_addresses(cx: &mut Cx) {
    let mut seen: BTreeMap<IpAddr, &AddressUse> = BTreeMap::new();
    let mut found = Vec::new();
    for u in &cx.facts.addresses {
        if let Some(first) = seen.get(&u.addr) {
            found.push(duplicate(
                u.span.clone(),
                first.span.clone(),
                format!(
                    "address {} is both the {} and the {}",
                    u.addr, first.what, u.what
                ),
            ));
        } else {
            seen.insert(u.addr, u);
        }
    }
    cx.d.list.extend(found);
}

/// The ports the node's own services listen on, on every address: a DRBD
/// resource or o2cb there fails to bind.
const SERVICE_PORTS: &[(u16, &str)] = &[(22, "sshd"), (111, "rpcbind"), (2049, "nfsd")];

/// One user per node address and port; one report per place and clash,
/// not one per node address. No port of the node's own services.
pub(crate) fn check_ports(cx: &mut Cx) {
    let mut ports: BTreeMap<(IpAddr, u16), &str> = BTreeMap::new();
    let mut reported: BTreeSet<(usize, &str)> = BTreeSet::new();
    let mut found = Vec::new();
    let mut services: BTreeSet<usize> = BTreeSet::new();
    for u in &cx.facts.ports {
        if let Some((port, service)) = SERVICE_PORTS.iter().find(|(p, _)| *p == u.port) {
            if services.insert(u.span.start) {
                found.push(
                    Diagnostic::error(
                        "service-port",
                        u.span.clone(),
                        format!("port {port} of {} is the port of {service}", u.what),
                    )
                    .label(format!("{service} listens on {port} on every address of the node"))
                    .help("the node's own services listen on 22 (sshd), 111 (rpcbind) and 2049 (nfsd): take another port (DRBD resources usually take 7788 and up)"),
                );
            }
            continue;
        }
        match ports.get(&(u.addr, u.port)) {
            Some(first) if *first != u.what && reported.insert((u.span.start, first)) => found
                .push(
                    Diagnostic::error(
                        "duplicate",
                        u.span.clone(),
                        format!(
                            "port {} on {} is used by {first} and by {}",
                            u.port, u.addr, u.what
                        ),
                    )
                    .label("ports must differ on one address"),
                ),
            Some(_) => {}
            None => {
                ports.insert((u.addr, u.port), &u.what);
            }
        }
    }
    cx.d.list.extend(found);
}

/// The Release file's `Origin:` and `Label:`: plain text, not empty, no
/// space at either end (apt pins by them; the repository writer refuses
/// them otherwise).
fn non_empty_text(s: &str) -> grammar::Check {
    if s.trim().is_empty() || s != s.trim() {
        return Err(grammar::Refusal {
            expected: "a non-empty line of plain text, no space at either end".into(),
            help: Some("leave the key out for the default (the site name)".into()),
        });
    }
    grammar::text(s)
}
