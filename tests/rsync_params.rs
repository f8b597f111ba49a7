//! The extra rsync parameters (`rsync:` tables) against the real rsync: every allowed one,
//! as compiled from `tests/fixtures/ok/rsync_params`, is read by rsync's daemon without a
//! complaint ("Unknown Parameter" and the like), and the same check flags a misspelt one.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common::{code, mirrorc_in, stderr};
use crate::rsync_e2e::{have_rsync, skip};

const COMPLAINTS: [&str; 5] = [
    "Unknown Parameter",
    "IGNORING",
    "adly formed",
    "Failed",
    "Warning",
];

/// What rsync logs while reading `conf` (its module list requested over a fake remote
/// shell: no sockets, no root), with the module paths pointed at `dir`.
fn rsync_log(conf: &str, dir: &Path) -> String {
    let conf: String = conf
        .lines()
        .map(|l| match l.trim_start().starts_with("path = ") {
            true => format!("    path = {}", dir.display()),
            false => l.replace(
                "/run/rmirrorclient-rsyncd",
                &dir.join("d").display().to_string(),
            ),
        })
        .map(|l| l + "\n")
        .collect();
    let (conf_path, log, rsh) = (dir.join("c.conf"), dir.join("l.log"), dir.join("rsh"));
    fs::write(&conf_path, conf).expect("conf");
    let script = "#!/bin/sh\nwhile [ $# -gt 0 ] && [ \"$1\" != rsync ]; do shift; done; shift\n\
                  exec env SSH_CONNECTION=\"192.0.2.11 40000 127.0.0.1 22\" rsync --config=\"$RSYNCD_CONF\" --log-file=\"$RSYNCD_LOG\" \"$@\"\n";
    fs::write(&rsh, script).expect("rsh");
    fs::set_permissions(&rsh, fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = Command::new("rsync")
        .args(["-e", &rsh.display().to_string(), "fakehost::"])
        .env("RSYNCD_CONF", &conf_path)
        .env("RSYNCD_LOG", &log)
        .output()
        .expect("rsync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::read_to_string(&log).unwrap_or_default()
}

fn complaints(log: &str) -> Vec<&str> {
    let bad = |l: &&str| COMPLAINTS.iter().any(|c| l.contains(c)) && !l.contains("chroot");
    log.lines().filter(bad).collect()
}

#[test]
fn every_allowed_parameter_is_one_the_real_rsync_knows() {
    if !have_rsync()
        && !skip(
            "every_allowed_parameter_is_one_the_real_rsync_knows",
            "no `rsync` on PATH",
        )
    {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let o = mirrorc_in(
        root,
        &[
            "compile",
            "tests/fixtures/ok/rsync_params",
            "-o",
            &out.display().to_string(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let conf = fs::read_to_string(out.join("rsync/fpc001.conf")).expect("conf");
    for p in [
        "timeout",
        "max connections",
        "refuse options",
        "filter",
        "dont compress",
        "transfer logging",
        "lock file",
    ] {
        assert!(conf.contains(&format!("{p} = ")), "{p} missing:\n{conf}");
    }
    let log = rsync_log(&conf, tmp.path());
    assert_eq!(complaints(&log), Vec::<&str>::new(), "{log}");
    // The check bites: a misspelt parameter is logged by the same run.
    let typo = conf.replace("transfer logging", "transfer loging");
    let log = rsync_log(&typo, tmp.path());
    assert!(
        complaints(&log)
            .iter()
            .any(|l| l.contains("Unknown Parameter")),
        "{log}"
    );
    // And `mirrorc verify` passes the estate.
    let o = mirrorc_in(root, &["verify", "tests/fixtures/ok/rsync_params"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
