//! storpkg: compile a replicated-storage site profile into Debian packages
//! and an apt repository. See ARCHITECTURE.md for the pipeline.

pub mod model;
pub mod package;
pub mod plan;
pub mod render;
