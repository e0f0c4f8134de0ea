//! One small context struct per template. Field names are the template's
//! variables; a field a template reads but the struct lacks is a render
//! error, not an empty string.

use serde::Serialize;

/// `scripts/lib.sh`, included by every maintainer script.
#[derive(Debug, Clone, Serialize)]
pub struct Lib {
    pub package: String,
    /// `/var/lib/PKG`: storpkg's state on the node (removed on purge).
    pub state_dir: String,
}

/// A file taken over with `dpkg-divert --rename`.
#[derive(Debug, Clone, Serialize)]
pub struct Diversion {
    pub path: String,
    pub diverted: String,
}

/// A diverted file replaced by a symlink to our own copy next to it.
#[derive(Debug, Clone, Serialize)]
pub struct Displaced {
    pub path: String,
    /// Relative symlink target (`resolv.conf.pasta-storage-fiori`).
    pub target: String,
}

/// A block of lines kept between markers in a file nobody ships.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub file: String,
    /// File shipped by the package holding the block's lines.
    pub source: String,
    /// `top` or `bottom`.
    pub position: String,
    /// Comment out other lines naming the block's names (hosts).
    pub disable: bool,
    /// The block is wanted (else any old one is removed).
    pub present: bool,
    /// Directory created first when missing, with its mode.
    pub dir: Option<String>,
    pub dir_mode: String,
    /// Delete the file on purge when nothing else is left in it.
    pub remove_if_empty: bool,
}

