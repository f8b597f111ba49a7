//! `servers/<server>.json`: the runtime contract of one live server (see `contract`), built
//! from the Model. Deterministic: disks and eligible disks by tag, holders by name.

use super::Artifact;
use crate::contract::{Disk, EligibleDisk, ReportSettings, ServerContract, CONTRACT_VERSION};
use crate::model::{Client, Model, Server};

/// The contract artifact of `s`.
pub fn server(model: &Model, s: &Server) -> Artifact {
    Artifact {
        path: super::Kind::ServerContract.path(&s.name),
        content: build(model, s).to_text(),
    }
}

/// The contract of `s` as data.
pub fn build(model: &Model, s: &Server) -> ServerContract {
    let mut disks = Vec::new();
    let mut eligible = Vec::new();
    for cid in &s.eligible {
        let c = model.client(*cid);
        let holders = names(model, c);
        // `holds` and `eligible` are both in client order, so a lookup in `holds` is enough.
        let holds = s.holds.binary_search(cid).is_ok();
        for p in &c.paths {
            if holds {
                disks.push(Disk {
                    tag: p.tag.clone(),
                    client: c.name.clone(),
                    client_fqdn: c.fqdn.clone(),
                    client_addresses: c.addresses.clone(),
                    port: c.port,
                    path_tag: p.path_tag.clone(),
                    path: p.path.clone(),
                    dstdir: model.dstdir(s, c, p),
                    checksum: p.checksum,
                    exclude: p.exclude.clone(),
                    safety_limit: s.safety_limit,
                    copies: c.copies,
                    holders: holders.clone(),
                    size: p.size,
                    client_site: model.site(c.site).name.clone(),
                    max_age_seconds: model.path_max_age(*cid, &p.path_tag),
                });
            } else {
                eligible.push(EligibleDisk {
                    tag: p.tag.clone(),
                    client: c.name.clone(),
                    holders: holders.clone(),
                });
            }
        }
    }
    disks.sort_by(|a, b| a.tag.cmp(&b.tag));
    eligible.sort_by(|a, b| a.tag.cmp(&b.tag));
    ServerContract {
        version: CONTRACT_VERSION,
        server: s.name.clone(),
        fqdn: s.fqdn.clone(),
        site: model.site(s.site).name.clone(),
        state: s.state.as_str().to_string(),
        addresses: s.addresses.clone(),
        store: s.store.clone(),
        capacity: s.capacity,
        disks,
        eligible,
        report: ReportSettings {
            realm: model.estate.realm.clone(),
            remctl_port: model.estate.remctl_port,
            max_age_seconds: model.estate.max_age_seconds,
        },
    }
}

fn names(model: &Model, c: &Client) -> Vec<String> {
    let mut v: Vec<String> = c
        .holders
        .iter()
        .map(|h| model.server(*h).name.clone())
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use crate::contract::ServerContract;

    /// Every contract of the bundled estates reads back as exactly what was written: the
    /// hand-laid text of `to_text` can neither drop nor garble a field.
    #[test]
    fn contracts_read_back_as_written() {
        for dir in crate::testing::BUNDLED {
            let model = crate::testing::bundled(dir);
            for s in model
                .servers
                .iter()
                .filter(|s| s.state != crate::model::ServerState::Retired)
            {
                let written = super::build(&model, s);
                let text = written.to_text();
                let read = ServerContract::parse("x", &text).expect("parses");
                assert_eq!(read, written, "{dir}: {}", s.name);
                assert!(text.ends_with("}\n") && text.lines().count() > 10, "{text}");
            }
        }
    }
}
