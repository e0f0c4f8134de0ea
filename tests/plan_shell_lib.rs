//! The maintainer scripts' shell library, run by sh on sample files:
//! blocks between markers are added, replaced and removed atomically, and
//! removal gives the file back as it was.

use std::path::Path;
use std::process::Command;
use storpkg::render::context::Lib;
use storpkg::render::Renderer;

fn lib(dir: &Path) -> std::path::PathBuf {
    let r = Renderer::new().unwrap();
    #[derive(serde::Serialize)]
    struct Ctx {
        lib: Lib,
    }
    let body = r
        .render(
            "scripts/lib.sh",
            &Ctx {
                lib: Lib {
                    package: "pasta-storage-fiori".into(),
                    state_dir: dir.join("state").display().to_string(),
                },
            },
        )
        .unwrap();
    let f = dir.join("lib.sh");
    std::fs::write(&f, body).unwrap();
    f
}

fn sh(dir: &Path, script: &str) -> String {
    let lib = lib(dir);
    let o = Command::new("sh")
        .arg("-ec")
        .arg(format!(". {}\n{script}", lib.display()))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{script}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const HOSTS: &str = "127.0.0.1\tlocalhost\n127.0.1.1\tfiori.pasta.net\tfiori\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n192.168.1.20 dns.pasta.net dns\n";

#[test]
fn hosts_block_disables_conflicting_lines_and_gives_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("hosts"), HOSTS).unwrap();
    std::fs::write(d.join("block"), "127.0.0.1\tlocalhost\n192.168.1.6\tfiori\n192.168.1.7\ttorchio\n::1\tlocalhost ip6-localhost ip6-loopback\n").unwrap();
    sh(d, "chmod 0644 hosts; block_apply hosts block top disable; block_apply hosts block top disable");
    let applied = std::fs::read_to_string(d.join("hosts")).unwrap();
    assert!(
        applied.starts_with("# BEGIN pasta-storage-fiori"),
        "{applied}"
    );
    assert_eq!(
        applied.matches("# BEGIN pasta-storage-fiori").count(),
        1,
        "{applied}"
    );
    assert!(
        applied.contains("#pasta-storage-fiori-disabled# 127.0.1.1\tfiori.pasta.net\tfiori"),
        "{applied}"
    );
    assert!(
        applied.contains("#pasta-storage-fiori-disabled# ::1     localhost"),
        "{applied}"
    );
    assert!(
        applied.contains("\n192.168.1.20 dns.pasta.net dns\n"),
        "unrelated lines stay: {applied}"
    );
    assert!(applied.contains("\nff02::1 ip6-allnodes\n"), "{applied}");
    sh(d, "block_remove hosts");
    assert_eq!(std::fs::read_to_string(d.join("hosts")).unwrap(), HOSTS);
    assert!(!d.join("hosts.pasta-storage-fiori-new").exists());
}

#[test]
fn fstab_block_is_replaced_in_place_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fstab = "UUID=1 / ext4 errors=remount-ro 0 1\n/dev/vg0/swap none swap sw 0 0\n";
    std::fs::write(d.join("fstab"), fstab).unwrap();
    std::fs::write(d.join("v1"), "/dev/vg0/a /vol/a ext4 noatime,nofail 0 2\n").unwrap();
    std::fs::write(d.join("v2"), "/dev/vg0/b /vol/b ext4 noatime,nofail 0 2\n").unwrap();
    sh(d, "block_apply fstab v1 bottom; echo 'tmpfs /tmp tmpfs defaults 0 0' >>fstab; block_apply fstab v2 bottom");
    let applied = std::fs::read_to_string(d.join("fstab")).unwrap();
    assert!(!applied.contains("/vol/a"), "{applied}");
    assert!(applied.contains("tmpfs /tmp"), "{applied}");
    assert!(
        applied.ends_with("/dev/vg0/b /vol/b ext4 noatime,nofail 0 2\n# END pasta-storage-fiori\n"),
        "{applied}"
    );
    sh(d, "block_remove fstab");
    assert_eq!(
        std::fs::read_to_string(d.join("fstab")).unwrap(),
        format!("{fstab}tmpfs /tmp tmpfs defaults 0 0\n")
    );
}

#[test]
fn changed_and_pending_remember_state() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("conf"), "a\n").unwrap();
    let out = sh(d, "changed x conf && echo first; changed x conf || echo same; echo b >conf; changed x conf && echo again");
    assert_eq!(out, "first\nsame\nagain\n");
    sh(d, "pending k 'step missing' 2>/dev/null");
    assert_eq!(
        std::fs::read_to_string(d.join("state/pending/k")).unwrap(),
        "step missing\n"
    );
    sh(d, "pending k");
    assert!(!d.join("state/pending/k").exists());
}

#[test]
fn is_live_is_false_under_dpkg_root() {
    let dir = tempfile::tempdir().unwrap();
    let out = sh(
        dir.path(),
        "DPKG_ROOT=/x; if is_live; then echo live; else echo not; fi",
    );
    assert_eq!(out, "not\n");
}
