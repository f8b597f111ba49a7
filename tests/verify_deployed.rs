//! `mirrorc verify --out DIR` judges the deployed tree as it is, with the real rsync: each
//! way of tampering with a compiled `rsync/<client>.conf` is reported naming the file (exit 1),
//! the deployed files are untrusted input (symlinks refused, oversize refused, strays named),
//! and without a compiled tree verify says so and checks the in-memory compile.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::rsync_e2e::{have_rsync, is_root, run, skip, text, Estate};

const MIRRORC: &str = env!("CARGO_BIN_EXE_mirrorc");

/// stderr with miette's wrapped lines joined (it wraps long paths at `/`).
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).replace("\n  │ ", "")
}

fn verify(e: &Estate, extra: &[&str]) -> Output {
    let mut cmd = Command::new(MIRRORC);
    cmd.arg("verify")
        .arg(e.path("inv"))
        .arg("--out")
        .arg(e.out())
        .args(extra)
        .env("NO_COLOR", "1");
    run(&mut cmd)
}

/// A compiled estate, or `None` (said loudly) without rsync.
fn compiled(test: &str) -> Option<Estate> {
    if !have_rsync() && !skip(test, "no `rsync` on PATH") {
        return None;
    }
    let e = Estate::new();
    e.compile();
    Some(e)
}

/// Rewrites `nfs1`'s deployed config; the edit must change it.
fn tamper(e: &Estate, edit: impl Fn(&str) -> String) -> String {
    let path = e.out().join("rsync/nfs1.conf");
    let before = fs::read_to_string(&path).expect("deployed config");
    let after = edit(&before);
    assert_ne!(before, after, "the tamper must change the file");
    fs::write(&path, after).expect("write");
    path.display().to_string()
}

/// The first `hosts allow` line only (nfs1 has two modules: the other stays as compiled).
fn first_allow(text: &str, with: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("hosts allow"))
        .expect("hosts allow");
    text.replacen(line, with, 1)
}

