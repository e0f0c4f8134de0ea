//! Command-line interface: argument parsing (clap) and the commands. The
//! only module besides `main.rs` that prints.

use crate::profile::{self, Checked};
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile a replicated-storage site profile into Debian packages.
///
/// storpkg reads one TOML profile per storage cluster and writes the
/// site's Debian packages (one per storage node, plus the pinned-ids,
/// client and NIS packages) and an apt repository that the site's install
/// server serves as it is.
#[derive(Debug, Parser)]
#[command(
    name = "storpkg",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit status: 0 success, 1 invalid profile or failed build, 2 usage error or unreadable file; plan: 10 pause, 11 window, 12 refused.\n\nSee storpkg(1) and /usr/share/doc/storpkg/README.md."
)]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiagramFormat {
    /// SVG, drawn in-process.
    Svg,
    /// Graphviz dot, for `dot -Tpng` and the like.
    Dot,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a profile and print a summary of the site.
    ///
    /// Every error of the profile is reported in one run, as FILE:LINE:COL
    /// with the offending text underlined. Nothing is written.
    Check {
        /// The site profile (TOML).
        profile: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Also print every resolved setting, defaults included.
        #[arg(short, long)]
        verbose: bool,
        /// Print only the diagnostics, no summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Build the site's packages and apt repository.
    ///
    /// Writes DIR/repo (pool and dists, signed when the profile names a
    /// key) atomically: a failed build leaves the previous output as it
    /// was. Timestamps come from SOURCE_DATE_EPOCH, else from the profile.
    Build {
        /// The site profile (TOML).
        profile: PathBuf,
        /// Output directory.
        #[arg(short, long, default_value = "dist")]
        out: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Show what upgrading the nodes from one profile to another does.
    ///
    /// With two profiles, OLD then NEW; with one, NEW against the profile
    /// that the last build recorded in DIR (DIR/profile.toml). Per node:
    /// the files that change (unified diffs with --diff), packages added or
    /// dropped, and every live step in its class: live (no interruption),
    /// pause (I/O waits seconds, nothing unmounted), window (services stop
    /// and filesystems unmount: left pending by the upgrade, done by
    /// `SITE-storage apply`), refused (would lose or risk data: reported
    /// as errors of the profile). Exit status: 0 nothing or live steps only,
    /// 10 a pause, 11 a window, 12 a refused change; 1 an invalid profile,
    /// 2 a usage error or an unreadable file.
    Plan {
        /// OLD NEW, or NEW alone (against DIR/profile.toml).
        #[arg(num_args = 1..=2, required = true, value_name = "PROFILE")]
        profiles: Vec<PathBuf>,
        /// The build output holding the last build's profile.
        #[arg(short, long, default_value = "dist")]
        out: PathBuf,
        /// Print the unified diff of every changed file too.
        #[arg(long)]
        diff: bool,
        /// Print the plan as JSON on stdout (refusals included).
        #[arg(long)]
        json: bool,
    },
    /// Print the debian-installer preseed fragment of a storage node.
    ///
    /// The fragment adds the site repository (apt-setup/localN), installs
    /// the pinned-ids package before tasksel through a pre-pkgsel hook, and
    /// asserts the pinned IDs in late_command. Include it from the site's
    /// preseed; it overrides no other answer.
    Preseed {
        /// The site profile (TOML).
        profile: PathBuf,
        /// The storage node.
        #[arg(long)]
        node: String,
        /// apt-setup slot: apt-setup/localN.
        #[arg(long, default_value_t = 0)]
        slot: u32,
    },
    /// Draw the storage stack of the site or of one node (SVG or dot).
    ///
    /// Per node: the volume group with its free space, the LVs with their
    /// sizes, what sits on each (ext4, unison, DRBD), the OCFS2
    /// filesystems, mountpoints, shares with their symlinks, exports and
    /// the clients that mount them; between the nodes, the DRBD
    /// replication link and unison. `build` writes the same pictures to
    /// DIR/diagram/.
    Diagram {
        /// The site profile (TOML).
        profile: PathBuf,
        /// Only this storage node.
        #[arg(long)]
        node: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
        format: DiagramFormat,
    },
    /// Print the JSON Schema of the profile (or, with --markdown, its reference).
    ///
    /// Generated from the declarations the profile reader reads by, so it
    /// says what `check` accepts: keys, types, ranges, enums, the strict
    /// grammars' patterns, defaults. Editors that read TOML with a schema
    /// (taplo, Even Better TOML) use it through a `#:schema PATH` first
    /// line. The copies in docs/ are profile.schema.json and profile.md.
    Schema {
        /// Print the profile reference (Markdown) instead.
        #[arg(long)]
        markdown: bool,
    },
    /// Print shell completions for storpkg.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the storpkg(1) manual page (roff).
    Man,
}

fn stderr(color: Color) -> StandardStream {
    let choice = match color {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto
            if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            ColorChoice::Auto
        }
        Color::Auto => ColorChoice::Never,
    };
    StandardStream::stderr(choice)
}

/// Load a profile, make the checks of the filesystem (`site.templates`,
/// `repository.gnupg_home`: [`crate::preflight::check`]) when `preflight`,
/// and print its diagnostics. `Err`: unreadable (exit 2).
fn load_and_report(
    path: &std::path::Path,
    color: Color,
    preflight: bool,
) -> Result<(Checked, Overrides), ExitCode> {
    let mut checked = profile::load(path).map_err(|e| {
        eprintln!("storpkg: {e}");
        ExitCode::from(2)
    })?;
    let overrides = if preflight {
        crate::preflight::check(&mut checked)
    } else {
        Overrides::new()
    };
    let mut err = stderr(color);
    let _ = profile::diag::render(
        &mut err,
        &checked.file_name,
        &checked.source,
        &checked.diagnostics,
    );
    Ok((checked, overrides))
}

type Overrides = std::collections::BTreeMap<String, String>;

/// The profile at `path` loaded and reported, and accepted by [`verdict`]:
/// its site, and the rest of what was checked. Err is the exit code.
fn accepted(
    path: &std::path::Path,
    color: Color,
    preflight: bool,
    deny_warnings: bool,
) -> Result<(Checked, crate::model::Site), ExitCode> {
    let (mut checked, _) = load_and_report(path, color, preflight)?;
    if !verdict(&checked, deny_warnings) {
        return Err(ExitCode::from(1));
    }
    let site = checked.site.take().ok_or(ExitCode::from(1))?;
    Ok((checked, site))
}

fn verdict(checked: &Checked, deny_warnings: bool) -> bool {
    let (e, w) = (checked.errors(), checked.warnings());
    if e > 0 || (deny_warnings && w > 0) {
        let why = if e > 0 {
            format!("{e} error{}", if e == 1 { "" } else { "s" })
        } else {
            "warnings denied".into()
        };
        eprintln!(
            "storpkg: {}: {why}, {w} warning{}; nothing written",
            checked.file_name,
            if w == 1 { "" } else { "s" }
        );
        return false;
    }
    true
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check {
            profile,
            deny_warnings,
            verbose,
            quiet,
        } => {
            let (checked, overrides) = match load_and_report(&profile, cli.color, true) {
                Ok(c) => c,
                Err(code) => return code,
            };
            if !verdict(&checked, deny_warnings) {
                return ExitCode::from(1);
            }
            if let (Some(site), false) = (&checked.site, quiet) {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(crate::summary::summary(site, verbose).as_bytes());
                let _ =
                    out.write_all(crate::summary::overrides(site, &overrides, verbose).as_bytes());
            }
            ExitCode::SUCCESS
        }
        Command::Build {
            profile,
            out,
            deny_warnings,
        } => {
            let (checked, site) = match accepted(&profile, cli.color, true, deny_warnings) {
                Ok(c) => c,
                Err(code) => return code,
            };
            match crate::build::build_recording(&site, Some(&checked.source), &out) {
                Ok(report) => {
                    println!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("storpkg: build failed: {e:#}");
                    eprintln!("storpkg: {} was left as it was", out.display());
                    ExitCode::from(1)
                }
            }
        }
        Command::Plan {
            profiles,
            out,
            diff,
            json,
        } => plan(&profiles, &out, diff, json, cli.color),
        Command::Preseed {
            profile,
            node,
            slot,
        } => {
            let (_, site) = match accepted(&profile, cli.color, false, false) {
                Ok(c) => c,
                Err(code) => return code,
            };
            match crate::preseed::fragment(&site, &node, slot) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("storpkg: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Diagram {
            profile,
            node,
            format,
        } => {
            let (_, site) = match accepted(&profile, cli.color, false, false) {
                Ok(c) => c,
                Err(code) => return code,
            };
            if let Some(n) = node
                .as_deref()
                .filter(|n| !site.nodes.iter().any(|x| x.name == *n))
            {
                let names: Vec<&str> = site.nodes.iter().map(|x| x.name.as_str()).collect();
                eprintln!(
                    "storpkg: no storage node `{n}` (nodes: {})",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
            let picture = crate::diagram::picture(&site, node.as_deref());
            print!(
                "{}",
                match format {
                    DiagramFormat::Svg => crate::diagram::svg(&picture),
                    DiagramFormat::Dot => crate::diagram::dot(&picture),
                }
            );
            ExitCode::SUCCESS
        }
        Command::Schema { markdown } => {
            let root = &crate::profile::schema::ROOT;
            let text = if markdown {
                crate::profile::spec::markdown(root)
            } else {
                crate::profile::spec::json_schema_text(root)
            };
            print!("{text}");
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "storpkg", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("storpkg: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `storpkg plan`: both profiles checked (each one's diagnostics shown),
/// the plan printed, refusals rendered as diagnostics of the profile that
/// holds their key.
fn plan(
    profiles: &[PathBuf],
    out: &std::path::Path,
    diff: bool,
    json: bool,
    color: Color,
) -> ExitCode {
    let recorded = out.join(crate::build::PROFILE_FILE);
    let (old_path, new_path) = match profiles {
        [new] => {
            if !recorded.is_file() {
                eprintln!(
                    "storpkg: {} holds no recorded profile (no build there yet, or one by an older storpkg): give both profiles, 'storpkg plan OLD NEW'",
                    out.display()
                );
                return ExitCode::from(2);
            }
            (recorded.clone(), new.clone())
        }
        [old, new] => (old.clone(), new.clone()),
        _ => return ExitCode::from(2),
    };
    let mut sites = Vec::new();
    for p in [&old_path, &new_path] {
        let (checked, _) = match load_and_report(p, color, false) {
            Ok(c) => c,
            Err(code) => return code,
        };
        if !verdict(&checked, false) {
            return ExitCode::from(1);
        }
        sites.push(checked);
    }
    let (old, new) = (&sites[0], &sites[1]);
    let (Some(os), Some(ns)) = (&old.site, &new.site) else {
        return ExitCode::from(1);
    };
    let renderer = match crate::build::template_overrides(ns)
        .map_err(|e| e.to_string())
        .and_then(|o| crate::render::Renderer::with_overrides(&o).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("storpkg: {e}");
            return ExitCode::from(1);
        }
    };
    let plan = match crate::plan::change::plan_change(os, ns, &renderer) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("storpkg: planning the change: {e}");
            return ExitCode::from(1);
        }
    };
    let mut err = stderr(color);
    for r in &plan.refused {
        let c = if r.in_old { old } else { new };
        let span = profile::locate(&c.source, &r.key).unwrap_or(0..0);
        let d = profile::Diagnostic::error(
            r.code,
            span,
            format!("refused change on {}: {}", r.node, r.message),
        )
        .label(r.label.clone())
        .help(r.help.clone());
        let _ = profile::diag::render(&mut err, &c.file_name, &c.source, &[d]);
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let _ = serde_json::to_writer_pretty(&mut stdout, &plan);
        let _ = writeln!(stdout);
    } else {
        let command = format!("{}-storage", ns.name);
        let _ = stdout.write_all(crate::plan::change::render_text(&plan, &command).as_bytes());
        if diff {
            let _ = stdout.write_all(crate::plan::change::render_diffs(&plan).as_bytes());
        }
    }
    if !plan.refused.is_empty() {
        eprintln!(
            "storpkg: {} refused change{}: the upgrade would lose or risk data; change the profile as the help lines say",
            plan.refused.len(),
            if plan.refused.len() == 1 { "" } else { "s" }
        );
    }
    ExitCode::from(crate::plan::change::exit_status(plan.worst))
}
