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

    /// For codespan: every text escaped (no control character reaches
    /// the terminal), every span moved into the escaped source.
    fn to_codespan(&self, shown: &Shown) -> CsDiagnostic<()> {
        let severity = match self.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut labels =
            vec![Label::primary((), shown.span(&self.span)).with_message(escape(&self.label))];
        for (span, text) in &self.related {
            labels.push(Label::secondary((), shown.span(span)).with_message(escape(text)));
        }
        let mut d = CsDiagnostic::new(severity)
            .with_code(self.code)
            .with_message(escape(&self.message))
            .with_labels(labels);
        if let Some(help) = &self.help {
            d = d.with_notes(vec![format!("help: {}", escape(help))]);
        }
        d
    }
}

/// At most this many diagnostics are printed; a last line counts the rest.
pub const MAX_SHOWN: usize = 50;

/// A value quoted in a diagnostic is cut after this many characters.
pub const MAX_QUOTED: usize = 60;

/// The escape of one character that must not reach a terminal as it is:
/// C0 and C1 controls, DEL, and the invisible format characters (bidi
/// overrides, zero-width). `None`: the character is shown as it is.
fn escape_char(c: char) -> Option<String> {
    Some(match c {
        '\0' => "\\0".into(),
        '\x1b' => "\\e".into(),
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        c if c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}') =>
        {
            format!("\\u{{{:x}}}", c as u32)
        }
        _ => return None,
    })
}

/// `s` with every control character escaped (`\e`, `\0`, `\u{9b}`, ...).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match escape_char(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    out
}

/// A profile value as a message quotes it: quotes and backslashes escaped
/// as Rust's `escape_debug` does, control characters as [`escape`] does,
/// cut after [`MAX_QUOTED`] characters with `…`.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * MAX_QUOTED));
    for (i, c) in s.chars().enumerate() {
        if i == MAX_QUOTED {
            out.push('…');
            break;
        }
        match (escape_char(c), c) {
            (Some(e), _) => out.push_str(&e),
            (None, '\\' | '"' | '\'') => {
                out.push('\\');
                out.push(c);
            }
            (None, c) => out.push(c),
        }
    }
    out
}

/// The profile text as it is shown: control characters escaped (a `\r`
/// before a newline dropped), with the map from a byte offset of the
/// profile to one of the shown text.
struct Shown {
    text: String,
    /// (offset in the profile, offset in `text`) at every escaped
    /// character, in order.
    moves: Vec<(usize, usize)>,
}

impl Shown {
    fn new(source: &str) -> Self {
        let mut text = String::with_capacity(source.len());
        let mut moves = Vec::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let esc = match c {
                '\n' => None,
                '\t' => Some(" ".into()),
                '\r' if chars.peek().is_some_and(|(_, n)| *n == '\n') => Some(String::new()),
                c => escape_char(c),
            };
            match esc {
                Some(e) => {
                    moves.push((i, text.len()));
                    text.push_str(&e);
                    moves.push((i + c.len_utf8(), text.len()));
                }
                None => text.push(c),
            }
        }
        Shown { text, moves }
    }

    fn offset(&self, at: usize) -> usize {
        let at = at.min(self.end());
        let k = self.moves.partition_point(|(from, _)| *from <= at);
        match k.checked_sub(1).map(|k| self.moves[k]) {
            Some((from, to)) => to + (at - from),
            None => at,
        }
    }

    fn end(&self) -> usize {
        match self.moves.last() {
            Some((from, to)) => from + (self.text.len() - to),
            None => self.text.len(),
        }
    }

    fn span(&self, span: &Range<usize>) -> Range<usize> {
        let start = self.offset(span.start);
        start..self.offset(span.end).max(start)
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
    let shown = Shown::new(source);
    let file_name = escape(file_name);
    let file = SimpleFile::new(file_name.as_str(), shown.text.as_str());
    let config = term::Config::default();
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| (d.span.start, d.span.end, d.severity, d.code));
    for d in sorted.iter().take(MAX_SHOWN) {
        term::emit_to_write_style(out, &config, &file, &d.to_codespan(&shown))
            .map_err(std::io::Error::other)?;
    }
    if let Some(rest) = sorted.get(MAX_SHOWN..).filter(|r| !r.is_empty()) {
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let warnings = rest.len() - errors;
        writeln!(
            out,
            "... and {} more diagnostic{} not shown ({errors} error{}, {warnings} warning{})",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        )?;
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
    /// The codes of `storpkg plan`'s refused changes: a diagnostic of the
    /// new profile (of the old one for a removal), never of `check`.
    pub const CHANGE: &[(&str, &str)] = &[
        (
            "shrink-volume",
            "a volume that shrinks: storpkg never shrinks a volume",
        ),
        (
            "change-fs-kind",
            "a volume whose kind (ext4, unison, drbd) changes: its contents would be replaced",
        ),
        (
            "drbd-minor",
            "a DRBD resource whose minor changes while its device is in use",
        ),
        (
            "drbd-backing",
            "a DRBD resource moved to another backing LV: its data stays on the old one",
        ),
        (
            "drbd-peer",
            "a DRBD resource moved to another pair of nodes",
        ),
        (
            "ocfs2-backing",
            "an OCFS2 filesystem moved to another DRBD resource",
        ),
        (
            "ocfs2-mkfs",
            "an mkfs.ocfs2 parameter (mode, feature level, slots) of an existing filesystem",
        ),
        (
            "share-move",
            "a share moved to another volume or filesystem: its files stay behind",
        ),
    ];

    pub const ALL: &[(&str, &str)] = &[
        ("toml-syntax", "the file is not valid TOML"),
        (
            "not-utf8",
            "the file is not UTF-8 (the first bad byte is shown)",
        ),
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
            "too-long",
            "a value that makes a package's file name longer than 255 bytes",
        ),
        (
            "missing-directory",
            "`site.templates` or `repository.gnupg_home` is not a directory on the building machine",
        ),
        (
            "template-override",
            "a site template that is refused (a maintainer script, the node-side command, no built-in template), unreadable, or fails to parse or render",
        ),
        (
            "sysctl-range",
            "a sysctl value outside the kernel's range for that key",
        ),
        (
            "fs-mount-option",
            "a mount option the filesystem does not have (`nofail` on OCFS2)",
        ),
        (
            "ocfs2-slots",
            "OCFS2 slots below the number of nodes that mount the filesystem",
        ),
        (
            "special-address",
            "a node address that is loopback, unspecified, multicast, broadcast or its subnet's network address",
        ),
        (
            "replication-link",
            "a replication link on `lo`, or its two ends on different subnets",
        ),
        (
            "ocfs2-ipv6",
            "an IPv6 address of a node on the o2cb network, which cluster.conf cannot take",
        ),
        (
            "service-port",
            "a DRBD or o2cb port that the node's own services listen on (ssh 22, rpcbind 111, NFS 2049)",
        ),
        (
            "drbd-protocol",
            "a DRBD protocol the kernel refuses with the resource's settings: A or B with dual-primary, A with resource-and-stonith fencing",
        ),
        (
            "drbd-metadata",
            "a DRBD backing volume too small for DRBD's internal metadata and data",
        ),
        (
            "hosts-rebind",
            "a hosts entry that binds `localhost` or a node's name to another address",
        ),
        (
            "resolver-loop",
            "a resolver forwarder that is the node's own resolver (loopback) or a node's address",
        ),
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
        (
            "unused-key",
            "warning: a key that has no effect in this combination (`apt.security_mirror` without `apt.mirror`, `resolver.forwarders` with `caching = false`)",
        ),
    ];
}
