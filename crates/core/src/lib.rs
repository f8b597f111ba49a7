//! The mirrorc compiler: a declarative inventory of rsync mirror sites → LCFG resources,
//! rsyncd.conf files, hosts-allow lines, the spanning map and the per-server runtime
//! contracts. The pipeline: `source::load` (files → SourceMap) → `syntax::parse` (→ Ast) →
//! `analyze::analyze` (→ Model: server sets, holders) → `emit::emit` (→ Artifacts) →
//! `output` (write with a manifest, or diff). [`check`] runs parse and analyze, [`build`]
//! adds emit (as `cargo check` and `cargo build`); `output::policy` owns `compile` and `diff`.
//! No printing, no processes: library code returns data.

pub mod analyze;
pub mod contract;
pub mod diag;
pub mod emit;
pub mod explain;
pub mod model;
pub mod output;
pub mod par;
pub mod plan;
pub mod schema;
pub mod source;
pub mod status;
pub mod syntax;
pub mod why;

use diag::Finding;
use emit::{Artifact, EmitError};
use model::Model;
use source::SourceMap;

/// What a compile produced: every finding, and the Model and artifacts when no error was found.
#[derive(Debug, Default)]
pub struct Compiled {
    /// Diagnostics of every stage that ran, sorted.
    pub findings: Vec<Finding>,
    /// The resolved estate (no errors found).
    pub model: Option<Model>,
    /// Every output file, sorted by path (no errors found).
    pub artifacts: Option<Vec<Artifact>>,
}

/// Parses, analyzes and emits (emit only when no stage found an error).
pub fn build(sources: &SourceMap) -> Result<Compiled, EmitError> {
    let model = check(sources);
    let Compiled {
        findings, model, ..
    } = model;
    let artifacts = match &model {
        Some(m) => Some(emit::emit(m)?),
        None => None,
    };
    Ok(Compiled {
        findings,
        model,
        artifacts,
    })
}

/// Parses and analyzes only (what `check` and `explain` need).
pub fn check(sources: &SourceMap) -> Compiled {
    let (ast, mut findings) = syntax::parse(sources);
    // Analysis runs over whatever decoded (hosts that did not decode count by name only), so
    // one run reports the mistakes of every stage; a syntax error still means no Model.
    let parsed = !diag::has_errors(&findings);
    let (model, more) = analyze::analyze(&ast);
    crate::par::drop_behind(ast);
    let model = model.filter(|_| parsed);
    findings.extend(more);
    diag::sort(&mut findings);
    Compiled {
        findings,
        model,
        artifacts: None,
    }
}

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod testing {
    /// The estates bundled with the repository, by folder.
    pub(crate) const BUNDLED: [&str; 3] = ["site", "examples/at", "examples/failover"];

    /// The Model of a bundled estate (`site`, `examples/at`, ...).
    pub(crate) fn bundled(dir: &str) -> crate::model::Model {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir);
        let sources = crate::source::load(&[root]).expect("load");
        crate::check(&sources).model.expect("model")
    }
}
