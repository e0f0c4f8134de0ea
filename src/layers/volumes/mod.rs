//! LVM volumes: ext4 and unison filesystems, their fstab entries and mountpoints.

pub(crate) mod layout;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod transition;
