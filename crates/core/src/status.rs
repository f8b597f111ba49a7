//! The status page's data: [`view`] turns a merged [`EstateReport`] and the time "now" into a
//! [`StatusView`]: summary counts, the problem rows first, every disk grouped by site, the
//! servers with their space, and the retirable ones. Pure (no I/O, no printing, no clock): the
//! binary renders the view as HTML, a text table or JSON. `read` is the report file's reader.
//! **Invariant:** the view never shows a disk better than the evidence: `ok` only with a fresh
//! success from a server that answered.

pub mod read;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;

use crate::contract::report::{DiskState, EstateReport, MergedDisk, ServerSummary};
use crate::contract::status::{Attempt, Outcome};

/// Version of the `mirrorc status --format json` document.
pub const VIEW_VERSION: u32 = 1;

/// Everything the status page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusView {
    /// Always [`VIEW_VERSION`].
    pub version: u32,
    /// The time ages are measured from (RFC 3339 UTC).
    pub now: String,
    /// When the report was made.
    pub report_generated: String,
    /// Age after which a copy is stale, in seconds.
    pub max_age_seconds: u64,
    /// Disks per state over the whole estate.
    pub summary: Counts,
    /// Servers asked.
    pub servers_asked: usize,
    /// Of those, the ones that did not answer.
    pub servers_unanswered: usize,
    /// Every disk that is not `ok`, worst state first, then by site, client and tag.
    pub problems: Vec<DiskRow>,
    /// Every disk, by site (name order), then client and tag.
    pub sites: Vec<SiteView>,
    /// Every server asked, by site then name.
    pub servers: Vec<ServerRow>,
    /// Drained servers that can be retired safely (every disk has a fresh copy elsewhere).
    pub retirable: Vec<String>,
}

/// Disks per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// All disks.
    pub disks: usize,
    /// Mirrored within `max_age`.
    pub ok: usize,
    /// Last success older than `max_age`.
    pub stale: usize,
    /// Last attempt failed.
    pub failed: usize,
    /// Last attempt skipped by the safety limit.
    pub skipped_safety: usize,
    /// Never mirrored.
    pub never: usize,
    /// A holder did not answer.
    pub unknown: usize,
}

impl Counts {
    fn add(&mut self, state: DiskState) {
        self.disks += 1;
        *match state {
            DiskState::Ok => &mut self.ok,
            DiskState::Stale => &mut self.stale,
            DiskState::Failed => &mut self.failed,
            DiskState::SkippedSafety => &mut self.skipped_safety,
            DiskState::Never => &mut self.never,
            DiskState::Unknown => &mut self.unknown,
        } += 1;
    }

    /// Disks that are not `ok`.
    pub fn problems(&self) -> usize {
        self.disks - self.ok
    }
}

/// One site's disks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteView {
    /// Site name.
    pub site: String,
    /// Its disks per state.
    pub counts: Counts,
    /// Its disks, by client then tag.
    pub disks: Vec<DiskRow>,
}

/// One disk as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiskRow {
    /// The client's site.
    pub site: String,
    /// The client.
    pub client: String,
    /// rmirror tag.
    pub tag: String,
    /// Path on the client.
    pub path: String,
    /// Servers holding it per the inventory.
    pub holders: Vec<String>,
    /// The verdict shown (the report's, or worse when the evidence does not bear it out).
    pub state: DiskState,
    /// Why the verdict shown differs from the report's, if it does.
    pub note: Option<String>,
    /// The most recent success.
    pub last_success: Option<AttemptRow>,
    /// The most recent attempt.
    pub last_attempt: Option<AttemptRow>,
    /// Servers that should know about it and did not answer, by name.
    pub unanswered: Vec<String>,
}

