//! Server sets and assignment. A client's server set is every non-retired server of its
//! mirroring sites (the client itself excluded); it is held by its active pins, then by the
//! active servers that win weighted rendezvous hashing (see `score`), plus the draining
//! servers that keep it (see `drain`). Then capacity is checked.

use std::collections::BTreeMap;

use super::check::human_size;
use super::error::AnalyzeError;
use super::resolve::{Decl, Decls};
use super::Cx;
use crate::diag::did_you_mean;
use crate::model::{ClientId, Model, ServerId, ServerState};

/// Computes server sets, pins and assignments, then the servers' holdings.
pub fn assign(cx: &mut Cx, model: &mut Model, decls: &Decls<'_>) {
    // Each client's set, pins and choice depend only on the servers: decided in parallel,
    // each with its own findings, then recorded in client order.
    let ids: Vec<ClientId> = (0..model.clients.len() as u32).map(ClientId).collect();
    let decided = crate::par::map(&ids, |id| {
        let mut local = Cx::default();
        let choice = decide(&mut local, model, decls, *id);
        (choice, local)
    });
    for (i, (choice, findings)) in decided.into_iter().enumerate() {
        let Choice {
            server_set: set,
            pinned,
            holders: assigned,
            draining,
            hosts_allow,
        } = choice;
        cx.append(findings);
        for s in &set {
            model.servers[s.0 as usize]
                .eligible
                .push(ClientId(i as u32));
        }
        for s in &assigned {
            model.servers[s.0 as usize].holds.push(ClientId(i as u32));
        }
        let client = &mut model.clients[i];
        (client.server_set, client.pinned, client.holders) = (set, pinned, assigned);
        (client.draining, client.hosts_allow) = (draining, hosts_allow);
    }
}

/// What was decided for one client.
struct Choice {
    /// Every server allowed to pull from it.
    server_set: Vec<ServerId>,
    /// Its pins (a subset of `holders`).
    pinned: Vec<ServerId>,
    /// The servers that hold it (`draining` included).
    holders: Vec<ServerId>,
    /// The draining servers that keep it until they are retired.
    draining: Vec<ServerId>,
    /// The `hosts allow` entries of its server set.
    hosts_allow: Vec<String>,
}

fn decide(cx: &mut Cx, model: &Model, decls: &Decls<'_>, id: ClientId) -> Choice {
    let set = server_set(model, id);
    // An unsure set (a misspelt or undecoded mirroring site) was reported at its cause.
    let unsure = decls.unsure[id.0 as usize];
    if set.is_empty() {
        if !unsure {
            report_empty(cx, model, decls, id);
        }
        return Choice {
            server_set: set,
            pinned: Vec::new(),
            holders: Vec::new(),
            draining: Vec::new(),
            hosts_allow: Vec::new(),
        };
    }
    let pinned = pins(cx, model, decls, id, &set);
    let mut holders = choose(cx, model, decls, id, &set, &pinned);
    let draining = super::drain::keepers(model, id, &set, &pinned);
    holders.extend(draining.iter().copied());
    holders.sort();
    Choice {
        hosts_allow: model.compute_hosts_allow(&set),
        server_set: set,
        pinned,
        holders,
        draining,
    }
}

fn server_set(model: &Model, id: ClientId) -> Vec<ServerId> {
    let client = model.client(id);
    let mut set: Vec<ServerId> = client
        .mirrored_by
        .iter()
        .flat_map(|site| model.site(*site).servers.iter().copied())
        .filter(|s| {
            let s = model.server(*s);
            s.state != ServerState::Retired && s.name != client.name
        })
        .collect();
    set.sort();
    set.dedup();
    set
}

fn report_empty(cx: &mut Cx, model: &Model, decls: &Decls<'_>, id: ClientId) {
    let Decl { file, name, .. } = decls.clients[id.0 as usize];
    let client = model.client(id);
    let help = if client.mirrored_by.is_empty() {
        "set `mirrored_by` on the site or the client: no site mirrors it".to_string()
    } else {
        let sites: Vec<&str> = client
            .mirrored_by
            .iter()
            .map(|s| model.site(*s).name.as_str())
            .collect();
        format!("its mirroring sites ({}) have no active or draining server; add one or mirror it from another site", sites.join(", "))
    };
    cx.err(
        file,
        AnalyzeError::EmptyServerSet {
            client: name.to_string(),
            help,
            span: name.span(),
        },
    );
}

