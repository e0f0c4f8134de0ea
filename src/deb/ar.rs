//! The `ar` container of a .deb, byte for byte as `dpkg-deb --build` writes it:
//! the global header `!<arch>\n`, then for each member a 60-byte header
//! (name padded with spaces and no trailing slash, decimal mtime, uid 0,
//! gid 0, octal mode 100644, decimal size, "`\n") followed by the data and
//! one `\n` when the size is odd.

use std::io::{self, Write};

/// The global header of every ar archive.
pub const MAGIC: &[u8; 8] = b"!<arch>\n";

/// Writes an ar archive member by member.
pub struct ArWriter<W: Write> {
    out: W,
    mtime: u64,
}

impl<W: Write> ArWriter<W> {
    /// Writes the global header. Every member gets `mtime` as its time.
    pub fn new(mut out: W, mtime: u64) -> io::Result<Self> {
        out.write_all(MAGIC)?;
        Ok(ArWriter { out, mtime })
    }

    /// Appends one member. Names longer than 16 bytes or holding spaces or
    /// slashes are refused (a .deb has none).
    pub fn append(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        if name.is_empty() || name.len() > 16 || name.contains([' ', '/']) || !name.is_ascii() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("ar member name {name:?} is not a short plain name"),
            ));
        }
        let header = member_header(name, self.mtime, data.len() as u64);
        self.out.write_all(&header)?;
        self.out.write_all(data)?;
        if data.len() % 2 == 1 {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Returns the underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

fn member_header(name: &str, mtime: u64, size: u64) -> [u8; 60] {
    let text = format!(
        "{name:<16}{mtime:<12}{:<6}{:<6}{:<8}{size:<10}`\n",
        0, 0, "100644"
    );
    let mut header = [b' '; 60];
    // Every field is ASCII and padded to its width, so `text` is 60 bytes
    // unless the mtime or size overflow their fields; then keep the prefix
    // (never reached: 12 decimal digits of seconds, 10 digits of bytes).
    let bytes = text.as_bytes();
    let n = bytes.len().min(60);
    header[..n].copy_from_slice(&bytes[..n]);
    header[58] = b'`';
    header[59] = b'\n';
    header
}

/// One member read back from an ar archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArMember<'a> {
    pub name: String,
    pub mtime: u64,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub data: &'a [u8],
}

/// Splits an ar archive into its members (dpkg-style names, with or without
/// a GNU trailing `/`). Used to read back existing pool files.
pub fn read(archive: &[u8]) -> io::Result<Vec<ArMember<'_>>> {
    let bad = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad ar archive: {what}"),
        )
    };
    let rest = archive
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| bad("no !<arch> header"))?;
    let mut members = Vec::new();
    let mut pos = 0usize;
    while pos < rest.len() {
        let header = rest
            .get(pos..pos + 60)
            .ok_or_else(|| bad("truncated member header"))?;
        if &header[58..60] != b"`\n" {
            return Err(bad("member header without end marker"));
        }
        let field = |a: usize, b: usize| {
            std::str::from_utf8(&header[a..b])
                .map(|s| s.trim_end().to_owned())
                .map_err(|_| bad("non-ASCII header"))
        };
        let num = |a: usize, b: usize, radix: u32| -> io::Result<u64> {
            let s = field(a, b)?;
            u64::from_str_radix(&s, radix).map_err(|_| bad("non-numeric header field"))
        };
        let name = field(0, 16)?.trim_end_matches('/').to_owned();
        let size = usize::try_from(num(48, 58, 10)?).map_err(|_| bad("member too large"))?;
        let start = pos + 60;
        let data = rest
            .get(start..start + size)
            .ok_or_else(|| bad("truncated member data"))?;
        members.push(ArMember {
            name,
            mtime: num(16, 28, 10)?,
            uid: num(28, 34, 10)? as u32,
            gid: num(34, 40, 10)? as u32,
            mode: num(40, 48, 8)? as u32,
            data,
        });
        pos = start + size + size % 2;
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_matches_dpkg() {
        let mut w = ArWriter::new(Vec::new(), 1673214651).unwrap();
        w.append("debian-binary", b"2.0\n").unwrap();
        w.append("odd", b"abc").unwrap();
        let out = w.into_inner();
        assert_eq!(
            &out[..68],
            b"!<arch>\ndebian-binary   1673214651  0     0     100644  4         `\n".as_slice()
        );
        assert_eq!(&out[68..72], b"2.0\n");
        assert_eq!(out.len(), 8 + 60 + 4 + 60 + 3 + 1);
        assert_eq!(*out.last().unwrap(), b'\n');
        let members = read(&out).unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[1].name, "odd");
        assert_eq!(members[1].data, b"abc");
        assert_eq!(members[1].mode, 0o100644);
    }
}
