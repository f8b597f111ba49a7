//! Reading a legacy setup: every given file (folders are walked, in name order) and every file
//! they `#include`, kept in one `SourceMap`. Each file's lines are parsed once and moved into a
//! shared "virtual" offset space (file N starts after file N-1), so lines spliced together from
//! several files keep spans that [`Legacy::locate`] maps back to a file. Main type: [`Legacy`].

use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::SourceSpan;

use super::error::ImportError;
use super::located::Located;
use mirrorc_core::diag::{Finding, Sink};
use mirrorc_core::source::{FileId, SourceMap};
use mirrorc_lcfg::{self as lcfg, LcfgError, Line, LineKind};

/// How deeply `#include`s may nest.
const MAX_INCLUDE_DEPTH: usize = 32;
/// Largest legacy file read (a legacy header or profile is a few kilobytes).
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The legacy files read so far and what was wrong with them.
#[derive(Debug, Default)]
pub struct Legacy {
    /// Every file read: the inputs first, then included headers.
    pub sources: SourceMap,
    /// Diagnostics found while reading, parsing and expanding.
    pub findings: Sink,
    /// The input files (not the headers found only through `#include`), in order.
    pub inputs: Vec<(FileId, PathBuf)>,
    bases: Vec<usize>,
    by_path: BTreeMap<PathBuf, FileId>,
    parsed: BTreeMap<FileId, Vec<Line>>,
    include_dirs: Vec<PathBuf>,
    /// Canonical folders an `#include` may resolve into: the `-I` folders, the input folders
    /// and the folders of the input files (`#include "/etc/shadow"` must not be read).
    roots: Vec<PathBuf>,
}

impl Legacy {
    /// Reads `inputs` (files, or folders walked recursively in name order); `#include`s are
    /// looked up beside the including file, then in `include_dirs`, then in the input folders.
    pub fn read(inputs: &[PathBuf], include_dirs: &[PathBuf]) -> io::Result<Legacy> {
        let mut legacy = Legacy {
            include_dirs: include_dirs.to_vec(),
            ..Legacy::default()
        };
        let mut files = Vec::new();
        for input in inputs {
            if std::fs::metadata(input)
                .map_err(|e| io_error(input, e))?
                .is_dir()
            {
                legacy.include_dirs.push(input.clone());
                walk(input, &mut files)?;
            } else {
                files.push(input.clone());
                if let Some(parent) = input.parent() {
                    let parent = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    legacy.roots.extend(std::fs::canonicalize(parent));
                }
            }
        }
        let dirs: Vec<PathBuf> = legacy
            .include_dirs
            .iter()
            .flat_map(std::fs::canonicalize)
            .collect();
        legacy.roots.extend(dirs);
        for path in files {
            let id = legacy.add(&path)?;
            if !legacy.inputs.iter().any(|(f, _)| *f == id) {
                legacy.inputs.push((id, path));
            }
        }
        Ok(legacy)
    }

    /// Maps a virtual range back to its file and a span local to that file.
    pub fn locate(&self, range: &Range<usize>) -> (FileId, SourceSpan) {
        let i = self
            .bases
            .partition_point(|b| *b <= range.start)
            .saturating_sub(1);
        let base = self.bases.get(i).copied().unwrap_or(0);
        let id = FileId(i as u32);
        let len = self.sources.iter().nth(i).map_or(0, |(_, f)| f.text.len());
        let start = (range.start - base).min(len);
        let end = range.end.saturating_sub(base).clamp(start, len);
        (id, SourceSpan::new(start.into(), end - start))
    }

    /// A finding for `diag` at the virtual `range`.
    pub fn finding(
        &self,
        range: &Range<usize>,
        make: impl FnOnce(SourceSpan) -> ImportError,
    ) -> Finding {
        let (file, span) = self.locate(range);
        Finding::new(file, make(span))
    }

    /// The first place in a virtual range that spells `needle` as a whole word (the whole
    /// range if none does).
    pub fn narrow(&self, range: &Range<usize>, needle: &str) -> Range<usize> {
        let (file, span) = self.locate(range);
        let text = &self.sources.file(file).text;
        let local = text
            .get(span.offset()..span.offset() + span.len())
            .unwrap_or_default();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let found = local.match_indices(needle).map(|(i, _)| i).find(|&i| {
            !word(local[..i].chars().next_back()) && !word(local[i + needle.len()..].chars().next())
        });
        match found {
            Some(i) if !needle.is_empty() => range.start + i..range.start + i + needle.len(),
            _ => range.clone(),
        }
    }

    /// Virtual range covering the first line of a file (for findings about a whole file).
    pub fn file_start(&self, id: FileId) -> Range<usize> {
        let base = self.bases.get(id.0 as usize).copied().unwrap_or(0);
        let text = &self.sources.file(id).text;
        base..base + text.find('\n').unwrap_or(text.len())
    }

