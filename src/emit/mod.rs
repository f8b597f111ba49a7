//! Model → Artifacts: every output file as (relative path, bytes), sorted by path. One file
//! per output format, each with its own small view struct for its template. Pure and
//! deterministic: no I/O, no clock, no hash-map order. Errors here are internal bugs.

pub mod hosts_allow;
pub mod lcfg;
pub mod rsyncd;
pub mod spanning_map;
pub mod templates;

use crate::model::Model;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// Full content.
    pub content: String,
}

/// An emitter failure: a template bug or a broken invariant (never the user's input).
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// A template failed to render.
    #[error("internal error: {0}")]
    Template(String),
    /// A module would have been emitted without a non-empty `hosts allow`.
    #[error("internal error: module `{module}` of `{client}` would be open to every host; refusing to emit it")]
    OpenModule {
        /// Client.
        client: String,
        /// Module.
        module: String,
    },
}

/// Emits every output file of the estate, sorted by path.
pub fn emit(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    // The spanning map is one large serial job: build it beside the parallel rest.
    let (map, rest) = std::thread::scope(|s| {
        let map = s.spawn(|| spanning_map::file(model));
        let rest = emit_files(model);
        (
            map.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            rest,
        )
    });
    let mut out = rest?;
    out.push(map);
    out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn emit_files(model: &Model) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    out.extend(lcfg::servers(model)?);
    out.extend(lcfg::clients(model)?);
    out.extend(lcfg::sites(model)?);
    out.extend(rsyncd::configs(model)?);
    out.extend(hosts_allow::files(model));
    Ok(out)
}

/// An include guard for a generated header, e.g. `MIRRORC_SERVER_JMIRROR1_H`.
pub fn guard(kind: &str, name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("MIRRORC_{kind}_{upper}_H")
}
