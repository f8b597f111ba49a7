//! The summary of `diff` for people and pipelines: what a change does per server (state
//! changes, disks that move and where to, data to copy from the inventory's sizes) and per
//! client (access changes grouped: clients with the same change share one entry), with
//! totals. Computed from the spanning map on disk and the Model compiled now; pure data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::emit::spanning_map::{self, ClientEntry, SpanningMap};
use crate::model::Model;

/// Every change, grouped.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Changes {
    /// Servers something happens to, by name.
    pub servers: Vec<ServerChange>,
    /// Clients grouped by identical access change, largest group first.
    pub clients: Vec<ClientGroup>,
    /// Clients new to the estate.
    pub clients_added: Vec<String>,
    /// Clients no longer in the estate.
    pub clients_removed: Vec<String>,
    /// Disks that get a new holder (each counted once).
    pub disks_to_copy: usize,
    /// Their sizes summed (unsized disks count 0; see `unsized_disks`).
    pub bytes_to_copy: u64,
    /// Disks to copy that have no size in the inventory.
    pub unsized_disks: usize,
}

impl Changes {
    /// Nothing changes in who holds or may pull what.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
            && self.clients.is_empty()
            && self.clients_added.is_empty()
            && self.clients_removed.is_empty()
    }
}

/// What happens to one server.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct ServerChange {
    /// Its name.
    pub server: String,
    /// State before (`None`: a new server).
    pub old_state: Option<String>,
    /// State now (`None`: removed from the inventory).
    pub new_state: Option<String>,
    /// Disks it no longer holds, by the server that takes each over (`""`: none does).
    pub disks_out: BTreeMap<String, usize>,
    /// Disks it newly holds, by the server that held each (`""`: a new copy).
    pub disks_in: BTreeMap<String, usize>,
    /// Bytes of the disks it newly holds (what it must copy).
    pub bytes_in: u64,
    /// Bytes of the disks it no longer holds (what the others must copy).
    pub bytes_out: u64,
    /// Disks it stops pulling when retired after a drain: their other holders have them.
    pub disks_released: usize,
    /// Disks it keeps pulling while draining, now copied by their new holders too
    /// (make-before-break).
    pub disks_kept: usize,
    /// Clients whose `hosts allow` now admits it.
    pub admitted_by: usize,
    /// Clients whose `hosts allow` no longer admits it.
    pub refused_by: usize,
}

/// Clients that change the same way.
#[derive(Debug, Serialize, PartialEq)]
pub struct ClientGroup {
    /// The change, e.g. `hosts allow -jmirror3; held by +jmirror1 -jmirror3`.
    pub change: String,
    /// The clients, by name.
    pub clients: Vec<String>,
}

/// The changes from the spanning map in `out` (none there: everything is new) to `model`.
pub fn changes(out: &Path, model: &Model) -> Changes {
    let old: SpanningMap = std::fs::read_to_string(out.join(spanning_map::PATH))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let new = spanning_map::build(model);
    let sizes = disk_sizes(model);
    between(&old, &new, &sizes)
}

/// Size of each disk (tag) that has one.
fn disk_sizes(model: &Model) -> BTreeMap<String, u64> {
    model
        .clients
        .iter()
        .flat_map(|c| c.paths.iter())
        .filter_map(|p| p.size.map(|s| (p.tag.clone(), s)))
        .collect()
}

/// The changes between two maps; `sizes` by disk tag.
pub fn between(old: &SpanningMap, new: &SpanningMap, sizes: &BTreeMap<String, u64>) -> Changes {
    let mut t = Tally {
        old,
        new,
        sizes,
        servers: BTreeMap::new(),
        out: Changes::default(),
    };
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let names: BTreeSet<&String> = old.clients.keys().chain(new.clients.keys()).collect();
    let empty = empty_entry();
    for name in names {
        let (o, n) = (old.clients.get(name), new.clients.get(name));
        match (o, n) {
            (None, Some(_)) => t.out.clients_added.push(name.clone()),
            (Some(_), None) => t.out.clients_removed.push(name.clone()),
            (Some(o), Some(n)) => {
                if let Some(change) = client_change(o, n) {
                    groups.entry(change).or_default().push(name.clone());
                }
            }
            (None, None) => {}
        }
        let (o, n) = (o.unwrap_or(&empty), n.unwrap_or(&empty));
        t.access(o, n);
        t.holders(o, n);
    }
    for name in old.servers.keys().chain(new.servers.keys()) {
        let now = new.servers.get(name).map(|n| &n.state);
        if old.servers.get(name).map(|o| &o.state) != now {
            t.server(name);
        }
    }
    let mut out = t.out;
    out.servers = t.servers.into_values().collect();
    out.clients = groups
        .into_iter()
        .map(|(change, clients)| ClientGroup { change, clients })
        .collect();
    out.clients.sort_by(|a, b| {
        b.clients
            .len()
            .cmp(&a.clients.len())
            .then(a.change.cmp(&b.change))
    });
    out
}

