//! `check --min-servers N`: a finding for every client whose server set (the servers that may
//! mirror it) has fewer than N servers, pointing at the client's name in its site file. Runs
//! after a clean analysis, on the Model; the spans come from parsing the inventory again.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::diag::Finding;
use crate::model::Model;
use crate::source::SourceMap;

/// A client below `--min-servers`.
#[derive(Debug, Error, Diagnostic)]
#[error("client `{client}` has {have} server(s) in its server set, fewer than --min-servers {min}")]
#[diagnostic(
    code(mirrorc::too_few_servers),
    help("add a site to its `mirrored_by` (or servers to those sites), or lower --min-servers")
)]
pub struct TooFewServers {
    client: String,
    have: usize,
    min: u32,
    #[label("server set: {servers}")]
    span: SourceSpan,
    servers: String,
}

/// Every client of `model` with fewer than `min` servers in its set.
pub fn check(sources: &SourceMap, model: &Model, min: u32) -> Vec<Finding> {
    let (ast, _) = crate::syntax::parse(sources);
    let mut out = Vec::new();
    for (file, site) in &ast.files {
        for name in site.clients.keys() {
            let (_, Some(id)) = model.find_host(name) else {
                continue;
            };
            let c = model.client(id);
            if c.server_set.len() >= min as usize {
                continue;
            }
            let servers: Vec<&str> = c
                .server_set
                .iter()
                .map(|s| model.server(*s).name.as_str())
                .collect();
            out.push(Finding::new(
                *file,
                TooFewServers {
                    client: c.name.clone(),
                    have: servers.len(),
                    min,
                    span: name.span(),
                    servers: servers.join(" "),
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn clients_below_the_minimum_are_found_and_no_others() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/at");
        let sources = crate::source::load(&[root]).expect("load");
        let model = crate::check(&sources).model.expect("model");
        let most = model
            .clients
            .iter()
            .map(|c| c.server_set.len())
            .max()
            .expect("clients");
        let least = model
            .clients
            .iter()
            .map(|c| c.server_set.len())
            .min()
            .expect("clients");
        assert!(super::check(&sources, &model, least as u32).is_empty());
        let found = super::check(&sources, &model, most as u32 + 1);
        assert_eq!(
            found.len(),
            model.clients.len(),
            "every client is below max + 1"
        );
        assert!(found
            .iter()
            .all(|f| f.code() == "mirrorc::too_few_servers" && f.file.is_some()));
    }
}
