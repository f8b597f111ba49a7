//! `mirrorc diff [--lcfg]`: how the output folder would change. Exit 0 same, 1 differs, 2 the
//! inventory is invalid or the folder to compare with is missing (unless `--allow-missing`),
//! so CI can tell a needed deploy from a broken commit by the exit code alone.

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::output::lcfg_diff;
use mirrorc_core::output::policy::{self, DiffOutcome};

use crate::exit::ExitStatus;
use crate::print;

/// Runs `diff`, or `diff --lcfg`.
pub(super) fn run(
    inputs: &[PathBuf],
    out: &Path,
    lcfg: bool,
    allow_missing: bool,
) -> io::Result<ExitStatus> {
    if !allow_missing && !out.exists() {
        print::error(&format!(
            "error: {} does not exist: nothing to compare with",
            out.display()
        ));
        print::error("help: check the path given with -o, or pass --allow-missing to compare with an empty folder");
        return Ok(ExitStatus::Failure);
    }
    let sources = super::load(inputs)?;
    if lcfg {
        return by_meaning(sources, out);
    }
    let (findings, report) = match policy::diff(out, &sources)? {
        DiffOutcome::UpToDate { findings } => (findings, None),
        DiffOutcome::Failed { findings } => {
            print::findings(&sources, &findings);
            return Ok(ExitStatus::Failure);
        }
        DiffOutcome::Compared { findings, report } => (findings, Some(report)),
    };
    print::findings(&sources, &findings);
    let differs = match report {
        Some(report) => {
            print::stdout(&report.render())?;
            !report.is_empty()
        }
        None => false,
    };
    if !differs {
        print::note(&format!("no differences: {} is up to date", out.display()));
    }
    Ok(ExitStatus::found(differs))
}

/// `diff --lcfg`: the headers compared resource by resource.
fn by_meaning(sources: mirrorc_core::source::SourceMap, out: &Path) -> io::Result<ExitStatus> {
    let outcome = lcfg_diff::run(out, sources)?;
    print::findings(&outcome.sources, &outcome.findings);
    let Some(diff) = outcome.diff else {
        return Ok(ExitStatus::Failure);
    };
    print::findings(&outcome.old_sources, &outcome.old_findings);
    print::stdout(&diff.render())?;
    if diff.is_empty() {
        print::note(&format!(
            "no differences: the LCFG headers in {} mean the same",
            out.display()
        ));
    }
    Ok(ExitStatus::found(!diff.is_empty()))
}
