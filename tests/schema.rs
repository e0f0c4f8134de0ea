//! The profile's JSON Schema and reference (`storpkg schema [--markdown]`),
//! generated from the readers' key declarations: the committed copies are
//! current, every example and fixture profile is valid against the schema,
//! the schema and `check` agree on the invalid fixtures' keys and types,
//! and each grammar's pattern accepts what the grammar accepts.
//!
//! Update the copies with `cargo run -- schema > docs/profile.schema.json`
//! and `cargo run -- schema --markdown > docs/profile.md`.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use storpkg::profile::{self, grammar, schema::ROOT, spec};
use toml_span::value::{Value, ValueInner};

fn json_of(mut v: Value<'_>) -> Json {
    match v.take() {
        ValueInner::String(s) => Json::String(s.into_owned()),
        ValueInner::Integer(i) => i.into(),
        ValueInner::Float(f) => f.into(),
        ValueInner::Boolean(b) => b.into(),
        ValueInner::Array(a) => Json::Array(a.into_iter().map(json_of).collect()),
        ValueInner::Table(t) => Json::Object(
            t.into_iter()
                .map(|(k, v)| (k.name.into_owned(), json_of(v)))
                .collect(),
        ),
    }
}

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&spec::json_schema(&ROOT)).expect("a valid draft-07 schema")
}

/// One error of the schema.
#[derive(Debug)]
struct SchemaError {
    /// About keys or types (not a value's pattern, enum or range).
    keys_or_types: bool,
    /// Keys the schema does not know.
    unexpected: Vec<String>,
    /// A required key that is missing.
    required: Option<String>,
    text: String,
}

/// The schema's errors for the profile at `p` (`None`: not TOML).
fn schema_errors(v: &jsonschema::Validator, p: &Path) -> Option<Vec<SchemaError>> {
    let text = std::fs::read_to_string(p).ok()?;
    let json = json_of(toml_span::parse(&text).ok()?);
    Some(
        v.iter_errors(&json)
            .map(|e| SchemaError {
                keys_or_types: about_keys_or_types(&e.kind),
                unexpected: match &e.kind {
                    ValidationErrorKind::AdditionalProperties { unexpected } => unexpected.clone(),
                    _ => Vec::new(),
                },
                required: match &e.kind {
                    ValidationErrorKind::Required { property } => {
                        property.as_str().map(str::to_string)
                    }
                    _ => None,
                },
                text: format!("{}: {e}", e.instance_path),
            })
            .collect(),
    )
}

#[test]
fn committed_schema_and_reference_are_current() {
    for (file, text, how) in [
        (
            "docs/profile.schema.json",
            spec::json_schema_text(&ROOT),
            "storpkg schema",
        ),
        (
            "docs/profile.md",
            spec::markdown(&ROOT),
            "storpkg schema --markdown",
        ),
    ] {
        let committed = std::fs::read_to_string(file).unwrap_or_default();
        assert!(
            committed == text,
            "{file} is stale: run `cargo run -- {} > {file}`",
            how.trim_start_matches("storpkg ")
        );
    }
}

#[test]
fn the_schema_is_valid_draft_07() {
    let schema = spec::json_schema(&ROOT);
    assert!(jsonschema::draft7::meta::is_valid(&schema));
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
}

#[test]
fn example_profiles_name_the_schema() {
    for p in toml_files("profiles") {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("#:schema ../docs/profile.schema.json\n"),
            "{} does not begin with `#:schema ../docs/profile.schema.json`",
            p.display()
        );
    }
}

#[test]
fn every_valid_profile_is_valid_against_the_schema() {
    let v = validator();
    let mut files = toml_files("profiles");
    files.extend(toml_files("tests/fixtures"));
    files.extend(toml_files("tests/vm"));
    for p in files {
        let checked = profile::load(&p).unwrap();
        assert_eq!(checked.errors(), 0, "{} fails check", p.display());
        let errors = schema_errors(&v, &p).unwrap();
        let texts: Vec<&str> = errors.iter().map(|e| e.text.as_str()).collect();
        assert!(texts.is_empty(), "{}: {texts:#?}", p.display());
    }
}

/// A schema error about keys or types (not a value's pattern, enum or range).
fn about_keys_or_types(k: &ValidationErrorKind) -> bool {
    matches!(
        k,
        ValidationErrorKind::AdditionalProperties { .. }
            | ValidationErrorKind::Type { .. }
            | ValidationErrorKind::Required { .. }
            | ValidationErrorKind::FalseSchema
    )
}

