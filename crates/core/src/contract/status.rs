//! Status records: what a server's `run` writes per disk into its state folder, and what its
//! `report` reads back. `<state>/disks/<tag>.json` holds the last attempt and the last success
//! ([`DiskStatus`]); `<state>/history.jsonl` one [`Attempt`] per line (rotated to
//! `history.jsonl.1` by size; `<state>/lock` is the run's flock). Times are RFC 3339 UTC
//! (`2026-12-01T23:04:05Z`). Read back, a record is untrusted: version, size and names checked.

use serde::{Deserialize, Serialize};

/// Version of [`DiskStatus`] written by this build.
pub const STATUS_VERSION: u32 = 1;

/// Where a server keeps its status records unless told otherwise: `run` writes there and
/// `report --server` (also when remctld runs it) reads there.
pub const STATE_ROOT: &str = "/var/lib/mirrorc";

/// The default state folder of `server`: `/var/lib/mirrorc/<server>`.
pub fn default_state_dir(server: &str) -> std::path::PathBuf {
    std::path::Path::new(STATE_ROOT).join(server)
}

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

/// Where the record of `tag` lives inside a state folder.
pub fn record_path(state_dir: &std::path::Path, tag: &str) -> std::path::PathBuf {
    state_dir.join("disks").join(format!("{tag}.json"))
}

/// Writes `status` to `<state>/disks/<tag>.json` atomically (temp file in the same folder,
/// fsync, rename; mode 0644), creating the folder. The one writer of status records: `run`
/// uses it, and so do the tests of `report`. The tag must be a valid LCFG tag.
pub fn write_record(state_dir: &std::path::Path, status: &DiskStatus) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    if !is_tag(&status.tag) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("`{}` is not a disk tag", status.tag),
        ));
    }
    let dir = state_dir.join("disks");
    std::fs::create_dir_all(&dir)?;
    let mut text = serde_json::to_string_pretty(status).map_err(std::io::Error::other)?;
    text.push('\n');
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    tmp.persist(record_path(state_dir, &status.tag))
        .map_err(|e| e.error)?;
    // The rename itself is durable only once the folder is synced.
    std::fs::File::open(&dir)?.sync_all()
}

/// Why a status record could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Unreadable (not a regular file, I/O error).
    #[error("unreadable status record: {0}")]
    Io(String),
    /// Larger than [`MAX_STATUS_BYTES`].
    #[error("status record of {0} bytes is larger than {MAX_STATUS_BYTES} bytes")]
    TooLarge(u64),
    /// Not JSON of the right shape.
    #[error("malformed status record: {0}")]
    Malformed(String),
    /// Another version.
    #[error(
        "status record version {0} is not supported (this mirrorc reads version {STATUS_VERSION})"
    )]
    Version(u64),
    /// Its tag, client or server is not the disk it is filed under.
    #[error("status record is for {found}, not {expected}")]
    Mismatch {
        /// `tag/client/server` in the file.
        found: String,
        /// `tag/client/server` expected.
        expected: String,
    },
}

/// Reads the record of `tag` (of `client`, pulled by `server`) from a state folder: `Ok(None)`
/// when there is none (never tried); a symlink, an oversized file, another version, or a
/// record naming another disk, client or server is refused.
pub fn read_record(
    state_dir: &std::path::Path,
    tag: &str,
    client: &str,
    server: &str,
) -> Result<Option<DiskStatus>, RecordError> {
    let path = record_path(state_dir, tag);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RecordError::Io(e.to_string())),
    };
    if !meta.is_file() {
        return Err(RecordError::Io("not a regular file".into()));
    }
    if meta.len() > MAX_STATUS_BYTES {
        return Err(RecordError::TooLarge(meta.len()));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| RecordError::Io(e.to_string()))?;
    let status = parse_record(&text)?;
    let found = format!("{}/{}/{}", status.tag, status.client, status.server);
    let expected = format!("{tag}/{client}/{server}");
    let attempts = std::iter::once(&status.last_attempt).chain(status.last_success.as_ref());
    let consistent = attempts
        .into_iter()
        .all(|a| a.tag == tag && a.client == client && a.server == server);
    if found != expected || !consistent {
        return Err(RecordError::Mismatch { found, expected });
    }
    Ok(Some(status))
}

/// Parses a record, checking the version before the shape.
pub fn parse_record(text: &str) -> Result<DiskStatus, RecordError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))?;
    let found = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if found != u64::from(STATUS_VERSION) {
        return Err(RecordError::Version(found));
    }
    serde_json::from_value(value).map_err(|e| RecordError::Malformed(e.to_string()))
}

/// An LCFG tag (`^[A-Za-z0-9_]+$`), so a record's file name stays inside `disks/`.
pub fn is_tag(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A record made directly, for tests of `report` (and of `run`'s readers).
pub fn example_record(
    tag: &str,
    client: &str,
    server: &str,
    result: Outcome,
    finished: &str,
) -> DiskStatus {
    let attempt = Attempt {
        tag: tag.to_string(),
        client: client.to_string(),
        server: server.to_string(),
        started: finished.to_string(),
        finished: finished.to_string(),
        result,
        rsync_exit: Some(if result == Outcome::Ok { 0 } else { 23 }),
        exit_meaning: None,
        files_transferred: None,
        bytes_transferred: None,
        files_deleted: None,
        mirror_files: None,
        would_delete: None,
        message: if result == Outcome::Ok {
            String::new()
        } else {
            format!("{} (example)", result.as_str())
        },
    };
    DiskStatus {
        version: STATUS_VERSION,
        tag: tag.to_string(),
        client: client.to_string(),
        server: server.to_string(),
        last_success: (result == Outcome::Ok).then(|| attempt.clone()),
        last_attempt: attempt,
    }
}

#[cfg(test)]
mod tests {
    use super::{example_record, read_record, write_record, Outcome, RecordError};

    #[test]
    fn written_records_read_back_and_foreign_ones_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = example_record("a_home", "a", "s1", Outcome::Ok, "2026-12-01T23:00:00Z");
        write_record(dir.path(), &r).expect("write");
        assert_eq!(read_record(dir.path(), "a_home", "a", "s1"), Ok(Some(r)));
        assert_eq!(read_record(dir.path(), "b_home", "b", "s1"), Ok(None));
        assert!(matches!(
            read_record(dir.path(), "a_home", "a", "s2"),
            Err(RecordError::Mismatch { .. })
        ));
        let mut bad = example_record("x", "a", "s1", Outcome::Ok, "t");
        bad.tag = "../x".into();
        assert!(write_record(dir.path(), &bad).is_err());
        std::fs::write(dir.path().join("disks/v.json"), "{\"version\": 9}").expect("write");
        assert_eq!(
            read_record(dir.path(), "v", "a", "s1"),
            Err(RecordError::Version(9))
        );
    }
}
