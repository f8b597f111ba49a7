//! `mirrorc compile`: the inventory into the output folder (`output::policy::compile`).

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::output::lock::Lock;
use mirrorc_core::output::policy::{self, CompileOutcome};

use crate::exit::ExitStatus;
use crate::print;

/// Runs `compile`.
pub(super) fn run(
    inputs: &[PathBuf],
    out: &Path,
    force: bool,
    wait: bool,
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
            print::error(&format!(
                "error: another mirrorc compile is writing into {}; run again with --wait to wait for it",
                out.display()
            ));
            return Ok(ExitStatus::Failure);
        }
    };
    for line in policy::prepare(out, inputs, force)? {
        print::note(&format!("note: {line}"));
    }
    let sources = super::load(inputs)?;
    let outcome = policy::compile(out, &sources, force)?;
    Ok(match outcome {
        CompileOutcome::UpToDate { findings } => {
            print::findings(&sources, &findings);
            print::note(&format!("{} is up to date", out.display()));
            ExitStatus::Success
        }
        CompileOutcome::Failed { findings } => {
            print::findings(&sources, &findings);
            ExitStatus::Findings
        }
        CompileOutcome::Refused {
            findings,
            conflicts,
        } => {
            print::findings(&sources, &findings);
            print::error(&format!(
                "error: refusing to change {}: {} file(s) would be lost",
                out.display(),
                conflicts.len()
            ));
            for c in &conflicts {
                print::error(&format!("  {}: {}", out.join(&c.path).display(), c.reason));
            }
            print::error(
                "help: move hand edits into the inventory, or run again with --force to replace them",
            );
            ExitStatus::Failure
        }
        CompileOutcome::Written {
            findings,
            warnings,
            outcome,
        } => {
            print::findings(&sources, &findings);
            for w in &warnings {
                print::error(w);
            }
            print::note(&format!(
                "compiled {} files into {} ({} written, {} unchanged, {} removed)",
                outcome.files,
                out.display(),
                outcome.written,
                outcome.unchanged,
                outcome.removed
            ));
            ExitStatus::Success
        }
    })
}
