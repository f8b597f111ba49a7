//! Writing to the terminal: stdout through a locked handle, stderr line by line, findings with
//! miette (colour only on a terminal, `NO_COLOR` honoured). A closed pipe (`| head`) on either
//! stream ends output quietly, never a panic. With `--format json` an operational error is
//! the error document on stdout (`{"version": 1, "error": {...}}`, docs/json.md), else text.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use mirrorc_core::diag::{self, Finding, TextStyle};
use mirrorc_core::source::SourceMap;

pub(crate) use crate::render::json::Failure;

/// `--quiet`: summary lines are not printed.
static QUIET: AtomicBool = AtomicBool::new(false);
/// `--color`: 0 auto, 1 always, 2 never.
static COLOR: AtomicU8 = AtomicU8::new(0);
/// The command prints a JSON document: errors are JSON on stdout too.
static JSON: AtomicBool = AtomicBool::new(false);

/// Says whether the command prints JSON (see [`fail`]).
pub(crate) fn set_json(on: bool) {
    JSON.store(on, Ordering::Relaxed);
}

/// Is the command printing JSON?
pub(crate) fn json_mode() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// Reports an operational error (exit 2 or 1 is the caller's): with JSON output the error
/// document on stdout, else `error: message`, the details indented and `help: ...` on stderr.
pub(crate) fn fail(failure: &Failure) {
    if json_mode() {
        let _ = json(&failure.document());
        return;
    }
    error(&format!("error: {}", failure.message));
    for d in &failure.details {
        error(&format!("  {d}"));
    }
    if let Some(help) = &failure.help {
        error(&format!("help: {help}"));
    }
}

/// The inventory has errors, so the command cannot go on: its findings as text on stderr, or
/// the error document `mirrorc::invalid_inventory` carrying them.
pub(crate) fn invalid(sources: &SourceMap, found: &[Finding]) {
    if json_mode() {
        let (errors, _) = diag::counts(found);
        let mut f = Failure::new(
            "mirrorc::invalid_inventory",
            format!("the inventory has {errors} error(s)"),
        );
        f.findings = diag::to_json(sources, found);
        fail(&f);
    } else {
        findings(sources, found);
    }
}

/// Applies the global flags.
pub(crate) fn configure(color: crate::cli::Color, quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    let c = match color {
        crate::cli::Color::Auto => 0,
        crate::cli::Color::Always => 1,
        crate::cli::Color::Never => 2,
    };
    COLOR.store(c, Ordering::Relaxed);
}

/// Writes a summary or progress line to stderr, unless `--quiet`.
pub(crate) fn note(line: &str) {
    if !QUIET.load(Ordering::Relaxed) {
        error(line);
    }
}

/// Writes to stdout; a closed pipe is not an error.
pub(crate) fn stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `value` as pretty JSON and a newline to stdout.
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    stdout(&(text + "\n"))
}

/// Writes one line to stderr; errors (a closed pipe) are ignored.
pub(crate) fn error(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Prints findings and the summary line to stderr.
pub(crate) fn findings(sources: &SourceMap, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let text = diag::render_text(sources, findings, text_style());
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if let Some(summary) = diag::summary(findings) {
        let _ = writeln!(err, "{summary}");
    }
}

fn text_style() -> TextStyle {
    let color = match COLOR.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|_| color)
        .unwrap_or(100);
    TextStyle { color, width }
}
