//! `--check-equivalence`: the legacy setup against the compiled imported inventory, host by
//! host: which servers each client admits (legacy hosts-allow vs mirrorc's server set) and
//! which disks each server pulls (legacy disk list vs the paths of the clients it holds).
//! Main type: [`Difference`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use mirrorc_core::model::{Model, ServerState};

/// What the legacy setup does, by host.
#[derive(Debug, Default, Clone)]
pub struct LegacyAccess {
    /// Client → servers admitted by its hosts-allow.
    pub admits: BTreeMap<String, BTreeSet<String>>,
    /// Client → hosts-allow entries that are no mirror server (mirrorc drops them; each was
    /// reported as `import_unknown_host`, they are not part of the comparison).
    pub foreign: BTreeMap<String, BTreeSet<String>>,
    /// Server → disk tags in its disk list.
    pub pulls: BTreeMap<String, BTreeSet<String>>,
}

/// One host that behaves differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The host.
    pub host: String,
    /// `admits` or `pulls`.
    pub what: &'static str,
    /// Items only the legacy setup has.
    pub legacy_only: Vec<String>,
    /// Items only mirrorc has.
    pub mirrorc_only: Vec<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.legacy_only.is_empty() {
            parts.push(format!(
                "{} {} only in the legacy setup",
                self.what,
                self.legacy_only.join(" ")
            ));
        }
        if !self.mirrorc_only.is_empty() {
            parts.push(format!(
                "{} {} only with mirrorc",
                self.what,
                self.mirrorc_only.join(" ")
            ));
        }
        write!(f, "{}: {}", self.host, parts.join("; "))
    }
}

/// Every difference, clients first, each sorted by host name.
pub fn compare(legacy: &LegacyAccess, model: &Model) -> Vec<Difference> {
    let mut admits: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pulls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in &model.clients {
        let set = c
            .server_set
            .iter()
            .map(|id| model.server(*id).name.clone())
            .collect();
        admits.insert(c.name.clone(), set);
    }
    for s in model
        .servers
        .iter()
        .filter(|s| s.state != ServerState::Retired)
    {
        let held = s
            .holds
            .iter()
            .map(|id| model.client(*id))
            .flat_map(|c| c.paths.iter().map(|p| p.tag.clone()));
        pulls.insert(s.name.clone(), held.collect());
    }
    let mut out = differ("admits", &legacy.admits, &admits);
    out.extend(differ("pulls", &legacy.pulls, &pulls));
    out
}

fn differ(
    what: &'static str,
    old: &BTreeMap<String, BTreeSet<String>>,
    new: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Difference> {
    let empty = BTreeSet::new();
    let hosts: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for host in hosts {
        let (o, n) = (
            old.get(host).unwrap_or(&empty),
            new.get(host).unwrap_or(&empty),
        );
        let legacy_only: Vec<String> = o.difference(n).cloned().collect();
        let mirrorc_only: Vec<String> = n.difference(o).cloned().collect();
        if !legacy_only.is_empty() || !mirrorc_only.is_empty() {
            out.push(Difference {
                host: host.clone(),
                what,
                legacy_only,
                mirrorc_only,
            });
        }
    }
    out
}
