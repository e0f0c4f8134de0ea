//! Lowering, part one: the site-wide sections (site, repository, apt, nodes,
//! ids, volumes, tuning, resolver, hosts). Each reader checks every string
//! against its grammar, applies defaults once, and records the spans that
//! the cross-reference checks need.

use super::diag::Diagnostic;
use super::grammar::{self, Check};
use super::read::{Diags, Sp, Table};
use crate::model::*;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::ops::Range;

/// Lowering state: the diagnostics and the places of named things.
#[derive(Default)]
pub struct Cx {
    pub d: Diags,
    pub node_spans: BTreeMap<String, Range<usize>>,
    pub volume_spans: BTreeMap<String, Range<usize>>,
    pub resource_spans: BTreeMap<String, Range<usize>>,
    pub fs_spans: BTreeMap<String, Range<usize>>,
    pub share_spans: BTreeMap<String, Range<usize>>,
    /// Where each address of the site was given (duplicate detection).
    pub address_spans: Vec<(IpAddr, Range<usize>, String)>,
    /// (address, port, span, user) of every listening port (per-address check).
    pub port_uses: Vec<(IpAddr, u16, Range<usize>, String)>,
    /// Nodes whose replication link was given but refused: the network
    /// checks do not report them again as having no link.
    pub refused_links: std::collections::BTreeSet<String>,
    /// Shares with an export that was refused: references to them do not
    /// report them again as not exported.
    pub refused_exports: std::collections::BTreeSet<String>,
    /// Where `drbd.network` was given, for the shared-link warning.
    pub drbd_network_span: Option<Range<usize>>,
    /// Required sections that are absent because their header is misspelt
    /// (`[nodez.alpha]`): reported as unknown keys, not also as missing.
    pub misspelt_sections: std::collections::BTreeSet<&'static str>,
    /// The profile has no usable node, which was reported: references to
    /// nodes are not reported again one by one.
    pub no_nodes: bool,
}

impl Cx {
    /// Check `v` against a grammar; report `code` with the grammar's words.
    pub fn check(
        &mut self,
        v: &Sp<String>,
        code: &'static str,
        what: &str,
        f: impl Fn(&str) -> Check,
    ) -> bool {
        match f(&v.value) {
            Ok(()) => true,
            Err(r) => {
                let mut diag = Diagnostic::error(
                    code,
                    v.span.clone(),
                    format!("invalid {what} `{}`", printable(&v.value)),
                )
                .label(format!("expected {}", r.expected));
                if let Some(h) = r.help {
                    diag = diag.help(h);
                }
                self.d.push(diag);
                false
            }
        }
    }

    /// Checked string or `None` (reported).
    pub fn checked(
        &mut self,
        v: Option<Sp<String>>,
        code: &'static str,
        what: &str,
        f: impl Fn(&str) -> Check,
    ) -> Option<String> {
        let v = v?;
        self.check(&v, code, what, f).then_some(v.value)
    }

    /// `v` parsed by a grammar that gives a value, or `None` (reported as
    /// `code`, with the grammar's words).
    pub fn parsed<T>(
        &mut self,
        v: &Sp<String>,
        code: &'static str,
        what: &str,
        f: impl Fn(&str) -> Result<T, grammar::Refusal>,
    ) -> Option<T> {
        match f(&v.value) {
            Ok(x) => Some(x),
            Err(r) => {
                self.d.push(
                    Diagnostic::error(
                        code,
                        v.span.clone(),
                        format!("invalid {what} `{}`", printable(&v.value)),
                    )
                    .label(format!("expected {}", r.expected))
                    .help(r.help.unwrap_or_default()),
                );
                None
            }
        }
    }

    pub fn ip(&mut self, v: &Sp<String>, what: &str) -> Option<IpAddr> {
        self.parsed(v, "bad-address", what, grammar::ip)
    }

    /// A size in bytes (`200G`, LVM's binary units).
    pub fn size(&mut self, v: &Sp<String>) -> Option<u64> {
        self.parsed(v, "bad-size", "size", grammar::size)
    }

