//! The one-screen summary `storpkg check` prints for a valid profile, and
//! the `--verbose` view with every default spelled out. Pure formatting.
//!
//! One helper per section, in the order the summary prints them; each
//! appends its lines to the same `String` (writing to a `String` cannot
//! fail, so the `fmt::Result`s are dropped).

use crate::model::*;
use crate::profile::human;
use std::fmt::Write;

fn net(n: Network) -> &'static str {
    match n {
        Network::Admin => "admin LAN",
        Network::Replication => "replication link",
    }
}

pub fn summary(site: &Site, verbose: bool) -> String {
    let mut s = String::new();
    let w = &mut s;
    site_header(w, site);
    nodes(w, site);
    volumes(w, site);
    if site.pairs().len() > 1 {
        by_pair(w, site);
    } else {
        drbd(w, &site.drbd);
        if let Some(o) = &site.ocfs2 {
            ocfs2(w, o);
        }
        shares(w, &site.shares);
        nfs_exports(w, &site.shares);
    }
    if site.pairs().len() > 1 {
        unison_pending(w, site);
    } else {
        for u in &site.unison {
            unison(w, u, &unison_section(site, u));
        }
    }
    packages(w, site);
    if verbose {
        let _ = writeln!(w, "\nresolved settings, defaults included:");
        resolved_site(w, site);
        resolved_ids(w, &site.ids);
        resolved_drbd(w, &site.drbd);
        if let Some(o) = &site.ocfs2 {
            resolved_ocfs2(w, o);
        }
        let _ = writeln!(w, "  nfs.manage_gids = {}", site.nfs.manage_gids);
        for u in &site.unison {
            resolved_unison(w, u);
        }
        resolved_client(w, &site.client);
        if let Some(n) = &site.nis {
            resolved_nis(w, n);
        }
        resolved_system(w, site);
    }
    s
}

/// The site line and the repository line.
fn site_header(w: &mut String, site: &Site) {
    let _ = writeln!(
        w,
        "site {} ({}), version {}, for Debian {} ({})",
        site.name,
        site.domain,
        site.version,
        site.suite.debian_version(),
        site.suite.as_str()
    );
    let signing = match &site.repository.signing {
        Signing::Unsigned => "UNSIGNED".to_string(),
        Signing::Gpg { key, .. } => format!("signed by {key}"),
    };
    let _ = writeln!(w, "repository {} ({signing})", site.repository.url);
}

/// One line per node: address, volume group, replication link, OCFS2 number.
fn nodes(w: &mut String, site: &Site) {
    let _ = writeln!(w, "\nnodes:");
    for n in &site.nodes {
        let link = match &n.replication {
            Some(l) => format!("{} {}/{}", l.interface, l.address, l.prefix),
            None => "none".into(),
        };
        let vg = n
            .vg_size
            .map(|b| format!(" ({})", human(b)))
            .unwrap_or_default();
        let _ = writeln!(
            w,
            "  {:<12} {:<16} vg {}{vg}, replication link {link}, ocfs2 node {}",
            n.name, n.address, n.volume_group, n.ocfs2_number
        );
    }
}

/// The logical volumes, their kind and mountpoint (none: no section).
fn volumes(w: &mut String, site: &Site) {
    if site.volumes.is_empty() {
        return;
    }
    let _ = writeln!(w, "\nvolumes:");
    for v in &site.volumes {
        let kind = match v.kind {
            VolumeKind::Ext4 => "ext4, unreplicated",
            VolumeKind::Unison => "ext4, unison",
            VolumeKind::Drbd => "DRBD backing",
        };
        let mp = v
            .mountpoint
            .as_deref()
            .map(|m| format!(" on {m} ({})", v.mount_options.join(",")))
            .unwrap_or_default();
        let _ = writeln!(w, "  {:<12} {:>8}  {kind}{mp}", v.name, v.size_text);
    }
}

/// The DRBD resources and the resync settings given (none: no section).
fn drbd(w: &mut String, d: &Drbd) {
    if d.resources.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "\nDRBD resources (over the {}; initialised on {}):",
        net(d.network),
        d.initialiser
    );
    for r in &d.resources {
        let _ = writeln!(
            w,
            "  {:<12} /dev/drbd{:<3} port {}  on {}  {}, protocol {}, fencing {}",
            r.name,
            r.minor,
            r.port,
            r.volume,
            r.nodes.join("+"),
            r.protocol,
            r.fencing
        );
    }
    let resync = d.resync.options();
    if !resync.is_empty() {
        let parts: Vec<String> = resync.iter().map(|(n, v)| format!("{n} {v}")).collect();
        let _ = writeln!(w, "  resync: {}", parts.join(", "));
    }
}