fn pins(
    cx: &mut Cx,
    model: &Model,
    decls: &Decls<'_>,
    id: ClientId,
    set: &[ServerId],
) -> Vec<ServerId> {
    let Decl {
        file,
        name: cname,
        decl,
        ..
    } = decls.clients[id.0 as usize];
    let Some(list) = &decl.pin else {
        return Vec::new();
    };
    let client = model.client(id);
    let mut out = Vec::new();
    for name in list.iter() {
        match model.find_host(name).0 {
            // Declared, but its declaration did not decode: reported there.
            None if decls.undecoded.contains(name.as_str()) => {}
            None => {
                let known: Vec<&str> = model.servers.iter().map(|s| s.name.as_str()).collect();
                cx.err(
                    file,
                    AnalyzeError::UnknownPin {
                        name: name.to_string(),
                        suggestion: did_you_mean(name, &known),
                        known: super::error::known_names(&known),
                        span: name.span(),
                    },
                );
            }
            Some(s) if !set.contains(&s) => {
                let server = model.server(s);
                let help = match server.state {
                    ServerState::Retired => format!("`{}` is retired", server.name),
                    _ => format!("`{}` is in site `{}`, which does not mirror `{}`; add that site to `mirrored_by` or pin another server", server.name, model.site(server.site).name, cname.as_str()),
                };
                cx.err(
                    file,
                    AnalyzeError::PinOutsideServerSet {
                        name: name.to_string(),
                        client: cname.to_string(),
                        help,
                        span: name.span(),
                    },
                );
            }
            Some(s) if !out.contains(&s) => {
                if model.server(s).state == ServerState::Drain {
                    cx.err(
                        file,
                        AnalyzeError::PinToDraining {
                            name: name.to_string(),
                            client: cname.to_string(),
                            span: name.span(),
                        },
                    );
                }
                out.push(s)
            }
            Some(_) => {}
        }
    }
    if out.len() > client.copies as usize && client.copies > 0 {
        cx.err(
            file,
            AnalyzeError::TooManyPins {
                client: cname.to_string(),
                pins: out.len(),
                copies: client.copies,
                span: list.span(),
            },
        );
    }
    out
}

/// The holders that are not draining: the active pins, then the best-ranked active servers
/// up to `copies` (empty, with a finding, when there are too few).
fn choose(
    cx: &mut Cx,
    model: &Model,
    decls: &Decls<'_>,
    id: ClientId,
    set: &[ServerId],
    pinned: &[ServerId],
) -> Vec<ServerId> {
    let client = model.client(id);
    let live_pins = super::drain::active_pins(model, pinned);
    let candidates = super::drain::candidates(model, set, pinned);
    let needed = (client.copies as usize).saturating_sub(live_pins.len());
    if needed > candidates.len() {
        let Decl {
            file, name, decl, ..
        } = decls.clients[id.0 as usize];
        let span = decl.copies.as_ref().map_or(name.span(), |c| c.span());
        let available = candidates.len() + live_pins.len();
        if !decls.unsure[id.0 as usize] {
            cx.err(
                file,
                AnalyzeError::CopiesExceedServers {
                    client: name.to_string(),
                    copies: client.copies,
                    available,
                    span,
                },
            );
        }
        return Vec::new();
    }
    let mut out = live_pins;
    out.extend(
        rank(model, &client.name, &candidates)
            .into_iter()
            .take(needed),
    );
    out.sort();
    out
}

/// Orders candidate servers by weighted rendezvous score, best first. Weights are the
/// capacities when every candidate has one, otherwise equal.
pub fn rank(model: &Model, client: &str, candidates: &[ServerId]) -> Vec<ServerId> {
    let caps: Option<Vec<u64>> = candidates
        .iter()
        .map(|s| model.server(*s).capacity)
        .collect();
    let mut scored: Vec<(f64, &str, ServerId)> = candidates
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let weight = caps.as_ref().map_or(1.0, |c| c[i].max(1) as f64);
            let name = model.server(*s).name.as_str();
            (score(client, name, weight), name, *s)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().map(|x| x.2).collect()
}

/// Weighted rendezvous score `weight / -ln(u)`, `u` in (0, 1] drawn from [`hash`] of the
/// pair. Only IEEE-754 +, -, *, / are used (see [`ln`]), so it is the same on every machine.
pub fn score(client: &str, server: &str, weight: f64) -> f64 {
    let h = hash(client, server);
    let u = ((h >> 11) + 1) as f64 / (1u64 << 53) as f64;
    let minus_ln = -ln(u);
    if minus_ln <= 0.0 {
        return f64::INFINITY;
    }
    weight / minus_ln
}

