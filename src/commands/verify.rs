//! `mirrorc verify`: the real rsync judges every generated rsyncd.conf; findings as text on
//! stderr or as JSON, SARIF or GitHub annotations on stdout.

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::diag::{self, Finding};
use mirrorc_core::source::SourceMap;
use mirrorc_ops::verify::{self, Tally, Verified};

use crate::cli::FindingsFormat;
use crate::exit::ExitStatus;
use crate::print;
use crate::render::json::{VerifyDocument, VERSION};

/// Runs `verify`; `keep` keeps the scratch configs and rsync logs there.
pub(super) fn run(
    inputs: &[PathBuf],
    keep: Option<&Path>,
    format: FindingsFormat,
) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    let (result, all, tally, kept, problems) = match verify::run(&sources, keep)? {
        Verified::Failed { findings } => {
            ("invalid_inventory", findings, Tally::default(), None, None)
        }
        Verified::NoRsync {
            mut findings,
            missing,
        } => {
            findings.push(missing);
            ("no_rsync", findings, Tally::default(), None, None)
        }
        Verified::NoRemctld {
            mut findings,
            missing,
        } => {
            findings.push(missing);
            ("no_remctld", findings, Tally::default(), None, None)
        }
        Verified::Done {
            mut findings,
            problems,
            tally,
            kept,
        } => {
            let (e, w) = diag::counts(&problems);
            findings.extend(problems);
            ("done", findings, tally, kept, Some(e + w))
        }
    };
    // Never a pass without rsync (or remctld): exit 2; inventory errors exit 1.
    let status = match (result, problems) {
        (_, Some(n)) => ExitStatus::found(n > 0),
        ("invalid_inventory", None) => ExitStatus::Findings,
        _ => ExitStatus::Failure,
    };
    if format == FindingsFormat::Text {
        text(&sources, &all, problems, tally, kept.as_deref());
        return Ok(status);
    }
    let kept = kept.map(|k| k.display().to_string());
    super::machine_findings(format, diag::to_json(&sources, &all), |findings, counts| {
        VerifyDocument {
            version: VERSION,
            result,
            configs: tally.configs,
            modules: tally.modules,
            checks: tally.checks,
            remctl_configs: tally.remctl_configs,
            kept,
            counts,
            findings,
        }
    })?;
    Ok(status)
}

/// The findings, then (when verified) where the scratch files are and the summary line.
fn text(
    sources: &SourceMap,
    all: &[Finding],
    problems: Option<usize>,
    tally: Tally,
    kept: Option<&Path>,
) {
    print::findings(sources, all);
    let Some(problems) = problems else {
        return;
    };
    if let Some(dir) = kept {
        print::error(&format!(
            "scratch configs and rsync logs kept in {}",
            dir.display()
        ));
    }
    print::note(&summary(tally, problems));
}

/// `verified 12 rsyncd.conf files, 31 modules, 93 access checks: ok`.
fn summary(t: Tally, problems: usize) -> String {
    let verdict = match problems {
        0 => "ok".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let remctl = match t.remctl_configs {
        0 => String::new(),
        n => format!(", {n} remctl configs"),
    };
    format!(
        "verified {} rsyncd.conf files, {} modules, {} access checks{remctl}: {verdict}",
        t.configs, t.modules, t.checks
    )
}
