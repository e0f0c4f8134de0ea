//! apt on the node: the site repository (and its key) and Debian through
//! the install server, the installer's own sources moved aside.

use crate::model::{Signing, Site};
use crate::plan::common::diversion;
use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use crate::render::context::Diversion;
use serde::Serialize;

/// `apt/site.sources`.
#[derive(Serialize)]
struct SiteSources {
    site: String,
    package: String,
    url: String,
    suite: String,
    component: String,
    /// The keyring file, for a signed repository.
    signed_by: Option<String>,
}

/// `apt/debian.sources`.
#[derive(Serialize)]
struct DebianSources {
    package: String,
    mirror: String,
    security_mirror: Option<String>,
    suite: String,
    components: String,
    keyring: String,
}

/// `apt/postinst-configure`.
#[derive(Serialize)]
struct Configure {
    site_repo_url: String,
    site_sources_file: String,
}

/// Where the site repository's public key is shipped.
pub fn keyring_path(site: &Site) -> String {
    format!(
        "/usr/share/keyrings/{}-storage-archive-keyring.asc",
        site.name
    )
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let pkg = cx.pkg;
    let signed_by = match &site.repository.signing {
        Signing::Unsigned => None,
        Signing::Gpg { key, .. } => {
            let armored = site
                .repository
                .public_key
                .clone()
                .ok_or_else(|| PlanError::MissingPublicKey { key: key.clone() })?;
            c.file(keyring_path(site), 0o644, armored);
            Some(keyring_path(site))
        }
    };
    let site_sources_file = format!("/etc/apt/sources.list.d/{}-storage.sources", site.name);
    let ctx = SiteSources {
        site: site.name.clone(),
        package: pkg.into(),
        url: site.repository.url.clone(),
        suite: site.suite.as_str().into(),
        component: site.repository.component.clone(),
        signed_by,
    };
    c.render(cx, site_sources_file.clone(), "apt/site.sources", &ctx)?;
    if let Some(mirror) = &site.apt.mirror {
        let ctx = DebianSources {
            package: pkg.into(),
            mirror: mirror.clone(),
            security_mirror: site.apt.security_mirror.clone(),
            suite: site.suite.as_str().into(),
            components: "main non-free-firmware".into(),
            keyring: "/usr/share/keyrings/debian-archive-keyring.gpg".into(),
        };
        c.render(
            cx,
            format!(
                "/etc/apt/sources.list.d/{}-storage-debian.sources",
                site.name
            ),
            "apt/debian.sources",
            &ctx,
        )?;
        // The installer's sources name the mirror by host name: moved aside
        // (apt ignores `*.disabled` in sources.list.d silently).
        c.diversions.push(diversion("/etc/apt/sources.list", pkg));
        c.diversions.push(Diversion {
            path: "/etc/apt/sources.list.d/debian.sources".into(),
            diverted: format!("/etc/apt/sources.list.d/debian.sources.{pkg}.disabled"),
        });
    }
    let ctx = Configure {
        site_repo_url: site.repository.url.clone(),
        site_sources_file,
    };
    c.script(cx, Phase::Configure, "apt/postinst-configure", &ctx)
}
