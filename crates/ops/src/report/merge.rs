//! Merges the answers of the servers asked into one [`EstateReport`]: per disk the newest
//! success and attempt over every server that answered, who reported it, and every server
//! that should know it and did not answer; per server whether it answered and why not. The
//! verdict per disk is in `age.rs`, the retirable servers in `retire.rs`.

use std::collections::BTreeMap;

use mirrorc_core::contract::report::{
    EstateReport, MergedDisk, ServerReport, ServerSummary, REPORT_VERSION,
};
use mirrorc_core::contract::status::{Attempt, Outcome};
use mirrorc_core::contract::{Disk, ServerContract};

use super::transport::NoAnswer;
use super::{age, retire, time};

/// One server asked and what came back.
pub struct Asked<'a> {
    /// Its contract.
    pub contract: &'a ServerContract,
    /// Its checked answer, or why there is none.
    pub answer: Result<ServerReport, NoAnswer>,
}

/// Merges the answers about the disks `wanted` accepts (by client name) into one report.
pub fn merge(
    asked: &[Asked<'_>],
    wanted: impl Fn(&str) -> bool,
    scope: String,
    now: i64,
) -> EstateReport {
    let mut disks: BTreeMap<(String, String), MergedDisk> = BTreeMap::new();
    for a in asked {
        for d in a.contract.disks.iter().filter(|d| wanted(&d.client)) {
            let key = (d.client.clone(), d.tag.clone());
            disks.entry(key).or_insert_with(|| empty(d));
        }
    }
    for disk in disks.values_mut() {
        fill(disk, asked, now);
    }
    let disks: Vec<MergedDisk> = disks.into_values().collect();
    let servers = asked.iter().map(|a| summary(a)).collect();
    let max_age_seconds = asked
        .first()
        .map_or(mirrorc_core::model::DEFAULT_MAX_AGE_SECONDS, |a| {
            a.contract.report.max_age_seconds
        });
    let retirable = if scope == "all" {
        retire::retirable(asked, &disks, now)
    } else {
        Vec::new()
    };
    EstateReport {
        version: REPORT_VERSION,
        generated: time::format(now),
        max_age_seconds,
        servers,
        disks,
        retirable,
        scope,
    }
}

fn empty(d: &Disk) -> MergedDisk {
    MergedDisk {
        tag: d.tag.clone(),
        client: d.client.clone(),
        site: d.client_site.clone(),
        path: d.path.clone(),
        holders: d.holders.clone(),
        state: mirrorc_core::contract::report::DiskState::Never,
        last_success: None,
        last_attempt: None,
        unanswered: Vec::new(),
        max_age_seconds: d.max_age_seconds,
        age_seconds: None,
        last_failure: None,
        reported_by: Vec::new(),
        problems: Vec::new(),
    }
}

/// Folds every answer about `disk` into it, then judges it.
fn fill(disk: &mut MergedDisk, asked: &[Asked<'_>], now: i64) {
    for a in asked {
        let c = a.contract;
        let knows = c.disks.iter().any(|d| d.tag == disk.tag)
            || c.eligible.iter().any(|d| d.tag == disk.tag);
        if !knows {
            continue;
        }
        let Ok(report) = &a.answer else {
            disk.unanswered.push(c.server.clone());
            continue;
        };
        let Some(d) = report.disks.iter().find(|d| d.tag == disk.tag) else {
            continue;
        };
        if let Some(e) = &d.record_error {
            disk.problems.push(format!("{}: {e}", c.server));
        }
        let Some(s) = &d.status else { continue };
        disk.reported_by.push(c.server.clone());
        newest(&mut disk.last_attempt, &s.last_attempt);
        if let Some(ok) = &s.last_success {
            newest(&mut disk.last_success, ok);
        }
        if s.last_attempt.result != Outcome::Ok {
            newest(&mut disk.last_failure, &s.last_attempt);
        }
    }
    let success_at = disk
        .last_success
        .as_ref()
        .and_then(|a| time::parse(&a.finished));
    if let (Some(f), Some(s)) = (&disk.last_failure, success_at) {
        if time::parse(&f.finished).is_some_and(|t| t < s) {
            disk.last_failure = None;
        }
    }
    disk.age_seconds = success_at.map(|t| now.saturating_sub(t).max(0) as u64);
    disk.state = age::judge(disk);
}

/// Keeps the attempt that finished last.
fn newest(slot: &mut Option<Attempt>, a: &Attempt) {
    let t = |x: &Attempt| time::parse(&x.finished).unwrap_or(i64::MIN);
    if slot.as_ref().is_none_or(|old| t(a) > t(old)) {
        *slot = Some(a.clone());
    }
}

fn summary(a: &Asked<'_>) -> ServerSummary {
    let c = a.contract;
    let mut s = ServerSummary {
        server: c.server.clone(),
        site: c.site.clone(),
        state: c.state.clone(),
        answered: a.answer.is_ok(),
        error: a
            .answer
            .as_ref()
            .err()
            .map(|e| format!("{}: {}", e.kind.as_str(), e.detail)),
        disks_held: c.disks.len(),
        failures: 0,
        last_run_started: None,
        last_run_finished: None,
        used_bytes: c.disks.iter().filter_map(|d| d.size).sum(),
        capacity: c.capacity,
        asked: a
            .answer
            .as_ref()
            .err()
            .is_none_or(|e| e.kind != super::transport::Why::CannotAsk),
    };
    let Ok(report) = &a.answer else { return s };
    let held = report.disks.iter().filter(|d| d.holds);
    for last in held
        .filter_map(|d| d.status.as_ref())
        .map(|st| &st.last_attempt)
    {
        s.failures += usize::from(last.result != Outcome::Ok);
        let start = s
            .last_run_started
            .get_or_insert_with(|| last.started.clone());
        if time::parse(&last.started) < time::parse(start) {
            *start = last.started.clone();
        }
        let end = s
            .last_run_finished
            .get_or_insert_with(|| last.finished.clone());
        if time::parse(&last.finished) > time::parse(end) {
            *end = last.finished.clone();
        }
    }
    s
}
