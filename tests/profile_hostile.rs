//! Issue 2, "hostile input is refused here": for every string field of the
//! profile that reaches a maintainer script or a configuration file, a
//! random hostile string put into profiles/pasta.toml (TOML-escaped, so the
//! file still parses) is refused, with an error whose span points at that
//! value, and with no follow-on error anywhere else.
//!
//! The hostile string is the field's own valid value with one dangerous
//! token inserted at a random place, so it is the token that gets refused,
//! not a value that was wrong anyway. Each field runs its own property with
//! a deterministic RNG (64 cases; `STORPKG_HOSTILE_CASES` overrides, and
//! `STORPKG_HOSTILE_RANDOM=1` draws new cases each run).

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::ops::Range;
use storpkg::profile::check_str;

/// Keys pasta.toml leaves out or comments out, so that their fields can be
/// attacked too. The result must still be a clean profile.
fn base_profile() -> String {
    let text = std::fs::read_to_string("profiles/pasta.toml").unwrap();
    let add = |text: String, after: &str, line: &str| {
        let at = text.find(after).unwrap_or_else(|| panic!("{after:?}")) + after.len();
        let mut t = text;
        t.insert_str(at, &format!("\n{line}"));
        t
    };
    let mut t = text;
    t = add(
        t,
        "mail_relay = \"192.168.1.1\"",
        "templates = \"/etc/storpkg/templates\"",
    );
    t = add(
        t,
        "# gnupg_home = \"/root/.gnupg\"",
        "gnupg_home = \"/root/.gnupg\"",
    );
    t = add(
        t,
        "gecos = \"Libvirt Qemu\"",
        "shell = \"/usr/sbin/nologin\"",
    );
    t = add(
        t,
        "[shares.home]",
        "dir = \"home\"\nmode = \"0755\"\nowner = \"root\"\ngroup = \"users\"",
    );
    t = add(
        t,
        "# server_host_key = \"ssh-ed25519 AAAA...\"",
        "client_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBERERERERERERERERERERERERERERERERERERERERER root@fiori\"\n\
         server_host_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi\"",
    );
    t = add(
        t,
        "# min_rate = \"20M\"                       # c-min-rate",
        "[drbd.resync]\nrate = \"32M\"\nfill_target = \"2M\"\nmax_rate = \"300M\"\nmin_rate = \"8M\"",
    );
    t.push_str("forwarders = [\"192.168.1.2\"]\n\n[hosts]\n\"192.168.1.20\" = [\"nas\"]\n");
    t
}

/// One place a field's value is written: `anchor` is a unique piece of the
/// profile holding `old`; a bare key (`[nodes.fiori]`) is rewritten as a
/// quoted key.
struct Place {
    anchor: &'static str,
    old: &'static str,
    bare_key: bool,
}

const fn at(anchor: &'static str, old: &'static str) -> Place {
    Place {
        anchor,
        old,
        bare_key: false,
    }
}

const fn key(anchor: &'static str, old: &'static str) -> Place {
    Place {
        anchor,
        old,
        bare_key: true,
    }
}

/// A field: its name, every place its value is written (the first is the
/// definition, which must be refused; references elsewhere get the same
/// value), and the tokens its grammar rightly allows.
struct Field {
    name: &'static str,
    places: &'static [Place],
    allowed: &'static [&'static str],
}

const NONE: &[&str] = &[];
const TEXT: &[&str] = &[" ", "..", "*", "/../", "#", ":"];

