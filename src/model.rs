//! The resolved site model: what a valid profile means, with every default
//! applied once and every reference resolved. No spans, no `Option` for
//! things that have a default, no I/O.
//!
//! Invariant: every `String` here that reaches a shell script or a
//! configuration file has passed the grammar in `profile::grammar` for its
//! kind (names, paths, addresses, option words). Renderers still quote.

use serde::Serialize;
use std::net::IpAddr;

#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Package prefix and site name (`pasta`).
    pub name: String,
    /// DNS domain (`pasta.net`).
    pub domain: String,
    /// Version of every site package (`1.0`, `1.2~rc1`).
    pub version: String,
    /// `Name <address>` for the Maintainer field.
    pub maintainer: String,
    pub suite: Suite,
    /// Build timestamp (seconds since the epoch) used when `SOURCE_DATE_EPOCH` is unset.
    pub source_date_epoch: u64,
    /// Changelog text of this version, one entry per line.
    pub changes: Vec<String>,
    /// Directory of site templates that override the built-in ones
    /// (absolute, resolved against the profile's directory).
    pub templates_dir: Option<String>,
    pub install_server: IpAddr,
    pub mail_relay: Option<IpAddr>,
    pub repository: Repository,
    pub apt: Apt,
    pub nodes: Vec<Node>,
    pub ids: Ids,
    pub volumes: Vec<Volume>,
    pub drbd: Drbd,
    pub ocfs2: Option<Ocfs2>,
    pub shares: Vec<Share>,
    pub nfs: Nfs,
    pub unison: Option<Unison>,
    pub client: Client,
    pub nis: Option<Nis>,
    pub sysctl: Vec<Sysctl>,
    pub resolver: Resolver,
    pub hosts: Vec<HostEntry>,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeKind {
    /// Unreplicated ext4, mounted on each node.
    Ext4,
    /// ext4 replicated by unison between the two nodes.
    Unison,
    /// Backing device of a DRBD resource (not mounted itself).
    Drbd,
}

/// A logical volume, present on every storage node's volume group.
#[derive(Debug, Clone, Serialize)]
pub struct Volume {
    /// LV name (`rep-drbd0`).
    pub name: String,
    pub size: u64,
    /// Size as the profile wrote it, for `lvcreate --size` (`200G`).
    pub size_text: String,
    pub kind: VolumeKind,
    /// For ext4 and unison volumes.
    pub mountpoint: Option<String>,
    pub mount_options: Vec<String>,
    /// fsck pass number in fstab (2 for ext4).
    pub fsck_pass: u8,
    /// Storage nodes that carry this LV (default: all of them).
    pub nodes: Vec<String>,
}

