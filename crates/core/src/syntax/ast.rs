//! The inventory as written: one `SiteFile` per YAML document, names still strings, every
//! value with its span. Plain data, built by `decode.rs` (the serde derives only feed
//! `schemars`, whose schema is `mirrorc schema`); no checks beyond YAML shape and types
//! happen here (those belong to `analyze`).

use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::source::{FileId, Sp};

/// Every parsed file of the estate, in input order.
#[derive(Debug, Default)]
pub struct Ast {
    /// One entry per file that parsed.
    pub files: Vec<(FileId, SiteFile)>,
}

/// One site: a YAML file of the inventory.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "mirrorc site inventory",
    description = "One site (building) of an rsync mirror estate."
)]
pub struct SiteFile {
    /// Site name, `^[a-z][a-z0-9_-]*$`, unique in the estate.
    pub site: Sp<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<Sp<String>>,
    /// DNS domain appended to host names that have no dot.
    #[serde(default)]
    pub domain: Option<Sp<String>>,
    /// Sites whose servers mirror this site's clients (the default for its clients).
    #[serde(default)]
    pub mirrored_by: Option<Sp<Vec<Sp<String>>>>,
    /// Defaults for this site's clients and servers.
    #[serde(default)]
    pub defaults: Option<Defaults>,
    /// Mirror servers of this site, by host name.
    #[serde(default)]
    pub servers: IndexMap<Sp<String>, ServerDecl>,
    /// Clients of this site, by host name.
    #[serde(default)]
    pub clients: IndexMap<Sp<String>, ClientDecl>,
    /// Estate-wide settings (Kerberos realm, remctl port, max age, mirrorc path); in at most
    /// one file of the estate.
    #[serde(default)]
    pub estate: Option<Sp<EstateDecl>>,
    /// What did not decode (not part of the schema).
    #[serde(skip)]
    #[schemars(skip)]
    pub partial: Partial,
}

/// The parts of a file that are present but did not decode: analysis treats them as
/// unknown-but-present, so references to them raise nothing more.
#[derive(Debug, Default, Clone)]
pub struct Partial {
    /// `site:` is missing or not a name (the file's `site` is then empty).
    pub site: bool,
    /// The site's `mirrored_by` is there but not a list of names.
    pub mirrored_by: bool,
    /// The file's top level has an unknown key (a misspelt `servers:` would hide servers).
    pub top_level: bool,
    /// Servers whose declaration has a problem, by name.
    pub servers: Vec<Sp<String>>,
    /// Clients whose declaration has a problem, by name.
    pub clients: Vec<Sp<String>>,
}

/// Estate-wide settings of the report method (remctl + Kerberos) and the runtime.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EstateDecl {
    /// Kerberos realm of the hosts' `host/<fqdn>` principals, e.g. `INF.ED.AC.UK`; without it
    /// no remctl configuration is generated.
    #[serde(default)]
    pub realm: Option<Sp<String>>,
    /// Port remctld listens on (default 4373).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub remctl_port: Option<Sp<u16>>,
    /// Age after which a mirror counts as stale, e.g. `36h`, `2d`, `1d12h` (default 36h).
    #[serde(default)]
    pub max_age: Option<Sp<String>>,
    /// Absolute path of the mirrorc binary on the servers, run by remctld (default
    /// `/usr/bin/mirrorc`).
    #[serde(default)]
    pub mirrorc: Option<Sp<String>>,
    /// What pulls the disks: `mirrorc` (default; `mirrorc run` honours `srcport_<tag>`) or
    /// `rmirror` (the original LCFG component, which pulls `srchost::<tag>` on port 873: no
    /// `srcport_` is written and port 873 is accepted without a warning).
    #[serde(default)]
    pub runner: Option<Sp<crate::model::Runner>>,
    /// `pid file` of each client's own rsync daemon (default
    /// `/run/rmirrorclient-rsyncd.pid`).
    #[serde(default)]
    pub pid_file: Option<Sp<String>>,
    /// `lock file` of each client's own rsync daemon, used by `max connections` (default
    /// `/run/rmirrorclient-rsyncd.lock`, written only when a module limits connections).
    #[serde(default)]
    pub lock_file: Option<Sp<String>>,
    /// User the client's daemon reads the mirrored files as (default `root`: a mirror must
    /// read every file; a less privileged user mirrors only what it can read).
    #[serde(default)]
    pub uid: Option<Sp<String>>,
    /// Group the client's daemon reads the mirrored files as (default `root`).
    #[serde(default)]
    pub gid: Option<Sp<String>>,
}

/// Site-wide defaults.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Port of the client's own rsync daemon (default 8873; not 873, the system rsync's).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub port: Option<Sp<u16>>,
    /// How many servers hold each client (default 1).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub copies: Option<Sp<u32>>,
    /// rmirror's deletion safety limit in percent (default 70).
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub safety_limit: Option<Sp<u32>>,
    /// Age after which this site's clients' mirrors are stale, e.g. `36h` (default: the
    /// estate's `max_age`).
    #[serde(default)]
    pub max_age: Option<Sp<String>>,
    /// Extra rsyncd.conf module parameters of this site's clients' modules (a client's or a path's own win, key by key).
    #[serde(default)]
    pub rsync: Option<Sp<RsyncDecl>>,
}

