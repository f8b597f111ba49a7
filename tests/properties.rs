//! Property tests over generated estates, through the whole pipeline (YAML text in,
//! artifacts out): determinism under any file and key order, every client held by exactly
//! `copies` active servers of its set plus its draining keepers, no rsync module ever open,
//! rendezvous stability (adding a server only moves clients onto that server) and
//! make-before-break draining (draining a server only adds holders, only to its clients, and
//! is its retirement plus what it holds when active).

use std::collections::BTreeMap;

use mirrorc_core::model::{Model, ServerState};
use mirrorc_core::source::SourceMap;
use proptest::prelude::*;

/// A generated estate: per site, servers (state index) and clients (paths, copies).
#[derive(Debug, Clone)]
struct Estate {
    sites: Vec<SiteSpec>,
}

#[derive(Debug, Clone)]
struct SiteSpec {
    servers: Vec<u8>,       // 0 active, 1 drain, 2 retired
    clients: Vec<(u8, u8)>, // (paths, copies wanted)
    capacity: bool,
}

fn site_strategy() -> impl Strategy<Value = SiteSpec> {
    (
        prop::collection::vec(
            prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
            1..5,
        ),
        prop::collection::vec((1u8..4, 1u8..3), 0..7),
        any::<bool>(),
    )
        .prop_map(|(servers, clients, capacity)| SiteSpec {
            servers,
            clients,
            capacity,
        })
}

fn estate_strategy() -> impl Strategy<Value = Estate> {
    prop::collection::vec(site_strategy(), 2..5).prop_map(|mut sites| {
        // Every site needs an active server, as it mirrors the previous site.
        for s in &mut sites {
            if !s.servers.contains(&0) {
                s.servers[0] = 0;
            }
        }
        Estate { sites }
    })
}

/// Renders the estate as YAML files; `order` permutes keys, `extra` adds one active server to site 0.
fn render(e: &Estate, reverse_keys: bool, extra: bool) -> Vec<(String, String)> {
    render_as(e, e, reverse_keys, extra)
}

/// [`render`] with the server states of `states` (same shape as `e`); the clients' copies
/// are still capped by `e`'s active servers, so only the states differ.
fn render_as(
    e: &Estate,
    states: &Estate,
    reverse_keys: bool,
    extra: bool,
) -> Vec<(String, String)> {
    let n = e.sites.len();
    let mut files = Vec::new();
    for (i, s) in e.sites.iter().enumerate() {
        let mirror = (i + 1) % n;
        let active = e.sites[mirror].servers.iter().filter(|x| **x == 0).count();
        let s_states = &states.sites[i];
        let mut servers: Vec<String> = s_states.servers.iter().enumerate().map(|(j, st)| {
            let state = ["active", "drain", "retired"][*st as usize];
            let cap = if s.capacity { "    capacity: 100TiB\n" } else { "" };
            format!("  s{i}-m{j}:\n    address: 10.{i}.0.{}\n    store: /srv/mirror {j}\n{cap}    state: {state}\n", j + 1)
        }).collect();
        if extra && i == 0 {
            let cap = if s.capacity {
                "    capacity: 100TiB\n"
            } else {
                ""
            };
            servers.push(format!(
                "  s0-new:\n    address: 10.0.1.1\n    store: /srv/new\n{cap}"
            ));
        }
        let mut clients: Vec<String> = s.clients.iter().enumerate().map(|(j, (paths, copies))| {
            let copies = (*copies as usize).min(active);
            let mut c = format!("  c{i}-{j}.example.org:\n    address: 10.{i}.9.{}\n    copies: {copies}\n    paths:\n", j + 1);
            for p in 0..*paths {
                c += &format!("      p{p}.x: {{ path: \"/data/dir {p}\", size: 1GiB, exclude: [\"tmp/\"] }}\n");
            }
            c
        }).collect();
        if reverse_keys {
            servers.reverse();
            clients.reverse();
        }
        let text = format!(
            "site: site{i}\ndomain: example.org\nmirrored_by: [site{mirror}]\nservers:\n{}clients:\n{}",
            servers.concat(),
            if clients.is_empty() { "  {}\n".to_string() } else { clients.concat() }
        );
        let text = text
            .replace("servers:\n  {}\n", "servers: {}\n")
            .replace("clients:\n  {}\n", "clients: {}\n");
        files.push((format!("site{i}.yaml"), text));
    }
    files
}

fn compile(files: &[(String, String)]) -> mirrorc_core::Compiled {
    let mut sources = SourceMap::default();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    mirrorc_core::build(&sources).expect("emit")
}

fn artifacts(c: &mirrorc_core::Compiled) -> BTreeMap<String, String> {
    let codes: Vec<String> = c.findings.iter().map(|f| f.code()).collect();
    let arts = c
        .artifacts
        .as_ref()
        .unwrap_or_else(|| panic!("estate did not compile: {codes:?}"));
    arts.iter()
        .map(|a| (a.path.clone(), a.content.clone()))
        .collect()
}