#[test]
fn an_untouched_deployed_tree_passes() {
    let Some(e) = compiled("an_untouched_deployed_tree_passes") else {
        return;
    };
    let o = verify(&e, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = stderr(&o);
    let deployed = format!("(deployed in {}): ok", e.out().join("rsync").display());
    assert!(err.trim_end().ends_with(&deployed), "{err}");
}

/// What the tampering is, how it edits the file, and the codes it must raise.
type Case<'a> = (&'a str, &'a dyn Fn(&str) -> String, &'a [&'a str]);

#[test]
fn each_tampering_of_the_deployed_tree_is_reported_naming_the_file() {
    let test = "each_tampering_of_the_deployed_tree_is_reported_naming_the_file";
    let cases: [Case; 6] = [
        // With `hosts deny = *` still there, rsync then refuses everyone (fails closed).
        (
            "missing hosts allow",
            &|t| first_allow(t, ""),
            &["mirrorc::rsync_refuses_server"],
        ),
        (
            "misspelt hosts allow",
            &|t| first_allow(t, "    hosts allwo = 127.0.2.11 127.0.2.12"),
            &[
                "mirrorc::rsync_config_warning",
                "mirrorc::rsync_refuses_server",
            ],
        ),
        (
            "empty hosts allow",
            &|t| first_allow(t, "    hosts allow ="),
            &["mirrorc::rsync_refuses_server"],
        ),
        (
            "an extra outsider address",
            &|t| first_allow(t, "    hosts allow = 127.0.2.11 127.0.2.12 127.0.1.11"),
            &["mirrorc::rsync_admits_outsider"],
        ),
        // Without either line rsync fails open: everyone gets in.
        (
            "no hosts allow and no hosts deny",
            &|t| first_allow(t, "").replacen("    hosts deny = *", "", 1),
            &["mirrorc::rsync_admits_outsider"],
        ),
        (
            "list = yes",
            &|t| t.replacen("list = no", "list = yes", 1),
            &["mirrorc::rsync_lists_module"],
        ),
    ];
    for (what, edit, codes) in cases {
        let Some(e) = compiled(test) else { return };
        let file = tamper(&e, edit);
        let o = verify(&e, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o));
        assert!(
            err.contains("mirrorc::rsync_deployed_differs"),
            "{what}: {err}"
        );
        for code in codes {
            assert!(err.contains(code), "{what}: no {code}:\n{err}");
        }
        assert!(
            err.contains(&format!("of {file}")) || err.contains(&format!("about {file}")),
            "{what}: the finding must name {file}:\n{err}"
        );
    }
}

/// `read only = no` is only visible as root (the daemon stops at chroot before a push).
#[test]
fn a_writable_deployed_module_is_reported() {
    let test = "a_writable_deployed_module_is_reported";
    if !is_root() && !skip(test, "not root: the daemon stops at chroot before a push") {
        return;
    }
    let Some(e) = compiled(test) else { return };
    let file = tamper(&e, |t| t.replacen("read only = yes", "read only = no", 1));
    let o = verify(&e, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(err.contains("mirrorc::rsync_accepts_push"), "{err}");
    assert!(err.contains(&format!("of {file}")), "{err}");
}

#[test]
fn a_missing_symlinked_or_stray_deployed_file_is_a_finding() {
    let Some(e) = compiled("a_missing_symlinked_or_stray_deployed_file_is_a_finding") else {
        return;
    };
    let rsync = e.out().join("rsync");
    fs::remove_file(rsync.join("npc1.conf")).expect("rm");
    let secret = e.path("secret");
    fs::write(&secret, "[x]\npath = /\n").expect("secret");
    fs::remove_file(rsync.join("sfs1.conf")).expect("rm");
    std::os::unix::fs::symlink(&secret, rsync.join("sfs1.conf")).expect("ln");
    fs::write(rsync.join("gone1.conf"), "").expect("stray");
    let o = verify(&e, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let named = |code: &str, client: &str| {
        let file = rsync.join(format!("{client}.conf")).display().to_string();
        err.contains(code) && err.contains(&file)
    };
    assert!(named("mirrorc::rsync_deployed_missing", "npc1"), "{err}");
    assert!(named("mirrorc::rsync_deployed_unreadable", "sfs1"), "{err}");
    assert!(err.contains("a symlink: refused"), "{err}");
    assert!(named("mirrorc::rsync_deployed_extra", "gone1"), "{err}");
    assert!(
        err.contains("verified 1 rsyncd.conf files"),
        "only nfs1 was checked: {err}"
    );
}

#[test]
fn without_a_compiled_tree_verify_says_so_and_checks_the_compile() {
    if !have_rsync()
        && !skip(
            "without_a_compiled_tree_verify_says_so_and_checks_the_compile",
            "no `rsync` on PATH",
        )
    {
        return;
    }
    let e = Estate::new();
    let o = verify(&e, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(err.contains("mirrorc::rsync_no_deployed_tree"), "{err}");
    assert!(
        err.trim_end().ends_with("(compiled in memory): ok"),
        "{err}"
    );
    assert!(!Path::new(&e.out()).exists(), "verify wrote into --out");
}

/// A deployed file that makes rsync run a program: the real rsync does run it when it reads
/// the file as is (the control), `verify` reports it and never lets rsync run it.
#[test]
fn a_deployed_program_hook_is_reported_and_never_run() {
    let Some(e) = compiled("a_deployed_program_hook_is_reported_and_never_run") else {
        return;
    };
    let marker = e.path("hook-ran");
    let hook = format!("    early exec = /usr/bin/touch {}\n", marker.display());
    let file = tamper(&e, |t| {
        t.replacen("    list = no\n", &format!("    list = no\n{hook}"), 1)
    });
    control_runs_the_hook(&e, &hook, &marker);
    let o = verify(&e, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(err.contains("mirrorc::rsync_runs_program"), "{err}");
    assert!(err.contains(&format!("{file} has `early exec`")), "{err}");
    assert!(!marker.exists(), "verify let rsync run the deployed hook");
}

/// The real rsync, reading a config with `hook`, runs it (so the test above can fail).
fn control_runs_the_hook(e: &Estate, hook: &str, marker: &Path) {
    let dir = e.path("control");
    fs::create_dir_all(dir.join("m")).expect("mkdir");
    let conf = dir.join("c.conf");
    let body = format!(
        "pid file = {0}/pid\nuse chroot = no\n[m]\n    path = {0}/m\n{hook}",
        dir.display()
    );
    fs::write(&conf, body).expect("conf");
    let rsh = dir.join("rsh");
    fs::write(&rsh, "#!/bin/sh\nwhile [ $# -gt 0 ] && [ \"$1\" != rsync ]; do shift; done; shift\nexec rsync --config=\"$RSYNCD_CONF\" \"$@\"\n").expect("rsh");
    fs::set_permissions(&rsh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let mut cmd = Command::new("rsync");
    cmd.args(["--list-only", "-e"])
        .arg(&rsh)
        .arg("fakehost::m/")
        .env("SSH_CONNECTION", "127.0.2.11 40000 127.0.0.1 22")
        .env("RSYNCD_CONF", &conf);
    let o = run(&mut cmd);
    assert!(
        marker.exists(),
        "control: rsync did not run the hook: {}",
        text(&o)
    );
    fs::remove_file(marker).expect("rm marker");
}

/// A deployed file with more modules than verify probes is a finding, not hours of probes.
#[test]
fn a_deployed_file_with_too_many_modules_is_not_probed() {
    let Some(e) = compiled("a_deployed_file_with_too_many_modules_is_not_probed") else {
        return;
    };
    let many: String = (0..1025)
        .map(|i| format!("[m{i}]\n    path = /x\n"))
        .collect();
    let file = tamper(&e, |t| format!("{t}{many}"));
    let o = verify(&e, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        err.contains(&format!("cannot check {file}: more than 1024 modules")),
        "{err}"
    );
}
