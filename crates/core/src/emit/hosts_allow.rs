//! `hosts-allow/<client>`: the client's hosts-allow value on one line, for firewalls and
//! other tools that want the same access list as the rsync daemon.

use super::Artifact;
use crate::model::Client;

/// `hosts-allow/<client>` of one client whose `hosts allow` entries are `hosts`.
pub fn file(c: &Client, hosts: &[String]) -> Artifact {
    Artifact {
        path: super::Kind::HostsAllow.path(&c.name),
        content: format!("{}\n", hosts.join(" ")),
    }
}
