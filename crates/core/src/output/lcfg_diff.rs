//! `diff --lcfg`: the compiled LCFG headers against those in an output folder, compared by
//! meaning, not by line. Each header is parsed, its macros expanded and its resources
//! evaluated; object-like `#define`s count too (the site lists). Tag lists compare as sets,
//! so a reordering is no change and each added or removed tag is named. Main type: [`LcfgDiff`].

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

use crate::diag::Finding;
use crate::emit::Artifact;
use crate::source::SourceMap;
use mirrorc_lcfg::{self as lcfg, is_list_resource, LcfgError, LineKind};

/// What a header means: resources and object-like defines, and which of them are lists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// `component.resource` or `#define NAME` → value.
    pub values: BTreeMap<String, String>,
    /// Keys whose values are blank-separated tag lists.
    pub lists: BTreeSet<String>,
}

/// The changes of one header, one line each.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LcfgDiff {
    /// Header path → its changes.
    pub files: BTreeMap<String, Vec<String>>,
}

impl LcfgDiff {
    /// Does anything differ?
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The changes as text: each header, then its changes indented.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (path, changes) in &self.files {
            out.push_str(&format!("{path}:\n"));
            for c in changes {
                out.push_str(&format!("  {c}\n"));
            }
        }
        out
    }
}

/// Parses, expands and evaluates one header (errors have spans into `text`).
pub fn meaning(text: &str) -> Result<Meaning, Vec<LcfgError>> {
    let lines = lcfg::expand_defines(&lcfg::parse(text)?)?;
    let resources = lcfg::evaluate(&lines)?;
    let mut m = Meaning::default();
    for ((c, r), v) in resources {
        m.values.insert(format!("{c}.{r}"), v);
        if is_list_resource(&c, &r) || r == "hostsallow" {
            m.lists.insert(format!("{c}.{r}"));
        }
    }
    for line in &lines {
        match &line.kind {
            LineKind::Define {
                name,
                params: None,
                body,
                ..
            } => {
                let key = format!("#define {}", name.text);
                m.values.insert(key.clone(), body.text.clone());
                m.lists.insert(key);
            }
            LineKind::Mutation {
                component,
                resource,
                op,
                ..
            } if op.text == "mADD" => {
                m.lists
                    .insert(format!("{}.{}", component.text, resource.text));
            }
            _ => {}
        }
    }
    Ok(m)
}

/// The changes from `old` to `new`, one line per key, in key order.
pub fn compare(old: &Meaning, new: &Meaning) -> Vec<String> {
    let keys: BTreeSet<&String> = old.values.keys().chain(new.values.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let list = old.lists.contains(key) || new.lists.contains(key);
        match (old.values.get(key), new.values.get(key)) {
            (Some(o), None) => out.push(format!("{key}: removed (was `{o}`)")),
            (None, Some(n)) => out.push(format!("{key}: added `{n}`")),
            (Some(o), Some(n)) if list => out.extend(tag_delta(key, o, n)),
            (Some(o), Some(n)) if o != n => out.push(format!("{key}: changed `{o}` -> `{n}`")),
            _ => {}
        }
    }
    out
}

fn tag_delta(key: &str, old: &str, new: &str) -> Option<String> {
    let o: BTreeSet<&str> = old.split_whitespace().collect();
    let n: BTreeSet<&str> = new.split_whitespace().collect();
    let removed = o.difference(&n).map(|t| format!("-{t}"));
    let added = n.difference(&o).map(|t| format!("+{t}"));
    let parts: Vec<String> = removed.chain(added).collect();
    (!parts.is_empty()).then(|| format!("{key}: {}", parts.join(" ")))
}

/// Compares the `lcfg/**.h` artifacts with the headers under `dir/lcfg`. Headers on disk that
/// do not parse are returned as findings (in `sources`) and compared as empty.
pub fn diff(dir: &Path, artifacts: &[Artifact]) -> io::Result<(LcfgDiff, SourceMap, Vec<Finding>)> {
    let new: BTreeMap<String, &str> = artifacts
        .iter()
        .filter(|a| is_header(&a.path))
        .map(|a| (a.path.clone(), a.content.as_str()))
        .collect();
    let mut old_paths = Vec::new();
    walk(&dir.join("lcfg"), "lcfg", &mut old_paths)?;
    let (mut sources, mut findings, mut report) =
        (SourceMap::default(), Vec::new(), LcfgDiff::default());
    let paths: BTreeSet<String> = new.keys().cloned().chain(old_paths).collect();
    for path in paths {
        // Regular files of bounded size only: a header symlinked to /dev/zero is refused.
        let old = match super::guard::read_regular(&dir.join(&path), MAX_HEADER_BYTES) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let id = sources.add(dir.join(&path).display().to_string(), text.clone());
                meaning(&text).unwrap_or_else(|errors| {
                    findings.extend(errors.into_iter().map(|e| Finding::new(id, e)));
                    Meaning::default()
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Meaning::default(),
            Err(e) => return Err(e),
        };
        let new_meaning = new
            .get(&path)
            .map(|t| meaning(t).unwrap_or_default())
            .unwrap_or_default();
        let changes = compare(&old, &new_meaning);
        if !changes.is_empty() {
            report.files.insert(path, changes);
        }
    }
    Ok((report, sources, findings))
}

/// Largest header compared (a generated one is a few kilobytes).
const MAX_HEADER_BYTES: u64 = 64 << 20;

fn is_header(path: &str) -> bool {
    path.starts_with("lcfg/") && path.ends_with(".h")
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // Not through a symlinked folder (it may loop forever, or lead out of `dir`).
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, &format!("{rel}/{name}"), out)?;
        } else if is_header(&format!("{rel}/{name}")) {
            out.push(format!("{rel}/{name}"));
        }
    }
    Ok(())
}

/// What `diff --lcfg` found: the inventory's findings, then (when it compiled) the semantic
/// differences and the findings of headers on disk that do not parse (in `old_sources`).
#[derive(Debug, Default)]
pub struct LcfgOutcome {
    /// The inventory's findings.
    pub findings: Vec<Finding>,
    /// The inventory's files.
    pub sources: SourceMap,
    /// The comparison (`None`: the inventory has errors).
    pub diff: Option<LcfgDiff>,
    /// The headers read from the output folder.
    pub old_sources: SourceMap,
    /// Headers on disk that do not parse.
    pub old_findings: Vec<Finding>,
}

/// `mirrorc diff --lcfg`: compiles `sources` in memory and compares the headers with `out`.
pub fn run(out: &Path, sources: SourceMap) -> io::Result<LcfgOutcome> {
    let compiled = crate::build(&sources).map_err(io::Error::other)?;
    let mut outcome = LcfgOutcome {
        findings: compiled.findings,
        sources,
        ..LcfgOutcome::default()
    };
    if let Some(artifacts) = compiled.artifacts {
        let (diff, old_sources, old_findings) = diff(out, &artifacts)?;
        outcome.diff = Some(diff);
        outcome.old_sources = old_sources;
        outcome.old_findings = old_findings;
    }
    Ok(outcome)
}
