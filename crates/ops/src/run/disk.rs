//! One disk of a run: the dry run (how much of the mirror would be deleted), the safety
//! limit, the pull (into a dstdir created only then), and the [`Attempt`] that says how it
//! went. Every outcome of rsync is an attempt; nothing here fails the run.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;
use std::time::Duration;

use mirrorc_core::contract::status::{Attempt, Outcome};

use super::plan::Pull;
use super::rsync::{self, Stats};
use super::{now, Settings};
use crate::exec::{self, Cancel, Ended, Job};

/// What a finished rsync said.
struct Ran {
    result: Outcome,
    exit: Option<i32>,
    stats: Stats,
    message: String,
}

/// Runs one disk: dry run, safety check, pull (unless `settings.dry_run`).
pub(super) fn mirror(pull: &Pull, settings: &Settings, cancel: &Cancel) -> Attempt {
    let started = now();
    let mut attempt = blank(pull, settings, &started);
    let mirror_files = count_entries(Path::new(&pull.dstdir));
    let dry = rsync_run(pull, settings, cancel, true);
    attempt.mirror_files = Some(mirror_files);
    if dry.result != Outcome::Ok {
        return finish(attempt, dry);
    }
    let would = dry.stats.deleting_lines;
    attempt.would_delete = Some(would);
    if over_limit(would, mirror_files, pull.safety_limit) && !settings.force {
        attempt.result = Outcome::SkippedSafety;
        attempt.message = format!(
            "skipped: {}% of {} files would be deleted, limit {}%",
            percent(would, mirror_files),
            thousands(mirror_files),
            pull.safety_limit
        );
        attempt.finished = now();
        return attempt;
    }
    if settings.dry_run {
        let mut dry = dry;
        dry.message = format!(
            "dry run: would transfer {} files, delete {} of {}",
            dry.stats.files_transferred.unwrap_or(0),
            would,
            mirror_files
        );
        return finish(attempt, dry);
    }
    // Only now, so that a client that is down leaves no empty folder behind.
    if let Err(e) = make_dstdir(Path::new(&pull.dstdir)) {
        attempt.result = Outcome::Failed;
        attempt.message = format!("cannot create {}: {e}", pull.dstdir);
        attempt.finished = now();
        return attempt;
    }
    let pulled = rsync_run(pull, settings, cancel, false);
    finish(attempt, pulled)
}

/// An attempt that has not ended yet.
fn blank(pull: &Pull, settings: &Settings, started: &str) -> Attempt {
    Attempt {
        tag: pull.tag.clone(),
        client: pull.client.clone(),
        server: settings.server.clone(),
        started: started.to_string(),
        finished: started.to_string(),
        result: Outcome::NotStarted,
        rsync_exit: None,
        exit_meaning: None,
        files_transferred: None,
        bytes_transferred: None,
        files_deleted: None,
        mirror_files: None,
        would_delete: None,
        message: String::new(),
    }
}

/// The attempt of a disk the run did not start (`why`: `deadline`, `interrupted`).
pub(super) fn not_started(pull: &Pull, settings: &Settings, why: &str) -> Attempt {
    let mut a = blank(pull, settings, &now());
    a.message = format!("not started: {why}");
    a
}

fn finish(mut attempt: Attempt, ran: Ran) -> Attempt {
    attempt.result = ran.result;
    attempt.rsync_exit = ran.exit;
    attempt.exit_meaning = ran.exit.map(|c| rsync::exit_meaning(c).to_string());
    attempt.files_transferred = ran.stats.files_transferred;
    attempt.bytes_transferred = ran.stats.bytes_transferred;
    attempt.files_deleted = ran.stats.files_deleted;
    attempt.message = ran.message;
    attempt.finished = now();
    attempt
}

