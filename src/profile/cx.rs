//! The lowering state that every layer shares: the diagnostics, the names
//! defined so far (each kind in its own [`Registry`]), and the typed
//! [`Facts`] that the cross-checks at the end read.

use super::diag::Diagnostic;
use super::grammar::{self, Check};
use super::read::{Diags, Sp};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::ops::Range;

/// Lowering state: diagnostics, names, facts.
#[derive(Default)]
pub(crate) struct Cx {
    pub d: Diags,
    pub names: Names,
    pub facts: Facts,
    /// Required sections that are absent because their header is misspelt
    /// (`[nodez.alpha]`): reported as unknown keys, not also as missing.
    pub misspelt_sections: BTreeSet<&'static str>,
    /// Where some keys were given: [`super::Checked::spans`].
    pub spans: BTreeMap<&'static str, Range<usize>>,
    /// The site's name once `[site]` is lowered: its own names below
    /// shared system directories (`/var/log/SITE-...`).
    pub site: String,
}

/// What later sections and the cross-checks need to know of earlier ones,
/// with where it was given.
/// The nodes that mount a path, and where it was given.
pub(crate) type MountUse = (Vec<String>, Range<usize>);

#[derive(Default)]
pub(crate) struct Facts {
    /// One per node of the lowered `nodes`, in the same order.
    pub nodes: Vec<NodeFacts>,
    /// Every address of the site (duplicate detection).
    pub addresses: Vec<AddressUse>,
    /// Every listening port on a node address (one user per address and port).
    pub ports: Vec<PortUse>,
    /// Every mountpoint of the site (volumes and OCFS2 filesystems), in path order.
    /// Each mountpoint: the nodes that mount it and where it was given
    /// (a path is a mountpoint once per node; pairs of their own may share it).
    pub mountpoints: BTreeMap<String, Vec<MountUse>>,
    /// Each node's replication link as given: `ADDRESS/PREFIX`, its span.
    /// Each node's replication link: node, network, span of its address.
    pub links: Vec<(String, ipnet::IpNet, Range<usize>)>,
    /// Shares with an export that was refused: references to them do not
    /// report them again as not exported.
    pub refused_exports: BTreeSet<String>,
    /// Where `drbd.network` was given (the shared-link warning).
    pub drbd_network: Option<Range<usize>>,
    /// Each DRBD resource's own `fencing`, where given (the fencing warning).
    pub drbd_fencing: Vec<(String, Range<usize>)>,
    /// Where `[drbd] protocol` was given, and each resource's own
    /// `protocol` (the protocol check).
    pub drbd_protocol: Option<Range<usize>>,
    pub drbd_resource_protocol: Vec<(String, Range<usize>)>,
    /// Where `ocfs2.network` was given (the shared-link warning).
    pub ocfs2_network: Option<Range<usize>>,
}

/// The facts of one lowered node.
pub(crate) struct NodeFacts {
    /// Where the node was defined (its name in `[nodes.NAME]`).
    pub span: Range<usize>,
    /// Its replication link was given but refused: the network checks do
    /// not report it again as having no link.
    pub link_refused: bool,
}

/// An address of the site and what it is the address of.
pub(crate) struct AddressUse {
    pub addr: IpAddr,
    pub span: Range<usize>,
    pub what: String,
}

/// A port listened on at a node address, and by what.
pub(crate) struct PortUse {
    pub addr: IpAddr,
    pub port: u16,
    pub span: Range<usize>,
    pub what: String,
}

/// The kinds of named things that are referenced by name elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Node,
    Volume,
    Resource,
    Filesystem,
    Share,
}

impl Kind {
    /// The word of an unknown-reference diagnostic.
    fn word(self) -> &'static str {
        match self {
            Kind::Node => "node",
            Kind::Volume => "volume",
            Kind::Resource => "DRBD resource",
            Kind::Filesystem => "OCFS2 filesystem",
            Kind::Share => "share",
        }
    }
}

/// Names of one kind with where each was defined. A name that was itself
/// refused (and reported) is registered all the same, so that references
/// to it do not cascade.
#[derive(Default)]
pub(crate) struct Registry(BTreeMap<String, Range<usize>>);

impl Registry {
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
    pub fn span(&self, name: &str) -> Option<Range<usize>> {
        self.0.get(name).cloned()
    }
    /// The names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// The registries of every kind.
#[derive(Default)]
pub(crate) struct Names {
    pub nodes: Registry,
    pub volumes: Registry,
    pub resources: Registry,
    pub filesystems: Registry,
    pub shares: Registry,
}

impl Names {
    pub fn of(&self, kind: Kind) -> &Registry {
        match kind {
            Kind::Node => &self.nodes,
            Kind::Volume => &self.volumes,
            Kind::Resource => &self.resources,
            Kind::Filesystem => &self.filesystems,
            Kind::Share => &self.shares,
        }
    }
    fn of_mut(&mut self, kind: Kind) -> &mut Registry {
        match kind {
            Kind::Node => &mut self.nodes,
            Kind::Volume => &mut self.volumes,
            Kind::Resource => &mut self.resources,
            Kind::Filesystem => &mut self.filesystems,
            Kind::Share => &mut self.shares,
        }
    }
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
        if !self.no_leading_dash(v, what) {
            return false;
        }
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
        if !self.no_leading_dash(v, what) {
            return None;
        }
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

