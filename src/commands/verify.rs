//! `mirrorc verify`: the real rsync judges every deployed (or else compiled) rsyncd.conf.

use std::io;
use std::path::{Path, PathBuf};

use mirrorc_core::diag;
use mirrorc_ops::verify::{self, Checked, Tally, Verified};

use crate::exit::ExitStatus;
use crate::print;

/// Runs `verify` on the tree in `out`; `keep` keeps the scratch configs and rsync logs there.
pub(super) fn run(inputs: &[PathBuf], out: &Path, keep: Option<&Path>) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    Ok(match verify::run(&sources, out, keep)? {
        Verified::Failed { findings } => {
            print::findings(&sources, &findings);
            ExitStatus::Findings
        }
        Verified::NoRsync { findings, missing } | Verified::NoRemctld { findings, missing } => {
            print::findings(&sources, &findings);
            print::findings(&sources, &[missing]);
            ExitStatus::Failure
        }
        Verified::Done {
            findings,
            problems,
            tally,
            kept,
            checked,
        } => {
            print::findings(&sources, &findings);
            print::findings(&sources, &problems);
            if let Some(dir) = kept {
                print::error(&format!(
                    "scratch configs and rsync logs kept in {}",
                    dir.display()
                ));
            }
            let (e, w) = diag::counts(&problems);
            print::note(&summary(tally, &checked, e + w));
            ExitStatus::found(e + w > 0)
        }
    })
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
