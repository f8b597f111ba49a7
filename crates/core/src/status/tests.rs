use jiff::Timestamp;

use super::view;
use crate::contract::report::{DiskState, EstateReport, MergedDisk, ServerSummary};
use crate::contract::status::{Attempt, Outcome};

const NOW: &str = "2026-12-02T12:00:00Z";

fn server(name: &str, state: &str, answered: bool) -> ServerSummary {
    ServerSummary {
        server: name.into(),
        site: "jcmb".into(),
        state: state.into(),
        answered,
        error: (!answered).then(|| "timed out after 30 s".into()),
        disks_held: 1,
        failures: 0,
        last_run_started: None,
        last_run_finished: None,
        used_bytes: 3 << 40,
        capacity: Some(12 << 40),
        asked: true,
    }
}

fn attempt(server: &str, finished: &str, result: Outcome) -> Attempt {
    Attempt {
        tag: "t".into(),
        client: "c".into(),
        server: server.into(),
        started: finished.into(),
        finished: finished.into(),
        result,
        rsync_exit: None,
        exit_meaning: None,
        files_transferred: None,
        bytes_transferred: None,
        files_deleted: None,
        mirror_files: None,
        would_delete: None,
        message: String::new(),
    }
}

fn disk(
    client: &str,
    site: &str,
    holder: &str,
    state: DiskState,
    success: Option<&str>,
) -> MergedDisk {
    MergedDisk {
        tag: format!("{client}_home"),
        client: client.into(),
        site: site.into(),
        path: "/disk/home".into(),
        holders: vec![holder.into()],
        state,
        last_success: success.map(|t| attempt(holder, t, Outcome::Ok)),
        last_attempt: success.map(|t| attempt(holder, t, Outcome::Ok)),
        unanswered: vec![],
        max_age_seconds: 0,
        age_seconds: None,
        last_failure: None,
        reported_by: vec![],
        problems: vec![],
    }
}

fn report(servers: Vec<ServerSummary>, disks: Vec<MergedDisk>) -> EstateReport {
    EstateReport {
        version: 1,
        generated: "2026-12-02T06:00:00Z".into(),
        max_age_seconds: 36 * 3600,
        servers,
        disks,
        retirable: vec!["jmirror3".into()],
        scope: "all".into(),
    }
}

/// A small stable dump: summary, then each problem and each site's rows as `state client note`.
#[track_caller]
fn check(report: &EstateReport, expect: &str) {
    let v = view(report, NOW.parse::<Timestamp>().unwrap());
    let c = v.summary;
    let mut out = format!(
        "disks {} ok {} stale {} failed {} skipped {} never {} unknown {}; unanswered {}/{}\n",
        c.disks,
        c.ok,
        c.stale,
        c.failed,
        c.skipped_safety,
        c.never,
        c.unknown,
        v.servers_unanswered,
        v.servers_asked
    );
    for p in &v.problems {
        out += &format!(
            "problem {} {} {:?}\n",
            p.state.as_str(),
            p.client,
            p.note.as_deref().unwrap_or("")
        );
    }
    for s in &v.sites {
        let rows: Vec<String> = s
            .disks
            .iter()
            .map(|d| format!("{}={}", d.client, d.state.as_str()))
            .collect();
        out += &format!(
            "site {} ({} problems): {}\n",
            s.site,
            s.counts.problems(),
            rows.join(" ")
        );
    }
    for s in &v.servers {
        out += &format!(
            "server {} {} {:?}% retirable {:?}\n",
            s.server, s.state, s.used_percent, s.retirable
        );
    }
    assert_eq!(out, expect);
}

#[test]
fn problems_first_worst_first_grouped_by_site() {
    let r = report(
        vec![
            server("jmirror1", "active", true),
            server("jmirror3", "drain", true),
        ],
        vec![
            disk(
                "fpc002",
                "forum",
                "jmirror1",
                DiskState::Stale,
                Some("2026-11-20T01:00:00Z"),
            ),
            disk(
                "fpc001",
                "forum",
                "jmirror1",
                DiskState::Ok,
                Some("2026-12-02T01:00:00Z"),
            ),
            disk("ffs01", "forum", "jmirror1", DiskState::Failed, None),
            disk("afs01", "at", "jmirror3", DiskState::Never, None),
            disk("aws01", "at", "jmirror3", DiskState::SkippedSafety, None),
        ],
    );
    check(
        &r,
        r#"disks 5 ok 1 stale 1 failed 1 skipped 1 never 1 unknown 0; unanswered 0/2
problem failed ffs01 ""
problem skipped_safety aws01 ""
problem never afs01 ""
problem stale fpc002 ""
site at (2 problems): afs01=never aws01=skipped_safety
site forum (2 problems): ffs01=failed fpc001=ok fpc002=stale
server jmirror1 active Some(25)% retirable None
server jmirror3 drain Some(25)% retirable Some(true)
"#,
    );
}

