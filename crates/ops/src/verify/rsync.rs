//! Running the installed rsync in its "daemon over a remote shell" mode: a fake remote shell
//! starts `rsync --server --daemon` locally with a given config and log file, and the client
//! address comes from `SSH_CONNECTION`, so access rules are tested with no socket and no root.
//! Runs rsync through `exec` (timeout, process group); knows nothing about the Model.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exec::{self, Cancel, Ended, Job};

/// How long one probe may take before it is killed (a healthy one takes ~30 ms).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// Output kept of one probe (a listing of a few modules, or an error line).
const OUTPUT_CAP: usize = 1 << 20;

/// The installed rsync and the fake remote shell that runs it as a daemon.
#[derive(Debug, Clone)]
pub struct Rsync {
    /// Absolute path of the rsync binary.
    pub bin: PathBuf,
    /// The fake remote-shell script.
    pub rsh: PathBuf,
}

/// What one rsync client run produced.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Exit code (`None`: killed by a signal or by the timeout).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// One request to a daemon: which config, whose log, from which address, for what.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The rsyncd.conf the daemon reads.
    pub conf: &'a Path,
    /// Its `--log-file` (passed on the command line so early warnings are kept).
    pub log: &'a Path,
    /// The client address the daemon sees.
    pub from: &'a str,
    /// Module to list, or `None` for the module listing.
    pub module: Option<&'a str>,
    /// Push this local folder into the module instead of listing it (a write attempt).
    pub push: Option<&'a Path>,
}

/// Finds `rsync` on PATH.
pub fn find_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("rsync"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

impl Rsync {
    /// Writes the fake remote shell into `dir`, calling `bin` by absolute path.
    pub fn setup(bin: PathBuf, dir: &Path) -> io::Result<Rsync> {
        let rsh = dir.join("fake-rsh");
        let script = format!(
            "#!/bin/sh\n# rsync calls: fake-rsh [-l user] HOST rsync --server --daemon .\n\
             while [ $# -gt 0 ] && [ \"$1\" != rsync ]; do shift; done; shift\n\
             exec '{}' --config=\"$RSYNCD_CONF\" --log-file=\"$RSYNCD_LOG\" \"$@\"\n",
            bin.display()
        );
        super::write_new(&rsh, script.as_bytes(), 0o755)?;
        Ok(Rsync { bin, rsh })
    }

    /// Runs one request: `rsync --list-only fakehost::MODULE/`, `rsync fakehost::`, or a push
    /// `rsync -r SRC/ fakehost::MODULE/`, through `exec` (timeout, process group, capped output).
    pub fn probe(&self, req: Request) -> io::Result<Probe> {
        let target = match req.module {
            Some(m) => format!("fakehost::{m}/"),
            None => "fakehost::".to_string(),
        };
        let job = Job::new(&self.bin);
        let job = match req.push {
            Some(src) => job
                .arg("-r")
                .arg("-e")
                .arg(&self.rsh)
                .arg(format!("{}/", src.display())),
            None => job.arg("--list-only").arg("-e").arg(&self.rsh),
        }
        .arg(target)
        .env("SSH_CONNECTION", format!("{} 40000 127.0.0.1 22", req.from))
        .env("RSYNCD_CONF", req.conf)
        .env("RSYNCD_LOG", req.log)
        .timeout(PROBE_TIMEOUT)
        .stdout_cap(OUTPUT_CAP)
        .stderr_cap(OUTPUT_CAP);
        let out = exec::run(&job, &Cancel::new()).map_err(io::Error::other)?;
        let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = match out.status {
            Ended::Exited(code) => Some(code),
            Ended::TimedOut => {
                stderr.push_str("(killed after the timeout)");
                None
            }
            Ended::Signalled(_) | Ended::Cancelled => None,
        };
        Ok(Probe {
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        })
    }
}
