//! A reader over toml-span's spanned value tree that collects diagnostics
//! instead of stopping: wrong types, missing keys and unknown keys (with a
//! "did you mean" hint) are all recorded, and reading goes on.

use super::diag::Diagnostic;
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

    /// Take a key's raw value (and its key span).
    pub fn take(&mut self, key: &'static str) -> Option<(Range<usize>, Value<'de>)> {
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

    fn missing(&self, d: &mut Diags, key: &str, what: &str) {
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

    pub fn req_str(
        &mut self,
        d: &mut Diags,
        key: &'static str,
        example: &str,
    ) -> Option<Sp<String>> {
        if !self.has(key) {
            self.expected.push(key);
            self.missing(d, key, example);
            return None;
        }
        self.str(d, key)
    }

    pub fn int(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<i64>> {
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

    pub fn req_int(&mut self, d: &mut Diags, key: &'static str, example: &str) -> Option<Sp<i64>> {
        if !self.has(key) {
            self.expected.push(key);
            self.missing(d, key, example);
            return None;
        }
        self.int(d, key)
    }

    /// An integer within `lo..=hi`, reported as `out-of-range` otherwise.
    pub fn int_in(
        &mut self,
        d: &mut Diags,
        key: &'static str,
        lo: i64,
        hi: i64,
    ) -> Option<Sp<i64>> {
        let v = self.int(d, key)?;
        check_range(d, &self.child_path(key), &v, lo, hi).then_some(v)
    }

    pub fn bool(&mut self, d: &mut Diags, key: &'static str) -> Option<Sp<bool>> {
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
        let path = self.child_path(key);
        let (_, v) = self.take(key)?;
        Table::from_value(d, &path, v)
    }

    /// An array of tables (`exports = [{...}, {...}]`).
    pub fn table_list(&mut self, d: &mut Diags, key: &'static str) -> Vec<Table<'de>> {
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
                .collect(),
            other => {
                wrong_type(d, &path, "an array of tables", &other, span);
                Vec::new()
            }
        }
    }

    /// All remaining entries, as (key, key span, value): for tables whose
    /// keys are names chosen by the user (`[nodes.NAME]`). Consumes the table.
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
