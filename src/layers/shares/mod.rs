//! Shares: public symlinks, NFS exports, nfs.conf and libvirt pools.

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