/// A site of several pairs: each pair's resources, filesystems, shares
/// and exports under it (a share on nodes of no one pair under its nodes),
/// one line each.
fn by_pair(w: &mut String, site: &Site) {
    let d = &site.drbd;
    let _ = write!(w, "\npairs (DRBD over the {}", net(d.network));
    if let Some(o) = &site.ocfs2 {
        let _ = write!(
            w,
            "; o2cb cluster {} on port {} over the {}, one per set of nodes that share filesystems",
            o.cluster,
            o.port,
            net(o.network)
        );
    }
    let _ = writeln!(w, "):");
    let fss: Vec<&Ocfs2Fs> = site
        .ocfs2
        .iter()
        .flat_map(|o| o.filesystems.iter())
        .collect();
    let mut groups: Vec<Vec<String>> = site.pairs().into_iter().map(|p| p.to_vec()).collect();
    for sh in &site.shares {
        if !groups.iter().any(|g| same_nodes(g, &sh.nodes)) {
            groups.push(sh.nodes.clone());
        }
    }
    for g in &groups {
        let _ = writeln!(w, "  {}:", g.join("+"));
        for r in d.resources.iter().filter(|r| same_nodes(g, &r.nodes)) {
            let _ = writeln!(
                w,
                "    drbd {:<10} /dev/drbd{:<3} port {}  on {}, initialised on {}, protocol {}, fencing {}",
                r.name, r.minor, r.port, r.volume, r.initialiser, r.protocol, r.fencing
            );
            let resync = r.resync.options();
            if !resync.is_empty() {
                let parts: Vec<String> = resync.iter().map(|(n, v)| format!("{n} {v}")).collect();
                let _ = writeln!(w, "      resync: {}", parts.join(", "));
            }
        }
        for f in fss.iter().filter(|f| same_nodes(g, &f.nodes)) {
            let _ = writeln!(
                w,
                "    ocfs2 {:<9} {} -T {} on {} ({})",
                f.name,
                f.device,
                f.mode,
                f.mountpoint,
                f.mount_options.join(",")
            );
        }
        for u in site
            .unison
            .iter()
            .filter(|u| same_nodes(g, &[u.client.clone(), u.server.clone()]))
        {
            let _ = writeln!(
                w,
                "    unison {} from {} to {} ({}), profile {}, at {}",
                u.mountpoint,
                u.client,
                u.server,
                net(u.network),
                u.profile,
                u.schedule
            );
        }
        for sh in site.shares.iter().filter(|sh| same_nodes(g, &sh.nodes)) {
            let link = sh
                .link
                .as_deref()
                .map(|l| format!("{l} -> "))
                .unwrap_or_default();
            let exports: Vec<String> = sh
                .exports
                .iter()
                .map(|e| format!("{}({})", e.clients, e.options.join(",")))
                .collect();
            let exports = if exports.is_empty() {
                String::new()
            } else {
                format!(", NFS to {}", exports.join(" "))
            };
            let _ = writeln!(w, "    share {link}{}{exports}", sh.path);
        }
    }
}

/// The profile's section of a unison sync.
fn unison_section(site: &Site, u: &Unison) -> String {
    match site.unison.first() {
        Some(f) if f.volume == u.volume => "unison".into(),
        _ => format!("unison.volumes.{}", u.volume),
    }
}

/// A site of several pairs: the syncs whose keys are still missing, in
/// one line (each sync is under its pair).
fn unison_pending(w: &mut String, site: &Site) {
    let pending: Vec<String> = site
        .unison
        .iter()
        .filter(|u| u.client_key.is_none() || u.server_host_key.is_none())
        .map(|u| format!("[{}]", unison_section(site, u)))
        .collect();
    if !pending.is_empty() {
        let _ = writeln!(
            w,
            "\nunison pending: add client_key and server_host_key to {} once the nodes are installed, then build again",
            pending.join(", ")
        );
    }
}

/// The same nodes, in any order.
fn same_nodes(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|n| b.contains(n))
}

/// The OCFS2 cluster and its filesystems.
fn ocfs2(w: &mut String, o: &Ocfs2) {
    let _ = writeln!(
        w,
        "\nOCFS2 cluster {} (port {}, over the {}):",
        o.cluster,
        o.port,
        net(o.network)
    );
    for f in &o.filesystems {
        let _ = writeln!(
            w,
            "  {:<12} {} -T {} on {} ({})",
            f.name,
            f.device,
            f.mode,
            f.mountpoint,
            f.mount_options.join(",")
        );
    }
}

