//! The site-wide part of the model: the Debian suite, the apt repository
//! and Debian mirrors, the nodes and their networks, the pinned IDs.

use serde::Serialize;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Suite {
    Bookworm,
    Trixie,
}

impl Suite {
    pub fn as_str(self) -> &'static str {
        match self {
            Suite::Bookworm => "bookworm",
            Suite::Trixie => "trixie",
        }
    }
    pub fn debian_version(self) -> u32 {
        match self {
            Suite::Bookworm => 12,
            Suite::Trixie => 13,
        }
    }
}

/// The apt repository `storpkg build` writes, and how nodes reach it.
#[derive(Debug, Clone, Serialize)]
pub struct Repository {
    /// URL the nodes use (`http://192.168.1.1/pasta`), built from the
    /// install server address and `repository.path`.
    pub url: String,
    pub origin: String,
    pub label: String,
    pub component: String,
    /// Release's Architectures (`amd64`: the packages are `all`, the nodes
    /// amd64).
    pub architectures: Vec<String>,
    /// Release's Description.
    pub description: String,
    pub signing: Signing,
    /// ASCII-armoured public key of `signing` (`gpg --export --armor KEY`),
    /// exported by the build before planning; shipped in the node packages
    /// as the `Signed-By:` keyring of the site's apt source. `None` when
    /// unsigned (planning a signed site without it is an error).
    pub public_key: Option<String>,
    /// Drop older versions from the pool on the next build.
    pub prune: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Signing {
    /// The profile said `unsigned = true` explicitly (warned about).
    Unsigned,
    /// Sign with gpg: key id or fingerprint, optional GNUPGHOME.
    Gpg {
        key: String,
        gnupg_home: Option<String>,
    },
}

/// Debian archive access through the install server.
#[derive(Debug, Clone, Serialize)]
pub struct Apt {
    /// Debian mirror as reached through the install server
    /// (`http://192.168.1.1/debian`), when the site proxies Debian.
    pub mirror: Option<String>,
    /// Security mirror through the install server, when proxied.
    pub security_mirror: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Hostname, also the OCFS2 and DRBD node name.
    pub name: String,
    /// Package name (`pasta-storage-fiori`).
    pub package: String,
    /// Address on the site LAN (hosts, NFS, ssh).
    pub address: IpAddr,
    pub volume_group: String,
    /// Size of the volume group in bytes, when declared.
    pub vg_size: Option<u64>,
    /// OCFS2 node number.
    pub ocfs2_number: u32,
    /// The back-to-back replication link, when the node has one.
    pub replication: Option<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub interface: String,
    pub address: IpAddr,
    pub prefix: u8,
    pub mtu: Option<u32>,
}

/// Which network a cluster protocol runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// The site LAN (node `address`).
    Admin,
    /// The back-to-back replication link.
    Replication,
}

impl Node {
    pub fn address_on(&self, net: Network) -> IpAddr {
        match (net, &self.replication) {
            (Network::Replication, Some(link)) => link.address,
            _ => self.address,
        }
    }
}

/// Users and groups with IDs fixed across the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Ids {
    pub package: String,
    pub groups: Vec<PinnedGroup>,
    pub users: Vec<PinnedUser>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PinnedGroup {
    pub name: String,
    pub gid: u32,
    /// A system group (GID below 1000): created with `addgroup --system`.
    pub system: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PinnedUser {
    pub name: String,
    pub uid: u32,
    /// Primary group (one of the pinned groups).
    pub group: String,
    /// Supplementary groups (pinned groups).
    pub groups: Vec<String>,
    pub home: String,
    pub shell: String,
    pub gecos: String,
    pub system: bool,
}