/// The running totals of [`between`].
struct Tally<'a> {
    old: &'a SpanningMap,
    new: &'a SpanningMap,
    sizes: &'a BTreeMap<String, u64>,
    servers: BTreeMap<String, ServerChange>,
    out: Changes,
}

impl Tally<'_> {
    /// The change record of server `name`, made on first use.
    fn server(&mut self, name: &str) -> &mut ServerChange {
        let (old, new) = (self.old, self.new);
        self.servers
            .entry(name.to_string())
            .or_insert_with(|| ServerChange {
                server: name.to_string(),
                old_state: old.servers.get(name).map(|s| s.state.clone()),
                new_state: new.servers.get(name).map(|s| s.state.clone()),
                ..ServerChange::default()
            })
    }

    /// Servers a client's `hosts allow` now admits, or no longer does.
    fn access(&mut self, o: &ClientEntry, n: &ClientEntry) {
        for s in minus(&n.server_set, &o.server_set) {
            self.server(s).admitted_by += 1;
        }
        for s in minus(&o.server_set, &n.server_set) {
            self.server(s).refused_by += 1;
        }
    }

    /// A client's disks leaving its old holders for its new ones, paired in name order (a new
    /// holder left unpaired is a new copy, an old one left unpaired a copy dropped).
    fn holders(&mut self, o: &ClientEntry, n: &ClientEntry) {
        let disks: Vec<&String> = n.modules.keys().collect();
        let old_disks: Vec<&String> = o.modules.keys().collect();
        let sizes = self.sizes;
        let bytes = |tags: &[&String]| tags.iter().filter_map(|t| sizes.get(*t)).sum::<u64>();
        let gained = minus(&n.holders, &o.holders);
        // A draining holder that goes leaves nothing to copy: the others hold the disks.
        let (released, lost): (Vec<&String>, Vec<&String>) = minus(&o.holders, &n.holders)
            .into_iter()
            .partition(|s| o.draining.contains(s));
        for s in &released {
            self.server(s).disks_released += old_disks.len();
        }
        // A holder that starts draining stays, and its replacement copies from the client.
        let drained: Vec<&String> = minus(&n.draining, &o.draining)
            .into_iter()
            .filter(|s| o.holders.contains(s))
            .collect();
        for s in &drained {
            self.server(s).disks_kept += old_disks.len();
        }
        let replaced: Vec<&String> = lost.iter().chain(&drained).copied().collect();
        for (i, to) in gained.iter().enumerate() {
            let from = replaced.get(i).map_or("", |s| s.as_str());
            let e = self.server(to);
            *e.disks_in.entry(from.to_string()).or_default() += disks.len();
            e.bytes_in += bytes(&disks);
            self.out.disks_to_copy += disks.len();
            self.out.bytes_to_copy += bytes(&disks);
            self.out.unsized_disks += disks.iter().filter(|t| !sizes.contains_key(**t)).count();
        }
        for (i, from) in lost.iter().enumerate() {
            let to = gained.get(i).map_or("", |s| s.as_str());
            let e = self.server(from);
            *e.disks_out.entry(to.to_string()).or_default() += old_disks.len();
            e.bytes_out += bytes(&old_disks);
        }
    }
}

