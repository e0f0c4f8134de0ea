//! The contract between the planning stage (what goes into each package) and
//! the writers (`deb`, `repo`). Pure data, no I/O.

use std::collections::BTreeMap;

/// One binary package, fully decided: every file, mode and control field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSpec {
    pub name: String,
    pub version: String,
    pub maintainer: String,
    pub section: String,
    pub priority: String,
    /// Always "all" for site packages.
    pub architecture: String,
    pub homepage: Option<String>,
    pub pre_depends: Vec<String>,
    pub depends: Vec<String>,
    pub recommends: Vec<String>,
    pub suggests: Vec<String>,
    pub conflicts: Vec<String>,
    pub breaks: Vec<String>,
    pub replaces: Vec<String>,
    pub provides: Vec<String>,
    /// Synopsis line of the Description field.
    pub summary: String,
    /// Extended description, plain paragraphs separated by blank lines;
    /// the writer folds it into control-file syntax.
    pub description: String,
    /// Files of data.tar, keyed by absolute path ("/etc/drbd.d/r0.res").
    /// Parent directories are added by the writer.
    pub files: BTreeMap<String, Entry>,
    /// Maintainer scripts and other control members (postinst, templates, config, ...).
    pub control: BTreeMap<ControlMember, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub mode: u32,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File(Vec<u8>),
    Dir,
    Symlink(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControlMember {
    Preinst,
    Postinst,
    Prerm,
    Postrm,
    Config,
    Templates,
    Triggers,
}

impl ControlMember {
    pub fn file_name(self) -> &'static str {
        match self {
            ControlMember::Preinst => "preinst",
            ControlMember::Postinst => "postinst",
            ControlMember::Prerm => "prerm",
            ControlMember::Postrm => "postrm",
            ControlMember::Config => "config",
            ControlMember::Templates => "templates",
            ControlMember::Triggers => "triggers",
        }
    }
    /// Executable control members get mode 0755.
    pub fn is_script(self) -> bool {
        !matches!(self, ControlMember::Templates | ControlMember::Triggers)
    }
}

impl Entry {
    pub fn file(mode: u32, content: impl Into<Vec<u8>>) -> Self {
        Entry {
            mode,
            kind: EntryKind::File(content.into()),
        }
    }
    pub fn dir() -> Self {
        Entry {
            mode: 0o755,
            kind: EntryKind::Dir,
        }
    }
    pub fn symlink(target: impl Into<String>) -> Self {
        Entry {
            mode: 0o777,
            kind: EntryKind::Symlink(target.into()),
        }
    }
}