/// A mirror server.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerDecl {
    /// IPv4/IPv6 address(es), used in the clients' `hosts allow`.
    #[serde(default)]
    pub address: Option<Sp<Addresses>>,
    /// Absolute folder holding the mirrors: dstdir = `<store>/<client>/<path tag>`.
    pub store: Sp<String>,
    /// Disk space for mirrors, e.g. `8TiB`.
    #[serde(default)]
    pub capacity: Option<Sp<Size>>,
    /// `active` (default: in its clients' server sets and `hosts allow`, takes assignments),
    /// `drain` (make-before-break: still in every server set and `hosts allow`, keeps pulling
    /// exactly the clients it would hold if active, while every other holder is chosen as if
    /// it were gone, so those clients have one extra holder until it is retired) or `retired`
    /// (in no server set and no `hosts allow`, holds nothing, no header or contract).
    #[serde(default)]
    pub state: Option<Sp<crate::model::ServerState>>,
}

/// A client whose paths are mirrored.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientDecl {
    /// IPv4/IPv6 address(es); the client's rsync daemon binds to a single one.
    #[serde(default)]
    pub address: Option<Sp<Addresses>>,
    /// Overrides the site's `mirrored_by`.
    #[serde(default)]
    pub mirrored_by: Option<Sp<Vec<Sp<String>>>>,
    /// Overrides the site's default number of copies.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub copies: Option<Sp<u32>>,
    /// Servers that must hold this client.
    #[serde(default)]
    pub pin: Option<Sp<Vec<Sp<String>>>>,
    /// Overrides the site's default daemon port.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub port: Option<Sp<u16>>,
    /// Overrides the site's `max_age`, e.g. `12h`.
    #[serde(default)]
    pub max_age: Option<Sp<String>>,
    /// Extra rsyncd.conf module parameters of this client's modules (over the site's; a path's own win, key by key).
    #[serde(default)]
    pub rsync: Option<Sp<RsyncDecl>>,
    /// Path tag → path, or a table with `path`, `size`, `exclude`, `checksum`.
    #[serde(default)]
    pub paths: IndexMap<Sp<String>, Sp<PathDecl>>,
}

/// One or more addresses.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum Addresses {
    /// A single address.
    One(String),
    /// Several addresses.
    Many(Vec<Sp<String>>),
}

impl<'de> Deserialize<'de> for Addresses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Addresses;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an address or a list of addresses")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Addresses, E> {
                Ok(Addresses::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Addresses, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element::<Sp<String>>()? {
                    out.push(x);
                }
                Ok(Addresses::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A size such as `300GiB`, `8TB` or a plain number of bytes (units are checked by `mirrorc check`).
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum Size {
    /// Text with a unit.
    Text(String),
    /// Bytes.
    Bytes(u64),
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a size such as 300GiB or a number of bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                Ok(Size::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size::Bytes(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size::Bytes)
                    .map_err(|_| E::custom("a size cannot be negative"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A path: plain text, or a table with details.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum PathDecl {
    /// Just the absolute path.
    Plain(String),
    /// The path with size, excludes and checksum.
    Table(Box<PathTable>),
}

/// The table form of a path.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathTable {
    /// Absolute path on the client.
    pub path: Sp<String>,
    /// Expected size, counted against the servers' capacity.
    #[serde(default)]
    pub size: Option<Sp<Size>>,
    /// rsync exclude patterns applied by the client's daemon.
    #[serde(default)]
    pub exclude: Vec<Sp<String>>,
    /// Compare by checksum (rsync `--checksum`).
    #[serde(default)]
    pub checksum: Option<Sp<bool>>,
    /// Overrides the client's `max_age` for this path, e.g. `8d` for a weekly one.
    #[serde(default)]
    pub max_age: Option<Sp<String>>,
    /// Extra rsyncd.conf module parameters of this path's module (over the client's and the site's, key by key).
    #[serde(default)]
    pub rsync: Option<Sp<RsyncDecl>>,
}

impl<'de> Deserialize<'de> for PathDecl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PathDecl;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path or a table with `path`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PathDecl, E> {
                Ok(PathDecl::Plain(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PathDecl, A::Error> {
                PathTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| PathDecl::Table(Box::new(t)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Extra rsyncd.conf module parameters: an allowlist, each with its type. Parameters that
/// touch access (`hosts allow`, `read only`, `uid`, `path`, ...) are not accepted here.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RsyncDecl {
    /// `timeout`: seconds of I/O silence after which the daemon drops a pull (0: none).
    #[serde(default)]
    pub timeout: Option<Sp<u32>>,
    /// `max connections`: pulls of this module at once (0: unlimited); counted in the
    /// estate's `lock_file`.
    #[serde(default)]
    pub max_connections: Option<Sp<u32>>,
    /// `refuse options`: rsync options the daemon refuses, e.g. `[delete, compress]`.
    #[serde(default)]
    pub refuse_options: Option<Sp<Vec<Sp<String>>>>,
    /// `filter`: daemon filter rules, each `- PATTERN` or `+ PATTERN` (no spaces in a pattern).
    #[serde(default)]
    pub filter: Option<Sp<Vec<Sp<String>>>>,
    /// `dont compress`: file patterns sent without compression, e.g. `["*.gz", "*.zst"]`.
    #[serde(default)]
    pub dont_compress: Option<Sp<Vec<Sp<String>>>>,
    /// `transfer logging`: log every file sent.
    #[serde(default)]
    pub transfer_logging: Option<Sp<bool>>,
    /// Access parameters that were written here and are refused (not part of the schema).
    #[serde(skip)]
    #[schemars(skip)]
    pub refused: Vec<Sp<String>>,
}