/// `scripts/common.preinst`, `scripts/common.prerm`, `scripts/common.postrm`.
#[derive(Debug, Clone, Serialize)]
pub struct CommonScripts {
    pub lib: Lib,
    pub diversions: Vec<Diversion>,
    pub displaced: Vec<Displaced>,
    pub blocks: Vec<Block>,
    pub o2cb: Option<O2cb>,
    /// postfix `relayhost` value (`[192.168.1.1]`).
    pub mail_relay: Option<String>,
    /// Units of this package enabled in postinst (target, timers).
    pub timers: Vec<String>,
    /// Units stopped in prerm on removal.
    pub stop_units: Vec<String>,
    /// Files removed on purge (logs, ...).
    pub purge_files: Vec<String>,
    /// Run-time files removed on remove and purge (the converge's flags in /run).
    pub remove_files: Vec<String>,
    pub purge_globs: Vec<PurgeGlob>,
    pub nis_rebuild: bool,
    pub nis_maps: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurgeGlob {
    pub dir: String,
    pub prefix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct O2cb {
    pub cluster: String,
    pub heartbeat_threshold: u32,
    pub idle_timeout_ms: u32,
    pub keepalive_delay_ms: u32,
    pub reconnect_delay_ms: u32,
}

/// `scripts/node.postinst`.
#[derive(Debug, Clone, Serialize)]
pub struct NodePostinst {
    pub lib: Lib,
    pub node: String,
    pub command: String,
    pub diversions: Vec<Diversion>,
    pub displaced: Vec<Displaced>,
    pub blocks: Vec<Block>,
    /// Message when the server's authorized_keys entry is still missing.
    pub authorized_keys_pending: Option<String>,
    pub o2cb: Option<O2cb>,
    pub mail_relay: Option<String>,
    pub interfaces_file: Option<String>,
    pub replication_interface: Option<String>,
    pub timers: Vec<String>,
    pub unison_client: Option<UnisonClientScript>,
    pub sysctl_file: String,
    pub unbound_conf: Option<String>,
    pub nfs_conf: String,
    pub exports_file: String,
    pub yp_conf: Option<String>,
    /// The site repository URL, and the sources file that lists it.
    pub site_repo_url: String,
    pub site_sources_file: String,
    /// Mountpoints made at configure time (not shipped).
    pub layout_dirs: Vec<String>,
    /// Public symlinks made at configure time (not shipped).
    pub layout_links: Vec<LayoutLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayoutLink {
    pub path: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnisonClientScript {
    pub server: String,
    pub server_package: String,
    pub key_comment: String,
    /// The profile's `client_key`, or empty.
    pub expected_key: String,
    pub host_key_pinned: bool,
}

/// `scripts/ids.preinst`, `scripts/ids.postrm`.
#[derive(Debug, Clone, Serialize)]
pub struct IdsScripts {
    pub lib: Lib,
    pub groups: Vec<IdGroup>,
    pub users: Vec<IdUser>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdGroup {
    pub name: String,
    pub gid: u32,
    /// `yes` or `no`.
    pub system: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdUser {
    pub name: String,
    pub uid: u32,
    pub group: String,
    pub groups: Vec<String>,
    pub home: String,
    pub shell: String,
    pub gecos: String,
    /// `yes` or `no`.
    pub system: String,
}

/// `scripts/client.postinst`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientPostinst {
    pub lib: Lib,
    pub displaced: Vec<Displaced>,
    pub yp_conf: Option<String>,
    pub autofs_file: String,
}

/// `scripts/nis.postinst`.
#[derive(Debug, Clone, Serialize)]
pub struct NisPostinst {
    pub lib: Lib,
    pub maps: Vec<String>,
    pub blocks: Vec<Block>,
}

/// `node/drbd.res`.
#[derive(Debug, Clone, Serialize)]
pub struct DrbdRes {
    pub site: String,
    /// `/usr/sbin/SITE-storage`.
    pub command: String,
    pub name: String,
    pub minor: u32,
    pub wfc_timeout: u32,
    pub degr_wfc_timeout: u32,
    pub fencing: String,
    pub protocol: String,
    pub allow_two_primaries: bool,
    pub after_sb_0pri: String,
    pub after_sb_1pri: String,
    pub after_sb_2pri: String,
    pub ping_int: u32,
    pub ping_timeout: u32,
    /// `disk {}` options of `[drbd.resync]` (`Resync::options`).
    pub resync: Vec<DiskOption>,
    pub handlers: Vec<crate::model::Handler>,
    pub nodes: Vec<DrbdOn>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskOption {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrbdOn {
    pub name: String,
    pub disk: String,
    /// `ADDRESS:PORT` (`[v6]:PORT` for IPv6).
    pub address: String,
}

/// `node/cluster.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterConf {
    pub cluster: String,
    pub port: u16,
    pub nodes: Vec<Ocfs2Node>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ocfs2Node {
    pub name: String,
    pub address: String,
    pub number: u32,
}

/// `node/fstab`.
#[derive(Debug, Clone, Serialize)]
pub struct Fstab {
    pub package: String,
    pub entries: Vec<FstabEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FstabEntry {
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
    pub options: String,
    pub pass: u8,
}

/// `node/hosts`.
#[derive(Debug, Clone, Serialize)]
pub struct Hosts {
    pub hosts: Vec<HostLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostLine {
    pub address: String,
    pub names: Vec<String>,
}

/// `node/exports`.
#[derive(Debug, Clone, Serialize)]
pub struct Exports {
    pub package: String,
    pub exports: Vec<ExportLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportLine {
    pub path: String,
    /// `CLIENT(OPTIONS)` items.
    pub clients: Vec<String>,
}

/// `node/nfs.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct NfsConf {
    pub package: String,
    /// `y` or `n`.
    pub manage_gids: String,
}

/// `node/sysctl.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct SysctlConf {
    pub site: String,
    pub package: String,
    pub sysctl: Vec<crate::model::Sysctl>,
}

/// `node/unbound.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct UnboundConf {
    pub package: String,
    pub forwarders: Vec<String>,
}

/// `node/resolv.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvConf {
    pub package: String,
}

/// `node/site.sources`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteSources {
    pub site: String,
    pub package: String,
    pub url: String,
    pub suite: String,
    pub component: String,
    /// Keyring path; `None` for an explicitly unsigned repository.
    pub signed_by: Option<String>,
}

/// `node/debian.sources`.
#[derive(Debug, Clone, Serialize)]
pub struct DebianSources {
    pub package: String,
    pub mirror: String,
    pub security_mirror: Option<String>,
    pub suite: String,
    pub components: String,
    pub keyring: String,
}

/// `node/yp.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct YpConf {
    pub package: String,
    pub lines: Vec<String>,
}

/// `node/interfaces`.
#[derive(Debug, Clone, Serialize)]
pub struct Interfaces {
    pub package: String,
    pub node: String,
    pub interface: String,
    /// `ADDRESS/PREFIX`.
    pub address: String,
    pub mtu: Option<u32>,
}

/// `node/unison.prf`.
#[derive(Debug, Clone, Serialize)]
pub struct UnisonPrf {
    pub package: String,
    pub profile: String,
    pub server: String,
    pub server_address: String,
    pub local_root: String,
    pub remote_root: String,
    pub key: String,
    pub known_hosts: String,
    pub unison_dir: String,
    pub service: String,
    pub timer: String,
    pub preferences: Vec<Pref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pref {
    pub key: String,
    pub value: String,
}

/// `node/unison.logrotate`.
#[derive(Debug, Clone, Serialize)]
pub struct Logrotate {
    pub logfile: String,
    pub frequency: String,
    pub rotate: u32,
    pub compress: bool,
}

/// `node/authorized_keys`.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizedKeys {
    pub options: String,
    pub key: String,
}

/// `node/known_hosts`.
#[derive(Debug, Clone, Serialize)]
pub struct KnownHosts {
    pub host: String,
    pub key: String,
}

/// `converge/converge.service`.
#[derive(Debug, Clone, Serialize)]
pub struct ConvergeService {
    pub site: String,
    pub package: String,
    pub command: String,
    /// `<site>-storage.target` (DRBD and o2cb at boot).
    pub target: String,
}

/// `converge/converge-retry.service` and `converge/converge-retry.timer`.
#[derive(Debug, Clone, Serialize)]
pub struct ConvergeRetry {
    pub site: String,
    pub package: String,
    pub command: String,
    /// The command's name, `<site>-storage` (its /run flag and lock).
    pub prog: String,
    pub converge_unit: String,
    pub timer: String,
}

/// `node/README.Debian`.
#[derive(Debug, Clone, Serialize)]
pub struct Readme {
    pub package: String,
    pub underline: String,
    pub node: String,
    pub site: String,
    pub command: String,
    pub files: Vec<String>,
    pub diversions: Vec<Diversion>,
    pub blocks: Vec<String>,
}

/// `systemd/unison.service`, `systemd/unison.timer`.
#[derive(Debug, Clone, Serialize)]
pub struct UnisonUnits {
    pub site: String,
    pub package: String,
    pub root: String,
    pub server: String,
    pub key: String,
    pub known_hosts: String,
    pub unison_dir: String,
    pub profile: String,
    pub schedule: String,
}

/// `systemd/storage.target`.
#[derive(Debug, Clone, Serialize)]
pub struct StorageTarget {
    pub site: String,
    pub package: String,
}

/// `systemd/libvirtd-mounts.conf`.
#[derive(Debug, Clone, Serialize)]
pub struct LibvirtMounts {
    pub package: String,
    pub paths: Vec<String>,
}

/// `client/auto.master`.
#[derive(Debug, Clone, Serialize)]
pub struct AutoMaster {
    pub site: String,
    pub package: String,
    pub automounts: Vec<crate::model::Automount>,
}

/// `nis/map`.
#[derive(Debug, Clone, Serialize)]
pub struct NisMapFile {
    pub site: String,
    pub package: String,
    pub map: String,
    pub target: String,
    pub options: String,
    pub entries: Vec<crate::model::NisEntry>,
}
