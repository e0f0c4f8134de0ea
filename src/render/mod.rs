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
    "scripts/ids.preinst",
    "scripts/ids.postrm",
    "scripts/common.preinst",
    "scripts/common.prerm",
    "scripts/common.postrm",
    "scripts/nis-rebuild.sh",
    "scripts/node.postinst",
    "scripts/client.postinst",
    "scripts/nis.postinst",
    "node/drbd.res",
    "node/cluster.conf",
    "node/fstab",
    "node/hosts",
    "node/exports",
    "node/nfs.conf",
    "node/sysctl.conf",
    "node/unbound.conf",
    "node/resolv.conf",
    "node/site.sources",
    "node/debian.sources",
    "node/yp.conf",
    "node/interfaces",
    "node/unison.prf",
    "node/unison.logrotate",
    "node/authorized_keys",
    "node/known_hosts",
    "converge/converge.service",
    "converge/converge-retry.service",
    "converge/converge-retry.timer",
    "node/README.Debian",
    "systemd/storage.target",
    "systemd/unison.service",
    "systemd/unison.timer",
    "systemd/libvirtd-mounts.conf",
    "client/auto.master",
    "nis/map",
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
pub fn is_shell_template(name: &str) -> bool {
    name.starts_with("scripts/")
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
    /// template, and a shell template must quote every value.
    pub fn with_overrides(
        overrides: &std::collections::BTreeMap<String, String>,
    ) -> Result<Self, RenderError> {
        let mut r = Renderer::new()?;
        for (name, src) in overrides {
            let err = |message: String| RenderError {
                name: name.clone(),
                message,
            };
            if !TEMPLATES.iter().any(|(n, _)| n == name) {
                return Err(err(
                    "a site override must replace a built-in template (see debian-templates/)"
                        .into(),
                ));
            }
            if is_shell_template(name) {
                check_shell_quoting(src).map_err(|m| {
                    err(format!(
                        "{m}: every value in a shell template must pass `| shell_quote`"
                    ))
                })?;
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
        o.insert("node/sysctl.conf".to_string(), "# site's own\n".to_string());
        assert!(Renderer::with_overrides(&o).is_ok());
        o.insert("node/nope".to_string(), "x".to_string());
        assert!(Renderer::with_overrides(&o).is_err());
        o.remove("node/nope");
        o.insert(
            "scripts/node.postinst".to_string(),
            "#!/bin/sh\necho {{ node }}\n".to_string(),
        );
        let e = Renderer::with_overrides(&o).err().unwrap();
        assert!(e.message.contains("not shell_quote'd"), "{e}");
    }

    #[test]
    fn undefined_variable_is_an_error() {
        let mut tera = Tera::default();
        tera.add_raw_template("t", "{{ nope }}").unwrap();
        assert!(tera.render("t", &tera::Context::new()).is_err());
    }
}
