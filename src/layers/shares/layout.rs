//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::flag;
use crate::layout::Layout;
use crate::model::ShareOn;

/// The shares.
pub(crate) fn layout(o: &mut Layout) {
    let site = o.site;
    o.comment(
        "Shares: directory, the volume mountpoint it lives on, public symlink,\n\
         # mode/owner/group when created, exported or not, libvirt pool.",
    );
    let shares: Vec<_> = site.shares.iter().filter(|s| o.has(&s.nodes)).collect();
    o.var("SHARE_COUNT", shares.len().to_string());
    for (i, s) in shares.iter().enumerate() {
        let i = i + 1;
        let base = match &s.on {
            ShareOn::Volume { name, .. } => site
                .volume(name)
                .and_then(|v| v.mountpoint.clone())
                .unwrap_or_default(),
            ShareOn::Ocfs2 { name } => site
                .ocfs2
                .iter()
                .flat_map(|c| c.filesystems.iter())
                .find(|f| &f.name == name)
                .map(|f| f.mountpoint.clone())
                .unwrap_or_default(),
        };
        o.item("SHARE", i, "NAME", &s.name);
        o.item("SHARE", i, "PATH", &s.path);
        o.item("SHARE", i, "ON", base);
        o.item("SHARE", i, "LINK", s.link.as_deref().unwrap_or(""));
        o.item("SHARE", i, "MODE", &s.mode);
        o.item("SHARE", i, "OWNER", &s.owner);
        o.item("SHARE", i, "GROUP", &s.group);
        o.item("SHARE", i, "EXPORTED", flag(!s.exports.is_empty()));
        o.item("SHARE", i, "POOL", s.libvirt_pool.as_deref().unwrap_or(""));
    }
    // Only when the profile sets it (the command reads `${NFS_THREADS:-}`).
    if let Some(n) = o.site.nfs.threads {
        o.comment("The kernel NFS server's threads ([nfs] threads).");
        o.var("NFS_THREADS", n.to_string());
    }
}