/// FNV-1a (64-bit) over `client`, a 0xFF separator byte and `server`, then the SplitMix64
/// finalizer to spread the bits. Fixed and documented: changing it moves clients.
pub fn hash(client: &str, server: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in client.bytes().chain([0xFF]).chain(server.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Natural logarithm of `x` in (0, 1] from basic arithmetic only: x = m·2^e with m in
/// [1, 2), ln m = 2·atanh((m-1)/(m+1)) by its series (error below 1e-16).
pub fn ln(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    for k in 0..40 {
        sum += term / (2 * k + 1) as f64;
        term *= s2;
    }
    exp as f64 * LN2 + 2.0 * sum
}

/// Sums path sizes per server and reports servers above 90% (warning) or 100% (error); says
/// when the check is partial (disks without a size) or the weights are equal because some
/// servers have no capacity.
pub fn capacity(cx: &mut Cx, model: &Model, decls: &Decls<'_>) {
    let mut used: BTreeMap<ServerId, u64> = BTreeMap::new();
    // Per server: disks without a size, disks with one.
    let mut unsized_disks: BTreeMap<ServerId, (usize, usize)> = BTreeMap::new();
    for c in &model.clients {
        let size: u64 = c
            .paths
            .iter()
            .filter_map(|p| p.size)
            .fold(0, u64::saturating_add);
        let unsized_here = c.paths.iter().filter(|p| p.size.is_none()).count();
        let sized_here = c.paths.len() - unsized_here;
        for s in &c.holders {
            let e = used.entry(*s).or_default();
            *e = e.saturating_add(size);
            let (u, n) = unsized_disks.entry(*s).or_default();
            (*u, *n) = (*u + unsized_here, *n + sized_here);
        }
    }
    partial_capacity(cx, model, decls, &unsized_disks);
    mixed_capacity(cx, model, decls);
    for (id, used) in used {
        let server = model.server(id);
        let Decl { file, decl, .. } = decls.servers[id.0 as usize];
        let (Some(cap), Some(cap_decl)) = (server.capacity, decl.capacity.as_ref()) else {
            continue;
        };
        let percent = (u128::from(used) * 100 / u128::from(cap.max(1))) as u64;
        let over = used > cap;
        let high = u128::from(used) * 10 >= u128::from(cap) * 9;
        let (name, used, capacity, span) = (
            server.name.clone(),
            human_size(used),
            human_size(cap),
            cap_decl.span(),
        );
        if over {
            cx.err(
                file,
                AnalyzeError::CapacityExceeded {
                    server: name,
                    used,
                    capacity,
                    percent,
                    span,
                },
            );
        } else if high {
            cx.err(
                file,
                AnalyzeError::CapacityHigh {
                    server: name,
                    used,
                    capacity,
                    percent,
                    span,
                },
            );
        }
    }
}

/// One warning per server with a capacity that holds disks with and without a size (the
/// check counts the sized ones only; with no sized disk at all there is no check to trust).
fn partial_capacity(
    cx: &mut Cx,
    model: &Model,
    decls: &Decls<'_>,
    unsized_disks: &BTreeMap<ServerId, (usize, usize)>,
) {
    let partial = unsized_disks.iter().filter(|(_, (u, n))| *u > 0 && *n > 0);
    for (id, (count, _)) in partial {
        let Decl { file, decl, .. } = decls.servers[id.0 as usize];
        let Some(cap) = decl
            .capacity
            .as_ref()
            .filter(|_| model.server(*id).capacity.is_some())
        else {
            continue;
        };
        cx.err(
            file,
            AnalyzeError::UnsizedDisks {
                server: model.server(*id).name.clone(),
                count: *count,
                span: cap.span(),
            },
        );
    }
}

/// One warning when some live servers have a capacity and others not: rendezvous weights are
/// then equal for every set that mixes them.
fn mixed_capacity(cx: &mut Cx, model: &Model, decls: &Decls<'_>) {
    let live: Vec<usize> = (0..model.servers.len())
        .filter(|i| model.servers[*i].state != ServerState::Retired)
        .collect();
    let without: Vec<usize> = live
        .iter()
        .copied()
        .filter(|i| model.servers[*i].capacity.is_none())
        .collect();
    if without.is_empty() || without.len() == live.len() {
        return;
    }
    let names: Vec<&str> = without
        .iter()
        .map(|i| model.servers[*i].name.as_str())
        .collect();
    let Decl { file, name, .. } = decls.servers[without[0]];
    cx.err(
        file,
        AnalyzeError::MixedCapacity {
            servers: super::error::known_names(&names),
            count: without.len(),
            live: live.len(),
            span: name.span(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_std_closely() {
        for x in [1e-300, 1e-9, 0.001, 0.1, 0.3, 0.5, 0.75, 0.999_999, 1.0] {
            let (ours, std) = (ln(x), x.ln());
            assert!(
                (ours - std).abs() <= 1e-13 * std.abs().max(1.0),
                "ln({x}): {ours} vs {std}"
            );
        }
    }

    #[test]
    fn weights_split_clients_in_proportion() {
        // Weighted rendezvous: a server with 3x the capacity wins ~3/4 of the clients.
        let n = 4000;
        let big = (0..n).filter(|i| {
            let c = format!("pc{i:05}");
            score(&c, "big", 3.0) > score(&c, "small", 1.0)
        });
        let share = big.count() as f64 / n as f64;
        assert!((0.72..0.78).contains(&share), "share {share}");
    }

    #[test]
    fn hash_is_fixed() {
        // Golden values: a change here moves clients in every estate (README documents the hash).
        assert_eq!(
            format!("{:016x}", hash("fpc001", "jmirror1")),
            "e40a260113c698a8"
        );
        assert_eq!(
            format!("{:016x}", hash("fpc001", "jmirror2")),
            "99c849fe5cfe2139"
        );
        assert_eq!(format!("{:016x}", hash("", "")), "4f2db50f124040cd");
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(hash("ab", "c"), hash("a", "bc"));
    }
}
