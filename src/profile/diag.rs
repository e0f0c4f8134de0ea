//! Profile diagnostics: every problem of a profile, with its place in the
//! file, a stable kebab-case code, and an optional hint. Rendered with
//! codespan-reporting as `file:line:col` with the offending text underlined.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::WriteColor};
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `unknown-key`. Listed in `codes::ALL`.
    pub code: &'static str,
    pub message: String,
    /// Byte range in the profile text.
    pub span: Range<usize>,
    /// Text under the caret: what was expected.
    pub label: String,
    /// Secondary places (e.g. "first defined here").
    pub related: Vec<(Range<usize>, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            label: String::new(),
            related: Vec::new(),
            help: None,
        }
    }
    pub fn warning(code: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn related(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn to_codespan(&self) -> CsDiagnostic<()> {
        let severity = match self.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut labels = vec![Label::primary((), self.span.clone()).with_message(&self.label)];
        for (span, text) in &self.related {
            labels.push(Label::secondary((), span.clone()).with_message(text));
        }
        let mut d = CsDiagnostic::new(severity)
            .with_code(self.code)
            .with_message(&self.message)
            .with_labels(labels);
        if let Some(help) = &self.help {
            d = d.with_notes(vec![format!("help: {help}")]);
        }
        d
    }
}

/// Render diagnostics in source order (errors and warnings interleaved by
/// position) to `out`, as `file:line:col` with the text underlined.
pub fn render(
    out: &mut dyn WriteColor,
    file_name: &str,
    source: &str,
    diags: &[Diagnostic],
) -> std::io::Result<()> {
    let file = SimpleFile::new(file_name, source);
    let config = term::Config::default();
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| (d.span.start, d.span.end, d.severity, d.code));
    for d in sorted {
        term::emit_to_write_style(out, &config, &file, &d.to_codespan())
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// Render without colour into a string (tests, snapshots).
pub fn render_plain(file_name: &str, source: &str, diags: &[Diagnostic]) -> String {
    let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    render(&mut buf, file_name, source, diags).expect("writing to memory");
    String::from_utf8_lossy(&buf.into_inner()).into_owned()
}

/// Every diagnostic code storpkg emits, with a one-line explanation
/// (`storpkg explain` / the README reference draw on this list).
pub mod codes {
    pub const ALL: &[(&str, &str)] = &[
        ("toml-syntax", "the file is not valid TOML"),
        ("unknown-key", "a key that this section does not have"),
        ("missing-key", "a required key is absent"),
        ("wrong-type", "a value of the wrong TOML type"),
        (
            "bad-name",
            "a name outside its grammar (lower-case letters, digits, '-')",
        ),
        (
            "bad-address",
            "not an IP address (or network) of the expected form",
        ),
        (
            "bad-path",
            "a path that is not absolute, normalised and made of safe characters",
        ),
        (
            "bad-option",
            "an option outside the known vocabulary or safe grammar",
        ),
        ("bad-value", "a value outside the accepted set or grammar"),
        (
            "bad-size",
            "a size that is not a number with an optional K/M/G/T/P suffix",
        ),
        (
            "bad-schedule",
            "a schedule that is not a systemd OnCalendar expression storpkg accepts",
        ),
        ("out-of-range", "a number outside its allowed range"),
        (
            "system-path",
            "a mountpoint, symlink, directory or log file that is, holds or lies inside a system location",
        ),
        (
            "leading-dash",
            "a value that begins with '-', which a tool would read as an option",
        ),
        (
            "unknown-reference",
            "a reference to a node, volume, resource, filesystem or share that does not exist",
        ),
        (
            "wrong-reference",
            "a reference to something of the wrong kind",
        ),
        ("duplicate", "two things that must be distinct are the same"),
        (
            "nested-mountpoint",
            "a mountpoint or a share's symlink inside another mountpoint",
        ),
        (
            "node-count",
            "DRBD 8.4 and this layout need exactly two storage nodes",
        ),
        (
            "vg-too-small",
            "the volumes do not fit the declared volume group size",
        ),
        (
            "export-unreplicated",
            "an NFS export of a share that is not replicated",
        ),
        (
            "missing-signing",
            "the repository is neither signed nor explicitly unsigned",
        ),
        (
            "unsigned-repository",
            "warning: the repository is explicitly unsigned",
        ),
        (
            "export-world-root",
            "warning: export to '*' with no_root_squash",
        ),
        (
            "dual-primary-without-fencing",
            "warning: allow-two-primaries without fencing resource-and-stonith",
        ),
        (
            "shared-link",
            "warning: DRBD and o2cb use the same network link",
        ),
        (
            "small-ocfs2",
            "warning: an OCFS2 filesystem of mode vmstore or datafiles on a DRBD volume below 2 GiB",
        ),
    ];
}
