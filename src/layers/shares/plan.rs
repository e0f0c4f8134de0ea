//! Shares: public symlinks, the exports of the real paths, the NFS
//! server's settings and the libvirt pools' mount dependencies.

use crate::model::{Share, ShareOn, Site};
use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use crate::render::context::LayoutLink;
use serde::Serialize;

/// `shares/exports`.
#[derive(Serialize)]
struct Exports {
    package: String,
    exports: Vec<ExportLine>,
}

#[derive(Serialize)]
struct ExportLine {
    path: String,
    /// `CLIENTS(OPTIONS)` words.
    clients: Vec<String>,
}

/// `shares/nfs.conf`.
#[derive(Serialize)]
struct NfsConf {
    package: String,
    /// `y` or `n`.
    manage_gids: String,
    threads: Option<u32>,
}

/// `shares/libvirtd-mounts.conf`.
#[derive(Serialize)]
struct LibvirtMounts {
    package: String,
    paths: Vec<String>,
}

/// `shares/postinst-live`.
#[derive(Serialize)]
struct Live {
    nfs_conf: String,
    threads: Option<u32>,
    exports_file: String,
}

/// The mountpoint of the volume or filesystem `share` lives on.
fn mountpoint_of(site: &Site, share: &Share) -> Result<String, PlanError> {
    match &share.on {
        ShareOn::Volume { name, .. } => site.volume(name).and_then(|v| v.mountpoint.clone()),
        ShareOn::Ocfs2 { name } => site
            .ocfs2
            .as_ref()
            .and_then(|o| o.filesystems.iter().find(|f| &f.name == name))
            .map(|f| f.mountpoint.clone()),
    }
    .ok_or_else(|| {
        PlanError::Model(format!(
            "share {} is on {}, which has no mountpoint",
            share.name,
            share.on.name()
        ))
    })
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let pkg = cx.pkg;
    let mut exports = Vec::new();
    let mut pool_paths = Vec::new();
    for share in site
        .shares
        .iter()
        .filter(|s| s.nodes.contains(&cx.node.name))
    {
        if let Some(link) = &share.link {
            c.links.push(LayoutLink {
                path: link.clone(),
                target: share.path.clone(),
            });
        }
        let mountpoint = mountpoint_of(site, share)?;
        if !share
            .path
            .starts_with(&format!("{}/", mountpoint.trim_end_matches('/')))
        {
            return Err(PlanError::Model(format!(
                "share {} ({}) is not under {mountpoint}",
                share.name, share.path
            )));
        }
        if !share.exports.is_empty() {
            exports.push(ExportLine {
                path: share.path.clone(),
                clients: share
                    .exports
                    .iter()
                    .map(|c| format!("{}({})", c.clients, c.options.join(",")))
                    .collect(),
            });
        }
        if share.libvirt_pool.is_some() {
            pool_paths.push(share.path.clone());
        }
    }
    let exports_file = format!("/etc/exports.d/{}-storage.exports", site.name);
    let ctx = Exports {
        package: pkg.into(),
        exports,
    };
    c.render(cx, exports_file.clone(), "shares/exports", &ctx)?;
    let nfs_conf = format!("/etc/nfs.conf.d/{}-storage.conf", site.name);
    let ctx = NfsConf {
        package: pkg.into(),
        manage_gids: if site.nfs.manage_gids { "y" } else { "n" }.into(),
        threads: site.nfs.threads,
    };
    c.render(cx, nfs_conf.clone(), "shares/nfs.conf", &ctx)?;
    if !pool_paths.is_empty() {
        let ctx = LibvirtMounts {
            package: pkg.into(),
            paths: pool_paths,
        };
        c.render(
            cx,
            format!("{}/libvirtd.service.d/{}-storage.conf", cx.units, site.name),
            "shares/libvirtd-mounts.conf",
            &ctx,
        )?;
    }
    let live = Live {
        nfs_conf,
        threads: site.nfs.threads,
        exports_file,
    };
    c.script(cx, Phase::Live, "shares/postinst-live", &live)
}

#[cfg(test)]
mod tests {
    /// `[nfs] threads`: nfs.conf's `[nfsd] threads`, the node's layout,
    /// and a running server changed live by postinst (`rpc.nfsd N`).
    #[test]
    fn nfs_threads_reach_nfs_conf_layout_and_postinst() {
        let text = include_str!("../../../profiles/risotto.toml");
        let text = match text.find("[nfs]\n") {
            Some(_) => text.replacen("[nfs]\n", "[nfs]\nthreads = 16\n", 1),
            None => format!("{text}\n[nfs]\nthreads = 16\n"),
        };
        let checked = crate::profile::check_str("risotto.toml", &text, "/");
        assert_eq!(checked.errors(), 0, "{}", checked.render_plain());
        let site = checked.site.unwrap();
        assert_eq!(site.nfs.threads, Some(16));
        let packages = crate::plan::plan_site(&site).unwrap();
        let node = packages
            .iter()
            .find(|p| p.name == site.nodes[0].package)
            .unwrap();
        let file = |path: &str| match &node.files[path].kind {
            crate::package::EntryKind::File(bytes) => String::from_utf8(bytes.clone()).unwrap(),
            other => panic!("{path}: {other:?}"),
        };
        let conf = file(&format!("/etc/nfs.conf.d/{}-storage.conf", site.name));
        assert!(conf.ends_with("[nfsd]\nthreads = 16\n"), "{conf}");
        let layout = file(&format!("/usr/share/{}-storage/layout.sh", site.name));
        assert!(layout.contains("\nNFS_THREADS='16'\n"), "{layout}");
        let postinst = &node.control[&crate::package::ControlMember::Postinst];
        assert!(postinst.contains("rpc.nfsd '16'"), "{postinst}");

        let out_of_range = text.replacen("threads = 16", "threads = 0", 1);
        let checked = crate::profile::check_str("risotto.toml", &out_of_range, "/");
        assert!(checked.render_plain().contains("out-of-range"));
    }
}
