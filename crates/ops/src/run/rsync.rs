//! The rsync side of a pull: the command lines (dry run and pull share every flag), the
//! numbers read back from `--stats` and `--itemize-changes`, and rsync's exit-code table.
//! Pure functions; running them is `disk`'s job (through `exec`).

use std::ffi::OsString;
use std::time::Duration;

use super::plan::Pull;

/// The flags of every pull (README, "Running the mirrors", says why each is there).
const FLAGS: [&str; 5] = [
    "--archive",
    "--delete",
    "--numeric-ids",
    "--hard-links",
    "--stats",
];

/// The rsync arguments of `pull` from source address `source`, I/O timeout `timeout`;
/// `dry_run` adds `--dry-run --itemize-changes` (which lists each deletion).
pub(crate) fn args(
    pull: &Pull,
    source: Option<&str>,
    timeout: Duration,
    dry_run: bool,
) -> Vec<OsString> {
    let secs = timeout.as_secs().max(1);
    let mut a: Vec<OsString> = FLAGS.iter().map(OsString::from).collect();
    if pull.checksum {
        a.push("--checksum".into());
    }
    a.push(format!("--timeout={secs}").into());
    a.push(format!("--contimeout={secs}").into());
    if let Some(addr) = source {
        a.push(format!("--address={addr}").into());
    }
    if dry_run {
        a.push("--dry-run".into());
        a.push("--itemize-changes".into());
    }
    a.push(url(pull).into());
    a.push(format!("{}/", pull.dstdir).into());
    a
}

/// `rsync://<host>:<port>/<tag>/`, an IPv6 address in brackets.
pub(crate) fn url(pull: &Pull) -> String {
    let host = pull.connect_to();
    if host.contains(':') {
        format!("rsync://[{host}]:{}/{}/", pull.port, pull.tag)
    } else {
        format!("rsync://{host}:{}/{}/", pull.port, pull.tag)
    }
}

/// What `--stats` (and, in a dry run, `--itemize-changes`) said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// `Number of regular files transferred`.
    pub(crate) files_transferred: Option<u64>,
    /// `Total transferred file size` in bytes.
    pub(crate) bytes_transferred: Option<u64>,
    /// `Number of deleted files` (files, folders and links).
    pub(crate) files_deleted: Option<u64>,
    /// `*deleting` lines of `--itemize-changes`.
    pub(crate) deleting_lines: u64,
}

/// Reads rsync's stdout. Numbers carry thousands separators (`1,234`).
pub(crate) fn stats(stdout: &[u8]) -> Stats {
    let text = String::from_utf8_lossy(stdout);
    let mut s = Stats::default();
    for line in text.lines() {
        if line.starts_with("*deleting ") {
            s.deleting_lines += 1;
        } else if let Some(rest) = line.strip_prefix("Number of regular files transferred:") {
            s.files_transferred = number(rest);
        } else if let Some(rest) = line.strip_prefix("Total transferred file size:") {
            s.bytes_transferred = number(rest);
        } else if let Some(rest) = line.strip_prefix("Number of deleted files:") {
            s.files_deleted = number(rest);
        }
    }
    s
}

/// The first number of `rest`, separators removed: ` 1,234 bytes` → 1234.
fn number(rest: &str) -> Option<u64> {
    let word = rest.split_whitespace().next()?;
    word.replace(',', "").parse().ok()
}

/// rsync's own meaning of an exit code (rsync(1), "EXIT VALUES").
pub fn exit_meaning(code: i32) -> &'static str {
    match code {
        0 => "success",
        1 => "syntax or usage error",
        2 => "protocol incompatibility",
        3 => "errors selecting input/output files, dirs",
        4 => "requested action not supported",
        5 => "error starting client-server protocol (e.g. access denied, unknown module)",
        6 => "daemon unable to append to log-file",
        10 => "error in socket I/O",
        11 => "error in file I/O",
        12 => "error in rsync protocol data stream",
        13 => "errors with program diagnostics",
        14 => "error in IPC code",
        20 => "received SIGUSR1 or SIGINT",
        21 => "some error returned by waitpid()",
        22 => "error allocating core memory buffers",
        23 => "partial transfer due to error",
        24 => "partial transfer due to vanished source files",
        25 => "the --max-delete limit stopped deletions",
        30 => "timeout in data send/receive",
        35 => "timeout waiting for daemon connection",
        _ => "unknown rsync exit code",
    }
}

/// The line of rsync's stderr that says best what went wrong: the daemon's `@ERROR`, else
/// the last `rsync:`/`rsync error:` line, else the last line; at most 300 characters.
pub(crate) fn last_error(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let pick = lines
        .iter()
        .find(|l| l.starts_with("@ERROR"))
        .or_else(|| lines.iter().rev().find(|l| l.starts_with("rsync:")))
        .or_else(|| lines.last());
    let line = pick.copied().unwrap_or_default();
    line.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_a_dry_run_and_of_a_pull() {
        let dry = b"*deleting   old/b\n*deleting   old/\n>f+++++++++ new\n\nNumber of files: 1,204 (reg: 1,000, dir: 204)\nNumber of created files: 1\nNumber of deleted files: 2 (reg: 1, dir: 1)\nNumber of regular files transferred: 1\nTotal file size: 12,345 bytes\nTotal transferred file size: 1,234 bytes\n";
        let s = stats(dry);
        assert_eq!(
            (
                s.deleting_lines,
                s.files_deleted,
                s.files_transferred,
                s.bytes_transferred
            ),
            (2, Some(2), Some(1), Some(1234))
        );
        assert_eq!(stats(b"garbage\n"), Stats::default());
    }

    #[test]
    fn last_error_prefers_the_daemon_message() {
        let err = b"@ERROR: access denied to m from UNKNOWN (127.0.0.9)\nrsync error: error starting client-server protocol (code 5) at main.c(1850)\n";
        assert_eq!(
            last_error(err),
            "@ERROR: access denied to m from UNKNOWN (127.0.0.9)"
        );
        let err = b"rsync: [Receiver] failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)\nrsync error: error in socket IO (code 10) at clientserver.c(139)\n";
        assert!(last_error(err).starts_with("rsync: [Receiver] failed to connect"));
        assert_eq!(last_error(b""), "");
        assert_eq!(
            exit_meaning(24),
            "partial transfer due to vanished source files"
        );
    }
}
