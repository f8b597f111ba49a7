//! [`Job`]: a description of one external program run, built with a
//! by-value builder.

use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Timeout of a [`Job`] that does not set one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// Stdout bytes kept by a [`Job`] that does not set a cap.
pub const DEFAULT_STDOUT_CAP: usize = 8 << 20;
/// Stderr bytes kept by a [`Job`] that does not set a cap.
pub const DEFAULT_STDERR_CAP: usize = 1 << 20;

/// One external program to run with [`run`](super::run).
///
/// ```
/// use std::time::Duration;
/// use mirrorc_ops::exec::Job;
/// let job = Job::new("rsync")
///     .args(["-a", "--list-only", "rsync://example.org/mod/"])
///     .env("LC_ALL", "C")
///     .timeout(Duration::from_secs(600));
/// assert_eq!(job.program(), "rsync");
/// ```
#[derive(Debug, Clone)]
pub struct Job {
    program: OsString,
    args: Vec<OsString>,
    env_clear: bool,
    env: Vec<(OsString, Option<OsString>)>,
    cwd: Option<PathBuf>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    stdout_cap: usize,
    stderr_cap: usize,
}

impl Job {
    /// A job running `program` (looked up on `PATH` unless it contains a
    /// `/`), with no arguments, the inherited environment, stdin from
    /// `/dev/null`, [`DEFAULT_TIMEOUT`] and the default caps.
    pub fn new(program: impl Into<OsString>) -> Self {
        Job {
            program: program.into(),
            args: Vec::new(),
            env_clear: false,
            env: Vec::new(),
            cwd: None,
            stdin: None,
            timeout: DEFAULT_TIMEOUT,
            stdout_cap: DEFAULT_STDOUT_CAP,
            stderr_cap: DEFAULT_STDERR_CAP,
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends several arguments.
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// Starts the child from an empty environment instead of ours. This
    /// applies whatever the call order: variables set with [`Job::env`]
    /// before or after are kept. Note that `PATH` then comes only from
    /// [`Job::env`] (std still searches our own `PATH` if none is given).
    pub fn env_clear(mut self) -> Self {
        self.env_clear = true;
        self
    }

    /// Runs the child in this working directory.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// Feeds these bytes to the child's stdin, then closes it. Without this
    /// the child's stdin is `/dev/null`.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kills the job's process group if it is still running after this
    /// long. `Duration::MAX` means no limit (avoid it).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Keeps at most this many bytes of stdout; the rest is read and
    /// counted in [`Outcome::stdout_dropped`](super::Outcome::stdout_dropped).
    pub fn stdout_cap(mut self, bytes: usize) -> Self {
        self.stdout_cap = bytes;
        self
    }

    /// Keeps at most this many bytes of stderr; the rest is read and
    /// counted in [`Outcome::stderr_dropped`](super::Outcome::stderr_dropped).
    pub fn stderr_cap(mut self, bytes: usize) -> Self {
        self.stderr_cap = bytes;
        self
    }

    /// The program, as given to [`Job::new`].
    pub fn program(&self) -> &OsStr {
        &self.program
    }

    /// The arguments.
    pub fn get_args(&self) -> &[OsString] {
        &self.args
    }

    /// The working directory, if one was set.
    pub fn get_current_dir(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }

    /// The timeout.
    pub fn get_timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn stdin_bytes(&self) -> Option<&[u8]> {
        self.stdin.as_deref()
    }

    pub(crate) fn caps(&self) -> (usize, usize) {
        (self.stdout_cap, self.stderr_cap)
    }

    pub(crate) fn program_name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }

    /// The `Command` for this job: own process group, piped stdout and
    /// stderr, piped or null stdin.
    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        if self.env_clear {
            cmd.env_clear();
        }
        for (key, value) in &self.env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        let stdin = if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        cmd.stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        cmd
    }
}
