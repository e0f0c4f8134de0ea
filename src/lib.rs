//! storpkg: compile a replicated-storage site profile into Debian packages
//! and an apt repository. See ARCHITECTURE.md for the pipeline.

pub mod build;
pub mod cli;
pub mod deb;
pub mod diagram;
pub mod layers;
pub mod layout;
pub mod model;
pub mod output;
pub mod package;
pub mod par;
pub mod plan;
pub mod preflight;
pub mod preseed;
pub mod profile;
pub mod render;
pub mod repo;
pub mod summary;
