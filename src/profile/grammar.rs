//! The strict grammars every profile string is checked against before it
//! can reach a shell script or a configuration file. Pure functions; each
//! returns what was expected when the text does not match.

use std::net::IpAddr;

mod address;
mod destination;
mod mount;
mod schedule;
pub use self::{
    address::{interface, node_address},
    destination::*,
    mount::*,
    schedule::schedule,
};

/// Regular expressions of the grammars for the JSON Schema
/// (`spec.rs`): each is a necessary condition of its grammar (every string
/// the grammar accepts matches; tests/schema.rs holds it), exact where a
/// regular expression can say it, looser where the grammar checks more
/// (no `..` in a path, the address's number, the destination).
pub mod re {
    pub const NAME: &str = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
    pub const ACCOUNT: &str = "^[a-z_][a-z0-9_-]{0,31}$";
    pub const DOMAIN: &str = "^[a-z0-9-]+(\\.[a-z0-9-]+)*$";
    pub const VERSION: &str = "^[0-9][A-Za-z0-9.+~]*$";
    pub const MAINTAINER: &str = "^[A-Za-z0-9 .,-]+ <[A-Za-z0-9._+-]+@[a-z0-9.-]+>$";
    pub const PATH: &str = "^(/[A-Za-z0-9._+-]+)+$";
    pub const RELATIVE_PATH: &str = "^/?[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$";
    pub const IP: &str = "^[0-9A-Fa-f.:]+$";
    pub const IP_PREFIX: &str = "^[0-9A-Fa-f.:]+/[0-9]{1,3}$";
    pub const SIZE: &str = "^[0-9]+(\\.[0-9]+)?[KMGTPkmgtp]?$";
    pub const OPTION: &str = "^[A-Za-z0-9_][A-Za-z0-9_.,=:/+-]*$";
    pub const CLUSTER: &str = "^[A-Za-z0-9]{1,16}$";
    pub const SYSCTL: &str = "^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$";
    pub const MAP: &str = "^auto\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
    pub const URL: &str = "^http://";
    pub const SSH_KEY: &str = "^(ssh-|ecdsa-|sk-)[a-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$";
    pub const INTERFACE: &str = "^[a-z][a-z0-9._-]{0,14}$";
    pub const SHARE_DIR: &str = "^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$";
    pub const MODE: &str = "^0[0-7]{3}$";

    /// Each pattern with the words the reference uses for it.
    pub const ALL: &[(&str, &str)] = &[
        (NAME, "a name"),
        (ACCOUNT, "a user or group name"),
        (DOMAIN, "a DNS name"),
        (VERSION, "a Debian version"),
        (MAINTAINER, "`Name <address>`"),
        (PATH, "an absolute path"),
        (RELATIVE_PATH, "a path"),
        (IP, "an IP address"),
        (IP_PREFIX, "`ADDRESS/PREFIX`"),
        (SIZE, "a size"),
        (OPTION, "an option word"),
        (CLUSTER, "1–16 letters and digits"),
        (SYSCTL, "a sysctl key"),
        (MAP, "a map name auto.NAME"),
        (URL, "an `http://` URL"),
        (SSH_KEY, "an OpenSSH public key"),
        (INTERFACE, "an interface name"),
        (SHARE_DIR, "a relative path"),
        (MODE, "an octal mode"),
    ];
}

/// Why a value was refused: the label under the caret and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub expected: String,
    pub help: Option<String>,
}

pub type Check = Result<(), Refusal>;

fn refuse(expected: impl Into<String>, help: Option<&str>) -> Check {
    Err(Refusal {
        expected: expected.into(),
        help: help.map(str::to_string),
    })
}

