//! unison: the one-way replicated volume, its keys, units and log.

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