impl Volume {
    /// `/dev/VG/LV` on a node.
    pub fn device(&self, vg: &str) -> String {
        format!("/dev/{vg}/{}", self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Drbd {
    /// `startup { wfc-timeout }` in seconds.
    pub wfc_timeout: u32,
    /// `startup { degr-wfc-timeout }` in seconds.
    pub degr_wfc_timeout: u32,
    /// `net { ping-int }` in seconds.
    pub ping_int: u32,
    /// `net { ping-timeout }` in tenths of a second (DRBD's unit).
    pub ping_timeout: u32,
    /// Node that initialises new resources (create-md first, clear-bitmap,
    /// `primary --force` on a one-legged start, mkfs.ocfs2).
    pub initialiser: String,
    /// Seconds the initialiser waits for its peer before going one-legged.
    pub peer_wait: u32,
    /// Which network carries DRBD replication.
    pub network: Network,
    /// Resync speed (`[drbd.resync]`); DRBD's defaults where unset.
    pub resync: Resync,
    pub resources: Vec<DrbdResource>,
}

/// DRBD 8.4's resync controller settings, each written into `disk {}` only
/// when the profile sets it, as DRBD values (`40M`, `512K`; plan-ahead in
/// tenths of a second). DRBD 8.4's own defaults: resync-rate 250K,
/// c-plan-ahead 20, c-fill-target 50K, c-max-rate 100M, c-min-rate 250K.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resync {
    /// `resync-rate`: the fixed rate (c-plan-ahead 0), else the controller's start.
    pub rate: Option<String>,
    /// `c-plan-ahead`, tenths of a second; 0 turns the controller off.
    pub plan_ahead: Option<u32>,
    /// `c-fill-target`: data in flight the controller aims at.
    pub fill_target: Option<String>,
    /// `c-max-rate`: the controller's ceiling.
    pub max_rate: Option<String>,
    /// `c-min-rate`: the floor below which application I/O does not slow the resync.
    pub min_rate: Option<String>,
}

impl Resync {
    /// The settings the profile set, as DRBD's `disk {}` options (name,
    /// value) in a fixed order: what drbd.res writes and `check` shows.
    pub fn options(&self) -> Vec<(&'static str, String)> {
        [
            ("resync-rate", self.rate.clone()),
            ("c-plan-ahead", self.plan_ahead.map(|p| p.to_string())),
            ("c-fill-target", self.fill_target.clone()),
            ("c-max-rate", self.max_rate.clone()),
            ("c-min-rate", self.min_rate.clone()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DrbdResource {
    pub name: String,
    /// The two nodes of the resource (DRBD 8.4: exactly two).
    pub nodes: Vec<String>,
    pub minor: u32,
    pub port: u16,
    /// Backing LV name (a `drbd` volume).
    pub volume: String,
    pub protocol: String,
    pub allow_two_primaries: bool,
    pub after_sb_0pri: String,
    pub after_sb_1pri: String,
    pub after_sb_2pri: String,
    /// `disk { fencing }`: dont-care, resource-only, resource-and-stonith.
    pub fencing: String,
    /// Handlers as (name, command) pairs in a fixed order: before-resync-target
    /// (`drbdsetup secondary $DRBD_MINOR`), split-brain (notify), fence-peer
    /// (storpkg's own handler, outdating the peer over the admin LAN) when
    /// fencing is not dont-care.
    pub handlers: Vec<Handler>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Handler {
    pub name: String,
    pub command: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ocfs2 {
    /// Cluster name (at most 16 alphanumerics).
    pub cluster: String,
    pub port: u16,
    pub network: Network,
    pub heartbeat_threshold: u32,
    pub idle_timeout_ms: u32,
    pub keepalive_delay_ms: u32,
    pub reconnect_delay_ms: u32,
    pub filesystems: Vec<Ocfs2Fs>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ocfs2Fs {
    /// Name used by shares (`ocfs2-small`), also the filesystem label.
    pub name: String,
    /// DRBD resource name.
    pub resource: String,
    /// `/dev/drbdN`.
    pub device: String,
    /// `mkfs.ocfs2 -T` type: mail, datafiles, vmstore.
    pub mode: String,
    /// `--fs-feature-level`: default, max-compat, max-features.
    pub feature_level: String,
    /// `-N` node slots.
    pub slots: u32,
    /// Nodes that mount it: those of its DRBD resource.
    pub nodes: Vec<String>,
    pub mountpoint: String,
    pub mount_options: Vec<String>,
}

/// Where a share lives. Serialised with an `on` tag (`"kind"` would
/// clash with `Volume`'s own `kind` field, which serde rejects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "on", rename_all = "lowercase")]
pub enum ShareOn {
    Volume { name: String, kind: VolumeKind },
    Ocfs2 { name: String },
}

impl ShareOn {
    pub fn name(&self) -> &str {
        match self {
            ShareOn::Volume { name, .. } | ShareOn::Ocfs2 { name } => name,
        }
    }
    /// Replicated: on a unison volume or an OCFS2 filesystem.
    pub fn replicated(&self) -> bool {
        matches!(
            self,
            ShareOn::Ocfs2 { .. }
                | ShareOn::Volume {
                    kind: VolumeKind::Unison,
                    ..
                }
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub name: String,
    pub on: ShareOn,
    /// Real directory (`/vol/ocfs2-small/home`).
    pub path: String,
    /// Public symlink (`/vol/home`) pointing at `path`.
    pub link: Option<String>,
    pub mode: String,
    pub owner: String,
    pub group: String,
    pub exports: Vec<ExportClient>,
    /// libvirt dir pool defined on `path`.
    pub libvirt_pool: Option<String>,
    /// Nodes where the share exists: those of its volume or filesystem.
    pub nodes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportClient {
    /// Client pattern: `*`, a host name, an address or a CIDR network.
    pub clients: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nfs {
    /// `[mountd] manage-gids`: the how-to's secondary-groups fix.
    pub manage_gids: bool,
    /// `[nfsd] threads`: the kernel NFS server's threads (nfs-utils' own
    /// default, 8, when unset).
    pub threads: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unison {
    /// The unison volume it replicates.
    pub volume: String,
    pub mountpoint: String,
    /// Node that runs the scheduled sync.
    pub client: String,
    /// Node that runs `unison -server` through ssh.
    pub server: String,
    pub network: Network,
    /// Profile name (`vol-rep-unison`, file `~/.unison/vol-rep-unison.prf`).
    pub profile: String,
    /// systemd `OnCalendar=` expression.
    pub schedule: String,
    pub owner: bool,
    pub group: bool,
    pub perms: i64,
    pub times: bool,
    pub auto: bool,
    pub batch: bool,
    pub terse: bool,
    pub confirmbigdel: bool,
    pub fastcheck: bool,
    pub prefer: String,
    pub logfile: String,
    pub logrotate: LogRotate,
    /// The client's ed25519 public key, once known (else the server's
    /// authorized_keys entry is missing and status says so).
    pub client_key: Option<String>,
    /// The server's ssh host key, pinned in the client's known_hosts.
    pub server_host_key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogRotate {
    pub frequency: String,
    pub rotate: u32,
    pub compress: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Client {
    pub package: String,
    /// The automount point of `auto.staging` (`/staging`).
    pub staging: String,
    /// autofs master entries: mountpoint → NIS map.
    pub automounts: Vec<Automount>,
    /// Symlinks such as `/pub` → `staging/pub`.
    pub links: Vec<Symlink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Automount {
    pub mountpoint: String,
    pub map: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Symlink {
    pub path: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nis {
    pub package: String,
    pub domain: String,
    /// yp.conf on the storage nodes: `domain D server S` (the how-to binds to localhost).
    pub node_binding: String,
    /// NIS servers for clients' yp.conf; empty means broadcast.
    pub servers: Vec<String>,
    /// Options of every automount entry (`-noquota,noatime,nfsvers=3`).
    pub automount_options: Vec<String>,
    pub maps: Vec<NisMap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NisMap {
    /// `auto.home`, `auto.staging`.
    pub name: String,
    pub entries: Vec<NisEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NisEntry {
    pub key: String,
    /// `fiori.pasta.net,torchio.pasta.net:/vol/home/alexis`
    pub location: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sysctl {
    pub key: String,
    pub value: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resolver {
    /// Run a caching nameserver on 127.0.0.1 (unbound) with no forwarder.
    pub caching: bool,
    /// Forwarders; empty means full recursion ("no local referrer").
    pub forwarders: Vec<IpAddr>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostEntry {
    pub address: IpAddr,
    pub names: Vec<String>,
}

impl Site {
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }
    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.name == name)
    }
    pub fn peer_of(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name != name)
    }
    /// Every package name the build writes, in a fixed order.
    pub fn package_names(&self) -> Vec<String> {
        let mut names = vec![self.ids.package.clone()];
        names.extend(self.nodes.iter().map(|n| n.package.clone()));
        names.push(self.client.package.clone());
        if let Some(nis) = &self.nis {
            names.push(nis.package.clone());
        }
        names
    }
}
