//! Boot and the node-side command: the storage target, the converge units, `layout.sh`.

pub(crate) mod layout;
pub(crate) mod plan;
