//! `mirrorc explain HOST`: a client's server set and holders, or a server's disks.

use std::io;
use std::path::PathBuf;

use mirrorc_core::explain;

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::print;

/// Runs `explain`.
pub(super) fn run(host: &str, inputs: &[PathBuf], format: Format) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    let resolved = mirrorc_core::check(&sources);
    let Some(model) = resolved.model else {
        print::findings(&sources, &resolved.findings);
        return Ok(ExitStatus::Findings);
    };
    let Some(e) = explain::explain(&model, host) else {
        let hint = explain::suggest(&model, host)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        print::error(&format!("error: no host `{host}` in this estate{hint}"));
        return Ok(ExitStatus::Findings);
    };
    match format {
        Format::Text => print::stdout(&explain::render(&e))?,
        Format::Json => print::json(&e)?,
    }
    Ok(ExitStatus::Success)
}
