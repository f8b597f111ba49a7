//! `mirrorc compile`: the inventory into the output folder (`output::policy::compile`); the
//! summary as a line on stderr or, with `--format json`, a document on stdout.

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::diag::{self, Finding};
use mirrorc_core::output::lock::Lock;
use mirrorc_core::output::policy::{self, CompileOutcome};
use mirrorc_core::source::SourceMap;

use crate::exit::ExitStatus;
use crate::print::{self, Failure};
use crate::render::json::{CompileDocument, VERSION};

/// Runs `compile`.
pub(super) fn run(
    inputs: &[PathBuf],
    out: &Path,
    force: bool,
    wait: bool,
    json: bool,
) -> io::Result<ExitStatus> {
    // One compile per output folder at a time; held until this function returns.
    let _lock = match Lock::try_acquire(out)? {
        Some(lock) => lock,
        None if wait => {
            print::note(&format!(
                "waiting for another mirrorc compile into {}",
                out.display()
            ));
            Lock::acquire(out)?
        }
        None => {
            print::fail(
                &Failure::new(
                    "mirrorc::output_locked",
                    format!("another mirrorc compile is writing into {}", out.display()),
                )
                .help("run again with --wait to wait for it"),
            );
            return Ok(ExitStatus::Failure);
        }
    };
    let mut notes: Vec<String> = policy::prepare(out, inputs, force)?
        .into_iter()
        .map(|line| format!("note: {line}"))
        .collect();
    if !json {
        notes.drain(..).for_each(|n| print::note(&n));
    }
    let sources = super::load(inputs)?;
    let outcome = policy::compile(out, &sources, force)?;
    let mut doc = CompileDocument {
        version: VERSION,
        out: out.display().to_string(),
        result: "up_to_date",
        files: 0,
        written: 0,
        unchanged: 0,
        removed: 0,
        notes,
        findings: Vec::new(),
    };
    let status = match outcome {
        CompileOutcome::UpToDate { findings } => {
            show(&sources, &findings, &mut doc, json);
            if !json {
                print::note(&format!("{} is up to date", out.display()));
            }
            ExitStatus::Success
        }
        CompileOutcome::Failed { findings } => {
            show(&sources, &findings, &mut doc, json);
            doc.result = "failed";
            ExitStatus::Findings
        }
        CompileOutcome::Refused {
            findings,
            conflicts,
        } => {
            if !json {
                print::findings(&sources, &findings);
            }
            let details = conflicts
                .iter()
                .map(|c| format!("{}: {}", out.join(&c.path).display(), c.reason))
                .collect();
            let mut f = Failure::new(
                "mirrorc::refused",
                format!(
                    "refusing to change {}: {} file(s) would be lost",
                    out.display(),
                    conflicts.len()
                ),
            )
            .details(details)
            .help("move hand edits into the inventory, or run again with --force to replace them");
            f.findings = diag::to_json(&sources, &findings);
            print::fail(&f);
            return Ok(ExitStatus::Failure);
        }
        CompileOutcome::Written {
            findings,
            warnings,
            outcome,
        } => {
            show(&sources, &findings, &mut doc, json);
            doc.result = "written";
            doc.files = outcome.files;
            doc.written = outcome.written;
            doc.unchanged = outcome.unchanged;
            doc.removed = outcome.removed;
            if json {
                doc.notes.extend(warnings);
            } else {
                warnings.iter().for_each(|w| print::error(w));
                print::note(&format!(
                    "compiled {} files into {} ({} written, {} unchanged, {} removed)",
                    outcome.files,
                    out.display(),
                    outcome.written,
                    outcome.unchanged,
                    outcome.removed
                ));
            }
            ExitStatus::Success
        }
    };
    if json {
        print::json(&doc)?;
    }
    Ok(status)
}

/// Findings as text on stderr, or into the document.
fn show(sources: &SourceMap, findings: &[Finding], doc: &mut CompileDocument, json: bool) {
    if json {
        doc.findings = diag::to_json(sources, findings);
    } else {
        print::findings(sources, findings);
    }
}
