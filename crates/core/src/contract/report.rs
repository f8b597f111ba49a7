//! The report wire format. [`ServerReport`] is what `mirrorc report --server` prints with
//! `--format json` (and what remctld returns to a client that asks); [`EstateReport`] is the
//! merged view of `report --client` / `report --all`, and the input of the status page. Both
//! carry a `version`; a reader refuses other versions. Read from the network, a report is
//! untrusted: size capped, names checked against the contract before use.

use serde::{Deserialize, Serialize};

use super::status::{Attempt, DiskStatus};

/// Version of both report documents written by this build.
pub const REPORT_VERSION: u32 = 1;

/// Largest report accepted from one server.
pub const MAX_REPORT_BYTES: usize = 32 << 20;

/// One server's answer: its view of the disks asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerReport {
    /// Always [`REPORT_VERSION`].
    pub version: u32,
    /// The answering server.
    pub server: String,
    /// Its state per its contract (`active`, `drain`, `retired`).
    pub state: String,
    /// Disks asked about, by tag.
    pub disks: Vec<ServerDisk>,
}

/// A disk as one server sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerDisk {
    /// rmirror tag.
    pub tag: String,
    /// The client.
    pub client: String,
    /// Whether this server holds it (else it is only eligible).
    pub holds: bool,
    /// Its record, if it ever tried this disk.
    pub status: Option<DiskStatus>,
    /// Why its record could not be used (unreadable, oversized, another version, naming
    /// another disk); `status` is then `None`. Added in version 1 (absent means none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_error: Option<String>,
}

impl ServerReport {
    /// The JSON answer (one line and a newline).
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Parses an answer: size capped, version checked before the shape. The caller checks
    /// the names against the contract.
    pub fn parse(text: &[u8]) -> Result<ServerReport, String> {
        if text.len() > MAX_REPORT_BYTES {
            return Err(format!("answer of {} bytes is too large", text.len()));
        }
        let value: serde_json::Value =
            serde_json::from_slice(text).map_err(|e| format!("not a mirrorc report: {e}"))?;
        let found = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if found != u64::from(REPORT_VERSION) {
            return Err(format!(
                "report version {found} is not supported (this mirrorc reads version {REPORT_VERSION})"
            ));
        }
        serde_json::from_value(value).map_err(|e| format!("not a mirrorc report: {e}"))
    }
}

/// How a disk stands in the merged view, worst first in the order problems are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiskState {
    /// A holder did not answer and no answer shows a fresh copy: state unknown.
    Unknown,
    /// The last attempt failed (or timed out, or was interrupted).
    Failed,
    /// The last attempt was skipped by the safety limit.
    SkippedSafety,
    /// Never mirrored by any server that answered.
    Never,
    /// The last success is older than `max_age`.
    Stale,
    /// Mirrored within `max_age`.
    Ok,
}

impl DiskState {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            DiskState::Unknown => "unknown",
            DiskState::Failed => "failed",
            DiskState::SkippedSafety => "skipped_safety",
            DiskState::Never => "never",
            DiskState::Stale => "stale",
            DiskState::Ok => "ok",
        }
    }
}

/// The merged view over several servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstateReport {
    /// Always [`REPORT_VERSION`].
    pub version: u32,
    /// When the report was made (RFC 3339 UTC).
    pub generated: String,
    /// Age after which a copy is stale, in seconds.
    pub max_age_seconds: u64,
    /// Every server asked, answered or not.
    pub servers: Vec<ServerSummary>,
    /// Every disk concerned, by client then tag.
    pub disks: Vec<MergedDisk>,
    /// Drained servers whose every disk has a fresh copy elsewhere: safe to retire.
    pub retirable: Vec<String>,
    /// What was asked: `client <name>` or `all`. Added in version 1.
    #[serde(default)]
    pub scope: String,
}

/// A server in the merged view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSummary {
    /// Name.
    pub server: String,
    /// Site.
    pub site: String,
    /// `active`, `drain` or `retired`.
    pub state: String,
    /// Whether it answered.
    pub answered: bool,
    /// Why not (refused, timed out, unknown principal, malformed answer).
    pub error: Option<String>,
    /// Disks it holds per the inventory.
    pub disks_held: usize,
    /// Of those, how many last failed (failed, timeout, interrupted, skipped).
    pub failures: usize,
    /// Earliest start and latest end of its last attempts.
    pub last_run_started: Option<String>,
    /// See `last_run_started`.
    pub last_run_finished: Option<String>,
    /// Bytes of the disks it holds (sizes from the inventory), and its capacity.
    pub used_bytes: u64,
    /// Capacity from the inventory.
    pub capacity: Option<u64>,
    /// False when it could not even be asked from here (no remctl program, no realm, no
    /// credentials), as opposed to asked and not answering. Added in version 1.
    #[serde(default)]
    pub asked: bool,
}

/// A disk in the merged view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergedDisk {
    /// rmirror tag.
    pub tag: String,
    /// The client.
    pub client: String,
    /// The client's site.
    pub site: String,
    /// Path on the client.
    pub path: String,
    /// Servers holding it per the inventory.
    pub holders: Vec<String>,
    /// The verdict.
    pub state: DiskState,
    /// The most recent success reported by any server.
    pub last_success: Option<Attempt>,
    /// The most recent attempt reported by any server.
    pub last_attempt: Option<Attempt>,
    /// Servers that should know about it and did not answer.
    pub unanswered: Vec<String>,
    /// Max age of this disk in seconds (client, site or estate `max_age`). Added in
    /// version 1; absent in older documents (then `EstateReport::max_age_seconds`).
    #[serde(default)]
    pub max_age_seconds: u64,
    /// Age in seconds of `last_success` when the report was made. Added in version 1.
    #[serde(default)]
    pub age_seconds: Option<u64>,
    /// The most recent attempt that did not end `ok` (failure, timeout, skip), if it is newer
    /// than the last success. Added in version 1.
    #[serde(default)]
    pub last_failure: Option<Attempt>,
    /// Servers that answered with a record of this disk, by name. Added in version 1.
    #[serde(default)]
    pub reported_by: Vec<String>,
    /// Records that could not be used, as `server: why`. Added in version 1.
    #[serde(default)]
    pub problems: Vec<String>,
}
