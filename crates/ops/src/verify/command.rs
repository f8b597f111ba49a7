//! `verify` as one call: compile in memory, find rsync, verify every rsyncd.conf in a scratch
//! folder (a temporary one unless `keep` is given) and return everything found. The command
//! in the binary renders the result and picks the exit status.

use std::io;
use std::path::{Path, PathBuf};

use super::{find_on_path, remctld, verify, Rsync, Tally, VerifyError};
use mirrorc_core::diag::Finding;
use mirrorc_core::source::SourceMap;

/// What `verify` found.
#[derive(Debug)]
pub enum Verified {
    /// The inventory has errors (or the findings of the compile, when rsync is missing).
    Failed {
        /// The inventory's findings.
        findings: Vec<Finding>,
    },
    /// No `rsync` on PATH: nothing was verified (never a pass).
    NoRsync {
        /// The inventory's findings.
        findings: Vec<Finding>,
        /// The `rsync_missing` finding.
        missing: Finding,
    },
    /// The estate generates remctl configurations but there is no remctld: never a pass.
    NoRemctld {
        /// The inventory's findings.
        findings: Vec<Finding>,
        /// The `remctl_missing` finding.
        missing: Finding,
    },
    /// Verified.
    Done {
        /// The inventory's findings.
        findings: Vec<Finding>,
        /// What rsync found wrong.
        problems: Vec<Finding>,
        /// What was checked.
        tally: Tally,
        /// The fresh folder inside `keep` that holds the scratch configs and logs.
        kept: Option<PathBuf>,
    },
}

/// Runs `mirrorc verify` over `sources`; `keep` keeps the scratch configs and rsync logs there.
pub fn run(sources: &SourceMap, keep: Option<&Path>) -> io::Result<Verified> {
    let compiled = mirrorc_core::build(sources).map_err(io::Error::other)?;
    let findings = compiled.findings;
    let (Some(model), Some(artifacts)) = (compiled.model, compiled.artifacts) else {
        return Ok(Verified::Failed { findings });
    };
    let Some(bin) = find_on_path() else {
        let missing = Finding::global(VerifyError::RsyncMissing);
        return Ok(Verified::NoRsync { findings, missing });
    };
    let fragments = remctld::fragments(&artifacts);
    let remctld_bin = remctld::find();
    if remctld_bin.is_none() && !fragments.is_empty() {
        let missing = Finding::global(VerifyError::RemctldMissing);
        return Ok(Verified::NoRemctld { findings, missing });
    }
    // Always a fresh private (0700) folder, inside `keep` when given: a file or symlink
    // planted in `keep` beforehand is never written through.
    let private = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o700);
    let builder = tempfile::Builder::new()
        .prefix("mirrorc-verify-")
        .permissions(private)
        .clone();
    let temp = match keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
            builder.tempdir_in(dir).map_err(|e| with_path(dir, e))?
        }
        None => builder.tempdir()?,
    };
    let work = temp.path();
    let rsync = Rsync::setup(bin, work)?;
    let (mut errors, mut tally) = verify(&model, &artifacts, &rsync, work)?;
    if let Some(bin) = remctld_bin.filter(|_| !fragments.is_empty()) {
        errors.extend(remctld::check(&bin, &fragments, work)?);
        tally.remctl_configs = fragments.len();
    }
    let problems: mirrorc_core::diag::Sink = errors.into_iter().map(Finding::global).collect();
    let problems = problems.into_vec();
    let kept = keep.map(|_| temp.keep());
    Ok(Verified::Done {
        findings,
        problems,
        tally,
        kept,
    })
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
