//! `import` as one call: import the legacy files, refuse to overwrite inventory files unless
//! `--force`, write `<out>/<site>.yaml` atomically, compile the result in memory and, with
//! `--check-equivalence`, compare it host by host. Returns data; the binary renders it.

use std::io;
use std::path::{Path, PathBuf};

use super::{compare, import, Difference, Imported};
use mirrorc_core::diag::Finding;
use mirrorc_core::model::Model;
use mirrorc_core::source::SourceMap;

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
    /// The preprocessor dialect of the legacy files (LCFG's traditional cpp by default).
    pub cpp_mode: mirrorc_lcfg::CppMode,
}

/// What `import` did after mapping the legacy files (`Imported` holds their findings).
#[derive(Debug)]
pub enum ImportResult {
    /// No site server list in the legacy files: nothing written.
    NothingToImport,
    /// Site files exist and `--force` was not given: nothing written.
    Refused {
        /// The existing files.
        existing: Vec<PathBuf>,
    },
    /// Written.
    Written {
        /// Site files written.
        sites: usize,
        /// The written inventory, for rendering its findings.
        sources: SourceMap,
        /// Findings of compiling the written inventory.
        findings: Vec<Finding>,
        /// Whether it compiled.
        compiled: bool,
        /// `--check-equivalence`: the differences (`None`: not asked).
        equivalence: Option<Vec<Difference>>,
    },
}

/// Runs `mirrorc import`: the mapping (with its findings) and what was done with it.
pub fn run(args: &ImportArgs) -> io::Result<(Imported, ImportResult)> {
    let imported = import(&args.inputs, &args.include_dirs, args.cpp_mode)?;
    let names: Vec<String> = imported
        .legacy
        .inputs
        .iter()
        .map(|(_, p)| p.display().to_string())
        .collect();
    let files = imported.plan.render(&names);
    if files.is_empty() {
        return Ok((imported, ImportResult::NothingToImport));
    }
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(n, _)| args.out.join(n))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() && !args.force {
        return Ok((imported, ImportResult::Refused { existing }));
    }
    let sources = write(&args.out, &files)?;
    let compiled = mirrorc_core::build(&sources).map_err(io::Error::other)?;
    let equivalence = args
        .check_equivalence
        .then(|| {
            compiled
                .model
                .as_ref()
                .map(|m: &Model| compare(&imported.access, m))
        })
        .map(Option::unwrap_or_default);
    let result = ImportResult::Written {
        sites: files.len(),
        sources,
        findings: compiled.findings,
        compiled: compiled.model.is_some(),
        equivalence,
    };
    Ok((imported, result))
}

/// Writes every file (atomically, mode 0644) and returns them as sources.
fn write(out: &Path, files: &[(String, String)]) -> io::Result<SourceMap> {
    let mut sources = SourceMap::default();
    for (name, text) in files {
        let path = out.join(name);
        mirrorc_core::output::write_atomic(&path, text.as_bytes())?;
        sources.add(path.display().to_string(), text.clone());
    }
    Ok(sources)
}
