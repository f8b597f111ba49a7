//! What a run pulls: a [`Plan`] (the server's source addresses and one [`Pull`] per disk, by
//! tag), read from the server's contract or from its generated LCFG header (both give the
//! same plan), validated as untrusted input, and narrowed by `--only`.

use std::net::IpAddr;

use mirrorc_core::contract::ServerContract;
use mirrorc_lcfg::Resources;

use super::error::RunError;

/// One disk to pull: `rsync://<address or host>:<port>/<tag>/` into `dstdir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    /// rmirror tag = rsync module name; also the status record's file name.
    pub tag: String,
    /// The client by inventory name.
    pub client: String,
    /// The client's fully qualified name (connected to when it has no address).
    pub host: String,
    /// The client's addresses; the first is connected to.
    pub addresses: Vec<String>,
    /// Port of the client's own rsync daemon.
    pub port: u16,
    /// Absolute destination folder on this server.
    pub dstdir: String,
    /// `rsync --checksum`.
    pub checksum: bool,
    /// Deletion safety limit, percent of the mirror's files.
    pub safety_limit: u32,
}

impl Pull {
    /// Where the pull connects: the first address, else the FQDN.
    pub fn connect_to(&self) -> &str {
        self.addresses.first().unwrap_or(&self.host)
    }
}

/// Everything one server's run pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The server's name.
    pub server: String,
    /// Its own addresses; the first is the source address (`rsync --address`).
    pub addresses: Vec<String>,
    /// Its disks, sorted by tag.
    pub pulls: Vec<Pull>,
}

impl Plan {
    /// The plan of a contract written by `compile`.
    pub fn from_contract(c: &ServerContract) -> Result<Plan, RunError> {
        let pulls = c
            .disks
            .iter()
            .map(|d| Pull {
                tag: d.tag.clone(),
                client: d.client.clone(),
                host: d.client_fqdn.clone(),
                addresses: d.client_addresses.clone(),
                port: d.port,
                dstdir: d.dstdir.clone(),
                checksum: d.checksum,
                safety_limit: d.safety_limit,
            })
            .collect();
        checked(c.server.clone(), c.addresses.clone(), pulls)
    }

    /// The plan of `server` from its generated LCFG header (`lcfg/servers/<server>.h`),
    /// parsed, expanded and evaluated by `mirrorc_lcfg`: rmirror's resources plus ours
    /// (`address`, `client_<tag>`, `srcaddr_<tag>`, `srcport_<tag>`).
    pub fn from_lcfg(server: &str, file: &str, text: &str) -> Result<Plan, RunError> {
        let res = evaluate(text).map_err(|message| RunError::Lcfg {
            path: file.to_string(),
            message,
        })?;
        let get = |name: &str| res.get(&("rmirror".to_string(), name.to_string()));
        let missing = |name: String| RunError::Lcfg {
            path: file.to_string(),
            message: format!("no rmirror.{name}"),
        };
        let words = |v: Option<&String>| -> Vec<String> {
            v.map(|v| v.split_whitespace().map(String::from).collect())
                .unwrap_or_default()
        };
        let limit = get("safetylimit").ok_or_else(|| missing("safetylimit".into()))?;
        let safety_limit = limit.parse().map_err(|_| RunError::Lcfg {
            path: file.to_string(),
            message: format!("rmirror.safetylimit `{limit}` is not a number"),
        })?;
        let all_checksum = get("checksum").is_some_and(|v| is_true(v));
        let mut pulls = Vec::new();
        for tag in words(get("disklist")) {
            let one = |field: &str| {
                get(&format!("{field}_{tag}")).ok_or_else(|| missing(format!("{field}_{tag}")))
            };
            // No srcport_ (estate `runner: rmirror`): port 873, where rmirror pulls.
            let port = get(&format!("srcport_{tag}")).map_or("873", String::as_str);
            pulls.push(Pull {
                client: one("client")?.clone(),
                host: one("srchost")?.clone(),
                addresses: words(get(&format!("srcaddr_{tag}"))),
                port: port.parse().map_err(|_| RunError::Lcfg {
                    path: file.to_string(),
                    message: format!("rmirror.srcport_{tag} `{port}` is not a port"),
                })?,
                dstdir: one("dstdir")?.clone(),
                checksum: all_checksum
                    || get(&format!("checksum_{tag}")).is_some_and(|v| is_true(v)),
                safety_limit,
                tag,
            });
        }
        pulls.sort_by(|a, b| a.tag.cmp(&b.tag));
        checked(server.to_string(), words(get("address")), pulls)
    }

