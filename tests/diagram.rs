//! `storpkg diagram` and the pictures `build` writes: the example site's
//! SVGs against golden copies (byte for byte), determinism, the same
//! bytes in dist/diagram/ and in each node package, and real tools
//! judging them when present: headless chromium renders the SVG to a PNG
//! that is not blank, `dot -Tsvg` reads the dot output.
//!
//! After a deliberate change of the pictures, update the golden copies with
//! `STORPKG_UPDATE_GOLDEN=1 cargo test --test diagram` and look at them
//! (e.g. render with chromium as `renders_in_chromium` does).

mod common;

use assert_cmd::Command;
use std::path::Path;
use std::process::Stdio;
use storpkg::diagram;
use storpkg::model::Site;

const GOLDEN: &str = "tests/golden/diagram";

fn site(path: &str) -> Site {
    let checked = storpkg::profile::load(Path::new(path)).unwrap();
    checked.site.expect("a valid profile")
}

/// Every picture of a site: (file name as in dist/diagram/, SVG).
fn pictures(site: &Site) -> Vec<(String, String)> {
    let mut out = vec![(
        format!("{}.svg", site.name),
        diagram::svg(&diagram::picture(site, None)),
    )];
    for n in &site.nodes {
        out.push((
            format!("{}.svg", n.package),
            diagram::svg(&diagram::picture(site, Some(&n.name))),
        ));
    }
    out
}

#[test]
fn pasta_pictures_match_the_golden_copies() {
    let update = std::env::var_os("STORPKG_UPDATE_GOLDEN").is_some();
    for (name, svg) in pictures(&site("profiles/pasta.toml")) {
        let path = Path::new(GOLDEN).join(&name);
        if update {
            std::fs::create_dir_all(GOLDEN).unwrap();
            std::fs::write(&path, &svg).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            golden == svg,
            "{} differs from the picture drawn now: if the change is meant, run \
             `STORPKG_UPDATE_GOLDEN=1 cargo test --test diagram` and look at the result",
            path.display()
        );
    }
}

#[test]
fn pictures_are_deterministic_and_built_into_dist_and_the_packages() {
    for profile in [
        "profiles/pasta.toml",
        "profiles/risotto.toml",
        "tests/fixtures/trio.toml",
    ] {
        let mut s = site(profile);
        assert_eq!(pictures(&s), pictures(&s), "{profile}");
        s.repository.public_key = Some(common::TEST_KEY.to_string());
        let r = storpkg::render::Renderer::new().unwrap();
        let plan = storpkg::plan::plan_build(&s, &r, s.source_date_epoch).unwrap();
        for (name, svg) in pictures(&s) {
            let built = &plan.files[&format!("diagram/{name}")];
            assert_eq!(built, svg.as_bytes(), "{profile}: dist/diagram/{name}");
        }
        for n in &s.nodes {
            let pkg = plan.packages.iter().find(|p| p.name == n.package).unwrap();
            let doc = format!("/usr/share/doc/{}/storage.svg", n.package);
            assert!(pkg.files.contains_key(&doc), "{profile}: {doc}");
        }
        for (name, svg) in pictures(&s) {
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(svg.ends_with("</svg>\n"), "{name}");
            assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        }
    }
}

#[test]
fn the_command_draws_a_node_or_the_site_and_refuses_an_unknown_node() {
    let out = Command::cargo_bin("storpkg")
        .unwrap()
        .args(["diagram", "profiles/pasta.toml", "--node", "fiori"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let golden = std::fs::read(Path::new(GOLDEN).join("pasta-storage-fiori.svg")).unwrap();
    assert_eq!(out.stdout, golden);
    Command::cargo_bin("storpkg")
        .unwrap()
        .args(["diagram", "profiles/pasta.toml", "--node", "penne"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no storage node `penne`"));
    let dot = Command::cargo_bin("storpkg")
        .unwrap()
        .args(["diagram", "profiles/pasta.toml", "--format", "dot"])
        .output()
        .unwrap();
    assert!(String::from_utf8(dot.stdout)
        .unwrap()
        .starts_with("digraph storage {"));
}

fn tool(path: &str) -> Option<&str> {
    if Path::new(path).exists() {
        Some(path)
    } else {
        eprintln!("skipped: {path} is not installed");
        None
    }
}

/// Render `svg` with headless chromium at its own size; the PNG's bytes.
fn chromium_png(chromium: &str, svg: &str, dir: &Path, name: &str) -> Vec<u8> {
    let num = |attr: &str| -> u32 {
        let i = svg.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
        svg[i..].split('"').next().unwrap().parse().unwrap()
    };
    let (w, h) = (num("width"), num("height"));
    let file = dir.join(format!("{name}.svg"));
    let png = dir.join(format!("{name}.png"));
    std::fs::write(&file, svg).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={w},{h}"))
        .arg(format!("file://{}", file.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "chromium failed on {name}");
    std::fs::read(&png).unwrap()
}

#[test]
fn renders_in_chromium() {
    let Some(chromium) = tool("/usr/bin/chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (name, svg) = pictures(&site("profiles/pasta.toml")).remove(0);
    let png = chromium_png(chromium, &svg, dir.path(), &name);
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    // A blank page of the same size compresses to almost nothing; the
    // picture's text and boxes do not.
    let end = svg.find('>').unwrap() + 1;
    let blank = format!("{}</svg>\n", &svg[..end]);
    let blank_png = chromium_png(chromium, &blank, dir.path(), "blank");
    assert!(
        png.len() > 10 * blank_png.len(),
        "the rendered picture looks blank: {} bytes against {} for a blank page",
        png.len(),
        blank_png.len()
    );
}

#[test]
fn dot_reads_the_dot_output() {
    let Some(dot) = tool("/usr/bin/dot") else {
        return;
    };
    for profile in [
        "profiles/pasta.toml",
        "profiles/risotto.toml",
        "tests/fixtures/trio.toml",
    ] {
        let s = site(profile);
        for node in std::iter::once(None).chain(s.nodes.iter().map(|n| Some(n.name.as_str()))) {
            let text = diagram::dot(&diagram::picture(&s, node));
            let mut child = std::process::Command::new(dot)
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && err.is_empty(),
                "{profile} {node:?}: {err}"
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
    }
}
