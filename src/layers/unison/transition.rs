//! The unison layer's transitions ([`crate::plan::change`]): its profile,
//! timer and keys are files; all live.

use crate::plan::change::{same, Out, Transition, Tx};

pub(crate) struct Unison;

impl Transition for Unison {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let involved = |s: &crate::model::Site| {
            s.unison
                .as_ref()
                .is_some_and(|u| u.client == tx.node || u.server == tx.node)
        };
        if !involved(tx.old) && !involved(tx.new) {
            return;
        }
        match (&tx.old.unison, &tx.new.unison) {
            (Some(a), Some(b)) => {
                if a.schedule != b.schedule {
                    out.live(format!(
                        "unison schedule {} -> {} (timer reloaded)",
                        a.schedule, b.schedule
                    ));
                }
                let mut a2 = a.clone();
                a2.schedule = b.schedule.clone();
                if !same(&a2, b) {
                    out.live(
                        "unison profile, keys or roles change (files; the next run uses them)",
                    );
                }
            }
            (None, Some(_)) => out.live("unison replication starts (profile, timer, keys)"),
            (Some(a), None) => {
                out.live("unison replication stops (its timer goes)");
                out.keep(format!("the unison volume's files ({})", a.mountpoint));
            }
            (None, None) => {}
        }
    }
}
