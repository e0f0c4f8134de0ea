//! OCFS2: the o2cb cluster, its debconf answers and the shared filesystems.

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
