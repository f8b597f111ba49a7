//! `diff`: the compiled artifacts against an output folder. First a summary of access
//! changes read from the old and new spanning maps (who may pull from whom, who pulls what),
//! then a unified diff per file that differs. The comparison streams (see [`diff`]): at
//! 100,000 clients neither tree is ever whole in memory.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use similar::TextDiff;

use super::fresh;
use super::manifest::{self, Manifest};
use super::stream::{write_weight, CHUNK};
use crate::emit::spanning_map::{self, ClientEntry, SpanningMap};
use crate::emit::{self, Artifact};
use crate::model::Model;
use crate::par;

/// One file that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative path.
    pub path: String,
    /// Content on disk (`None`: missing).
    pub old: Option<String>,
    /// Content compiled now (`None`: no longer generated).
    pub new: Option<String>,
}

/// Everything that differs.
#[derive(Debug, Default)]
pub struct DiffReport {
    /// Access changes, one line each.
    pub summary: Vec<String>,
    /// Files that differ, by path.
    pub files: Vec<FileChange>,
}

impl DiffReport {
    /// Does anything differ?
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The report as text: summary, then unified diffs.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if !self.summary.is_empty() {
            out.push_str("access changes:\n");
            for line in &self.summary {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
        for f in &self.files {
            out.push_str(&unified(f));
        }
        out
    }
}

fn unified(f: &FileChange) -> String {
    let old = f.old.as_deref().unwrap_or("");
    let new = f.new.as_deref().unwrap_or("");
    let a = if f.old.is_some() {
        format!("a/{}", f.path)
    } else {
        "/dev/null".to_string()
    };
    let b = if f.new.is_some() {
        format!("b/{}", f.path)
    } else {
        "/dev/null".to_string()
    };
    let diff = TextDiff::from_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Compares the artifacts of `model` with `dir` (files it lists in its manifest count as
/// generated), chunk by chunk: each artifact is rendered, compared and dropped, and only the
/// files that differ are kept, so memory follows the size of the change, not of the estate.
pub fn diff(dir: &Path, manifest: &Manifest, model: &Model) -> io::Result<DiffReport> {
    // The summary first, while no file is held: the two maps are the largest values here.
    let summary = {
        let old_map = read_text(&dir.join(spanning_map::PATH))?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        summarize(&old_map, &spanning_map::build(model))
    };
    let produced = emit::paths(model);
    let mut files = Vec::new();
    emit::emit_chunks(model, CHUNK, |chunk: Vec<Artifact>| -> io::Result<()> {
        let changes = par::map_weighted(&chunk, write_weight, |a| change(dir, manifest, a));
        for change in changes {
            files.extend(change?);
        }
        Ok(())
    })?;
    let stale: Vec<&String> = manifest
        .files
        .keys()
        .filter(|p| produced.binary_search(p).is_err())
        .collect();
    for (path, old) in stale
        .iter()
        .zip(par::map(&stale, |p| read_text(&dir.join(p))))
    {
        if let Some(old) = old? {
            files.push(FileChange {
                path: (*path).clone(),
                old: Some(old),
                new: None,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(DiffReport { summary, files })
}

/// How the file of `a` on disk differs from it, if it does. A file whose stamp is still the
/// one the manifest recorded holds the manifest's hash (`fresh::known_hash`); only a file
/// whose recorded hash is not the new one, or whose stamp moved, is read.
fn change(dir: &Path, manifest: &Manifest, a: &Artifact) -> io::Result<Option<FileChange>> {
    let full = dir.join(&a.path);
    if let Some(known) = fresh::recorded_hash(&full, manifest, &a.path) {
        if *known == manifest::hash(a.content.as_bytes()) {
            return Ok(None);
        }
    }
    let old = read_text(&full)?;
    if old.as_deref() == Some(a.content.as_str()) {
        return Ok(None);
    }
    Ok(Some(FileChange {
        path: a.path.clone(),
        old,
        new: Some(a.content.clone()),
    }))
}

fn read_text(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
}

/// Access changes between two spanning maps, one line each, sorted by host.
pub fn summarize(old: &SpanningMap, new: &SpanningMap) -> Vec<String> {
    let mut out = Vec::new();
    let clients: BTreeSet<&String> = old.clients.keys().chain(new.clients.keys()).collect();
    for name in clients {
        match (old.clients.get(name), new.clients.get(name)) {
            (None, Some(n)) => out.push(format!(
                "{name}: new client, hosts allow {}",
                n.server_set.join(" ")
            )),
            (Some(_), None) => out.push(format!("{name}: client removed")),
            (Some(o), Some(n)) => {
                let mut parts = Vec::new();
                push_delta(&mut parts, "hosts allow", &o.server_set, &n.server_set);
                if o.server_set == n.server_set {
                    push_delta(&mut parts, "hosts allow", &o.hosts_allow, &n.hosts_allow);
                }
                let drain = draining(o, n);
                if drain.is_empty() {
                    push_delta(&mut parts, "held by", &o.holders, &n.holders);
                }
                if !parts.is_empty() {
                    out.push(format!("{name}: {}", parts.join("; ")));
                }
                out.extend(drain);
            }
            (None, None) => {}
        }
    }
    let servers: BTreeSet<&String> = old.servers.keys().chain(new.servers.keys()).collect();
    for name in servers {
        let empty = Vec::new();
        let o = old.servers.get(name).map_or(&empty, |s| &s.disks);
        let n = new.servers.get(name).map_or(&empty, |s| &s.disks);
        let mut parts = Vec::new();
        push_delta(&mut parts, "", o, n);
        if !parts.is_empty() {
            out.push(format!("{name}: {}", parts.join(" ").trim_start()));
        }
    }
    out
}

/// A changed holding with draining servers, one line per disk:
/// `fpc001_home: jmirror1 (new) + jmirror3 (draining)` ("new": not a holder before).
fn draining(old: &ClientEntry, new: &ClientEntry) -> Vec<String> {
    if new.draining.is_empty() || (old.holders == new.holders && old.draining == new.draining) {
        return Vec::new();
    }
    let added: Vec<String> = new
        .holders
        .iter()
        .filter(|h| !old.holders.contains(h))
        .cloned()
        .collect();
    let mut held = crate::explain::holding(&new.holders, &new.draining, &added);
    let gone: Vec<&str> = old
        .holders
        .iter()
        .filter(|h| !new.holders.contains(h))
        .map(String::as_str)
        .collect();
    if !gone.is_empty() {
        held = format!("{held}; no longer held by {}", gone.join(" "));
    }
    new.modules
        .keys()
        .map(|tag| format!("{tag}: {held}"))
        .collect()
}

fn push_delta(parts: &mut Vec<String>, label: &str, old: &[String], new: &[String]) {
    let added: Vec<String> = new
        .iter()
        .filter(|x| !old.contains(x))
        .map(|x| format!("+{x}"))
        .collect();
    let removed: Vec<String> = old
        .iter()
        .filter(|x| !new.contains(x))
        .map(|x| format!("-{x}"))
        .collect();
    if added.is_empty() && removed.is_empty() {
        return;
    }
    let items = [added, removed].concat().join(" ");
    parts.push(if label.is_empty() {
        items
    } else {
        format!("{label} {items}")
    });
}

#[cfg(test)]
mod tests {
    use crate::emit::spanning_map;

    /// The day `jmirror3` of `site/` was set to `drain`: before, it alone held fpc001 and
    /// ffs01; now each has its replacement besides, shown per disk.
    #[test]
    fn a_drain_shows_the_new_holder_beside_the_draining_one() {
        let new = spanning_map::build(&crate::testing::bundled("site"));
        let mut old = spanning_map::build(&crate::testing::bundled("site"));
        for c in old.clients.values_mut().filter(|c| !c.draining.is_empty()) {
            c.holders = c.draining.clone();
            c.draining.clear();
        }
        let lines: Vec<String> = super::summarize(&old, &new)
            .into_iter()
            .filter(|l| l.starts_with("f"))
            .collect();
        assert_eq!(
            lines,
            [
                "ffs01_group: jmirror2 (new) + jmirror3 (draining)",
                "ffs01_home: jmirror2 (new) + jmirror3 (draining)",
                "fpc001_home: jmirror1 (new) + jmirror3 (draining)",
            ]
        );
        // Retiring it afterwards: only its departure.
        let mut retired = spanning_map::build(&crate::testing::bundled("site"));
        for c in retired.clients.values_mut() {
            c.holders.retain(|h| !c.draining.contains(h));
            c.draining.clear();
        }
        let lines = super::summarize(&new, &retired);
        assert!(
            lines.contains(&"fpc001: held by -jmirror3".to_string()),
            "{lines:?}"
        );
    }
}
