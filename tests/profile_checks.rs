//! Every check issue 2 lists under "Validation", one small edit of
//! tests/fixtures/minimal.toml at a time: the expected code is reported,
//! its caret is under the offending text, and nothing else is reported (no
//! follow-on errors). The fixtures of tests/fixtures/invalid/ show one
//! example per code; these cases cover each rule.

use storpkg::profile::check_str;

/// (what the case proves, edits as (old, new) on minimal.toml, expected
/// codes in source order, the text under the first caret).
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    &'static str,
);

const BACK1: &str = "[volumes.back1]\nsize = \"1G\"\nkind = \"drbd\"\n\n[drbd]";
/// A third node, and r0 on the first two (DRBD 8.4: two nodes a resource).
const GAMMA: &[(&str, &str)] = &[
    ("\n[ids.groups]", "[nodes.gamma]\naddress = \"10.0.0.13\"\nreplication = { interface = \"eth1\", address = \"10.9.0.13/24\" }\n\n[ids.groups]"),
    ("volume = \"back0\"", "volume = \"back0\"\nnodes = [\"alpha\", \"beta\"]"),
    ("[drbd]", BACK1),
];
const R1_BETA_GAMMA: (&str, &str) = ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7791\nvolume = \"back1\"\nnodes = [\"beta\", \"gamma\"]\n\n[ocfs2]");
const R1_ALPHA_GAMMA: (&str, &str) = ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7791\nvolume = \"back1\"\nnodes = [\"alpha\", \"gamma\"]\n\n[ocfs2]");
const NO_INITIALISER: (&str, &str) = ("initialiser = \"alpha\"\n", "");
/// A second unison volume on both nodes.
const MEDIA2: (&str, &str) = ("[volumes.back0]", "[volumes.media2]\nsize = \"1G\"\nkind = \"unison\"\nmountpoint = \"/vol/media2\"\n\n[volumes.back0]");

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Unknown keys and types.
    ("misspelt section", &[("[unison]", "[unisson]")], &["unknown-key"], "unisson"),
    ("misspelt key in a node", &[("vg_size = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }", "vg_sise = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }")], &["unknown-key"], "vg_sise"),
    ("misspelt required key", &[("domain = ", "domian = ")], &["unknown-key"], "domian"),
    ("misspelt inline-table key", &[("address = \"10.9.0.11/24\"", "adress = \"10.9.0.11/24\"")], &["unknown-key"], "adress"),
    ("misspelt [nodes] header", &[("[nodes.alpha]", "[nodez.alpha]"), ("[nodes.beta]", "[nodez.beta]")], &["unknown-key"], "nodez"),
    ("misspelt [repository] header", &[("[repository]", "[repositry]")], &["unknown-key"], "repositry"),
    ("misspelt [site] header", &[("[site]", "[sitte]")], &["unknown-key"], "sitte"),
    ("a GID that is a string", &[("kvm = 994", "kvm = \"994\"")], &["wrong-type"], "994"),
    ("integer where a string is expected", &[("vg_size = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }", "vg_size = 10\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }")], &["wrong-type"], "10"),
    ("string where a table is expected", &[("replication = { interface = \"eth1\", address = \"10.9.0.11/24\" }", "replication = \"eth1\"")], &["wrong-type"], "eth1"),
    // Dangling references.
    ("share on a volume that does not exist", &[("on = \"local\"", "on = \"locall\"")], &["unknown-reference"], "locall"),
    ("resource on an unknown node", &[("volume = \"back0\"", "volume = \"back0\"\nnodes = [\"alpha\", \"gamma\"]")], &["unknown-reference"], "gamma"),
    ("unison on an unknown node", &[("server = \"beta\"", "server = \"gamma\"")], &["unknown-reference"], "gamma"),
    ("filesystem on an unknown resource", &[("resource = \"r0\"", "resource = \"r9\"")], &["unknown-reference"], "r9"),
    ("initialiser that is no node", &[("initialiser = \"alpha\"", "initialiser = \"alfa\"")], &["unknown-reference"], "alfa"),
    ("pinned user in an unpinned group", &[("group = \"kvm\"", "group = \"kvm2\"")], &["unknown-reference"], "kvm2"),
    ("unison on an ext4 volume", &[("volume = \"media\"", "volume = \"local\"")], &["wrong-reference"], "local"),
    ("resource on a mounted volume", &[("volume = \"back0\"", "volume = \"media\"")], &["wrong-reference"], "media"),
    // Duplicates.
    ("two nodes with one address", &[("address = \"10.0.0.12\"", "address = \"10.0.0.11\"")], &["duplicate"], "10.0.0.11"),
    ("a replication address that is another node's", &[("address = \"10.9.0.12/24\"", "address = \"10.9.0.11/24\"")], &["duplicate"], "10.9.0.11/24"),
    ("two resources with one minor", &[("[drbd]", BACK1), ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 0\nport = 7791\nvolume = \"back1\"\n\n[ocfs2]")], &["duplicate"], "0"),
    ("two resources with one port", &[("[drbd]", BACK1), ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7790\nvolume = \"back1\"\n\n[ocfs2]")], &["duplicate"], "7790"),
    ("two resources on one volume", &[("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7791\nvolume = \"back0\"\n\n[ocfs2]")], &["duplicate"], "back0"),
    ("o2cb on a DRBD port of the same link", &[("cluster = \"mini\"", "cluster = \"mini\"\nport = 7790\nnetwork = \"replication\"")], &["duplicate", "shared-link"], "7790"),
    ("two OCFS2 node numbers alike", &[("vg_size = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }", "vg_size = \"10G\"\nocfs2_number = 1\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }"), ("vg_size = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.12/24\" }", "vg_size = \"10G\"\nocfs2_number = 1\nreplication = { interface = \"eth1\", address = \"10.9.0.12/24\" }")], &["duplicate"], "1"),
    ("two volumes on one mountpoint", &[("mountpoint = \"/vol/media\"", "mountpoint = \"/vol/local\"")], &["duplicate"], "/vol/local"),
    ("a filesystem on a volume's mountpoint", &[("mountpoint = \"/vol/shared\"", "mountpoint = \"/vol/local\"")], &["duplicate"], "/vol/local"),
    ("a share's link on a volume's mountpoint", &[("link = \"/vol/home\"", "link = \"/vol/local\"")], &["duplicate"], "/vol/local"),
    ("a node whose package is the ids package", &[("[nodes.beta]", "[nodes.ids]"), ("server = \"beta\"", "server = \"ids\"")], &["duplicate"], "ids"),
    ("one GID pinned twice", &[("libvirt-qemu = 64055", "libvirt-qemu = 994")], &["duplicate"], "994"),
    ("unison client and server alike", &[("server = \"beta\"", "server = \"alpha\"")], &["duplicate"], "alpha"),
    ("a node listed twice", &[("volume = \"back0\"", "volume = \"back0\"\nnodes = [\"alpha\", \"alpha\"]")], &["duplicate"], "alpha"),
    ("a NIS user listed twice", &[("[unison]", "[nis]\ndomain = \"mini.example\"\nhome_share = \"home\"\nusers = [\"alexis\", \"alexis\"]\n\n[unison]")], &["duplicate"], "alexis"),
    ("an OCFS2 number taken by position", &[("vg_size = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }", "vg_size = \"10G\"\nocfs2_number = 2\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }")], &["duplicate"], "beta"),
    ("two shares on two directories of one volume", &[("[shares.scratch]\non = \"local\"", "[shares.scratch]\non = \"local\"\ndir = \"x\"\n\n[shares.scratch2]\non = \"local\"\ndir = \"y\"")], &[], ""),
    ("two shares on one directory", &[("[shares.scratch]\non = \"local\"", "[shares.scratch]\non = \"local\"\n\n[shares.scratch2]\non = \"local\"\ndir = \"scratch\"")], &["duplicate"], "scratch"),
    ("a NIS staging share listed twice", &[("[unison]", "[nis]\ndomain = \"mini.example\"\nstaging = [\"home\", \"home\"]\n\n[unison]")], &["duplicate"], "home"),
    ("a client link on the staging directory", &[("[unison]", "[client]\nlinks = { \"/staging\" = \"staging/pub\" }\n\n[unison]")], &["duplicate"], "/staging"),
    ("a client link on an automount point", &[("[unison]", "[client]\nlinks = { \"/data\" = \"staging/pub\" }\nautomounts = { \"/data\" = \"auto.home\" }\n\n[unison]")], &["duplicate"], "/data"),
    ("a unison volume missing on the server", &[("size = \"2G\"\nkind = \"unison\"", "size = \"2G\"\nkind = \"unison\"\nnodes = [\"alpha\"]")], &["wrong-reference"], "media"),
    // Mountpoints and public symlinks side by side, never one inside another.
    ("a share's link inside a volume's mountpoint", &[("link = \"/vol/home\"", "link = \"/vol/local/home\"")], &["nested-mountpoint"], "/vol/local/home"),
    ("a share's link inside an OCFS2 mountpoint", &[("link = \"/vol/home\"", "link = \"/vol/shared/public/home\"")], &["nested-mountpoint"], "/vol/shared/public/home"),
    ("a share's link above mountpoints", &[("link = \"/vol/home\"", "link = \"/vol\"")], &["nested-mountpoint"], "/vol"),
    ("a share's link beside a mountpoint of the same prefix", &[("link = \"/vol/home\"", "link = \"/vol/localhome\"")], &[], ""),
    ("a volume mounted inside another", &[("mountpoint = \"/vol/media\"", "mountpoint = \"/vol/local/media\"")], &["nested-mountpoint"], "/vol/local/media"),
    ("an OCFS2 filesystem mounted inside a volume", &[("mountpoint = \"/vol/shared\"", "mountpoint = \"/vol/media/shared\"")], &["nested-mountpoint"], "/vol/media/shared"),
    ("a volume mounted inside an OCFS2 filesystem", &[("mountpoint = \"/vol/local\"", "mountpoint = \"/vol/shared/sub/local\"")], &["nested-mountpoint"], "/vol/shared/sub/local"),
    ("mountpoints of the same prefix side by side", &[("mountpoint = \"/vol/media\"", "mountpoint = \"/vol/local2\"")], &[], ""),
    // Each resource is initialised by one of its own nodes.
    ("a resource of another pair is initialised by its first node", &[GAMMA[0], GAMMA[1], GAMMA[2], R1_BETA_GAMMA], &[], ""),
    ("a resource of another pair without a site initialiser", &[GAMMA[0], GAMMA[1], GAMMA[2], R1_BETA_GAMMA, NO_INITIALISER], &[], ""),
    ("a resource of its own pair with the initialiser", &[GAMMA[0], GAMMA[1], GAMMA[2], R1_ALPHA_GAMMA], &[], ""),
    ("a resource's initialiser that is not one of its nodes", &[GAMMA[0], GAMMA[1], GAMMA[2], R1_BETA_GAMMA, ("nodes = [\"beta\", \"gamma\"]", "nodes = [\"beta\", \"gamma\"]\ninitialiser = \"alpha\"")], &["wrong-reference"], "alpha"),
    ("a resource's initialiser that is no node", &[("volume = \"back0\"", "volume = \"back0\"\ninitialiser = \"alfa\"")], &["unknown-reference"], "alfa"),
    ("an unknown site initialiser is not checked against resources", &[GAMMA[0], GAMMA[1], GAMMA[2], R1_BETA_GAMMA, ("initialiser = \"alpha\"", "initialiser = \"alfa\"")], &["unknown-reference"], "alfa"),
    ("a resource of one node", &[GAMMA[0], GAMMA[1], GAMMA[2], ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7791\nvolume = \"back1\"\nnodes = [\"gamma\"]\n\n[ocfs2]")], &["node-count"], "r1"),
    // Several unison volumes: each its own pair and direction; a node runs one sync and serves one.
    ("a second unison volume the other way", &[MEDIA2, ("schedule = \"daily\"", "schedule = \"daily\"\n\n[unison.volumes.media2]\nclient = \"beta\"\nserver = \"alpha\"")], &[], ""),
    ("a node the client of two unison volumes", &[MEDIA2, ("schedule = \"daily\"", "schedule = \"daily\"\n\n[unison.volumes.media2]\nclient = \"alpha\"\nserver = \"beta\"")], &["duplicate"], "alpha"),
    ("a unison volume synchronised twice", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[unison.volumes.media]\nclient = \"beta\"\nserver = \"alpha\"")], &["duplicate"], "media"),
    ("a further unison volume that is not one", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[unison.volumes.local]\nclient = \"beta\"\nserver = \"alpha\"")], &["wrong-reference"], "local"),
    // Minors are the node's, ports the address's: two pairs may share both.
    ("two pairs of one minor and port", &[GAMMA[0], ("[ids.groups]", "[nodes.delta]\naddress = \"10.0.0.14\"\nreplication = { interface = \"eth1\", address = \"10.9.0.14/24\" }\n\n[ids.groups]"), GAMMA[1], GAMMA[2], ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 0\nport = 7790\nvolume = \"back1\"\nnodes = [\"gamma\", \"delta\"]\n\n[ocfs2]")], &[], ""),
    ("two pairs mounting one path", &[GAMMA[0], ("[ids.groups]", "[nodes.delta]\naddress = \"10.0.0.14\"\nreplication = { interface = \"eth1\", address = \"10.9.0.14/24\" }\n\n[ids.groups]"), GAMMA[1], ("[drbd]", "[volumes.back1]\nsize = \"1G\"\nkind = \"drbd\"\nnodes = [\"gamma\", \"delta\"]\n\n[drbd]"), ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7791\nvolume = \"back1\"\nnodes = [\"gamma\", \"delta\"]\n\n[ocfs2]"), ("[shares.home]", "[ocfs2.filesystems.shared2]\nresource = \"r1\"\nmode = \"mail\"\nmountpoint = \"/vol/shared\"\n\n[shares.home]")], &[], ""),
    ("a pair mounting a path twice", &[GAMMA[0], GAMMA[1], GAMMA[2], R1_ALPHA_GAMMA, ("[shares.home]", "[ocfs2.filesystems.shared2]\nresource = \"r1\"\nmode = \"mail\"\nmountpoint = \"/vol/shared\"\n\n[shares.home]")], &["duplicate"], "/vol/shared"),
    ("a replication link off its peer's subnet", &[GAMMA[0], ("[ids.groups]", "[nodes.delta]\naddress = \"10.0.0.14\"\nreplication = { interface = \"eth1\", address = \"10.9.1.14/24\" }\n\n[ids.groups]"), GAMMA[1], GAMMA[2], ("\n[ocfs2]", "[drbd.resources.r1]\nminor = 1\nport = 7791\nvolume = \"back1\"\nnodes = [\"gamma\", \"delta\"]\n\n[ocfs2]")], &["replication-link"], "10.9.1.14/24"),
    // A resource's own settings over the site's.
    ("a resource's unknown protocol", &[("volume = \"back0\"", "volume = \"back0\"\nprotocol = \"D\"")], &["bad-value"], "D"),
    ("a resource's resync rate above DRBD's 4 GiB/s", &[("volume = \"back0\"", "volume = \"back0\"\nresync = { rate = \"5G\" }")], &["out-of-range"], "5G"),
    ("a resource's verify schedule that is no calendar", &[("volume = \"back0\"", "volume = \"back0\"\nverify_schedule = \"every week\"")], &["bad-schedule"], "every week"),
    ("a dual-primary resource of its own weak fencing", &[("volume = \"back0\"", "volume = \"back0\"\nfencing = \"resource-only\"")], &["dual-primary-without-fencing"], "resource-only"),
    // mkfs.ocfs2 -T vmstore and -T datafiles need 2 GiB.
    ("a vmstore filesystem below 2 GiB", &[("mode = \"mail\"", "mode = \"vmstore\"")], &["small-ocfs2"], "vmstore"),
    ("a datafiles filesystem (the default) below 2 GiB", &[("mode = \"mail\"\n", "")], &["small-ocfs2"], "shared"),
    ("a vmstore filesystem of 2 GiB", &[("mode = \"mail\"", "mode = \"vmstore\""), ("size = \"1G\"\nkind = \"drbd\"", "size = \"2G\"\nkind = \"drbd\"")], &[], ""),
    ("a refused mode is not also warned about", &[("mode = \"mail\"", "mode = \"vmstor\"")], &["bad-value"], "vmstor"),
    // Ranges.
    ("a port below 1024", &[("port = 7790", "port = 80")], &["out-of-range"], "80"),
    ("a port above 65535", &[("port = 7790", "port = 70000")], &["out-of-range"], "70000"),
    ("a negative minor", &[("minor = 0", "minor = -1")], &["out-of-range"], "-1"),
    ("a minor above 2^20-1", &[("minor = 0", "minor = 1048576")], &["out-of-range"], "1048576"),
    ("a resync rate above DRBD's 4 GiB/s", &[("[drbd]\n", "[drbd.resync]\nrate = \"5G\"\n\n[drbd]\n")], &["out-of-range"], "5G"),
    ("a c-max-rate below DRBD's 250 KiB/s", &[("[drbd]\n", "[drbd.resync]\nmax_rate = \"100K\"\n\n[drbd]\n")], &["out-of-range"], "100K"),
    ("a c-fill-target above 512 MiB", &[("[drbd]\n", "[drbd.resync]\nfill_target = \"1G\"\n\n[drbd]\n")], &["out-of-range"], "1G"),
    ("a c-plan-ahead above 30 s", &[("[drbd]\n", "[drbd.resync]\nplan_ahead = 301\n\n[drbd]\n")], &["out-of-range"], "301"),
    ("a resync rate that is not a size", &[("[drbd]\n", "[drbd.resync]\nrate = \"fast\"\n\n[drbd]\n")], &["bad-size"], "fast"),
    ("a c-min-rate above c-max-rate", &[("[drbd]\n", "[drbd.resync]\nmax_rate = \"100M\"\nmin_rate = \"200M\"\n\n[drbd]\n")], &["out-of-range"], "200M"),
    ("a misspelt resync key", &[("[drbd]\n", "[drbd.resync]\nmax_rat = \"1G\"\n\n[drbd]\n")], &["unknown-key"], "max_rat"),
    ("a UID above 65533", &[("uid = 64055", "uid = 65535")], &["out-of-range"], "65535"),
    ("a GID below 100", &[("libvirt-qemu = 64055", "libvirt-qemu = 99")], &["out-of-range"], "99"),
    ("kvm outside 100-999 (udev's system group)", &[("kvm = 994", "kvm = 1000")], &["out-of-range"], "1000"),
    ("kvm below 100", &[("kvm = 994", "kvm = 99")], &["out-of-range"], "99"),
    ("an OCFS2 node number above 254", &[("vg_size = \"10G\"\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }", "vg_size = \"10G\"\nocfs2_number = 255\nreplication = { interface = \"eth1\", address = \"10.9.0.11/24\" }")], &["out-of-range"], "255"),
    ("o2cb keepalive not below the idle timeout", &[("cluster = \"mini\"", "cluster = \"mini\"\nidle_timeout_ms = 5000\nkeepalive_delay_ms = 5000")], &["out-of-range"], "5000"),
    // DRBD 8.4: exactly two nodes.
    ("a resource on one node", &[("volume = \"back0\"", "volume = \"back0\"\nnodes = [\"alpha\"]")], &["node-count"], "r0"),
    // OCFS2 cluster names.
    ("a 17-character cluster name", &[("cluster = \"mini\"", "cluster = \"abcdefghijklmnopq\"")], &["bad-name"], "abcdefghijklmnopq"),
    ("a 16-character cluster name is fine, a dash is not", &[("cluster = \"mini\"", "cluster = \"mini-cluster\"")], &["bad-name"], "mini-cluster"),
    // Mountpoints absolute and normalised.
    ("a relative mountpoint", &[("mountpoint = \"/vol/local\"", "mountpoint = \"vol/local\"")], &["bad-path"], "vol/local"),
    ("a trailing slash", &[("mountpoint = \"/vol/shared\"", "mountpoint = \"/vol/shared/\"")], &["bad-path"], "/vol/shared/"),
    ("a doubled slash", &[("link = \"/vol/home\"", "link = \"/vol//home\"")], &["bad-path"], "/vol//home"),
    ("a dot component", &[("mountpoint = \"/vol/media\"", "mountpoint = \"/vol/./media\"")], &["bad-path"], "/vol/./media"),
    ("a mounted DRBD backing volume", &[("size = \"1G\"\nkind = \"drbd\"", "size = \"1G\"\nkind = \"drbd\"\nmountpoint = \"/vol/back0\"")], &["bad-value"], "/vol/back0"),
    ("an ext4 volume without mountpoint", &[("mountpoint = \"/vol/local\"\n", "")], &["missing-key"], "local"),
    // Exports only of replicated volumes.
    ("an export of an ext4 volume", &[("[shares.scratch]\non = \"local\"", "[shares.scratch]\non = \"local\"\nexports = [{ clients = \"10.0.0.0/24\" }]")], &["export-unreplicated"], "{ clients = \"10.0.0.0/24\" }"),
    // LV sizes fit the VG (only the LVs of that node count).
    ("LVs larger than the VG", &[("size = \"2G\"", "size = \"9G\"")], &["vg-too-small", "vg-too-small"], "alpha"),
    ("LVs of one node only", &[("size = \"2G\"\nkind = \"unison\"", "size = \"9G\"\nkind = \"ext4\"\nnodes = [\"alpha\"]"), ("[unison]\nvolume = \"media\"\nclient = \"alpha\"\nserver = \"beta\"\nschedule = \"daily\"", "")], &["vg-too-small"], "alpha"),
    // Schedules.
    ("a cron schedule", &[("schedule = \"daily\"", "schedule = \"0 0 * * *\"")], &["bad-schedule"], "0 0 * * *"),
    ("a misspelt shorthand", &[("schedule = \"daily\"", "schedule = \"dayly\"")], &["bad-schedule"], "dayly"),
    // Destinations (issue 10): never a system location, never an option.
    ("a volume mounted over /usr", &[("mountpoint = \"/vol/local\"", "mountpoint = \"/usr\"")], &["system-path"], "/usr"),
    ("a share link replacing /srv", &[("link = \"/vol/home\"", "link = \"/srv\"")], &["system-path"], "/srv"),
    ("a unison log that is the system log", &[("schedule = \"daily\"", "schedule = \"daily\"\nlogfile = \"/var/log/syslog\"")], &["system-path"], "/var/log/syslog"),
    ("a unison log of the site's own", &[("schedule = \"daily\"", "schedule = \"daily\"\nlogfile = \"/var/log/mini-unison.log\"")], &[], ""),
    ("an export client that is an option", &[("clients = \"10.0.0.0/24\"", "clients = \"-10.0.0.0/24\"")], &["leading-dash"], "-10.0.0.0/24"),
    // Values the real tools refuse (issue 10).
    ("vm.swappiness at the kernel's top", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[sysctl]\n\"vm.swappiness\" = 200\n\"kernel.panic\" = -1")], &[], ""),
    ("vm.dirty_ratio above 100", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[sysctl]\n\"vm.dirty_ratio\" = 101")], &["sysctl-range"], "101"),
    ("nofail on ext4", &[("mountpoint = \"/vol/local\"", "mountpoint = \"/vol/local\"\nmount_options = [\"noatime\", \"nofail\"]")], &[], ""),
    ("an ext4 option on OCFS2", &[("mountpoint = \"/vol/shared\"", "mountpoint = \"/vol/shared\"\nmount_options = [\"delalloc\"]")], &["fs-mount-option"], "delalloc"),
    ("as many OCFS2 slots as nodes", &[("mountpoint = \"/vol/shared\"", "mountpoint = \"/vol/shared\"\nslots = 2")], &[], ""),
    ("a link address that is its subnet's", &[("address = \"10.9.0.12/24\"", "address = \"10.9.0.0/24\"")], &["special-address"], "10.9.0.0/24"),
    ("a multicast node address", &[("address = \"10.0.0.12\"", "address = \"224.0.0.12\"")], &["special-address"], "224.0.0.12"),
    ("a replication link on lo", &[("replication = { interface = \"eth1\", address = \"10.9.0.12/24\" }", "replication = { interface = \"lo\", address = \"10.9.0.12/24\" }")], &["replication-link"], "lo"),
    ("o2cb on the NFS port", &[("cluster = \"mini\"", "cluster = \"mini\"\nport = 2049")], &["service-port"], "2049"),
    ("a 4M DRBD backing volume", &[("size = \"1G\"\nkind = \"drbd\"", "size = \"4M\"\nkind = \"drbd\"")], &[], ""),
    ("an IPv6 link with o2cb on the admin LAN", &[("address = \"10.9.0.11/24\"", "address = \"fd09::11/64\""), ("address = \"10.9.0.12/24\"", "address = \"fd09::12/64\"")], &[], ""),
    ("o2cb over IPv6 links", &[("address = \"10.9.0.11/24\"", "address = \"fd09::11/64\""), ("address = \"10.9.0.12/24\"", "address = \"fd09::12/64\""), ("cluster = \"mini\"", "cluster = \"mini\"\nnetwork = \"replication\"")], &["ocfs2-ipv6", "ocfs2-ipv6", "shared-link"], "fd09::11/64"),
    ("a node's own name at its address", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[hosts]\n\"10.0.0.11\" = [\"alpha.mini.example\", \"nas\"]")], &[], ""),
    ("localhost rebound", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[hosts]\n\"10.0.0.50\" = [\"localhost\"]")], &["hosts-rebind"], "localhost"),
    ("a node as forwarder", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[resolver]\nforwarders = [\"10.0.0.12\"]")], &["resolver-loop"], "10.0.0.12"),
    ("forwarders without the caching resolver", &[("schedule = \"daily\"", "schedule = \"daily\"\n\n[resolver]\ncaching = false\nforwarders = [\"10.0.0.1\"]")], &["unused-key"], "10.0.0.1"),
    // Protocols the kernel refuses with the resource's other settings.
    ("dual-primary over protocol B", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nprotocol = \"B\"")], &["drbd-protocol"], "B"),
    ("a resource's own protocol A, dual-primary", &[("volume = \"back0\"", "volume = \"back0\"\nprotocol = \"A\"")], &["drbd-protocol"], "A"),
    ("single-primary over protocol B, OCFS2 on it", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nprotocol = \"B\"\nallow_two_primaries = false")], &["wrong-reference"], "r0"),
    ("protocol A with resource-and-stonith, single-primary", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nprotocol = \"A\"\nallow_two_primaries = false\nfencing = \"resource-and-stonith\"")], &["drbd-protocol", "wrong-reference"], "A"),
    // Warnings.
    ("export to * with no_root_squash", &[("clients = \"10.0.0.0/24\", options = [\"rw\", \"sync\", \"no_subtree_check\"]", "clients = \"*\", options = [\"rw\", \"no_root_squash\"]")], &["export-world-root"], "*"),
    ("dual-primary without fencing", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nfencing = \"dont-care\"")], &["dual-primary-without-fencing"], "dont-care"),
    ("DRBD and o2cb on one link", &[("cluster = \"mini\"", "cluster = \"mini\"\nnetwork = \"replication\"")], &["shared-link"], "replication"),
    ("DRBD and o2cb on the admin LAN", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nnetwork = \"admin\"")], &["shared-link"], "admin"),
    ("an unsigned repository", &[("signing_key = \"mini archive key\"", "unsigned = true")], &["unsigned-repository"], "true"),
    // Fencing: the witness and the power-fencing commands.
    ("a witness that is a node", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nwitness = \"10.0.0.12\"")], &["bad-address"], "10.0.0.12"),
    ("a witness that is no address", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nwitness = \"gateway\"")], &["bad-address"], "gateway"),
    ("a fence command with a shell metacharacter", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nfence_command = { beta = \"ipmitool power off; reboot\" }")], &["bad-value"], "ipmitool power off; reboot"),
    ("a fence command with a quote", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nfence_command = { beta = \"ipmitool -P 'x y' power off\" }")], &["bad-value"], "ipmitool -P 'x y' power off"),
    ("a fence command for an unknown node", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nfence_command = { gamma = \"/usr/bin/ipmitool -H 10.0.2.13 -f /etc/ipmi.pass chassis power off\" }")], &["unknown-reference"], "gamma"),
    ("an unknown verify algorithm", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nverify_alg = \"crc32\"")], &["bad-value"], "crc32"),
    ("a verify schedule that is no calendar", &[("initialiser = \"alpha\"", "initialiser = \"alpha\"\nverify_schedule = \"every week\"")], &["bad-schedule"], "every week"),
];

