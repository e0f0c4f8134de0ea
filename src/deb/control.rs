//! The `control` stanza of a binary package, written in code with dpkg's
//! field order, after checking every value: the writer never emits a control
//! file that dpkg would misread, whatever reached it.

use super::DebError;
use crate::package::PackageSpec;
use std::fmt::Write as _;

/// Renders the control file of `spec` with the given Installed-Size (KiB).
pub fn render(spec: &PackageSpec, installed_size: u64) -> Result<String, DebError> {
    let err = |field: &'static str, problem: String| DebError::Field {
        package: spec.name.clone(),
        field,
        problem,
    };
    check_package_name(&spec.name).map_err(|p| err("Package", p))?;
    check_version(&spec.version).map_err(|p| err("Version", p))?;
    check_word(&spec.architecture).map_err(|p| err("Architecture", p))?;
    check_line(&spec.maintainer).map_err(|p| err("Maintainer", p))?;
    if !(spec.maintainer.contains('<') && spec.maintainer.ends_with('>')) {
        return Err(err(
            "Maintainer",
            format!("{:?} is not `Name <email>`", spec.maintainer),
        ));
    }
    check_word(&spec.section).map_err(|p| err("Section", p))?;
    check_word(&spec.priority).map_err(|p| err("Priority", p))?;
    check_line(&spec.summary).map_err(|p| err("Description", p))?;

    let mut out = String::new();
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "{name}: {value}");
    };
    field("Package", &spec.name);
    field("Version", &spec.version);
    field("Architecture", &spec.architecture);
    field("Maintainer", &spec.maintainer);
    field("Installed-Size", &installed_size.to_string());
    let relations: [(&'static str, &Vec<String>); 8] = [
        ("Pre-Depends", &spec.pre_depends),
        ("Depends", &spec.depends),
        ("Recommends", &spec.recommends),
        ("Suggests", &spec.suggests),
        ("Conflicts", &spec.conflicts),
        ("Breaks", &spec.breaks),
        ("Replaces", &spec.replaces),
        ("Provides", &spec.provides),
    ];
    for (name, list) in relations {
        if list.is_empty() {
            continue;
        }
        for relation in list {
            check_relation(relation).map_err(|p| err(name, p))?;
        }
        field(name, &list.join(", "));
    }
    field("Section", &spec.section);
    field("Priority", &spec.priority);
    if let Some(homepage) = &spec.homepage {
        check_line(homepage).map_err(|p| err("Homepage", p))?;
        if !(homepage.starts_with("https://") || homepage.starts_with("http://"))
            || homepage.contains(' ')
        {
            return Err(err(
                "Homepage",
                format!("{homepage:?} is not an http(s) URL"),
            ));
        }
        field("Homepage", homepage);
    }
    let extended = fold_description(&spec.description).map_err(|p| err("Description", p))?;
    let _ = writeln!(out, "Description: {}{extended}", spec.summary);
    Ok(out)
}

/// Widest prose line of an extended description, without its leading space.
const WRAP: usize = 78;

/// Folds plain paragraphs into control-file syntax, wrapping prose lines
/// at 79 columns (lines that start with a space are verbatim): every line gets a
/// leading space, blank lines become ` .`. Leading/trailing blank lines are
/// dropped. Returns the text to append after the synopsis (starting with
/// `\n`, or empty).
pub fn fold_description(text: &str) -> Result<String, String> {
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(format!(
            "extended description holds control character {c:?}"
        ));
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    let mut out = String::new();
    if let (Some(first), Some(last)) = (first, last) {
        for line in &lines[first..=last] {
            if line.is_empty() || *line == "." {
                out.push_str("\n .");
            } else if line.starts_with([' ', '\t']) {
                // Verbatim (lists, examples): kept as written.
                out.push_str("\n ");
                out.push_str(line);
            } else {
                // Prose: word-wrapped so no line passes 80 columns.
                let mut width = 0;
                for word in line.split_whitespace() {
                    if width > 0 && width + 1 + word.len() > WRAP {
                        width = 0;
                    }
                    if width == 0 {
                        out.push_str("\n ");
                    } else {
                        out.push(' ');
                        width += 1;
                    }
                    out.push_str(word);
                    width += word.len();
                }
            }
        }
    }
    Ok(out)
}

