//! The strict grammars of `storpkg::profile::grammar`, value by value: what
//! each accepts and what it refuses (issue 2, "hostile input is refused
//! here"). The property test of tests/profile_hostile.rs attacks them
//! through whole profiles; these tables pin the edges.

mod common;

use storpkg::profile::grammar::{self, Check};

fn accepts(f: fn(&str) -> Check, what: &str, ok: &[&str], bad: &[&str]) {
    for s in ok {
        assert!(f(s).is_ok(), "{what}: {s:?} should be accepted");
    }
    for s in bad {
        assert!(f(s).is_err(), "{what}: {s:?} should be refused");
    }
}

#[test]
fn names() {
    accepts(
        grammar::name,
        "name",
        &["pasta", "fiori", "rep-drbd0", "0a", "a"],
        &[
            "",
            "Pasta",
            "-a",
            "a-",
            "a_b",
            "a.b",
            "a b",
            "é",
            &"a".repeat(64),
        ],
    );
    accepts(
        grammar::account,
        "account",
        &["libvirt-qemu", "kvm", "_apt", "alexis"],
        &["", "0day", "Root", "a:b", "a b", &"a".repeat(33)],
    );
    accepts(
        grammar::domain,
        "domain",
        &["pasta.net", "localhost", "a.b.c"],
        &["", "pasta..net", ".pasta", "pasta.", "pasta.net;", "*.net"],
    );
}

#[test]
fn paths() {
    accepts(
        grammar::path,
        "path",
        &[
            "/vol/home",
            "/var/log/unison.log",
            "/a/b+c/d_e",
            "/a/.hidden",
        ],
        &[
            "",
            "/",
            "vol",
            "/vol/",
            "//vol",
            "/vol//home",
            "/vol/./home",
            "/vol/../etc",
            "/vol/..",
            "/0../0",
            "/a..b",
            "/vol/-rf",
            "/vol home",
            "/vol/$x",
            "/vol/`x`",
            "/vol;x",
            "/vol|x",
            "/vol&x",
            "/vol\nx",
            "/vol/é",
            "/vol/*",
            "/vol\0",
        ],
    );
    accepts(
        grammar::relative_path,
        "relative path",
        &["staging/pub", "pub", "/vol/pub"],
        &["", "../pub", "staging/../pub", "staging/", "a b"],
    );
}

#[test]
fn schedules_are_oncalendar_not_cron() {
    accepts(
        grammar::schedule,
        "schedule",
        &[
            "daily",
            "hourly",
            "weekly",
            "*-*-* 00:00:00",
            "*-*-* 00:00",
            "Mon *-*-* 03:00",
            "Mon..Fri 22:30",
            "Sat,Sun *-*-* 04:00:00",
            "2026-01-01 00:00:00",
            "*-*-1 12:00",
            "*-01,07-01 00:00",
            "*-*-* *:0/15",
            "*-*-* 00:00:00 UTC",
            "Mon",
            "03:00",
        ],
        &[
            "",
            " daily",
            "daily ",
            "0 0 * * *",
            "@daily",
            "at midnight",
            "*-*-*  00:00",
            "*-*-*\t00:00",
            "*-*-* 00:00:00:00",
            "*-*-*-* 00:00",
            "**-*-* 00:00",
            "*-*-* 0:0/",
            "Mon..Sun..Mon 00:00",
            "Funday 00:00",
            "*-*-* 00:00 UTC UTC",
            "/../*-*-* 00:00:00",
            "*-*-* 00:00;reboot",
            "*-*-* 00:00 $(reboot)",
            "*-*-* 24:00",
            "*-*-0 00:00",
            "*-13-01",
            "1969-*-*",
            "Fri..Mon",
            "*-*/5",
            "*-5..1-*",
        ],
    );
}

#[test]
fn options() {
    accepts(
        grammar::mount_option,
        "mount option",
        &["noatime", "data=writeback", "commit=60", "nfsvers=3"],
        &[
            "",
            "noatime,exec",
            "a b",
            "=x",
            "Noatime",
            "data=",
            "data=/../x",
            "x..y",
            "a=$x",
        ],
    );
    accepts(
        grammar::export_option,
        "export option",
        &["rw", "no_root_squash", "sync", "fsid=1", "sec=krb5p"],
        &[
            "",
            "rw,sync",
            "no_root_squah",
            "fsid=",
            "fsid=1;x",
            "anonuid=../0",
        ],
    );
    accepts(
        grammar::export_clients,
        "export clients",
        &[
            "*",
            "192.168.1.0/24",
            "192.168.1.6",
            "*.pasta.net",
            "@trusted",
            "fd00::/8",
        ],
        &[
            "",
            "192.168.1.0/24(rw)",
            "a b",
            "host;x",
            "192..168.1.0",
            "@",
        ],
    );
}