    /// The nearest mountpoint (of a volume or an OCFS2 filesystem) that
    /// `path` lies strictly inside, with where it was given.
    pub fn mountpoint_above(&self, path: &str) -> Option<(String, Range<usize>)> {
        let mut p = path;
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if let Some(span) = self.fs_spans.get(&format!("mountpoint:{p}")) {
                return Some((p.to_string(), span.clone()));
            }
        }
        None
    }

    /// The first mountpoint that lies strictly inside `path`.
    pub fn mountpoint_below(&self, path: &str) -> Option<(String, Range<usize>)> {
        let prefix = format!("mountpoint:{path}/");
        self.fs_spans
            .range(prefix.clone()..)
            .next()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, span)| (k["mountpoint:".len()..].to_string(), span.clone()))
    }

    /// Every mountpoint of the site (volumes and OCFS2 filesystems) with
    /// where it was given, in path order.
    pub fn mountpoints(&self) -> Vec<(String, Range<usize>)> {
        self.fs_spans
            .iter()
            .filter_map(|(k, span)| {
                Some((k.strip_prefix("mountpoint:")?.to_string(), span.clone()))
            })
            .collect()
    }

    pub fn one_of(&mut self, v: &Sp<String>, what: &str, allowed: &[&str]) -> bool {
        self.check(v, "bad-value", what, |s| grammar::one_of(s, allowed))
    }

    pub fn duplicate(&mut self, span: Range<usize>, first: Range<usize>, message: String) {
        self.d.push(
            Diagnostic::error("duplicate", span, message)
                .label("duplicate")
                .related(first, "first given here"),
        );
    }

    pub fn unknown_ref(
        &mut self,
        v: &Sp<String>,
        kind: &str,
        known: &BTreeMap<String, Range<usize>>,
    ) {
        if kind == "node" && self.no_nodes {
            return;
        }
        let names: Vec<&str> = known.keys().map(String::as_str).collect();
        let best = names
            .iter()
            .map(|k| (strsim::jaro_winkler(k, &v.value), *k))
            .filter(|(s, _)| *s > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let help = match best {
            Some((_, k)) => format!("did you mean `{k}`?"),
            None if names.is_empty() => format!("the profile defines no {kind}"),
            None => format!("known {kind}s: {}", names.join(", ")),
        };
        self.d.push(
            Diagnostic::error(
                "unknown-reference",
                v.span.clone(),
                format!("no {kind} named `{}`", printable(&v.value)),
            )
            .label(format!("not a {kind} of this profile"))
            .help(help),
        );
    }
}

/// Show a hostile value safely inside a message.
pub fn printable(s: &str) -> String {
    s.escape_debug().to_string()
}

pub fn u32_of(v: Option<Sp<i64>>, default: u32) -> u32 {
    v.map(|v| v.value as u32).unwrap_or(default)
}