/// Runs rsync once (the dry run or the pull) through `exec`.
fn rsync_run(pull: &Pull, settings: &Settings, cancel: &Cancel, dry_run: bool) -> Ran {
    let source = settings.source_address.as_deref();
    let job = Job::new(&settings.rsync)
        .args(rsync::args(pull, source, settings.io_timeout, dry_run))
        .env("LC_ALL", "C")
        .timeout(settings.hard_timeout);
    let outcome = match exec::run(&job, cancel) {
        Ok(o) => o,
        Err(e) => {
            return Ran {
                result: Outcome::Failed,
                exit: None,
                stats: Stats::default(),
                message: e.to_string(),
            }
        }
    };
    let stats = rsync::stats(&outcome.stdout);
    let last = rsync::last_error(&outcome.stderr);
    let (result, exit, message) = classify(outcome.status, last, settings.hard_timeout);
    Ran {
        result,
        exit,
        stats,
        message,
    }
}

/// How an rsync's end maps onto a record: exit 24 (files vanished) is `ok` with a note, 30
/// and 35 are rsync's own timeouts, our hard kill is a timeout too, a signal is an interrupt.
fn classify(status: Ended, last: String, hard: Duration) -> (Outcome, Option<i32>, String) {
    match status {
        Ended::Exited(0) => (Outcome::Ok, Some(0), String::new()),
        Ended::Exited(24) => (
            Outcome::Ok,
            Some(24),
            format!("some source files vanished during the pull: {last}"),
        ),
        Ended::Exited(c @ (30 | 35)) => (Outcome::Timeout, Some(c), last),
        Ended::Exited(c) => (Outcome::Failed, Some(c), last),
        Ended::Signalled(s) => (Outcome::Failed, None, format!("rsync killed by signal {s}")),
        Ended::TimedOut => (
            Outcome::Timeout,
            None,
            format!("killed after {} s (--max-time)", hard.as_secs()),
        ),
        Ended::Cancelled => (Outcome::Interrupted, None, "interrupted by a signal".into()),
    }
}

/// Creates a missing dstdir (and parents) readable by root only; rsync then gives the
/// dstdir itself the source's permissions.
fn make_dstdir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Entries (files, folders, links) below `dir`; 0 when it is missing.
fn count_entries(dir: &Path) -> u64 {
    let Ok(rd) = fs::read_dir(dir) else { return 0 };
    let mut n = 0;
    for e in rd.flatten() {
        n += 1;
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            n += count_entries(&e.path());
        }
    }
    n
}

/// True when deleting `would` of `total` exceeds `limit` percent.
fn over_limit(would: u64, total: u64, limit: u32) -> bool {
    total > 0 && u128::from(would) * 100 > u128::from(limit) * u128::from(total)
}

fn percent(part: u64, total: u64) -> u64 {
    (part * 100).checked_div(total).unwrap_or(0)
}

/// `1204` → `1,204`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_and_numbers() {
        assert!(!over_limit(0, 0, 70));
        assert!(!over_limit(7, 10, 70));
        assert!(over_limit(8, 10, 70));
        assert_eq!(percent(1000, 1204), 83);
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn rsync_ends_map_onto_outcomes() {
        let c = |e| {
            let (o, code, msg) = classify(e, "@ERROR: x".into(), Duration::from_secs(7));
            (
                o,
                code,
                msg.split(':').next().unwrap_or_default().to_string(),
            )
        };
        let s = |t: &str| t.to_string();
        assert_eq!(c(Ended::Exited(0)), (Outcome::Ok, Some(0), s("")));
        assert_eq!(
            c(Ended::Exited(24)),
            (
                Outcome::Ok,
                Some(24),
                s("some source files vanished during the pull")
            )
        );
        assert_eq!(
            c(Ended::Exited(23)),
            (Outcome::Failed, Some(23), s("@ERROR"))
        );
        assert_eq!(
            c(Ended::Exited(30)),
            (Outcome::Timeout, Some(30), s("@ERROR"))
        );
        assert_eq!(c(Ended::Exited(35)).0, Outcome::Timeout);
        assert_eq!(
            c(Ended::TimedOut),
            (Outcome::Timeout, None, s("killed after 7 s (--max-time)"))
        );
        assert_eq!(c(Ended::Cancelled).0, Outcome::Interrupted);
        assert_eq!(c(Ended::Signalled(9)).0, Outcome::Failed);
    }
}
