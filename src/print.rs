//! Writing to the terminal: stdout through a locked handle, stderr line by line, findings with
//! miette (colour only on a terminal, `NO_COLOR` honoured). A closed pipe (`| head`) on either
//! stream ends output quietly, never a panic.

use std::io::{self, IsTerminal, Write};

use mirrorc_core::diag::{self, Finding, TextStyle};
use mirrorc_core::source::SourceMap;

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
    let color =
        io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|_| color)
        .unwrap_or(100);
    TextStyle { color, width }
}