/// One attempt as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRow {
    /// The server that made it.
    pub server: String,
    /// When it started.
    pub started: String,
    /// When it ended.
    pub finished: String,
    /// Seconds from its end to now (negative: in the future; absent: unreadable time).
    pub age_seconds: Option<i64>,
    /// How it ended.
    pub result: Outcome,
    /// rsync's exit code.
    pub rsync_exit: Option<i32>,
    /// What that exit code means.
    pub exit_meaning: Option<String>,
    /// Bytes transferred.
    pub bytes_transferred: Option<u64>,
    /// The last rsync error line, or why it was skipped.
    pub message: String,
}

/// One server as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerRow {
    /// Name.
    pub server: String,
    /// Site.
    pub site: String,
    /// `active`, `drain` or `retired`.
    pub state: String,
    /// Whether it answered.
    pub answered: bool,
    /// Why not.
    pub error: Option<String>,
    /// Disks it holds.
    pub disks_held: usize,
    /// Of those, how many last failed.
    pub failures: usize,
    /// Earliest start of its last attempts.
    pub last_run_started: Option<String>,
    /// Latest end of its last attempts.
    pub last_run_finished: Option<String>,
    /// Bytes of the disks it holds.
    pub used_bytes: u64,
    /// Capacity from the inventory.
    pub capacity: Option<u64>,
    /// `used_bytes` as a whole percentage of `capacity`.
    pub used_percent: Option<u64>,
    /// For a drained server: whether it can be retired safely (absent when not drained).
    pub retirable: Option<bool>,
}

/// Builds the view of `report` as of `now`.
pub fn view(report: &EstateReport, now: Timestamp) -> StatusView {
    let silent: BTreeSet<&str> = report
        .servers
        .iter()
        .filter(|s| !s.answered)
        .map(|s| s.server.as_str())
        .collect();
    let ctx = Judge {
        silent: &silent,
        now,
        max_age: report.max_age_seconds,
    };
    let mut summary = Counts::default();
    let mut by_site: BTreeMap<&str, Vec<DiskRow>> = BTreeMap::new();
    for disk in &report.disks {
        let row = ctx.row(disk);
        summary.add(row.state);
        by_site.entry(disk.site.as_str()).or_default().push(row);
    }
    let sites: Vec<SiteView> = by_site.into_iter().map(|(s, d)| site_view(s, d)).collect();
    let retirable: BTreeSet<&str> = report.retirable.iter().map(String::as_str).collect();
    let mut servers: Vec<ServerRow> = report
        .servers
        .iter()
        .map(|s| server_row(s, &retirable))
        .collect();
    servers.sort_by(|a, b| (&a.site, &a.server).cmp(&(&b.site, &b.server)));
    StatusView {
        version: VIEW_VERSION,
        now: now.to_string(),
        report_generated: report.generated.clone(),
        max_age_seconds: report.max_age_seconds,
        summary,
        servers_asked: report.servers.len(),
        servers_unanswered: silent.len(),
        problems: problems(&sites),
        sites,
        servers,
        retirable: retirable.into_iter().map(str::to_string).collect(),
    }
}

fn site_view(site: &str, mut disks: Vec<DiskRow>) -> SiteView {
    disks.sort_by(|a, b| (&a.client, &a.tag).cmp(&(&b.client, &b.tag)));
    let mut counts = Counts::default();
    for d in &disks {
        counts.add(d.state);
    }
    SiteView {
        site: site.to_string(),
        counts,
        disks,
    }
}

fn problems(sites: &[SiteView]) -> Vec<DiskRow> {
    let mut rows: Vec<DiskRow> = sites
        .iter()
        .flat_map(|s| &s.disks)
        .filter(|d| d.state != DiskState::Ok)
        .cloned()
        .collect();
    // Sites and their disks are already in order: a stable sort by state keeps it within a state.
    rows.sort_by_key(|d| d.state);
    rows
}

