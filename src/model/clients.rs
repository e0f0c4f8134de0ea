//! The client side of the model: the client package (automounts, links)
//! and NIS (domain, servers, automount maps).

use serde::Serialize;

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