fn all(s: &str, ok: impl Fn(char) -> bool) -> bool {
    s.chars().all(ok)
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// Names of sites, nodes, volumes, resources, shares, pools:
/// `[a-z0-9][a-z0-9-]*`, at most 63 characters, no trailing `-`.
pub fn name(s: &str) -> Check {
    if s.is_empty()
        || s.len() > 63
        || !s.starts_with(lower_alnum)
        || s.ends_with('-')
        || !all(s, |c| lower_alnum(c) || c == '-')
    {
        return refuse(
            "a name of lower-case letters, digits and '-', starting with a letter or digit",
            Some("names end up in package names, host names and file names: use e.g. `fiori` or `rep-drbd0`"),
        );
    }
    Ok(())
}

/// User and group names, as adduser accepts for system accounts.
pub fn account(s: &str) -> Check {
    if s.is_empty()
        || s.len() > 32
        || !s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        || !all(s, |c| lower_alnum(c) || c == '-' || c == '_')
    {
        return refuse(
            "a user or group name: [a-z_][a-z0-9_-]*, at most 32 characters",
            None,
        );
    }
    Ok(())
}

/// A DNS domain: dot-separated labels of the name grammar.
pub fn domain(s: &str) -> Check {
    if s.len() > 253 || s.split('.').any(|l| name(l).is_err()) {
        return refuse("a DNS domain such as `pasta.net`", None);
    }
    Ok(())
}

/// A host name with an optional domain, or `localhost`.
pub fn host(s: &str) -> Check {
    domain(s).map_err(|_| Refusal {
        expected: "a host name such as `fiori.pasta.net`".into(),
        help: None,
    })
}

/// A native Debian version without epoch or revision: `[0-9][A-Za-z0-9.+~]*`.
pub fn version(s: &str) -> Check {
    if s.is_empty()
        || !s.starts_with(|c: char| c.is_ascii_digit())
        || !all(s, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~')
        })
    {
        return refuse(
            "a Debian version such as `1.0` or `1.2~rc1` (digits first; letters, digits, '.', '+', '~')",
            Some("site packages are native packages: no epoch ':' and no revision '-'"),
        );
    }
    Ok(())
}

fn email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, dom)) => {
            !local.is_empty()
                && all(local, |c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')
                })
                && domain(dom).is_ok()
        }
        None => false,
    }
}

/// `Full Name <address@domain>`.
pub fn maintainer(s: &str) -> Check {
    let ok = s
        .strip_suffix('>')
        .and_then(|s| s.split_once(" <"))
        .is_some_and(|(n, e)| {
            !n.trim().is_empty()
                && all(n, |c| {
                    c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\'' | ',')
                })
                && !n.contains('\'')
                && email(e)
        });
    if !ok {
        return refuse(
            "`Full Name <address@domain>`",
            Some("as in a Debian Maintainer field"),
        );
    }
    Ok(())
}

/// A local mail recipient (`root`) or an address.
pub fn recipient(s: &str) -> Check {
    if account(s).is_ok() || email(s) {
        return Ok(());
    }
    refuse("a local user such as `root` or a mail address", None)
}

/// Absolute, normalised paths of safe characters: components of
/// `[A-Za-z0-9._+-]`, none empty, `.` or starting with '-', and no `..`
/// anywhere (not even inside a component such as `a..b`).
pub fn path(s: &str) -> Check {
    let help = Some("paths are absolute and normalised, made of letters, digits and `._+-` (no spaces, quotes, `$`, `;`, `..`)");
    if s == "/" || !s.starts_with('/') || s.ends_with('/') {
        return refuse(
            "an absolute path such as `/vol/home`, without trailing '/'",
            help,
        );
    }
    for comp in s[1..].split('/') {
        if comp.is_empty()
            || comp == "."
            || comp.contains("..")
            || comp.starts_with('-')
            || !all(comp, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')
            })
        {
            return refuse("an absolute, normalised path of safe characters", help);
        }
    }
    Ok(())
}

/// A relative symlink target (`staging/pub`): path components as in [`path`].
pub fn relative_path(s: &str) -> Check {
    if s.starts_with('/') {
        return path(s);
    }
    path(&format!("/{s}")).map_err(|_| Refusal {
        expected: "a relative path of safe characters such as `staging/pub`".into(),
        help: None,
    })
}

pub fn ip(s: &str) -> Result<IpAddr, Refusal> {
    s.parse::<IpAddr>().map_err(|_| Refusal {
        expected: "an IP address such as `192.168.1.6`".into(),
        help: Some("addresses are given by number, not by name".into()),
    })
}

/// `ADDRESS/PREFIX` for an interface.
pub fn ip_with_prefix(s: &str) -> Result<(IpAddr, u8), Refusal> {
    let bad = || Refusal {
        expected: "an address with prefix length such as `10.11.12.6/24`".into(),
        help: None,
    };
    let (a, p) = s.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = a.parse().map_err(|_| bad())?;
    let prefix: u8 = p.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if prefix == 0 || prefix > max {
        return Err(bad());
    }
    Ok((addr, prefix))
}

/// NFS client patterns: `*`, an address, a network, a host name with
/// optional wildcards, or `@netgroup`.
pub fn export_clients(s: &str) -> Check {
    if s == "*" || s.parse::<IpAddr>().is_ok() || s.parse::<ipnet::IpNet>().is_ok() {
        return Ok(());
    }
    if let Some(group) = s.strip_prefix('@') {
        if account(group).is_ok() {
            return Ok(());
        }
    }
    if !s.is_empty()
        && s.split('.')
            .all(|l| !l.is_empty() && all(l, |c| lower_alnum(c) || matches!(c, '-' | '*' | '?')))
    {
        return Ok(());
    }
    refuse(
        "an NFS client pattern: `*`, an address, a network such as `192.168.1.0/24`, a host name (wildcards allowed) or `@netgroup`",
        None,
    )
}

