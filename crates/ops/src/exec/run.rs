//! [`run`]: start one [`Job`], supervise it, kill its process group, reap
//! it, and collect its capped output.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions};

use super::pipes::{Pipes, Sink, Source, CHUNK};
use super::{Cancel, Ended, ExecError, Job, Outcome};

/// Longest sleep between two looks at the cancel flag and the clock.
pub const TICK: Duration = Duration::from_millis(50);

/// Why supervision stopped.
enum Stop {
    Exited,
    TimedOut,
    Cancelled,
}

/// Runs `job` to completion, timeout or cancellation.
///
/// Returns `Err` only when the program could not be started, or a system
/// call failed while supervising it (the group is killed and reaped then
/// too). A cancel flag already raised returns [`Ended::Cancelled`] without
/// spawning anything. When the leader exits by itself, whatever it left in
/// its process group is killed before [`run`] returns.
pub fn run(job: &Job, cancel: &Cancel) -> Result<Outcome, ExecError> {
    let program = job.program_name();
    let (stdout_cap, stderr_cap) = job.caps();
    let mut out = Sink::new(stdout_cap);
    let mut err = Sink::new(stderr_cap);
    if cancel.is_cancelled() {
        return Ok(finish(Ended::Cancelled, out, err, Duration::ZERO));
    }
    if let Some(dir) = job.get_current_dir() {
        // std reports a bad cwd as ENOENT, indistinguishable from a missing
        // program, so check it first.
        if !dir.is_dir() {
            let cwd = dir.to_path_buf();
            return Err(ExecError::BadCwd { program, cwd });
        }
    }
    let start = Instant::now();
    let deadline = start.checked_add(job.get_timeout());
    let mut child = job
        .command()
        .spawn()
        .map_err(|e| spawn_error(program.clone(), e))?;
    let pid = Pid::from_child(&child);
    out.fd = child.stdout.take().map(OwnedFd::from);
    err.fd = child.stderr.take().map(OwnedFd::from);
    let mut input = Source {
        fd: child.stdin.take().map(OwnedFd::from),
        data: job.stdin_bytes().unwrap_or_default(),
        pos: 0,
    };
    let mut pipes = Pipes {
        out,
        err,
        buf: vec![0; CHUNK],
    };

    let watched = supervise(&mut pipes, &mut input, pid, deadline, cancel);
    drop(input);
    // Kill before reaping: while the leader is an unreaped zombie its pid
    // (= the group id) cannot be reused, so we never signal a stranger.
    kill_group(pid);
    let reaped = child.wait();
    let drained = pipes.drain();

    let io_err = |what, source| ExecError::Io {
        program: program.clone(),
        what,
        source,
    };
    let stop = watched.map_err(|e| io_err("watching the child", e))?;
    let status = reaped.map_err(|e| io_err("reaping the child", e))?;
    drained.map_err(|e| io_err("reading output", e))?;
    let ended = match stop {
        Stop::Exited => ended_from(status),
        Stop::TimedOut => Ended::TimedOut,
        Stop::Cancelled => Ended::Cancelled,
    };
    Ok(finish(ended, pipes.out, pipes.err, start.elapsed()))
}

fn finish(status: Ended, out: Sink, err: Sink, elapsed: Duration) -> Outcome {
    Outcome {
        status,
        stdout: out.data,
        stderr: err.data,
        stdout_dropped: out.dropped,
        stderr_dropped: err.dropped,
        elapsed,
    }
}

fn spawn_error(program: String, e: io::Error) -> ExecError {
    match e.kind() {
        io::ErrorKind::NotFound => ExecError::NotFound { program },
        io::ErrorKind::PermissionDenied => ExecError::PermissionDenied { program },
        _ => ExecError::Spawn { program, source: e },
    }
}

fn ended_from(status: ExitStatus) -> Ended {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Exited(code),
        (None, Some(sig)) => Ended::Signalled(sig),
        (None, None) => Ended::Signalled(status.into_raw()),
    }
}

/// SIGKILL the whole group, and the leader itself in case it moved to
/// another group (setsid/setpgid). Only called while the leader is not yet
/// reaped, so both ids are still ours. Errors (ESRCH: already gone) are moot.
fn kill_group(pid: Pid) {
    let _ = rustix::process::kill_process_group(pid, Signal::KILL);
    let _ = rustix::process::kill_process(pid, Signal::KILL);
}

/// Has the leader exited? Does not reap it (WNOWAIT).
fn leader_exited(pid: Pid) -> io::Result<bool> {
    let opts = WaitIdOptions::EXITED | WaitIdOptions::NOWAIT | WaitIdOptions::NOHANG;
    match rustix::process::waitid(WaitId::Pid(pid), opts) {
        Ok(status) => Ok(status.is_some()),
        Err(Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn supervise(
    pipes: &mut Pipes,
    input: &mut Source<'_>,
    pid: Pid,
    deadline: Option<Instant>,
    cancel: &Cancel,
) -> io::Result<Stop> {
    for fd in [&pipes.out.fd, &pipes.err.fd, &input.fd]
        .into_iter()
        .flatten()
    {
        rustix::io::ioctl_fionbio(fd, true)?;
    }
    input.close_if_done();
    // Readable when the leader exits: wakes us at once instead of next TICK.
    let pidfd = exit_notifier(pid);
    loop {
        if leader_exited(pid)? {
            return Ok(Stop::Exited);
        }
        if cancel.is_cancelled() {
            return Ok(Stop::Cancelled);
        }
        let now = Instant::now();
        let wait = match deadline {
            Some(d) if now >= d => return Ok(Stop::TimedOut),
            Some(d) => (d - now).min(TICK),
            None => TICK,
        };
        pipes.pump(Some(input), pidfd.as_ref().map(|fd| fd.as_fd()), wait)?;
    }
}

#[cfg(target_os = "linux")]
fn exit_notifier(pid: Pid) -> Option<OwnedFd> {
    rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok()
}

#[cfg(not(target_os = "linux"))]
fn exit_notifier(_pid: Pid) -> Option<OwnedFd> {
    None
}
