//! The context structs of the templates shared by several layers (the
//! maintainer script skeletons, README.Debian) and of the ids, client and
//! NIS packages; each storage layer keeps its own templates' structs in its
//! `plan.rs`. Field names are the template's
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

/// `scripts/node.postinst`.
#[derive(Debug, Clone, Serialize)]
pub struct NodePostinst {
    pub lib: Lib,
    pub node: String,
    pub command: String,
    pub diversions: Vec<Diversion>,
    pub displaced: Vec<Displaced>,
    pub blocks: Vec<Block>,
    /// Units enabled (and, for timers, started on a running system).
    pub timers: Vec<String>,
    /// The timers among them: started, in one call, on a running system.
    pub started: Vec<String>,
    /// Directories of the layout (mountpoints) made in configure.
    pub layout_dirs: Vec<String>,
    /// Public symlinks of the layout made in configure.
    pub layout_links: Vec<LayoutLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayoutLink {
    pub path: String,
    pub target: String,
}

/// `ids/preinst`, `ids/postrm`.
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

/// `client/postinst`.
#[derive(Debug, Clone, Serialize)]
pub struct ClientPostinst {
    pub lib: Lib,
    pub displaced: Vec<Displaced>,
    pub yp_conf: Option<String>,
    pub autofs_file: String,
}

/// `nis/postinst`.
#[derive(Debug, Clone, Serialize)]
pub struct NisPostinst {
    pub lib: Lib,
    pub maps: Vec<String>,
    pub blocks: Vec<Block>,
}

/// `node/drbd.res`.
/// `node/cluster.conf`.
/// `node/fstab`.
/// `node/hosts`.
/// `node/exports`.
/// `node/nfs.conf`.
/// `node/sysctl.conf`.
/// `node/unbound.conf`.
/// `node/resolv.conf`.
/// `node/site.sources`.
/// `node/debian.sources`.
/// `node/yp.conf`.
/// `node/interfaces`.
/// `node/unison.prf`.
/// `node/unison.logrotate`.
/// `node/authorized_keys`.
/// `node/known_hosts`.
/// `converge/storage.sh`: static (the node's values are in its layout
/// file, `crate::layout`); the context only names it.
/// `converge/converge.service`.
/// `converge/converge-retry.service` and `converge/converge-retry.timer`.
/// `boot/README.Debian`.
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
