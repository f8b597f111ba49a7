//! `mirrorc check`: every finding of the inventory, as text on stderr or as JSON, SARIF or
//! GitHub annotations on stdout; `--min-servers N` adds a finding per client whose server set
//! is smaller than N.

use std::io;
use std::path::PathBuf;

use mirrorc_core::diag;

use crate::cli::FindingsFormat;
use crate::exit::ExitStatus;
use crate::print;
use crate::render::json::{CheckDocument, VERSION};

/// The options of `check`.
pub(crate) struct CheckArgs {
    pub(crate) inputs: Vec<PathBuf>,
    pub(crate) format: FindingsFormat,
    pub(crate) deny_warnings: bool,
    pub(crate) min_servers: Option<u32>,
}

/// Runs `check`.
pub(super) fn run(a: CheckArgs) -> io::Result<ExitStatus> {
    let sources = super::load(&a.inputs)?;
    let mut compiled = mirrorc_core::check(&sources);
    if let (Some(min), Some(model)) = (a.min_servers, &compiled.model) {
        compiled
            .findings
            .extend(mirrorc_core::analyze::min_servers::check(
                &sources, model, min,
            ));
        diag::sort(&mut compiled.findings);
    }
    let (errors, warnings) = diag::counts(&compiled.findings);
    let files = sources.iter().count();
    match a.format {
        FindingsFormat::Text => {
            print::findings(&sources, &compiled.findings);
            if errors == 0 && warnings == 0 {
                print::note(&format!("ok: {files} file(s) checked, no findings"));
            }
        }
        format => super::machine_findings(
            format,
            diag::to_json(&sources, &compiled.findings),
            |findings, counts| CheckDocument {
                version: VERSION,
                files,
                counts,
                findings,
            },
        )?,
    }
    mirrorc_core::par::drop_behind(compiled.model);
    Ok(ExitStatus::found(
        errors > 0 || (a.deny_warnings && warnings > 0),
    ))
}
