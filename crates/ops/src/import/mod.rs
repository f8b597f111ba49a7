//! `mirrorc import`: a hand-kept legacy setup (site headers with `#define RMIRROR_SERVERS_<SITE>`,
//! rmirror server profiles, rmirrorclient client profiles) → an inventory [`Plan`] plus a
//! finding, with a span into the legacy file, for everything that cannot be mapped. Reads
//! files (like `source`), never writes them: `command.rs` does that for the CLI.
//! Pipeline: `load` (files, includes) → `preprocess` (expand or cpp) → `facts` → `map` +
//! `clients` (decisions) → `plan` (YAML); `equiv` compares the result with the legacy setup.

use std::io;
use std::path::PathBuf;

pub mod clients;
pub mod command;
pub mod equiv;
pub mod error;
pub mod facts;
pub mod load;
pub mod located;
pub mod map;
pub mod plan;
pub mod preprocess;

pub use command::{run, ImportArgs, ImportResult};
pub use equiv::{compare, Difference, LegacyAccess};
pub use error::ImportError;
pub use plan::Plan;

use facts::Facts;
use load::Legacy;
use map::Mapper;
use mirrorc_core::diag::{self, Finding};
use mirrorc_lcfg as lcfg;

/// What an import produced.
#[derive(Debug)]
pub struct Imported {
    /// The legacy files read (inputs and included headers), for rendering findings.
    pub legacy: Legacy,
    /// Everything that could not be mapped (or only with a change), sorted.
    pub findings: Vec<Finding>,
    /// The inventory to write.
    pub plan: Plan,
    /// What the legacy setup admits and pulls, for `--check-equivalence`.
    pub access: LegacyAccess,
}

/// Reads the legacy files (folders are walked) and maps them onto an inventory.
/// `include_dirs` are searched for `#include`s after the including file's folder; `mode` is
/// the preprocessor dialect (LCFG's traditional cpp, or ISO).
pub fn import(
    inputs: &[PathBuf],
    include_dirs: &[PathBuf],
    mode: lcfg::CppMode,
) -> io::Result<Imported> {
    let mut legacy = Legacy::read(inputs, include_dirs)?;
    let mut facts = Facts::default();
    for (id, path) in legacy.inputs.clone() {
        let lines = preprocess::preprocess(&mut legacy, id, mode);
        let (profile, errors) = lcfg::evaluate_spanned(&lines);
        legacy.report_lcfg(errors);
        facts.add(id, &path, &lines, profile);
    }
    let mut m = Mapper::new(&legacy, &facts);
    m.sites();
    m.servers();
    m.default_stores();
    let (admits, foreign) = m.admits();
    m.clients(&admits);
    let access = LegacyAccess {
        admits,
        foreign,
        pulls: std::mem::take(&mut m.legacy_pulls),
    };
    let (plan, mapped) = (std::mem::take(&mut m.plan), std::mem::take(&mut m.findings));
    let mut sink = std::mem::take(&mut legacy.findings);
    sink.append(mapped);
    let findings = dedup(sink);
    Ok(Imported {
        legacy,
        findings,
        plan,
        access,
    })
}

/// Sorts findings and drops repeats (a header included by many profiles reports once).
fn dedup(sink: diag::Sink) -> Vec<Finding> {
    let mut findings = sink.into_sorted();
    let key = |f: &Finding| {
        let offset = f
            .diag
            .labels()
            .and_then(|mut l| l.next())
            .map(|l| l.offset());
        (f.file, offset, f.code(), f.diag.to_string())
    };
    let mut seen = std::collections::BTreeSet::new();
    findings.retain(|f| seen.insert(key(f)));
    findings
}