const EXPORT_FLAGS: &[&str] = &[
    "rw",
    "ro",
    "sync",
    "async",
    "subtree_check",
    "no_subtree_check",
    "root_squash",
    "no_root_squash",
    "all_squash",
    "no_all_squash",
    "secure",
    "insecure",
    "wdelay",
    "no_wdelay",
    "hide",
    "nohide",
    "crossmnt",
    "nocrossmnt",
    "mountpoint",
    "mp",
    "secure_locks",
    "insecure_locks",
    "no_auth_nlm",
    "auth_nlm",
    "acl",
    "no_acl",
    "nordirplus",
    "pnfs",
    "no_pnfs",
    "security_label",
];
const EXPORT_VALUED: &[&str] = &[
    "anonuid",
    "anongid",
    "fsid",
    "sec",
    "mountpoint",
    "mp",
    "refer",
    "replicas",
];

/// One option of exports(5), from its vocabulary.
pub fn export_option(s: &str) -> Check {
    let ok = match s.split_once('=') {
        None => EXPORT_FLAGS.contains(&s),
        Some((k, v)) => EXPORT_VALUED.contains(&k) && option_value(v),
    };
    if ok {
        return Ok(());
    }
    let best = EXPORT_FLAGS
        .iter()
        .chain(EXPORT_VALUED)
        .map(|k| (strsim::jaro_winkler(k, s), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(Refusal {
        expected: "an exports(5) option".into(),
        help: Some(match best {
            Some((_, k)) => format!("did you mean `{k}`?"),
            None => "see exports(5): rw, ro, sync, root_squash, no_subtree_check, ...".into(),
        }),
    })
}

fn option_value(v: &str) -> bool {
    !v.is_empty()
        && !v.contains("..")
        && all(v, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '/' | '+' | '-')
        })
}

/// A mount option: `word` or `word=value`, no commas, quotes or spaces.
pub fn mount_option(s: &str) -> Check {
    let (k, v) = match s.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (s, None),
    };
    let key_ok = !k.is_empty()
        && !k.contains("..")
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && all(k, |c| lower_alnum(c) || matches!(c, '_' | '-' | '.'));
    if key_ok && v.map_or(true, option_value) {
        return Ok(());
    }
    refuse(
        "a mount option such as `noatime` or `commit=60`",
        Some("one option per list item; no commas, spaces or quotes"),
    )
}

/// An automount map option (`noquota`, `nfsvers=3`); the map adds the `-`.
pub fn automount_option(s: &str) -> Check {
    mount_option(s)
}

/// A size as LVM takes it: a number with an optional K, M, G, T, P suffix
/// (binary units); returns bytes.
pub fn size(s: &str) -> Result<u64, Refusal> {
    let bad = || Refusal {
        expected: "a size such as `200G`, `2T` or `3.64T`".into(),
        help: Some(
            "units are K, M, G, T, P (powers of 1024, as lvcreate); a bare number is MiB".into(),
        ),
    };
    let (num, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_uppercase()),
        _ => (s, 'M'),
    };
    let shift = match unit {
        'K' => 10,
        'M' => 20,
        'G' => 30,
        'T' => 40,
        'P' => 50,
        _ => return Err(bad()),
    };
    if num.is_empty()
        || !all(num, |c| c.is_ascii_digit() || c == '.')
        || num.matches('.').count() > 1
        || num.starts_with('.')
        || num.ends_with('.')
    {
        return Err(bad());
    }
    let value: f64 = num.parse().map_err(|_| bad())?;
    let bytes = value * (1u64 << shift) as f64;
    if bytes < 1.0 || bytes > u64::MAX as f64 / 2.0 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// `key.sub.name` of sysctl(8).
pub fn sysctl_key(s: &str) -> Check {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() < 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !all(p, |c| lower_alnum(c) || c == '_' || c == '-'))
    {
        return refuse("a sysctl key such as `vm.min_free_kbytes`", None);
    }
    Ok(())
}

/// An OCFS2 cluster name: 1 to 16 letters and digits.
pub fn cluster_name(s: &str) -> Check {
    if s.is_empty() || s.len() > 16 || !all(s, |c| c.is_ascii_alphanumeric()) {
        return refuse(
            "1 to 16 letters and digits",
            Some("o2cb refuses other cluster names"),
        );
    }
    Ok(())
}