/// Every `[module]` section of an rsyncd.conf has a non-empty `hosts allow` and `hosts deny = *`.
fn assert_closed(path: &str, conf: &str) {
    let mut sections: Vec<Vec<&str>> = Vec::new();
    for line in conf.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            sections.push(Vec::new());
        } else if let Some(s) = sections.last_mut() {
            s.push(t);
        }
    }
    for s in &sections {
        let allow = s
            .iter()
            .find_map(|l| l.strip_prefix("hosts allow ="))
            .map(str::trim);
        assert!(
            allow.is_some_and(|a| !a.is_empty()),
            "{path}: module without hosts allow"
        );
        assert!(
            s.contains(&"hosts deny = *"),
            "{path}: module without hosts deny = *"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn same_bytes_for_any_file_and_key_order(e in estate_strategy()) {
        let base = artifacts(&compile(&render(&e, false, false)));
        let mut files = render(&e, true, false);
        files.reverse();
        prop_assert_eq!(base, artifacts(&compile(&files)));
    }

    #[test]
    fn clients_held_by_exactly_copies_servers_of_their_set(e in estate_strategy()) {
        let c = compile(&render(&e, false, false));
        let _ = artifacts(&c);
        let model = c.model.expect("model");
        for client in &model.clients {
            let extra = client.draining.len();
            prop_assert_eq!(client.holders.len(), client.copies as usize + extra, "{}", client.name);
            prop_assert!(!client.server_set.is_empty());
            for s in &client.holders {
                prop_assert!(client.server_set.contains(s));
                let want = match client.draining.contains(s) {
                    true => ServerState::Drain,
                    false => ServerState::Active,
                };
                prop_assert_eq!(model.server(*s).state, want);
            }
            for s in &client.server_set {
                // A draining server holds a client only as one of its `draining` keepers.
                let st = model.server(*s).state;
                prop_assert!(st != ServerState::Drain || client.holders.contains(s) == client.draining.contains(s));
            }
            for s in &client.server_set {
                prop_assert!(model.server(*s).state != mirrorc_core::model::ServerState::Retired);
                prop_assert!(client.mirrored_by.contains(&model.server(*s).site));
            }
        }
    }

    #[test]
    fn no_module_is_ever_open(e in estate_strategy()) {
        for (path, content) in artifacts(&compile(&render(&e, false, false))) {
            if path.starts_with("rsync/") {
                assert_closed(&path, &content);
            }
        }
    }

    #[test]
    fn adding_a_server_moves_clients_only_onto_it(e in estate_strategy()) {
        let before = compile(&render(&e, false, false)).model.expect("model");
        let after = compile(&render(&e, false, true)).model.expect("model");
        for (b, a) in before.clients.iter().zip(&after.clients) {
            prop_assert_eq!(&b.name, &a.name);
            let old: Vec<&str> = b.holders.iter().map(|s| before.server(*s).name.as_str()).collect();
            let new: Vec<&str> = a.holders.iter().map(|s| after.server(*s).name.as_str()).collect();
            for s in &new {
                prop_assert!(old.contains(s) || *s == "s0-new", "{} moved to {} (old {:?})", b.name, s, old);
            }
        }
    }
}

/// Client → holder names, or `None` when the estate does not compile.
fn holders_of(files: &[(String, String)]) -> Option<BTreeMap<String, Vec<String>>> {
    let mut sources = SourceMap::default();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    let model: Model = mirrorc_core::check(&sources).model?;
    let names = |c: &mirrorc_core::model::Client| -> Vec<String> {
        c.holders
            .iter()
            .map(|s| model.server(*s).name.clone())
            .collect()
    };
    Some(
        model
            .clients
            .iter()
            .map(|c| (c.name.clone(), names(c)))
            .collect(),
    )
}

/// `e` with server `j` of site `i` in `state`.
fn with_state(e: &Estate, i: usize, j: usize, state: u8) -> Estate {
    let mut out = e.clone();
    out.sites[i].servers[j] = state;
    out
}

/// Every (site, server) of `e` in state `state`.
fn servers_in(e: &Estate, state: u8) -> Vec<(usize, usize)> {
    let all = e
        .sites
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.servers.iter().enumerate().map(move |(j, st)| (i, j, *st)));
    all.filter(|x| x.2 == state)
        .map(|(i, j, _)| (i, j))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Holders with a server `drain` = holders with it `retired` ∪ (it, where it holds the
    /// client when `active`), for every non-retired server of the estate.
    #[test]
    fn draining_is_retired_plus_what_it_would_hold(e in estate_strategy()) {
        for (i, j) in servers_in(&e, 0).into_iter().chain(servers_in(&e, 1)) {
            let name = format!("s{i}-m{j}");
            let at = |st| holders_of(&render_as(&e, &with_state(&e, i, j, st), false, false));
            let (Some(active), Some(drain), Some(retired)) = (at(0), at(1), at(2)) else {
                continue; // a client would be left short of servers
            };
            for (client, held) in &drain {
                let mut want = retired[client].clone();
                if active[client].contains(&name) {
                    want.push(name.clone());
                }
                want.sort();
                prop_assert_eq!(held, &want, "{} with {} drain", client, name);
            }
        }
    }

    /// Draining an active server is make-before-break: no client loses a holder, clients it
    /// does not hold keep theirs exactly, and it keeps every client it held.
    #[test]
    fn draining_a_server_moves_only_what_must_move(e in estate_strategy()) {
        let Some(before) = holders_of(&render(&e, false, false)) else { return Ok(()) };
        for (i, j) in servers_in(&e, 0) {
            let name = format!("s{i}-m{j}");
            let Some(after) = holders_of(&render_as(&e, &with_state(&e, i, j, 1), false, false)) else {
                continue;
            };
            for (client, old) in &before {
                let new = &after[client];
                prop_assert!(old.iter().all(|s| new.contains(s)), "{} lost a holder: {:?} -> {:?}", client, old, new);
                if !old.contains(&name) {
                    prop_assert_eq!(old, new, "{} moved although {} did not hold it", client, name);
                }
            }
        }
    }
}

#[test]
fn open_module_detector_bites() {
    let result = std::panic::catch_unwind(|| {
        assert_closed(
            "x",
            "[m]\n    path = /x\n    hosts allow =\n    hosts deny = *\n",
        )
    });
    assert!(result.is_err());
}
