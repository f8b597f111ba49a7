//! Model → Artifacts: every output file as (relative path, bytes), sorted by path. One file
//! per output format, each writing its text with `text::Text`. Pure and
//! deterministic: no I/O, no clock, no hash-map order. Errors here are internal bugs.

pub mod contract;
pub mod hosts_allow;
pub mod lcfg;
pub mod remctl;
pub mod rsyncd;
pub mod spanning_map;
pub mod systemd;
pub mod text;

use crate::model::{Client, Model, Server, ServerState};
use crate::par;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// Full content.
    pub content: String,
}

/// An emitter failure: a broken invariant (never the user's input).
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// A module would have been emitted without a non-empty `hosts allow`.
    #[error("internal error: module `{module}` of `{client}` would be open to every host; refusing to emit it")]
    OpenModule {
        /// Client.
        client: String,
        /// Module.
        module: String,
    },
}

/// Emits every output file of the estate, sorted by path.
pub fn emit(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    emit_chunks(model, usize::MAX, |chunk| {
        out.extend(chunk);
        Ok::<(), EmitError>(())
    })?;
    out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Emits the estate chunk by chunk, so a caller can write and drop each chunk before the next
/// is rendered (a 100,000-client estate is half a gigabyte of text): clients in groups of
/// `chunk`, servers in groups holding about as much ([`server_group`]), the last group with
/// the site headers and the spanning map (built on its own thread meanwhile). Chunks are not
/// in path order; [`emit`] sorts.
pub fn emit_chunks<E: From<EmitError>>(
    model: &Model,
    chunk: usize,
    mut sink: impl FnMut(Vec<Artifact>) -> Result<(), E>,
) -> Result<(), E> {
    let chunk = chunk.max(1);
    std::thread::scope(|scope| {
        let map = scope.spawn(|| spanning_map::file(model));
        let live: Vec<&Server> = model
            .servers
            .iter()
            .filter(|s| s.state != ServerState::Retired)
            .collect();
        for group in live.chunks(server_group(chunk, live.len(), model.clients.len())) {
            let files = par::map_min(group, 2, |s| {
                let remctl = remctl::config(model, s);
                [lcfg::server(model, s), contract::server(model, s)]
                    .into_iter()
                    .chain(remctl)
            });
            sink(files.into_iter().flatten().collect())?;
        }
        let groups: Vec<&[Client]> = model.clients.chunks(chunk).collect();
        for (i, group) in groups.iter().enumerate() {
            let per_client = par::map(group, |c| client_files(model, c));
            let mut arts = Vec::with_capacity(group.len() * 4);
            for files in per_client {
                arts.extend(files?);
            }
            if i + 1 < groups.len() {
                sink(arts)?;
                continue;
            }
            // The last group takes the site headers and the map along, so that they are
            // written beside the client files rather than after them.
            arts.extend(lcfg::sites(model));
            arts.push(par::joined(map));
            return sink(arts);
        }
        let mut rest = lcfg::sites(model);
        rest.push(par::joined(map));
        sink(rest)
    })
}

/// Servers per group: a server's files are about as large as the files of the clients whose
/// disks it holds, so a group holds about `chunk` clients' worth (at 100,000 clients and 300
/// servers a server's contract and header are ~1.8 MB: 4,096 of them at once would be the whole
/// half gigabyte that chunking is there to avoid).
fn server_group(chunk: usize, servers: usize, clients: usize) -> usize {
    (chunk.saturating_mul(servers) / clients.max(1)).clamp(1, chunk)
}

fn client_files(model: &Model, c: &Client) -> Result<[Artifact; 4], EmitError> {
    let hosts = c.hosts_allow.as_slice();
    Ok([
        lcfg::client(model, c, hosts)?,
        rsyncd::config(model, c, hosts)?,
        hosts_allow::file(c, hosts),
        systemd::unit(model, c),
    ])
}

/// The path of every artifact [`emit`] produces, sorted, without rendering anything.
pub fn paths(model: &Model) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(
        model.clients.len() * 4 + model.servers.len() * 2 + model.sites.len() + 1,
    );
    let live = model
        .servers
        .iter()
        .filter(|s| s.state != ServerState::Retired);
    for s in live {
        out.push(Kind::ServerHeader.path(&s.name));
        out.push(Kind::ServerContract.path(&s.name));
        if model.estate.realm.is_some() {
            out.push(Kind::RemctlConfig.path(&s.name));
        }
    }
    for c in &model.clients {
        out.push(Kind::ClientHeader.path(&c.name));
        out.push(Kind::RsyncdConf.path(&c.name));
        out.push(Kind::HostsAllow.path(&c.name));
        out.push(Kind::SystemdUnit.path(&c.name));
    }
    out.extend(model.sites.iter().map(|s| Kind::SiteHeader.path(&s.name)));
    out.push(spanning_map::PATH.to_string());
    out.sort_unstable();
    out
}

/// Every kind of output file and where it goes: the one table of output paths, shared by the
/// emitters, [`paths`] and the operations that look files up (`verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `lcfg/servers/<server>.h`: rmirror resources.
    ServerHeader,
    /// `servers/<server>.json`: the runtime contract.
    ServerContract,
    /// `lcfg/clients/<client>.h`: rmirrorclient resources.
    ClientHeader,
    /// `rsync/<client>.conf`: the client daemon's rsyncd.conf.
    RsyncdConf,
    /// `hosts-allow/<client>`: the hosts-allow value.
    HostsAllow,
    /// `lcfg/sites/<site>.h`: the site lists.
    SiteHeader,
    /// `systemd/<client>/…`: the unit that runs the client's own rsync daemon.
    SystemdUnit,
    /// `remctl/<server>/rmirror`: remctld's configuration of the report method (no dot).
    RemctlConfig,
}

impl Kind {
    /// The relative, `/`-separated path of the file of host or site `name`.
    pub fn path(self, name: &str) -> String {
        match self {
            Kind::ServerHeader => format!("lcfg/servers/{name}.h"),
            Kind::ServerContract => crate::contract::path(name),
            Kind::ClientHeader => format!("lcfg/clients/{name}.h"),
            Kind::RsyncdConf => format!("rsync/{name}.conf"),
            Kind::HostsAllow => format!("hosts-allow/{name}"),
            Kind::SiteHeader => format!("lcfg/sites/{name}.h"),
            Kind::SystemdUnit => systemd::path(name),
            Kind::RemctlConfig => format!("remctl/{name}/{}", remctl::COMMAND),
        }
    }
}

/// An include guard for a generated header, e.g. `MIRRORC_SERVER_JMIRROR1_H`.
pub fn guard(kind: &str, name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("MIRRORC_{kind}_{upper}_H")
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_groups_hold_about_a_client_chunk() {
        assert_eq!(super::server_group(4096, 300, 100_000), 12);
        assert_eq!(super::server_group(4096, 50, 10_000), 20);
        assert_eq!(super::server_group(4096, 6, 200), 122);
        assert_eq!(super::server_group(4096, 5, 0), 4096);
        assert_eq!(super::server_group(4096, 1, 1_000_000), 1);
        assert_eq!(
            super::server_group(usize::MAX, 300, 100_000),
            usize::MAX / 100_000
        );
    }

    #[test]
    fn paths_are_exactly_the_emitted_paths() {
        for dir in crate::testing::BUNDLED {
            let model = crate::testing::bundled(dir);
            let emitted: Vec<String> = super::emit(&model)
                .expect("emit")
                .into_iter()
                .map(|a| a.path)
                .collect();
            assert_eq!(super::paths(&model), emitted, "{dir}");
        }
    }
}