/// An OpenSSH public key line: type, base64 blob, optional comment.
pub fn ssh_public_key(s: &str) -> Check {
    let mut parts = s.split(' ');
    let kind = parts.next().unwrap_or("");
    let blob = parts.next().unwrap_or("");
    let comment: Vec<&str> = parts.collect();
    let kind_ok = matches!(
        kind,
        "ssh-ed25519"
            | "ecdsa-sha2-nistp256"
            | "ecdsa-sha2-nistp384"
            | "ecdsa-sha2-nistp521"
            | "ssh-rsa"
    );
    // The blob begins with the key type, length-prefixed and base64-encoded:
    // a space inside the blob (which would turn its rest into a comment)
    // leaves a blob that does not.
    let prefix = match kind {
        "ssh-ed25519" => "AAAAC3NzaC1lZDI1NTE5",
        "ssh-rsa" => "AAAAB3NzaC1y",
        "ecdsa-sha2-nistp256" => "AAAAE2VjZHNhLXNoYTItbmlzdHAy",
        "ecdsa-sha2-nistp384" => "AAAAE2VjZHNhLXNoYTItbmlzdHAz",
        _ => "AAAAE2VjZHNhLXNoYTItbmlzdHA1",
    };
    let blob_ok = blob.len() >= prefix.len() + 8
        && blob.len() % 4 == 0
        && (kind != "ssh-ed25519" || blob.len() == 68)
        && blob.starts_with(prefix)
        && all(blob, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')
        });
    let comment_ok = comment.len() <= 1
        && comment.iter().all(|c| {
            !c.is_empty()
                && all(c, |ch| {
                    ch.is_ascii_alphanumeric() || matches!(ch, '@' | '.' | '_' | '-')
                })
        });
    if kind_ok && blob_ok && comment_ok {
        return Ok(());
    }
    refuse(
        "an OpenSSH public key: `ssh-ed25519 AAAA... [comment]`",
        Some("paste the one line of the .pub file"),
    )
}

/// A gpg key designator: fingerprint, key id or user id text.
pub fn gpg_key(s: &str) -> Check {
    if s.is_empty()
        || s.len() > 200
        || !all(s, |c| {
            c.is_ascii_alphanumeric() || matches!(c, ' ' | '@' | '.' | '_' | '<' | '>' | '+' | '-')
        })
    {
        return refuse("a gpg key id, fingerprint or user id", None);
    }
    Ok(())
}

/// Free text for GECOS and changelog lines: printable, no quotes, `$`,
/// backticks or backslashes.
pub fn text(s: &str) -> Check {
    if s.len() > 200
        || !all(s, |c| {
            (c.is_ascii_graphic() || c == ' ')
                && !matches!(
                    c,
                    '"' | '\'' | '`' | '$' | '\\' | ';' | '|' | '&' | '<' | '>'
                )
        })
    {
        return refuse("plain text: printable characters without quotes, `$`, backticks, `\\`, `;`, `|`, `&`, `<`, `>`", None);
    }
    Ok(())
}

/// A GECOS field: plain [`text`] without `:`, which separates the fields
/// of /etc/passwd.
pub fn gecos(s: &str) -> Check {
    if s.contains(':') {
        return refuse(
            "plain text without ':' (the /etc/passwd field separator)",
            None,
        );
    }
    text(s)
}

/// One value of a fixed vocabulary.
pub fn one_of(s: &str, allowed: &[&str]) -> Check {
    if allowed.contains(&s) {
        return Ok(());
    }
    let best = allowed
        .iter()
        .map(|k| (strsim::jaro_winkler(k, s), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(Refusal {
        expected: format!("one of: {}", allowed.join(", ")),
        help: best.map(|(_, k)| format!("did you mean `{k}`?")),
    })
}

/// A power-fencing command (`[drbd.fence_command]`): run by the fence-peer
/// handler as words split at single spaces, never through a shell. The
/// first word is an absolute path or a command name; every word is of
/// letters, digits and `_ . / : = @ % + , -`, so no shell metacharacter,
/// quote, glob or variable can appear; at most 32 words, 512 characters.
pub fn fence_command(s: &str) -> Check {
    let word = |w: &str| {
        !w.is_empty() && all(w, |c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c))
    };
    let words: Vec<&str> = s.split(' ').collect();
    let first_ok = words
        .first()
        .is_some_and(|w| !w.starts_with('-') && (w.starts_with('/') || !w.contains('/')));
    if s.is_empty()
        || s.len() > 512
        || words.len() > 32
        || !first_ok
        || !words.iter().all(|w| word(w))
    {
        return refuse(
            "a command of words split by single spaces, each of letters, digits and `_ . / : = @ % + , -`",
            Some("it runs without a shell: no quotes, `;`, `|`, `$`, globs or redirections; keep a password in a file (`ipmitool ... -f /etc/ipmi.pass chassis power off`)"),
        );
    }
    Ok(())
}
