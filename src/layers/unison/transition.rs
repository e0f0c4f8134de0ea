//! The unison layer's transitions ([`crate::plan::change`]): its profile,
//! timer and keys are files; all live. Each sync of the node (by volume).

use crate::model::{Site, Unison as UnisonSync};
use crate::plan::change::{same, Out, Transition, Tx};

pub(crate) struct Unison;

/// The syncs `node` takes part in.
fn involved<'a>(s: &'a Site, node: &str) -> Vec<&'a UnisonSync> {
    s.unison
        .iter()
        .filter(|u| u.client == node || u.server == node)
        .collect()
}

impl Transition for Unison {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (old, new) = (involved(tx.old, tx.node), involved(tx.new, tx.node));
        for b in &new {
            match old.iter().find(|a| a.volume == b.volume) {
                Some(a) => {
                    if a.schedule != b.schedule {
                        out.live(format!(
                            "unison schedule {} -> {} (timer reloaded)",
                            a.schedule, b.schedule
                        ));
                    }
                    let mut a2 = (*a).clone();
                    a2.schedule = b.schedule.clone();
                    if !same(&a2, *b) {
                        out.live(
                            "unison profile, keys or roles change (files; the next run uses them)",
                        );
                    }
                }
                None => out.live("unison replication starts (profile, timer, keys)"),
            }
        }
        for a in &old {
            if !new.iter().any(|b| b.volume == a.volume) {
                out.live("unison replication stops (its timer goes)");
                out.keep(format!("the unison volume's files ({})", a.mountpoint));
            }
        }
    }
}
