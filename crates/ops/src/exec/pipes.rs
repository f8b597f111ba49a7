//! Non-blocking pipe plumbing for [`run`](super::run): one `poll(2)` loop
//! feeds stdin and drains stdout/stderr into capped buffers, so no side can
//! block the other and the child never blocks on a full pipe.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::io::Errno;

/// After the group is killed, stop reading once no pipe had data for this
/// long (a process outside the group may hold a pipe open forever).
const DRAIN_IDLE: Duration = Duration::from_millis(100);
/// ... and in any case after this long.
const DRAIN_MAX: Duration = Duration::from_secs(2);
/// Bytes moved per pipe per wake-up.
pub(super) const CHUNK: usize = 64 * 1024;

/// A capped capture of one output pipe.
pub(super) struct Sink {
    pub(super) fd: Option<OwnedFd>,
    pub(super) cap: usize,
    pub(super) data: Vec<u8>,
    pub(super) dropped: u64,
}

impl Sink {
    pub(super) fn new(cap: usize) -> Self {
        Sink {
            fd: None,
            cap,
            data: Vec::new(),
            dropped: 0,
        }
    }

    /// One non-blocking read; keeps what fits under the cap.
    pub(super) fn read_once(&mut self, buf: &mut [u8]) -> io::Result<()> {
        let Some(fd) = &self.fd else { return Ok(()) };
        match rustix::io::read(fd, &mut *buf) {
            Ok(0) => self.fd = None,
            Ok(n) => {
                let got = buf.get(..n).unwrap_or_default();
                let keep = got.len().min(self.cap - self.data.len());
                if keep > 0 && self.data.capacity() - self.data.len() < keep {
                    // Grow geometrically, but never past the cap.
                    let want = self
                        .data
                        .capacity()
                        .saturating_mul(2)
                        .max(self.data.len() + keep);
                    self.data
                        .reserve_exact(want.min(self.cap) - self.data.len());
                }
                self.data
                    .extend_from_slice(got.get(..keep).unwrap_or_default());
                self.dropped += (got.len() - keep) as u64;
            }
            Err(Errno::AGAIN | Errno::INTR) => {}
            Err(e) => {
                self.fd = None;
                return Err(e.into());
            }
        }
        Ok(())
    }
}

/// The bytes still to write to the child's stdin.
pub(super) struct Source<'a> {
    pub(super) fd: Option<OwnedFd>,
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
}

impl Source<'_> {
    pub(super) fn close_if_done(&mut self) {
        if self.pos >= self.data.len() {
            self.fd = None; // EOF for the child
        }
    }

    pub(super) fn write_once(&mut self) -> io::Result<()> {
        let Some(fd) = &self.fd else { return Ok(()) };
        let end = self.data.len().min(self.pos.saturating_add(CHUNK));
        match rustix::io::write(fd, self.data.get(self.pos..end).unwrap_or_default()) {
            Ok(n) => self.pos += n,
            Err(Errno::AGAIN | Errno::INTR) => {}
            // The child closed its stdin: it does not want the rest.
            Err(Errno::PIPE) => self.fd = None,
            Err(e) => {
                self.fd = None;
                return Err(e.into());
            }
        }
        self.close_if_done();
        Ok(())
    }
}

pub(super) struct Pipes {
    pub(super) out: Sink,
    pub(super) err: Sink,
    pub(super) buf: Vec<u8>,
}

impl Pipes {
    /// Waits up to `wait` for any pipe (or `extra`) to be ready, then moves
    /// at most one chunk per ready pipe. Returns whether a pipe was ready.
    pub(super) fn pump(
        &mut self,
        mut input: Option<&mut Source<'_>>,
        extra: Option<BorrowedFd<'_>>,
        wait: Duration,
    ) -> io::Result<bool> {
        let (ready_in, ready_out, ready_err) = {
            let input_fd = input.as_ref().and_then(|s| s.fd.as_ref());
            let mut fds = Vec::with_capacity(4);
            let i_in = watch(&mut fds, input_fd, PollFlags::OUT);
            let i_out = watch(&mut fds, self.out.fd.as_ref(), PollFlags::IN);
            let i_err = watch(&mut fds, self.err.fd.as_ref(), PollFlags::IN);
            if let Some(fd) = extra {
                fds.push(PollFd::from_borrowed_fd(fd, PollFlags::IN));
            }
            let nanos = i64::try_from(wait.as_nanos()).unwrap_or(i64::MAX);
            let ts = Timespec {
                tv_sec: nanos / 1_000_000_000,
                tv_nsec: nanos % 1_000_000_000,
            };
            match poll(&mut fds, Some(&ts)) {
                Ok(_) => {}
                Err(Errno::INTR) => return Ok(false),
                Err(e) => return Err(e.into()),
            }
            let ready = |i: Option<usize>| {
                i.and_then(|i| fds.get(i))
                    .is_some_and(|p| !p.revents().is_empty())
            };
            (ready(i_in), ready(i_out), ready(i_err))
        };
        if ready_in {
            if let Some(input) = input.as_mut() {
                input.write_once()?;
            }
        }
        if ready_out {
            self.out.read_once(&mut self.buf)?;
        }
        if ready_err {
            self.err.read_once(&mut self.buf)?;
        }
        Ok(ready_in || ready_out || ready_err)
    }

    /// After the kill: read what is left, until EOF on both pipes, a quiet
    /// [`DRAIN_IDLE`], or [`DRAIN_MAX`]. Closes both pipes.
    pub(super) fn drain(&mut self) -> io::Result<()> {
        let stop = Instant::now() + DRAIN_MAX;
        let result = loop {
            if self.out.fd.is_none() && self.err.fd.is_none() {
                break Ok(());
            }
            if Instant::now() >= stop {
                break Ok(());
            }
            match self.pump(None, None, DRAIN_IDLE) {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.out.fd = None;
        self.err.fd = None;
        result
    }
}

/// Adds `fd` (if open) to the poll set; returns its index there.
fn watch<'a>(
    fds: &mut Vec<PollFd<'a>>,
    fd: Option<&'a OwnedFd>,
    flags: PollFlags,
) -> Option<usize> {
    let fd = fd?;
    fds.push(PollFd::new(fd, flags));
    Some(fds.len() - 1)
}
