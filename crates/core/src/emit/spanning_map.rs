//! `spanning-map.json`: client → server set, assignment, tags and port; server → clients.
//! Read back by `diff` to summarise access changes, so its shape is stable (see README).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Artifact;
use crate::model::{Client, Model, Server, ServerId};

/// The whole map.
#[derive(Debug, Serialize, Deserialize, Default, PartialEq)]
pub struct SpanningMap {
    /// [`VERSION`]; 0 when read from a map written before maps had versions.
    #[serde(default)]
    pub version: u32,
    /// By client name.
    pub clients: BTreeMap<String, ClientEntry>,
    /// By server name (retired servers included, holding nothing).
    pub servers: BTreeMap<String, ServerEntry>,
}

/// One client.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ClientEntry {
    /// Its site.
    pub site: String,
    /// Fully qualified name.
    pub fqdn: String,
    /// Its daemon's port.
    pub port: u16,
    /// Copies wanted.
    pub copies: u32,
    /// Sites that mirror it.
    pub mirrored_by: Vec<String>,
    /// Every server allowed to pull from it.
    pub server_set: Vec<String>,
    /// Servers that hold it (the draining ones included).
    #[serde(alias = "assigned")]
    pub holders: Vec<String>,
    /// The draining servers among `holders`: they keep it until they are retired. Absent in
    /// maps written before make-before-break draining, and not written when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub draining: Vec<String>,
    /// Pinned servers.
    pub pinned: Vec<String>,
    /// Its `hosts allow` entries.
    pub hosts_allow: Vec<String>,
    /// Module (tag) → path.
    pub modules: BTreeMap<String, String>,
}

/// One server.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ServerEntry {
    /// Its site.
    pub site: String,
    /// Fully qualified name.
    pub fqdn: String,
    /// active, drain or retired.
    pub state: String,
    /// Its addresses.
    pub addresses: Vec<String>,
    /// Clients it holds.
    pub holds: Vec<String>,
    /// Disks (tags) it pulls.
    pub disks: Vec<String>,
    /// Clients that allow it in.
    pub eligible: Vec<String>,
}

/// Builds the map from the Model.
pub fn build(model: &Model) -> SpanningMap {
    SpanningMap {
        version: VERSION,
        clients: model
            .clients
            .iter()
            .map(|c| (c.name.clone(), client_entry(model, c)))
            .collect(),
        servers: model
            .servers
            .iter()
            .map(|s| (s.name.clone(), server_entry(model, s)))
            .collect(),
    }
}

fn server_names(model: &Model, ids: &[ServerId]) -> Vec<String> {
    ids.iter().map(|s| model.server(*s).name.clone()).collect()
}

/// The map's entry of one client (also what `mirrorc explain` shows).
pub fn client_entry(model: &Model, c: &Client) -> ClientEntry {
    ClientEntry {
        site: model.site(c.site).name.clone(),
        fqdn: c.fqdn.clone(),
        port: c.port,
        copies: c.copies,
        mirrored_by: c
            .mirrored_by
            .iter()
            .map(|s| model.site(*s).name.clone())
            .collect(),
        server_set: server_names(model, &c.server_set),
        holders: server_names(model, &c.holders),
        draining: server_names(model, &c.draining),
        pinned: server_names(model, &c.pinned),
        hosts_allow: c.hosts_allow.clone(),
        modules: c
            .paths
            .iter()
            .map(|p| (p.tag.clone(), p.path.clone()))
            .collect(),
    }
}

/// The map's entry of one server (also what `mirrorc explain` shows).
pub fn server_entry(model: &Model, s: &Server) -> ServerEntry {
    let holds: Vec<&Client> = s.holds.iter().map(|c| model.client(*c)).collect();
    let mut disks: Vec<String> = holds
        .iter()
        .flat_map(|c| c.paths.iter().map(|p| p.tag.clone()))
        .collect();
    disks.sort();
    ServerEntry {
        site: model.site(s.site).name.clone(),
        fqdn: s.fqdn.clone(),
        state: s.state.as_str().to_string(),
        addresses: s.addresses.clone(),
        holds: holds.iter().map(|c| c.name.clone()).collect(),
        disks,
        eligible: s
            .eligible
            .iter()
            .map(|c| model.client(*c).name.clone())
            .collect(),
    }
}

/// Version of the map written by this build.
pub const VERSION: u32 = 1;

/// Path of the map in the output folder.
pub const PATH: &str = "spanning-map.json";

/// The map, serialized straight from the Model one entry at a time: the same JSON as
/// [`build`] gives, without holding millions of small strings at once (large estates).
struct Lazy<'a>(&'a Model);
struct LazyClients<'a>(&'a Model);
struct LazyServers<'a>(&'a Model);

impl Serialize for Lazy<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SpanningMap", 3)?;
        st.serialize_field("version", &VERSION)?;
        st.serialize_field("clients", &LazyClients(self.0))?;
        st.serialize_field("servers", &LazyServers(self.0))?;
        st.end()
    }
}

impl Serialize for LazyClients<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Model lists are sorted by name, as the BTreeMap keys of `SpanningMap` are.
        let m = self.0;
        s.collect_map(m.clients.iter().map(|c| (&c.name, ClientRef(m, c))))
    }
}

impl Serialize for LazyServers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.0
                .servers
                .iter()
                .map(|v| (&v.name, server_entry(self.0, v))),
        )
    }
}

/// A [`ClientEntry`] serialized from borrowed Model data (same fields, same order: the unit
/// test compares the two), saving a dozen small allocations per client.
struct ClientRef<'a>(&'a Model, &'a Client);

/// Server names of ids, serialized as a list.
struct Names<'a>(&'a Model, &'a [ServerId]);

impl Serialize for Names<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|id| self.0.server(*id).name.as_str()))
    }
}

impl Serialize for ClientRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (m, c) = (self.0, self.1);
        let sites: Vec<&str> = c
            .mirrored_by
            .iter()
            .map(|s| m.site(*s).name.as_str())
            .collect();
        let modules: BTreeMap<&str, &str> = c
            .paths
            .iter()
            .map(|p| (p.tag.as_str(), p.path.as_str()))
            .collect();
        let mut st = s.serialize_struct("ClientEntry", 11)?;
        st.serialize_field("site", &m.site(c.site).name)?;
        st.serialize_field("fqdn", &c.fqdn)?;
        st.serialize_field("port", &c.port)?;
        st.serialize_field("copies", &c.copies)?;
        st.serialize_field("mirrored_by", &sites)?;
        st.serialize_field("server_set", &Names(m, &c.server_set))?;
        st.serialize_field("holders", &Names(m, &c.holders))?;
        if c.draining.is_empty() {
            st.skip_field("draining")?;
        } else {
            st.serialize_field("draining", &Names(m, &c.draining))?;
        }
        st.serialize_field("pinned", &Names(m, &c.pinned))?;
        st.serialize_field("hosts_allow", &c.hosts_allow)?;
        st.serialize_field("modules", &modules)?;
        st.end()
    }
}

/// The map as an artifact (pretty JSON, sorted keys, trailing newline).
pub fn file(model: &Model) -> Artifact {
    let json = serde_json::to_string_pretty(&Lazy(model)).unwrap_or_default();
    Artifact {
        path: PATH.to_string(),
        content: json + "\n",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lazy_serialization_is_the_same_json_as_the_map() {
        let model = crate::testing::bundled("examples/at");
        let eager = serde_json::to_string_pretty(&super::build(&model)).expect("json") + "\n";
        assert_eq!(super::file(&model).content, eager);
    }
}
