//! The profile's keys, declared once: each layer's `profile.rs` holds the
//! [`Section`] of what it reads (key, type, range, enum, pattern, default,
//! description). The reader ([`super::read::Table`]) takes its ranges,
//! required keys and examples from it and, in debug builds (every test),
//! panics when a reader asks for a key its section does not declare, with
//! another type, or leaves a declared key unread: the declarations cannot
//! drift from what `check` reads. `storpkg schema` (JSON Schema, draft-07)
//! and `storpkg reference` (docs/profile.md) are written from the same
//! declarations.

use std::fmt::Write as _;

/// The type of a key's value.
#[derive(Debug)]
pub enum Ty {
    /// A string; `pattern` is a necessary condition of its grammar (a
    /// regular expression every value the grammar accepts matches).
    Str(Option<&'static str>),
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// One of these strings, or a string matching the pattern.
    EnumOr(&'static [&'static str], &'static str),
    /// An integer within `min..=max`.
    Int(Option<i64>, Option<i64>),
    Bool,
    /// An array of strings, each matching the pattern.
    StrList(Option<&'static str>),
    /// A table of its own keys (and of user-chosen keys, `Section::each`).
    Table(&'static Section),
    /// An array of tables.
    Tables(&'static Section),
}

/// One key of a section.
#[derive(Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default as a TOML value (`"vg0"`, `120`, `true`), when it is a
    /// constant; a default computed from other keys is in `doc`.
    pub default: Option<&'static str>,
    /// A value shown in `add KEY = EXAMPLE` for a missing required key.
    pub example: Option<&'static str>,
    pub doc: &'static str,
}

/// A key, optional, without a constant default.
pub const fn key(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key {
        name,
        ty,
        required: false,
        default: None,
        example: None,
        doc,
    }
}

impl Key {
    /// Required, with the example its `missing-key` help shows.
    pub const fn req(self, example: &'static str) -> Key {
        Key {
            required: true,
            example: Some(example),
            ..self
        }
    }
    /// With a constant default (a TOML value).
    pub const fn def(self, default: &'static str) -> Key {
        Key {
            default: Some(default),
            ..self
        }
    }
}

/// A TOML table: its fixed keys and, for tables whose keys the user
/// chooses (`[nodes.NAME]`, `[sysctl]`), the type of each entry.
#[derive(Debug)]
pub struct Section {
    /// How the reference names it (`nodes.NAME`).
    pub title: &'static str,
    pub doc: &'static str,
    pub keys: &'static [Key],
    pub each: Option<Each>,
}

/// The entries of a table whose keys are chosen by the user.
#[derive(Debug)]
pub struct Each {
    /// A necessary condition of the key's grammar.
    pub key_pattern: Option<&'static str>,
    pub ty: Ty,
}

impl Section {
    pub fn key(&self, name: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.name == name)
    }
}

/// The keys of one section, nothing chosen by the user.
pub const fn section(title: &'static str, doc: &'static str, keys: &'static [Key]) -> Section {
    Section {
        title,
        doc,
        keys,
        each: None,
    }
}

/// A table of user-chosen keys, each of type `ty`.
pub const fn map(
    title: &'static str,
    doc: &'static str,
    key_pattern: Option<&'static str>,
    ty: Ty,
) -> Section {
    Section {
        title,
        doc,
        keys: &[],
        each: Some(Each { key_pattern, ty }),
    }
}

// ---- JSON Schema ------------------------------------------------------

/// The JSON Schema (draft-07, the dialect taplo / Even Better TOML read)
/// of a profile whose root section is `root`. Keys are sorted (serde_json's
/// map), so the text is deterministic.
pub fn json_schema(root: &Section) -> serde_json::Value {
    let mut v = table_schema(root);
    let o = v.as_object_mut().expect("an object");
    o.insert(
        "$schema".into(),
        "http://json-schema.org/draft-07/schema#".into(),
    );
    o.insert("title".into(), "storpkg site profile".into());
    v
}

/// The schema as `storpkg schema` prints it: pretty, with a final newline.
pub fn json_schema_text(root: &Section) -> String {
    let mut s = serde_json::to_string_pretty(&json_schema(root)).expect("serialisable");
    s.push('\n');
    s
}

fn table_schema(s: &Section) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut props = Map::new();
    for k in s.keys {
        props.insert(k.name.into(), key_schema(k));
    }
    let required: Vec<&str> = s
        .keys
        .iter()
        .filter(|k| k.required)
        .map(|k| k.name)
        .collect();
    let mut o = Map::new();
    o.insert("type".into(), json!("object"));
    o.insert("description".into(), json!(s.doc));
    if !props.is_empty() {
        o.insert("properties".into(), Value::Object(props));
    }
    if !required.is_empty() {
        o.insert("required".into(), json!(required));
    }
    match &s.each {
        None => {
            o.insert("additionalProperties".into(), json!(false));
        }
        Some(e) => {
            o.insert("additionalProperties".into(), ty_schema(&e.ty));
            if let Some(p) = e.key_pattern {
                o.insert("propertyNames".into(), json!({ "pattern": p }));
            }
        }
    }
    Value::Object(o)
}

fn key_schema(k: &Key) -> serde_json::Value {
    let mut v = ty_schema(&k.ty);
    let o = v.as_object_mut().expect("an object");
    if !o.contains_key("description") || !k.doc.is_empty() {
        o.insert("description".into(), k.doc.into());
    }
    if let Some(d) = k.default {
        o.insert("default".into(), toml_literal(d));
    }
    v
}

fn ty_schema(t: &Ty) -> serde_json::Value {
    use serde_json::json;
    let string = |p: &Option<&str>| match p {
        Some(p) => json!({ "type": "string", "pattern": p }),
        None => json!({ "type": "string" }),
    };
    match t {
        Ty::Str(p) => string(p),
        Ty::Enum(e) => json!({ "type": "string", "enum": e }),
        Ty::EnumOr(e, p) => json!({
            "type": "string",
            "anyOf": [{ "enum": e }, { "pattern": p }],
        }),
        Ty::Int(lo, hi) => {
            let mut v = json!({ "type": "integer" });
            if let Some(lo) = lo {
                v["minimum"] = json!(lo);
            }
            if let Some(hi) = hi {
                v["maximum"] = json!(hi);
            }
            v
        }
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::StrList(p) => json!({ "type": "array", "items": string(p) }),
        Ty::Table(s) => table_schema(s),
        Ty::Tables(s) => json!({ "type": "array", "items": table_schema(s) }),
    }
}

/// A default written as a TOML value, as JSON.
fn toml_literal(d: &str) -> serde_json::Value {
    if let Ok(i) = d.parse::<i64>() {
        return i.into();
    }
    match d {
        "true" => return true.into(),
        "false" => return false.into(),
        _ => {}
    }
    if let Some(s) = d.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return s.into();
    }
    if let Some(items) = d.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return items
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(toml_literal)
            .collect::<Vec<_>>()
            .into();
    }
    panic!("default `{d}` is not a TOML integer, boolean, string or array of them")
}

