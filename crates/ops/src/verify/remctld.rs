//! The real remctld reads every generated `remctl/<server>/rmirror`: `remctld -S -f FILE`
//! with stdin closed parses the file and exits (0: it parsed, then found no client on stdin;
//! 1 and "parse error" on stderr: it did not). ACL entries are only checked when a request
//! arrives, so the e2e test asks a real remctld too.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mirrorc_core::emit::Artifact;

use super::VerifyError;
use crate::exec::{self, Cancel, Ended, Job};

/// remctld on PATH, else in /usr/sbin (often not on a user's PATH).
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("remctld"))
        .find(|p| p.is_file())
}

/// The generated remctl fragments among `artifacts`, as (server, artifact).
pub fn fragments(artifacts: &[Artifact]) -> Vec<(&str, &Artifact)> {
    artifacts
        .iter()
        .filter_map(|a| {
            let rest = a.path.strip_prefix("remctl/")?;
            let server = rest.strip_suffix("/rmirror")?;
            Some((server, a))
        })
        .collect()
}

/// Checks each fragment with `bin`, writing it under `work/remctl/<server>/rmirror`.
pub fn check(
    bin: &Path,
    fragments: &[(&str, &Artifact)],
    work: &Path,
) -> std::io::Result<Vec<VerifyError>> {
    let mut found = Vec::new();
    for (server, a) in fragments {
        let dir = work.join("remctl").join(server);
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("rmirror");
        std::fs::write(&file, &a.content)?;
        let job = Job::new(bin)
            .arg("-S")
            .arg("-f")
            .arg(&file)
            .stdin(Vec::new())
            .timeout(Duration::from_secs(20));
        let message = match exec::run(&job, &Cancel::new()) {
            Ok(o) if o.status == Ended::Exited(0) => continue,
            Ok(o) => String::from_utf8_lossy(&o.stderr)
                .lines()
                .filter(|l| !l.contains("cannot get peer address"))
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => e.to_string(),
        };
        found.push(VerifyError::RemctlConfigInvalid {
            server: server.to_string(),
            message,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use mirrorc_core::emit::Artifact;

    #[test]
    #[allow(clippy::print_stderr)] // a skipped real-program test says so loudly
    fn the_real_remctld_refuses_a_broken_fragment_and_reads_a_good_one() {
        let Some(bin) = super::find() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("remctld missing under CI=true");
            }
            eprintln!("*** SKIPPED: no remctld (scripts/test installs remctl-server)");
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let art = |path: &str, content: &str| Artifact {
            path: path.into(),
            content: content.into(),
        };
        let good = art(
            "remctl/a/rmirror",
            "rmirror report /usr/bin/mirrorc \\\n    princ:host/x.test@MT.TEST\n",
        );
        let bad = art("remctl/b/rmirror", "rmirror report \\\n");
        let arts = [good, bad];
        let frags = super::fragments(&arts);
        let found = super::check(&bin, &frags, dir.path()).expect("check");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].to_string().contains("remctl/b/rmirror"),
            "{}",
            found[0]
        );
    }
}
