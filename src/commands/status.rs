//! `mirrorc status --from REPORT.json [--html FILE] [--format text|json]`: the state of every
//! mirror from a merged estate report, as a terminal table, JSON or one HTML page. Exit 0 when
//! every disk is ok and every server answered, 1 otherwise, 2 when the report is unreadable.

use std::io;
use std::path::PathBuf;

use jiff::Timestamp;
use mirrorc_core::status;

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::print;
use crate::render::{html, status_text};

/// The arguments of `status`.
pub(crate) struct StatusArgs {
    pub(crate) from: PathBuf,
    pub(crate) html: Option<PathBuf>,
    pub(crate) format: Option<Format>,
    pub(crate) refresh: Option<u32>,
    pub(crate) now: Option<Timestamp>,
}

/// Runs `status`.
pub(super) fn run(args: StatusArgs) -> io::Result<ExitStatus> {
    let report = match status::read::read(&args.from) {
        Ok(r) => r,
        Err(e) => {
            print::error(&format!("error: {e}"));
            return Ok(ExitStatus::Failure);
        }
    };
    // Whole seconds: the page shows the time, and ages are in seconds anyway.
    let now = args.now.unwrap_or_else(|| {
        Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_default()
    });
    let view = status::view(&report, now);
    if let Some(path) = &args.html {
        let options = html::PageOptions {
            refresh: args.refresh,
        };
        let page = html::page(&view, options).map_err(io::Error::other)?;
        mirrorc_core::output::write_atomic(path, page.as_bytes())?;
    }
    match (args.format, &args.html) {
        (None, Some(_)) => {}
        (Some(Format::Json), _) => print::json(&view)?,
        (Some(Format::Text) | None, _) => print::stdout(&status_text::render(&view))?,
    }
    Ok(ExitStatus::found(
        view.summary.problems() > 0 || view.servers_unanswered > 0,
    ))
}
