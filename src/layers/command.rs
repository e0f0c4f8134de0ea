//! The node-side command `/usr/sbin/SITE-storage`, assembled from the layers' shell files.

/// The command (static: no template values).
pub fn node_command() -> String {
    include_str!("../../debian-templates/converge/storage.sh").to_string()
}