    /// The one option-injection check: no profile value that passes a
    /// grammar here may begin with `-`, where a tool would read it as an
    /// option (exportfs, gpg, sysctl, mail, ip). No grammar asks for one.
    fn no_leading_dash(&mut self, v: &Sp<String>, what: &str) -> bool {
        if !v.value.starts_with('-') {
            return true;
        }
        self.d.push(
            Diagnostic::error(
                "leading-dash",
                v.span.clone(),
                format!("{what} `{}` begins with `-`", printable(&v.value)),
            )
            .label("a tool would read this as an option")
            .help("no value may begin with `-`: remove the dash (e.g. `192.168.1.0/24`, `root`, `eth1`)"),
        );
        false
    }

    /// A path (checked against [`grammar::path`] as `bad-path`) that
    /// becomes `kind` on the node, refused as `system-path` where it
    /// would land on the system.
    pub fn destination(&mut self, v: &Sp<String>, kind: grammar::Kind, what: &str) -> bool {
        if !self.check(v, "bad-path", what, grammar::path) {
            return false;
        }
        let site = std::mem::take(&mut self.site);
        let ok = self.check(v, "system-path", what, |s| {
            grammar::destination(s, kind, &site)
        });
        self.site = site;
        ok
    }

    pub fn ip(&mut self, v: &Sp<String>, what: &str) -> Option<IpAddr> {
        self.parsed(v, "bad-address", what, grammar::ip)
    }

    /// A size in bytes (`200G`, LVM's binary units).
    pub fn size(&mut self, v: &Sp<String>) -> Option<u64> {
        self.parsed(v, "bad-size", "size", grammar::size)
    }

    pub fn one_of(&mut self, v: &Sp<String>, what: &str, allowed: &[&str]) -> bool {
        self.check(v, "bad-value", what, |s| grammar::one_of(s, allowed))
    }

    pub fn duplicate(&mut self, span: Range<usize>, first: Range<usize>, message: String) {
        self.d.push(duplicate(span, first, message));
    }

    /// Register the name `key` of a `kind` (`valid`: it passed its grammar).
    /// A refused name is registered all the same (once), so references to
    /// it do not cascade; a valid name that is taken is reported. True when
    /// `key` was new. A filesystem's name may not be a volume's either.
    pub fn define(&mut self, kind: Kind, key: &Sp<String>, valid: bool) -> bool {
        let mut first = self.names.of(kind).span(&key.value);
        if kind == Kind::Filesystem {
            first = first.or_else(|| self.names.volumes.span(&key.value));
        }
        match first {
            Some(first) => {
                if valid {
                    let message = match kind {
                        Kind::Filesystem => {
                            format!("`{}` already names a volume or filesystem", key.value)
                        }
                        Kind::Resource => format!("resource `{}` is defined twice", key.value),
                        _ => format!("{} `{}` is defined twice", kind.word(), key.value),
                    };
                    self.duplicate(key.span.clone(), first, message);
                }
                false
            }
            None => {
                let names = &mut self.names.of_mut(kind).0;
                names.insert(key.value.clone(), key.span.clone());
                true
            }
        }
    }

    /// Whether `v` names a registered thing of `kind`; if not, it is
    /// reported as an unknown reference.
    pub fn refer(&mut self, kind: Kind, v: &Sp<String>) -> bool {
        let known = self.names.of(kind);
        if known.contains(&v.value) {
            return true;
        }
        let known: Vec<String> = known.names().map(str::to_string).collect();
        self.unknown_ref(v, kind.word(), &known);
        false
    }

    /// Report `v` as naming no `kind` among `known` (sorted), with the
    /// nearest known name as a suggestion.
    pub fn unknown_ref(&mut self, v: &Sp<String>, kind: &str, known: &[String]) {
        // No usable node was reported: references are not, one by one.
        if kind == "node" && self.facts.nodes.is_empty() {
            return;
        }
        let best = known
            .iter()
            .map(|k| (strsim::jaro_winkler(k, &v.value), k.as_str()))
            .filter(|(s, _)| *s > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let help = match best {
            Some((_, k)) => format!("did you mean `{k}`?"),
            None if known.is_empty() => format!("the profile defines no {kind}"),
            None => format!("known {kind}s: {}", known.join(", ")),
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

/// A `duplicate` error at `span`, pointing at the first place.
pub(crate) fn duplicate(span: Range<usize>, first: Range<usize>, message: String) -> Diagnostic {
    Diagnostic::error("duplicate", span, message)
        .label("duplicate")
        .related(first, "first given here")
}

/// Whether `key` (given at `span`) is new among `seen`, where it is then
/// recorded; if not, it is reported as a duplicate of the first, with
/// `message`.
pub(crate) fn first_use<K: Ord>(
    d: &mut Diags,
    seen: &mut BTreeMap<K, Range<usize>>,
    key: K,
    span: &Range<usize>,
    message: impl FnOnce() -> String,
) -> bool {
    if let Some(first) = seen.get(&key) {
        d.push(duplicate(span.clone(), first.clone(), message()));
        return false;
    }
    seen.insert(key, span.clone());
    true
}

/// Show a hostile value safely inside a message.
pub(crate) fn printable(s: &str) -> String {
    super::diag::quoted(s)
}

pub(crate) fn u32_of(v: Option<Sp<i64>>, default: u32) -> u32 {
    v.map(|v| v.value as u32).unwrap_or(default)
}
