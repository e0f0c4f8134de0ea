//! The node's system settings: sysctl, the caching resolver, /etc/hosts, the mail relay.

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