/// For every invalid fixture: each unknown key `check` reports is one the
/// schema does not know, and the reverse; each required key `check` misses
/// the schema misses, and the reverse; `check` reports a wrong type where
/// the schema does; whatever the schema refuses, `check` refuses.
#[test]
fn check_and_the_schema_agree_on_keys_and_types() {
    let v = validator();
    let mut compared = 0;
    for p in toml_files("tests/fixtures/invalid") {
        let Ok(checked) = profile::load(&p) else {
            continue;
        };
        let Some(errors) = schema_errors(&v, &p) else {
            continue; // not TOML (toml-syntax, not-utf8)
        };
        let name = p.display();
        let quoted = |m: &str| m.split('`').nth(1).map(str::to_string);
        for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
            match d.code {
                "unknown-key" => {
                    let k = quoted(&d.message).unwrap();
                    assert!(
                        errors.iter().any(|e| e.unexpected.contains(&k)),
                        "{name}: check refuses key `{k}`, the schema takes it: {errors:?}"
                    );
                }
                // `missing-key` of Table::missing ("`PATH.KEY` is required");
                // a volume without a mountpoint depends on its kind: beyond
                // the schema.
                "missing-key" if d.message.ends_with("is required") => {
                    let path = quoted(&d.message).unwrap();
                    let k = path.rsplit('.').next().unwrap().to_string();
                    assert!(
                        errors.iter().any(|e| e.required.as_ref() == Some(&k)),
                        "{name}: check misses `{path}`, the schema does not: {errors:?}"
                    );
                }
                "wrong-type" => assert!(
                    errors
                        .iter()
                        .any(|e| e.keys_or_types && e.unexpected.is_empty()),
                    "{name}: check refuses a type the schema takes: {}",
                    d.message
                ),
                _ => {}
            }
        }
        let says = |code: &str, what: &str| {
            checked.diagnostics.iter().any(|d| {
                d.code == code
                    && (d.message.contains(&format!("`{what}`"))
                        || d.message.contains(&format!(".{what}`"))
                        || d.message.contains(&format!("`[{what}]`")))
            })
        };
        for e in &errors {
            for k in &e.unexpected {
                assert!(
                    says("unknown-key", k),
                    "{name}: the schema refuses key `{k}`, check takes it"
                );
            }
            if let Some(k) = &e.required {
                // check says a misspelt key is unknown, not the key missing.
                let misspelt = checked.diagnostics.iter().any(|d| {
                    d.code == "unknown-key"
                        && d.help.as_deref() == Some(&format!("did you mean `{k}`?"))
                });
                assert!(
                    says("missing-key", k) || says("missing-signing", k) || misspelt,
                    "{name}: the schema misses `{k}`, check does not"
                );
            }
        }
        if !errors.is_empty() {
            assert!(checked.errors() > 0, "{name}: {errors:?}");
        }
        compared += 1;
    }
    assert!(compared > 30);
}

fn matches(pattern: &str, s: &str) -> bool {
    jsonschema::draft7::is_valid(&serde_json::json!({ "pattern": pattern }), &s.into())
}

/// Every pattern is a necessary condition of its grammar: what the grammar
/// takes, the pattern matches (an editor never flags a value check takes).
#[test]
fn patterns_accept_what_the_grammars_accept() {
    type Grammar = fn(&str) -> bool;
    let cases: &[(&str, Grammar)] = &[
        (grammar::re::NAME, |s| grammar::name(s).is_ok()),
        (grammar::re::ACCOUNT, |s| grammar::account(s).is_ok()),
        (grammar::re::DOMAIN, |s| grammar::domain(s).is_ok()),
        (grammar::re::VERSION, |s| grammar::version(s).is_ok()),
        (grammar::re::MAINTAINER, |s| grammar::maintainer(s).is_ok()),
        (grammar::re::PATH, |s| grammar::path(s).is_ok()),
        (grammar::re::RELATIVE_PATH, |s| {
            grammar::relative_path(s).is_ok()
        }),
        (grammar::re::IP, |s| grammar::ip(s).is_ok()),
        (grammar::re::IP_PREFIX, |s| {
            grammar::ip_with_prefix(s).is_ok()
        }),
        (grammar::re::SIZE, |s| grammar::size(s).is_ok()),
        (grammar::re::OPTION, |s| {
            grammar::mount_option(s).is_ok() || grammar::export_option(s).is_ok()
        }),
        (grammar::re::CLUSTER, |s| grammar::cluster_name(s).is_ok()),
        (grammar::re::SYSCTL, |s| grammar::sysctl_key(s).is_ok()),
        (grammar::re::SSH_KEY, |s| grammar::ssh_public_key(s).is_ok()),
        (grammar::re::INTERFACE, |s| grammar::interface(s).is_ok()),
        (grammar::re::SHARE_DIR, |s| grammar::share_dir(s).is_ok()),
    ];
    let corpus = [
        "", "a", "a-", "-a", "fiori", "rep-drbd0", "0", "9x", "pasta.net", "a.b.c", "a..b",
        "Fiori", "_x", "x_y", "1.0", "1.2~rc1", "1:2", "1.0-1", "Site Admins <root@example.org>",
        "A B <a.b+c@x.y>", "/", "/vol", "/vol/home", "/a/../b", "/a/./b", "/a.b/c_d+e-f",
        "/-a", "staging/pub", "a/b", "192.168.1.6", "::1", "fe80::1", "10.11.12.6/24",
        "2001:db8::1/64", "1.2.3.4/33", "200G", "3.64T", "1", "1.", ".5", "10k", "noatime",
        "nfsvers=3", "rw", "anonuid=1000", "sec=krb5:krb5i", "ocfs2", "abcdefghijklmnopq",
        "vm.min_free_kbytes", "net.ipv4.conf.all.rp_filter", "eth1", "enp2s0", "br0.100",
        "lo", "pub", "pub/x", "pub//x", "x y", "$(x)", "a;b", "\u{1b}",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm1vZ2gxbzJkYWNzMWZzZGZzZGZzZGZzZGZzZGZzZGZzZGZzZGZz root@fiori",
    ];
    for (pattern, accepts) in cases {
        for s in corpus {
            if accepts(s) {
                assert!(
                    matches(pattern, s),
                    "`{s}` passes its grammar but not `{pattern}`"
                );
            }
        }
    }
    // Each pattern is named for the reference.
    for (pattern, _) in cases {
        assert!(grammar::re::ALL.iter().any(|(p, _)| p == pattern));
    }
}
