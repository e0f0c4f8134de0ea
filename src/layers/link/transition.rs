//! The replication link's transitions ([`crate::plan::change`]): a new
//! link is brought up live; a changed one drops what runs over it while it
//! is brought down and up again: a window.

use crate::plan::change::{same, Out, Transition, Tx};

pub(crate) struct Link;

impl Transition for Link {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (a, b) = (&tx.old_node().replication, &tx.new_node().replication);
        match (a, b) {
            (None, Some(l)) => out.live(format!(
                "replication link {} {}/{}: ifup",
                l.interface, l.address, l.prefix
            )),
            (Some(l), None) => {
                out.live(format!(
                    "replication link {} leaves the profile: its interfaces stanza goes; it stays up until 'ifdown {}'",
                    l.interface, l.interface
                ));
            }
            (Some(x), Some(y)) if !same(x, y) => out.window(
                format!(
                    "replication link {} {}/{} becomes {} {}/{}: what runs over it stops while it is brought down and up",
                    x.interface, x.address, x.prefix, y.interface, y.address, y.prefix
                ),
                vec![format!("ifdown {}", x.interface), format!("ifup {}", y.interface)],
            ),
            _ => {}
        }
    }
}
