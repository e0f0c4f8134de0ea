//! `[drbd.resync]`: DRBD 8.4's resync controller.

use crate::model::Resync;
use crate::profile::cx::Cx;
use crate::profile::diag::Diagnostic;
use crate::profile::grammar::re;
use crate::profile::human;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, section, Key, Section, Ty};

/// `[drbd.resync]`: DRBD 8.4's resync controller. Rates and the fill target
/// are sizes (per second for rates; LVM's units, a bare number is MiB),
/// written as whole KiB within the kernel's limits (drbd_limits.h).
pub(super) fn resync_of(cx: &mut Cx, mut t: Table, path: &str) -> Resync {
    let d = &mut cx.d;
    let rate = t.str(d, "rate");
    let plan_ahead = t.int_in(d, "plan_ahead");
    let fill_target = t.str(d, "fill_target");
    let max_rate = t.str(d, "max_rate");
    let min_rate = t.str(d, "min_rate");
    t.finish(d);
    // A size in whole KiB within lo..=hi KiB (`0` where lo is 0), with
    // its span and DRBD's spelling of it.
    let mut kib = |v: Option<Sp<String>>, key: &str, lo: u64, hi: u64| {
        let v = v?;
        let k = if lo == 0 && v.value == "0" {
            0
        } else {
            cx.size(&v)? / 1024
        };
        if k < lo || k > hi {
            cx.d.push(
                Diagnostic::error(
                    "out-of-range",
                    v.span.clone(),
                    format!("`{path}.{key}` is out of range"),
                )
                .label(format!("{k} KiB is not within {lo}..={hi} KiB"))
                .help(format!(
                    "DRBD 8.4 takes {} to {}",
                    human(lo * 1024),
                    human(hi * 1024)
                )),
            );
            return None;
        }
        let text = if k == 0 {
            "0".to_string()
        } else if k % (1024 * 1024) == 0 {
            format!("{}G", k / (1024 * 1024))
        } else if k % 1024 == 0 {
            format!("{}M", k / 1024)
        } else {
            format!("{k}K")
        };
        Some((k, v.span.clone(), text))
    };
    const MAX: u64 = 4 << 20; // 4 GiB/s, in KiB
    let rate = kib(rate, "rate", 1, MAX);
    // 1 << 20 sectors of 512 bytes
    let fill_target = kib(fill_target, "fill_target", 1, 512 * 1024);
    let max_rate = kib(max_rate, "max_rate", 250, MAX);
    // 0: resync I/O is never slowed for application I/O.
    let min_rate = kib(min_rate, "min_rate", 0, MAX);
    if let (Some((min, span, _)), Some((max, max_span, _))) = (&min_rate, &max_rate) {
        if min > max {
            cx.d.push(
                Diagnostic::error(
                    "out-of-range",
                    span.clone(),
                    format!("`{path}.min_rate` is above `max_rate`"),
                )
                .label(format!("{min} KiB/s is more than max_rate"))
                .related(max_span.clone(), "the ceiling, set here")
                .help("c-min-rate is the floor the controller keeps a resync at; it must not exceed c-max-rate"),
            );
        }
    }
    Resync {
        rate: rate.map(|r| r.2),
        plan_ahead: plan_ahead.map(|p| p.value as u32),
        fill_target: fill_target.map(|r| r.2),
        max_rate: max_rate.map(|r| r.2),
        min_rate: min_rate.map(|r| r.2),
    }
}

pub(crate) static SPEC: Section = section(
    "drbd.resync",
    "DRBD's resync controller, written into the resources' `disk {}` when set. Rates are sizes per second in LVM's units (`40M`), checked against the kernel's limits.",
    &KEYS,
);

/// A resource's own resync settings, each over the site's.
pub(crate) static RESOURCE: Section = section(
    "drbd.resources.NAME.resync",
    "This resource's resync controller: each key set here replaces the site's `[drbd.resync]` one.",
    &KEYS,
);

static KEYS: [Key; 5] = [
    key(
        "rate",
        Ty::Str(Some(re::SIZE)),
        "resync-rate: the fixed rate, or where the controller starts [250K]",
    ),
    key(
        "plan_ahead",
        Ty::Int(Some(0), Some(300)),
        "c-plan-ahead, tenths of a second; 0 = fixed rate [20]",
    ),
    key(
        "fill_target",
        Ty::Str(Some(re::SIZE)),
        "c-fill-target [50K]",
    ),
    key("max_rate", Ty::Str(Some(re::SIZE)), "c-max-rate [100M]"),
    key("min_rate", Ty::Str(Some(re::SIZE)), "c-min-rate [250K]"),
];
