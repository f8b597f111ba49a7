//! Legacy file → expanded lines: `#include`s spliced in, then the built-in expander
//! (`mirrorc_lcfg::expand` in the chosen [`CppMode`], exact spans); a file that needs full
//! preprocessing (`#if` arithmetic and the like) goes through the real cpp instead (LCFG's
//! flags, or `cpp -undef` in ISO mode), whose line markers map every line back to its file.
//! Under LCFG's traditional cpp a `##` in a macro is literal: each such `#define` is a
//! `mirrorc::import_iso_paste` warning.

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use super::error::ImportError;
use super::load::{respan, Legacy};
use crate::exec::{self, Cancel, Ended, Job};
use mirrorc_core::source::{offset_of, FileId};
use mirrorc_lcfg::{self as lcfg, CppMode, LcfgError, Line};

/// The flags lcfg-core's `packages/container.c` gives cpp (`-I` folders follow).
pub const LCFG_CPP_FLAGS: [&str; 9] = [
    "-traditional",
    "-x",
    "c",
    "-undef",
    "-nostdinc",
    "-Wall",
    "-Wundef",
    "-Ui386",
    "-DLCFGNG",
];

/// The expanded lines of one legacy file (empty when it cannot be read); problems are
/// added to `legacy.findings`.
pub fn preprocess(legacy: &mut Legacy, id: FileId, mode: CppMode) -> Vec<Line> {
    let spliced = legacy.spliced(id);
    let done = lcfg::expand(&spliced, mode);
    for span in &done.iso_pastes {
        let f = legacy.finding(span, |span| ImportError::IsoPaste { span });
        legacy.findings.push(f);
    }
    if done.errors.is_empty() {
        return done.lines;
    }
    if !done.errors.iter().all(needs_cpp) {
        legacy.report_lcfg(done.errors);
        return Vec::new();
    }
    match with_cpp(legacy, id, mode) {
        Ok(lines) => lines,
        Err(e) => {
            legacy.report_lcfg(done.errors);
            legacy.findings.push(e);
            Vec::new()
        }
    }
}

/// Errors the built-in expander gives up on but cpp handles.
fn needs_cpp(e: &LcfgError) -> bool {
    matches!(
        e,
        LcfgError::UnsupportedCondition { .. } | LcfgError::MacroExpansion { .. }
    )
}

/// How long cpp may take on one legacy file.
const CPP_TIMEOUT: Duration = Duration::from_secs(10);

/// The most cpp output kept of one legacy file (the expander's own limits are of this order).
const CPP_OUTPUT_CAP: usize = 16 << 20;

fn with_cpp(
    legacy: &mut Legacy,
    id: FileId,
    mode: CppMode,
) -> Result<Vec<Line>, mirrorc_core::diag::Finding> {
    let start = legacy.file_start(id);
    let fail = |legacy: &Legacy, message: String| {
        legacy.finding(&start, |span| ImportError::Cpp { message, span })
    };
    let path = legacy.sources.file(id).name.clone();
    let flags: &[&str] = match mode {
        CppMode::Traditional => &LCFG_CPP_FLAGS,
        CppMode::Iso => &["-undef"],
    };
    let mut job = Job::new("cpp")
        .args(flags)
        .timeout(CPP_TIMEOUT)
        .stdout_cap(CPP_OUTPUT_CAP)
        .stderr_cap(64 << 10);
    for dir in legacy.include_dirs() {
        job = job.arg("-I").arg(dir);
    }
    let job = job.arg(&path);
    let out = exec::run(&job, &Cancel::new())
        .map_err(|e| fail(legacy, format!("cannot run cpp: {e}")))?;
    match out.status {
        Ended::Exited(0) if out.stdout_truncated() => {
            return Err(fail(
                legacy,
                format!(
                    "cpp output exceeds {} MiB (a macro bomb?)",
                    CPP_OUTPUT_CAP >> 20
                ),
            ))
        }
        Ended::Exited(0) => {}
        Ended::TimedOut => {
            return Err(fail(
                legacy,
                format!(
                    "cpp took longer than {} s (a macro bomb?)",
                    CPP_TIMEOUT.as_secs()
                ),
            ))
        }
        _ => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            // cpp prefixes `file:line:col: fatal error: `; the label already shows the file.
            let first = stderr.lines().next().unwrap_or("exit status");
            return Err(fail(
                legacy,
                first.rsplit("error: ").next().unwrap_or(first).to_string(),
            ));
        }
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (plain, origins) = strip_markers(&text);
    let lines = lcfg::parse(&plain)
        .map_err(|e| fail(legacy, format!("cpp output does not parse: {}", first(&e))))?;
    Ok(lines
        .into_iter()
        .map(|l| origin_of(legacy, &origins, id, l))
        .collect())
}

fn first(errors: &[LcfgError]) -> String {
    errors.first().map(ToString::to_string).unwrap_or_default()
}

/// cpp output without its line markers (each replaced by a blank line), and the origin
/// (file name, 1-based line) of every output line.
fn strip_markers(text: &str) -> (String, Vec<Option<(String, usize)>>) {
    let mut plain = String::new();
    let mut origins = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for line in text.lines() {
        if let Some(marker) = marker(line) {
            current = Some(marker);
            origins.push(None);
            plain.push('\n');
            continue;
        }
        origins.push(current.clone());
        if let Some((_, n)) = current.as_mut() {
            *n += 1;
        }
        plain.push_str(line);
        plain.push('\n');
    }
    (plain, origins)
}

/// `# 12 "file" flags` → (file, 12).
fn marker(line: &str) -> Option<(String, usize)> {
    let rest = line.strip_prefix("# ")?;
    let (num, rest) = rest.split_once(' ')?;
    let n: usize = num.parse().ok()?;
    let name = rest.strip_prefix('"')?.split('"').next()?;
    Some((name.to_string(), n))
}

/// Moves a line of cpp output to the whole source line it came from.
fn origin_of(
    legacy: &mut Legacy,
    origins: &[Option<(String, usize)>],
    unit: FileId,
    line: Line,
) -> Line {
    let origin = origins.get(line.line.saturating_sub(1)).cloned().flatten();
    let span = origin
        .and_then(|(name, n)| source_line(legacy, &name, n))
        .unwrap_or_else(|| legacy.file_start(unit));
    respan(line, &span)
}

fn source_line(legacy: &mut Legacy, name: &str, n: usize) -> Option<Range<usize>> {
    let path = Path::new(name);
    if !path.is_file() {
        return None;
    }
    let id = legacy.add(path).ok()?;
    let whole = legacy.file_start(id);
    let text = &legacy.sources.file(id).text;
    let start = offset_of(text, n, 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let base = whole.start;
    Some(base + start..base + end)
}
