//! Signing `Release` with the `gpg` binary: `InRelease` (clear-signed),
//! `Release.gpg` (detached, armored) and the public key exported beside the
//! repository. No cryptography of our own.
//!
//! gpg calls are mostly process start-up, so there are few and they run side
//! by side: [`SigningKey::load`] lists the key and exports it armored at once
//! (the binary key is that armor decoded, [`dearmor`]); [`sign`] makes both
//! signatures at once.
//!
//! Reproducibility: gpg runs with `--faked-system-time T!`, where T is the
//! later of the build timestamp and the creation time of the signing keys
//! (a signature older than its key is refused by gpgv). Ed25519 and RSA
//! signatures are deterministic, so the same key and timestamp give the same
//! signature bytes; DSA/ECDSA keys use a random nonce and do not. The clock
//! is read only to refuse a T in the future (apt would call the Release
//! "not valid yet"): signing never falls back to it.

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
        let (key_asc, created) = std::thread::scope(|s| {
            let asc = s.spawn(|| export_public_key(key, homedir, true));
            let created = key_creation(key, homedir);
            (joined(asc), created)
        });
        let key_asc = key_asc?;
        let created = created?;
        // The binary key is the armored one decoded; gpg only when the
        // armor is not what we expect.
        let key_gpg = match dearmor(&key_asc) {
            Some(bytes) => bytes,
            None => export_public_key(key, homedir, false)?,
        };
        Ok(SigningKey {
            key: key.to_owned(),
            homedir: homedir.map(Path::to_owned),
            created,
            key_asc,
            key_gpg,
        })
    }
}

/// The packets of one ASCII-armored public key block (RFC 4880 §6), or
/// None for anything else: not one block, bad base64 or a CRC-24 mismatch.
pub fn dearmor(armored: &[u8]) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";
    let text = std::str::from_utf8(armored).ok()?;
    let mut lines = text.lines().map(str::trim_end);
    if lines.next()? != BEGIN {
        return None;
    }
    // Armor headers (`Comment: ...`) up to the blank line.
    lines.by_ref().find(|l| l.is_empty())?;
    let mut body = Vec::new();
    let mut crc = None;
    loop {
        let line = lines.next()?;
        if line == END {
            break;
        }
        if let Some(sum) = line.strip_prefix('=') {
            crc = Some(base64(sum.as_bytes())?);
            if lines.next()? != END {
                return None;
            }
            break;
        }
        body.extend_from_slice(line.as_bytes());
    }
    if lines.any(|l| !l.is_empty()) {
        return None;
    }
    let data = base64(&body)?;
    match crc {
        Some(sum) if sum != crc24(&data).to_be_bytes()[1..] => None,
        _ if data.is_empty() => None,
        _ => Some(data),
    }
}

/// Standard base64 with `=` padding, no line breaks.
fn base64(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() % 4 != 0 {
        return None;
    }
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let quads = text.chunks(4);
    let last = quads.len().saturating_sub(1);
    for (i, quad) in quads.enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i != last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | u32::from(value(c)?);
        }
        n <<= 6 * pad;
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Some(out)
}

/// The armor checksum (RFC 4880 §6.1).
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
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
    let t = timestamp.max(key.created);
    if t > now {
        return Err(RepoError::Gpg {
            what: "choosing the signature time",
            message: format!(
                "the build timestamp {t} lies in the future (now {now}): apt would refuse the \
                 repository as not valid yet; set SOURCE_DATE_EPOCH (or site.source_date_epoch) \
                 to a time in the past"
            ),
        });
    }
    let signature_time = Some(t);
    let signing = |mode: &str, armor: bool, what: &'static str| {
        let mut cmd = gpg(homedir);
        if let Some(t) = signature_time {
            cmd.arg(format!("--faked-system-time={t}!"));
        }
        // `--local-user=KEY`: one argument, never read as an option of its own.
        cmd.args(["--digest-algo", "SHA512"])
            .arg(format!("--local-user={}", key.key));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_crc24() {
        assert_eq!(base64(b"").unwrap(), b"");
        assert_eq!(base64(b"Zg==").unwrap(), b"f");
        assert_eq!(base64(b"Zm8=").unwrap(), b"fo");
        assert_eq!(base64(b"Zm9vYmFy").unwrap(), b"foobar");
        assert!(base64(b"Zm9").is_none());
        assert!(base64(b"Zg==Zg==").is_none());
        assert!(base64(b"Z!==").is_none());
        // CRC-24/OPENPGP check value.
        assert_eq!(crc24(b"123456789"), 0x21CF02);
    }

    #[test]
    fn dearmors_one_public_key_block() {
        let armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: x\n\nZm9vYmFy\n=czTe\n-----END PGP PUBLIC KEY BLOCK-----\n";
        let crc = crc24(b"foobar").to_be_bytes();
        assert_eq!(base64(b"czTe").unwrap(), crc[1..], "test vector's checksum");
        assert_eq!(dearmor(armored.as_bytes()).unwrap(), b"foobar");
        let no_crc = armored.replace("=czTe\n", "");
        assert_eq!(dearmor(no_crc.as_bytes()).unwrap(), b"foobar");
        for bad in [
            armored.replace("Zm9vYmFy", "Zm9vYmFz"),
            armored.replace("PUBLIC KEY", "SIGNATURE"),
            armored.replace("Comment: x\n\n", "Comment: x\n"),
            format!("{armored}{armored}"),
        ] {
            assert!(dearmor(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
