//! `mirrorc check`: every finding of the inventory, as text on stderr or JSON on stdout.

use std::io;
use std::path::PathBuf;

use mirrorc_core::diag;

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::print;

/// Runs `check`.
pub(super) fn run(
    inputs: &[PathBuf],
    format: Format,
    deny_warnings: bool,
) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    let compiled = mirrorc_core::check(&sources);
    let (errors, warnings) = diag::counts(&compiled.findings);
    match format {
        Format::Text => {
            print::findings(&sources, &compiled.findings);
            if errors == 0 && warnings == 0 {
                print::note(&format!(
                    "ok: {} file(s) checked, no findings",
                    sources.iter().count()
                ));
            }
        }
        Format::Json => print::json(&diag::to_json(&sources, &compiled.findings))?,
    }
    mirrorc_core::par::drop_behind(compiled.model);
    Ok(ExitStatus::found(
        errors > 0 || (deny_warnings && warnings > 0),
    ))
}
