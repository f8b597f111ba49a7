//! `mirrorc status [--from REPORT.json | --contract DIR --via HOW] [--html FILE] [--format
//! text|json]`: the state of every mirror from a merged estate report (read from a file, or
//! asked now as `report --all` does), as a terminal table, JSON or one HTML page. Exit 0 when
//! every disk is ok and every server answered, 1 otherwise, 2 when there is no report.

use std::io;
use std::path::PathBuf;

use jiff::Timestamp;
use mirrorc_core::contract::report::EstateReport;
use mirrorc_core::status;
use mirrorc_ops::exec::Cancel;
use mirrorc_ops::report::{self, Question, Scope, Verdict};

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::print;
use crate::render::{html, status_text};

/// The arguments of `status`.
pub(crate) struct StatusArgs {
    pub(crate) from: Option<PathBuf>,
    pub(crate) contract: PathBuf,
    pub(crate) via: String,
    pub(crate) timeout: u64,
    pub(crate) html: Option<PathBuf>,
    pub(crate) format: Option<Format>,
    pub(crate) refresh: Option<u32>,
    pub(crate) now: Option<Timestamp>,
}

/// Runs `status`.
pub(super) fn run(args: StatusArgs) -> io::Result<ExitStatus> {
    // Whole seconds: the page shows the time, and ages are in seconds anyway.
    let now = args.now.unwrap_or_else(|| {
        Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_default()
    });
    let report = match get_report(&args, now)? {
        Ok(r) => r,
        Err(e) => {
            print::fail(&print::Failure::new("mirrorc::no_report", e));
            return Ok(ExitStatus::Failure);
        }
    };
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
    if args.from.is_none() && matches!(report::verdict(&report), Verdict::NobodyAsked) {
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::found(
        view.summary.problems() > 0 || view.servers_unanswered > 0,
    ))
}

/// The estate report: read from `--from`, or asked now from every live server.
fn get_report(args: &StatusArgs, now: Timestamp) -> io::Result<Result<EstateReport, String>> {
    if let Some(from) = &args.from {
        return Ok(status::read::read(from).map_err(|e| e.to_string()));
    }
    let Some(via) = super::report::via(&args.via, args.timeout) else {
        let why = format!("--via `{}`: expected `remctl` or `dir=PATH`", args.via);
        return Ok(Err(why));
    };
    let question = Question {
        contract_dir: args.contract.clone(),
        scope: Scope::All,
        via,
        now: Some(now.as_second()),
    };
    let cancel = Cancel::on_signals()?;
    Ok(report::ask(&question, &cancel).map_err(|e| e.to_string()))
}
