//! Why a client is held where it is (`mirrorc explain`'s reasons): its pins, every active
//! candidate of its server set with its weighted rendezvous score and weight (the ranking
//! `analyze::assign` uses, recomputed by the same functions), and every server of its
//! sites that was passed over with the cause; plus its sizes. Pure data.

use serde::Serialize;

use crate::analyze::assign;
use crate::model::{Client, Model, ServerState};

/// The reasons for one client's holders.
#[derive(Debug, Serialize, PartialEq)]
pub struct Why {
    /// Copies wanted.
    pub copies: u32,
    /// Pinned servers (hold it whatever the scores say).
    pub pinned: Vec<String>,
    /// Active, unpinned servers of the set, best score first.
    pub candidates: Vec<Candidate>,
    /// Servers that could not be chosen, with the cause.
    pub excluded: Vec<Excluded>,
    /// Size of each path (`None`: not given), by tag.
    pub sizes: Vec<(String, Option<u64>)>,
    /// Sum of the given sizes.
    pub bytes: u64,
}

/// One candidate of the rendezvous ranking.
#[derive(Debug, Serialize, PartialEq)]
pub struct Candidate {
    /// The server.
    pub server: String,
    /// Its weight: its capacity in bytes when every candidate has one, else 1.
    pub weight: f64,
    /// `weight / -ln(u)`; the highest wins.
    pub score: f64,
    /// Does it hold the client?
    pub chosen: bool,
}

/// A server passed over.
#[derive(Debug, Serialize, PartialEq)]
pub struct Excluded {
    /// The server.
    pub server: String,
    /// `drain` (in the set, takes no new clients), `retired` (not in the set), `self` (the
    /// client itself) or `own_site` (its own site does not mirror it).
    pub cause: &'static str,
}

/// The reasons for `client`'s holders.
pub fn why(model: &Model, client: &Client) -> Why {
    let name = |id: &crate::model::ServerId| model.server(*id).name.clone();
    let candidates: Vec<_> = client
        .server_set
        .iter()
        .copied()
        .filter(|s| model.server(*s).state == ServerState::Active && !client.pinned.contains(s))
        .collect();
    let all_sized = candidates
        .iter()
        .all(|s| model.server(*s).capacity.is_some());
    let ranked = assign::rank(model, &client.name, &candidates)
        .into_iter()
        .map(|s| {
            let server = model.server(s);
            let weight = match (all_sized, server.capacity) {
                (true, Some(c)) => c.max(1) as f64,
                _ => 1.0,
            };
            Candidate {
                server: server.name.clone(),
                weight,
                score: assign::score(&client.name, &server.name, weight),
                chosen: client.holders.contains(&s),
            }
        })
        .collect();
    let mut excluded = Vec::new();
    let mut sites: Vec<_> = client.mirrored_by.clone();
    if !sites.contains(&client.site) {
        sites.push(client.site);
    }
    for site in sites {
        for id in &model.site(site).servers {
            let s = model.server(*id);
            let cause = if s.name == client.name {
                "self"
            } else if !client.mirrored_by.contains(&site) {
                "own_site"
            } else if s.state == ServerState::Retired {
                "retired"
            } else if s.state == ServerState::Drain && !client.pinned.contains(id) {
                "drain"
            } else {
                continue;
            };
            excluded.push(Excluded {
                server: s.name.clone(),
                cause,
            });
        }
    }
    excluded.sort_by(|a, b| a.server.cmp(&b.server));
    excluded.dedup();
    let sizes: Vec<(String, Option<u64>)> = client
        .paths
        .iter()
        .map(|p| (p.tag.clone(), p.size))
        .collect();
    Why {
        copies: client.copies,
        pinned: client.pinned.iter().map(name).collect(),
        candidates: ranked,
        excluded,
        bytes: sizes.iter().filter_map(|(_, s)| *s).sum(),
        sizes,
    }
}

/// The reasons as text, indented under `explain`'s client block.
pub fn render(w: &Why) -> String {
    let mut out = String::from("  why:\n");
    if !w.pinned.is_empty() {
        out += &format!(
            "    pinned to {} (held whatever the scores)\n",
            w.pinned.join(" ")
        );
    }
    let free = (w.copies as usize).saturating_sub(w.pinned.len());
    if !w.candidates.is_empty() {
        out += &format!(
            "    rendezvous ranking, the best {free} of {} hold it (score = weight / -ln(hash)):\n",
            w.candidates.len()
        );
    }
    for c in &w.candidates {
        let mark = if c.chosen { "holds" } else { "     " };
        out += &format!(
            "      {mark} {:<16} score {:>14.6e}  weight {}\n",
            c.server,
            c.score,
            weight_text(c.weight)
        );
    }
    for e in &w.excluded {
        let cause = match e.cause {
            "drain" => "draining: allowed in, takes no new clients",
            "retired" => "retired: not in the server set",
            "self" => "the client itself",
            _ => "the client's own site does not mirror it",
        };
        out += &format!("    passed over {}: {cause}\n", e.server);
    }
    let no_size = w.sizes.iter().filter(|(_, s)| s.is_none()).count();
    out += &format!(
        "    size: {}{}\n",
        crate::analyze::check::human_size(w.bytes),
        match no_size {
            0 => String::new(),
            n => format!(" ({n} path(s) without a size)"),
        }
    );
    out
}

fn weight_text(w: f64) -> String {
    if w == 1.0 {
        "1 (equal: not every candidate has a capacity)".to_string()
    } else {
        crate::analyze::check::human_size(w as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::why;

    /// The ranking's winners are exactly the holders that are not pinned, and every server
    /// of the client's sites is a candidate, a pin or passed over with a cause.
    #[test]
    fn the_best_scores_are_the_holders() {
        for dir in crate::testing::BUNDLED {
            let model = crate::testing::bundled(dir);
            for c in &model.clients {
                let w = why(&model, c);
                let free = c.copies as usize - w.pinned.len();
                let best: Vec<&str> = w.candidates[..free]
                    .iter()
                    .map(|x| x.server.as_str())
                    .collect();
                assert!(
                    w.candidates
                        .iter()
                        .all(|x| x.chosen == best.contains(&x.server.as_str())),
                    "{dir} {}: {w:?}",
                    c.name
                );
                let scores: Vec<f64> = w.candidates.iter().map(|x| x.score).collect();
                assert!(scores.windows(2).all(|p| p[0] >= p[1]), "{scores:?}");
                let set = c.server_set.len();
                let drained = w.excluded.iter().filter(|e| e.cause == "drain").count();
                assert_eq!(
                    set,
                    w.candidates.len() + w.pinned.len() + drained,
                    "{dir} {}",
                    c.name
                );
            }
        }
    }
}
