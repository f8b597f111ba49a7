//! `--via remctl`: `remctl -t T -s host/<fqdn>@REALM -p PORT HOST rmirror report ARGS...`
//! through `exec` with a hard deadline (remctl's `-t` is only an inactivity timeout, and
//! without it a hung server hangs the client forever). HOST is the server's first address, or
//! its FQDN. remctl's exit codes and messages (measured with remctl 3.18) say why not.

use std::path::PathBuf;
use std::time::Duration;

use mirrorc_core::contract::report::{ServerReport, MAX_REPORT_BYTES};
use mirrorc_core::contract::ServerContract;
use mirrorc_core::emit::remctl::{COMMAND, SUBCOMMAND};

use super::{NoAnswer, Transport, Why};
use crate::exec::{self, Cancel, Ended, ExecError, Job};

/// The remctl client with a deadline per call.
pub(super) struct Remctl {
    pub(super) program: PathBuf,
    pub(super) timeout: Duration,
}

impl Transport for Remctl {
    fn ask(
        &self,
        server: &ServerContract,
        args: &[String],
        cancel: &Cancel,
    ) -> Result<ServerReport, NoAnswer> {
        let Some(realm) = &server.report.realm else {
            let detail =
                "the estate names no Kerberos realm (estate.realm), so no remctl is set up";
            return Err(NoAnswer::new(Why::CannotAsk, detail));
        };
        let host = server.addresses.first().unwrap_or(&server.fqdn);
        let secs = self.timeout.as_secs().max(1);
        let job = Job::new(&self.program)
            .args(["-t", &secs.to_string()])
            .args(["-s", &format!("host/{}@{realm}", server.fqdn)])
            .args(["-p", &server.report.remctl_port.to_string()])
            .args([host.as_str(), COMMAND, SUBCOMMAND])
            .args(args)
            // A hard deadline a little beyond remctl's own, which gives the better message.
            .timeout(self.timeout + Duration::from_secs(2))
            .stdout_cap(MAX_REPORT_BYTES + 1)
            .stderr_cap(16 << 10);
        let out = exec::run(&job, cancel).map_err(cannot_run)?;
        let stderr = last_line(&out.stderr);
        match out.status {
            Ended::Exited(0) => {
                ServerReport::parse(&out.stdout).map_err(|e| NoAnswer::new(Why::Malformed, e))
            }
            Ended::Exited(code) => Err(classify(code, &stderr, secs)),
            Ended::TimedOut => Err(NoAnswer::new(
                Why::TimedOut,
                format!("no answer within {}s", job.get_timeout().as_secs()),
            )),
            Ended::Cancelled => Err(NoAnswer::new(Why::CannotAsk, "interrupted")),
            Ended::Signalled(sig) => Err(NoAnswer::new(
                Why::CannotAsk,
                format!("remctl killed by signal {sig}"),
            )),
        }
    }
}

/// remctl exits 255 when remctld refused, 1 on local or network errors, else with the
/// status of the remote command (mirrorc's: 2 for refused arguments or I/O).
fn classify(code: i32, stderr: &str, secs: u64) -> NoAnswer {
    let has = |s: &str| stderr.contains(s);
    let kind = match code {
        255 => Why::Refused,
        1 if has("timed out") => Why::TimedOut,
        1 if has("Connection refused") || has("No route") || has("unreachable") => {
            Why::NotAnswering
        }
        1 if has("credentials") || has("not found in Kerberos database") => Why::CannotAsk,
        1 => Why::NotAnswering,
        _ => Why::Failed,
    };
    let detail = match kind {
        Why::TimedOut => format!("no answer within {secs}s ({stderr})"),
        Why::Refused if has("Access denied") => {
            format!("access denied by its remctld: this host is not in its ACL ({stderr})")
        }
        _ if stderr.is_empty() => format!("remctl exited with {code}"),
        _ => format!("{stderr} (remctl exit {code})"),
    };
    NoAnswer::new(kind, detail)
}

fn cannot_run(e: ExecError) -> NoAnswer {
    NoAnswer::new(Why::CannotAsk, e.to_string())
}

/// The last non-empty line, trimmed and cut at 300 characters.
fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    line.trim().chars().take(300).collect()
}