fn apply(case: &Case) -> String {
    let mut text = std::fs::read_to_string("tests/fixtures/minimal.toml").unwrap();
    for (old, new) in case.1 {
        assert_eq!(
            text.matches(old).count(),
            1,
            "{}: {old:?} is not unique",
            case.0
        );
        text = text.replacen(old, new, 1);
    }
    text
}

#[test]
fn every_rule_reports_its_code_at_the_offending_text_and_nothing_else() {
    let mut failures = Vec::new();
    for case in CASES {
        let text = apply(case);
        let checked = check_str("minimal.toml", &text, "/");
        let report = checked.render_plain();
        let mut diags: Vec<_> = checked.diagnostics.iter().collect();
        diags.sort_by_key(|d| (d.span.start, d.code));
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        let mut expected = case.2.to_vec();
        expected.sort_unstable();
        let mut got = codes.clone();
        got.sort_unstable();
        if got != expected {
            failures.push(format!(
                "{}: expected {:?}, got {codes:?}\n{report}",
                case.0, case.2
            ));
            continue;
        }
        let Some(first) = diags.iter().find(|d| Some(&d.code) == case.2.first()) else {
            continue; // a control case: the edit is valid
        };
        let under = &text[first.span.clone()];
        if under != case.3 {
            failures.push(format!(
                "{}: caret under {under:?}, expected {:?}\n{report}",
                case.0, case.3
            ));
        }
        let warning_only = diags.iter().all(|d| !d.is_error());
        if checked.site.is_some() != warning_only {
            failures.push(format!(
                "{}: a site is returned exactly when there is no error",
                case.0
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_edits_start_from_a_clean_profile() {
    let text = std::fs::read_to_string("tests/fixtures/minimal.toml").unwrap();
    let checked = check_str("minimal.toml", &text, "/");
    assert!(checked.diagnostics.is_empty(), "{}", checked.render_plain());
    let site = checked.site.unwrap();
    assert_eq!(site.nodes.len(), 2);
    assert_eq!(site.drbd.resources.len(), 1);
}

#[test]
fn fencing_keys_next_to_the_refused_ones_stay_accepted() {
    let text = std::fs::read_to_string("tests/fixtures/minimal.toml")
        .unwrap()
        .replace(
            "initialiser = \"alpha\"",
            "initialiser = \"alpha\"\nwitness = \"10.0.0.1\"\nverify_alg = \"sha256\"\nverify_schedule = \"Sun *-*-1..7 03:00\"\nfence_command = { beta = \"/usr/bin/ipmitool -I lanplus -H 10.0.2.12 -U admin -f /etc/ipmi.pass chassis power off\", alpha = \"fence_ipmilan --ip=10.0.2.11 --username=admin --password-script=/etc/ipmi-pass.sh --action=off\" }",
        );
    let checked = check_str("minimal.toml", &text, "/");
    assert!(checked.diagnostics.is_empty(), "{}", checked.render_plain());
    let site = checked.site.unwrap();
    assert_eq!(site.drbd.witness.to_string(), "10.0.0.1");
    assert_eq!(site.drbd.verify_alg, "sha256");
    assert!(site
        .drbd
        .fence_command("beta")
        .unwrap()
        .ends_with("chassis power off"));
    assert_eq!(site.drbd.fence_commands.len(), 2);
    // Defaults: the install server, crc32c, monthly, no power fencing.
    let plain = std::fs::read_to_string("tests/fixtures/minimal.toml").unwrap();
    let site = check_str("minimal.toml", &plain, "/").site.unwrap();
    assert_eq!(site.drbd.witness, site.install_server);
    assert_eq!(
        (
            site.drbd.verify_alg.as_str(),
            site.drbd.verify_schedule.as_str()
        ),
        ("crc32c", "monthly")
    );
    assert!(site.drbd.fence_commands.is_empty());
}
