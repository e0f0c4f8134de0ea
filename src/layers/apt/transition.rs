//! The apt layer's transitions ([`crate::plan::change`]): sources are files.

use crate::plan::change::{same, Out, Transition, Tx};

pub(crate) struct Apt;

impl Transition for Apt {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        if !same(&tx.old.apt, &tx.new.apt)
            || tx.old.repository.url != tx.new.repository.url
            || tx.old.install_server != tx.new.install_server
        {
            out.live("apt sources (the next apt-get update reads them)");
        }
    }
}
