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
    /// The unison syncs, one per unison volume (`[unison]` first).
    pub unison: Vec<Unison>,
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
    /// The first of [`Site::peers_of`].
    pub fn peer_of(&self, name: &str) -> Option<&Node> {
        self.peers_of(name).into_iter().next()
    }
    /// The nodes `name` replicates with (a DRBD resource or a unison sync
    /// of both), in the site's order; a node that replicates with none
    /// (a site of one pair without resources yet) has every other node.
    pub fn peers_of(&self, name: &str) -> Vec<&Node> {
        let drbd = self.drbd.resources.iter().map(|r| r.nodes.as_slice());
        let unison = self
            .unison
            .iter()
            .map(|u| [u.client.clone(), u.server.clone()]);
        let pairs: Vec<Vec<String>> = drbd
            .map(<[String]>::to_vec)
            .chain(unison.map(|p| p.to_vec()))
            .filter(|p| p.iter().any(|n| n == name))
            .collect();
        let peers: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| n.name != name && pairs.iter().any(|p| p.contains(&n.name)))
            .collect();
        if !peers.is_empty() {
            return peers;
        }
        self.nodes
            .iter()
            .filter(|n| n.name != name)
            .take(1)
            .collect()
    }
    /// The nodes of `name`'s o2cb cluster, in the site's order: those
    /// joined to it through OCFS2 filesystems (two nodes that mount one
    /// are in one cluster, and a node is in one cluster at a time: a hub
    /// pairs both its peers into one), so independent pairs are clusters of
    /// their own (of one name; they never meet). A node that mounts no
    /// OCFS2 filesystem is a cluster of itself. See ARCHITECTURE.md.
    pub fn ocfs2_cluster(&self, name: &str) -> Vec<&Node> {
        let fss: Vec<&[String]> = self
            .ocfs2
            .iter()
            .flat_map(|o| o.filesystems.iter())
            .map(|f| f.nodes.as_slice())
            .collect();
        let mut members = vec![name.to_string()];
        let mut i = 0;
        while i < members.len() {
            let m = members[i].clone();
            for f in fss.iter().filter(|f| f.contains(&m)) {
                for n in f.iter() {
                    if !members.contains(n) {
                        members.push(n.clone());
                    }
                }
            }
            i += 1;
        }
        self.nodes
            .iter()
            .filter(|n| members.contains(&n.name))
            .collect()
    }
    /// The site's pairs: each two nodes that share a DRBD resource or a
    /// unison sync, once, in the order of their first resource or sync,
    /// each in the site's order of nodes.
    pub fn pairs(&self) -> Vec<[String; 2]> {
        let pos = |n: &str| self.nodes.iter().position(|x| x.name == n);
        let mut out: Vec<[String; 2]> = Vec::new();
        let drbd = self.drbd.resources.iter().filter(|r| r.nodes.len() == 2);
        let all = drbd
            .map(|r| [r.nodes[0].clone(), r.nodes[1].clone()])
            .chain(
                self.unison
                    .iter()
                    .map(|u| [u.client.clone(), u.server.clone()]),
            );
        for [a, b] in all {
            let p = if pos(&a) <= pos(&b) { [a, b] } else { [b, a] };
            let seen = out
                .iter()
                .any(|q| (q[0] == p[0] && q[1] == p[1]) || (q[0] == p[1] && q[1] == p[0]));
            if !seen {
                out.push(p);
            }
        }
        out
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
