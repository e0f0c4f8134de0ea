//! The checks of a profile that read the filesystem, made by `storpkg
//! check` and `storpkg build` after the profile stage (which reads only the
//! profile): the `site.templates` directory and every override in it, and
//! `repository.gnupg_home`. Their findings are diagnostics of the profile,
//! at the span of the key that named the directory, so a profile that
//! `check` passes does not fail `build` for them.

use crate::model::{Signing, Site};
use crate::profile::diag::{escape, quoted};
use crate::profile::{Checked, Diagnostic};
use crate::render::{override_refusal, Renderer};
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

/// The largest site template storpkg reads.
pub const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// Why the overrides could not be read.
#[derive(Debug)]
pub enum ReadProblem {
    /// The directory is missing or is no directory.
    NoDirectory(String),
    /// A file or directory under it could not be read.
    Unreadable(String),
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::NoDirectory(m) | ReadProblem::Unreadable(m) => f.write_str(m),
        }
    }
}

fn read_template(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TEMPLATE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(format!("larger than {} MiB", MAX_TEMPLATE_BYTES >> 20));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

/// Every file under `dir` (template name → source), symbolic links to
/// directories not followed.
pub fn read_overrides(dir: &Path) -> Result<BTreeMap<String, String>, ReadProblem> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(ReadProblem::NoDirectory(format!(
                "{} is not a directory",
                escape(&dir.display().to_string())
            )))
        }
        Err(e) => {
            return Err(ReadProblem::NoDirectory(format!(
                "{}: {e}",
                escape(&dir.display().to_string())
            )))
        }
    }
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    let unreadable = |p: &Path, e: &dyn std::fmt::Display| {
        ReadProblem::Unreadable(format!("{}: {e}", escape(&p.display().to_string())))
    };
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| unreadable(&d, &e))? {
            let entry = entry.map_err(|e| unreadable(&d, &e))?;
            let path = entry.path();
            if entry
                .file_type()
                .map_err(|e| unreadable(&path, &e))?
                .is_dir()
            {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let text = read_template(&path).map_err(|e| unreadable(&path, &e))?;
            out.insert(name, text);
        }
    }
    Ok(out)
}

/// A signed site's public key stands in for the one the build exports, so
/// that every template renders with the contexts of the real build.
const PLACEHOLDER_KEY: &str =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n(storpkg check)\n-----END PGP PUBLIC KEY BLOCK-----\n";

/// The overrides of `site` checked as the build uses them: names, tera
/// syntax, and one rendering of every package with the real contexts.
fn check_overrides(
    site: &Site,
    overrides: &BTreeMap<String, String>,
    span: &Range<usize>,
    out: &mut Vec<Diagnostic>,
) {
    let diag = |message: String| {
        Diagnostic::error("template-override", span.clone(), message)
            .label("in this templates directory")
    };
    let refused: Vec<_> = overrides
        .keys()
        .filter_map(|name| override_refusal(name).map(|why| (name, why)))
        .collect();
    for (name, why) in &refused {
        out.push(diag(format!("site template `{}` is refused", quoted(name))).help(why.clone()));
    }
    if !refused.is_empty() || overrides.is_empty() {
        return;
    }
    let renderer = match Renderer::with_overrides(overrides) {
        Ok(r) => r,
        Err(e) => {
            out.push(
                diag(format!(
                    "site template `{}` does not parse",
                    quoted(&e.name)
                ))
                .help(escape(&e.message)),
            );
            return;
        }
    };
    let mut site = site.clone();
    if matches!(site.repository.signing, Signing::Gpg { .. }) {
        site.repository.public_key = Some(PLACEHOLDER_KEY.into());
    }
    if let Err(e) = crate::plan::plan_build(&site, &renderer, site.source_date_epoch) {
        out.push(
            diag("a site template fails to render with the site's values".into())
                .help(escape(&e.to_string())),
        );
    }
}

/// The checks of the filesystem for a profile that passed the profile
/// stage; their diagnostics are added to `checked` (an error drops its
/// site). Returns the site's template overrides (empty without
/// `site.templates` or when they could not be read).
pub fn check(checked: &mut Checked) -> BTreeMap<String, String> {
    let Some(site) = &checked.site else {
        return BTreeMap::new();
    };
    let mut diags = Vec::new();
    let span_of = |key| checked.spans.get(key).cloned().unwrap_or(0..0);
    if let Signing::Gpg {
        gnupg_home: Some(home),
        ..
    } = &site.repository.signing
    {
        if !Path::new(home).is_dir() {
            diags.push(
                Diagnostic::error(
                    "missing-directory",
                    span_of("repository.gnupg_home"),
                    "`repository.gnupg_home` is not a directory on this machine",
                )
                .label("no GnuPG home here")
                .help("name the directory that holds the signing key's keyring, or remove the key to use GNUPGHOME"),
            );
        }
    }
    let mut overrides = BTreeMap::new();
    if let Some(dir) = &site.templates_dir {
        let span = span_of("site.templates");
        match read_overrides(Path::new(dir)) {
            Ok(o) => overrides = o,
            Err(ReadProblem::NoDirectory(m)) => diags.push(
                Diagnostic::error(
                    "missing-directory",
                    span.clone(),
                    "`site.templates` is not a directory on this machine",
                )
                .label("no templates directory here")
                .help(format!("{m}; create it, or remove the key")),
            ),
            Err(ReadProblem::Unreadable(m)) => diags.push(
                Diagnostic::error(
                    "template-override",
                    span.clone(),
                    "the site templates cannot be read",
                )
                .label("in this templates directory")
                .help(m),
            ),
        }
        check_overrides(site, &overrides, &span, &mut diags);
    }
    if diags.iter().any(Diagnostic::is_error) {
        checked.site = None;
    }
    checked.diagnostics.extend(diags);
    overrides
}
