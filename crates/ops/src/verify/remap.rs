//! Points a generated rsyncd.conf at a scratch folder: each module's `path` becomes an empty
//! folder of its own, and `pid file` (and `lock file`/`log file`, if any) move into the scratch
//! folder. Every other byte is kept, so rsync judges what mirrorc really emits.
//! Parameter names are matched as rsync matches them: case and spaces ignored.

use std::path::{Path, PathBuf};

/// A config rewritten for a scratch folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Remapped {
    /// The rewritten text.
    pub text: String,
    /// Module names in file order, with the folder their `path` now points at.
    pub modules: Vec<(String, PathBuf)>,
}

/// Rewrites `text` so it touches only `dir`.
pub(super) fn remap(text: &str, dir: &Path) -> Remapped {
    let mut out = Remapped {
        text: String::with_capacity(text.len() + 256),
        modules: Vec::new(),
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
        let replacement = rewrite(line, dir, &mut out.modules);
        dropping = replacement.is_some() && continued;
        push_line(&mut out.text, replacement.as_deref().unwrap_or(line));
    }
    out
}

fn push_line(buf: &mut String, line: &str) {
    buf.push_str(line);
    buf.push('\n');
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
    fn continuation_of_a_replaced_line_is_dropped_others_kept() {
        check(
            "[m]\npath = /a\\\nb\nhosts allow = 1.1.1.1 \\\n 2.2.2.2\n",
            "[m]\npath = /w/modules/0\nhosts allow = 1.1.1.1 \\\n 2.2.2.2\n--\nm -> /w/modules/0",
        );
    }
}
