//! A reader over toml-span's spanned value tree that collects diagnostics
//! instead of stopping: wrong types, missing keys and unknown keys (with a
//! "did you mean" hint) are all recorded, and reading goes on.

use super::diag::Diagnostic;
use super::spec::{Key, Section, Ty};
use std::ops::Range;
use toml_span::value::{Value, ValueInner};
use toml_span::Span;

/// A value with the byte range it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Sp { value, span }
    }
}

pub fn range(span: Span) -> Range<usize> {
    span.start..span.end
}

/// Collected diagnostics of one profile.
#[derive(Debug, Default)]
pub struct Diags {
    pub list: Vec<Diagnostic>,
}

impl Diags {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }
}

fn type_name(v: &ValueInner<'_>) -> &'static str {
    match v {
        ValueInner::String(_) => "a string",
        ValueInner::Integer(_) => "an integer",
        ValueInner::Float(_) => "a float",
        ValueInner::Boolean(_) => "a boolean",
        ValueInner::Array(_) => "an array",
        ValueInner::Table(_) => "a table",
    }
}

fn wrong_type(d: &mut Diags, path: &str, expected: &str, v: &ValueInner<'_>, span: Range<usize>) {
    d.push(
        Diagnostic::error("wrong-type", span, format!("`{path}` must be {expected}"))
            .label(format!("expected {expected}, found {}", type_name(v))),
    );
}

/// One TOML table being read. Keys taken are remembered; `finish` reports
/// the rest as unknown.
pub struct Table<'de> {
    /// Dotted path of this table, for messages (`nodes.fiori`).
    pub path: String,
    pub span: Range<usize>,
    entries: Vec<(String, Range<usize>, Value<'de>)>,
    expected: Vec<&'static str>,
    /// The declaration of this table's keys (`spec.rs`): every read is
    /// checked against it in debug builds.
    spec: Option<&'static Section>,
}

impl<'de> Table<'de> {
    /// Read `value` as a table; a non-table is reported and gives `None`.
    pub fn from_value(d: &mut Diags, path: &str, mut value: Value<'de>) -> Option<Self> {
        let span = range(value.span);
        match value.take() {
            ValueInner::Table(t) => {
                let mut entries: Vec<_> = t
                    .into_iter()
                    .map(|(k, v)| (k.name.into_owned(), range(k.span), v))
                    .collect();
                entries.sort_by_key(|(_, s, _)| s.start);
                Some(Table {
                    path: path.to_string(),
                    span,
                    entries,
                    expected: Vec::new(),
                    spec: None,
                })
            }
            other => {
                wrong_type(d, path, "a table", &other, span);
                None
            }
        }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else if key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            format!("{}.{key}", self.path)
        } else {
            format!("{}.\"{key}\"", self.path)
        }
    }

    /// Read this table as `spec` declares it.
    pub fn with_spec(mut self, spec: &'static Section) -> Self {
        self.spec = Some(spec);
        self
    }

    /// The declaration of `key`, which the reader reads as `what`: a key
    /// read but not declared, or read as another type, is a bug of the
    /// reader and panics in debug builds.
    fn declared(&self, key: &str, what: fn(&Ty) -> bool) -> Option<&'static Key> {
        let spec = self.spec?;
        let k = spec.key(key);
        debug_assert!(
            k.is_some_and(|k| what(&k.ty)),
            "`{}` reads `{key}` as it is not declared in spec `{}`",
            self.path,
            spec.title
        );
        k
    }

    /// Take a key's raw value (and its key span).
    pub fn take(&mut self, key: &'static str) -> Option<(Range<usize>, Value<'de>)> {
        debug_assert!(
            self.spec.map_or(true, |s| s.key(key).is_some()),
            "`{}.{key}` is not declared",
            self.path
        );
        self.expected.push(key);
        let i = self.entries.iter().position(|(k, _, _)| k == key)?;
        let (_, kspan, v) = self.entries.remove(i);
        Some((kspan, v))
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _, _)| k == key)
    }

    /// Whether a key not yet taken looks like a misspelling of `key`
    /// (`finish` will report it as unknown with "did you mean").
    pub fn has_near(&self, key: &str) -> bool {
        self.entries
            .iter()
            .any(|(k, _, _)| strsim::jaro_winkler(k, key) > 0.8)
    }

    fn missing(&self, d: &mut Diags, key: &str) {
        let what = self
            .spec
            .and_then(|s| s.key(key))
            .and_then(|k| k.example)
            .unwrap_or("...");
        // A misspelling of the key is reported by `finish` as unknown, with
        // "did you mean": saying it is missing too would be noise.
        if self.has_near(key) {
            return;
        }
        d.push(
            Diagnostic::error(
                "missing-key",
                self.span.start..self.span.start.max(self.span.end.min(self.span.start + 1)),
                format!("`{}` is required", self.child_path(key)),
            )
            .label(format!("this table has no `{key}`"))
            .help(format!("add `{key} = {what}`")),
        );
    }

    pub fn str(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<String>> {
        self.declared(key, |t| {
            matches!(t, Ty::Str(_) | Ty::Enum(_) | Ty::EnumOr(..))
        });
        let path = self.child_path(key);
        let (_, mut v) = self.take(key)?;
        let span = range(v.span);
        match v.take() {
            ValueInner::String(s) => Some(Sp::new(s.into_owned(), span)),
            other => {
                wrong_type(d, &path, "a string", &other, span);
                None
            }
        }
    }

    /// A required string (its example from the declaration).
    pub fn req_str(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<String>> {
        self.required(key);
        if !self.has(key) {
            self.expected.push(key);
            self.missing(d, key);
            return None;
        }
        self.str(d, key)
    }

    pub fn int(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<i64>> {
        self.declared(key, |t| matches!(t, Ty::Int(..)));
        let path = self.child_path(key);
        let (_, mut v) = self.take(key)?;
        let span = range(v.span);
        match v.take() {
            ValueInner::Integer(i) => Some(Sp::new(i, span)),
            other => {
                wrong_type(d, &path, "an integer", &other, span);
                None
            }
        }
    }

    /// A required integer (its example from the declaration), within the
    /// declared range.
    pub fn req_int(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<i64>> {
        self.required(key);
        if !self.has(key) {
            self.expected.push(key);
            self.missing(d, key);
            return None;
        }
        self.int_in(d, key)
    }

    /// An integer within the declared `Ty::Int(min, max)`, reported as
    /// `out-of-range` otherwise.
    pub fn int_in(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<i64>> {
        let (lo, hi) = match self
            .declared(key, |t| matches!(t, Ty::Int(..)))
            .map(|k| &k.ty)
        {
            Some(Ty::Int(lo, hi)) => (lo.unwrap_or(i64::MIN), hi.unwrap_or(i64::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        let v = self.int(d, key)?;
        check_range(d, &self.child_path(key), &v, lo, hi).then_some(v)
    }

    fn required(&self, key: &str) {
        if let Some(k) = self.declared(key, |_| true) {
            debug_assert!(k.required, "`{}.{key}` is read as required", self.path);
        }
    }

    pub fn bool(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<bool>> {
        self.declared(key, |t| matches!(t, Ty::Bool));
        let path = self.child_path(key);
        let (_, mut v) = self.take(key)?;
        let span = range(v.span);
        match v.take() {
            ValueInner::Boolean(b) => Some(Sp::new(b, span)),
            other => {
                wrong_type(d, &path, "a boolean (true or false)", &other, span);
                None
            }
        }
    }

    pub fn str_list(&mut self, d: &mut Diags, key: &'static str) -> Option<Vec<Sp<String>>> {
        self.str_list_sp(d, key).map(|l| l.value)
    }

    /// `str_list` with the span of the whole array.
    pub fn str_list_sp(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<Vec<Sp<String>>>> {
        self.declared(key, |t| matches!(t, Ty::StrList(_)));
        let path = self.child_path(key);
        let (_, mut v) = self.take(key)?;
        let span = range(v.span);
        match v.take() {
            ValueInner::Array(items) => {
                let mut out = Vec::new();
                for mut item in items {
                    let ispan = range(item.span);
                    match item.take() {
                        ValueInner::String(s) => out.push(Sp::new(s.into_owned(), ispan)),
                        other => wrong_type(d, &format!("{path}[]"), "a string", &other, ispan),
                    }
                }
                Some(Sp::new(out, span))
            }
            other => {
                wrong_type(d, &path, "an array of strings", &other, span);
                None
            }
        }
    }

    pub fn table(&mut self, d: &mut Diags, key: &'static str) -> Option<Table<'de>> {
        let spec = match self
            .declared(key, |t| matches!(t, Ty::Table(_)))
            .map(|k| &k.ty)
        {
            Some(Ty::Table(s)) => Some(*s),
            _ => None,
        };
        let path = self.child_path(key);
        let (_, v) = self.take(key)?;
        Table::from_value(d, &path, v).map(|t| Table { spec, ..t })
    }

    /// An array of tables (`exports = [{...}, {...}]`).
    pub fn table_list(&mut self, d: &mut Diags, key: &'static str) -> Vec<Table<'de>> {
        let spec = match self
            .declared(key, |t| matches!(t, Ty::Tables(_)))
            .map(|k| &k.ty)
        {
            Some(Ty::Tables(s)) => Some(*s),
            _ => None,
        };
        let path = self.child_path(key);
        let Some((_, mut v)) = self.take(key) else {
            return Vec::new();
        };
        let span = range(v.span);
        match v.take() {
            ValueInner::Array(items) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, item)| Table::from_value(d, &format!("{path}[{i}]"), item))
                .map(|t| Table { spec, ..t })
                .collect(),
            other => {
                wrong_type(d, &path, "an array of tables", &other, span);
                Vec::new()
            }
        }
    }

    /// The entries of a table whose keys are names chosen by the user and
    /// whose values are tables (`[nodes.NAME]`): (key, the entry read as
    /// a table of the declared section, or `None`, reported). Consumes
    /// the table.
    pub fn into_tables(self, d: &mut Diags) -> Vec<(Sp<String>, Option<Table<'de>>)> {
        let spec = self.each(|t| matches!(t, Ty::Table(_)));
        let spec = match spec {
            Some(Ty::Table(s)) => Some(*s),
            _ => None,
        };
        let (path, entries) = self.into_entries();
        entries
            .into_iter()
            .map(|(key, value)| {
                let t = Table::from_value(d, &format!("{path}.{}", key.value), value)
                    .map(|t| Table { spec, ..t });
                (key, t)
            })
            .collect()
    }

    /// The declared type of the entries of a table of user-chosen keys.
    fn each(&self, what: fn(&Ty) -> bool) -> Option<&'static Ty> {
        let spec = self.spec?;
        let e = spec.each.as_ref().map(|e| &e.ty);
        debug_assert!(
            e.is_some_and(what),
            "`{}` reads its entries as they are not declared in spec `{}`",
            self.path,
            spec.title
        );
        e
    }

    /// All remaining entries, as (key, key span, value): for tables whose
    /// keys are names chosen by the user (`[hosts]`). Consumes the table.
    pub fn into_entries(self) -> (String, Vec<(Sp<String>, Value<'de>)>) {
        let path = self.path;
        let entries = self
            .entries
            .into_iter()
            .map(|(k, s, v)| (Sp::new(k, s), v))
            .collect();
        (path, entries)
    }

    /// The entries of a table whose keys are chosen by the user and whose
    /// values are strings (`links = { "/pub" = "staging/pub" }`): (key,
    /// value), or (key, `None`) for a value of another type, reported as
    /// `wrong-type` with `message(key)`. Consumes the table.
    pub fn into_strings(
        self,
        d: &mut Diags,
        message: impl Fn(&str) -> String,
    ) -> Vec<(Sp<String>, Option<Sp<String>>)> {
        self.each(|t| matches!(t, Ty::Str(_)));
        self.into_typed(d, "expected a string", message, |v| match v {
            ValueInner::String(s) => Some(s.into_owned()),
            _ => None,
        })
    }

    /// `into_strings` for integer values (`[sysctl]`, `[ids.groups]`).
    pub fn into_integers(
        self,
        d: &mut Diags,
        message: impl Fn(&str) -> String,
    ) -> Vec<(Sp<String>, Option<Sp<i64>>)> {
        self.each(|t| matches!(t, Ty::Int(..)));
        self.into_typed(d, "expected an integer", message, |v| match v {
            ValueInner::Integer(i) => Some(i),
            _ => None,
        })
    }

    fn into_typed<T>(
        self,
        d: &mut Diags,
        label: &str,
        message: impl Fn(&str) -> String,
        take: impl Fn(ValueInner<'de>) -> Option<T>,
    ) -> Vec<(Sp<String>, Option<Sp<T>>)> {
        self.entries
            .into_iter()
            .map(|(key, kspan, mut value)| {
                let span = range(value.span);
                let typed = take(value.take()).map(|v| Sp::new(v, span.clone()));
                if typed.is_none() {
                    d.push(Diagnostic::error("wrong-type", span, message(&key)).label(label));
                }
                (Sp::new(key, kspan), typed)
            })
            .collect()
    }

    /// Every key that was not taken is unknown: report it, with the closest
    /// known key as a hint.
    pub fn finish(self, d: &mut Diags) {
        if let Some(spec) = self.spec {
            for k in spec.keys {
                debug_assert!(
                    self.expected.contains(&k.name),
                    "`{}.{}` is declared but never read",
                    self.path,
                    k.name
                );
            }
        }
        for (key, span, _) in &self.entries {
            let mut diag = Diagnostic::error(
                "unknown-key",
                span.clone(),
                format!(
                    "unknown key `{key}` in `{}`",
                    if self.path.is_empty() {
                        "the profile"
                    } else {
                        &self.path
                    }
                ),
            )
            .label("not a key of this section");
            let best = self
                .expected
                .iter()
                .map(|k| (strsim::jaro_winkler(k, key), *k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            diag = match best {
                Some((_, k)) => diag.help(format!("did you mean `{k}`?")),
                None => {
                    let mut keys: Vec<&str> = self.expected.clone();
                    keys.sort_unstable();
                    keys.dedup();
                    diag.help(format!("the keys of this section are: {}", keys.join(", ")))
                }
            };
            d.push(diag);
        }
    }
}

pub fn check_range(d: &mut Diags, path: &str, v: &Sp<i64>, lo: i64, hi: i64) -> bool {
    if v.value < lo || v.value > hi {
        d.push(
            Diagnostic::error(
                "out-of-range",
                v.span.clone(),
                format!("`{path}` is out of range"),
            )
            .label(format!("{} is not within {lo}..={hi}", v.value)),
        );
        false
    } else {
        true
    }
}
