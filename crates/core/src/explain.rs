//! `mirrorc explain HOST`: what the Model says about one host. For a client: its site, server
//! set, holders and modules; for a server: what it holds and what it may mirror. The
//! data are the host's spanning-map entries, so `explain` and `spanning-map.json` never disagree.

use serde::Serialize;

use crate::emit::spanning_map::{self, ClientEntry, ServerEntry};
use crate::model::Model;

/// Explanation of one host (a host may be both a server and a client).
#[derive(Debug, Serialize)]
pub struct Explanation {
    /// The host name.
    pub host: String,
    /// Its client role.
    pub client: Option<ClientEntry>,
    /// Its server role.
    pub server: Option<ServerEntry>,
    /// Of its client role's holders, those that replace its draining servers ("new").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub takeovers: Vec<String>,
}

/// Explains `host` (its inventory name, FQDN or one of its addresses), or `None` when the
/// estate has no such host.
pub fn explain(model: &Model, host: &str) -> Option<Explanation> {
    let name = canonical(model, host)?;
    let (server, client) = model.find_host(&name);
    let takeovers = client.map_or_else(Vec::new, |c| {
        let c = model.client(c);
        let ids = crate::analyze::drain::takeovers(model, c);
        ids.iter().map(|s| model.server(*s).name.clone()).collect()
    });
    Some(Explanation {
        host: name,
        takeovers,
        client: client.map(|c| spanning_map::client_entry(model, model.client(c))),
        server: server.map(|s| spanning_map::server_entry(model, model.server(s))),
    })
}

/// The inventory name of a host given by name, FQDN or address.
fn canonical(model: &Model, host: &str) -> Option<String> {
    let (s, c) = model.find_host(host);
    if s.is_some() || c.is_some() {
        return Some(host.to_string());
    }
    let servers = model
        .servers
        .iter()
        .map(|s| (&s.name, &s.fqdn, &s.addresses));
    let clients = model
        .clients
        .iter()
        .map(|c| (&c.name, &c.fqdn, &c.addresses));
    servers
        .chain(clients)
        .find(|(_, fqdn, addrs)| fqdn.eq_ignore_ascii_case(host) || addrs.iter().any(|a| a == host))
        .map(|(name, _, _)| name.clone())
}

/// The closest host name to a miss, for "did you mean".
pub fn suggest(model: &Model, host: &str) -> Option<String> {
    let names: Vec<&str> = model
        .servers
        .iter()
        .map(|s| s.name.as_str())
        .chain(model.clients.iter().map(|c| c.name.as_str()))
        .collect();
    crate::diag::did_you_mean(host, &names)
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(" ")
    }
}

/// Who holds a disk, with its draining servers and their replacements marked:
/// `jmirror1 (new) + jmirror3 (draining)`. Holders in order, draining ones last.
pub fn holding(holders: &[String], draining: &[String], new: &[String]) -> String {
    let staying = holders.iter().filter(|h| !draining.contains(h));
    let staying = staying.map(|h| match new.contains(h) {
        true => format!("{h} (new)"),
        false => h.clone(),
    });
    let leaving = draining.iter().map(|h| format!("{h} (draining)"));
    staying.chain(leaving).collect::<Vec<_>>().join(" + ")
}

/// Human-readable form.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    if let Some(c) = &e.client {
        out += &format!("client {} ({}), site {}\n", e.host, c.fqdn, c.site);
        out += &format!("  mirrored by:  {}\n", list(&c.mirrored_by));
        out += &format!("  server set:   {}\n", list(&c.server_set));
        let draining = match c.draining.len() {
            0 => String::new(),
            n => format!(" + {n} draining"),
        };
        out += &format!(
            "  held by:      {} ({} of {} copies{draining})\n",
            list(&c.holders),
            c.holders.len() - c.draining.len(),
            c.copies
        );
        if !c.pinned.is_empty() {
            out += &format!("  pinned:       {}\n", list(&c.pinned));
        }
        out += &format!("  hosts allow:  {}\n", list(&c.hosts_allow));
        out += &format!("  rsync port:   {}\n", c.port);
        out += "  modules:\n";
        for (tag, path) in &c.modules {
            out += &format!("    {tag:<24} {path}\n");
        }
        if !c.draining.is_empty() {
            out += "  during the drain (the draining servers keep pulling until retired):\n";
            let held = holding(&c.holders, &c.draining, &e.takeovers);
            for tag in c.modules.keys() {
                out += &format!("    {tag}: {held}\n");
            }
        }
    }
    if let Some(s) = &e.server {
        out += &format!(
            "server {} ({}), site {}, {}\n",
            e.host, s.fqdn, s.site, s.state
        );
        out += &format!("  addresses:    {}\n", list(&s.addresses));
        out += &format!(
            "  holds:        {} clients: {}\n",
            s.holds.len(),
            list(&s.holds)
        );
        out += &format!("  disks:        {}\n", list(&s.disks));
        if s.state == "drain" && !s.disks.is_empty() {
            out += "  draining:     keeps pulling these (each has its replacement holder besides) until retired\n";
        }
        out += &format!("  eligible for: {}\n", list(&s.eligible));
    }
    out
}