    /// Keeps only the disks `only` names (by client or by tag); every name must match.
    pub fn select(mut self, only: &[String]) -> Result<Plan, RunError> {
        if only.is_empty() {
            return Ok(self);
        }
        let known = |n: &String| self.pulls.iter().any(|p| &p.tag == n || &p.client == n);
        if let Some(unknown) = only.iter().find(|n| !known(n)) {
            return Err(RunError::UnknownSelection {
                name: unknown.clone(),
                server: self.server.clone(),
                suggestion: did_you_mean(unknown, &self.pulls),
                known: known_names(&self.pulls),
            });
        }
        self.pulls
            .retain(|p| only.iter().any(|n| n == &p.tag || n == &p.client));
        Ok(self)
    }
}

fn evaluate(text: &str) -> Result<Resources, String> {
    let join = |errors: Vec<mirrorc_lcfg::LcfgError>| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let lines = mirrorc_lcfg::parse(text).map_err(join)?;
    let lines = mirrorc_lcfg::expand_defines(&lines).map_err(join)?;
    mirrorc_lcfg::evaluate(&lines).map_err(join)
}

/// LCFG's accepted true spellings (stored as `yes`).
fn is_true(v: &str) -> bool {
    matches!(v, "yes" | "true" | "on" | "1")
}

/// Every client and tag, sorted, for the "known names" list.
fn known_names(pulls: &[Pull]) -> Vec<String> {
    let mut names: Vec<String> = pulls
        .iter()
        .flat_map(|p| [p.client.clone(), p.tag.clone()])
        .collect();
    names.sort();
    names.dedup();
    names
}

fn did_you_mean(name: &str, pulls: &[Pull]) -> Option<String> {
    known_names(pulls)
        .into_iter()
        .map(|k| (strsim::jaro_winkler(name, &k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Validates what was read (a contract or header is untrusted input): tags usable as file
/// names, absolute dstdirs without `..`, addresses that parse, a non-zero port.
fn checked(server: String, addresses: Vec<String>, pulls: Vec<Pull>) -> Result<Plan, RunError> {
    let bad = |tag: &str, why: String| RunError::BadPull {
        tag: tag.to_string(),
        why,
    };
    for a in &addresses {
        if a.parse::<IpAddr>().is_err() {
            return Err(bad(
                "(server)",
                format!("source address `{a}` is not an IP address"),
            ));
        }
    }
    for p in &pulls {
        if !mirrorc_lcfg::is_valid_tag(&p.tag) {
            return Err(bad(&p.tag, "the tag is not an LCFG tag".into()));
        }
        if !p.dstdir.starts_with('/') || p.dstdir.split('/').any(|c| c == "..") {
            return Err(bad(
                &p.tag,
                format!("dstdir `{}` is not an absolute path", p.dstdir),
            ));
        }
        if p.port == 0 {
            return Err(bad(&p.tag, "port 0".into()));
        }
        if let Some(a) = p.addresses.iter().find(|a| a.parse::<IpAddr>().is_err()) {
            return Err(bad(
                &p.tag,
                format!("client address `{a}` is not an IP address"),
            ));
        }
        let host_ok = !p.host.is_empty()
            && p.host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !host_ok {
            return Err(bad(&p.tag, format!("host `{}` is not a DNS name", p.host)));
        }
    }
    Ok(Plan {
        server,
        addresses,
        pulls,
    })
}
