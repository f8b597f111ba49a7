//! `mirrorc compile`: the inventory into the output folder (`output::policy::compile`).

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::output::policy::{self, CompileOutcome};

use crate::exit::ExitStatus;
use crate::print;

/// Runs `compile`.
pub(super) fn run(inputs: &[PathBuf], out: &Path, force: bool) -> io::Result<ExitStatus> {
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
        CompileOutcome::Written { findings, outcome } => {
            print::findings(&sources, &findings);
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
