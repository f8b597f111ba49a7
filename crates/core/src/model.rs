//! The resolved estate: sites, servers and clients by id, every list sorted, names checked,
//! server sets and assignments computed. Built by `analyze`, read by `emit` and the commands.
//! Invariant: every client in the model has a non-empty server set; its holders, all in that
//! set, are exactly `copies` active servers (its active pins first) plus `draining`: each
//! draining server of the set that would hold it were that server alone active again (see
//! `analyze::drain`). Nothing here holds spans.

/// Index into `Model::sites`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteId(pub u32);
/// Index into `Model::servers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerId(pub u32);
/// Index into `Model::clients`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u32);

/// The whole resolved estate; each list is sorted by name, so ids follow name order.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Sites by name.
    pub sites: Vec<Site>,
    /// Servers by name (retired ones included, marked as such).
    pub servers: Vec<Server>,
    /// Clients by name.
    pub clients: Vec<Client>,
    /// Estate-wide settings (report method, max age).
    pub estate: Estate,
}

/// Default remctld port.
pub const DEFAULT_REMCTL_PORT: u16 = 4373;
/// Default max age of a mirror: 36 hours (a nightly run may be a few hours late).
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 36 * 3600;
/// Default path of the mirrorc binary on the servers.
pub const DEFAULT_MIRRORC: &str = "/usr/bin/mirrorc";

/// Default pid file of the client's own rsync daemon.
pub const DEFAULT_PID_FILE: &str = "/run/rmirrorclient-rsyncd.pid";
/// Default lock file of the client's own rsync daemon, written when a module limits its
/// connections (rsync's own default, `/var/run/rsyncd.lock`, is shared with the system rsync).
pub const DEFAULT_LOCK_FILE: &str = "/run/rmirrorclient-rsyncd.lock";

/// What pulls the disks on the mirror servers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Runner {
    /// `mirrorc run` (the default): honours `srcport_<tag>`, so clients run their own daemon
    /// on their own port.
    #[default]
    Mirrorc,
    /// The original LCFG rmirror component: pulls `srchost::<tag>` on port 873, so no
    /// `srcport_` is written and port 873 is accepted without a warning.
    Rmirror,
}

/// Estate-wide settings, from the optional `estate:` block.
#[derive(Debug, Clone)]
pub struct Estate {
    /// What pulls the disks on the servers.
    pub runner: Runner,
    /// `pid file` of the client's rsync daemon.
    pub pid_file: String,
    /// `lock file` of the client's rsync daemon, when set in the inventory.
    pub lock_file: Option<String>,
    /// `uid` and `gid` the client's daemon reads files as (default `root`: a mirror must
    /// read every file).
    pub uid: String,
    /// See `uid`.
    pub gid: String,
    /// Kerberos realm; no remctl configuration is generated without one.
    pub realm: Option<String>,
    /// remctld's port.
    pub remctl_port: u16,
    /// The estate's max age in seconds.
    pub max_age_seconds: u64,
    /// Path of the mirrorc binary remctld runs.
    pub mirrorc: String,
    /// Max age per client (by client id; client, else site, else estate value).
    pub client_max_age: Vec<u64>,
    /// Max age of the paths that set their own, by (client id, path tag).
    pub path_max_age: std::collections::BTreeMap<(ClientId, String), u64>,
}

impl Default for Estate {
    fn default() -> Self {
        Estate {
            runner: Runner::default(),
            pid_file: DEFAULT_PID_FILE.to_string(),
            lock_file: None,
            uid: "root".to_string(),
            gid: "root".to_string(),
            realm: None,
            remctl_port: DEFAULT_REMCTL_PORT,
            max_age_seconds: DEFAULT_MAX_AGE_SECONDS,
            mirrorc: DEFAULT_MIRRORC.to_string(),
            client_max_age: Vec::new(),
            path_max_age: std::collections::BTreeMap::new(),
        }
    }
}

/// A site (building).
#[derive(Debug, Clone)]
pub struct Site {
    /// Site name.
    pub name: String,
    /// Free text from the inventory.
    pub description: Option<String>,
    /// Its servers, retired ones included, by name.
    pub servers: Vec<ServerId>,
    /// Its clients by name.
    pub clients: Vec<ClientId>,
    /// Default mirroring sites of its clients.
    pub mirrored_by: Vec<SiteId>,
}

/// Lifecycle state of a server.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ServerState {
    /// In the server sets of its sites' clients (so in their `hosts allow`) and takes
    /// assignments.
    Active,
    /// Make-before-break: still in every server set and `hosts allow`, and keeps pulling
    /// exactly the clients it would hold if it were active; every other holder is chosen as
    /// if it were gone, so those clients have one extra holder until it is retired.
    Drain,
    /// Gone: in no server set and no `hosts allow`, holds nothing, emits nothing.
    Retired,
}

impl ServerState {
    /// Lower-case name as in the inventory.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerState::Active => "active",
            ServerState::Drain => "drain",
            ServerState::Retired => "retired",
        }
    }
}

/// A mirror server.
#[derive(Debug, Clone)]
pub struct Server {
    /// Host name as in the inventory.
    pub name: String,
    /// Fully qualified name (domain appended when the name has no dot).
    pub fqdn: String,
    /// LCFG tag of the host (`-` and `.` mapped to `_`).
    pub tag: String,
    /// Its site.
    pub site: SiteId,
    /// Addresses, canonical text form, in inventory order.
    pub addresses: Vec<String>,
    /// Folder holding the mirrors.
    pub store: String,
    /// Capacity in bytes.
    pub capacity: Option<u64>,
    /// Lifecycle state.
    pub state: ServerState,
    /// rmirror safety limit in percent.
    pub safety_limit: u32,
    /// Clients it holds, by name.
    pub holds: Vec<ClientId>,
    /// Clients whose server set contains it, by name.
    pub eligible: Vec<ClientId>,
}

