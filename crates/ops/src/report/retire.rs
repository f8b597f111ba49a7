//! "jmirror3 can be retired safely": a drained server every one of whose disks (held per its
//! contract, or with a record in its answer) has a fresh copy made by another server. A
//! drained server that did not answer counts every disk it is eligible for.

use std::collections::BTreeSet;

use mirrorc_core::contract::report::MergedDisk;

use super::age;
use super::merge::Asked;

/// Names of the drained servers that can go, sorted.
pub fn retirable(asked: &[Asked<'_>], disks: &[MergedDisk]) -> Vec<String> {
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
                    .is_some_and(|d| age::fresh_elsewhere(d, &c.server))
            })
        })
        .map(|a| a.contract.server.clone())
        .collect();
    out.sort();
    out
}
