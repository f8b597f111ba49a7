//! `mirrorc run`: one mirror server's nightly run. Reads the server's [`Plan`] (contract or
//! LCFG header), takes the state folder's lock, then per disk in tag order, at most `jobs`
//! at once: a dry run against the safety limit, the pull, a status record. Returns every
//! [`Attempt`]; never prints, never exits. The caller owns the [`Cancel`] (signals).

mod disk;
mod error;
pub mod plan;
mod rsync;
pub mod state;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mirrorc_core::contract::status::{Attempt, Outcome};
use mirrorc_core::contract::ServerContract;

use crate::exec::{self, Cancel, Job, Started};
pub use error::RunError;
pub use plan::{Plan, Pull};
pub use rsync::exit_meaning;
pub use state::State;

/// Parallel pulls when neither `--jobs` nor the contract says.
pub const DEFAULT_JOBS: usize = 2;

/// Where the plan comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `out/servers/<server>.json`, written by `compile`.
    Contract(PathBuf),
    /// `lcfg/servers/<server>.h`, as LCFG deploys it.
    Lcfg(PathBuf),
}

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `--server`.
    pub server: String,
    /// The contract or header.
    pub source: Source,
    /// `--only`: clients or tags (empty: every disk).
    pub only: Vec<String>,
    /// `--force`: no safety check for the selected disks.
    pub force: bool,
    /// `--dry-run`: the dry run only; no pull, no lock, no record.
    pub dry_run: bool,
    /// `--jobs` (default [`DEFAULT_JOBS`]).
    pub jobs: Option<usize>,
    /// `--timeout`: rsync's I/O and connect timeout.
    pub io_timeout: Duration,
    /// Hard limit of one rsync (its process group is killed after it).
    pub hard_timeout: Duration,
    /// `--deadline`: no pull starts after it.
    pub deadline: Option<Instant>,
    /// `--state`.
    pub state: PathBuf,
    /// The rsync program (`rsync` on PATH).
    pub rsync: OsString,
}

/// What each disk needs to know about the run.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    server: String,
    source_address: Option<String>,
    io_timeout: Duration,
    hard_timeout: Duration,
    dry_run: bool,
    /// `--force` applies to the disks selected, i.e. every disk of this run.
    force: bool,
    rsync: OsString,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The server.
    pub server: String,
    /// Whether it was a `--dry-run` (nothing pulled, nothing recorded).
    pub dry_run: bool,
    /// One attempt per selected disk, by tag.
    pub attempts: Vec<Attempt>,
}

impl RunReport {
    /// True when every selected disk ended `ok`.
    pub fn all_ok(&self) -> bool {
        self.attempts.iter().all(|a| a.result == Outcome::Ok)
    }
}

/// What the run tells its caller while it runs (from worker threads).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A disk starts.
    Started(&'a Pull),
    /// A disk ended.
    Finished(&'a Attempt),
}

/// Runs the server's disks; `progress` hears each start and end.
pub fn run(
    opts: &RunOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Result<RunReport, RunError> {
    let plan = load(opts)?.select(&opts.only)?;
    check_rsync(&opts.rsync)?;
    let state = if opts.dry_run {
        None
    } else {
        Some(State::open(&opts.state)?)
    };
    let settings = Settings {
        server: plan.server.clone(),
        source_address: plan.addresses.first().cloned(),
        io_timeout: opts.io_timeout,
        hard_timeout: opts.hard_timeout,
        dry_run: opts.dry_run,
        force: opts.force,
        rsync: opts.rsync.clone(),
    };
    let jobs = opts.jobs.unwrap_or(DEFAULT_JOBS);
    let results = exec::run_all_until(&plan.pulls, jobs, cancel, opts.deadline, |pull| {
        progress(Event::Started(pull));
        let attempt = disk::mirror(pull, &settings, cancel);
        let recorded = state.as_ref().map(|s| s.record(&attempt)).transpose();
        progress(Event::Finished(&attempt));
        recorded.map(|_| attempt)
    });
    let mut attempts = Vec::with_capacity(results.len());
    for (pull, started) in plan.pulls.iter().zip(results) {
        let attempt = match started {
            Started::Ran(done) => done?,
            Started::Cancelled => unstarted(pull, &settings, "interrupted", state.as_ref())?,
            Started::PastDeadline => unstarted(pull, &settings, "deadline", state.as_ref())?,
        };
        attempts.push(attempt);
    }
    Ok(RunReport {
        server: plan.server,
        dry_run: opts.dry_run,
        attempts,
    })
}

fn unstarted(
    pull: &Pull,
    settings: &Settings,
    why: &str,
    state: Option<&State>,
) -> Result<Attempt, RunError> {
    let a = disk::not_started(pull, settings, why);
    if let Some(s) = state {
        s.record(&a)?;
    }
    Ok(a)
}

/// The plan of `opts.server` from the contract or the header.
pub fn load(opts: &RunOptions) -> Result<Plan, RunError> {
    let plan = match &opts.source {
        Source::Contract(path) => {
            let contract = ServerContract::read(path)?;
            if contract.server != opts.server {
                return Err(RunError::WrongServer {
                    path: path.display().to_string(),
                    server: opts.server.clone(),
                    found: contract.server,
                });
            }
            Plan::from_contract(&contract)?
        }
        Source::Lcfg(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| RunError::Lcfg {
                path: name.clone(),
                message: e.to_string(),
            })?;
            Plan::from_lcfg(&opts.server, &name, &text)?
        }
    };
    Ok(plan)
}

/// Fails at once (exit 2) when rsync cannot be started, rather than once per disk.
fn check_rsync(rsync: &OsString) -> Result<(), RunError> {
    let job = Job::new(rsync)
        .arg("--version")
        .timeout(Duration::from_secs(10));
    exec::run(&job, &Cancel::new())
        .map(|_| ())
        .map_err(RunError::NoRsync)
}

/// Now, RFC 3339 UTC to the second (`2026-12-01T23:04:05Z`).
pub(crate) fn now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// `--deadline`: `HH:MM` is the next such local time (a run started at 23:00 with
/// `06:00` ends tomorrow morning), else an RFC 3339 time. Returned as an [`Instant`].
pub fn parse_deadline(text: &str) -> Result<Instant, RunError> {
    let bad = || RunError::BadDeadline(text.to_string());
    let now = jiff::ZonedDateTime::now();
    let target: jiff::Timestamp = if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        ts
    } else {
        let t: jiff::civil::Time = text.parse().map_err(|_| bad())?;
        let today = now
            .date()
            .to_datetime(t)
            .to_zoned_datetime(now.time_zone().clone())
            .map_err(|_| bad())?;
        let next = if today.timestamp() <= now.timestamp() {
            today.tomorrow().map_err(|_| bad())?
        } else {
            today
        };
        next.timestamp()
    };
    let ahead = target.duration_since(now.timestamp());
    let ahead = Duration::try_from(ahead).unwrap_or(Duration::ZERO);
    Ok(Instant::now() + ahead)
}

/// `--timeout` and `--max-time`: `90s`, `10m`, `1h 30m`, or ISO 8601 (`PT10M`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d: jiff::SignedDuration = text
        .parse()
        .map_err(|e| format!("`{text}` is not a duration such as 30s, 10m or 2h: {e}"))?;
    match Duration::try_from(d) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("`{text}` must be longer than zero")),
    }
}
