//! Make-before-break draining. The holders that stay are chosen as if every draining server
//! were gone (so their replacements start copying now), and each draining server keeps
//! exactly the clients it would hold if it alone were set back to `active`. So a client has
//! `copies` non-draining holders plus each draining server that keeps it; retiring a draining
//! server then changes nothing but its own departure.

use super::assign::rank;
use crate::model::{Client, ClientId, Model, ServerId, ServerState};

/// The pins on active servers (pins on draining servers do not count towards `copies`).
pub fn active_pins(model: &Model, pinned: &[ServerId]) -> Vec<ServerId> {
    let active = |s: &&ServerId| model.server(**s).state == ServerState::Active;
    pinned.iter().filter(active).copied().collect()
}

/// The servers that may win the hashing: the active servers of `set` that are not pinned.
pub fn candidates(model: &Model, set: &[ServerId], pinned: &[ServerId]) -> Vec<ServerId> {
    set.iter()
        .copied()
        .filter(|s| model.server(*s).state == ServerState::Active && !pinned.contains(s))
        .collect()
}

/// The draining servers of `set` that keep client `id`: each one pinned to it, or one that
/// would win a place among its holders were it the only draining server set back to active
/// (the same ranking, weights included, that `active` would give). Sorted.
pub fn keepers(
    model: &Model,
    id: ClientId,
    set: &[ServerId],
    pinned: &[ServerId],
) -> Vec<ServerId> {
    let client = model.client(id);
    let needed = (client.copies as usize).saturating_sub(active_pins(model, pinned).len());
    let others = candidates(model, set, pinned);
    set.iter()
        .copied()
        .filter(|s| model.server(*s).state == ServerState::Drain)
        .filter(|d| pinned.contains(d) || would_win(model, &client.name, &others, *d, needed))
        .collect()
}

fn would_win(model: &Model, client: &str, others: &[ServerId], d: ServerId, needed: usize) -> bool {
    let mut with = others.to_vec();
    with.push(d);
    with.sort();
    rank(model, client, &with)
        .into_iter()
        .take(needed)
        .any(|s| s == d)
}

/// The holders of `c` that replace its draining servers: the non-draining holders that would
/// not hold it were every draining server of its set active again. Empty when nothing of `c`
/// is draining. (`explain` marks them "new".)
pub fn takeovers(model: &Model, c: &Client) -> Vec<ServerId> {
    if c.draining.is_empty() {
        return Vec::new();
    }
    let pinned: Vec<ServerId> = c.pinned.clone();
    let mut pool = candidates(model, &c.server_set, &pinned);
    pool.extend(c.draining.iter().filter(|d| !pinned.contains(d)));
    pool.sort();
    let needed = (c.copies as usize).saturating_sub(pinned.len());
    let before = rank(model, &c.name, &pool);
    let before = &before[..needed.min(before.len())];
    c.holders
        .iter()
        .copied()
        .filter(|s| !c.draining.contains(s) && !pinned.contains(s) && !before.contains(s))
        .collect()
}