#[test]
fn a_silent_server_never_shows_ok() {
    // The report (wrongly) says ok for a disk whose only holder did not answer; one reported
    // unknown stays unknown; a disk of an answering server is unaffected.
    let r = report(
        vec![
            server("jmirror1", "active", false),
            server("jmirror2", "active", true),
        ],
        vec![
            disk(
                "fpc001",
                "forum",
                "jmirror1",
                DiskState::Ok,
                Some("2026-12-02T01:00:00Z"),
            ),
            disk("fpc002", "forum", "jmirror1", DiskState::Unknown, None),
            disk(
                "fpc003",
                "forum",
                "jmirror2",
                DiskState::Ok,
                Some("2026-12-02T01:00:00Z"),
            ),
        ],
    );
    check(
        &r,
        r#"disks 3 ok 1 stale 0 failed 0 skipped 0 never 0 unknown 2; unanswered 1/2
problem unknown fpc001 "reported ok, but a server concerned did not answer"
problem unknown fpc002 ""
site forum (2 problems): fpc001=unknown fpc002=unknown fpc003=ok
server jmirror1 active Some(25)% retirable None
server jmirror2 active Some(25)% retirable None
"#,
    );
}

#[test]
fn ok_needs_a_readable_fresh_success_as_of_now() {
    let mut second_copy = disk(
        "fpc004",
        "forum",
        "jmirror1",
        DiskState::Ok,
        Some("2026-12-02T01:00:00Z"),
    );
    second_copy.holders.push("jmirror9".into());
    second_copy.unanswered.push("jmirror9".into());
    let r = report(
        vec![server("jmirror1", "active", true)],
        vec![
            // Fresh when the report was made (06:00), older than 36 h at NOW.
            disk(
                "fpc001",
                "forum",
                "jmirror1",
                DiskState::Ok,
                Some("2026-11-30T23:00:00Z"),
            ),
            disk(
                "fpc002",
                "forum",
                "jmirror1",
                DiskState::Ok,
                Some("yesterday"),
            ),
            disk("fpc003", "forum", "jmirror1", DiskState::Ok, None),
            // A second holder did not answer, the one that did shows a fresh copy: ok.
            second_copy,
        ],
    );
    check(
        &r,
        r#"disks 4 ok 1 stale 1 failed 0 skipped 0 never 0 unknown 2; unanswered 0/1
problem unknown fpc002 "reported ok without a readable last success"
problem unknown fpc003 "reported ok without a readable last success"
problem stale fpc001 "reported ok, but the last success is now older than the max age"
site forum (3 problems): fpc001=stale fpc002=unknown fpc003=unknown fpc004=ok
server jmirror1 active Some(25)% retirable None
"#,
    );
}

#[test]
fn view_is_independent_of_input_order() {
    let disks = vec![
        disk("b", "s2", "m", DiskState::Failed, None),
        disk("a", "s1", "m", DiskState::Never, None),
        disk("c", "s1", "m", DiskState::Failed, None),
    ];
    let mut reversed = disks.clone();
    reversed.reverse();
    let now = NOW.parse::<Timestamp>().unwrap();
    let a = view(&report(vec![server("m", "active", true)], disks), now);
    let b = view(&report(vec![server("m", "active", true)], reversed), now);
    assert_eq!(a, b);
}

#[test]
fn a_disks_own_max_age_wins() {
    // 37 h old at NOW: stale against the estate's 36 h, fresh against the disk's own 7 days.
    let mut weekly = disk(
        "fpc001",
        "forum",
        "jmirror1",
        DiskState::Ok,
        Some("2026-11-30T23:00:00Z"),
    );
    weekly.max_age_seconds = 7 * 86_400;
    let daily = disk(
        "fpc002",
        "forum",
        "jmirror1",
        DiskState::Ok,
        Some("2026-11-30T23:00:00Z"),
    );
    let r = report(
        vec![server("jmirror1", "active", true)],
        vec![weekly, daily],
    );
    check(
        &r,
        r#"disks 2 ok 1 stale 1 failed 0 skipped 0 never 0 unknown 0; unanswered 0/1
problem stale fpc002 "reported ok, but the last success is now older than the max age"
site forum (1 problems): fpc001=ok fpc002=stale
server jmirror1 active Some(25)% retirable None
"#,
    );
}
