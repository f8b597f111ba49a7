//! The imported inventory before it is written: [`Plan`] (sites, servers, clients, in name
//! order) and its YAML form, one file per site with a header comment. Rendering is a pure,
//! deterministic function of the Plan; values that are not plain YAML words are quoted.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Every site to write, by name.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Site name → its content.
    pub sites: BTreeMap<String, SitePlan>,
}

/// One `site/<site>.yaml`.
#[derive(Debug, Default, Clone)]
pub struct SitePlan {
    /// DNS domain of its hosts.
    pub domain: Option<String>,
    /// The mirroring sites most of its clients have.
    pub mirrored_by: Vec<String>,
    /// The client daemon port most of its clients use.
    pub port: Option<u16>,
    /// rmirror's safety limit of its servers.
    pub safety_limit: Option<u32>,
    /// Server name → server.
    pub servers: BTreeMap<String, ServerPlan>,
    /// Client name → client.
    pub clients: BTreeMap<String, ClientPlan>,
}

/// One server.
#[derive(Debug, Default, Clone)]
pub struct ServerPlan {
    /// Addresses from `RMIRROR_ADDRS_<SITE>`.
    pub address: Option<String>,
    /// Folder holding the copies.
    pub store: String,
}

/// One client.
#[derive(Debug, Default, Clone)]
pub struct ClientPlan {
    /// Mirroring sites.
    pub mirrored_by: BTreeSet<String>,
    /// The servers that pull it today.
    pub pin: BTreeSet<String>,
    /// Its daemon port.
    pub port: Option<u16>,
    /// Path tag → path.
    pub paths: BTreeMap<String, PathPlan>,
}

/// One path of a client.
#[derive(Debug, Default, Clone)]
pub struct PathPlan {
    /// Absolute path on the client.
    pub path: String,
    /// rmirror compares by checksum.
    pub checksum: bool,
}

impl Plan {
    /// `(file name, YAML text)` per site, in name order; `sources` are named in the header.
    pub fn render(&self, sources: &[String]) -> Vec<(String, String)> {
        self.sites
            .iter()
            .map(|(name, s)| (format!("{name}.yaml"), render_site(name, s, sources)))
            .collect()
    }
}

fn render_site(name: &str, s: &SitePlan, sources: &[String]) -> String {
    let mut out = String::from("# Imported by `mirrorc import` from the legacy setup:\n");
    for src in sources {
        let _ = writeln!(out, "#   {src}");
    }
    out.push_str(
        "# Clients are pinned to the servers that pulled them, so no copy moves; drop a\n",
    );
    out.push_str(
        "# `pin` to let mirrorc place the client itself. Review, then delete the legacy lists.\n\n",
    );
    let _ = writeln!(out, "site: {}", scalar(name));
    if let Some(d) = &s.domain {
        let _ = writeln!(out, "domain: {}", scalar(d));
    }
    if !s.mirrored_by.is_empty() {
        let _ = writeln!(out, "mirrored_by: {}", list(s.mirrored_by.iter()));
    }
    if s.port.is_some() || s.safety_limit.is_some() {
        out.push_str("\ndefaults:\n");
        if let Some(p) = s.port {
            let _ = writeln!(out, "  port: {p}");
        }
        if let Some(l) = s.safety_limit {
            let _ = writeln!(out, "  safety_limit: {l}");
        }
    }
    render_servers(&mut out, s);
    render_clients(&mut out, s);
    out
}

fn render_servers(out: &mut String, s: &SitePlan) {
    if s.servers.is_empty() {
        return;
    }
    out.push_str("\nservers:\n");
    for (name, srv) in &s.servers {
        let _ = writeln!(out, "  {}:", scalar(name));
        if let Some(a) = &srv.address {
            let _ = writeln!(out, "    address: {}", scalar(a));
        }
        let _ = writeln!(out, "    store: {}", scalar(&srv.store));
    }
}

fn render_clients(out: &mut String, s: &SitePlan) {
    if s.clients.is_empty() {
        return;
    }
    out.push_str("\nclients:\n");
    for (name, c) in &s.clients {
        let _ = writeln!(out, "  {}:", scalar(name));
        if !c.mirrored_by.iter().eq(s.mirrored_by.iter()) {
            let _ = writeln!(out, "    mirrored_by: {}", list(c.mirrored_by.iter()));
        }
        if c.pin.len() != 1 {
            let _ = writeln!(out, "    copies: {}", c.pin.len());
        }
        let _ = writeln!(out, "    pin: {}", list(c.pin.iter()));
        if let Some(p) = c.port.filter(|p| Some(*p) != s.port) {
            let _ = writeln!(out, "    port: {p}");
        }
        out.push_str("    paths:\n");
        for (tag, p) in &c.paths {
            let path = scalar(&p.path);
            match p.checksum {
                true => writeln!(
                    out,
                    "      {}: {{ path: {path}, checksum: true }}",
                    scalar(tag)
                ),
                false => writeln!(out, "      {}: {path}", scalar(tag)),
            }
            .unwrap_or_default();
        }
    }
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    format!(
        "[{}]",
        items.map(|i| scalar(i)).collect::<Vec<_>>().join(", ")
    )
}

/// A YAML scalar: plain when it is an unambiguous word, else a JSON (= YAML) double-quoted string.
pub fn scalar(text: &str) -> String {
    let plain_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
    ];
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_');
    let numeric_ip =
        text.chars().all(|c| c.is_ascii_digit() || c == '.') && text.matches('.').count() == 3;
    let plain = first_ok
        && text.chars().all(plain_char)
        && !reserved.contains(&text.to_ascii_lowercase().as_str());
    if plain || numeric_ip {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}
