//! Builds the pasta packages with storpkg's own writer and checks dpkg
//! accepts them; with STORPKG_DEB_OUT set, leaves them there for the
//! chroot test (tests/chroot/packages).

mod common;

#[test]
fn dpkg_deb_builds_every_package() {
    if !common::have("dpkg-deb") {
        return;
    }
    let keep = std::env::var_os("STORPKG_DEB_OUT").map(std::path::PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    // The upgrade: version 1.1, the unison keys known, a changed o2cb timeout.
    let mut upgrade = common::pasta_with_keys();
    upgrade.version = "1.1".into();
    upgrade.ocfs2.as_mut().unwrap().heartbeat_threshold = 71;
    // The same site on Debian 13, for the trixie chroot and trixie's lintian.
    let on_trixie = |mut site: storpkg::model::Site| {
        site.suite = storpkg::model::Suite::Trixie;
        site
    };
    let builds = [
        ("", common::pasta()),
        ("-upgrade", upgrade.clone()),
        ("-trixie", on_trixie(common::pasta())),
        ("-trixie-upgrade", on_trixie(upgrade)),
    ];
    for (suffix, site) in builds {
        let out = keep
            .clone()
            .unwrap_or_else(|| tmp.path().to_path_buf())
            .join(format!("pasta{suffix}"));
        std::fs::create_dir_all(&out).unwrap();
        let r = storpkg::render::Renderer::new().unwrap();
        let plan = storpkg::plan::plan_build(&site, &r, site.source_date_epoch).unwrap();
        for p in &plan.packages {
            let file = storpkg::deb::build(p, site.source_date_epoch).unwrap();
            let deb = out.join(file.file_name());
            std::fs::write(&deb, &file.bytes).unwrap();
            let o = std::process::Command::new("dpkg-deb")
                .arg("--info")
                .arg(&deb)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
}
