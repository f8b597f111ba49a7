//! The command-line half of `import`: run the import, refuse to overwrite inventory files
//! (exit 2) unless `--force`, write `<out>/<site>.yaml`, compile the result in memory, and with
//! `--check-equivalence` print every difference to stdout. Exit codes: 0 clean, 1 findings
//! or differences, 2 refused or I/O. Lives here, not in `cli.rs`, to keep `cli.rs` a thin
//! dispatcher while it is edited concurrently (as `verify/command.rs` does).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{compare, import};
use crate::diag::{self, Finding};
use crate::source::SourceMap;

/// How `cli` prints findings (its `report`).
pub type Reporter = fn(&SourceMap, &[Finding]);

/// The options of `mirrorc import`.
#[derive(Debug, Clone)]
pub struct ImportArgs {
    /// Legacy files or folders.
    pub inputs: Vec<PathBuf>,
    /// Extra `#include` folders.
    pub include_dirs: Vec<PathBuf>,
    /// Folder for the site files.
    pub out: PathBuf,
    /// Overwrite existing site files.
    pub force: bool,
    /// Compare the imported inventory with the legacy setup.
    pub check_equivalence: bool,
}

/// Runs `mirrorc import`.
pub fn command(args: &ImportArgs, report: Reporter) -> io::Result<u8> {
    let imported = import(&args.inputs, &args.include_dirs)?;
    report(&imported.legacy.sources, &imported.findings);
    let names: Vec<String> = imported
        .legacy
        .inputs
        .iter()
        .map(|(_, p)| p.display().to_string())
        .collect();
    let files = imported.plan.render(&names);
    if files.is_empty() {
        eprintln!("error: nothing to import: no site server list in the legacy files");
        return Ok(1);
    }
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(n, _)| args.out.join(n))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() && !args.force {
        eprintln!(
            "error: refusing to overwrite {} existing inventory file(s):",
            existing.len()
        );
        for p in &existing {
            eprintln!("  {}", p.display());
        }
        eprintln!("help: import into an empty folder with -o DIR, or run again with --force to replace them");
        return Ok(2);
    }
    let sources = write(&args.out, &files)?;
    eprintln!(
        "imported {} site(s) into {}",
        files.len(),
        args.out.display()
    );
    let (dropped, _) = diag::counts(&imported.findings);
    if dropped > 0 {
        eprintln!("note: the {dropped} error(s) above are legacy items missing from the imported inventory; add them by hand");
    }
    let compiled = crate::compile(&sources).map_err(io::Error::other)?;
    report(&sources, &compiled.findings);
    let mut failed = diag::has_errors(&imported.findings) || compiled.model.is_none();
    if args.check_equivalence {
        failed |= equivalence(&imported.access, compiled.model.as_ref())?;
    }
    Ok(u8::from(failed))
}

/// Writes every file (atomically, mode 0644) and returns them as sources.
fn write(out: &Path, files: &[(String, String)]) -> io::Result<SourceMap> {
    let mut sources = SourceMap::default();
    for (name, text) in files {
        let path = out.join(name);
        crate::output::write_atomic(&path, text.as_bytes())?;
        sources.add(path.display().to_string(), text.clone());
    }
    Ok(sources)
}

/// Prints the differences; true when there are any (or nothing compiled to compare).
fn equivalence(
    access: &super::LegacyAccess,
    model: Option<&crate::model::Model>,
) -> io::Result<bool> {
    let Some(model) = model else {
        eprintln!("error: the imported inventory does not compile: cannot check equivalence");
        return Ok(true);
    };
    let diffs = compare(access, model);
    let mut out = io::stdout().lock();
    for d in &diffs {
        if let Err(e) = writeln!(out, "{d}") {
            if e.kind() != io::ErrorKind::BrokenPipe {
                return Err(e);
            }
        }
    }
    if diffs.is_empty() {
        let (clients, servers) = (access.admits.len(), access.pulls.len());
        eprintln!("equivalent: {clients} client(s) admit and {servers} server(s) pull the same as in the legacy setup");
        let dropped: usize = access.foreign.values().map(|h| h.len()).sum();
        if dropped > 0 {
            let what = if dropped == 1 {
                "entry that is no mirror server loses"
            } else {
                "entries that are no mirror server lose"
            };
            eprintln!("note: {dropped} hosts-allow {what} access (see the warnings)");
        }
    } else {
        eprintln!("not equivalent: {} host(s) differ", diffs.len());
    }
    Ok(!diffs.is_empty())
}
