//! `mirrorc verify`: the installed rsync judges every client rsyncd.conf — as deployed in the
//! compiled tree (`deployed`, read as untrusted input), else as compiled in memory — because
//! rsync's access rules fail open and rsync has no config-test flag. Each config is copied to
//! a scratch folder with only its module paths and pid file pointed there (`remap`), then asked
//! from many source addresses through rsync's "daemon over a remote shell" mode (`rsync`): no
//! sockets, no root. Owns the fan-out over clients; the checks of one client live in `client`.

mod client;
mod command;
pub mod deployed;
mod error;
mod remap;
pub mod remctld;
mod rsync;

use std::io;
use std::path::Path;

pub use client::Config;
use client::Context;
pub use command::{run, Checked, Verified};
pub use error::VerifyError;
use mirrorc_core::emit::{Artifact, Kind};
use mirrorc_core::model::{Client, Model};
pub use rsync::{find_on_path, Rsync};

/// Addresses tried, in order, as "a host in no inventory" (documentation ranges, RFC 5737).
const STRANGERS: [&str; 4] = [
    "192.0.2.254",
    "198.51.100.254",
    "203.0.113.254",
    "10.255.255.254",
];

/// What was checked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// rsyncd.conf files.
    pub configs: usize,
    /// Modules across them.
    pub modules: usize,
    /// rsync requests made.
    pub checks: usize,
    /// remctl configurations read by remctld.
    pub remctl_configs: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.configs += other.configs;
        self.modules += other.modules;
        self.checks += other.checks;
        self.remctl_configs += other.remctl_configs;
    }
}

/// Checks the rsyncd.conf of every client among `artifacts` (as compiled), using `work` as
/// scratch space. Findings come back sorted by client, then in check order.
pub fn verify(
    model: &Model,
    artifacts: &[Artifact],
    rsync: &Rsync,
    work: &Path,
) -> io::Result<(Vec<VerifyError>, Tally)> {
    let by_path: std::collections::BTreeMap<&str, &Artifact> =
        artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    let files: Vec<(&Client, &Artifact)> = model
        .clients
        .iter()
        .filter_map(|c| {
            let path = Kind::RsyncdConf.path(&c.name);
            by_path.get(path.as_str()).map(|a| (c, *a))
        })
        .collect();
    let configs: Vec<Config> = files
        .iter()
        .map(|(client, a)| Config {
            client,
            text: &a.content,
            file: &a.path,
        })
        .collect();
    verify_configs(model, &configs, rsync, work)
}

/// Checks each of `configs` (deployed or compiled) against the inventory's intent.
pub fn verify_configs(
    model: &Model,
    configs: &[Config],
    rsync: &Rsync,
    work: &Path,
) -> io::Result<(Vec<VerifyError>, Tally)> {
    let stranger = stranger(model);
    let cx = Context {
        model,
        rsync,
        stranger,
    };
    let results = mirrorc_core::par::map_min(configs, 2, |c| {
        client::check(&cx, c, &work.join(&c.client.name))
    });
    let mut findings = Vec::new();
    let mut tally = Tally::default();
    for report in results {
        let report = report?;
        findings.extend(report.findings);
        tally.add(report.tally);
    }
    findings.extend(name_only(model, configs));
    Ok((findings, tally))
}

/// One advice per live server known only by name, with the clients it may open: admitting a
/// name needs DNS, so it is not checked (said once per server, not once per client).
fn name_only(model: &Model, configs: &[Config]) -> Vec<VerifyError> {
    let mut out = Vec::new();
    for (i, server) in model.servers.iter().enumerate() {
        if !server.addresses.is_empty() {
            continue;
        }
        let id = mirrorc_core::model::ServerId(i as u32);
        let clients: Vec<&str> = configs
            .iter()
            .filter(|c| c.client.server_set.contains(&id))
            .map(|c| c.client.name.as_str())
            .collect();
        if clients.is_empty() {
            continue;
        }
        out.push(VerifyError::CheckSkipped {
            count: clients.len(),
            clients: mirrorc_core::analyze::error::known_names(&clients),
            server: server.name.clone(),
            fqdn: server.fqdn.clone(),
        });
    }
    out
}

/// Creates a new scratch file with `bytes` and `mode`: `O_CREAT|O_EXCL` (which also refuses a
/// symlink planted at the path, dangling or not) and `O_NOFOLLOW`, so nothing outside the
/// scratch folder is ever written through it.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let nofollow = rustix::fs::OFlags::NOFOLLOW.bits() as i32;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(nofollow)
        .mode(mode)
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    file.write_all(bytes)?;
    // The umask may have cut the mode.
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
}

/// The first stranger address that no host of the estate has.
fn stranger(model: &Model) -> &'static str {
    let taken = |a: &str| {
        model
            .servers
            .iter()
            .any(|s| s.addresses.iter().any(|x| x == a))
            || model
                .clients
                .iter()
                .any(|c| c.addresses.iter().any(|x| x == a))
    };
    STRANGERS
        .iter()
        .copied()
        .find(|a| !taken(a))
        .unwrap_or(STRANGERS[0])
}

#[cfg(test)]
mod tests {
    use mirrorc_core::source::SourceMap;

    #[test]
    fn a_server_known_by_name_is_one_advice_with_its_clients() {
        let mut sources = SourceMap::default();
        sources.add(
            "a.yaml",
            "site: a\nservers:\n  m1: { store: /m }\n  m2: { store: /m, address: 192.0.2.2 }\n",
        );
        let clients: String = (1..=13)
            .map(|i| format!("  c{i:02}: {{ paths: {{ home: /h }} }}\n"))
            .collect();
        sources.add(
            "b.yaml",
            format!("site: b\nmirrored_by: [a]\nclients:\n{clients}"),
        );
        let compiled = mirrorc_core::build(&sources).expect("emit");
        let model = compiled.model.expect("model");
        let artifacts = compiled.artifacts.expect("artifacts");
        let configs: Vec<_> = model
            .clients
            .iter()
            .map(|client| super::Config {
                client,
                text: &artifacts[0].content,
                file: "x.conf",
            })
            .collect();
        let advice: Vec<String> = super::name_only(&model, &configs)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            advice,
            ["not checked: m1 opens the modules of 13 clients only by name (m1)"]
        );
    }
}
