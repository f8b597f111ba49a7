//! `mirrorc report`: `--server` (one server's own view), `--client` / `--all` (ask every
//! server concerned and merge). Also what remctld runs ([`remote`]). Renders the library's
//! report as text or JSON and picks the exit status: 0 all fresh, 1 anything stale, failed,
//! never mirrored or unknown, or a server not answering, 2 when nobody could be asked.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use mirrorc_core::contract::report::{DiskState, EstateReport, MergedDisk, ServerReport};
use mirrorc_core::contract::status::default_state_dir;
use mirrorc_core::contract::ServerContract;
use mirrorc_ops::exec::Cancel;
use mirrorc_ops::report::transport::Via;
use mirrorc_ops::report::{self, time, Question, Scope, Verdict};

use crate::cli::{Format, ReportArgs};
use crate::exit::ExitStatus;
use crate::print;

/// Where remctld's mirrorc finds its contract unless `MIRRORC_CONTRACT` says otherwise.
pub(crate) const REMOTE_CONTRACT: &str = "/etc/mirrorc/server.json";

/// Runs `report`.
pub(super) fn run(a: ReportArgs) -> io::Result<ExitStatus> {
    if let Some(server) = &a.server {
        return Ok(
            match report::server(
                &a.contract,
                server,
                &state_of(a.state.clone(), server),
                &a.filters,
            ) {
                Ok(view) => {
                    server_view(&view, a.format)?;
                    ExitStatus::Success
                }
                Err(e) => fail(&e.to_string()),
            },
        );
    }
    let Some(via) = via(&a.via, a.timeout) else {
        return Ok(fail(&format!(
            "--via `{}`: expected `remctl` or `dir=PATH`",
            a.via
        )));
    };
    let scope = match (&a.client, a.all) {
        (Some(c), false) => Scope::Client(c.clone()),
        // clap's group makes --server, --client and --all exclusive, and --server returned.
        _ => Scope::All,
    };
    let now = match a.now.as_deref().map(|t| (t, time::parse(t))) {
        None => None,
        Some((_, Some(secs))) => Some(secs),
        Some((t, None)) => return Ok(fail(&format!("--now `{t}`: not an RFC 3339 UTC time"))),
    };
    let q = Question {
        contract_dir: a.contract,
        scope,
        via,
        now,
    };
    let cancel = Cancel::on_signals()?;
    let r = match report::ask(&q, &cancel) {
        Ok(r) => r,
        Err(e) => return Ok(fail(&e.to_string())),
    };
    match a.format {
        Format::Json => print::json(&r)?,
        Format::Text => print::stdout(&render(&r))?,
    }
    Ok(match report::verdict(&r) {
        Verdict::Fresh => ExitStatus::Success,
        Verdict::Problems => ExitStatus::Findings,
        Verdict::NobodyAsked => ExitStatus::Failure,
    })
}

/// What remctld runs: JSON on stdout, exit 0; a refusal on stderr, exit 2.
pub(super) fn remote(args: &[String]) -> ExitStatus {
    let env = |k: &str, d: &str| PathBuf::from(std::env::var_os(k).unwrap_or_else(|| d.into()));
    let contract = env("MIRRORC_CONTRACT", REMOTE_CONTRACT);
    // The state folder `mirrorc run` writes: /var/lib/mirrorc/<server>, the server named by
    // the contract (an unreadable contract is refused by `report::remote` itself).
    let server = ServerContract::read(&contract)
        .map(|c| c.server)
        .unwrap_or_default();
    let state = state_of(
        std::env::var_os("MIRRORC_STATE").map(PathBuf::from),
        &server,
    );
    match report::remote(&contract, &state, args) {
        Ok(view) => match print::stdout(&view.to_text()) {
            Ok(()) => ExitStatus::Success,
            Err(e) => fail(&e.to_string()),
        },
        Err(e) => fail(&e.to_string()),
    }
}

/// The given state folder, else the server's default (`/var/lib/mirrorc/<server>`).
fn state_of(given: Option<PathBuf>, server: &str) -> PathBuf {
    given.unwrap_or_else(|| default_state_dir(server))
}

/// An error (exit 2): text on stderr, or the JSON error document `mirrorc::report_failed`.
fn fail(message: &str) -> ExitStatus {
    print::fail(&print::Failure::new("mirrorc::report_failed", message));
    ExitStatus::Failure
}