fn server_row(s: &ServerSummary, retirable: &BTreeSet<&str>) -> ServerRow {
    ServerRow {
        server: s.server.clone(),
        site: s.site.clone(),
        state: s.state.clone(),
        answered: s.answered,
        error: s.error.clone(),
        disks_held: s.disks_held,
        failures: s.failures,
        last_run_started: s.last_run_started.clone(),
        last_run_finished: s.last_run_finished.clone(),
        used_bytes: s.used_bytes,
        capacity: s.capacity,
        used_percent: s
            .capacity
            .filter(|c| *c > 0)
            .map(|c| (u128::from(s.used_bytes) * 100 / u128::from(c)) as u64),
        retirable: (s.state == "drain").then(|| retirable.contains(s.server.as_str())),
    }
}

/// What judging a disk needs: the servers that did not answer, now, and the estate's max age.
struct Judge<'a> {
    silent: &'a BTreeSet<&'a str>,
    now: Timestamp,
    max_age: u64,
}

impl Judge<'_> {
    fn row(&self, disk: &MergedDisk) -> DiskRow {
        let unanswered: BTreeSet<&str> = disk
            .unanswered
            .iter()
            .map(String::as_str)
            .chain(
                disk.holders
                    .iter()
                    .map(String::as_str)
                    .filter(|h| self.silent.contains(h)),
            )
            .collect();
        let last_success = disk.last_success.as_ref().map(|a| self.attempt(a));
        let (state, note) = judge(self, disk, last_success.as_ref(), !unanswered.is_empty());
        DiskRow {
            site: disk.site.clone(),
            client: disk.client.clone(),
            tag: disk.tag.clone(),
            path: disk.path.clone(),
            holders: disk.holders.clone(),
            state,
            note,
            last_success,
            last_attempt: disk.last_attempt.as_ref().map(|a| self.attempt(a)),
            unanswered: unanswered.into_iter().map(str::to_string).collect(),
        }
    }

    fn attempt(&self, a: &Attempt) -> AttemptRow {
        AttemptRow {
            server: a.server.clone(),
            started: a.started.clone(),
            finished: a.finished.clone(),
            age_seconds: age(&a.finished, self.now),
            result: a.result,
            rsync_exit: a.rsync_exit,
            exit_meaning: a.exit_meaning.clone(),
            bytes_transferred: a.bytes_transferred,
            message: a.message.clone(),
        }
    }
}

/// The verdict shown for `disk`: the report's, except that `ok` needs evidence now. A report
/// read from a file is untrusted and may be older than now, so `ok` becomes `unknown` when a
/// server concerned did not answer and no answering server shows a fresh success, or when
/// there is no readable success at all; and `stale` when the success has aged past `max_age`
/// since the report was made.
fn judge(
    ctx: &Judge<'_>,
    disk: &MergedDisk,
    success: Option<&AttemptRow>,
    someone_silent: bool,
) -> (DiskState, Option<String>) {
    if disk.state != DiskState::Ok {
        return (disk.state, None);
    }
    let Some((s, age)) = success.and_then(|s| s.age_seconds.map(|a| (s, a))) else {
        let why = "reported ok without a readable last success";
        return (DiskState::Unknown, Some(why.to_string()));
    };
    // The disk's own max age (client, site or path `max_age`) when the report carries one.
    let max_age = match disk.max_age_seconds {
        0 => ctx.max_age,
        own => own,
    };
    // A success in the future (a server's clock ahead) counts as fresh.
    let fresh = age <= i64::try_from(max_age).unwrap_or(i64::MAX);
    let by_silent = ctx.silent.contains(s.server.as_str());
    if someone_silent && (!fresh || by_silent) {
        let why = "reported ok, but a server concerned did not answer";
        return (DiskState::Unknown, Some(why.to_string()));
    }
    if !fresh {
        let why = "reported ok, but the last success is now older than the max age";
        return (DiskState::Stale, Some(why.to_string()));
    }
    (DiskState::Ok, None)
}

/// Seconds from `time` (RFC 3339) to `now`; `None` when `time` is unreadable.
fn age(time: &str, now: Timestamp) -> Option<i64> {
    let t: Timestamp = time.parse().ok()?;
    Some(now.as_second() - t.as_second())
}

#[cfg(test)]
mod tests;
