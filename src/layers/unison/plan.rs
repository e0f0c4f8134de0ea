//! unison: on its client the profile, the units, the logrotate entry and
//! the ssh key's pending steps; on its server the authorized_keys block.

use crate::model::{Node, Unison};
use crate::plan::common::{block, block_source};
use crate::plan::contribution::{Contribution, NodeCx, Phase};
use crate::plan::PlanError;
use crate::render::context::PurgeGlob;
use serde::Serialize;

/// `unison/unison.prf`.
#[derive(Serialize)]
struct UnisonPrf {
    package: String,
    profile: String,
    server: String,
    server_address: String,
    local_root: String,
    remote_root: String,
    key: String,
    known_hosts: String,
    unison_dir: String,
    service: String,
    timer: String,
    preferences: Vec<Pref>,
}

#[derive(Serialize)]
struct Pref {
    key: String,
    value: String,
}

/// `unison/unison.service`, `unison/unison.timer`.
#[derive(Serialize)]
struct UnisonUnits {
    site: String,
    package: String,
    root: String,
    server: String,
    key: String,
    known_hosts: String,
    unison_dir: String,
    profile: String,
    schedule: String,
}

/// `unison/unison.logrotate`.
#[derive(Serialize)]
struct Logrotate {
    logfile: String,
    frequency: String,
    rotate: u32,
    compress: bool,
}

/// `unison/authorized_keys`.
#[derive(Serialize)]
struct AuthorizedKeys {
    options: String,
    key: String,
}

/// `unison/known_hosts`.
#[derive(Serialize)]
struct KnownHosts {
    host: String,
    key: String,
}

/// `unison/postinst-vars`, `unison/postinst-functions`: the client's key.
#[derive(Serialize)]
struct ClientScript {
    server: String,
    server_package: String,
    key_comment: String,
    /// The profile's `client_key` (empty: not yet known).
    expected_key: String,
    /// The profile's section of this sync (`unison`, `unison.volumes.NAME`).
    section: String,
    host_key_pinned: bool,
}

/// `unison/postinst-configure`.
#[derive(Serialize)]
struct Configure {
    authorized_keys_pending: Option<String>,
    client: bool,
}

pub(crate) fn node(cx: &NodeCx, c: &mut Contribution) -> Result<(), PlanError> {
    let site = cx.site;
    let mut configure = Configure {
        authorized_keys_pending: None,
        client: false,
    };
    let find = |name: &str, role: &str| {
        site.node(name)
            .ok_or_else(|| PlanError::Model(format!("unison {role} {name} is not a node")))
    };
    // A node is the client of one sync and the server of one at most (the
    // profile's rule): one profile, timer and key; one authorized_keys entry.
    let me = &cx.node.name;
    if site
        .unison
        .iter()
        .any(|u| &u.client == me || &u.server == me)
    {
        c.depends.push("unison".into());
    }
    if let Some(u) = site.unison.iter().find(|u| &u.client == me) {
        client_side(cx, c, u, find(&u.server, "server")?)?;
        configure.client = true;
    }
    if let Some(u) = site.unison.iter().find(|u| &u.server == me) {
        configure.authorized_keys_pending = server_side(cx, c, u, find(&u.client, "client")?)?;
    }
    // Always: a node that stopped being the server clears the pending step.
    c.script(
        cx,
        Phase::Configure,
        "unison/postinst-configure",
        &configure,
    )
}

