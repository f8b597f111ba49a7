//! Running the installed rsync in its "daemon over a remote shell" mode: a fake remote shell
//! starts `rsync --server --daemon` locally with a given config and log file, and the client
//! address comes from `SSH_CONNECTION`, so access rules are tested with no socket and no root.
//! Owns process spawning and timeouts; knows nothing about the Model.

use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long one probe may take before it is killed (a healthy one takes ~30 ms).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

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
    /// `rsync -r SRC/ fakehost::MODULE/`.
    pub fn probe(&self, req: Request) -> io::Result<Probe> {
        let target = match req.module {
            Some(m) => format!("fakehost::{m}/"),
            None => "fakehost::".to_string(),
        };
        let mut cmd = Command::new(&self.bin);
        match req.push {
            Some(src) => cmd
                .arg("-r")
                .arg("-e")
                .arg(&self.rsh)
                .arg(format!("{}/", src.display()))
                .arg(target),
            None => cmd.arg("--list-only").arg("-e").arg(&self.rsh).arg(target),
        };
        cmd.env("SSH_CONNECTION", format!("{} 40000 127.0.0.1 22", req.from));
        cmd.env("RSYNCD_CONF", req.conf).env("RSYNCD_LOG", req.log);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        run_bounded(cmd.spawn()?)
    }
}

/// Waits for a child with a deadline, reading its output on helper threads.
fn run_bounded(mut child: Child) -> io::Result<Probe> {
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(2));
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    if status.is_none() {
        stderr.push_str("(killed after the timeout)");
    }
    Ok(Probe {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}
