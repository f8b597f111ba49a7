//! The versioned files that leave the compiler for the runtime: the per-server contract
//! (`servers/<server>.json`, everything that server's `run` and `report` need), the status
//! records a run writes (`status`), and the report wire format (`report`). One serializer
//! writes each, one reader parses it: read back, they are untrusted input (version checked,
//! size capped, names validated). The Model never leaves the process; these types do.

pub mod report;
pub mod status;

use serde::{Deserialize, Serialize};

/// Version of [`ServerContract`] written by this build.
pub const CONTRACT_VERSION: u32 = 1;

/// Largest contract file read back (a server of a 100,000-client estate is far below this).
pub const MAX_CONTRACT_BYTES: u64 = 64 << 20;

/// Where the contract of `server` lives inside the output folder.
pub fn path(server: &str) -> String {
    format!("servers/{server}.json")
}

/// Everything one server's nightly run and report need, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerContract {
    /// Always [`CONTRACT_VERSION`].
    pub version: u32,
    /// The server's name as in the inventory.
    pub server: String,
    /// Its fully qualified name.
    pub fqdn: String,
    /// Its site.
    pub site: String,
    /// `active`, `drain` or `retired`.
    pub state: String,
    /// Its own addresses: the first is the source address of its pulls (`rsync --address`).
    pub addresses: Vec<String>,
    /// Folder holding its mirrors.
    pub store: String,
    /// Capacity in bytes, when known.
    pub capacity: Option<u64>,
    /// Disks it holds (pulls), by tag.
    pub disks: Vec<Disk>,
    /// Disks whose client admits it but that other servers hold, by tag (for the report).
    pub eligible: Vec<EligibleDisk>,
    /// How the report method reaches this server and judges ages.
    pub report: ReportSettings,
}

/// The estate-wide settings of the report method, as they apply to one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Kerberos realm of the `host/<fqdn>` principals; `None`: no remctl configured.
    pub realm: Option<String>,
    /// Port of the server's remctld.
    pub remctl_port: u16,
    /// The estate's max age in seconds (disks carry their own).
    pub max_age_seconds: u64,
}

/// One disk a server pulls: a client path, served as an rsync module on the client's port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    /// rmirror tag = rsync module name, `<client>_<path tag>`.
    pub tag: String,
    /// The client's name as in the inventory.
    pub client: String,
    /// The client's fully qualified name (what is connected to when it has no address).
    pub client_fqdn: String,
    /// The client's addresses (connected to first when it has exactly one).
    pub client_addresses: Vec<String>,
    /// Port of the client's own rsync daemon.
    pub port: u16,
    /// The path tag as written in the inventory.
    pub path_tag: String,
    /// Absolute path on the client.
    pub path: String,
    /// Where the mirror lives on the server: `<store>/<client>/<path tag>`.
    pub dstdir: String,
    /// Compare by checksum (`rsync --checksum`).
    pub checksum: bool,
    /// Exclude patterns; applied by the client's daemon (its rsyncd.conf), listed for reference.
    pub exclude: Vec<String>,
    /// Deletion safety limit, percent of the mirror's files.
    pub safety_limit: u32,
    /// How many servers hold this client.
    pub copies: u32,
    /// Every server holding it, this one included, by name.
    pub holders: Vec<String>,
    /// Expected size in bytes.
    pub size: Option<u64>,
    /// The client's site.
    pub client_site: String,
    /// Age in seconds after which this disk's mirror is stale.
    pub max_age_seconds: u64,
}

/// A disk the server may pull but does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibleDisk {
    /// rmirror tag.
    pub tag: String,
    /// The client's name.
    pub client: String,
    /// The servers that hold it.
    pub holders: Vec<String>,
}

/// One value as compact JSON (our types always serialize).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A list as JSON with one element per line.
fn lines<T: Serialize>(items: &[T]) -> String {
    if items.is_empty() {
        return "[]".to_string();
    }
    let rows: Vec<String> = items.iter().map(|i| format!("    {}", json(i))).collect();
    format!("[\n{}\n  ]", rows.join(",\n"))
}

/// Why a contract could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// Unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Too large to be a contract.
    #[error(
        "{path}: {size} bytes is larger than any contract ({MAX_CONTRACT_BYTES} bytes at most)"
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
    },
    /// Not JSON of the right shape.
    #[error("{path}: not a mirrorc server contract: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// serde_json's message.
        message: String,
    },
    /// Written by another mirrorc.
    #[error("{path}: contract version {found} is not supported by this mirrorc (it reads version {CONTRACT_VERSION}); recompile with this mirrorc")]
    Version {
        /// The file.
        path: String,
        /// The version in the file.
        found: u64,
    },
}

impl ServerContract {
    /// The contract as written by `compile` (pretty JSON and a newline; deterministic).
    ///
    /// One key per line at the top, one disk per line in the lists: as diffable as pretty
    /// JSON, at about half its size (a server of a large estate is eligible for many disks).
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(256 + 300 * (self.disks.len() + self.eligible.len()));
        out.push_str("{\n");
        let key = |out: &mut String, name: &str, json: String| {
            out.push_str("  \"");
            out.push_str(name);
            out.push_str("\": ");
            out.push_str(&json);
            out.push_str(",\n");
        };
        key(&mut out, "version", json(&self.version));
        key(&mut out, "server", json(&self.server));
        key(&mut out, "fqdn", json(&self.fqdn));
        key(&mut out, "site", json(&self.site));
        key(&mut out, "state", json(&self.state));
        key(&mut out, "addresses", json(&self.addresses));
        key(&mut out, "store", json(&self.store));
        key(&mut out, "capacity", json(&self.capacity));
        key(&mut out, "disks", lines(&self.disks));
        key(&mut out, "eligible", lines(&self.eligible));
        key(&mut out, "report", json(&self.report));
        out.truncate(out.len() - 2);
        out.push_str("\n}\n");
        out
    }

    /// Parses a contract read from `path`, checking the version before the shape.
    pub fn parse(path: &str, text: &str) -> Result<ServerContract, ContractError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ContractError::Malformed {
                path: path.to_string(),
                message: e.to_string(),
            })?;
        let found = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if found != u64::from(CONTRACT_VERSION) {
            return Err(ContractError::Version {
                path: path.to_string(),
                found,
            });
        }
        serde_json::from_value(value).map_err(|e| ContractError::Malformed {
            path: path.to_string(),
            message: e.to_string(),
        })
    }

    /// Reads and parses a contract file (a regular file of bounded size).
    pub fn read(path: &std::path::Path) -> Result<ServerContract, ContractError> {
        let name = path.display().to_string();
        let io = |source| ContractError::Io {
            path: name.clone(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.len() > MAX_CONTRACT_BYTES {
            return Err(ContractError::TooLarge {
                path: name,
                size: meta.len(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        ServerContract::parse(&name, &text)
    }
}