pub struct SiteHead {
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

pub fn site(cx: &mut Cx, t: Option<Table>, base_dir: &str) -> SiteHead {
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
    let name = t.req_str(d, "name", "\"pasta\"");
    let domain = t.req_str(d, "domain", "\"pasta.net\"");
    let version = t.req_str(d, "version", "\"1.0\"");
    let maintainer = t.req_str(d, "maintainer", "\"Site Admins <root@example.org>\"");
    let suite = t.str(d, "suite");
    let epoch = t.req_int(d, "source_date_epoch", "1764547200");
    let changes = t.str_list(d, "changes");
    let templates = t.str(d, "templates");
    let install_server = t.req_str(d, "install_server", "\"192.168.1.1\"");
    let mail_relay = t.str(d, "mail_relay");
    t.finish(d);

    if let Some(n) = cx.checked(name, "bad-name", "site name", grammar::name) {
        head.name = n;
    }
    if let Some(v) = cx.checked(domain, "bad-name", "domain", grammar::domain) {
        head.domain = v;
    }
    if let Some(v) = cx.checked(version, "bad-value", "version", grammar::version) {
        head.version = v;
    }
    if let Some(v) = cx.checked(maintainer, "bad-value", "maintainer", grammar::maintainer) {
        head.maintainer = v;
    }
    if let Some(s) = suite {
        if cx.one_of(&s, "suite", &["bookworm", "trixie"]) {
            head.suite = if s.value == "trixie" {
                Suite::Trixie
            } else {
                Suite::Bookworm
            };
        }
    }
    if let Some(e) = epoch {
        if super::read::check_range(
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

pub fn repository(cx: &mut Cx, t: Option<Table>, head: &SiteHead) -> Repository {
    let mut repo = Repository {
        url: String::new(),
        origin: head.name.clone(),
        label: format!("{} storage", head.name),
        component: "main".into(),
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
    if let Some(o) = cx.checked(origin, "bad-value", "origin", grammar::text) {
        repo.origin = o;
    }
    if let Some(l) = cx.checked(label, "bad-value", "label", grammar::text) {
        repo.label = l;
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

pub fn url_host(a: IpAddr) -> String {
    match a {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    }
}

fn url(cx: &mut Cx, v: Option<Sp<String>>, what: &str) -> Option<String> {
    let v = v?;
    // http://ADDRESS[:PORT]/path: the install server by number.
    let ok = v.value.strip_prefix("http://").and_then(|rest| {
        let (hostport, path) = rest
            .split_once('/')
            .map(|(h, p)| (h, format!("/{p}")))
            .unwrap_or((rest, String::new()));
        let host = if let Some(h) = hostport.strip_prefix('[') {
            h.split_once(']')
                .map(|(h, port)| (h.to_string(), port.strip_prefix(':').map(str::to_string)))
        } else {
            Some(match hostport.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p.to_string())),
                None => (hostport.to_string(), None),
            })
        }?;
        let port_ok = host
            .1
            .as_deref()
            .map_or(true, |p| p.parse::<u16>().is_ok_and(|p| p > 0));
        let path_ok = path.is_empty() || grammar::path(&path).is_ok();
        (host.0.parse::<IpAddr>().is_ok() && port_ok && path_ok).then_some(())
    });
    if ok.is_none() {
        cx.d.push(
            Diagnostic::error(
                "bad-value",
                v.span.clone(),
                format!("invalid {what} `{}`", printable(&v.value)),
            )
            .label("expected `http://ADDRESS[:PORT]/path`")
            .help("name the install server by IP address, as the how-to does for apt sources"),
        );
        return None;
    }
    Some(v.value)
}

pub fn apt(cx: &mut Cx, t: Option<Table>) -> Apt {
    let mut apt = Apt {
        mirror: None,
        security_mirror: None,
    };
    if let Some(mut t) = t {
        let m = t.str(&mut cx.d, "mirror");
        let s = t.str(&mut cx.d, "security_mirror");
        t.finish(&mut cx.d);
        apt.mirror = url(cx, m, "mirror URL");
        apt.security_mirror = url(cx, s, "security mirror URL");
    }
    apt
}

pub fn nodes(cx: &mut Cx, t: Option<Table>, site: &str) -> Vec<Node> {
    let Some(t) = t else {
        cx.no_nodes = true;
        if cx.misspelt_sections.contains("nodes") {
            return Vec::new();
        }
        cx.d.push(
            Diagnostic::error(
                "missing-key",
                0..0,
                "the profile has no `[nodes.NAME]` sections",
            )
            .label("expected storage nodes")
            .help("add `[nodes.fiori]` with `address = \"192.168.1.6\"` for each storage node"),
        );
        return Vec::new();
    };
    let (path, entries) = t.into_entries();
    let mut out = Vec::new();
    let mut numbers: BTreeMap<u32, Range<usize>> = BTreeMap::new();
    // Nodes without `ocfs2_number` are numbered by position: that number
    // may be one another node was given explicitly.
    let mut defaults: Vec<(u32, String, Range<usize>)> = Vec::new();
    for (i, (key, value)) in entries.into_iter().enumerate() {
        let Some(mut t) = Table::from_value(&mut cx.d, &format!("{path}.{}", key.value), value)
        else {
            continue;
        };
        let d = &mut cx.d;
        let address = t.req_str(d, "address", "\"192.168.1.6\"");
        let vg = t.str(d, "volume_group");
        let vg_size = t.str(d, "vg_size");
        let number = t.int_in(d, "ocfs2_number", 0, 254);
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
            cx.address_spans.push((
                ip,
                a.span.clone(),
                format!("address of node `{}`", key.value),
            ));
            Some(ip)
        });
        let volume_group = cx
            .checked(vg, "bad-name", "volume group", grammar::name)
            .unwrap_or_else(|| "vg0".into());
        let vg_size = vg_size.and_then(|s| cx.size(&s));
        let ocfs2_number = match number {
            Some(n) => {
                let n32 = n.value as u32;
                if let Some(first) = numbers.get(&n32) {
                    cx.duplicate(
                        n.span.clone(),
                        first.clone(),
                        format!("OCFS2 node number {n32} is used twice"),
                    );
                } else {
                    numbers.insert(n32, n.span.clone());
                }
                n32
            }
            None => {
                defaults.push((i as u32 + 1, key.value.clone(), key.span.clone()));
                i as u32 + 1
            }
        };
        let replication = link.and_then(|mut l| {
            let iface = l.req_str(&mut cx.d, "interface", "\"eth1\"");
            let addr = l.req_str(&mut cx.d, "address", "\"10.11.12.6/24\"");
            let mtu = l.int_in(&mut cx.d, "mtu", 576, 9216);
            l.finish(&mut cx.d);
            let interface = cx.checked(iface, "bad-name", "interface", grammar::interface)?;
            let addr = addr?;
            match grammar::ip_with_prefix(&addr.value) {
                Ok((address, prefix)) => {
                    cx.address_spans.push((
                        address,
                        addr.span.clone(),
                        format!("replication address of node `{}`", key.value),
                    ));
                    Some(Link {
                        interface,
                        address,
                        prefix,
                        mtu: mtu.map(|m| m.value as u32),
                    })
                }
                Err(r) => {
                    cx.d.push(
                        Diagnostic::error(
                            "bad-address",
                            addr.span.clone(),
                            format!("invalid replication address `{}`", printable(&addr.value)),
                        )
                        .label(format!("expected {}", r.expected)),
                    );
                    None
                }
            }
        });
        if link_given && replication.is_none() {
            cx.refused_links.insert(key.value.clone());
        }
        if let Some(first) = cx.node_spans.get(&key.value) {
            let first = first.clone();
            cx.duplicate(
                key.span.clone(),
                first,
                format!("node `{}` is defined twice", key.value),
            );
            continue;
        }
        cx.node_spans.insert(key.value.clone(), key.span.clone());
        out.push(Node {
            package: format!("{site}-storage-{}", key.value),
            name: key.value,
            address: address.unwrap_or(IpAddr::from([0, 0, 0, 0])),
            volume_group,
            vg_size,
            ocfs2_number,
            replication,
        });
    }
    for (n, name, span) in defaults {
        if let Some(first) = numbers.get(&n) {
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
    cx.no_nodes = out.is_empty();
    if out.is_empty() && !cx.d.has_errors() {
        cx.d.push(
            Diagnostic::error("missing-key", 0..0, "the profile defines no storage node")
                .label("expected `[nodes.NAME]`"),
        );
    }
    out
}

pub fn ids(cx: &mut Cx, t: Option<Table>, site: &str) -> Ids {
    let mut ids = Ids {
        package: format!("{site}-storage-ids"),
        groups: Vec::new(),
        users: Vec::new(),
    };
    let (groups_t, users_t) = match t {
        Some(mut t) => {
            let g = t.table(&mut cx.d, "groups");
            let u = t.table(&mut cx.d, "users");
            t.finish(&mut cx.d);
            (g, u)
        }
        None => {
            // The how-to's point: libvirt-qemu pinned before libvirt comes.
            ids.groups.push(PinnedGroup {
                name: "libvirt-qemu".into(),
                gid: 64055,
                system: false,
            });
            ids.users.push(PinnedUser {
                name: "libvirt-qemu".into(),
                uid: 64055,
                group: "libvirt-qemu".into(),
                groups: Vec::new(),
                home: "/var/lib/libvirt".into(),
                shell: "/usr/sbin/nologin".into(),
                gecos: "Libvirt Qemu".into(),
                system: false,
            });
            return ids;
        }
    };
    let mut gids: BTreeMap<u32, Range<usize>> = BTreeMap::new();
    let mut group_names: BTreeMap<String, Range<usize>> = BTreeMap::new();
    if let Some(g) = groups_t {
        let entries = g.into_integers(&mut cx.d, |k| {
            format!("`ids.groups.{}` must be an integer GID", printable(k))
        });
        for (key, gid) in entries {
            let Some(gid) = gid else {
                // Known by name all the same: users in it do not cascade.
                if grammar::account(&key.value).is_ok() {
                    group_names.insert(key.value.clone(), key.span.clone());
                }
                continue;
            };
            if !cx.check(&key, "bad-name", "group name", grammar::account) {
                continue;
            }
            let (lo, hi) = if key.value == "kvm" {
                (100, 999)
            } else {
                (100, 65533)
            };
            let path = format!("ids.groups.{}", key.value);
            // Known by name even when its GID is refused: no cascade.
            group_names.insert(key.value.clone(), key.span.clone());
            if !super::read::check_range(&mut cx.d, &path, &gid, lo, hi) {
                if key.value == "kvm" {
                    if let Some(last) = cx.d.list.last_mut() {
                        last.help = Some("udev's postinst creates kvm with `addgroup --system`: its GID must be a system GID (100-999)".into());
                    }
                }
                continue;
            }
            let g = gid.value as u32;
            if let Some(first) = gids.get(&g) {
                let first = first.clone();
                cx.duplicate(gid.span.clone(), first, format!("GID {g} is pinned twice"));
                continue;
            }
            gids.insert(g, gid.span.clone());
            group_names.insert(key.value.clone(), key.span.clone());
            ids.groups.push(PinnedGroup {
                name: key.value,
                gid: g,
                system: g < 1000,
            });
        }
    }
    if let Some(u) = users_t {
        let (_, entries) = u.into_entries();
        let mut uids: BTreeMap<u32, Range<usize>> = BTreeMap::new();
        for (key, value) in entries {
            let Some(mut t) =
                Table::from_value(&mut cx.d, &format!("ids.users.{}", key.value), value)
            else {
                continue;
            };
            let d = &mut cx.d;
            let uid = t.req_int(d, "uid", "64055");
            let group = t.req_str(d, "group", "\"kvm\"");
            let groups = t.str_list(d, "groups").unwrap_or_default();
            let home = t.str(d, "home");
            let shell = t.str(d, "shell");
            let gecos = t.str(d, "gecos");
            t.finish(d);
            let name_ok = cx.check(&key, "bad-name", "user name", grammar::account);
            let uid = uid.filter(|u| {
                super::read::check_range(
                    &mut cx.d,
                    &format!("ids.users.{}.uid", key.value),
                    u,
                    100,
                    65533,
                )
            });
            let mut refs_ok = true;
            for gr in group.iter().chain(groups.iter()) {
                if !group_names.contains_key(&gr.value) {
                    cx.unknown_ref(gr, "pinned group", &group_names);
                    refs_ok = false;
                }
            }
            let home = cx
                .checked(home, "bad-path", "home directory", grammar::path)
                .unwrap_or_else(|| "/nonexistent".into());
            let shell = cx
                .checked(shell, "bad-path", "shell", grammar::path)
                .unwrap_or_else(|| "/usr/sbin/nologin".into());
            let gecos = cx
                .checked(gecos, "bad-value", "GECOS", grammar::gecos)
                .unwrap_or_default();
            let (Some(uid), Some(group), true, true) = (uid, group, name_ok, refs_ok) else {
                continue;
            };
            let u32id = uid.value as u32;
            if let Some(first) = uids.get(&u32id) {
                let first = first.clone();
                cx.duplicate(
                    uid.span.clone(),
                    first,
                    format!("UID {u32id} is pinned twice"),
                );
                continue;
            }
            uids.insert(u32id, uid.span.clone());
            ids.users.push(PinnedUser {
                name: key.value,
                uid: u32id,
                group: group.value,
                groups: groups.into_iter().map(|g| g.value).collect(),
                home,
                shell,
                gecos,
                system: u32id < 1000,
            });
        }
    }
    ids
}

pub fn volumes(cx: &mut Cx, t: Option<Table>, nodes: &[Node]) -> Vec<Volume> {
    let Some(t) = t else { return Vec::new() };
    let (path, entries) = t.into_entries();
    let mut out = Vec::new();
    let mut mountpoints: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for (key, value) in entries {
        let Some(mut t) = Table::from_value(&mut cx.d, &format!("{path}.{}", key.value), value)
        else {
            continue;
        };
        let d = &mut cx.d;
        let size = t.req_str(d, "size", "\"100G\"");
        let kind = t.req_str(d, "kind", "\"ext4\"");
        let mountpoint = t.str(d, "mountpoint");
        let options = t.str_list(d, "mount_options");
        let on = t.str_list(d, "nodes");
        // `mountpont = ...` is reported as unknown: not as missing too.
        let misspelt_mountpoint = mountpoint.is_none() && t.has_near("mountpoint");
        t.finish(d);
        let name_ok = cx.check(&key, "bad-name", "volume name", grammar::name);
        let size_b = size.as_ref().and_then(|s| cx.size(s));
        let kind_v = kind.as_ref().and_then(|k| {
            cx.one_of(k, "volume kind", &["ext4", "unison", "drbd"])
                .then_some(match k.value.as_str() {
                    "ext4" => VolumeKind::Ext4,
                    "unison" => VolumeKind::Unison,
                    _ => VolumeKind::Drbd,
                })
        });
        let mp = mountpoint.clone().and_then(|m| {
            cx.check(&m, "bad-path", "mountpoint", grammar::path)
                .then_some(m)
        });
        match (kind_v, &mp, &mountpoint) {
            (Some(VolumeKind::Drbd), _, Some(m)) => {
                cx.d.push(
                    Diagnostic::error("bad-value", m.span.clone(), "a DRBD backing volume is not mounted")
                        .label("remove this mountpoint")
                        .help("mount the OCFS2 filesystem on the DRBD device instead: `[ocfs2.filesystems.NAME] mountpoint = ...`"),
                );
            }
            (Some(VolumeKind::Ext4 | VolumeKind::Unison), None, None) if !misspelt_mountpoint => {
                cx.d.push(
                    Diagnostic::error(
                        "missing-key",
                        key.span.clone(),
                        format!("volume `{}` needs a mountpoint", key.value),
                    )
                    .label("ext4 and unison volumes are mounted")
                    .help(format!("add `mountpoint = \"/vol/{}\"`", key.value)),
                );
            }
            _ => {}
        }
        if let Some(m) = &mp {
            if let Some(first) = mountpoints.get(&m.value) {
                let first = first.clone();
                cx.duplicate(
                    m.span.clone(),
                    first,
                    format!("mountpoint `{}` is used twice", m.value),
                );
            } else {
                mountpoints.insert(m.value.clone(), m.span.clone());
            }
        }
        let mut mount_options = Vec::new();
        for o in options.unwrap_or_else(|| vec![Sp::new("noatime".into(), 0..0)]) {
            if cx.check(&o, "bad-option", "mount option", grammar::mount_option) {
                mount_options.push(o.value);
            }
        }
        let vol_nodes = node_list(cx, on, nodes);
        if !name_ok {
            continue;
        }
        // Registered even when invalid, so references to it do not cascade.
        if let Some(first) = cx.volume_spans.get(&key.value) {
            let first = first.clone();
            cx.duplicate(
                key.span.clone(),
                first,
                format!("volume `{}` is defined twice", key.value),
            );
            continue;
        }
        cx.volume_spans.insert(key.value.clone(), key.span.clone());
        let (Some(size_b), Some(kind_v), Some(size)) = (size_b, kind_v, size) else {
            continue;
        };
        out.push(Volume {
            name: key.value,
            size: size_b,
            size_text: size.value,
            kind: kind_v,
            mountpoint: mp.map(|m| m.value),
            mount_options,
            fsck_pass: if kind_v == VolumeKind::Drbd { 0 } else { 2 },
            nodes: vol_nodes,
        });
    }
    // Register volume mountpoints for the OCFS2 duplicate check.
    cx.fs_spans.extend(
        mountpoints
            .into_iter()
            .map(|(k, v)| (format!("mountpoint:{k}"), v)),
    );
    out
}

/// Resolve an optional `nodes = [...]` list; default all nodes.
pub fn node_list(cx: &mut Cx, list: Option<Vec<Sp<String>>>, nodes: &[Node]) -> Vec<String> {
    match list {
        None => nodes.iter().map(|n| n.name.clone()).collect(),
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for n in list {
                if !cx.node_spans.contains_key(&n.value) {
                    let known = cx.node_spans.clone();
                    cx.unknown_ref(&n, "node", &known);
                } else if out.contains(&n.value) {
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
    }
}

pub const DEFAULT_SYSCTL: &[(&str, i64)] = &[
    ("vm.min_free_kbytes", 65536),
    ("kernel.panic", 10),
    ("kernel.panic_on_oops", 1),
];

pub fn sysctl(cx: &mut Cx, t: Option<Table>) -> Vec<Sysctl> {
    let mut map: BTreeMap<String, i64> = DEFAULT_SYSCTL
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    if let Some(t) = t {
        let entries = t.into_integers(&mut cx.d, |k| {
            format!("sysctl `{}` must be an integer", printable(k))
        });
        for (key, value) in entries {
            let Some(value) = value else { continue };
            if cx.check(&key, "bad-name", "sysctl key", grammar::sysctl_key) {
                map.insert(key.value, value.value);
            }
        }
    }
    map.into_iter()
        .map(|(key, value)| Sysctl { key, value })
        .collect()
}

pub fn resolver(cx: &mut Cx, t: Option<Table>) -> Resolver {
    let mut r = Resolver {
        caching: true,
        forwarders: Vec::new(),
    };
    if let Some(mut t) = t {
        let caching = t.bool(&mut cx.d, "caching");
        let fw = t.str_list(&mut cx.d, "forwarders");
        t.finish(&mut cx.d);
        r.caching = caching.map_or(true, |c| c.value);
        for f in fw.unwrap_or_default() {
            if let Some(a) = cx.ip(&f, "forwarder") {
                r.forwarders.push(a);
            }
        }
    }
    r
}

pub fn hosts(cx: &mut Cx, t: Option<Table>, nodes: &[Node]) -> Vec<HostEntry> {
    let mut out: Vec<HostEntry> = nodes
        .iter()
        .map(|n| HostEntry {
            address: n.address,
            names: vec![n.name.clone()],
        })
        .collect();
    if let Some(t) = t {
        let (_, entries) = t.into_entries();
        for (key, mut value) in entries {
            let Some(addr) = cx.ip(&key, "hosts address") else {
                continue;
            };
            let vspan = super::read::range(value.span);
            let names = match value.take() {
                toml_span::value::ValueInner::Array(items) => items,
                _ => {
                    cx.d.push(
                        Diagnostic::error("wrong-type", vspan, "hosts entries are lists of names")
                            .label("expected [\"name\", ...]"),
                    );
                    continue;
                }
            };
            let mut list = Vec::new();
            for mut n in names {
                let span = super::read::range(n.span);
                if let toml_span::value::ValueInner::String(s) = n.take() {
                    let s = Sp::new(s.into_owned(), span);
                    if cx.check(&s, "bad-name", "host name", grammar::host) {
                        list.push(s.value);
                    }
                } else {
                    cx.d.push(
                        Diagnostic::error("wrong-type", span, "a host name must be a string")
                            .label("expected a string"),
                    );
                }
            }
            out.push(HostEntry {
                address: addr,
                names: list,
            });
        }
    }
    out
}
