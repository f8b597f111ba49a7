//! `mirrorc run`: one server's nightly mirror run. Builds the options, calls
//! `mirrorc_ops::run::run`, prints a line per disk as it ends (text) or the run's records
//! (JSON), and picks the exit status: 0 every disk ok, 1 any not, 2 the run could not run.

use std::io;

use mirrorc_core::contract::status::default_state_dir;
use std::time::Instant;

use mirrorc_core::contract::status::{Attempt, Outcome};
use mirrorc_ops::exec::Cancel;
use mirrorc_ops::run::{self, Event, RunOptions, RunReport, Source};
use serde::Serialize;

use crate::cli::{Format, RunArgs};
use crate::exit::ExitStatus;
use crate::print;
use crate::progress::Progress;

/// Version of the `--format json` output.
const JSON_VERSION: u32 = 1;

/// `--format json`: the run's attempts (each as in the status records).
#[derive(Serialize)]
struct JsonRun<'a> {
    version: u32,
    server: &'a str,
    dry_run: bool,
    attempts: &'a [Attempt],
}

/// Runs `run`.
pub(super) fn run(args: RunArgs) -> io::Result<ExitStatus> {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => return Ok(failed(&e)),
    };
    let cancel = Cancel::on_signals()?;
    let text = args.format == Format::Text;
    let live = if text { Progress::on_terminal() } else { None };
    let progress = |event: Event<'_>| match (event, &live) {
        (Event::Started(p), Some(live)) => live.start(&p.tag),
        (Event::Finished(a), Some(live)) => live.finish(&a.tag, &line(a)),
        (Event::Started(p), None) if text => print::error(&format!("{}: started", p.tag)),
        (Event::Finished(a), None) if text => print::error(&line(a)),
        (Event::Started(_) | Event::Finished(_), None) => {}
    };
    match run::run(&opts, &cancel, &progress) {
        Ok(report) => {
            match args.format {
                Format::Json => print::json(&JsonRun {
                    version: JSON_VERSION,
                    server: &report.server,
                    dry_run: report.dry_run,
                    attempts: &report.attempts,
                })?,
                Format::Text => print::stdout(&table(&report))?,
            }
            Ok(ExitStatus::found(!report.all_ok()))
        }
        Err(e) => Ok(failed(&e)),
    }
}

/// The run could not run (exit 2): text, or the JSON error document `mirrorc::run_failed`.
fn failed(e: &run::RunError) -> ExitStatus {
    print::fail(&print::Failure::new("mirrorc::run_failed", e.to_string()));
    ExitStatus::Failure
}

fn options(args: &RunArgs) -> Result<RunOptions, run::RunError> {
    let source = match (&args.contract, &args.from_lcfg) {
        (_, Some(h)) => Source::Lcfg(h.clone()),
        (Some(c), None) => Source::Contract(c.clone()),
        (None, None) => Source::Contract(args.out.join(mirrorc_core::contract::path(&args.server))),
    };
    let deadline: Option<Instant> = args
        .deadline
        .as_deref()
        .map(run::parse_deadline)
        .transpose()?;
    Ok(RunOptions {
        server: args.server.clone(),
        source,
        only: args.only.clone(),
        force: args.force,
        dry_run: args.dry_run,
        jobs: args.jobs.map(usize::from),
        io_timeout: args.timeout,
        hard_timeout: args.max_time,
        deadline,
        state: args
            .state
            .clone()
            .unwrap_or_else(|| default_state_dir(&args.server)),
        rsync: "rsync".into(),
    })
}

/// `c_home: ok (3 files, 1234 bytes, 0 deleted)` or `c_home: failed: <message>`.
fn line(a: &Attempt) -> String {
    let counts = match (a.files_transferred, a.bytes_transferred) {
        (Some(f), Some(b)) => format!(
            " ({f} files, {b} bytes, {} deleted)",
            a.files_deleted.unwrap_or(0)
        ),
        _ => String::new(),
    };
    let msg = if a.message.is_empty() {
        String::new()
    } else {
        format!(": {}", a.message)
    };
    format!("{}: {}{counts}{msg}", a.tag, a.result.as_str())
}

/// The summary table: one row per disk, then the totals.
fn table(r: &RunReport) -> String {
    let width = r
        .attempts
        .iter()
        .map(|a| a.tag.len())
        .max()
        .unwrap_or(3)
        .max(3);
    let mut out = format!(
        "{:width$}  {:14}  {:>7}  {:>12}  {:>7}  message\n",
        "tag", "result", "files", "bytes", "deleted"
    );
    let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
    for a in &r.attempts {
        out += &format!(
            "{:width$}  {:14}  {:>7}  {:>12}  {:>7}  {}\n",
            a.tag,
            a.result.as_str(),
            num(a.files_transferred),
            num(a.bytes_transferred),
            num(a.files_deleted),
            a.message
        );
    }
    let ok = r
        .attempts
        .iter()
        .filter(|a| a.result == Outcome::Ok)
        .count();
    let what = if r.dry_run { "dry run of" } else { "run of" };
    out += &format!(
        "{what} {}: {ok} of {} disks ok\n",
        r.server,
        r.attempts.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_from, Command};
    use std::path::PathBuf;

    /// `run --server S` without `--state` writes into `/var/lib/mirrorc/S`, where `report
    /// --server S` reads by default (see `report::tests`); read off the options, nothing runs.
    #[test]
    fn run_server_without_state_writes_the_default_state_dir() {
        let Command::Run(args) = parse_from(&["mirrorc", "run", "--server", "S"]) else {
            panic!("not run");
        };
        let opts = options(&args).expect("options");
        assert_eq!(opts.state, default_state_dir("S"));
        assert_eq!(opts.state, PathBuf::from("/var/lib/mirrorc/S"));
        let Command::Run(args) =
            parse_from(&["mirrorc", "run", "--server", "S", "--state", "/tmp/x"])
        else {
            panic!("not run");
        };
        assert_eq!(
            options(&args).expect("options").state,
            PathBuf::from("/tmp/x")
        );
    }
}
