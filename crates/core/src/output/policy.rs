//! The whole `compile` and `diff` policy over one output folder, so a command only renders
//! the result: read the inputs' key and the manifest, answer "up to date" from the manifest
//! when nothing changed (make-like, see `fresh`), otherwise resolve, then stream, stage or
//! plan/apply (`stream` decides; a possible conflict falls back to the exact plan, which
//! refuses before writing). Returns data; prints nothing.

use std::io;
use std::path::Path;

use super::fresh::{self, Inputs};
use super::manifest::Manifest;
use super::stream::{self, Outcome, Streamed};
use super::{apply, plan, Conflict};
use crate::diag::Finding;
use crate::model::Model;
use crate::source::SourceMap;

/// What `compile` did to the output folder. `findings` are the inventory's (possibly none).
#[derive(Debug)]
pub enum CompileOutcome {
    /// Inputs, build and files unchanged since the last compile: nothing written.
    UpToDate {
        /// Warnings of the inputs (re-checked when the last compile had findings).
        findings: Vec<Finding>,
    },
    /// The inventory has errors: nothing written.
    Failed {
        /// Every finding.
        findings: Vec<Finding>,
    },
    /// Files in the way would be lost: nothing written.
    Refused {
        /// Warnings of the inputs.
        findings: Vec<Finding>,
        /// Every file that protected the folder.
        conflicts: Vec<Conflict>,
    },
    /// Written.
    Written {
        /// Warnings of the inputs.
        findings: Vec<Finding>,
        /// Counts of what was done.
        outcome: Outcome,
    },
}

/// Where a compile or diff stands once inputs and manifest are read.
enum Start {
    UpToDate(Vec<Finding>),
    Failed(Vec<Finding>),
    Work {
        model: Box<Model>,
        old: Manifest,
        inputs: Inputs,
        findings: Vec<Finding>,
    },
}

/// Reads the manifest and decides whether there is work. An output folder written by this
/// mirrorc from exactly these inputs and untouched since is up to date; when that compile
/// reported nothing there is nothing to parse either, otherwise the inputs are resolved again
/// so that their warnings are returned.
fn start(out: &Path, sources: &SourceMap) -> io::Result<Start> {
    let key = fresh::inputs_key(sources);
    let old = Manifest::read(out)?;
    let is_fresh = fresh::is_fresh(out, &old, &key);
    if is_fresh && old.clean {
        crate::par::drop_behind(old);
        return Ok(Start::UpToDate(Vec::new()));
    }
    let resolved = crate::check(sources);
    let findings = resolved.findings;
    let Some(model) = resolved.model else {
        return Ok(Start::Failed(findings));
    };
    if is_fresh {
        crate::par::drop_behind((model, old));
        return Ok(Start::UpToDate(findings));
    }
    let inputs = Inputs {
        key,
        clean: findings.is_empty(),
    };
    Ok(Start::Work {
        model: Box::new(model),
        old,
        inputs,
        findings,
    })
}

/// Compiles `sources` into `out`: up to date, failed, refused (nothing written) or written.
pub fn compile(out: &Path, sources: &SourceMap, force: bool) -> io::Result<CompileOutcome> {
    let (model, old, inputs, findings) = match start(out, sources)? {
        Start::UpToDate(findings) => return Ok(CompileOutcome::UpToDate { findings }),
        Start::Failed(findings) => return Ok(CompileOutcome::Failed { findings }),
        Start::Work {
            model,
            old,
            inputs,
            findings,
        } => (model, old, inputs, findings),
    };
    let result = match stream::write(out, &model, &old, force, inputs.clone())? {
        Streamed::Done(outcome) => CompileOutcome::Written { findings, outcome },
        Streamed::NeedsPlan => planned(out, &model, &old, inputs, findings)?,
    };
    crate::par::drop_behind((model, old));
    Ok(result)
}

/// The exact in-memory compile, for when a file in the way may have been edited by hand:
/// every conflict is listed and nothing is written, or the plan is carried out.
fn planned(
    out: &Path,
    model: &Model,
    old: &Manifest,
    inputs: Inputs,
    findings: Vec<Finding>,
) -> io::Result<CompileOutcome> {
    let artifacts = crate::emit::emit(model)?;
    let mut plan = plan(out, old, &artifacts)?;
    if !plan.conflicts.is_empty() {
        let conflicts = std::mem::take(&mut plan.conflicts);
        return Ok(CompileOutcome::Refused {
            findings,
            conflicts,
        });
    }
    apply(out, &artifacts, &mut plan, old, inputs)?;
    let outcome = Outcome {
        files: artifacts.len(),
        written: plan.write.len(),
        unchanged: plan.unchanged,
        removed: plan.remove.len(),
    };
    Ok(CompileOutcome::Written { findings, outcome })
}

/// What `diff` found.
#[derive(Debug)]
pub enum DiffOutcome {
    /// Up to date (per the manifest): no differences.
    UpToDate {
        /// Warnings of the inputs.
        findings: Vec<Finding>,
    },
    /// The inventory has errors.
    Failed {
        /// Every finding.
        findings: Vec<Finding>,
    },
    /// Compared file by file (the report may be empty).
    Compared {
        /// Warnings of the inputs.
        findings: Vec<Finding>,
        /// Access summary and per-file differences.
        report: super::diff::DiffReport,
    },
}

/// Compiles `sources` in memory and compares the result with `out`.
pub fn diff(out: &Path, sources: &SourceMap) -> io::Result<DiffOutcome> {
    let (model, old, findings) = match start(out, sources)? {
        Start::UpToDate(findings) => return Ok(DiffOutcome::UpToDate { findings }),
        Start::Failed(findings) => return Ok(DiffOutcome::Failed { findings }),
        Start::Work {
            model,
            old,
            findings,
            ..
        } => (model, old, findings),
    };
    let artifacts = crate::emit::emit(&model)?;
    let report = super::diff::diff(out, &old, &artifacts)?;
    Ok(DiffOutcome::Compared { findings, report })
}
