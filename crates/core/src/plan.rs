//! `mirrorc plan`: the questions asked before a change. Capacity and balance per server
//! (disks, clients, bytes held against capacity, the spread within each site), and with
//! `--without SERVER|SITE...` what losing them would do, resolved with the same rendezvous
//! hashing `compile` uses (`analyze::simulate`): clients left with no server, clients below
//! their `copies`, servers pushed over capacity, and how much data would move. Returns data.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{did_you_mean, Finding};
use crate::model::{Client, Model, ServerId, ServerState};
use crate::source::SourceMap;

/// Version of the JSON form of [`Plan`].
pub const PLAN_VERSION: u32 = 1;

/// Capacity, balance and (with `without`) the losses.
#[derive(Debug, Serialize)]
pub struct Plan {
    /// Always [`PLAN_VERSION`].
    pub version: u32,
    /// Per live server, by name.
    pub servers: Vec<ServerLoad>,
    /// Per site with live servers: max ÷ mean of the bytes its active servers hold.
    pub imbalance: BTreeMap<String, f64>,
    /// Disks without a `size` (capacity figures leave them out).
    pub unsized_disks: usize,
    /// What losing the named servers and sites would do (`None`: nothing named).
    pub without: Option<Loss>,
}

/// One server's load.
#[derive(Debug, Serialize)]
pub struct ServerLoad {
    /// Name.
    pub server: String,
    /// Site.
    pub site: String,
    /// `active` or `drain`.
    pub state: &'static str,
    /// Clients held.
    pub clients: usize,
    /// Disks held.
    pub disks: usize,
    /// Bytes held (sized disks only).
    pub bytes: u64,
    /// Capacity, when known.
    pub capacity: Option<u64>,
    /// Bytes ÷ capacity in percent, when known.
    pub percent: Option<u64>,
}

/// What a loss would do.
#[derive(Debug, Serialize)]
pub struct Loss {
    /// The servers lost (sites expanded), by name.
    pub lost: Vec<String>,
    /// Clients with no server left in their set: nothing may mirror them (exit 1).
    pub no_server: Vec<String>,
    /// Clients whose server set keeps only draining servers: nothing would hold them (exit 1).
    pub unheld: Vec<String>,
    /// Clients held by fewer servers than their `copies`: `(client, held, copies)`.
    pub below_copies: Vec<(String, usize, u32)>,
    /// Clients that move, with their new holders.
    pub moves: Vec<Move>,
    /// Bytes to copy to new holders (sized disks only).
    pub bytes_to_copy: u64,
    /// Servers over capacity afterwards.
    pub over_capacity: Vec<ServerLoad>,
}

/// One client that gets a new holder.
#[derive(Debug, Serialize)]
pub struct Move {
    /// The client.
    pub client: String,
    /// Holders before.
    pub from: Vec<String>,
    /// Holders after.
    pub to: Vec<String>,
    /// Bytes to copy (its sized disks, per new holder).
    pub bytes: u64,
}

/// Why a plan could not be made.
#[derive(Debug)]
pub enum PlanError {
    /// The inventory has errors.
    Findings(Vec<Finding>),
    /// Names in `--without` that are neither a server nor a site: `(name, suggestion)`.
    Unknown(Vec<(String, Option<String>)>),
}

impl Loss {
    /// Would any client be left unmirrored?
    pub fn loses_clients(&self) -> bool {
        !self.no_server.is_empty() || !self.unheld.is_empty()
    }
}

/// Plans the estate of `sources`, optionally without the named servers and sites.
pub fn plan(sources: &SourceMap, without: &[String]) -> Result<Plan, PlanError> {
    let (ast, mut findings) = crate::syntax::parse(sources);
    let parsed = !crate::diag::has_errors(&findings);
    let (model, more) = crate::analyze::analyze(&ast);
    findings.extend(more);
    let Some(model) = model.filter(|_| parsed) else {
        return Err(PlanError::Findings(findings));
    };
    let lost = lost_servers(&model, without)?;
    let servers = loads(&model);
    let mut plan = Plan {
        version: PLAN_VERSION,
        imbalance: imbalance(&model, &servers),
        servers,
        unsized_disks: model
            .clients
            .iter()
            .flat_map(|c| &c.paths)
            .filter(|p| p.size.is_none())
            .count(),
        without: None,
    };
    if !lost.is_empty() {
        let (after, _) = crate::analyze::simulate(&ast, &lost);
        plan.without = Some(loss(&model, &after, &lost));
    }
    Ok(plan)
}

