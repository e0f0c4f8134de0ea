//! Rendering: the built-in tera templates of `debian-templates/`, compiled
//! into the binary, each fed by one small `Serialize` context struct from
//! [`context`].
//!
//! Invariants: no I/O; autoescaping off (nothing here is HTML); a variable
//! missing from a context is an error (tera's default), never an empty
//! string; every value that reaches a shell script goes through the one
//! [`shell_quote`] filter. A template error is a storpkg bug, not a user
//! error.

pub mod context;

use serde::Serialize;
use std::collections::HashMap;
use tera::{Tera, Value};

/// A template failed to render (a bug in storpkg or in a site override).
#[derive(Debug, thiserror::Error)]
#[error("template `{name}` failed: {message}")]
pub struct RenderError {
    pub name: String,
    pub message: String,
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// Every built-in template: (name, source).
        pub const TEMPLATES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../debian-templates/", $name))),)*
        ];
    };
}

templates!(
    "scripts/lib.sh",
    "scripts/common.preinst",
    "scripts/common.prerm",
    "scripts/common.postrm",
    "scripts/node.postinst",
    "ids/preinst",
    "ids/postrm",
    "boot/storage.target",
    "boot/converge.service",
    "boot/converge-retry.service",
    "boot/converge-retry.timer",
    "boot/README.Debian",
    "volumes/fstab",
    "drbd/drbd.res",
    "drbd/verify.service",
    "drbd/verify.timer",
    "drbd/metrics.service",
    "drbd/metrics.timer",
    "ocfs2/cluster.conf",
    "ocfs2/postinst-functions",
    "ocfs2/postinst-configure",
    "ocfs2/postrm-top",
    "ocfs2/postrm-purge",
    "shares/exports",
    "shares/nfs.conf",
    "shares/libvirtd-mounts.conf",
    "shares/postinst-live",
    "unison/unison.prf",
    "unison/unison.logrotate",
    "unison/authorized_keys",
    "unison/known_hosts",
    "unison/unison.service",
    "unison/unison.timer",
    "unison/postinst-vars",
    "unison/postinst-functions",
    "unison/postinst-configure",
    "system/sysctl.conf",
    "system/unbound.conf",
    "system/resolv.conf",
    "system/hosts",
    "system/postinst-vars",
    "system/postinst-configure",
    "system/postinst-live",
    "system/postrm-purge",
    "link/interfaces",
    "link/postinst-vars",
    "link/postinst-configure",
    "link/postinst-live",
    "apt/site.sources",
    "apt/debian.sources",
    "apt/postinst-configure",
    "nis/yp.conf",
    "nis/map",
    "nis/postinst",
    "nis/rebuild.sh",
    "nis/postinst-live",
    "client/auto.master",
    "client/postinst",
);

/// Quote a value for POSIX sh: always single quotes, `'` as `'\''`.
/// The one way a value enters a shell script.
pub fn shell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

fn shell_quote_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let s = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => {
            return Err(tera::Error::msg(format!(
                "shell_quote: cannot quote {other}"
            )))
        }
    };
    Ok(Value::String(shell_quote(&s)))
}

/// A double-quoted string for drbd.conf: refuses what it cannot carry.
fn drbd_string_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let s = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("drbd_string: not a string"))?;
    if s.contains(['"', '\\', '\n']) {
        return Err(tera::Error::msg(format!("drbd_string: cannot quote {s:?}")));
    }
    Ok(Value::String(format!("\"{s}\"")))
}

/// Shell templates: every `{{ }}` in them must end in `| shell_quote`.
/// Those are the maintainer scripts, their fragments (`LAYER/postinst-*`,
/// `LAYER/postrm-*`, `LAYER/preinst`, …) and the shell files they include.
pub fn is_shell_template(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("scripts/")
        || file.ends_with(".sh")
        || ["preinst", "postinst", "prerm", "postrm"]
            .iter()
            .any(|m| file.starts_with(m))
}

