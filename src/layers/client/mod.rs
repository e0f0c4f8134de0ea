//! NFS clients: the `SITE-storage-client` package (staging links, autofs).

pub(crate) mod plan;
pub(crate) mod profile;