/// The transport named by `--via` (`remctl` or `dir=PATH`); also `status`'s.
pub(super) fn via(text: &str, timeout: u64) -> Option<Via> {
    match text {
        "remctl" => Some(Via::Remctl {
            program: "remctl".into(),
            timeout: Duration::from_secs(timeout),
        }),
        _ => text
            .strip_prefix("dir=")
            .filter(|p| !p.is_empty())
            .map(|p| Via::Dir(p.into())),
    }
}

fn server_view(v: &ServerReport, format: Format) -> io::Result<()> {
    if format == Format::Json {
        return print::json(v);
    }
    let mut out = format!("{} ({}): {} disks\n", v.server, v.state, v.disks.len());
    for d in &v.disks {
        let role = if d.holds { "holds" } else { "eligible" };
        let last = match (&d.status, &d.record_error) {
            (_, Some(e)) => format!("bad record: {e}"),
            (None, None) => "never tried".to_string(),
            (Some(s), None) => {
                let a = &s.last_attempt;
                let ok = s
                    .last_success
                    .as_ref()
                    .map_or("never", |x| x.finished.as_str());
                format!(
                    "last {} at {}, last success {ok}",
                    a.result.as_str(),
                    a.finished
                )
            }
        };
        out.push_str(&format!("  {:<24} {role:<8} {last}\n", d.tag));
    }
    print::stdout(&out)
}

/// The merged report for people: disks first (problems named), then every server that did
/// not answer, never-mirrored disks and the retirable servers.
pub(crate) fn render(r: &EstateReport) -> String {
    let answered = r.servers.iter().filter(|s| s.answered).count();
    let mut out = format!(
        "report of {} at {}: {} of {} servers answered\n",
        r.scope,
        r.generated,
        answered,
        r.servers.len()
    );
    for d in &r.disks {
        out.push_str(&disk_line(d));
    }
    for s in r.servers.iter().filter(|s| !s.answered) {
        let why = s.error.as_deref().unwrap_or("no answer");
        out.push_str(&format!(
            "no answer from {} ({}): {why}\n",
            s.server, s.site
        ));
    }
    let never: Vec<&str> = r
        .disks
        .iter()
        .filter(|d| d.state == DiskState::Never)
        .map(|d| d.tag.as_str())
        .collect();
    if !never.is_empty() {
        out.push_str(&format!("never mirrored: {}\n", never.join(" ")));
    }
    for s in &r.retirable {
        out.push_str(&format!("{s} can be retired safely\n"));
    }
    out
}

fn disk_line(d: &MergedDisk) -> String {
    let mut line = format!(
        "{:<14} {} ({}:{}) held by {}",
        d.state.as_str(),
        d.tag,
        d.client,
        d.path,
        d.holders.join(", ")
    );
    if let (Some(s), Some(age)) = (&d.last_success, d.age_seconds) {
        line.push_str(&format!(
            "; last success {} by {} ({} ago, max {})",
            s.finished,
            s.server,
            time::human(age),
            time::human(d.max_age_seconds)
        ));
    }
    if let Some(f) = &d.last_failure {
        let exit = f
            .rsync_exit
            .map_or(String::new(), |c| format!(", rsync exit {c}"));
        line.push_str(&format!(
            "; last {} {} by {}{exit}: {}",
            f.result.as_str(),
            f.finished,
            f.server,
            f.message
        ));
    }
    if !d.unanswered.is_empty() {
        line.push_str(&format!("; no answer from {}", d.unanswered.join(", ")));
    }
    for p in &d.problems {
        line.push_str(&format!("; {p}"));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{parse_from, Command};

    /// `report --server S` without `--state` reads `/var/lib/mirrorc/S`, the folder `run
    /// --server S` writes by default (see `run::tests`); read off the code path, nothing is
    /// written there.
    #[test]
    fn report_server_without_state_reads_the_default_state_dir() {
        let Command::Report(args) = parse_from(&["mirrorc", "report", "--server", "S"]) else {
            panic!("not report");
        };
        let (server, state) = (args.server, args.state);
        assert_eq!(state, None, "no default given to --state by clap");
        let server = server.expect("--server");
        assert_eq!(state_of(state, &server), default_state_dir("S"));
        assert_eq!(default_state_dir("S"), PathBuf::from("/var/lib/mirrorc/S"));
        let given = Some(PathBuf::from("/tmp/x"));
        assert_eq!(state_of(given, "S"), PathBuf::from("/tmp/x"));
    }
}
