//! apt: the site repository and Debian through the install server.

pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
