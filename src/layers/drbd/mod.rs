//! DRBD: one resource file per replicated volume, its handlers and bring-up.

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
