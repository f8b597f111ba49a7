//! `verify` as one call: compile in memory (the inventory's intent), find rsync, read the
//! deployed tree of the output folder (or say there is none and take the compiled configs),
//! verify every rsyncd.conf in a scratch folder (a temporary one unless `keep` is given) and
//! return everything found as data. The command in the binary renders it and picks the exit.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::deployed::{Deployed, Tree};
use super::{find_on_path, remctld, verify_configs, Config, Rsync, Tally, VerifyError};
use mirrorc_core::diag::Finding;
use mirrorc_core::emit::{Artifact, Kind};
use mirrorc_core::model::Model;
use mirrorc_core::source::SourceMap;

/// Which configs were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The files of this folder (`DIR/rsync`), as they are.
    Deployed(PathBuf),
    /// The in-memory compile (there was no compiled tree to check).
    InMemory,
}

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
        /// Which configs were checked.
        checked: Checked,
    },
}

/// Runs `mirrorc verify` over `sources` against the deployed tree in `out` (the in-memory
/// compile when there is none); `keep` keeps the scratch configs and rsync logs there.
pub fn run(sources: &SourceMap, out: &Path, keep: Option<&Path>) -> io::Result<Verified> {
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
    let Selected {
        findings: mut errors,
        configs,
        checked,
    } = configs(&model, &artifacts, out);
    let refs: Vec<Config> = configs
        .iter()
        .map(|(i, text, file)| Config {
            client: &model.clients[*i],
            text,
            file,
        })
        .collect();
    let (found, mut tally) = verify_configs(&model, &refs, &rsync, work)?;
    errors.extend(found);
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
        checked,
    })
}

/// A config to check: the client's index in the Model, its text, its file name.
type Owned = (usize, String, String);

/// What is checked, and what was found about the deployed tree itself.
struct Selected {
    findings: Vec<VerifyError>,
    configs: Vec<Owned>,
    checked: Checked,
}

/// The deployed files of `out/rsync` as they are, or, with no compiled tree (or a refused
/// one), the compiled ones.
fn configs(model: &Model, artifacts: &[Artifact], out: &Path) -> Selected {
    let names: Vec<&str> = model.clients.iter().map(|c| c.name.as_str()).collect();
    let by_path: BTreeMap<&str, &Artifact> =
        artifacts.iter().map(|a| (a.path.as_str(), a)).collect();
    let compiled = |name: &str| by_path.get(Kind::RsyncdConf.path(name).as_str()).copied();
    let finding = match Tree::open(out, &names) {
        Ok(Some(tree)) => return from_tree(&tree, &names, compiled),
        Ok(None) => VerifyError::NoDeployedTree {
            dir: out.display().to_string(),
        },
        Err(refused) => *refused,
    };
    let configs = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| compiled(n).map(|a| (i, a.content.clone(), a.path.clone())))
        .collect();
    Selected {
        findings: vec![finding],
        configs,
        checked: Checked::InMemory,
    }
}

/// Each client's deployed config (what is missing, refused, different or extra is a finding).
fn from_tree<'a>(
    tree: &Tree,
    names: &[&str],
    compiled: impl Fn(&str) -> Option<&'a Artifact>,
) -> Selected {
    let mut findings = Vec::new();
    let mut configs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let file = tree.path(name).display().to_string();
        match tree.read(name) {
            Deployed::Text(text) => {
                let differs = compiled(name).and_then(|a| first_difference(&text, &a.content));
                if let Some(detail) = differs {
                    let file = file.clone();
                    findings.push(VerifyError::DeployedDiffers { file, detail });
                }
                configs.push((i, text, file));
            }
            Deployed::Missing => findings.push(VerifyError::DeployedMissing {
                file,
                client: name.to_string(),
            }),
            Deployed::Unreadable(reason) => {
                findings.push(VerifyError::DeployedUnreadable { file, reason });
            }
        }
    }
    for extra in &tree.extra {
        let file = tree.folder.join(extra).display().to_string();
        findings.push(VerifyError::DeployedExtra { file });
    }
    Selected {
        findings,
        configs,
        checked: Checked::Deployed(tree.folder.clone()),
    }
}

/// `line N: deployed `...`, compiled `...`` for the first line that differs, if any.
fn first_difference(deployed: &str, compiled: &str) -> Option<String> {
    if deployed == compiled {
        return None;
    }
    let (mut d, mut c) = (deployed.lines(), compiled.lines());
    let mut n = 0;
    loop {
        n += 1;
        match (d.next(), c.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => return Some("line endings or the final newline".into()),
            (a, b) => {
                return Some(format!(
                    "line {n}: deployed {}, compiled {}",
                    shown(a),
                    shown(b)
                ))
            }
        }
    }
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// A line for a message: escaped (the deployed file is untrusted: no terminal escapes),
/// at most 80 characters.
fn shown(line: Option<&str>) -> String {
    let Some(line) = line else {
        return "end of file".into();
    };
    let escaped: String = line.trim().escape_debug().collect();
    match escaped.char_indices().nth(80) {
        Some((i, _)) => format!("`{}...`", &escaped[..i]),
        None => format!("`{escaped}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn first_difference_names_the_line() {
        let c = "a\nb\n";
        assert_eq!(first_difference(c, c), None);
        let got = |d: &str| first_difference(d, c).unwrap_or_default();
        assert_eq!(got("a\nB\n"), "line 2: deployed `B`, compiled `b`");
        assert_eq!(got("a\n"), "line 2: deployed end of file, compiled `b`");
        assert_eq!(got("a\r\nb\n"), "line endings or the final newline");
        assert_eq!(
            got("a\n\u{1b}[2J\n"),
            "line 2: deployed `\\u{1b}[2J`, compiled `b`"
        );
    }
}
