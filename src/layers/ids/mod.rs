//! The pinned users and groups: the `SITE-storage-ids` package.

pub(crate) mod plan;
pub(crate) mod profile;
