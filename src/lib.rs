//! storpkg: compile a replicated-storage site profile into Debian packages
//! and an apt repository. See ARCHITECTURE.md for the pipeline.

pub mod deb;
pub mod output;
pub mod package;
pub mod repo;