/// The shared paths, their links and libvirt pools (none: no section).
fn shares(w: &mut String, shares: &[Share]) {
    if shares.is_empty() {
        return;
    }
    let _ = writeln!(w, "\nshares:");
    for sh in shares {
        let link = sh
            .link
            .as_deref()
            .map(|l| format!("{l} -> "))
            .unwrap_or_default();
        let pool = sh
            .libvirt_pool
            .as_deref()
            .map(|p| format!(", libvirt pool {p}"))
            .unwrap_or_default();
        let _ = writeln!(w, "  {link}{}{pool}", sh.path);
    }
}

/// Every NFS export of every share (none exported: no section).
fn nfs_exports(w: &mut String, shares: &[Share]) {
    let exported: Vec<&Share> = shares.iter().filter(|s| !s.exports.is_empty()).collect();
    if exported.is_empty() {
        return;
    }
    let _ = writeln!(w, "\nNFS exports:");
    for sh in exported {
        for e in &sh.exports {
            let _ = writeln!(w, "  {} {}({})", sh.path, e.clients, e.options.join(","));
        }
    }
}

/// The unison replication, and what is pending while the keys are missing.
fn unison(w: &mut String, u: &Unison, section: &str) {
    let _ = writeln!(
        w,
        "\nunison: {} from {} to {} ({}), profile {}, at {}",
        u.mountpoint,
        u.client,
        u.server,
        net(u.network),
        u.profile,
        u.schedule
    );
    if u.client_key.is_none() || u.server_host_key.is_none() {
        let _ = writeln!(w, "  pending: add {section}.client_key and {section}.server_host_key once the nodes are installed, then build again");
    }
}

/// The .deb files a build writes.
fn packages(w: &mut String, site: &Site) {
    let _ = writeln!(w, "\npackages:");
    for p in site.package_names() {
        let _ = writeln!(w, "  {p}_{}_all.deb", site.version);
    }
}

/// Verbose: the site, repository and apt settings with their defaults.
fn resolved_site(w: &mut String, site: &Site) {
    let _ = writeln!(w, "  site.suite = {}", site.suite.as_str());
    let _ = writeln!(w, "  site.source_date_epoch = {}", site.source_date_epoch);
    let _ = writeln!(w, "  site.install_server = {}", site.install_server);
    let _ = writeln!(
        w,
        "  site.mail_relay = {}",
        site.mail_relay
            .map(|a| a.to_string())
            .unwrap_or_else(|| "(none)".into())
    );
    let _ = writeln!(
        w,
        "  repository.origin = {}, label = {}, prune = {}",
        site.repository.origin, site.repository.label, site.repository.prune
    );
    let _ = writeln!(
        w,
        "  apt.mirror = {}",
        site.apt.mirror.as_deref().unwrap_or("(unchanged)")
    );
}

/// Verbose: every group and user of the ids package.
fn resolved_ids(w: &mut String, ids: &Ids) {
    for g in &ids.groups {
        let _ = writeln!(w, "  ids.groups.{} = {}", g.name, g.gid);
    }
    for u in &ids.users {
        let _ = writeln!(
            w,
            "  ids.users.{} = uid {}, group {}, groups [{}], home {}, shell {}",
            u.name,
            u.uid,
            u.group,
            u.groups.join(", "),
            u.home,
            u.shell
        );
    }
}

/// Verbose: the DRBD timeouts, resync settings (DRBD's defaults named) and
/// the split-brain policy and handlers of the first resource.
fn resolved_drbd(w: &mut String, d: &Drbd) {
    let _ = writeln!(w, "  drbd.wfc_timeout = {}, degr_wfc_timeout = {}, ping_int = {}, ping_timeout = {} (tenths), peer_wait = {}", d.wfc_timeout, d.degr_wfc_timeout, d.ping_int, d.ping_timeout, d.peer_wait);
    let rs = &d.resync;
    let or = |v: &Option<String>, default: &str| {
        v.clone()
            .unwrap_or_else(|| format!("{default} (DRBD's default)"))
    };
    let _ = writeln!(
        w,
        "  drbd.resync: rate = {}, plan_ahead = {}, fill_target = {}, max_rate = {}, min_rate = {}",
        or(&rs.rate, "250K"),
        or(&rs.plan_ahead.map(|p| p.to_string()), "20"),
        or(&rs.fill_target, "50K"),
        or(&rs.max_rate, "100M"),
        or(&rs.min_rate, "250K")
    );
    let fence: Vec<String> = d.fence_commands.iter().map(|(n, _)| n.clone()).collect();
    let _ = writeln!(
        w,
        "  drbd.witness = {}, power fencing for [{}], verify_alg = {}, verify_schedule = {}",
        d.witness,
        fence.join(", "),
        d.verify_alg,
        if d.verify_schedule.is_empty() {
            "never"
        } else {
            &d.verify_schedule
        }
    );
    if let Some(r) = d.resources.first() {
        let _ = writeln!(
            w,
            "  drbd after-sb: {} / {} / {}, allow_two_primaries = {}",
            r.after_sb_0pri, r.after_sb_1pri, r.after_sb_2pri, r.allow_two_primaries
        );
        for h in &r.handlers {
            let _ = writeln!(w, "  drbd handler {} \"{}\"", h.name, h.command);
        }
    }
}