/// A client's change in words (`hosts allow +a -b; held by +c -d`), `None` when none.
fn client_change(o: &ClientEntry, n: &ClientEntry) -> Option<String> {
    let mut parts = Vec::new();
    delta(&mut parts, "hosts allow", &o.server_set, &n.server_set);
    if o.server_set == n.server_set {
        delta(&mut parts, "hosts allow", &o.hosts_allow, &n.hosts_allow);
    }
    if n.draining.is_empty() || (o.holders == n.holders && o.draining == n.draining) {
        delta(&mut parts, "held by", &o.holders, &n.holders);
    } else {
        // `held by jmirror1 (new) + jmirror3 (draining)`.
        let new: Vec<String> = minus(&n.holders, &o.holders).into_iter().cloned().collect();
        let held = crate::explain::holding(&n.holders, &n.draining, &new);
        parts.push(format!("held by {held}"));
        delta(
            &mut parts,
            "no longer held by",
            &minus(&o.holders, &n.holders)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>(),
            &[],
        );
    }
    let (om, nm): (Vec<String>, Vec<String>) = (
        o.modules.keys().cloned().collect(),
        n.modules.keys().cloned().collect(),
    );
    delta(&mut parts, "modules", &om, &nm);
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn delta(parts: &mut Vec<String>, label: &str, old: &[String], new: &[String]) {
    let added = minus(new, old).into_iter().map(|x| format!("+{x}"));
    let removed = minus(old, new).into_iter().map(|x| format!("-{x}"));
    let items: Vec<String> = added.chain(removed).collect();
    if !items.is_empty() {
        parts.push(format!("{label} {}", items.join(" ")));
    }
}

/// The items of `a` not in `b`, in `a`'s order.
fn minus<'a>(a: &'a [String], b: &[String]) -> Vec<&'a String> {
    a.iter().filter(|x| !b.contains(x)).collect()
}

fn empty_entry() -> ClientEntry {
    ClientEntry {
        site: String::new(),
        fqdn: String::new(),
        port: 0,
        copies: 0,
        mirrored_by: Vec::new(),
        server_set: Vec::new(),
        holders: Vec::new(),
        draining: Vec::new(),
        pinned: Vec::new(),
        hosts_allow: Vec::new(),
        modules: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled estate, with `edit` applied to the text of each file.
    fn estate(edit: impl Fn(&str) -> String) -> Model {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../site");
        let mut sources = crate::source::SourceMap::default();
        for f in ["forum.yaml", "jcmb.yaml"] {
            let text = std::fs::read_to_string(dir.join(f)).expect("read");
            sources.add(f, edit(&text));
        }
        crate::check(&sources).model.expect("model")
    }

    /// Draining jmirror1 (compiled for real) is make-before-break: it keeps its disks, their
    /// new holders copy them too (said per server, with the bytes), and the clients say who
    /// is new and who is draining.
    #[test]
    fn draining_a_server_is_summarised_per_server() {
        let before = estate(str::to_string);
        let drained = |t: &str| {
            // jmirror1's own `state: active` (the first after its name) becomes `drain`.
            let at = t.find("  jmirror1:\n").map_or(t.len(), |i| i);
            let (head, tail) = t.split_at(at);
            format!(
                "{head}{}",
                tail.replacen("state: active", "state: drain", 1)
            )
        };
        let after = estate(drained);
        let (old, new) = (spanning_map::build(&before), spanning_map::build(&after));
        let sizes = disk_sizes(&after);
        let changes = between(&old, &new, &sizes);
        let s = changes
            .servers
            .iter()
            .find(|s| s.server == "jmirror1")
            .expect("the drained server");
        assert_eq!(s.old_state.as_deref(), Some("active"), "{changes:?}");
        assert_eq!(s.new_state.as_deref(), Some("drain"));
        assert!(
            s.disks_out.is_empty(),
            "nothing leaves a draining server: {changes:?}"
        );
        let arrived: usize = changes
            .servers
            .iter()
            .flat_map(|s| s.disks_in.get("jmirror1"))
            .sum();
        assert!(s.disks_kept > 0, "{changes:?}");
        assert_eq!(
            s.disks_kept, arrived,
            "every disk it keeps gets a new holder"
        );
        // (site/ drains jmirror3 already: with jmirror1 draining too, jmirror3 would win more
        // clients were it active, so it keeps those as well: more disks to copy than arrive.)
        assert!(changes.disks_to_copy >= arrived);
        let bytes_in: u64 = changes.servers.iter().map(|s| s.bytes_in).sum();
        assert_eq!(bytes_in, changes.bytes_to_copy);
        assert!(changes.bytes_to_copy > 0);
        let moved: usize = changes.clients.iter().map(|g| g.clients.len()).sum();
        assert!(
            moved > 0
                && changes
                    .clients
                    .iter()
                    .any(|g| g.change.contains("(new) + jmirror1 (draining)")),
            "{changes:?}"
        );
        assert_eq!(between(&new, &new, &sizes), Changes::default());
    }
}
