//! Signing `Release` with the `gpg` binary: `InRelease` (clear-signed),
//! `Release.gpg` (detached, armored) and the public key exported beside the
//! repository. No cryptography of our own.
//!
//! Reproducibility: gpg runs with `--faked-system-time T!`, where T is the
//! later of the build timestamp and the creation time of the signing keys
//! (a signature older than its key is refused by gpgv). Ed25519 and RSA
//! signatures are deterministic, so the same key and timestamp give the same
//! signature bytes; DSA/ECDSA keys use a random nonce and do not. When T
//! would lie in the future, gpg uses the real clock instead.

use super::RepoError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// What signing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The time written into the signatures.
    pub signature_time: Option<u64>,
    /// Armored public key (`archive-key.asc`).
    pub key_asc: Vec<u8>,
    /// Binary public key (`archive-key.gpg`, usable as `signed-by`).
    pub key_gpg: Vec<u8>,
    pub in_release: Vec<u8>,
    pub release_gpg: Vec<u8>,
}

fn gpg(homedir: Option<&Path>) -> Command {
    let mut cmd = Command::new("gpg");
    cmd.args(["--batch", "--no-tty", "--quiet"]);
    if let Some(home) = homedir {
        cmd.arg("--homedir").arg(home);
    }
    cmd.stdin(Stdio::null());
    cmd
}

fn run(mut cmd: Command, what: &'static str) -> Result<Vec<u8>, RepoError> {
    let out = cmd.output().map_err(|e| RepoError::Gpg {
        what,
        message: format!("cannot run gpg: {e}"),
    })?;
    if !out.status.success() {
        return Err(RepoError::Gpg {
            what,
            message: format!(
                "gpg {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(out.stdout)
}

/// Creation time of the newest signing-capable (sub)key of `key`.
fn key_creation(key: &str, homedir: Option<&Path>) -> Result<u64, RepoError> {
    let mut cmd = gpg(homedir);
    cmd.args([
        "--with-colons",
        "--fixed-list-mode",
        "--list-secret-keys",
        "--",
        key,
    ]);
    let listing = run(cmd, "looking up the signing key")?;
    let listing = String::from_utf8_lossy(&listing);
    let created = listing
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| (f[0] == "sec" || f[0] == "ssb") && f.get(11).is_some_and(|c| c.contains('s')))
        .filter_map(|f| f.get(5)?.parse::<u64>().ok())
        .max();
    created.ok_or_else(|| RepoError::Gpg {
        what: "looking up the signing key",
        message: format!("no usable secret signing key {key:?} in the keyring"),
    })
}

/// The public half of `key` (minimal export), armored or binary. Empty
/// output (no such key) is an error.
pub fn export_public_key(
    key: &str,
    homedir: Option<&Path>,
    armor: bool,
) -> Result<Vec<u8>, RepoError> {
    let mut cmd = gpg(homedir);
    cmd.args(["--export-options", "export-minimal"]);
    if armor {
        cmd.arg("--armor");
    }
    cmd.args(["--export", "--", key]);
    let out = run(cmd, "exporting the public key")?;
    if out.is_empty() {
        return Err(RepoError::Gpg {
            what: "exporting the public key",
            message: format!("gpg exported nothing for {key:?}: is it in the keyring (GNUPGHOME or repository.gnupg_home)?"),
        });
    }
    Ok(out)
}

/// The signing key, looked up once per build (three gpg calls at once): the
/// creation time its signatures must not predate, and its public half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// Key id, fingerprint or uid, as the profile names it.
    pub key: String,
    /// gpg's home directory (else GNUPGHOME or ~/.gnupg).
    pub homedir: Option<PathBuf>,
    /// Creation time of the newest signing-capable (sub)key.
    pub created: u64,
    /// Armored public key (`archive-key.asc`, and the node packages' keyring).
    pub key_asc: Vec<u8>,
    /// Binary public key (`archive-key.gpg`, usable as `signed-by`).
    pub key_gpg: Vec<u8>,
}

impl SigningKey {
    /// Looks `key` up in the keyring: a secret signing key must be there.
    pub fn load(key: &str, homedir: Option<&Path>) -> Result<SigningKey, RepoError> {
        if key.is_empty() || key.starts_with('-') || key.chars().any(char::is_control) {
            return Err(RepoError::Config(format!(
                "signing key {key:?} is not a key id or fingerprint"
            )));
        }
        // Each gpg call is mostly process start-up: run them side by side.
        let (key_asc, key_gpg, created) = std::thread::scope(|s| {
            let asc = s.spawn(|| export_public_key(key, homedir, true));
            let gpg = s.spawn(|| export_public_key(key, homedir, false));
            let created = key_creation(key, homedir);
            (joined(asc), joined(gpg), created)
        });
        Ok(SigningKey {
            key: key.to_owned(),
            homedir: homedir.map(Path::to_owned),
            key_asc: key_asc?,
            created: created?,
            key_gpg: key_gpg?,
        })
    }
}

fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Signs `release_path` (the Release file) with `key`: the clear-signed
/// `InRelease` and the detached `Release.gpg`, two gpg calls at once.
pub fn sign(release_path: &Path, key: &SigningKey, timestamp: u64) -> Result<Signed, RepoError> {
    let homedir = key.homedir.as_deref();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let signature_time = Some(timestamp.max(key.created)).filter(|&t| t <= now);
    if signature_time.is_none() {
        tracing::warn!("build timestamp lies in the future: signing with the real clock");
    }
    let signing = |mode: &str, armor: bool, what: &'static str| {
        let mut cmd = gpg(homedir);
        if let Some(t) = signature_time {
            cmd.arg(format!("--faked-system-time={t}!"));
        }
        cmd.args(["--digest-algo", "SHA512", "--local-user", &key.key]);
        if armor {
            cmd.arg("--armor");
        }
        cmd.args([mode, "--output", "-"]).arg(release_path);
        run(cmd, what)
    };
    let (in_release, release_gpg) = std::thread::scope(|s| {
        let detached =
            s.spawn(|| signing("--detach-sign", true, "signing Release into Release.gpg"));
        let clear = signing("--clearsign", false, "clear-signing Release into InRelease");
        (clear, joined(detached))
    });
    Ok(Signed {
        signature_time,
        key_asc: key.key_asc.clone(),
        key_gpg: key.key_gpg.clone(),
        in_release: in_release?,
        release_gpg: release_gpg?,
    })
}
