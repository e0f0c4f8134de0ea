//! `storpkg build`: plan every package of a site, write the .deb files and
//! the apt repository. Glue between the stages; the writers live in `deb`
//! and `repo`.

use crate::model::Site;
use std::path::Path;

/// Build the site into `out`. Placeholder until the writers land.
pub fn build(site: &Site, out: &Path) -> anyhow::Result<String> {
    anyhow::bail!(
        "building {} into {} is not implemented yet",
        site.name,
        out.display()
    )
}
