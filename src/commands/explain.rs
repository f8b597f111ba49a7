//! `mirrorc explain HOST`: a client's server set, holders and why (pins, rendezvous scores,
//! servers passed over), or a server's disks. Exit 1 for an unknown host or an inventory with
//! errors; with `--format json` both are the error document.

use std::io;
use std::path::PathBuf;

use mirrorc_core::explain::{self, Explanation};
use mirrorc_core::why::{self, Why};
use serde::Serialize;

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::print::{self, Failure};
use crate::render::json::VERSION;

/// `explain --format json`: the explanation, its version and (for a client) the reasons.
#[derive(Serialize)]
struct ExplainDocument<'a> {
    version: u32,
    #[serde(flatten)]
    explanation: &'a Explanation,
    why: Option<Why>,
}

/// Runs `explain`.
pub(super) fn run(host: &str, inputs: &[PathBuf], format: Format) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    let resolved = mirrorc_core::check(&sources);
    let Some(model) = resolved.model else {
        print::invalid(&sources, &resolved.findings);
        return Ok(ExitStatus::Findings);
    };
    let Some(e) = explain::explain(&model, host) else {
        let mut f = Failure::new(
            "mirrorc::unknown_host",
            format!("no host `{host}` in this estate"),
        );
        if let Some(s) = explain::suggest(&model, host) {
            f = f.help(format!("did you mean `{s}`?"));
        }
        print::fail(&f);
        return Ok(ExitStatus::Findings);
    };
    let reasons = model
        .find_host(&e.host)
        .1
        .map(|c| why::why(&model, model.client(c)));
    match format {
        Format::Text => {
            let mut text = explain::render(&e);
            if let Some(w) = &reasons {
                // The reasons belong to the client block, which comes first.
                let at = text.find("\nserver ").map_or(text.len(), |i| i + 1);
                text.insert_str(at, &why::render(w));
            }
            print::stdout(&text)?
        }
        Format::Json => print::json(&ExplainDocument {
            version: VERSION,
            explanation: &e,
            why: reasons,
        })?,
    }
    Ok(ExitStatus::Success)
}
