//! The system layer's transitions ([`crate::plan::change`]): sysctl,
//! resolver, hosts and the mail relay, all applied live by the postinst.

use crate::plan::change::{same, Out, Transition, Tx};

pub(crate) struct System;

impl Transition for System {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let (a, b) = (tx.old, tx.new);
        if !same(&a.sysctl, &b.sysctl) {
            out.live("sysctl settings (systemd-sysctl on the new file)");
        }
        if !same(&a.resolver, &b.resolver) {
            out.live("resolver (resolv.conf, unbound restarted)");
        }
        let names = |s: &crate::model::Site| {
            s.nodes
                .iter()
                .map(|n| (n.name.clone(), n.address))
                .collect::<Vec<_>>()
        };
        if !same(&a.hosts, &b.hosts) || names(a) != names(b) || a.domain != b.domain {
            out.live("/etc/hosts block");
        }
        if a.mail_relay != b.mail_relay {
            out.live("mail relay (postfix reloaded)");
        }
    }
}
