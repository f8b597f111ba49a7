//! `mirrorc report`: the distributed report. No machine holds every mirror's state: each
//! server answers for its own view (`view`, also what remctld runs), and a client (or the
//! status page, `--all`) asks every server concerned in parallel, each with a deadline
//! (`transport`), checks every answer against the contracts (`answer`), and merges them
//! (`merge`, verdicts in `age`, `retire`). Never a silent omission: a server asked that gave
//! no usable answer is in the report with why. Returns data; never prints.

pub mod age;
pub mod answer;
pub mod args;
pub mod merge;
pub mod retire;
pub mod time;
pub mod transport;
pub mod view;

use std::path::{Path, PathBuf};

use mirrorc_core::contract::report::{DiskState, EstateReport, ServerReport};
use mirrorc_core::contract::{ContractError, ServerContract};

use crate::exec::{self, Cancel, Started};
use merge::Asked;
use transport::{NoAnswer, Via, Why};

/// Servers asked at once.
pub const MAX_PARALLEL: usize = 16;

/// Who is asked about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One client: every server of its set, about its disks.
    Client(String),
    /// Every live server, about every disk (rmirror's `-a`).
    All,
}

/// Why there is no report at all (as opposed to a report naming servers that did not answer).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The contracts could not be read.
    #[error("{0}")]
    Contract(#[from] ContractError),
    /// The contract folder could not be listed.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A name refused before anything was asked.
    #[error("{0}")]
    Args(#[from] args::ArgError),
    /// No contract names this client.
    #[error(
        "no server's contract in {dir} names client `{client}`: unknown client, or compile first"
    )]
    UnknownClient {
        /// The contract folder.
        dir: String,
        /// The client.
        client: String,
    },
    /// No contract for this server.
    #[error("no contract for server `{0}` (servers/{0}.json): unknown or retired server, or compile first")]
    UnknownServer(String),
    /// The state folder is missing: a wrong `--state`/`MIRRORC_STATE` would otherwise make
    /// every disk look never mirrored.
    #[error("no state folder {0}: `mirrorc run` creates it on its first night; check --state (or MIRRORC_STATE for remctld)")]
    NoState(String),
}

/// A state folder that is not there is an error, not "nothing was ever mirrored".
fn state_folder(state: &Path) -> Result<(), ReportError> {
    if state.is_dir() {
        Ok(())
    } else {
        Err(ReportError::NoState(state.display().to_string()))
    }
}

/// Every server contract in `<dir>/servers/`, by name. A contract whose file name is not its
/// server is refused.
pub fn load_contracts(dir: &Path) -> Result<Vec<ServerContract>, ReportError> {
    let servers = dir.join("servers");
    let io = |source| ReportError::Io {
        path: servers.display().to_string(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&servers)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let c = ServerContract::read(&p)?;
        let named = args::validate(&[c.server.as_str()]).is_ok();
        if !named || p.file_stem().and_then(|s| s.to_str()) != Some(c.server.as_str()) {
            return Err(ReportError::Contract(ContractError::Malformed {
                path: p.display().to_string(),
                message: format!("the contract of `{}` under another name", c.server),
            }));
        }
        out.push(c);
    }
    Ok(out)
}

/// One server's own view (`report --server NAME`): its contract from `<contract_dir>`.
pub fn server(
    contract_dir: &Path,
    name: &str,
    state: &Path,
    filters: &[String],
) -> Result<ServerReport, ReportError> {
    args::validate(&[name])?;
    args::validate(filters)?;
    let path = contract_dir.join(mirrorc_core::contract::path(name));
    if !path.is_file() {
        return Err(ReportError::UnknownServer(name.to_string()));
    }
    let contract = ServerContract::read(&path)?;
    state_folder(state)?;
    Ok(view::server_view(&contract, state, filters)?)
}

/// What remctld runs: the view of the server whose contract is the file `contract`, over the
/// arguments as they came from the network (checked before the contract is even read).
pub fn remote(contract: &Path, state: &Path, args: &[String]) -> Result<ServerReport, ReportError> {
    args::validate(args)?;
    let contract = ServerContract::read(contract)?;
    state_folder(state)?;
    Ok(view::server_view(&contract, state, args)?)
}

/// A question from a client or about the estate.
#[derive(Debug, Clone)]
pub struct Question {
    /// Folder holding `servers/<server>.json` (the compile output).
    pub contract_dir: PathBuf,
    /// Who is asked.
    pub scope: Scope,
    /// How.
    pub via: Via,
    /// "Now" in seconds since the epoch (tests pin it); `None`: the clock.
    pub now: Option<i64>,
}

/// Asks every server concerned in parallel and merges the answers.
pub fn ask(q: &Question, cancel: &Cancel) -> Result<EstateReport, ReportError> {
    let contracts = load_contracts(&q.contract_dir)?;
    let (chosen, args, label): (Vec<&ServerContract>, Vec<String>, String) = match &q.scope {
        Scope::All => (contracts.iter().collect(), Vec::new(), "all".into()),
        Scope::Client(client) => {
            args::validate(std::slice::from_ref(client))?;
            let set: Vec<&ServerContract> = contracts.iter().filter(|c| knows(c, client)).collect();
            if set.is_empty() {
                return Err(ReportError::UnknownClient {
                    dir: q.contract_dir.display().to_string(),
                    client: client.clone(),
                });
            }
            (set, vec![client.clone()], format!("client {client}"))
        }
    };
    let transport = transport::transport(&q.via);
    let answers = exec::run_all(&chosen, MAX_PARALLEL, cancel, |c| {
        let answer = transport.ask(c, &args, cancel)?;
        answer::check(c, &answer)?;
        Ok(answer)
    });
    let asked: Vec<Asked<'_>> = chosen
        .iter()
        .zip(answers)
        .map(|(c, started)| Asked {
            contract: c,
            answer: match started {
                Started::Ran(r) => r,
                Started::Cancelled | Started::PastDeadline => {
                    Err(NoAnswer::new(Why::CannotAsk, "not asked: interrupted"))
                }
            },
        })
        .collect();
    let wanted = |client: &str| match &q.scope {
        Scope::All => true,
        Scope::Client(c) => c == client,
    };
    let now = q.now.unwrap_or_else(time::now);
    Ok(merge::merge(&asked, wanted, label, now))
}

fn knows(c: &ServerContract, client: &str) -> bool {
    c.disks.iter().any(|d| d.client == client) || c.eligible.iter().any(|d| d.client == client)
}

/// How a merged report ends, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every disk fresh, every server answered.
    Fresh,
    /// A disk stale, failed, never mirrored or unknown, or a server did not answer.
    Problems,
    /// No server could be asked at all.
    NobodyAsked,
}

/// The verdict of `r`.
pub fn verdict(r: &EstateReport) -> Verdict {
    if r.servers.iter().all(|s| !s.asked) {
        return Verdict::NobodyAsked;
    }
    let all_fresh = r.disks.iter().all(|d| d.state == DiskState::Ok);
    if all_fresh && r.servers.iter().all(|s| s.answered) {
        Verdict::Fresh
    } else {
        Verdict::Problems
    }
}

#[cfg(test)]
mod tests;
