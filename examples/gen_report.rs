//! Generate a large, synthetic merged estate report (`EstateReport`, the input of
//! `mirrorc status --from`) for the status page's scale benchmark.
//!
//! ```text
//! cargo run --release --example gen_report -- --scale L --out /tmp/report-l.json
//! cargo run --release --example gen_report -- --sites 10 --servers 50 --clients 10000 --paths 5 --out FILE
//! ```
//! Presets as gen_estate's: S = 2 sites, 6 servers, 200 clients x 3 paths; M = 10 sites, 50
//! servers, 10,000 clients x 5 paths; L = 50 sites, 300 servers, 100,000 clients x 5 paths.
//! The report is made at 2026-12-02T06:00:00Z (use `--now 2026-12-02T09:00:00Z`). One server in
//! 100 did not answer (its disks are unknown); of the others' disks about 1% are stale, 0.5%
//! failed, 0.3% skipped by the safety limit and 0.2% never mirrored; every attempt has a
//! message-sized rsync line. A pure function of the arguments (own splitmix64, no clock).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use mirrorc_core::contract::report::{DiskState, EstateReport, MergedDisk, ServerSummary};
use mirrorc_core::contract::status::{Attempt, Outcome};

const GIB: u64 = 1 << 30;
const TAGS: [&str; 8] = [
    "home", "scratch", "group", "data", "www", "backup", "srv", "opt",
];

struct Params {
    sites: usize,
    servers: usize,
    clients: usize,
    paths: usize,
    out: Option<PathBuf>,
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn parse() -> Result<Params, String> {
    let mut p = Params {
        sites: 2,
        servers: 6,
        clients: 200,
        paths: 3,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match a.as_str() {
            "--scale" => match value()?.as_str() {
                "S" => (p.sites, p.servers, p.clients, p.paths) = (2, 6, 200, 3),
                "M" => (p.sites, p.servers, p.clients, p.paths) = (10, 50, 10_000, 5),
                "L" => (p.sites, p.servers, p.clients, p.paths) = (50, 300, 100_000, 5),
                other => return Err(format!("unknown scale {other}")),
            },
            "--sites" => p.sites = num(value()?)?,
            "--servers" => p.servers = num(value()?)?,
            "--clients" => p.clients = num(value()?)?,
            "--paths" => p.paths = num(value()?)?.min(TAGS.len()),
            "--out" => p.out = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if p.sites < 2 || p.servers < p.sites {
        return Err("need 2+ sites and a server per site".into());
    }
    Ok(p)
}

fn attempt(tag: &str, client: &str, server: &str, at: &str, result: Outcome) -> Attempt {
    let message = match result {
        Outcome::Ok => String::new(),
        Outcome::SkippedSafety => {
            "dry run would delete 812 of 1,000 files (81%), over the safety limit of 70%".into()
        }
        _ => format!("rsync: [Receiver] failed to connect to {client}.example.test: Connection refused (111)"),
    };
    Attempt {
        tag: tag.into(),
        client: client.into(),
        server: server.into(),
        started: at.into(),
        finished: at.into(),
        result,
        rsync_exit: Some(if result == Outcome::Failed { 10 } else { 0 }),
        exit_meaning: (result == Outcome::Failed).then(|| "Error in socket I/O".into()),
        files_transferred: Some(120),
        bytes_transferred: Some(3 * GIB),
        files_deleted: Some(0),
        mirror_files: Some(1000),
        would_delete: Some(0),
        message,
    }
}

/// Disk `t` of client `c`; `by_site[s]` are the servers of site `s` (server `i` is in `i % sites`).
fn disk(p: &Params, c: usize, t: usize, by_site: &[Vec<&ServerSummary>]) -> MergedDisk {
    let site = c % p.sites;
    let mirrors = &by_site[(site + 1) % p.sites];
    let holder = mirrors[splitmix(c as u64) as usize % mirrors.len()];
    let client = format!("site{site:02}-pc{c:06}");
    let tag = format!("site{site:02}_pc{c:06}_{}", TAGS[t]);
    let roll = splitmix((c * 8 + t) as u64 ^ 0xA5A5) % 1000;
    let fresh = "2026-12-02T02:00:00Z";
    let old = "2026-11-28T02:00:00Z";
    let h = holder.server.as_str();
    let (state, success, last) = if !holder.answered {
        (DiskState::Unknown, None, None)
    } else {
        match roll {
            0..=9 => (DiskState::Stale, Some(old), Some((old, Outcome::Ok))),
            10..=14 => (DiskState::Failed, Some(old), Some((fresh, Outcome::Failed))),
            15..=17 => (
                DiskState::SkippedSafety,
                Some(old),
                Some((fresh, Outcome::SkippedSafety)),
            ),
            18..=19 => (DiskState::Never, None, Some((fresh, Outcome::Failed))),
            _ => (DiskState::Ok, Some(fresh), Some((fresh, Outcome::Ok))),
        }
    };
    MergedDisk {
        tag: tag.clone(),
        client: client.clone(),
        site: format!("site{site:02}"),
        path: format!("/disk/{}", TAGS[t]),
        holders: vec![h.to_string()],
        state,
        last_success: success.map(|at| attempt(&tag, &client, h, at, Outcome::Ok)),
        last_attempt: last.map(|(at, r)| attempt(&tag, &client, h, at, r)),
        unanswered: if holder.answered {
            vec![]
        } else {
            vec![h.to_string()]
        },
        max_age_seconds: 36 * 3600,
        age_seconds: None,
        last_failure: None,
        reported_by: if holder.answered {
            vec![h.to_string()]
        } else {
            vec![]
        },
        problems: vec![],
    }
}

fn main() -> ExitCode {
    let p = match parse() {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "gen_report: {e}");
            return ExitCode::from(2);
        }
    };
    let servers: Vec<ServerSummary> = (0..p.servers)
        .map(|i| ServerSummary {
            server: format!("site{:02}-m{}", i % p.sites, i / p.sites + 1),
            site: format!("site{:02}", i % p.sites),
            state: "active".into(),
            answered: i % 100 != 7,
            error: (i % 100 == 7).then(|| "timed out after 30 s".into()),
            disks_held: 0,
            failures: 0,
            last_run_started: Some("2026-12-02T01:00:00Z".into()),
            last_run_finished: Some("2026-12-02T04:00:00Z".into()),
            used_bytes: 0,
            capacity: Some(1 << 50),
            asked: true,
        })
        .collect();
    let mut by_site: Vec<Vec<&ServerSummary>> = vec![Vec::new(); p.sites];
    for (i, s) in servers.iter().enumerate() {
        by_site[i % p.sites].push(s);
    }
    let mut disks = Vec::with_capacity(p.clients * p.paths);
    for c in 0..p.clients {
        for t in 0..p.paths {
            disks.push(disk(&p, c, t, &by_site));
        }
    }
    drop(by_site);
    let report = EstateReport {
        version: mirrorc_core::contract::report::REPORT_VERSION,
        generated: "2026-12-02T06:00:00Z".into(),
        max_age_seconds: 36 * 3600,
        servers,
        disks,
        retirable: vec![],
        scope: "all".into(),
    };
    let text = serde_json::to_string(&report).unwrap_or_default();
    let result = match &p.out {
        Some(path) => std::fs::write(path, text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "gen_report: {e}");
            ExitCode::from(2)
        }
    }
}
