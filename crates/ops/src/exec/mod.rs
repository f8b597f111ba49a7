//! The single place where mirrorc starts external programs (rsync, cpp,
//! remctl, ...).
//!
//! Every run goes through [`run`], which enforces the house rules:
//!
//! * every [`Job`] has a timeout ([`DEFAULT_TIMEOUT`] unless set);
//! * each child is started in its own process group, and the job *is* that
//!   group: when the leader exits, times out or is cancelled, the whole group
//!   is killed with `SIGKILL` (rsync forks helpers), before the leader is
//!   reaped, so the group id cannot be reused under our feet;
//! * stdin is fed and stdout/stderr are drained by one `poll(2)` loop on
//!   non-blocking pipes, so neither side can deadlock the other; each stream
//!   keeps its first N bytes and only counts the rest, and the child is
//!   never blocked on a full pipe;
//! * reading stops once the group is dead and the pipes are drained, even if
//!   a process that escaped the group (`setsid`, a daemon) still holds a
//!   pipe open;
//! * a [`Cancel`] flag (optionally wired to SIGINT/SIGTERM with
//!   [`Cancel::on_signals`]) is polled every [`TICK`] and kills a running
//!   group promptly.
//!
//! [`run_all`] / [`run_all_until`] run a bounded pool of jobs on scoped
//! threads.
//!
//! Nothing here prints or panics. Writing to a child that closed its stdin
//! relies on `SIGPIPE` being ignored, which is the Rust runtime's default.

mod cancel;
mod job;
mod pipes;
mod pool;
mod run;
#[cfg(test)]
mod tests;

use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub use cancel::Cancel;
pub use job::{Job, DEFAULT_STDERR_CAP, DEFAULT_STDOUT_CAP, DEFAULT_TIMEOUT};
pub use pool::{run_all, run_all_until, Started};
pub use run::{run, TICK};

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The leader process exited by itself with this exit code.
    Exited(i32),
    /// The leader process was killed by this signal (not by us).
    Signalled(i32),
    /// The job's timeout expired; its process group was killed.
    TimedOut,
    /// The [`Cancel`] flag was raised; the process group was killed (or,
    /// if it was raised before the start, nothing was spawned).
    Cancelled,
}

/// The result of a job that was started (or skipped because of a
/// cancellation raised before it started).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// How the job ended.
    pub status: Ended,
    /// The first `stdout_cap` bytes the job wrote to stdout.
    pub stdout: Vec<u8>,
    /// The first `stderr_cap` bytes the job wrote to stderr.
    pub stderr: Vec<u8>,
    /// Bytes read from stdout beyond the cap and thrown away.
    pub stdout_dropped: u64,
    /// Bytes read from stderr beyond the cap and thrown away.
    pub stderr_dropped: u64,
    /// Wall time from spawn until the group was dead and the pipes drained.
    pub elapsed: Duration,
}

impl Outcome {
    /// True when the job exited by itself with status 0.
    pub fn success(&self) -> bool {
        self.status == Ended::Exited(0)
    }

    /// True when stdout output was lost to the cap.
    pub fn stdout_truncated(&self) -> bool {
        self.stdout_dropped > 0
    }

    /// True when stderr output was lost to the cap.
    pub fn stderr_truncated(&self) -> bool {
        self.stderr_dropped > 0
    }
}

/// Why a job could not be run at all (as opposed to running and failing,
/// which is an [`Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The program does not exist (or, for a script, its `#!` interpreter
    /// does not: the kernel reports both as ENOENT).
    #[error("program `{program}` not found{}", where_searched(.program))]
    NotFound {
        /// The program as given to [`Job::new`].
        program: String,
    },
    /// The program exists but may not be executed.
    #[error("program `{program}` is not executable (permission denied)")]
    PermissionDenied {
        /// The program as given to [`Job::new`].
        program: String,
    },
    /// The job's working directory is missing or not a directory.
    #[error("working directory `{}` for `{program}` is not a directory", .cwd.display())]
    BadCwd {
        /// The program as given to [`Job::new`].
        program: String,
        /// The working directory that was asked for.
        cwd: PathBuf,
    },
    /// Any other failure to start the program.
    #[error("cannot start `{program}`: {source}")]
    Spawn {
        /// The program as given to [`Job::new`].
        program: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A system call failed while supervising a started job. The job's
    /// process group has been killed and reaped.
    #[error("while running `{program}`: {what}: {source}")]
    Io {
        /// The program as given to [`Job::new`].
        program: String,
        /// What was being done.
        what: &'static str,
        /// The underlying error.
        source: io::Error,
    },
}

fn where_searched(program: &str) -> &'static str {
    if program.contains('/') {
        ""
    } else {
        " on PATH"
    }
}
