//! rsyncd.conf of each client's own rsync daemon (rmirrorclient's, on a non-standard port):
//! one private, read-only module per path, named by its tag, each with a non-empty
//! `hosts allow` and `hosts deny = *` (rsync fails open without them; see domain.md).

use serde::Serialize;

use super::templates::render;
use super::{Artifact, EmitError};
use crate::model::{Client, Model};

/// Where the client daemon writes its pid (global-only parameter).
pub const PID_FILE: &str = "/run/rmirrorclient-rsyncd.pid";

#[derive(Serialize)]
struct ConfView<'a> {
    fqdn: &'a str,
    site: &'a str,
    port: u16,
    address: Option<&'a str>,
    pid_file: &'static str,
    hosts_allow: String,
    reverse_lookup_off: bool,
    modules: Vec<ModuleView<'a>>,
}

#[derive(Serialize)]
struct ModuleView<'a> {
    name: &'a str,
    path: String,
    exclude: String,
}

/// `rsync/<client>.conf` for every client.
pub fn configs(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    crate::par::map(&model.clients, |c| config(model, c))
        .into_iter()
        .collect()
}

/// `rsync/<client>.conf` of one client.
pub fn config(model: &Model, c: &Client) -> Result<Artifact, EmitError> {
    let hosts = model.hosts_allow(c);
    if let (true, Some(p)) = (hosts.is_empty(), c.paths.first()) {
        return Err(EmitError::OpenModule {
            client: c.name.clone(),
            module: p.tag.clone(),
        });
    }
    let by_address = c
        .server_set
        .iter()
        .all(|s| !model.server(*s).addresses.is_empty());
    let view = ConfView {
        fqdn: &c.fqdn,
        site: &model.site(c.site).name,
        port: c.port,
        address: match c.addresses.as_slice() {
            [one] => Some(one.as_str()),
            _ => None,
        },
        pid_file: PID_FILE,
        hosts_allow: hosts.join(" "),
        reverse_lookup_off: by_address,
        modules: c
            .paths
            .iter()
            .map(|p| ModuleView {
                name: &p.tag,
                path: escape(&p.path),
                exclude: p
                    .exclude
                    .iter()
                    .map(|e| escape(e))
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect(),
    };
    let content = render("rsyncd.conf", &view).map_err(EmitError::Template)?;
    Ok(Artifact {
        path: format!("rsync/{}.conf", c.name),
        content,
    })
}

/// rsync expands `%NAME%` in values; `%%` is a literal `%`.
pub fn escape(v: &str) -> String {
    v.replace('%', "%%")
}