/// The client runs the timer with the profile, the key and the log.
fn client_side(
    cx: &NodeCx,
    c: &mut Contribution,
    u: &Unison,
    server: &Node,
) -> Result<(), PlanError> {
    let site = cx.site;
    let pkg = cx.pkg;
    c.depends.push("openssh-client".into());
    c.depends.push("logrotate".into());
    let unison_dir = format!("{}/unison", cx.state);
    let key = format!("{}/ssh/id_ed25519", cx.state);
    let known_hosts = format!("{}/unison/known_hosts", cx.etc);
    let service = format!("{}-storage-unison.service", site.name);
    let timer = format!("{}-storage-unison.timer", site.name);
    let root = format!("{}/", u.mountpoint.trim_end_matches('/'));
    let ctx = UnisonPrf {
        package: pkg.into(),
        profile: u.profile.clone(),
        server: server.name.clone(),
        server_address: server.address_on(u.network).to_string(),
        local_root: root.clone(),
        remote_root: root,
        key: key.clone(),
        known_hosts: known_hosts.clone(),
        unison_dir: unison_dir.clone(),
        service: service.clone(),
        timer: timer.clone(),
        preferences: preferences(u),
    };
    let prf = format!("{}/unison/{}.prf", cx.etc, u.profile);
    c.render(cx, prf.clone(), "unison/unison.prf", &ctx)?;
    // unison's archives (file metadata, no secrets): 0755 as
    // policy wants for packaged directories.
    c.files
        .insert(unison_dir.clone(), crate::package::Entry::dir());
    c.files.insert(
        format!("{unison_dir}/{}.prf", u.profile),
        crate::package::Entry::symlink(prf),
    );
    if let Some(hk) = &u.server_host_key {
        let ctx = KnownHosts {
            host: server.address_on(u.network).to_string(),
            key: hk.clone(),
        };
        c.render(cx, known_hosts.clone(), "unison/known_hosts", &ctx)?;
    }
    let ctx = UnisonUnits {
        site: site.name.clone(),
        package: pkg.into(),
        root: u.mountpoint.clone(),
        server: server.name.clone(),
        key,
        known_hosts,
        unison_dir,
        profile: u.profile.clone(),
        schedule: u.schedule.clone(),
    };
    c.render(
        cx,
        format!("{}/{service}", cx.units),
        "unison/unison.service",
        &ctx,
    )?;
    c.render(
        cx,
        format!("{}/{timer}", cx.units),
        "unison/unison.timer",
        &ctx,
    )?;
    logrotate(cx, c, u)?;
    let script = ClientScript {
        server: server.name.clone(),
        server_package: server.package.clone(),
        key_comment: format!("root@{} unison", cx.node.name),
        expected_key: u.client_key.clone().unwrap_or_default(),
        section: section(site, u),
        host_key_pinned: u.server_host_key.is_some(),
    };
    c.script(cx, Phase::Vars, "unison/postinst-vars", &script)?;
    c.script(cx, Phase::Functions, "unison/postinst-functions", &script)?;
    c.stop_units.push(timer.clone());
    c.stop_units.push(service);
    c.units.push(timer);
    Ok(())
}

/// The profile's section of sync `u`: `[unison]` holds the first.
fn section(site: &crate::model::Site, u: &Unison) -> String {
    match site.unison.first() {
        Some(f) if f.volume == u.volume => "unison".into(),
        _ => format!("unison.volumes.{}", u.volume),
    }
}

/// unison's preferences, in the how-to's order.
fn preferences(u: &Unison) -> Vec<Pref> {
    let b = |v: bool| if v { "true" } else { "false" }.to_string();
    [
        ("owner", b(u.owner)),
        ("group", b(u.group)),
        ("perms", u.perms.to_string()),
        ("times", b(u.times)),
        ("auto", b(u.auto)),
        ("batch", b(u.batch)),
        ("terse", b(u.terse)),
        ("confirmbigdel", b(u.confirmbigdel)),
        ("fastcheck", b(u.fastcheck)),
        ("prefer", u.prefer.clone()),
        ("logfile", u.logfile.clone()),
    ]
    .into_iter()
    .map(|(k, v)| Pref {
        key: k.into(),
        value: v,
    })
    .collect()
}

/// The log's logrotate entry, and its rotated files removed on purge.
fn logrotate(cx: &NodeCx, c: &mut Contribution, u: &Unison) -> Result<(), PlanError> {
    let ctx = Logrotate {
        logfile: u.logfile.clone(),
        frequency: u.logrotate.frequency.clone(),
        rotate: u.logrotate.rotate,
        compress: u.logrotate.compress,
    };
    c.render(
        cx,
        format!("/etc/logrotate.d/{}-storage-unison", cx.site.name),
        "unison/unison.logrotate",
        &ctx,
    )?;
    let (dir, file) = u
        .logfile
        .rsplit_once('/')
        .unwrap_or(("/var/log", u.logfile.as_str()));
    c.purge_globs.push(PurgeGlob {
        dir: if dir.is_empty() {
            "/".into()
        } else {
            dir.into()
        },
        prefix: file.into(),
    });
    Ok(())
}

/// The server authorises the client's key (a block of root's
/// authorized_keys); the pending message while the key is not known.
fn server_side(
    cx: &NodeCx,
    c: &mut Contribution,
    u: &Unison,
    client: &Node,
) -> Result<Option<String>, PlanError> {
    c.depends.push("openssh-server".into());
    let src = block_source(cx.pkg, "authorized_keys");
    let mut b = block("/root/.ssh/authorized_keys", src.clone(), "bottom");
    b.dir = Some("/root/.ssh".into());
    b.dir_mode = "0700".into();
    b.remove_if_empty = true;
    let pending = match &u.client_key {
        Some(key) => {
            let ctx = AuthorizedKeys {
                options: format!(
                    "restrict,command=\"unison -server\",from=\"{}\"",
                    client.address_on(u.network)
                ),
                key: key.clone(),
            };
            c.render(cx, src, "unison/authorized_keys", &ctx)?;
            None
        }
        None => {
            b.present = false;
            Some(format!(
                "unison: {} is not authorised to sync with this node yet: configure {} on {}, put the key it prints into the site profile as [{}] client_key, build again and upgrade this package",
                client.name, client.package, client.name, section(cx.site, u)
            ))
        }
    };
    c.block(b);
    Ok(pending)
}
