//! A GNU tar writer producing the same headers as `tar --format=gnu` run by
//! `dpkg-deb --build --root-owner-group`: 512-byte blocks, octal fields
//! NUL-terminated, magic `ustar  \0`, owner root:root (uid/gid 0, uname and
//! gname "root"), one mtime for every member, `././@LongLink` records (`L`
//! for names, `K` for link targets, written K then L) for anything longer
//! than 100 bytes, and the archive padded to a 10240-byte record.
//!
//! Member names and their order are the caller's business (see
//! [`super::data_members`]); this module only encodes.

use std::io::{self, Write};

const BLOCK: usize = 512;
const RECORD: u64 = 10240;
const NAME_LEN: usize = 100;

/// What one tar member is.
#[derive(Debug, Clone, Copy)]
pub enum TarKind<'a> {
    File(&'a [u8]),
    Dir,
    Symlink(&'a str),
}

/// Writes a GNU tar stream member by member.
pub struct TarWriter<W: Write> {
    out: W,
    mtime: u64,
    written: u64,
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W, mtime: u64) -> Self {
        TarWriter {
            out,
            mtime,
            written: 0,
        }
    }

    /// Appends one member named `name` exactly as given (callers pass
    /// `./`-prefixed names, directories with a trailing `/`).
    pub fn append(&mut self, name: &str, mode: u32, kind: TarKind<'_>) -> io::Result<()> {
        if name.is_empty() || name.contains('\0') {
            return Err(invalid(format!("bad tar member name {name:?}")));
        }
        if mode > 0o7777 {
            return Err(invalid(format!(
                "mode {mode:o} of {name} has file-type bits"
            )));
        }
        let (typeflag, size, link) = match kind {
            TarKind::File(data) => (b'0', data.len() as u64, ""),
            TarKind::Dir => (b'5', 0, ""),
            TarKind::Symlink(target) => {
                if target.is_empty() || target.contains('\0') {
                    return Err(invalid(format!("bad symlink target {target:?} for {name}")));
                }
                (b'2', 0, target)
            }
        };
        if size >= 1 << 33 {
            return Err(invalid(format!("{name} is larger than 8 GiB")));
        }
        if link.len() > NAME_LEN {
            self.long_link(b'K', link)?;
        }
        if name.len() > NAME_LEN {
            self.long_link(b'L', name)?;
        }
        let header = header(
            name.as_bytes(),
            mode,
            size,
            self.mtime,
            typeflag,
            link.as_bytes(),
        );
        self.emit(&header)?;
        if let TarKind::File(data) = kind {
            self.emit(data)?;
            self.pad()?;
        }
        Ok(())
    }

    /// Writes the end-of-archive blocks and record padding; returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(&[0; 2 * BLOCK])?;
        let rest = (RECORD - self.written % RECORD) % RECORD;
        self.emit(&vec![0; rest as usize])?;
        Ok(self.out)
    }

    fn long_link(&mut self, typeflag: u8, value: &str) -> io::Result<()> {
        let size = value.len() as u64 + 1;
        let header = header(b"././@LongLink", 0o644, size, 0, typeflag, b"");
        self.emit(&header)?;
        self.emit(value.as_bytes())?;
        self.emit(&[0])?;
        self.pad()
    }

    fn pad(&mut self) -> io::Result<()> {
        let rest = (BLOCK as u64 - self.written % BLOCK as u64) % BLOCK as u64;
        self.emit(&vec![0; rest as usize])
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&text.as_bytes()[text.len() - digits..]);
    field[digits] = 0;
}

fn header(name: &[u8], mode: u32, size: u64, mtime: u64, typeflag: u8, link: &[u8]) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let n = name.len().min(NAME_LEN);
    h[..n].copy_from_slice(&name[..n]);
    octal(&mut h[100..108], u64::from(mode));
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime);
    h[148..156].copy_from_slice(b"        ");
    h[156] = typeflag;
    let l = link.len().min(NAME_LEN);
    h[157..157 + l].copy_from_slice(&link[..l]);
    h[257..265].copy_from_slice(b"ustar  \0");
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    h
}

/// A member read back by [`read`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarMember<'a> {
    pub name: String,
    pub typeflag: u8,
    pub data: &'a [u8],
}

/// Lists the members of an uncompressed tar stream (enough to read control
/// archives of existing pool files; GNU long names understood).
pub fn read(tar: &[u8]) -> io::Result<Vec<TarMember<'_>>> {
    let bad = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad tar archive: {what}"),
        )
    };
    let mut members = Vec::new();
    let mut long_name: Option<String> = None;
    let mut pos = 0usize;
    while let Some(h) = tar.get(pos..pos + BLOCK) {
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let size_text = std::str::from_utf8(&h[124..136]).map_err(|_| bad("size field"))?;
        let size_text = size_text.trim_matches(|c: char| c == '\0' || c == ' ');
        let size = if size_text.is_empty() {
            0
        } else {
            usize::from_str_radix(size_text, 8).map_err(|_| bad("size field"))?
        };
        let start = pos + BLOCK;
        let data = tar
            .get(start..start + size)
            .ok_or_else(|| bad("truncated member"))?;
        pos = start + size.div_ceil(BLOCK) * BLOCK;
        let typeflag = h[156];
        let raw_name = cstr(&h[..NAME_LEN]);
        match typeflag {
            b'L' => long_name = Some(cstr(data)),
            b'K' => {}
            _ => members.push(TarMember {
                name: long_name.take().unwrap_or(raw_name),
                typeflag,
                data,
            }),
        }
    }
    Ok(members)
}

fn cstr(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_header_matches_gnu_tar() {
        let mut w = TarWriter::new(Vec::new(), 1_700_000_000);
        w.append("./", 0o755, TarKind::Dir).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(out.len(), 10240);
        assert_eq!(&out[..3], b"./\0");
        assert_eq!(&out[100..108], b"0000755\0");
        assert_eq!(&out[136..148], b"14524770400\0");
        // Checksum seen in a `dpkg-deb --build` of the same entry.
        assert_eq!(&out[148..156], b"007714\0 ");
    }

    #[test]
    fn long_names_round_trip() {
        let long = format!("./{}", "a".repeat(150));
        let target = format!("/{}", "b".repeat(120));
        let mut w = TarWriter::new(Vec::new(), 1);
        w.append(&long, 0o777, TarKind::Symlink(&target)).unwrap();
        w.append("./f", 0o644, TarKind::File(b"x")).unwrap();
        let out = w.finish().unwrap();
        let members = read(&out).unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].name, long);
        assert_eq!(members[0].typeflag, b'2');
        assert_eq!(members[1].data, b"x");
    }
}
