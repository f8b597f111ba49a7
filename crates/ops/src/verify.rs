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
    Ok((findings, tally))
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
