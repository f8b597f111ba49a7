//! The command-line half of `verify`: load, compile, find rsync, verify, print the findings
//! with the caller's renderer and a one-line summary. It decides the exit code (0 ok, 1
//! findings, 2 rsync missing or I/O) and lives here, not in `cli.rs`, only to keep `cli.rs` a
//! thin dispatcher while it is edited concurrently; it prints nothing but to stderr.

use std::io;
use std::path::{Path, PathBuf};

use super::{find_on_path, verify, Rsync, Tally, VerifyError};
use crate::diag::{self, Finding};
use crate::source::{self, SourceMap};

/// How `cli` prints findings (its `report`).
pub type Reporter = fn(&SourceMap, &[Finding]);

/// Runs `mirrorc verify`; `keep` keeps the scratch configs and rsync logs there.
pub fn command(inputs: &[PathBuf], keep: Option<&Path>, report: Reporter) -> io::Result<u8> {
    let sources = source::load(inputs)?;
    let compiled = crate::compile(&sources).map_err(io::Error::other)?;
    report(&sources, &compiled.findings);
    let (Some(model), Some(artifacts)) = (compiled.model, compiled.artifacts) else {
        return Ok(1);
    };
    let Some(bin) = find_on_path() else {
        report(&sources, &[Finding::global(VerifyError::RsyncMissing)]);
        return Ok(2);
    };
    let temp;
    let work = match keep {
        Some(dir) => dir,
        None => {
            temp = tempfile::Builder::new()
                .prefix("mirrorc-verify-")
                .tempdir()?;
            temp.path()
        }
    };
    std::fs::create_dir_all(work)?;
    let rsync = Rsync::setup(bin, work)?;
    let (errors, tally) = verify(&model, &artifacts, &rsync, work)?;
    let findings: Vec<Finding> = errors.into_iter().map(Finding::global).collect();
    report(&sources, &findings);
    let (e, w) = diag::counts(&findings);
    eprintln!("{}", summary(tally, e + w));
    Ok(u8::from(e + w > 0))
}

/// `verified 12 rsyncd.conf files, 31 modules, 93 access checks: ok`.
fn summary(t: Tally, problems: usize) -> String {
    let verdict = match problems {
        0 => "ok".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    format!(
        "verified {} rsyncd.conf files, {} modules, {} access checks: {verdict}",
        t.configs, t.modules, t.checks
    )
}
