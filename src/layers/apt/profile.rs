//! `[apt]`: the Debian mirrors the nodes' apt sources name.

use crate::model::Apt;
use crate::profile::cx::{printable, Cx};
use crate::profile::diag::Diagnostic;
use crate::profile::grammar;
use crate::profile::grammar::re;
use crate::profile::read::{Sp, Table};
use crate::profile::spec::{key, section, Section, Ty};
use std::net::IpAddr;

fn url(cx: &mut Cx, v: Option<Sp<String>>, what: &str) -> Option<String> {
    let v = v?;
    // http://ADDRESS[:PORT]/path: the install server by number.
    let ok = v.value.strip_prefix("http://").and_then(|rest| {
        let (hostport, path) = rest
            .split_once('/')
            .map(|(h, p)| (h, format!("/{p}")))
            .unwrap_or((rest, String::new()));
        let host = if let Some(h) = hostport.strip_prefix('[') {
            h.split_once(']')
                .map(|(h, port)| (h.to_string(), port.strip_prefix(':').map(str::to_string)))
        } else {
            Some(match hostport.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p.to_string())),
                None => (hostport.to_string(), None),
            })
        }?;
        let port_ok = host
            .1
            .as_deref()
            .map_or(true, |p| p.parse::<u16>().is_ok_and(|p| p > 0));
        let path_ok = path.is_empty() || grammar::path(&path).is_ok();
        (host.0.parse::<IpAddr>().is_ok() && port_ok && path_ok).then_some(())
    });
    if ok.is_none() {
        cx.d.push(
            Diagnostic::error(
                "bad-value",
                v.span.clone(),
                format!("invalid {what} `{}`", printable(&v.value)),
            )
            .label("expected `http://ADDRESS[:PORT]/path`")
            .help("name the install server by IP address, as the how-to does for apt sources"),
        );
        return None;
    }
    Some(v.value)
}

pub(crate) fn apt(cx: &mut Cx, t: Option<Table>) -> Apt {
    let mut apt = Apt {
        mirror: None,
        security_mirror: None,
    };
    if let Some(mut t) = t {
        let m = t.str(&mut cx.d, "mirror");
        let s = t.str(&mut cx.d, "security_mirror");
        t.finish(&mut cx.d);
        if let (None, Some(s)) = (&m, &s) {
            cx.d.push(
                Diagnostic::warning(
                    "unused-key",
                    s.span.clone(),
                    "`apt.security_mirror` has no effect without `apt.mirror`",
                )
                .label("ignored: the nodes keep the installer's Debian sources")
                .help("add `mirror = \"http://ADDRESS/debian\"`, or remove this key"),
            );
        }
        apt.mirror = url(cx, m, "mirror URL");
        apt.security_mirror = url(cx, s, "security mirror URL");
    }
    apt
}

pub(crate) static SPEC: Section = section(
    "apt",
    "The Debian mirrors of the nodes' apt sources, through the install server.",
    &[
        key("mirror", Ty::Str(Some(re::URL)), "Debian's mirror, `http://ADDRESS[:PORT]/path`"),
        key("security_mirror", Ty::Str(Some(re::URL)), "the security mirror, `http://ADDRESS[:PORT]/path` (without `mirror`: no effect, warning `unused-key`)"),
    ],
);
