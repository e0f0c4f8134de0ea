//! This layer's part of `layout.sh` ([`crate::layout`]).

use crate::layout::Layout;
use crate::model::VolumeKind;

/// The logical volumes.
pub(crate) fn layout(o: &mut Layout) {
    o.comment("Logical volumes in VG: name, size, kind (ext4, unison, drbd), mountpoint.");
    let vols: Vec<_> = o.site.volumes.iter().filter(|v| o.has(&v.nodes)).collect();
    o.var("LV_COUNT", vols.len().to_string());
    for (i, v) in vols.iter().enumerate() {
        let i = i + 1;
        o.item("LV", i, "NAME", &v.name);
        o.item("LV", i, "SIZE", &v.size_text);
        o.item("LV", i, "BYTES", v.size.to_string());
        o.item("LV", i, "KIND", kind_str(v.kind));
        o.item("LV", i, "DEVICE", v.device(o.vg));
        // The mount options as fstab has them (remount, status).
        o.item("LV", i, "OPTIONS", v.mount_options.join(","));
        o.item(
            "LV",
            i,
            "MOUNTPOINT",
            match v.kind {
                VolumeKind::Drbd => "",
                _ => v.mountpoint.as_deref().unwrap_or(""),
            },
        );
    }
}

fn kind_str(k: VolumeKind) -> &'static str {
    match k {
        VolumeKind::Ext4 => "ext4",
        VolumeKind::Unison => "unison",
        VolumeKind::Drbd => "drbd",
    }
}
