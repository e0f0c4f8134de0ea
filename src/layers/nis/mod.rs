//! NIS: the nodes' binding and the `SITE-storage-nis` package's maps.

pub(crate) mod package;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
