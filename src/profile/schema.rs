//! The declarations of the profile's spine (`[site]`, `[repository]`,
//! `[nodes.NAME]`) and the root that names every section, each layer's
//! from its own `profile.rs`. See `spec.rs`.

use super::grammar::re;
use super::spec::{key, map, section, Key, Section, Ty};
use crate::layers::{apt, client, drbd, ids, link, nis, ocfs2, shares, system, unison, volumes};

/// `[site]`'s `suite`.
pub(crate) const SUITES: &[&str] = &["bookworm", "trixie"];

pub(crate) static SITE: Section = section(
    "site",
    "The site: its name (the package prefix), domain, version and maintainer.",
    &[
        key("name", Ty::Str(Some(re::NAME)), "site name and package prefix (`pasta` → `pasta-storage-fiori`)").req("\"pasta\""),
        key("domain", Ty::Str(Some(re::DOMAIN)), "DNS domain (`pasta.net`), used in NIS map locations").req("\"pasta.net\""),
        key("version", Ty::Str(Some(re::VERSION)), "version of every site package; raise it whenever the profile changes").req("\"1.0\""),
        key("maintainer", Ty::Str(Some(re::MAINTAINER)), "`Name <address>`, the packages' Maintainer").req("\"Site Admins <root@example.org>\""),
        key("suite", Ty::Enum(SUITES), "the Debian release of the nodes").def("\"bookworm\""),
        key("source_date_epoch", Ty::Int(Some(0), None), "timestamp of the build when `SOURCE_DATE_EPOCH` is unset").req("1764547200"),
        key("changes", Ty::StrList(None), "changelog lines of this version"),
        key("templates", Ty::Str(Some(re::RELATIVE_PATH)), "directory of site templates overriding built-in configuration templates (relative to the profile)"),
        key("install_server", Ty::Str(Some(re::IP)), "install server address; apt sources name it by IP").req("\"192.168.1.1\""),
        key("mail_relay", Ty::Str(Some(re::IP)), "postfix relay, by IP [none]"),
    ],
);

pub(crate) static REPOSITORY: Section = section(
    "repository",
    "The site's apt repository: where the install server serves it and how it is signed.",
    &[
        key(
            "path",
            Ty::Str(Some(re::PATH)),
            "URL path on the install server [`/<site>`]",
        ),
        key(
            "origin",
            Ty::Str(None),
            "the Release file's Origin [the site name]",
        ),
        key(
            "label",
            Ty::Str(None),
            "the Release file's Label [`<site> storage`]",
        ),
        key(
            "signing_key",
            Ty::Str(None),
            "gpg key id, fingerprint or uid in the builder's keyring",
        ),
        key(
            "gnupg_home",
            Ty::Str(None),
            "the GnuPG home holding the signing key (relative to the profile)",
        ),
        key(
            "unsigned",
            Ty::Bool,
            "an explicitly unsigned repository (warning `unsigned-repository`)",
        )
        .def("false"),
        key(
            "prune",
            Ty::Bool,
            "drop older versions from the pool (else they stay, so nodes can still reach them)",
        )
        .def("false"),
    ],
);

pub(crate) static NODE: Section = section(
    "nodes.NAME",
    "One storage node; NAME is its host name.",
    &[
        key(
            "address",
            Ty::Str(Some(re::IP)),
            "the node's address on the admin LAN",
        )
        .req("\"192.168.1.6\""),
        key(
            "volume_group",
            Ty::Str(Some(re::NAME)),
            "the LVM volume group of its volumes",
        )
        .def("\"vg0\""),
        key(
            "vg_size",
            Ty::Str(Some(re::SIZE)),
            "the volume group's size, checked against the volumes (`vg-too-small`)",
        ),
        key(
            "ocfs2_number",
            Ty::Int(Some(0), Some(254)),
            "the node's number in cluster.conf [its position]",
        ),
        key(
            "replication",
            Ty::Table(&link::profile::SPEC),
            "the back-to-back replication link",
        ),
    ],
);

pub(crate) static NODES: Section = map(
    "nodes",
    "The storage nodes, `[nodes.NAME]` each.",
    Some(re::NAME),
    Ty::Table(&NODE),
);

const fn table(name: &'static str, s: &'static Section) -> Key {
    key(name, Ty::Table(s), s.doc)
}

/// The profile: every section, in the order the driver reads them.
pub static ROOT: Section = section(
    "",
    "A storpkg site profile: one TOML file per storage cluster.",
    &[
        table("site", &SITE).req("{ name = \"pasta\", ... }"),
        table("repository", &REPOSITORY).req("{ signing_key = \"KEYID\" }"),
        table("apt", &apt::profile::SPEC),
        table("nodes", &NODES).req("{ fiori = { address = \"192.168.1.6\" } }"),
        table("ids", &ids::profile::SPEC),
        table("volumes", &volumes::profile::SPEC),
        table("drbd", &drbd::profile::SPEC),
        table("ocfs2", &ocfs2::profile::SPEC),
        table("shares", &shares::profile::SPEC),
        table("nfs", &shares::profile::NFS),
        table("unison", &unison::profile::SPEC),
        table("client", &client::profile::SPEC),
        table("nis", &nis::profile::SPEC),
        table("sysctl", &system::profile::SYSCTL),
        table("resolver", &system::profile::RESOLVER),
        table("hosts", &system::profile::HOSTS),
    ],
);