/// Why a site override named `name` is refused, or `None`: an override
/// must replace a built-in template that is not a maintainer script or a
/// fragment of one (those run as root on every install and upgrade); the
/// node-side command's parts are no templates at all.
pub fn override_refusal(name: &str) -> Option<String> {
    let file = name.rsplit('/').next().unwrap_or(name);
    if crate::layers::command::PARTS
        .iter()
        .any(|(p, _)| *p == name)
        || file == "command.sh"
        || file.starts_with("command-")
    {
        return Some(format!(
            "`{}` would be a part of the node-side command, which is static and never a template: no site file can replace it",
            crate::profile::diag::quoted(name)
        ));
    }
    if is_shell_template(name) {
        return Some(format!(
            "`{}` is a maintainer script or a fragment of one: site overrides of maintainer scripts are refused (they run as root on every install)",
            crate::profile::diag::quoted(name)
        ));
    }
    if !TEMPLATES.iter().any(|(n, _)| *n == name) {
        return Some(format!(
            "`{}` names no built-in template (see debian-templates/)",
            crate::profile::diag::quoted(name)
        ));
    }
    None
}

/// Checks that every `{{ expression }}` of a shell template goes through
/// `shell_quote`; returns the first offending line and expression.
pub fn check_shell_quoting(src: &str) -> Result<usize, String> {
    let mut checked = 0;
    for (i, line) in src.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else {
                return Err(format!("line {}: unclosed {{{{", i + 1));
            };
            let end = start + len;
            let expr = rest[start + 2..end].trim();
            if !expr.ends_with("| shell_quote") {
                return Err(format!("line {}: `{expr}` is not shell_quote'd", i + 1));
            }
            checked += 1;
            rest = &rest[end + 2..];
        }
    }
    Ok(checked)
}

pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    /// The built-in templates.
    pub fn new() -> Result<Self, RenderError> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .map_err(|e| RenderError {
                name: "(built-in)".into(),
                message: chain(&e),
            })?;
        tera.register_filter("shell_quote", shell_quote_filter);
        tera.register_filter("drbd_string", drbd_string_filter);
        Ok(Renderer { tera })
    }

    /// The built-in templates, with the site's overrides (template name →
    /// source, read by the caller from the profile's `site.templates`
    /// directory) in their place. An override must name a built-in
    /// template that is no shell template ([`override_refusal`]).
    pub fn with_overrides(
        overrides: &std::collections::BTreeMap<String, String>,
    ) -> Result<Self, RenderError> {
        let mut r = Renderer::new()?;
        for (name, src) in overrides {
            let err = |message: String| RenderError {
                name: name.clone(),
                message,
            };
            if let Some(why) = override_refusal(name) {
                return Err(err(why));
            }
            r.tera
                .add_raw_template(name, src)
                .map_err(|e| err(chain(&e)))?;
        }
        Ok(r)
    }

    pub fn render<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String, RenderError> {
        let context = tera::Context::from_serialize(ctx).map_err(|e| RenderError {
            name: name.into(),
            message: chain(&e),
        })?;
        self.tera.render(name, &context).map_err(|e| RenderError {
            name: name.into(),
            message: chain(&e),
        })
    }
}

fn chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_everything() {
        assert_eq!(shell_quote("fiori"), "'fiori'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a'b"), "'a'\\''b'");
        assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    }

    /// Every `{{ }}` of a shell template goes through shell_quote, even in
    /// comments.
    #[test]
    fn shell_templates_quote_every_value() {
        let mut checked = 0;
        for (name, src) in TEMPLATES.iter().filter(|(n, _)| is_shell_template(n)) {
            checked += check_shell_quoting(src).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn overrides_replace_built_ins_and_are_checked() {
        let mut o = std::collections::BTreeMap::new();
        o.insert(
            "system/sysctl.conf".to_string(),
            "# site's own\n".to_string(),
        );
        assert!(Renderer::with_overrides(&o).is_ok());
        o.insert("node/nope".to_string(), "x".to_string());
        assert!(Renderer::with_overrides(&o).is_err());
        o.remove("node/nope");
        o.insert(
            "scripts/node.postinst".to_string(),
            "#!/bin/sh\necho {{ node | shell_quote }}\n".to_string(),
        );
        let e = Renderer::with_overrides(&o).err().unwrap();
        assert!(e.message.contains("maintainer script"), "{e}");
        o.remove("scripts/node.postinst");
        o.insert("drbd/command.sh".to_string(), "#!/bin/sh\n".to_string());
        let e = Renderer::with_overrides(&o).err().unwrap();
        assert!(e.message.contains("node-side command"), "{e}");
    }

    #[test]
    fn undefined_variable_is_an_error() {
        let mut tera = Tera::default();
        tera.add_raw_template("t", "{{ nope }}").unwrap();
        assert!(tera.render("t", &tera::Context::new()).is_err());
    }
}