#[test]
fn sizes() {
    assert_eq!(grammar::size("200G").unwrap(), 200 << 30);
    assert_eq!(grammar::size("2t").unwrap(), 2 << 40);
    assert_eq!(grammar::size("512").unwrap(), 512 << 20);
    assert_eq!(grammar::size("3.5K").unwrap(), 3584);
    for bad in [
        "", "G", "2Q", "-1G", "1.2.3G", ".5G", "5.G", "1 G", "0", "0.0001K",
    ] {
        assert!(grammar::size(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn cluster_names_are_at_most_16_alphanumerics() {
    accepts(
        grammar::cluster_name,
        "cluster name",
        &["ocfs2", "pasta2013", "abcdefghijklmnop"],
        &["", "abcdefghijklmnopq", "pasta-ocfs2", "pasta_o2", "o2 cb"],
    );
}

#[test]
fn keys_and_free_text() {
    let ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBERERERERERERERERERERERERERERERERERERERERER";
    accepts(
        grammar::ssh_public_key,
        "ssh key",
        &[ed, &format!("{ed} root@fiori")],
        &[
            "",
            "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
            &ed[..40],
            // a space inside the blob must not turn its rest into a comment
            &format!("{} {}", &ed[..50], &ed[50..]),
            &format!("{ed} "),
            &format!("{ed} root@fiori extra"),
            &format!("{ed} $(reboot)"),
            &format!("{ed}\n{ed}"),
        ],
    );
    accepts(
        grammar::gecos,
        "gecos",
        &["Libvirt Qemu", "Alexis B,Room 4,555-1234", ""],
        &["a:b", "a\"b", "a$b", "a\nb", "é"],
    );
    accepts(
        grammar::maintainer,
        "maintainer",
        &["Pasta Storage Admins <root@pasta.net>"],
        &[
            "root@pasta.net",
            "<root@pasta.net>",
            "A <a@b>x",
            "A' <a@b.c>",
            "A <a b@c.d>",
        ],
    );
    accepts(
        grammar::version,
        "version",
        &["1.0", "1.2~rc1", "2+deb12"],
        &["", "v1", "1:1.0", "1.0-1", "1.0 "],
    );
    accepts(
        grammar::interface,
        "interface",
        &["eth1", "enp2s0", "bond0.100"],
        &["", "eth 1", "eth1/2", "Eth1", "averylonginterface0"],
    );
    accepts(
        grammar::sysctl_key,
        "sysctl key",
        &[
            "vm.min_free_kbytes",
            "kernel.panic_on_oops",
            "net.ipv4.ip_forward",
        ],
        &[
            "",
            "kernel",
            "kernel..panic",
            "kernel.panic;x",
            "kernel.panic=1",
            "Kernel.panic",
        ],
    );
}

/// Whatever the schedule grammar accepts, systemd accepts too (when
/// systemd-analyze is installed): random strings of calendar tokens.
#[test]
fn accepted_schedules_are_valid_for_systemd() {
    use proptest::prelude::*;
    let have = std::process::Command::new("systemd-analyze")
        .args(["calendar", "daily"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        common::missing("a working `systemd-analyze calendar`");
        return;
    }
    let comp = || {
        prop::sample::select(vec![
            "*", "0", "1", "7", "12", "13", "23", "24", "31", "32", "59", "60", "2026", "1..5",
            "*/5", "0/15", "1,15", "", "..", "1..", "/5", "**", "5..1",
        ])
    };
    let date = prop::collection::vec(comp(), 2..=3).prop_map(|c| c.join("-"));
    let time = prop::collection::vec(comp(), 2..=3).prop_map(|c| c.join(":"));
    let weekday = prop::sample::select(vec!["", "Mon", "Fri", "Mon..Fri", "Sat,Sun", "Mon.."]);
    let expr = (
        weekday,
        prop::option::of(date),
        prop::option::of(time),
        any::<bool>(),
    )
        .prop_map(|(w, d, t, utc)| {
            let mut parts: Vec<String> = vec![w.to_string()];
            parts.extend(d);
            parts.extend(t);
            if utc {
                parts.push("UTC".into());
            }
            parts.retain(|p| !p.is_empty());
            parts.join(" ")
        });
    let mut runner = common::proptest_runner(2000, false);
    let accepted = std::cell::RefCell::new(std::collections::BTreeSet::new());
    runner
        .run(&expr, |s| {
            if grammar::schedule(&s).is_ok() {
                accepted.borrow_mut().insert(s);
            }
            Ok(())
        })
        .unwrap();
    let accepted = accepted.into_inner();
    assert!(accepted.len() > 20, "too few accepted: {accepted:?}");
    let refused: Vec<String> = accepted
        .iter()
        .filter_map(|s| {
            let out = std::process::Command::new("systemd-analyze")
                .args(["calendar", s])
                .output()
                .unwrap();
            (!out.status.success()).then(|| format!("{s:?}"))
        })
        .collect();
    assert!(
        refused.is_empty(),
        "storpkg accepts what systemd refuses: {}",
        refused.join(", ")
    );
}
