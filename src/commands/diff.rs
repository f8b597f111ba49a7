//! `mirrorc diff [--lcfg] [--summary]`: how the output folder would change. Exit 0 same, 1
//! differs, 2 the inventory is invalid or the folder to compare with is missing (unless
//! `--allow-missing`), so CI can tell a needed deploy from a broken commit by the exit code
//! alone. Text: the summary per server and client, then a unified diff per file (not with
//! `--summary`); or one JSON document.

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::diag;
use mirrorc_core::output::diff::{DiffReport, FileChange};
use mirrorc_core::output::diff_summary::Changes;
use mirrorc_core::output::lcfg_diff;
use mirrorc_core::output::policy::{self, DiffOutcome};

use crate::exit::ExitStatus;
use crate::print::{self, Failure};
use crate::render::diff_summary;
use crate::render::json::{DiffDocument, DiffFile, LcfgDiffDocument, VERSION};

/// The options of `diff`.
pub(crate) struct DiffArgs {
    pub(crate) lcfg: bool,
    pub(crate) allow_missing: bool,
    pub(crate) summary: bool,
    pub(crate) json: bool,
}

/// Runs `diff`, or `diff --lcfg`.
pub(super) fn run(inputs: &[PathBuf], out: &Path, a: DiffArgs) -> io::Result<ExitStatus> {
    if !a.allow_missing && !out.exists() {
        print::fail(
            &Failure::new(
                "mirrorc::no_output_folder",
                format!("{} does not exist: nothing to compare with", out.display()),
            )
            .help("check the path given with -o, or pass --allow-missing to compare with an empty folder"),
        );
        return Ok(ExitStatus::Failure);
    }
    let sources = super::load(inputs)?;
    if a.lcfg {
        return by_meaning(sources, out, a.json);
    }
    let (findings, report, changes) = match policy::diff(out, &sources)? {
        DiffOutcome::UpToDate { findings } => (findings, DiffReport::default(), Changes::default()),
        DiffOutcome::Failed { findings } => {
            print::invalid(&sources, &findings);
            return Ok(ExitStatus::Failure);
        }
        DiffOutcome::Compared {
            findings,
            report,
            changes,
        } => (findings, report, changes),
    };
    let differs = !report.is_empty();
    if a.json {
        print::json(&DiffDocument {
            version: VERSION,
            out: out.display().to_string(),
            differs,
            summary: &changes,
            files: (!a.summary).then(|| report.files.iter().map(file).collect()),
            findings: diag::to_json(&sources, &findings),
        })?;
        return Ok(ExitStatus::found(differs));
    }
    print::findings(&sources, &findings);
    let mut text = diff_summary::render(&changes);
    if !a.summary {
        let files = DiffReport {
            summary: Vec::new(),
            files: report.files,
        };
        text += &files.render();
    }
    print::stdout(&text)?;
    if !differs {
        print::note(&format!("no differences: {} is up to date", out.display()));
    }
    Ok(ExitStatus::found(differs))
}

fn file(f: &FileChange) -> DiffFile {
    DiffFile {
        path: f.path.clone(),
        change: match (&f.old, &f.new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        },
    }
}

/// `diff --lcfg`: the headers compared resource by resource.
fn by_meaning(
    sources: mirrorc_core::source::SourceMap,
    out: &Path,
    json: bool,
) -> io::Result<ExitStatus> {
    let outcome = lcfg_diff::run(out, sources)?;
    let Some(diff) = outcome.diff else {
        print::invalid(&outcome.sources, &outcome.findings);
        return Ok(ExitStatus::Failure);
    };
    if json {
        print::json(&LcfgDiffDocument {
            version: VERSION,
            out: out.display().to_string(),
            differs: !diff.is_empty(),
            headers: &diff.files,
            findings: diag::to_json(&outcome.sources, &outcome.findings),
            header_findings: diag::to_json(&outcome.old_sources, &outcome.old_findings),
        })?;
        return Ok(ExitStatus::found(!diff.is_empty()));
    }
    print::findings(&outcome.sources, &outcome.findings);
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
