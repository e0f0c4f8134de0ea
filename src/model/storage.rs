//! The storage layers of the model: logical volumes, DRBD resources, OCFS2
//! filesystems, shares and their NFS exports, the unison replication.

use super::Network;
use serde::Serialize;
use std::net::IpAddr;

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
    /// The site's initialiser (`[drbd] initialiser`, default the first
    /// node): a resource that lists it initialises there, any other on the
    /// first node it lists ([`DrbdResource::initialiser`] is the resolved one).
    pub initialiser: String,
    /// Seconds the initialiser waits for its peer before going one-legged.
    pub peer_wait: u32,
    /// Which network carries DRBD replication.
    pub network: Network,
    /// The site's resync speed (`[drbd.resync]`); DRBD's defaults where
    /// unset; each resource's own, merged, is [`DrbdResource::resync`].
    pub resync: Resync,
    /// The third party the fence-peer handler asks (`[drbd] witness`,
    /// default: the install server): a node that reaches it but none of
    /// its peer's addresses takes the peer for dead and may resume I/O.
    pub witness: IpAddr,
    /// Power fencing (`[drbd.fence_command]`): per node, the command that
    /// powers that node off, run by its peer's fence-peer handler (words
    /// split at spaces, no shell); its success is DRBD's "peer stonithed".
    pub fence_commands: Vec<(String, String)>,
    /// The site's `net { verify-alg }` (`[drbd] verify_alg`, default
    /// `crc32c`); a resource may override it.
    pub verify_alg: String,
    /// When a resource's initialiser runs `drbdadm verify` on it
    /// (`[drbd] verify_schedule`, a systemd calendar; default `monthly`;
    /// empty: never); a resource may override it.
    pub verify_schedule: String,
    pub resources: Vec<DrbdResource>,
}

impl Drbd {
    /// The command that powers `node` off, if the profile has one.
    pub fn fence_command(&self, node: &str) -> Option<&str> {
        self.fence_commands
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, c)| c.as_str())
    }
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
    /// Each setting of `self`, else `base`'s.
    pub fn over(self, base: &Resync) -> Resync {
        Resync {
            rate: self.rate.or_else(|| base.rate.clone()),
            plan_ahead: self.plan_ahead.or(base.plan_ahead),
            fill_target: self.fill_target.or_else(|| base.fill_target.clone()),
            max_rate: self.max_rate.or_else(|| base.max_rate.clone()),
            min_rate: self.min_rate.or_else(|| base.min_rate.clone()),
        }
    }
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
    /// The one of them that initialises it (create-md first, clear-bitmap,
    /// `primary --force` on a one-legged start, mkfs.ocfs2, online verify):
    /// its own `initialiser`, else the site's when it is one of `nodes`,
    /// else the first of `nodes`.
    pub initialiser: String,
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
    /// The resync settings: the resource's own over the site's.
    pub resync: Resync,
    /// `net { verify-alg }`.
    pub verify_alg: String,
    /// The verify timer's `OnCalendar=` on the initialiser (empty: never).
    pub verify_schedule: String,
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
