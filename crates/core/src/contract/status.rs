//! Status records: what a server's `run` writes per disk into its state folder, and what its
//! `report` reads back. `<state>/disks/<tag>.json` holds the last attempt and the last success
//! ([`DiskStatus`]); `<state>/history.jsonl` one [`Attempt`] per line (rotated to
//! `history.jsonl.1` by size; `<state>/lock` is the run's flock). Times are RFC 3339 UTC
//! (`2026-12-01T23:04:05Z`). Read back, a record is untrusted: version, size and names checked.

use serde::{Deserialize, Serialize};

/// Version of [`DiskStatus`] written by this build.
pub const STATUS_VERSION: u32 = 1;

/// Largest status record read back.
pub const MAX_STATUS_BYTES: u64 = 1 << 20;

/// How one attempt at a disk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Pulled; the mirror is complete (rsync exit 0, or 24: files vanished during the pull).
    Ok,
    /// rsync failed (exit code and message say why).
    Failed,
    /// Not pulled: the dry run would delete more than the safety limit.
    SkippedSafety,
    /// Killed after the per-disk timeout.
    Timeout,
    /// Stopped by SIGINT/SIGTERM.
    Interrupted,
    /// Not started: the run's deadline passed, or the run was interrupted before this disk.
    NotStarted,
}

impl Outcome {
    /// The word used in records and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::SkippedSafety => "skipped_safety",
            Outcome::Timeout => "timeout",
            Outcome::Interrupted => "interrupted",
            Outcome::NotStarted => "not_started",
        }
    }
}

/// One attempt at one disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    /// rmirror tag = rsync module.
    pub tag: String,
    /// The client.
    pub client: String,
    /// The server that made the attempt.
    pub server: String,
    /// When it started (RFC 3339 UTC).
    pub started: String,
    /// When it ended (RFC 3339 UTC).
    pub finished: String,
    /// How it ended.
    pub result: Outcome,
    /// rsync's exit code of the pull (or of the dry run when the pull did not start).
    pub rsync_exit: Option<i32>,
    /// What that exit code means (rsync's own table).
    pub exit_meaning: Option<String>,
    /// Files transferred.
    pub files_transferred: Option<u64>,
    /// Bytes transferred.
    pub bytes_transferred: Option<u64>,
    /// Files deleted from the mirror.
    pub files_deleted: Option<u64>,
    /// Files in the mirror before the pull (the dry run's base).
    pub mirror_files: Option<u64>,
    /// Files the dry run would have deleted.
    pub would_delete: Option<u64>,
    /// A short message: the last rsync error line, or why it was skipped.
    pub message: String,
}

/// The per-disk record: the last attempt and the last success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskStatus {
    /// Always [`STATUS_VERSION`].
    pub version: u32,
    /// rmirror tag.
    pub tag: String,
    /// The client.
    pub client: String,
    /// The server.
    pub server: String,
    /// The last attempt.
    pub last_attempt: Attempt,
    /// The last attempt that ended `ok`, if any.
    pub last_success: Option<Attempt>,
}
