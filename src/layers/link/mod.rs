//! The back-to-back replication link (ifupdown).

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
