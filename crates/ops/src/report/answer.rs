//! Checks an answer against the contract of the server asked: the right server, only disks
//! that server knows (held or eligible, as the contract says), records naming that disk,
//! client and server, and time stamps that parse. An answer that fails is not used at all
//! (the server counts as not answering, with the reason): a half-trusted answer could show a
//! disk as fresh that is not.

use mirrorc_core::contract::report::ServerReport;
use mirrorc_core::contract::status::Attempt;
use mirrorc_core::contract::ServerContract;

use super::time;
use super::transport::{NoAnswer, Why};

/// `Ok` when `r` is a consistent answer of `c`'s server.
pub fn check(c: &ServerContract, r: &ServerReport) -> Result<(), NoAnswer> {
    let bad = |what: String| Err(NoAnswer::new(Why::Malformed, what));
    if r.server != c.server {
        return bad(format!("answer is from `{}`", short(&r.server)));
    }
    for d in &r.disks {
        let held = c
            .disks
            .iter()
            .find(|x| x.tag == d.tag)
            .map(|x| (&x.client, true));
        let eligible = || {
            c.eligible
                .iter()
                .find(|x| x.tag == d.tag)
                .map(|x| (&x.client, false))
        };
        match held.or_else(eligible) {
            Some((client, holds)) if *client == d.client && holds == d.holds => {}
            _ => {
                return bad(format!(
                    "answer names disk `{}` as its contract does not",
                    short(&d.tag)
                ))
            }
        }
        let Some(s) = &d.status else { continue };
        let attempts = std::iter::once(&s.last_attempt).chain(s.last_success.as_ref());
        let names_ok = s.tag == d.tag && s.client == d.client && s.server == c.server;
        if !names_ok
            || !attempts
                .into_iter()
                .all(|a| attempt_ok(a, &s.tag, &s.client, &c.server))
        {
            return bad(format!(
                "record of `{}` names another disk, client, server or a bad time",
                short(&d.tag)
            ));
        }
    }
    Ok(())
}

fn attempt_ok(a: &Attempt, tag: &str, client: &str, server: &str) -> bool {
    a.tag == tag
        && a.client == client
        && a.server == server
        && time::parse(&a.started).is_some()
        && time::parse(&a.finished).is_some()
}

fn short(s: &str) -> String {
    s.chars()
        .take(60)
        .collect::<String>()
        .escape_debug()
        .to_string()
}