/// Verbose: the OCFS2 timeouts and each filesystem's format settings.
fn resolved_ocfs2(w: &mut String, o: &Ocfs2) {
    let _ = writeln!(w, "  ocfs2 heartbeat_threshold = {}, idle_timeout_ms = {}, keepalive_delay_ms = {}, reconnect_delay_ms = {}", o.heartbeat_threshold, o.idle_timeout_ms, o.keepalive_delay_ms, o.reconnect_delay_ms);
    for f in &o.filesystems {
        let _ = writeln!(
            w,
            "  ocfs2.filesystems.{}: feature level {}, {} slots",
            f.name, f.feature_level, f.slots
        );
    }
}

/// Verbose: the unison preferences and its log rotation.
fn resolved_unison(w: &mut String, u: &Unison) {
    let _ = writeln!(
        w,
        "  unison: owner {} group {} perms {} times {} auto {} batch {} terse {} confirmbigdel {} fastcheck {} prefer {}",
        u.owner, u.group, u.perms, u.times, u.auto, u.batch, u.terse, u.confirmbigdel, u.fastcheck, u.prefer
    );
    let _ = writeln!(
        w,
        "  unison log {} rotated {} x{} compress {}",
        u.logfile, u.logrotate.frequency, u.logrotate.rotate, u.logrotate.compress
    );
}

/// Verbose: the client package's staging, links and automounts.
fn resolved_client(w: &mut String, c: &Client) {
    let _ = writeln!(w, "  client.staging = {}", c.staging);
    for l in &c.links {
        let _ = writeln!(w, "  client link {} -> {}", l.path, l.target);
    }
    for a in &c.automounts {
        let _ = writeln!(w, "  client automount {} {}", a.mountpoint, a.map);
    }
}

/// Verbose: the NIS domain and every entry of its automount maps.
fn resolved_nis(w: &mut String, n: &Nis) {
    let _ = writeln!(
        w,
        "  nis.domain = {}, node_binding = {}, servers = [{}]",
        n.domain,
        n.node_binding,
        n.servers.join(", ")
    );
    for m in &n.maps {
        for e in &m.entries {
            let _ = writeln!(
                w,
                "  {}: {} -{} {}",
                m.name,
                e.key,
                n.automount_options.join(","),
                e.location
            );
        }
    }
}

/// Verbose: sysctl settings, the resolver and the extra hosts entries.
fn resolved_system(w: &mut String, site: &Site) {
    for s in &site.sysctl {
        let _ = writeln!(w, "  sysctl {} = {}", s.key, s.value);
    }
    let _ = writeln!(
        w,
        "  resolver.caching = {}, forwarders = [{}]",
        site.resolver.caching,
        site.resolver
            .forwarders
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for h in &site.hosts {
        let _ = writeln!(w, "  hosts {} {}", h.address, h.names.join(" "));
    }
}

/// The site's template overrides (read by the caller from
/// `site.templates`): one line, and with `verbose` each override with the
/// built-in template it replaces. Empty without `site.templates`.
pub fn overrides(
    site: &Site,
    overrides: &std::collections::BTreeMap<String, String>,
    verbose: bool,
) -> String {
    let mut s = String::new();
    let Some(dir) = &site.templates_dir else {
        return s;
    };
    let n = overrides.len();
    let names: Vec<&str> = overrides.keys().map(String::as_str).collect();
    let _ = writeln!(
        s,
        "\nsite templates: {n} override{} from {dir}{}{}",
        if n == 1 { "" } else { "s" },
        if n == 0 { "" } else { ": " },
        names.join(", ")
    );
    if verbose {
        for (name, src) in overrides {
            let built_in = crate::render::TEMPLATES
                .iter()
                .find(|(t, _)| t == name)
                .map_or(0, |(_, b)| b.lines().count());
            let _ = writeln!(
                s,
                "  {dir}/{name} ({} lines) replaces the built-in template debian-templates/{name} ({built_in} lines)",
                src.lines().count()
            );
        }
    }
    s
}