/// Server ids named directly or through their site; unknown names are an error.
fn lost_servers(model: &Model, names: &[String]) -> Result<Vec<ServerId>, PlanError> {
    let mut lost = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        if let (Some(id), _) = model.find_host(name) {
            lost.push(id);
        } else if let Some(site) = model.sites.iter().find(|s| &s.name == name) {
            lost.extend(site.servers.iter().copied());
        } else {
            let known: Vec<&str> = model
                .servers
                .iter()
                .map(|s| s.name.as_str())
                .chain(model.sites.iter().map(|s| s.name.as_str()))
                .collect();
            unknown.push((name.clone(), did_you_mean(name, &known)));
        }
    }
    if !unknown.is_empty() {
        return Err(PlanError::Unknown(unknown));
    }
    lost.sort();
    lost.dedup();
    Ok(lost)
}

fn size(c: &Client) -> u64 {
    c.paths
        .iter()
        .filter_map(|p| p.size)
        .fold(0, u64::saturating_add)
}

fn loads(model: &Model) -> Vec<ServerLoad> {
    model
        .servers
        .iter()
        .filter(|s| s.state != ServerState::Retired)
        .map(|s| {
            let clients: Vec<&Client> = s.holds.iter().map(|c| model.client(*c)).collect();
            let bytes = clients.iter().map(|c| size(c)).fold(0, u64::saturating_add);
            ServerLoad {
                server: s.name.clone(),
                site: model.site(s.site).name.clone(),
                state: s.state.as_str(),
                clients: clients.len(),
                disks: clients.iter().map(|c| c.paths.len()).sum(),
                bytes,
                capacity: s.capacity,
                percent: s
                    .capacity
                    .filter(|c| *c > 0)
                    .map(|c| (u128::from(bytes) * 100 / u128::from(c)) as u64),
            }
        })
        .collect()
}

fn imbalance(model: &Model, loads: &[ServerLoad]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for site in &model.sites {
        let held: Vec<u64> = loads
            .iter()
            .filter(|l| l.site == site.name && l.state == "active")
            .map(|l| l.bytes)
            .collect();
        let total: u64 = held.iter().sum();
        if held.is_empty() || total == 0 {
            continue;
        }
        let mean = total as f64 / held.len() as f64;
        let max = held.iter().copied().max().unwrap_or(0) as f64;
        out.insert(site.name.clone(), (max / mean * 100.0).round() / 100.0);
    }
    out
}

fn loss(before: &Model, after: &Model, lost: &[ServerId]) -> Loss {
    let names = |m: &Model, ids: &[ServerId]| -> Vec<String> {
        ids.iter().map(|s| m.server(*s).name.clone()).collect()
    };
    let mut out = Loss {
        lost: names(before, lost),
        no_server: Vec::new(),
        unheld: Vec::new(),
        below_copies: Vec::new(),
        moves: Vec::new(),
        bytes_to_copy: 0,
        over_capacity: Vec::new(),
    };
    for (b, a) in before.clients.iter().zip(&after.clients) {
        if a.server_set.is_empty() {
            out.no_server.push(a.name.clone());
            continue;
        }
        // A draining holder is on its way out: it does not count towards `copies`.
        let live = a.holders.len() - a.draining.len();
        if live == 0 {
            out.unheld.push(a.name.clone());
        } else if live < a.copies as usize {
            out.below_copies.push((a.name.clone(), live, a.copies));
        }
        let new: Vec<&ServerId> = a
            .holders
            .iter()
            .filter(|s| !b.holders.contains(s))
            .collect();
        if !new.is_empty() {
            let bytes = size(a).saturating_mul(new.len() as u64);
            out.bytes_to_copy = out.bytes_to_copy.saturating_add(bytes);
            out.moves.push(Move {
                client: a.name.clone(),
                from: names(before, &b.holders),
                to: names(after, &a.holders),
                bytes,
            });
        }
    }
    out.over_capacity = loads(after)
        .into_iter()
        .filter(|l| l.percent.is_some_and(|p| p > 100))
        .collect();
    out
}
