//! `mirrorc explain HOST`: what the Model says about one host. For a client: its site, server
//! set, assigned servers and modules; for a server: what it holds and what it may mirror.

use serde::Serialize;

use crate::model::{Client, Model, Server};

/// Explanation of one host (a host may be both a server and a client).
#[derive(Debug, Serialize)]
pub struct Explanation {
    /// The host name.
    pub host: String,
    /// Its client role.
    pub client: Option<ClientView>,
    /// Its server role.
    pub server: Option<ServerView>,
}

/// A client's view.
#[derive(Debug, Serialize)]
pub struct ClientView {
    /// Site.
    pub site: String,
    /// FQDN.
    pub fqdn: String,
    /// Daemon port.
    pub port: u16,
    /// Mirroring sites.
    pub mirrored_by: Vec<String>,
    /// Servers allowed to pull.
    pub server_set: Vec<String>,
    /// Servers holding it.
    pub assigned: Vec<String>,
    /// Pinned servers.
    pub pinned: Vec<String>,
    /// hosts allow entries.
    pub hosts_allow: Vec<String>,
    /// Modules: (tag, path).
    pub modules: Vec<(String, String)>,
}

/// A server's view.
#[derive(Debug, Serialize)]
pub struct ServerView {
    /// Site.
    pub site: String,
    /// FQDN.
    pub fqdn: String,
    /// State.
    pub state: String,
    /// Addresses.
    pub addresses: Vec<String>,
    /// Clients held and their disks: (client, tags).
    pub holds: Vec<(String, Vec<String>)>,
    /// Clients it may mirror.
    pub eligible: Vec<String>,
}

/// Explains `host`, or `None` when the estate has no such host.
pub fn explain(model: &Model, host: &str) -> Option<Explanation> {
    let (server, client) = model.find_host(host);
    if server.is_none() && client.is_none() {
        return None;
    }
    Some(Explanation {
        host: host.to_string(),
        client: client.map(|c| client_view(model, model.client(c))),
        server: server.map(|s| server_view(model, model.server(s))),
    })
}

fn names(model: &Model, ids: &[crate::model::ServerId]) -> Vec<String> {
    ids.iter().map(|s| model.server(*s).name.clone()).collect()
}

fn client_view(model: &Model, c: &Client) -> ClientView {
    ClientView {
        site: model.site(c.site).name.clone(),
        fqdn: c.fqdn.clone(),
        port: c.port,
        mirrored_by: c
            .mirrored_by
            .iter()
            .map(|s| model.site(*s).name.clone())
            .collect(),
        server_set: names(model, &c.server_set),
        assigned: names(model, &c.assigned),
        pinned: names(model, &c.pinned),
        hosts_allow: model.hosts_allow(c),
        modules: c
            .paths
            .iter()
            .map(|p| (p.tag.clone(), p.path.clone()))
            .collect(),
    }
}

fn server_view(model: &Model, s: &Server) -> ServerView {
    ServerView {
        site: model.site(s.site).name.clone(),
        fqdn: s.fqdn.clone(),
        state: s.state.as_str().to_string(),
        addresses: s.addresses.clone(),
        holds: s
            .holds
            .iter()
            .map(|c| model.client(*c))
            .map(|c| {
                (
                    c.name.clone(),
                    c.paths.iter().map(|p| p.tag.clone()).collect(),
                )
            })
            .collect(),
        eligible: s
            .eligible
            .iter()
            .map(|c| model.client(*c).name.clone())
            .collect(),
    }
}

/// Human-readable form.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let list = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(" ")
        }
    };
    if let Some(c) = &e.client {
        out += &format!("client {} ({}), site {}\n", e.host, c.fqdn, c.site);
        out += &format!("  mirrored by:  {}\n", list(&c.mirrored_by));
        out += &format!("  server set:   {}\n", list(&c.server_set));
        out += &format!("  held by:      {}\n", list(&c.assigned));
        if !c.pinned.is_empty() {
            out += &format!("  pinned:       {}\n", list(&c.pinned));
        }
        out += &format!("  hosts allow:  {}\n", list(&c.hosts_allow));
        out += &format!("  rsync port:   {}\n", c.port);
        out += "  modules:\n";
        for (tag, path) in &c.modules {
            out += &format!("    {tag:<24} {path}\n");
        }
    }
    if let Some(s) = &e.server {
        out += &format!(
            "server {} ({}), site {}, {}\n",
            e.host, s.fqdn, s.site, s.state
        );
        out += &format!("  addresses:    {}\n", list(&s.addresses));
        out += &format!("  holds:        {} clients\n", s.holds.len());
        for (client, tags) in &s.holds {
            out += &format!("    {client:<24} {}\n", tags.join(" "));
        }
        out += &format!("  eligible for: {}\n", list(&s.eligible));
    }
    out
}
