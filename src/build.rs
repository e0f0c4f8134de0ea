//! `storpkg build`: a pipe. The timestamp and the signing key (looked up
//! once: the node packages ship its public half) go in, [`crate::plan::plan_build`]
//! plans every package, its documentation and the preseed fragments, and
//! [`write`] hands the plan to the writers (`deb`, `repo`, `output`).

use crate::model::{Signing, Site};
use crate::output::{self, BuildReport};
use crate::render::Renderer;
use crate::repo::{self, RepoConfig};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("SOURCE_DATE_EPOCH={0:?} is not a number of seconds since 1970")]
    BadEpoch(String),
    #[error("planning the packages: {0}")]
    Plan(String),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Key(#[from] repo::RepoError),
}

/// The build timestamp: `SOURCE_DATE_EPOCH` when set (a malformed value is
/// an error, never ignored), else the profile's `site.source_date_epoch`.
pub fn timestamp(site: &Site, env: Option<&str>) -> Result<u64, BuildError> {
    match env {
        None => Ok(site.source_date_epoch),
        Some(v) => {
            let t = v.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BuildError::BadEpoch(v.to_string()));
            }
            t.parse().map_err(|_| BuildError::BadEpoch(v.to_string()))
        }
    }
}

/// The repository's identity, from the profile (every default applied
/// while lowering it).
pub fn repo_config(site: &Site) -> RepoConfig {
    RepoConfig {
        origin: site.repository.origin.clone(),
        label: site.repository.label.clone(),
        suite: site.suite.as_str().to_string(),
        codename: site.suite.as_str().to_string(),
        component: site.repository.component.clone(),
        architectures: site.repository.architectures.clone(),
        description: site.repository.description.clone(),
        signing: match &site.repository.signing {
            Signing::Unsigned => repo::Signing::Unsigned,
            Signing::Gpg { key, gnupg_home } => repo::Signing::Gpg {
                key: key.clone(),
                homedir: gnupg_home.as_ref().map(Into::into),
            },
        },
        prune: site.repository.prune,
    }
}

/// What a build wrote, for the terminal.
pub struct Report(pub BuildReport);

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.0;
        for d in &r.debs {
            writeln!(f, "wrote {} ({} bytes)", d.path.display(), d.size)?;
        }
        let signed = if r.repo.signed { "signed" } else { "UNSIGNED" };
        write!(
            f,
            "repository {} ({signed}), {} package versions in the pool",
            r.out_dir.join("repo").display(),
            r.repo.packages.len()
        )
    }
}

/// Write the planned build of `site` into `out`, atomically.
pub fn write(
    plan: &crate::plan::SitePlan,
    out: &Path,
    timestamp: u64,
    config: &RepoConfig,
) -> Result<Report, BuildError> {
    let report = output::write_site(out, &plan.packages, &plan.files, config, timestamp)?;
    Ok(Report(report))
}

/// Where a build records the profile it was built from (`DIR/profile.toml`,
/// its text as it was read): `storpkg plan NEW` compares NEW with it.
pub const PROFILE_FILE: &str = "profile.toml";

/// Build the site into `out`.
pub fn build(site: &Site, out: &Path) -> Result<Report, BuildError> {
    build_recording(site, None, out)
}

/// Build the site into `out`, recording `profile` (the profile's text) as
/// [`PROFILE_FILE`] beside the repository when given.
pub fn build_recording(
    site: &Site,
    profile: Option<&str>,
    out: &Path,
) -> Result<Report, BuildError> {
    let env = std::env::var("SOURCE_DATE_EPOCH").ok();
    let ts = timestamp(site, env.as_deref())?;
    // The signing key is looked up once, before planning: the node packages
    // ship its public half, and the repository is signed with it. While gpg
    // runs, the templates are read and parsed (one Renderer for the build).
    let (key, renderer) = std::thread::scope(|s| {
        let renderer = s.spawn(|| {
            Renderer::with_overrides(&template_overrides(site)?)
                .map_err(|e| BuildError::Plan(e.to_string()))
        });
        let key = signing_key(site);
        let renderer = renderer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (key, renderer)
    });
    let key = key?;
    let renderer = renderer?;
    let site = with_public_key(site, key.as_ref());
    let mut plan = crate::plan::plan_build(&site, &renderer, ts)
        .map_err(|e| BuildError::Plan(e.to_string()))?;
    if let Some(text) = profile {
        plan.files
            .insert(PROFILE_FILE.to_string(), text.as_bytes().to_vec());
    }
    let mut config = repo_config(&site);
    if let Some(key) = key {
        config.signing = repo::Signing::Key(key);
    }
    write(&plan, out, ts, &config)
}

/// The site's template overrides: every file under `site.templates`
/// ([`crate::preflight::read_overrides`]), each checked by
/// [`Renderer::with_overrides`].
pub fn template_overrides(site: &Site) -> Result<BTreeMap<String, String>, BuildError> {
    let Some(dir) = &site.templates_dir else {
        return Ok(BTreeMap::new());
    };
    let out = crate::preflight::read_overrides(Path::new(dir))
        .map_err(|e| BuildError::Plan(format!("site.templates: {e}")))?;
    for name in out.keys() {
        tracing::info!("site template {name} overrides the built-in one");
    }
    Ok(out)
}

/// The site's signing key, looked up in the keyring (None: unsigned).
pub fn signing_key(site: &Site) -> Result<Option<repo::SigningKey>, BuildError> {
    match &site.repository.signing {
        Signing::Unsigned => Ok(None),
        Signing::Gpg { key, gnupg_home } => Ok(Some(repo::SigningKey::load(
            key,
            gnupg_home.as_deref().map(Path::new),
        )?)),
    }
}

/// The site with its archive key's public half, which the node packages
/// ship as the `Signed-By:` keyring of the site's apt source.
pub fn with_public_key(site: &Site, key: Option<&repo::SigningKey>) -> Site {
    let mut site = site.clone();
    if let Some(key) = key {
        site.repository.public_key = Some(String::from_utf8_lossy(&key.key_asc).into_owned());
    }
    site
}
