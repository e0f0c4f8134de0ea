//! The pasta site of profiles/pasta.toml, built in code until the profile
//! loader lands (then `storpkg::profile::load("profiles/pasta.toml")`).
#![allow(dead_code)]

use std::net::IpAddr;
use storpkg::model::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn s(v: &str) -> String {
    v.to_string()
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| i.to_string()).collect()
}

/// A stand-in armoured key: the planner ships it verbatim.
pub const TEST_KEY: &str =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ0test\n-----END PGP PUBLIC KEY BLOCK-----\n";

pub fn pasta() -> Site {
    let node = |name: &str, addr: &str, number: u32, rep: &str| Node {
        name: s(name),
        package: format!("pasta-storage-{name}"),
        address: ip(addr),
        volume_group: s("vg0"),
        vg_size: Some(4_002_018_915_368),
        ocfs2_number: number,
        replication: Some(Link {
            interface: s("eth1"),
            address: ip(rep),
            prefix: 24,
            mtu: None,
        }),
    };
    let res = |name: &str, minor: u32, port: u16, volume: &str| DrbdResource {
        name: s(name),
        minor,
        port,
        volume: s(volume),
        protocol: s("C"),
        allow_two_primaries: true,
        after_sb_0pri: s("discard-zero-changes"),
        after_sb_1pri: s("discard-secondary"),
        after_sb_2pri: s("disconnect"),
        fencing: s("resource-only"),
        handlers: vec![
            Handler {
                name: s("before-resync-target"),
                command: s("drbdsetup secondary $DRBD_MINOR"),
            },
            Handler {
                name: s("split-brain"),
                command: s("/usr/lib/drbd/notify-split-brain.sh root"),
            },
            Handler {
                name: s("fence-peer"),
                command: s("/usr/lib/pasta-storage/drbd-fence-peer"),
            },
        ],
        become_primary_on_both: true,
    };
    let lan = vec![ExportClient {
        clients: s("192.168.1.0/24"),
        options: v(&["rw", "no_root_squash", "sync", "subtree_check"]),
    }];
    let share = |name: &str, on: ShareOn, base: &str, exports: bool, pool: bool| Share {
        name: s(name),
        on,
        path: format!("{base}/{name}"),
        link: Some(format!("/vol/{name}")),
        mode: s("0755"),
        owner: s("root"),
        group: s("root"),
        exports: if exports { lan.clone() } else { vec![] },
        libvirt_pool: if pool { Some(s(name)) } else { None },
    };
    let on_vol = |name: &str, kind| ShareOn::Volume {
        name: s(name),
        kind,
    };
    let on_fs = |name: &str| ShareOn::Ocfs2 { name: s(name) };
    let ext4 = |name: &str, size: u64, text: &str, kind| Volume {
        name: s(name),
        size,
        size_text: s(text),
        kind,
        mountpoint: Some(format!("/vol/{name}")),
        mount_options: v(&["noatime", "nodiratime"]),
        fsck_pass: 2,
    };
    let drbd_vol = |name: &str| Volume {
        name: s(name),
        size: 200 << 30,
        size_text: s("200G"),
        kind: VolumeKind::Drbd,
        mountpoint: None,
        mount_options: vec![],
        fsck_pass: 0,
    };
    let fs = |name: &str, resource: &str, minor: u32, mode: &str| Ocfs2Fs {
        name: s(name),
        resource: s(resource),
        device: format!("/dev/drbd{minor}"),
        mode: s(mode),
        feature_level: s("max-features"),
        slots: 2,
        mountpoint: format!("/vol/{name}"),
        mount_options: v(&["noatime", "data=writeback", "commit=60", "nodiratime"]),
    };
    let servers = "fiori.pasta.net,torchio.pasta.net";
    Site {
        name: s("pasta"),
        domain: s("pasta.net"),
        version: s("1.0"),
        maintainer: s("Pasta Storage Admins <root@pasta.net>"),
        suite: Suite::Bookworm,
        source_date_epoch: 1_764_547_200,
        changes: v(&["Storage configuration of the pasta site, from the 2013 how-to."]),
        templates_dir: None,
        install_server: ip("192.168.1.1"),
        mail_relay: Some(ip("192.168.1.1")),
        repository: Repository {
            url: s("http://192.168.1.1/pasta"),
            origin: s("pasta"),
            label: s("pasta storage"),
            component: s("main"),
            signing: Signing::Gpg {
                key: s("storpkg pasta archive key"),
                gnupg_home: None,
            },
            public_key: Some(s(TEST_KEY)),
            prune: false,
        },
        apt: Apt {
            mirror: Some(s("http://192.168.1.1/debian")),
            security_mirror: Some(s("http://192.168.1.1/debian-security")),
        },
        nodes: vec![
            node("fiori", "192.168.1.6", 1, "10.11.12.6"),
            node("torchio", "192.168.1.7", 2, "10.11.12.7"),
        ],
        ids: Ids {
            package: s("pasta-storage-ids"),
            groups: vec![
                PinnedGroup {
                    name: s("kvm"),
                    gid: 994,
                    system: true,
                },
                PinnedGroup {
                    name: s("libvirt-qemu"),
                    gid: 64055,
                    system: false,
                },
            ],
            users: vec![PinnedUser {
                name: s("libvirt-qemu"),
                uid: 64055,
                group: s("kvm"),
                groups: v(&["libvirt-qemu"]),
                home: s("/var/lib/libvirt"),
                shell: s("/usr/sbin/nologin"),
                gecos: s("Libvirt Qemu"),
                system: false,
            }],
        },
        volumes: vec![
            ext4("rep-no", 100 << 30, "100G", VolumeKind::Ext4),
            ext4("rep-unison", 2 << 40, "2T", VolumeKind::Unison),
            drbd_vol("rep-drbd0"),
            drbd_vol("rep-drbd1"),
        ],
        drbd: Drbd {
            wfc_timeout: 120,
            degr_wfc_timeout: 120,
            ping_int: 30,
            ping_timeout: 60,
            initialiser: s("fiori"),
            peer_wait: 120,
            network: Network::Replication,
            resources: vec![
                res("drbd0", 0, 7790, "rep-drbd0"),
                res("drbd1", 1, 7791, "rep-drbd1"),
            ],
        },
        ocfs2: Some(Ocfs2 {
            cluster: s("ocfs2"),
            port: 7777,
            network: Network::Admin,
            heartbeat_threshold: 61,
            idle_timeout_ms: 60000,
            keepalive_delay_ms: 4000,
            reconnect_delay_ms: 4000,
            filesystems: vec![
                fs("ocfs2-small", "drbd0", 0, "mail"),
                fs("ocfs2-large", "drbd1", 1, "vmstore"),
            ],
        }),
        shares: vec![
            share(
                "scratch",
                on_vol("rep-no", VolumeKind::Ext4),
                "/vol/rep-no",
                false,
                false,
            ),
            share(
                "vmpool0",
                on_vol("rep-no", VolumeKind::Ext4),
                "/vol/rep-no",
                false,
                true,
            ),
            share(
                "pub",
                on_vol("rep-unison", VolumeKind::Unison),
                "/vol/rep-unison",
                true,
                false,
            ),
            share(
                "home",
                on_fs("ocfs2-small"),
                "/vol/ocfs2-small",
                true,
                false,
            ),
            share(
                "mail",
                on_fs("ocfs2-small"),
                "/vol/ocfs2-small",
                true,
                false,
            ),
            share(
                "wikis",
                on_fs("ocfs2-small"),
                "/vol/ocfs2-small",
                true,
                false,
            ),
            share("svn", on_fs("ocfs2-small"), "/vol/ocfs2-small", true, false),
            share(
                "vmpool1",
                on_fs("ocfs2-large"),
                "/vol/ocfs2-large",
                false,
                true,
            ),
        ],
        // The how-to's fix removed --manage-gids (Debian's default, now
        // `manage-gids=y` in /etc/nfs.conf): manage-gids = n.
        nfs: Nfs { manage_gids: false },
        unison: Some(Unison {
            volume: s("rep-unison"),
            mountpoint: s("/vol/rep-unison"),
            client: s("fiori"),
            server: s("torchio"),
            network: Network::Replication,
            profile: s("vol-rep-unison"),
            schedule: s("*-*-* 00:00:00"),
            owner: true,
            group: true,
            perms: -1,
            times: true,
            auto: true,
            batch: true,
            terse: true,
            confirmbigdel: true,
            fastcheck: true,
            prefer: s("newer"),
            logfile: s("/var/log/unison.log"),
            logrotate: LogRotate {
                frequency: s("daily"),
                rotate: 28,
                compress: true,
            },
            client_key: None,
            server_host_key: None,
        }),
        client: Client {
            package: s("pasta-storage-client"),
            staging: s("/staging"),
            automounts: vec![
                Automount {
                    mountpoint: s("/home"),
                    map: s("auto.home"),
                },
                Automount {
                    mountpoint: s("/staging"),
                    map: s("auto.staging"),
                },
            ],
            links: vec![Symlink {
                path: s("/pub"),
                target: s("staging/pub"),
            }],
        },
        nis: Some(Nis {
            package: s("pasta-storage-nis"),
            domain: s("pasta.net"),
            node_binding: s("localhost"),
            servers: vec![],
            automount_options: v(&["-noquota", "noatime", "nfsvers=3"]),
            maps: vec![
                NisMap {
                    name: s("auto.home"),
                    entries: vec![NisEntry {
                        key: s("alexis"),
                        location: format!("{servers}:/vol/home/alexis"),
                    }],
                },
                NisMap {
                    name: s("auto.staging"),
                    entries: vec![NisEntry {
                        key: s("pub"),
                        location: format!("{servers}:/vol/pub"),
                    }],
                },
            ],
        }),
        sysctl: vec![
            Sysctl {
                key: s("vm.min_free_kbytes"),
                value: 65536,
            },
            Sysctl {
                key: s("kernel.panic"),
                value: 10,
            },
            Sysctl {
                key: s("kernel.panic_on_oops"),
                value: 1,
            },
        ],
        resolver: Resolver {
            caching: true,
            forwarders: vec![],
        },
        hosts: vec![
            HostEntry {
                address: ip("192.168.1.6"),
                names: v(&["fiori"]),
            },
            HostEntry {
                address: ip("192.168.1.7"),
                names: v(&["torchio"]),
            },
        ],
    }
}

/// pasta with the unison keys known (the second build of the how-to).
pub fn pasta_with_keys() -> Site {
    let mut site = pasta();
    let u = site.unison.as_mut().unwrap();
    u.client_key = Some(s("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeClientKeyForTestsOnly0000000000000000 root@fiori unison"));
    u.server_host_key = Some(s(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeServerHostKeyForTestsOnly00000000000000",
    ));
    site
}
