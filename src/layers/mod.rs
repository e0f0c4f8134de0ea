//! One folder per storage layer. Each holds its lowering from the profile
//! (`profile.rs`), its contribution to the packages (`plan.rs`) and its part of
//! `layout.sh`; `debian-templates/` has a folder of the same name with its
//! templates and its part of the node-side command. See ARCHITECTURE.md.

pub(crate) mod ids;
pub(crate) mod volumes;
pub(crate) mod drbd;
pub(crate) mod ocfs2;
pub(crate) mod shares;
pub(crate) mod unison;
pub(crate) mod link;
pub(crate) mod system;
pub(crate) mod apt;
pub(crate) mod nis;
pub(crate) mod client;
pub(crate) mod boot;
pub mod command;
