//! Points an rsyncd.conf at a scratch folder: each module's `path` becomes an empty folder of
//! its own, and `pid file` (and `lock file`/`log file`/`temp dir`, if any) move into it.
//! A deployed file is untrusted: what would make rsync run a program (`early exec`,
//! `pre-xfer exec`, `post-xfer exec`, `name converter`) or read another file (`motd file`,
//! `&include`, `&merge`) is commented out and listed in [`Remapped::disarmed`]; mirrorc never writes them.
//! Every other byte is kept, so rsync judges the file as it is.
//! Parameter names are matched as rsync matches them: case and spaces ignored.

use std::path::{Path, PathBuf};

/// A config rewritten for a scratch folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Remapped {
    /// The rewritten text.
    pub text: String,
    /// Module names in file order, with the folder their `path` now points at.
    pub modules: Vec<(String, PathBuf)>,
    /// Parameters and directives commented out because rsync would run or read something.
    pub disarmed: Vec<String>,
}

/// Parameters whose value rsync runs as a program, or a file it shows to the client (`motd
/// file`, whose lines would land in a finding); normalized: lower case, no blanks.
const DISARMED: [&str; 5] = [
    "earlyexec",
    "pre-xferexec",
    "post-xferexec",
    "nameconverter",
    "motdfile",
];

/// Rewrites `text` so it touches only `dir`.
pub(super) fn remap(text: &str, dir: &Path) -> Remapped {
    let mut out = Remapped {
        text: String::with_capacity(text.len() + 256),
        modules: Vec::new(),
        disarmed: Vec::new(),
    };
    let mut continued = false; // the previous line ended with `\` (rsync joins the next one)
    let mut dropping = false; // ...and it was a line we replaced, so its tail goes too
    for line in text.lines() {
        let was_continued = std::mem::replace(&mut continued, line.ends_with('\\'));
        if was_continued {
            if !dropping {
                push_line(&mut out.text, line);
            }
            dropping = dropping && continued;
            continue;
        }
        let replacement =
            disarm(line, &mut out.disarmed).or_else(|| rewrite(line, dir, &mut out.modules));
        dropping = replacement.is_some() && continued;
        push_line(&mut out.text, replacement.as_deref().unwrap_or(line));
    }
    out
}

fn push_line(buf: &mut String, line: &str) {
    buf.push_str(line);
    buf.push('\n');
}

/// A comment in place of a line that would make rsync run a program or read another file.
fn disarm(line: &str, disarmed: &mut Vec<String>) -> Option<String> {
    let t = line.trim_start();
    let what = if t.starts_with('&') {
        t.split_whitespace().next().unwrap_or(t).to_string()
    } else {
        let (key, _) = t.split_once('=')?;
        if !DISARMED.contains(&normalize(key).as_str()) {
            return None;
        }
        key.trim().to_string()
    };
    let comment = format!("# disarmed by mirrorc verify: {}", what.escape_debug());
    disarmed.push(what);
    Some(comment)
}

/// The replacement of one logical line, or `None` to keep it.
fn rewrite(line: &str, dir: &Path, modules: &mut Vec<(String, PathBuf)>) -> Option<String> {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with(';') {
        return None;
    }
    if let Some(name) = t
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(n, _)| n.trim())
    {
        if name != "global" {
            modules.push((
                name.to_string(),
                dir.join("modules").join(modules.len().to_string()),
            ));
        }
        return None;
    }
    let (key, _) = t.split_once('=')?;
    let indent = &line[..line.len() - t.len()];
    let file = |f: &str| {
        Some(format!(
            "{indent}{} = {}",
            key.trim(),
            dir.join(f).display()
        ))
    };
    match normalize(key).as_str() {
        "path" => modules
            .last()
            .map(|(_, p)| format!("{indent}{} = {}", key.trim(), p.display())),
        "pidfile" => file("rsyncd.pid"),
        "lockfile" => file("rsyncd.lock"),
        "logfile" => file("rsyncd-conf.log"),
        "tempdir" => file("tmp"),
        _ => None,
    }
}

/// A parameter name as rsync compares it: lower case, no blanks.
fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expect: &str) {
        let r = remap(input, Path::new("/w"));
        let mods: Vec<String> = r
            .modules
            .iter()
            .map(|(n, p)| format!("{n} -> {}", p.display()))
            .collect();
        assert_eq!(format!("{}--\n{}", r.text, mods.join("\n")), expect);
    }

    #[test]
    fn remaps_paths_and_pid_file_only() {
        check(
            "port = 8873\nPID File = /run/x.pid\n# path = /nope\n[a_b]\n    path = /disk/home\n    hosts allow = 1.2.3.4\n[c]\npath=/x\n",
            "port = 8873\nPID File = /w/rsyncd.pid\n# path = /nope\n[a_b]\n    path = /w/modules/0\n    hosts allow = 1.2.3.4\n[c]\npath = /w/modules/1\n--\na_b -> /w/modules/0\nc -> /w/modules/1",
        );
    }

    #[test]
    fn programs_and_includes_are_disarmed_with_their_continuations() {
        let r = remap(
            "&include /etc/rsyncd.d\n[m]\nEarly Exec = /bin/sh -c \\\n'touch /x'\npre-xfer exec=/a\npost-xfer exec = /b\nname converter = /c\nmotd file = /etc/shadow\n# early exec = /d\n",
            Path::new("/w"),
        );
        assert_eq!(
            r.text,
            "# disarmed by mirrorc verify: &include\n[m]\n# disarmed by mirrorc verify: Early Exec\n# disarmed by mirrorc verify: pre-xfer exec\n# disarmed by mirrorc verify: post-xfer exec\n# disarmed by mirrorc verify: name converter\n# disarmed by mirrorc verify: motd file\n# early exec = /d\n"
        );
        assert_eq!(
            r.disarmed,
            [
                "&include",
                "Early Exec",
                "pre-xfer exec",
                "post-xfer exec",
                "name converter",
                "motd file"
            ]
        );
    }

    #[test]
    fn continuation_of_a_replaced_line_is_dropped_others_kept() {
        check(
            "[m]\npath = /a\\\nb\nhosts allow = 1.1.1.1 \\\n 2.2.2.2\n",
            "[m]\npath = /w/modules/0\nhosts allow = 1.1.1.1 \\\n 2.2.2.2\n--\nm -> /w/modules/0",
        );
    }
}
