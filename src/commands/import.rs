//! `mirrorc import`: legacy headers and profiles into site files, optionally compared host by
//! host with the legacy setup.

use std::io;

use mirrorc_core::diag;
use mirrorc_ops::import::{self, ImportArgs, ImportResult, LegacyAccess};

use crate::exit::ExitStatus;
use crate::print;

/// Runs `import`.
pub(super) fn run(args: ImportArgs) -> io::Result<ExitStatus> {
    let (imported, result) = import::run(&args)?;
    print::findings(&imported.legacy.sources, &imported.findings);
    let (dropped, _) = diag::counts(&imported.findings);
    let (sources, findings, compiled, equivalence) = match result {
        ImportResult::NothingToImport => {
            print::error("error: nothing to import: no site server list in the legacy files");
            return Ok(ExitStatus::Findings);
        }
        ImportResult::Refused { existing } => {
            print::error(&format!(
                "error: refusing to overwrite {} existing inventory file(s):",
                existing.len()
            ));
            for p in &existing {
                print::error(&format!("  {}", p.display()));
            }
            print::error("help: import into an empty folder with -o DIR, or run again with --force to replace them");
            return Ok(ExitStatus::Failure);
        }
        ImportResult::Written {
            sites,
            sources,
            findings,
            compiled,
            equivalence,
        } => {
            print::note(&format!(
                "imported {sites} site(s) into {}",
                args.out.display()
            ));
            (sources, findings, compiled, equivalence)
        }
    };
    if dropped > 0 {
        print::note(&format!("note: the {dropped} error(s) above are legacy items missing from the imported inventory; add them by hand"));
    }
    print::findings(&sources, &findings);
    let mut failed = dropped > 0 || !compiled;
    if let Some(diffs) = equivalence {
        failed |= equivalent(&imported.access, compiled, &diffs)?;
    }
    Ok(ExitStatus::found(failed))
}

/// Prints the differences; true when there are any (or nothing compiled to compare).
fn equivalent(
    access: &LegacyAccess,
    compiled: bool,
    diffs: &[import::Difference],
) -> io::Result<bool> {
    if !compiled {
        print::error("error: the imported inventory does not compile: cannot check equivalence");
        return Ok(true);
    }
    let mut text = String::new();
    for d in diffs {
        text.push_str(&format!("{d}\n"));
    }
    print::stdout(&text)?;
    if diffs.is_empty() {
        let (clients, servers) = (access.admits.len(), access.pulls.len());
        print::note(&format!("equivalent: {clients} client(s) admit and {servers} server(s) pull the same as in the legacy setup"));
        let dropped: usize = access.foreign.values().map(|h| h.len()).sum();
        if dropped > 0 {
            let what = if dropped == 1 {
                "entry that is no mirror server loses"
            } else {
                "entries that are no mirror server lose"
            };
            print::note(&format!(
                "note: {dropped} hosts-allow {what} access (see the warnings)"
            ));
        }
    } else {
        print::error(&format!("not equivalent: {} host(s) differ", diffs.len()));
    }
    Ok(!diffs.is_empty())
}
