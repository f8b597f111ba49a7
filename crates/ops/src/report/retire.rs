//! "jmirror3 can be retired safely": a drained server every one of whose disks (held per its
//! contract, or with a record in its answer) has a fresh copy made by another server that
//! answered and is not draining itself. A drained server that did not answer counts every
//! disk it is eligible for. A draining server keeps pulling its disks (make-before-break), so
//! its own success is often the newest: each other server's own last success is looked at,
//! not only the newest of the merged disk.

use std::collections::BTreeSet;

use mirrorc_core::contract::report::MergedDisk;

use super::merge::Asked;
use super::time;

/// Names of the drained servers that can go, sorted.
pub fn retirable(asked: &[Asked<'_>], disks: &[MergedDisk], now: i64) -> Vec<String> {
    let mut out: Vec<String> = asked
        .iter()
        .filter(|a| a.contract.state == "drain")
        .filter(|a| {
            let c = a.contract;
            let mut tags: BTreeSet<&str> = c.disks.iter().map(|d| d.tag.as_str()).collect();
            match &a.answer {
                Ok(r) => tags.extend(
                    r.disks
                        .iter()
                        .filter(|d| d.status.is_some())
                        .map(|d| d.tag.as_str()),
                ),
                Err(_) => tags.extend(c.eligible.iter().map(|d| d.tag.as_str())),
            }
            tags.iter().all(|t| {
                disks
                    .iter()
                    .find(|d| d.tag == *t)
                    .is_some_and(|d| fresh_elsewhere(asked, d, &c.server, now))
            })
        })
        .map(|a| a.contract.server.clone())
        .collect();
    out.sort();
    out
}

/// Whether a server other than `server`, not draining, that answered has its own success of
/// `d` within `d`'s max age at `now`.
fn fresh_elsewhere(asked: &[Asked<'_>], d: &MergedDisk, server: &str, now: i64) -> bool {
    asked
        .iter()
        .filter(|a| a.contract.server != server && a.contract.state != "drain")
        .filter_map(|a| a.answer.as_ref().ok())
        .flat_map(|r| r.disks.iter().filter(|x| x.tag == d.tag))
        .filter_map(|x| x.status.as_ref()?.last_success.as_ref())
        .filter(|ok| ok.server != server)
        .filter_map(|ok| time::parse(&ok.finished))
        .any(|t| now.saturating_sub(t) <= d.max_age_seconds as i64)
}
