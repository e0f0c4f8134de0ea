//! The resolved site model: what a valid profile means, with every default
//! applied once and every reference resolved. No spans, no `Option` for
//! things that have a default, no I/O.
//!
//! Invariant: every `String` here that reaches a shell script or a
//! configuration file has passed the grammar in `profile::grammar` for its
//! kind (names, paths, addresses, option words). Renderers still quote.
//!
//! [`Site`] is here; its parts are in one file each by meaning, all
//! re-exported from `crate::model`: [`site`] (suite, repository, apt, nodes,
//! pinned IDs), [`storage`] (volumes, DRBD, OCFS2, shares, NFS, unison),
//! [`clients`] (the client package and NIS), [`system`] (sysctl, resolver,
//! hosts).

use serde::Serialize;
use std::net::IpAddr;

pub mod clients;
pub mod site;
pub mod storage;
pub mod system;

pub use clients::*;
pub use site::*;
pub use storage::*;
pub use system::*;

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
