//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::Layout;

/// The pinned IDs and the kernel settings, which status compares with what is in effect.
pub(crate) fn layout(o: &mut Layout) {
    o.comment(
        "Pinned IDs (the ids package's, the same on every node) and the kernel\n\
         # settings of the sysctl.d file, which status compares with what is in effect.",
    );
    o.var("GROUP_COUNT", o.site.ids.groups.len().to_string());
    for (i, g) in o.site.ids.groups.iter().enumerate() {
        o.item("GROUP", i + 1, "NAME", &g.name);
        o.item("GROUP", i + 1, "GID", g.gid.to_string());
    }
    o.var("USER_COUNT", o.site.ids.users.len().to_string());
    for (i, u) in o.site.ids.users.iter().enumerate() {
        o.item("USER", i + 1, "NAME", &u.name);
        o.item("USER", i + 1, "UID", u.uid.to_string());
    }
    o.var("SYSCTL_COUNT", o.site.sysctl.len().to_string());
    for (i, k) in o.site.sysctl.iter().enumerate() {
        o.item("SYSCTL", i + 1, "KEY", &k.key);
        o.item("SYSCTL", i + 1, "VALUE", k.value.to_string());
    }
}
