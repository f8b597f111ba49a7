//! `mirrorc import`: legacy headers and profiles into site files, optionally compared host by
//! host with the legacy setup; text, or one JSON document.

use std::io;

use mirrorc_core::diag;
use mirrorc_ops::import::{self, ImportArgs, ImportResult, LegacyAccess};

use crate::exit::ExitStatus;
use crate::print::{self, Failure};
use crate::render::json::{ImportDifference, ImportDocument, VERSION};

/// Runs `import`.
pub(super) fn run(args: ImportArgs, json: bool) -> io::Result<ExitStatus> {
    let (imported, result) = import::run(&args)?;
    if !json {
        print::findings(&imported.legacy.sources, &imported.findings);
    }
    let (dropped, _) = diag::counts(&imported.findings);
    let (sites, sources, findings, compiled, equivalence) = match result {
        ImportResult::NothingToImport => {
            print::fail(&Failure::new(
                "mirrorc::nothing_to_import",
                "nothing to import: no site server list in the legacy files",
            ));
            return Ok(ExitStatus::Findings);
        }
        ImportResult::Refused { existing } => {
            let f = Failure::new(
                "mirrorc::refused",
                format!(
                    "refusing to overwrite {} existing inventory file(s):",
                    existing.len()
                ),
            )
            .details(existing.iter().map(|p| p.display().to_string()).collect())
            .help("import into an empty folder with -o DIR, or run again with --force to replace them");
            print::fail(&f);
            return Ok(ExitStatus::Failure);
        }
        ImportResult::Written {
            sites,
            sources,
            findings,
            compiled,
            equivalence,
        } => (sites, sources, findings, compiled, equivalence),
    };
    let mut failed = dropped > 0 || !compiled;
    if let Some(diffs) = &equivalence {
        failed |= !compiled || !diffs.is_empty();
    }
    if json {
        print::json(&ImportDocument {
            version: VERSION,
            out: args.out.display().to_string(),
            sites,
            legacy_findings: diag::to_json(&imported.legacy.sources, &imported.findings),
            findings: diag::to_json(&sources, &findings),
            compiled,
            differences: equivalence.map(|d| {
                d.into_iter()
                    .map(|d| ImportDifference {
                        host: d.host,
                        what: d.what,
                        legacy_only: d.legacy_only,
                        mirrorc_only: d.mirrorc_only,
                    })
                    .collect()
            }),
        })?;
        return Ok(ExitStatus::found(failed));
    }
    print::note(&format!(
        "imported {sites} site(s) into {}",
        args.out.display()
    ));
    if dropped > 0 {
        print::note(&format!("note: the {dropped} error(s) above are legacy items missing from the imported inventory; add them by hand"));
    }
    print::findings(&sources, &findings);
    if let Some(diffs) = equivalence {
        equivalent(&imported.access, compiled, &diffs)?;
    }
    Ok(ExitStatus::found(failed))
}

/// Prints the differences (or why there are none to show).
fn equivalent(
    access: &LegacyAccess,
    compiled: bool,
    diffs: &[import::Difference],
) -> io::Result<()> {
    if !compiled {
        print::error("error: the imported inventory does not compile: cannot check equivalence");
        return Ok(());
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
    Ok(())
}