#[rustfmt::skip]
const FIELDS: &[Field] = &[
    Field { name: "site.name", places: &[at("name = \"pasta\"", "pasta")], allowed: NONE },
    Field { name: "site.domain", places: &[at("domain = \"pasta.net\"\nversion", "pasta.net")], allowed: NONE },
    Field { name: "site.version", places: &[at("version = \"1.0\"", "1.0")], allowed: &[".."] },
    Field { name: "site.maintainer", places: &[at("maintainer = \"Pasta Storage Admins <root@pasta.net>\"", "Pasta Storage Admins <root@pasta.net>")], allowed: &[" ", ".."] },
    Field { name: "site.changes", places: &[at("\"Storage configuration of the pasta site, from the 2013 how-to.\"", "Storage configuration of the pasta site, from the 2013 how-to.")], allowed: TEXT },
    Field { name: "site.install_server", places: &[at("install_server = \"192.168.1.1\"", "192.168.1.1")], allowed: NONE },
    Field { name: "site.mail_relay", places: &[at("mail_relay = \"192.168.1.1\"", "192.168.1.1")], allowed: NONE },
    Field { name: "site.templates", places: &[at("templates = \"/etc/storpkg/templates\"", "/etc/storpkg/templates")], allowed: NONE },
    Field { name: "repository.path", places: &[at("path = \"/pasta\"", "/pasta")], allowed: NONE },
    Field { name: "repository.origin", places: &[at("origin = \"pasta\"", "pasta")], allowed: TEXT },
    Field { name: "repository.label", places: &[at("label = \"pasta storage\"", "pasta storage")], allowed: TEXT },
    Field { name: "repository.signing_key", places: &[at("signing_key = \"storpkg pasta archive key\"", "storpkg pasta archive key")], allowed: &[" ", "..", "<", ">"] },
    Field { name: "repository.gnupg_home", places: &[at("\ngnupg_home = \"/root/.gnupg\"", "/root/.gnupg")], allowed: NONE },
    Field { name: "apt.mirror", places: &[at("mirror = \"http://192.168.1.1/debian\"", "http://192.168.1.1/debian")], allowed: NONE },
    Field { name: "apt.security_mirror", places: &[at("security_mirror = \"http://192.168.1.1/debian-security\"", "http://192.168.1.1/debian-security")], allowed: NONE },
    Field { name: "nodes.NAME", places: &[key("[nodes.fiori]", "fiori"), at("initialiser = \"fiori\"", "fiori"), at("client = \"fiori\"", "fiori")], allowed: NONE },
    Field { name: "nodes.address", places: &[at("address = \"192.168.1.6\"", "192.168.1.6")], allowed: NONE },
    Field { name: "nodes.volume_group", places: &[at("[nodes.fiori]\naddress = \"192.168.1.6\"\nvolume_group = \"vg0\"", "vg0")], allowed: NONE },
    Field { name: "nodes.vg_size", places: &[at("[nodes.fiori]\naddress = \"192.168.1.6\"\nvolume_group = \"vg0\"\nvg_size = \"3.64T\"", "3.64T")], allowed: NONE },
    Field { name: "nodes.replication.interface", places: &[at("{ interface = \"eth1\", address = \"10.11.12.6/24\" }", "eth1")], allowed: &[".."] },
    Field { name: "nodes.replication.address", places: &[at("address = \"10.11.12.6/24\"", "10.11.12.6/24")], allowed: NONE },
    Field { name: "ids.groups.NAME", places: &[key("kvm = 900", "kvm"), at("group = \"kvm\"", "kvm")], allowed: NONE },
    Field { name: "ids.users.NAME", places: &[key("[ids.users.libvirt-qemu]", "libvirt-qemu")], allowed: NONE },
    Field { name: "ids.users.groups", places: &[at("groups = [\"libvirt-qemu\"]", "libvirt-qemu")], allowed: NONE },
    Field { name: "ids.users.home", places: &[at("home = \"/var/lib/libvirt\"", "/var/lib/libvirt")], allowed: NONE },
    Field { name: "ids.users.shell", places: &[at("shell = \"/usr/sbin/nologin\"", "/usr/sbin/nologin")], allowed: NONE },
    Field { name: "ids.users.gecos", places: &[at("gecos = \"Libvirt Qemu\"", "Libvirt Qemu")], allowed: &[" ", "..", "*", "/../", "#"] },
    Field { name: "volumes.NAME", places: &[key("[volumes.rep-unison]", "rep-unison"), at("on = \"rep-unison\"", "rep-unison"), at("volume = \"rep-unison\"", "rep-unison")], allowed: NONE },
    Field { name: "volumes.size", places: &[at("size = \"2T\"", "2T")], allowed: NONE },
    Field { name: "volumes.mountpoint", places: &[at("mountpoint = \"/vol/rep-no\"", "/vol/rep-no")], allowed: NONE },
    Field { name: "volumes.mount_options", places: &[at("mountpoint = \"/vol/rep-no\"\nmount_options = [\"noatime\"", "noatime")], allowed: NONE },
    Field { name: "drbd.initialiser", places: &[at("initialiser = \"fiori\"", "fiori")], allowed: NONE },
    Field { name: "drbd.split_brain_notify", places: &[at("split_brain_notify = \"root\"", "root")], allowed: NONE },
    Field { name: "drbd.after_sb_0pri", places: &[at("after_sb_0pri = \"discard-zero-changes\"", "discard-zero-changes")], allowed: NONE },
    Field { name: "drbd.resync.rate", places: &[at("rate = \"32M\"", "32M")], allowed: NONE },
    Field { name: "drbd.resync.fill_target", places: &[at("fill_target = \"2M\"", "2M")], allowed: NONE },
    Field { name: "drbd.resync.max_rate", places: &[at("max_rate = \"300M\"", "300M")], allowed: NONE },
    Field { name: "drbd.resync.min_rate", places: &[at("min_rate = \"8M\"", "8M")], allowed: NONE },
    Field { name: "drbd.fencing", places: &[at("fencing = \"resource-and-stonith\"", "resource-and-stonith")], allowed: NONE },
    Field { name: "drbd.resources.NAME", places: &[key("[drbd.resources.drbd1]", "drbd1"), at("resource = \"drbd1\"", "drbd1")], allowed: NONE },
    Field { name: "drbd.resources.volume", places: &[at("volume = \"rep-drbd0\"", "rep-drbd0")], allowed: NONE },
    Field { name: "ocfs2.cluster", places: &[at("cluster = \"ocfs2\"", "ocfs2")], allowed: NONE },
    Field { name: "ocfs2.filesystems.NAME", places: &[key("[ocfs2.filesystems.ocfs2-large]", "ocfs2-large"), at("on = \"ocfs2-large\"", "ocfs2-large")], allowed: NONE },
    Field { name: "ocfs2.filesystems.resource", places: &[at("resource = \"drbd0\"", "drbd0")], allowed: NONE },
    Field { name: "ocfs2.filesystems.mode", places: &[at("mode = \"vmstore\"", "vmstore")], allowed: NONE },
    Field { name: "ocfs2.filesystems.mountpoint", places: &[at("mountpoint = \"/vol/ocfs2-small\"", "/vol/ocfs2-small")], allowed: NONE },
    Field { name: "ocfs2.filesystems.mount_options", places: &[at("mountpoint = \"/vol/ocfs2-small\"\nmount_options = [\"noatime\", \"data=writeback\"", "data=writeback")], allowed: NONE },
    Field { name: "shares.NAME", places: &[key("[shares.home]", "home"), at("home_share = \"home\"", "home")], allowed: NONE },
    Field { name: "shares.on", places: &[at("[shares.scratch]\non = \"rep-no\"", "rep-no")], allowed: NONE },
    Field { name: "shares.link", places: &[at("link = \"/vol/home\"", "/vol/home")], allowed: NONE },
    Field { name: "shares.dir", places: &[at("dir = \"home\"", "home")], allowed: NONE },
    Field { name: "shares.mode", places: &[at("mode = \"0755\"", "0755")], allowed: NONE },
    Field { name: "shares.owner", places: &[at("owner = \"root\"", "root")], allowed: NONE },
    Field { name: "shares.group", places: &[at("group = \"users\"", "users")], allowed: NONE },
    Field { name: "shares.libvirt_pool", places: &[at("libvirt_pool = \"vmpool0\"", "vmpool0")], allowed: NONE },
    Field { name: "shares.exports.clients", places: &[at("[shares.home]\ndir = \"home\"\nmode = \"0755\"\nowner = \"root\"\ngroup = \"users\"\non = \"ocfs2-small\"\nlink = \"/vol/home\"\nexports = [{ clients = \"192.168.1.0/24\"", "192.168.1.0/24")], allowed: &["*"] },
    Field { name: "shares.exports.options", places: &[at("link = \"/vol/home\"\nexports = [{ clients = \"192.168.1.0/24\", options = [\"rw\", \"no_root_squash\"", "no_root_squash")], allowed: NONE },
    Field { name: "unison.volume", places: &[at("volume = \"rep-unison\"", "rep-unison")], allowed: NONE },
    Field { name: "unison.client", places: &[at("client = \"fiori\"", "fiori")], allowed: NONE },
    Field { name: "unison.server", places: &[at("server = \"torchio\"", "torchio")], allowed: NONE },
    Field { name: "unison.profile", places: &[at("profile = \"vol-rep-unison\"", "vol-rep-unison")], allowed: NONE },
    Field { name: "unison.schedule", places: &[at("schedule = \"*-*-* 00:00:00\"", "*-*-* 00:00:00")], allowed: &[" ", "..", "*"] },
    Field { name: "unison.prefer", places: &[at("prefer = \"newer\"", "newer")], allowed: NONE },
    Field { name: "unison.logfile", places: &[at("logfile = \"/var/log/unison.log\"", "/var/log/unison.log")], allowed: NONE },
    Field { name: "unison.logrotate.frequency", places: &[at("frequency = \"daily\"", "daily")], allowed: NONE },
    Field { name: "unison.client_key", places: &[at("\nclient_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBERERERERERERERERERERERERERERERERERERERERER root@fiori\"", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBERERERERERERERERERERERERERERERERERERERERER root@fiori")], allowed: &[".."] },
    Field { name: "unison.server_host_key", places: &[at("\nserver_host_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi\"", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi")], allowed: NONE },
    Field { name: "client.staging", places: &[at("staging = \"/staging\"", "/staging")], allowed: NONE },
    Field { name: "client.links.PATH", places: &[at("links = { \"/pub\"", "/pub")], allowed: NONE },
    Field { name: "client.links.target", places: &[at("= \"staging/pub\"", "staging/pub")], allowed: NONE },
    Field { name: "client.automounts.PATH", places: &[at("\"/home\" = \"auto.home\"", "/home")], allowed: NONE },
    Field { name: "client.automounts.map", places: &[at("\"/home\" = \"auto.home\"", "auto.home")], allowed: NONE },
    Field { name: "nis.domain", places: &[at("[nis]\ndomain = \"pasta.net\"", "pasta.net")], allowed: NONE },
    Field { name: "nis.node_binding", places: &[at("node_binding = \"localhost\"", "localhost")], allowed: NONE },
    Field { name: "nis.automount_options", places: &[at("automount_options = [\"noquota\"", "noquota")], allowed: NONE },
    Field { name: "nis.home_share", places: &[at("home_share = \"home\"", "home")], allowed: NONE },
    Field { name: "nis.users", places: &[at("users = [\"alexis\"]", "alexis")], allowed: NONE },
    Field { name: "nis.staging", places: &[at("staging = [\"pub\"]", "pub")], allowed: NONE },
    Field { name: "sysctl.KEY", places: &[at("\"kernel.panic\" = 10", "kernel.panic")], allowed: NONE },
    Field { name: "resolver.forwarders", places: &[at("forwarders = [\"192.168.1.2\"]", "192.168.1.2")], allowed: NONE },
    Field { name: "hosts.ADDRESS", places: &[at("\"192.168.1.20\" = [\"nas\"]", "192.168.1.20")], allowed: NONE },
    Field { name: "hosts.names", places: &[at("\"192.168.1.20\" = [\"nas\"]", "nas")], allowed: NONE },
];

/// Dangerous tokens: shell and config metacharacters, whitespace, control
/// characters, traversal, wildcards, non-ASCII.
const TOKENS: &[&str] = &[
    " ",
    "\t",
    "\n",
    "\r",
    "'",
    "\"",
    "`",
    "$",
    ";",
    "|",
    "&",
    "\\",
    "..",
    "*",
    "é",
    "\u{0}",
    "\u{7f}",
    "$(reboot)",
    "/../",
    "#",
    "<",
    ">",
    "\u{200b}",
];

fn toml_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// `old` with one token of `tokens` inserted at a random char boundary.
fn hostile(old: &'static str, tokens: Vec<&'static str>) -> impl Strategy<Value = String> {
    let len = old.chars().count();
    (prop::sample::select(tokens), 0..=len).prop_map(move |(tok, i)| {
        let at = old.char_indices().nth(i).map_or(old.len(), |(b, _)| b);
        format!("{}{tok}{}", &old[..at], &old[at..])
    })
}

/// The profile with `value` written at every place of `field`, and the
/// byte ranges it now occupies (quotes included), definition first.
fn patch(base: &str, field: &Field, value: &str) -> (String, Vec<Range<usize>>) {
    let mut text = base.to_string();
    let mut spans: Vec<Range<usize>> = Vec::new();
    for p in field.places {
        assert_eq!(
            text.matches(p.anchor).count(),
            1,
            "{}: anchor {:?} is not unique",
            field.name,
            p.anchor
        );
        let anchor = text.find(p.anchor).unwrap();
        let start = if p.bare_key {
            anchor + p.anchor.find(p.old).unwrap()
        } else {
            anchor + p.anchor.find(&format!("\"{}\"", p.old)).unwrap() + 1
        };
        let (from, to, new) = if p.bare_key {
            (
                start,
                start + p.old.len(),
                format!("\"{}\"", toml_escape(value)),
            )
        } else {
            (
                start - 1,
                start + p.old.len() + 1,
                format!("\"{}\"", toml_escape(value)),
            )
        };
        text.replace_range(from..to, &new);
        let delta = new.len() as isize - (to - from) as isize;
        for s in spans.iter_mut().filter(|s| s.start > from) {
            s.start = (s.start as isize + delta) as usize;
            s.end = (s.end as isize + delta) as usize;
        }
        spans.push(from..from + new.len());
    }
    (text, spans)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end.max(a.start + 1)
}

#[test]
fn the_attacked_base_profile_is_clean() {
    let base = base_profile();
    let checked = check_str("pasta+.toml", &base, "/");
    assert!(checked.diagnostics.is_empty(), "{}", checked.render_plain());
    // Every place of every field is found where the table says.
    for f in FIELDS {
        let (text, spans) = patch(&base, f, "x");
        for s in &spans {
            assert_eq!(&text[s.clone()], "\"x\"", "{}", f.name);
        }
    }
}

#[test]
fn hostile_strings_in_every_field_are_refused_at_the_value() {
    let base = base_profile();
    let cases = std::env::var("STORPKG_HOSTILE_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    let mut failures = Vec::new();
    for field in FIELDS {
        let tokens: Vec<&str> = TOKENS
            .iter()
            .copied()
            .filter(|t| !field.allowed.contains(t))
            .collect();
        let mut runner =
            common::proptest_runner(cases, std::env::var_os("STORPKG_HOSTILE_RANDOM").is_some());
        let result = runner.run(&hostile(field.places[0].old, tokens), |value| {
            let (text, spans) = patch(&base, field, &value);
            let checked = check_str("pasta.toml", &text, "/");
            let report = checked.render_plain();
            let fail = |why: &str| {
                TestCaseError::fail(format!("{} = {value:?}: {why}\n{report}", field.name))
            };
            if checked.diagnostics.iter().any(|d| d.code == "toml-syntax") {
                return Err(fail(
                    "the patched profile does not parse (bad escaping in the test)",
                ));
            }
            if checked.site.is_some() || checked.errors() == 0 {
                return Err(fail("accepted"));
            }
            if !checked
                .diagnostics
                .iter()
                .any(|d| d.is_error() && overlaps(&d.span, &spans[0]))
            {
                return Err(fail("no error points at the value"));
            }
            if let Some(d) = checked
                .diagnostics
                .iter()
                .find(|d| !spans.iter().any(|s| overlaps(&d.span, s)))
            {
                return Err(fail(&format!(
                    "follow-on `{}` elsewhere: {}",
                    d.code, d.message
                )));
            }
            Ok(())
        });
        if let Err(e) = result {
            failures.push(e.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} field(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Control characters (and invisible format characters) in every field:
/// the rendered diagnostics hold none of them raw, only `\n` between lines.
#[test]
fn control_characters_in_every_field_are_escaped() {
    let base = base_profile();
    let raw = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}')
    };
    for field in FIELDS {
        for c in [
            '\u{1b}', '\0', '\r', '\n', '\t', '\u{7f}', '\u{9b}', '\u{85}', '\u{202e}',
        ] {
            let value = format!("{c}[31m{}{c}", field.places[0].old);
            let (text, _) = patch(&base, field, &value);
            let report = check_str("pasta.toml", &text, "/").render_plain();
            assert!(
                !report.chars().any(raw),
                "{} = {value:?}: a raw control character in\n{report:?}",
                field.name
            );
        }
    }
}

/// Random valid-looking profiles (version, origin, label, the apt mirrors,
/// a site template): whenever `check` (the profile stage and the checks of
/// the filesystem) passes, `build` passes too.
#[test]
fn check_passes_then_build_passes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("tpl/system")).unwrap();
    std::fs::write(
        tmp.path().join("tpl/system/sysctl.conf"),
        "# own\n{% for s in sysctl %}{{ s.key }} = {{ s.value }}\n{% endfor %}",
    )
    .unwrap();
    let base = std::fs::read_to_string("profiles/pasta.toml")
        .unwrap()
        .replace(
            "signing_key = \"storpkg pasta archive key\"",
            "unsigned = true",
        );
    let profile = (
        "[0-9][0-9a-z.+~]{0,240}",
        "[A-Za-z0-9 .:-]{0,20}",
        "[A-Za-z0-9 .:-]{0,20}",
        0..4usize,
        any::<bool>(),
    );
    let mut runner = common::proptest_runner(16, false);
    let built = std::cell::Cell::new(0);
    runner
        .run(&profile, |(version, origin, label, apt, templates)| {
            let mut text = base
                .replace("version = \"1.0\"", &format!("version = \"{version}\""))
                .replace("origin = \"pasta\"", &format!("origin = \"{origin}\""))
                .replace("label = \"pasta storage\"", &format!("label = \"{label}\""));
            if apt & 1 == 0 {
                text = text.replace("mirror = \"http://192.168.1.1/debian\"\n", "");
            }
            if apt & 2 == 0 {
                text = text.replace(
                    "security_mirror = \"http://192.168.1.1/debian-security\"\n",
                    "",
                );
            }
            if templates {
                text = text.replace("[site]\n", "[site]\ntemplates = \"tpl\"\n");
            }
            let mut checked = check_str("pasta.toml", &text, &tmp.path().display().to_string());
            storpkg::preflight::check(&mut checked);
            let Some(site) = checked.site.clone() else {
                return Ok(());
            };
            let out = tmp.path().join("dist");
            storpkg::build::build(&site, &out).map_err(|e| {
                TestCaseError::fail(format!("check passed, build failed: {e}\n{text}"))
            })?;
            built.set(built.get() + 1);
            Ok(())
        })
        .unwrap();
    assert!(built.get() > 0, "no generated profile passed check");
}

/// The refused profile: an error on the value (its first place), no site.
fn refused_at(base: &str, field: &Field, value: &str) -> Result<(), String> {
    let (text, spans) = patch(base, field, value);
    let checked = check_str("pasta.toml", &text, "/");
    let why = if checked.site.is_some() || checked.errors() == 0 {
        "accepted"
    } else if !checked
        .diagnostics
        .iter()
        .any(|d| d.is_error() && overlaps(&d.span, &spans[0]))
    {
        "no error points at the value"
    } else {
        return Ok(());
    };
    Err(format!(
        "{} = {value:?}: {why}\n{}",
        field.name,
        checked.render_plain()
    ))
}

/// Fields whose path becomes a mountpoint, symlink, directory, log file or
/// automount root on a node.
const DESTINATIONS: &[&str] = &[
    "volumes.mountpoint",
    "ocfs2.filesystems.mountpoint",
    "shares.link",
    "unison.logfile",
    "client.staging",
    "client.links.PATH",
    "client.automounts.PATH",
];

/// System locations, what lies inside them and what holds them.
const SYSTEM_PATHS: &[&str] = &[
    "/usr",
    "/etc",
    "/etc/shadow",
    "/etc/passwd",
    "/etc/drbd.d",
    "/boot",
    "/dev",
    "/proc/x",
    "/sys",
    "/run",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/root",
    "/tmp",
    "/var/tmp/x",
    "/var",
    "/var/lib",
    "/var/lib/dpkg",
    "/var/lib/apt/lists",
    "/var/lib/nfs",
    "/var/lib/libvirt",
    "/var/cache",
    "/var/spool/cron",
    "/var/log",
    "/var/log/syslog",
    "/var/log/apt",
    "/var/run",
    "/mnt",
    "/media/x",
    "/nonexistent",
    "/lost+found",
    "/opt",
    "/snap",
];

#[test]
fn system_paths_in_every_path_field_are_refused() {
    let base = base_profile();
    let mut failures = Vec::new();
    for field in FIELDS.iter().filter(|f| DESTINATIONS.contains(&f.name)) {
        for value in SYSTEM_PATHS {
            failures.extend(refused_at(&base, field, value).err());
        }
    }
    let dir = FIELDS.iter().find(|f| f.name == "shares.dir").unwrap();
    failures.extend(refused_at(&base, dir, "/home").err());
    // Debian's own directories hold the site's trees, never a symlink.
    for name in ["shares.link", "client.links.PATH"] {
        let field = FIELDS.iter().find(|f| f.name == name).unwrap();
        for value in ["/home", "/srv"] {
            failures.extend(refused_at(&base, field, value).err());
        }
    }
    assert_eq!(DESTINATIONS.len(), 7);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_leading_dash_in_every_field_is_refused() {
    let base = base_profile();
    let failures: Vec<String> = FIELDS
        .iter()
        .filter_map(|f| refused_at(&base, f, &format!("-{}", f.places[0].old)).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