    /// Adds a file (once per canonical path) and returns its id.
    pub(super) fn add(&mut self, path: &Path) -> io::Result<FileId> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(id) = self.by_path.get(&key) {
            return Ok(*id);
        }
        // A regular file of bounded size only: a header symlinked to /dev/zero is refused.
        let bytes = mirrorc_core::output::guard::read_regular(path, MAX_FILE_BYTES)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let base = self.bases.last().map_or(0, |b| b + 1)
            + self.sources.iter().last().map_or(0, |(_, f)| f.text.len());
        self.bases.push(base);
        let id = self.sources.add(path.display().to_string(), text);
        self.by_path.insert(key, id);
        Ok(id)
    }

    /// Reports LCFG errors whose spans are virtual.
    pub(super) fn report_lcfg(&mut self, errors: Vec<LcfgError>) {
        for e in errors {
            let (file, span) = self.locate(&e.span());
            self.findings
                .push(Finding::new(file, Located::new(e, span)));
        }
    }

    /// The file's own lines, parsed once, with virtual spans; a line that does not parse is a
    /// finding and is left out, the others are kept.
    pub(super) fn lines(&mut self, id: FileId) -> Vec<Line> {
        if let Some(lines) = self.parsed.get(&id) {
            return lines.clone();
        }
        let base = self.bases.get(id.0 as usize).copied().unwrap_or(0);
        let (lines, errors) = lcfg::parse_all(&self.sources.file(id).text);
        for e in errors {
            let r = e.span();
            let span = SourceSpan::new(r.start.into(), r.end - r.start);
            self.findings.push(Finding::new(id, Located::new(e, span)));
        }
        let lines: Vec<Line> = lines.into_iter().map(|l| shift(l, base)).collect();
        self.parsed.insert(id, lines.clone());
        lines
    }

    /// The lines of `id` with every `#include` replaced by the included file's lines.
    pub(super) fn spliced(&mut self, id: FileId) -> Vec<Line> {
        let mut out = Vec::new();
        self.splice(id, &mut vec![id], &mut out);
        out
    }

    fn splice(&mut self, id: FileId, stack: &mut Vec<FileId>, out: &mut Vec<Line>) {
        for line in self.lines(id) {
            let LineKind::Include { path, system } = &line.kind else {
                out.push(line);
                continue;
            };
            match self.resolve_include(id, &path.text, *system) {
                Some(inc) if stack.contains(&inc) || stack.len() > MAX_INCLUDE_DEPTH => {}
                Some(inc) => {
                    stack.push(inc);
                    self.splice(inc, stack, out);
                    stack.pop();
                }
                None => {
                    let text = path.text.clone();
                    let f = self.finding(&line.span, |span| ImportError::MissingInclude {
                        path: text,
                        span,
                    });
                    self.findings.push(f);
                }
            }
        }
    }

    /// Where an `#include` of `from` points: beside `from` (quoted form only), then the
    /// include folders.
    pub(super) fn include_path(&self, from: FileId, name: &str, system: bool) -> Option<PathBuf> {
        let here = Path::new(&self.sources.file(from).name)
            .parent()
            .map(Path::to_path_buf);
        let beside = if system { None } else { here };
        beside
            .iter()
            .chain(self.include_dirs.iter())
            .map(|d| d.join(name))
            .find(|p| p.is_file() && self.may_include(p))
    }

    /// Does `path` resolve (symlinks followed) inside one of the allowed folders?
    fn may_include(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|real| self.roots.iter().any(|r| real.starts_with(r)))
    }

    fn resolve_include(&mut self, from: FileId, name: &str, system: bool) -> Option<FileId> {
        let path = self.include_path(from, name, system)?;
        self.add(&path).ok()
    }

    /// The include folders, for running the real cpp.
    pub(super) fn include_dirs(&self) -> &[PathBuf] {
        &self.include_dirs
    }
}

/// Moves every span of a parsed line by `base`.
pub(super) fn shift(mut line: Line, base: usize) -> Line {
    let add = |r: &mut Range<usize>| *r = r.start + base..r.end + base;
    add(&mut line.span);
    for w in line.kind.words_mut() {
        add(&mut w.span);
    }
    line
}

/// Sets every span of a line to `span` (lines whose origin is only known to the line).
pub(super) fn respan(mut line: Line, span: &Range<usize>) -> Line {
    line.span = span.clone();
    for w in line.kind.words_mut() {
        w.span = span.clone();
    }
    line
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.ends_with('~'));
        if hidden {
            continue;
        }
        // A symlinked folder is not followed (it may loop, or lead anywhere).
        let real_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
        if real_dir {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn io_error(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