// ---- The reference (Markdown) -----------------------------------------

/// docs/profile.md: one heading per table, one row per key.
pub fn markdown(root: &Section) -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated by `storpkg schema --markdown` from the profile readers' key declarations\n     \
         (src/profile/spec.rs, src/layers/*/profile.rs); tests/schema.rs fails when it is stale. -->\n\n",
    );
    out.push_str("# The site profile: every key\n\n");
    out.push_str(root.doc);
    out.push_str(
        "\n\nRequired keys are marked **required**; a default in brackets is what an absent \
         key means (`storpkg check --verbose` prints every resolved value). Editors that \
         read JSON Schema (taplo, Even Better TOML) complete and check these keys with \
         `docs/profile.schema.json` (`storpkg schema`): the example profiles name it in \
         their first line, `#:schema ../docs/profile.schema.json`.\n",
    );
    for k in root.keys {
        walk(&mut out, k.name, &k.ty, k.doc);
    }
    out
}

fn walk(out: &mut String, path: &str, ty: &Ty, doc: &str) {
    let (s, array) = match ty {
        Ty::Table(s) => (*s, false),
        Ty::Tables(s) => (*s, true),
        _ => return,
    };
    if !s.keys.is_empty() || s.each.as_ref().is_some_and(|e| !is_table(&e.ty)) {
        let title = if array {
            format!("[[{path}]]")
        } else {
            format!("[{path}]")
        };
        let _ = write!(
            out,
            "\n## `{title}`\n\n{}\n",
            if s.doc.is_empty() { doc } else { s.doc }
        );
        if let Some(e) = &s.each {
            if !is_table(&e.ty) {
                let _ = writeln!(
                    out,
                    "\nEach entry: a key{} = {}.",
                    e.key_pattern
                        .map(|p| format!(" ({})", pattern_text(p)))
                        .unwrap_or_default(),
                    ty_text(&e.ty),
                );
            }
        }
        if !s.keys.is_empty() {
            out.push_str("\n| key | type | default | meaning |\n|---|---|---|---|\n");
            for k in s.keys {
                let default = match (k.required, k.default) {
                    (true, _) => "**required**".to_string(),
                    (false, Some(d)) => format!("`{d}`"),
                    (false, None) => String::new(),
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    k.name,
                    ty_text(&k.ty),
                    default,
                    k.doc.replace('|', "\\|")
                );
            }
        }
    }
    for k in s.keys {
        walk(out, &format!("{path}.{}", k.name), &k.ty, k.doc);
    }
    if let Some(e) = &s.each {
        let name = path.rsplit('.').next().unwrap_or(path);
        let each = if name == "users" { "USER" } else { "NAME" };
        walk(out, &format!("{path}.{each}"), &e.ty, s.doc);
    }
}

fn is_table(t: &Ty) -> bool {
    matches!(t, Ty::Table(_) | Ty::Tables(_))
}

/// The reference's words for a pattern of `grammar::re`.
fn pattern_text(p: &str) -> String {
    super::grammar::re::ALL
        .iter()
        .find(|(re, _)| *re == p)
        .map_or_else(
            || format!("matching `{}`", p.replace('|', "\\|")),
            |(_, w)| w.to_string(),
        )
}

fn ty_text(t: &Ty) -> String {
    let quote = |e: &[&str]| {
        e.iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match t {
        Ty::Str(None) => "string".into(),
        Ty::Str(Some(p)) => format!("string: {}", pattern_text(p)),
        Ty::Enum(e) => format!("one of {}", quote(e)),
        Ty::EnumOr(e, p) => format!("one of {} or {}", quote(e), pattern_text(p)),
        Ty::Int(lo, hi) => match (lo, hi) {
            (Some(lo), Some(hi)) => format!("integer {lo}–{hi}"),
            (Some(lo), None) => format!("integer ≥ {lo}"),
            (None, Some(hi)) => format!("integer ≤ {hi}"),
            (None, None) => "integer".into(),
        },
        Ty::Bool => "boolean".into(),
        Ty::StrList(None) => "array of strings".into(),
        Ty::StrList(Some(p)) => format!("array of strings: {}", pattern_text(p)),
        Ty::Table(s) => format!("table (`[{}]`)", s.title),
        Ty::Tables(s) => format!("array of tables (`[[{}]]`)", s.title),
    }
}
