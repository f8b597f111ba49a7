//! `mirrorc verify`: the real rsync judges every deployed (or else compiled) rsyncd.conf;
//! findings as text on stderr or as JSON, SARIF or GitHub annotations on stdout.

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::diag::{self, Finding};
use mirrorc_core::source::SourceMap;
use mirrorc_ops::verify::{self, Checked, Tally, Verified};

use crate::cli::FindingsFormat;
use crate::exit::ExitStatus;
use crate::print;
use crate::render::json::{VerifyDocument, VERSION};

/// Runs `verify` on the tree in `out`; `keep` keeps the scratch configs and rsync logs there.
pub(super) fn run(
    inputs: &[PathBuf],
    out: &Path,
    keep: Option<&Path>,
    format: FindingsFormat,
) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    let mut checked = None;
    let (result, all, tally, kept, problems) = match verify::run(&sources, out, keep)? {
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
            checked: which,
        } => {
            checked = Some(which);
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
    let deployed = match &checked {
        Some(Checked::Deployed(dir)) => Some(dir.display().to_string()),
        Some(Checked::InMemory) | None => None,
    };
    if format == FindingsFormat::Text {
        let done = problems.zip(checked.as_ref());
        text(&sources, &all, done, tally, kept.as_deref());
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
            deployed: deployed.clone(),
            kept,
            counts,
            findings,
        }
    })?;
    Ok(status)
}

/// The findings, then (when verified: the problem count and what was checked) where the
/// scratch files are and the summary line.
fn text(
    sources: &SourceMap,
    all: &[Finding],
    done: Option<(usize, &Checked)>,
    tally: Tally,
    kept: Option<&Path>,
) {
    print::findings(sources, all);
    let Some((problems, checked)) = done else {
        return;
    };
    if let Some(dir) = kept {
        print::error(&format!(
            "scratch configs and rsync logs kept in {}",
            dir.display()
        ));
    }
    print::note(&summary(tally, checked, problems));
}

/// `verified 12 rsyncd.conf files, 31 modules, 93 access checks (deployed in out/rsync): ok`.
fn summary(t: Tally, checked: &Checked, problems: usize) -> String {
    let verdict = match problems {
        0 => "ok".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let remctl = match t.remctl_configs {
        0 => String::new(),
        n => format!(", {n} remctl configs"),
    };
    let what = match checked {
        Checked::Deployed(dir) => format!("deployed in {}", dir.display()),
        Checked::InMemory => "compiled in memory".to_string(),
    };
    format!(
        "verified {} rsyncd.conf files, {} modules, {} access checks{remctl} ({what}): {verdict}",
        t.configs, t.modules, t.checks
    )
}
