//! `hosts-allow/<client>`: the client's hosts-allow value on one line, for firewalls and
//! other tools that want the same access list as the rsync daemon.

use super::Artifact;
use crate::model::{Client, Model};

/// One file per client that has a non-empty list (every client of a valid Model).
pub fn files(model: &Model) -> Vec<Artifact> {
    model.clients.iter().map(|c| file(model, c)).collect()
}

/// `hosts-allow/<client>` of one client.
pub fn file(model: &Model, c: &Client) -> Artifact {
    Artifact {
        path: format!("hosts-allow/{}", c.name),
        content: format!("{}\n", model.hosts_allow(c).join(" ")),
    }
}
