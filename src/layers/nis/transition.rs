//! The NIS binding's transitions on a node ([`crate::plan::change`]):
//! yp.conf, ypbind restarted live. (The maps are the NIS package's.)

use crate::plan::change::{Out, Transition, Tx};

pub(crate) struct Nis;

impl Transition for Nis {
    fn changes(&self, tx: &Tx, out: &mut Out) {
        let bind = |s: &crate::model::Site| {
            s.nis
                .as_ref()
                .map(|n| (n.domain.clone(), n.node_binding.clone(), n.servers.clone()))
        };
        if bind(tx.old) != bind(tx.new) {
            out.live("yp.conf binding (ypbind restarted)");
        }
        if let (Some(a), Some(b)) = (&tx.old.nis, &tx.new.nis) {
            if !crate::plan::change::same(&a.maps, &b.maps)
                || a.automount_options != b.automount_options
            {
                out.live("NIS automount maps (rebuilt by the NIS package on its server: 'make -C /var/yp')");
            }
        }
    }
}
