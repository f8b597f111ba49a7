//! LCFG headers: per server (rmirror resources), per client (rmirrorclient resources) and per
//! site (the `#define` lists that replace the hand-kept ones). Values were checked by
//! `analyze` to survive cpp; tags are LCFG tags.

use serde::Serialize;

use super::templates::render;
use super::{guard, Artifact, EmitError};
use crate::model::{Client, Model, Server, ServerState, Site};

#[derive(Serialize)]
struct ServerView<'a> {
    fqdn: &'a str,
    site: &'a str,
    state: &'static str,
    guard: String,
    safety_limit: u32,
    disks: Vec<DiskView<'a>>,
}

#[derive(Serialize)]
struct DiskView<'a> {
    tag: &'a str,
    srchost: &'a str,
    port: u16,
    dstdir: String,
    checksum: bool,
}

/// `lcfg/servers/<server>.h` for every non-retired server.
pub fn servers(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    let live: Vec<&Server> = model
        .servers
        .iter()
        .filter(|s| s.state != ServerState::Retired)
        .collect();
    crate::par::map_min(&live, 2, |s| server(model, s))
        .into_iter()
        .collect()
}

/// `lcfg/servers/<server>.h` of one server.
pub fn server(model: &Model, s: &Server) -> Result<Artifact, EmitError> {
    let mut disks: Vec<DiskView> = Vec::new();
    for c in s.holds.iter().map(|id| model.client(*id)) {
        for p in &c.paths {
            let dstdir = model.dstdir(s, c, p);
            disks.push(DiskView {
                tag: &p.tag,
                srchost: &c.fqdn,
                port: c.port,
                dstdir,
                checksum: p.checksum,
            });
        }
    }
    disks.sort_by(|a, b| a.tag.cmp(b.tag));
    let view = ServerView {
        fqdn: &s.fqdn,
        site: &model.site(s.site).name,
        state: s.state.as_str(),
        guard: guard("SERVER", &s.name),
        safety_limit: s.safety_limit,
        disks,
    };
    let content = render("server.h", &view).map_err(EmitError::Template)?;
    Ok(Artifact {
        path: format!("lcfg/servers/{}.h", s.name),
        content,
    })
}

#[derive(Serialize)]
struct ClientView<'a> {
    fqdn: &'a str,
    site: &'a str,
    guard: String,
    port: u16,
    modules: Vec<ModuleView<'a>>,
    servers: Vec<SetView<'a>>,
    hosts_allow: String,
}

#[derive(Serialize)]
struct ModuleView<'a> {
    tag: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
struct SetView<'a> {
    tag: &'a str,
    fqdn: &'a str,
}

/// `lcfg/clients/<client>.h` for every client.
pub fn clients(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    crate::par::map(&model.clients, |c| client(model, c))
        .into_iter()
        .collect()
}

/// `lcfg/clients/<client>.h` of one client.
pub fn client(model: &Model, c: &Client) -> Result<Artifact, EmitError> {
    let hosts = model.hosts_allow(c);
    if hosts.is_empty() {
        return Err(EmitError::OpenModule {
            client: c.name.clone(),
            module: "(all)".into(),
        });
    }
    let view = ClientView {
        fqdn: &c.fqdn,
        site: &model.site(c.site).name,
        guard: guard("CLIENT", &c.name),
        port: c.port,
        modules: c
            .paths
            .iter()
            .map(|p| ModuleView {
                tag: &p.tag,
                path: &p.path,
            })
            .collect(),
        servers: c
            .server_set
            .iter()
            .map(|id| model.server(*id))
            .map(|s| SetView {
                tag: &s.tag,
                fqdn: &s.fqdn,
            })
            .collect(),
        hosts_allow: hosts.join(" "),
    };
    let content = render("client.h", &view).map_err(EmitError::Template)?;
    Ok(Artifact {
        path: format!("lcfg/clients/{}.h", c.name),
        content,
    })
}

#[derive(Serialize)]
struct SiteView<'a> {
    site: &'a str,
    guard: String,
    macro_name: String,
    servers: String,
    hosts_allow: String,
}

/// `lcfg/sites/<site>.h` for every site.
pub fn sites(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    model.sites.iter().map(|s| site(model, s)).collect()
}

/// The macro suffix of a site: upper case, `-` mapped to `_`.
pub fn site_macro(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

fn site(model: &Model, s: &Site) -> Result<Artifact, EmitError> {
    let live: Vec<&Server> = model.live_servers(s).collect();
    let mut hosts: Vec<String> = Vec::new();
    for name in live.iter().flat_map(|srv| srv.access_names()) {
        if !hosts.contains(&name) {
            hosts.push(name);
        }
    }
    let view = SiteView {
        site: &s.name,
        guard: guard("SITE", &s.name),
        macro_name: site_macro(&s.name),
        servers: live
            .iter()
            .map(|srv| srv.fqdn.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        hosts_allow: hosts.join(" "),
    };
    let content = render("site.h", &view).map_err(EmitError::Template)?;
    Ok(Artifact {
        path: format!("lcfg/sites/{}.h", s.name),
        content,
    })
}