impl Server {
    /// What goes into a `hosts allow` list for this server: its addresses, or its FQDN.
    pub fn access_names(&self) -> Vec<String> {
        if self.addresses.is_empty() {
            vec![self.fqdn.clone()]
        } else {
            self.addresses.clone()
        }
    }
}

/// A mirrored client.
#[derive(Debug, Clone)]
pub struct Client {
    /// Host name as in the inventory.
    pub name: String,
    /// Fully qualified name.
    pub fqdn: String,
    /// Its site.
    pub site: SiteId,
    /// Addresses, canonical text form.
    pub addresses: Vec<String>,
    /// Port of its own rsync daemon.
    pub port: u16,
    /// How many servers hold it.
    pub copies: u32,
    /// Sites whose servers may mirror it.
    pub mirrored_by: Vec<SiteId>,
    /// Every server allowed to pull from it, by name (never empty).
    pub server_set: Vec<ServerId>,
    /// The servers that hold it, by name: `copies` active ones plus `draining`, all in the
    /// server set.
    pub holders: Vec<ServerId>,
    /// The draining servers among `holders`, by name: they keep pulling it until retired.
    pub draining: Vec<ServerId>,
    /// Its `hosts allow` entries: every address (or name) of its server set, computed once
    /// when the server set is (see [`Model::hosts_allow`]).
    pub hosts_allow: Vec<String>,
    /// Servers pinned in the inventory (a subset of `holders`).
    pub pinned: Vec<ServerId>,
    /// Its paths by tag.
    pub paths: Vec<ClientPath>,
}

/// One mirrored path of a client: an rsync module and an rmirror disk.
#[derive(Debug, Clone)]
pub struct ClientPath {
    /// rmirror tag and rsync module name, `<client>_<path tag>` (a disk's tag).
    pub tag: String,
    /// The path tag as written in the inventory (the key under `paths:`).
    pub path_tag: String,
    /// Absolute path on the client.
    pub path: String,
    /// Expected size in bytes.
    pub size: Option<u64>,
    /// rsync exclude patterns, in inventory order.
    pub exclude: Vec<String>,
    /// Compare by checksum.
    pub checksum: bool,
    /// Extra rsyncd.conf module parameters (site, client, path; narrowest wins).
    pub rsync: RsyncParams,
}

/// Extra rsyncd.conf parameters of one module, each checked; `None` means not written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RsyncParams {
    /// `timeout` in seconds.
    pub timeout: Option<u32>,
    /// `max connections`.
    pub max_connections: Option<u32>,
    /// `refuse options`.
    pub refuse_options: Option<Vec<String>>,
    /// `filter` rules.
    pub filter: Option<Vec<String>>,
    /// `dont compress` patterns.
    pub dont_compress: Option<Vec<String>>,
    /// `transfer logging`.
    pub transfer_logging: Option<bool>,
}

impl Model {
    /// The site of an id.
    pub fn site(&self, id: SiteId) -> &Site {
        &self.sites[id.0 as usize]
    }
    /// The server of an id.
    pub fn server(&self, id: ServerId) -> &Server {
        &self.servers[id.0 as usize]
    }
    /// The client of an id.
    pub fn client(&self, id: ClientId) -> &Client {
        &self.clients[id.0 as usize]
    }

    /// The `hosts allow` entries of a client, as computed with its server set.
    pub fn hosts_allow<'a>(&self, client: &'a Client) -> &'a [String] {
        &client.hosts_allow
    }

    /// Computes the `hosts allow` entries of a server set: every address (or name) of every
    /// server in it, first occurrence kept.
    pub fn compute_hosts_allow(&self, server_set: &[ServerId]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in server_set {
            for name in self.server(*id).access_names() {
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        out
    }

    /// Server dstdir of a client path: `<store>/<client>/<path tag>`.
    pub fn dstdir(&self, server: &Server, client: &Client, path: &ClientPath) -> String {
        format!(
            "{}/{}/{}",
            server.store.trim_end_matches('/'),
            client.name,
            path.path_tag
        )
    }

    /// Looks a host up by name: a server, a client, or both.
    pub fn find_host(&self, name: &str) -> (Option<ServerId>, Option<ClientId>) {
        let server = self
            .servers
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok();
        let client = self
            .clients
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .ok();
        (
            server.map(|i| ServerId(i as u32)),
            client.map(|i| ClientId(i as u32)),
        )
    }

    /// Max age in seconds of a client's mirrors.
    pub fn max_age(&self, client: ClientId) -> u64 {
        self.estate
            .client_max_age
            .get(client.0 as usize)
            .copied()
            .unwrap_or(self.estate.max_age_seconds)
    }

    /// Max age in seconds of one path of a client: its own, else the client's.
    pub fn path_max_age(&self, client: ClientId, path_tag: &str) -> u64 {
        self.estate
            .path_max_age
            .get(&(client, path_tag.to_string()))
            .copied()
            .unwrap_or_else(|| self.max_age(client))
    }

    /// Non-retired servers of a site.
    pub fn live_servers<'a>(&'a self, site: &'a Site) -> impl Iterator<Item = &'a Server> + 'a {
        site.servers
            .iter()
            .map(|id| self.server(*id))
            .filter(|s| s.state != ServerState::Retired)
    }
}