/// Debian policy 5.6.1: lower case letters, digits, `+ - .`, at least two
/// characters, starting with an alphanumeric.
pub fn check_package_name(name: &str) -> Result<(), String> {
    let ok = name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a valid package name"))
    }
}

/// Debian policy 5.6.12: `[epoch:]upstream[-revision]`.
pub fn check_version(version: &str) -> Result<(), String> {
    let bad = || format!("{version:?} is not a valid Debian version");
    let (epoch, rest) = match version.split_once(':') {
        Some((e, r)) => (Some(e), r),
        None => (None, version),
    };
    if let Some(e) = epoch {
        if e.is_empty() || !e.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
    }
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => (u, Some(r)),
        None => (rest, None),
    };
    let upstream_ok = upstream.starts_with(|c: char| c.is_ascii_digit())
        && upstream
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".+~-:".contains(c));
    let revision_ok = match revision {
        None => true,
        Some(r) => {
            !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.~".contains(c))
        }
    };
    if upstream_ok && revision_ok && !(epoch.is_none() && upstream.contains(':')) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// One relation: `name [(op version)]` alternatives joined with `|`,
/// optionally with `:any`/`:native` and architecture restrictions in `[]`.
pub fn check_relation(relation: &str) -> Result<(), String> {
    check_line(relation)?;
    let bad = || format!("{relation:?} is not a package relation");
    for alternative in relation.split('|') {
        let alt = alternative.trim();
        let (head, tail) = match alt.find(['(', '[', ' ']) {
            Some(i) => (&alt[..i], alt[i..].trim_start()),
            None => (alt, ""),
        };
        let name = head.split_once(':').map_or(head, |(n, _)| n);
        check_package_name(name).map_err(|_| bad())?;
        let tail = if let Some(inner) = tail.strip_prefix('(') {
            let (constraint, after) = inner.split_once(')').ok_or_else(bad)?;
            let constraint = constraint.trim();
            let op_len = constraint
                .find(|c: char| !"<>=".contains(c))
                .unwrap_or(constraint.len());
            let (op, version) = constraint.split_at(op_len);
            if !["<<", "<=", "=", ">=", ">>"].contains(&op) {
                return Err(bad());
            }
            check_version(version.trim()).map_err(|_| bad())?;
            after.trim_start()
        } else {
            tail
        };
        let arch_ok = tail.is_empty()
            || (tail.starts_with('[')
                && tail.ends_with(']')
                && tail[1..tail.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || " !-".contains(c)));
        if !arch_ok {
            return Err(bad());
        }
    }
    Ok(())
}

fn check_line(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("is empty".to_owned());
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{value:?} holds a newline or control character"));
    }
    if value != value.trim() {
        return Err(format!("{value:?} has leading or trailing white space"));
    }
    Ok(())
}

fn check_word(value: &str) -> Result<(), String> {
    check_line(value)?;
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_+./".contains(c))
    {
        Ok(())
    } else {
        Err(format!("{value:?} is not a single word"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_paragraphs() {
        let text = "\nFirst line\nsecond.\n\n  verbatim\n\n";
        assert_eq!(
            fold_description(text).unwrap(),
            "\n First line\n second.\n .\n   verbatim"
        );
        assert_eq!(fold_description("").unwrap(), "");
    }

    #[test]
    fn versions() {
        for v in ["1.0", "1:2.3-4", "0.1~rc1+site2", "2024.05.01-1"] {
            assert!(check_version(v).is_ok(), "{v}");
        }
        for v in ["", "a1", "1.0-", "1 0", "1.0\n", ":1", "1:2:3-4a_b", "1:"] {
            assert!(check_version(v).is_err(), "{v}");
        }
    }

    #[test]
    fn relations() {
        for r in [
            "drbd-utils",
            "adduser (>= 3.11)",
            "mailx | bsd-mailx",
            "python3:any",
            "ab [amd64]",
        ] {
            assert!(check_relation(r).is_ok(), "{r}");
        }
        for r in ["", "Foo", "a (~ 1)", "a, b\nc", "a (>= 1", "a junk"] {
            assert!(check_relation(r).is_err(), "{r}");
        }
    }
}
