//! Every exit code of every command, through the real binary: 0 ok or same, 1 findings or
//! differences (or something not as it should be), 2 usage, I/O, invalid inventory (`diff`),
//! refused, or nothing could be done. The table in the README and each command's `--help`
//! say the same; a case here per row.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{code, stderr, stdout};

/// Runs `mirrorc ARGS` in `cwd` with `PATH` set to `path` when given.
/// The rmirror header of a server that holds nothing.
pub(crate) const NO_DISKS: &str = "rmirror.safetylimit 70\nrmirror.address 192.0.2.13\n";

fn run(cwd: &Path, args: &[&str], path: Option<&str>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mirrorc"));
    c.args(args).current_dir(cwd).env("NO_COLOR", "1");
    if let Some(p) = path {
        c.env("PATH", p);
    }
    c.output().expect("run mirrorc")
}

#[test]
fn every_exit_code_of_every_command() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    // A server header with no disks (every server of site/ holds some, jmirror3 while draining).
    fs::write(dir.join("no-disks.h"), NO_DISKS).expect("write");
    fs::create_dir(dir.join("site")).expect("mkdir");
    for f in ["jcmb.yaml", "forum.yaml"] {
        fs::copy(repo.join("site").join(f), dir.join("site").join(f)).expect("copy");
    }
    let bad = repo.join("tests/fixtures/errors/unknown_site-typo");
    let bad = bad.to_str().expect("utf-8");
    let legacy = repo.join("examples/legacy");
    let legacy = legacy.to_str().expect("utf-8");
    let at = repo.join("examples/at");
    let at = at.to_str().expect("utf-8");
    fs::create_dir_all(dir.join("empty-legacy")).expect("mkdir");
    fs::write(dir.join("empty-legacy/notes.h"), "/* nothing */\n").expect("write");
    fs::create_dir(dir.join("state")).expect("mkdir");
    fs::create_dir(dir.join("jmirror1-state")).expect("mkdir");
    let cases: Vec<(&str, Vec<&str>, i32)> = vec![
        ("usage", vec!["check", "--format", "yaml"], 2),
        ("compile ok", vec!["compile"], 0),
        ("compile findings", vec!["compile", bad, "-o", "bad-out"], 1),
        ("compile refused (-o /)", vec!["compile", "-o", "/"], 2),
        ("check ok", vec!["check"], 0),
        ("check findings", vec!["check", bad], 1),
        (
            "check --min-servers",
            vec!["check", "--min-servers", "3"],
            1,
        ),
        ("check no input", vec!["check", "nowhere"], 2),
        ("diff same", vec!["diff"], 0),
        ("diff no folder", vec!["diff", "-o", "nowhere"], 2),
        ("diff invalid inventory", vec!["diff", bad], 2),
        ("explain ok", vec!["explain", "fpc001"], 0),
        ("explain unknown", vec!["explain", "fpc01"], 1),
        ("explain no input", vec!["explain", "fpc001", "nowhere"], 2),
        ("plan ok", vec!["plan"], 0),
        (
            "plan loses clients",
            vec!["plan", at, "--without", "forum"],
            1,
        ),
        ("plan unknown", vec!["plan", "--without", "forun"], 2),
        ("schema", vec!["schema"], 0),
        ("completions", vec!["completions", "bash"], 0),
        ("man", vec!["man"], 0),
        (
            "import nothing",
            vec!["import", "empty-legacy", "-o", "imported0"],
            1,
        ),
        ("import ok", vec!["import", legacy, "-o", "imported"], 0),
        (
            "import refused",
            vec!["import", legacy, "-o", "imported"],
            2,
        ),
        (
            "run ok (no disks)",
            vec![
                "run",
                "--server",
                "jmirror3",
                "--dry-run",
                "--from-lcfg",
                "no-disks.h",
            ],
            0,
        ),
        (
            "run a disk fails",
            vec![
                "run",
                "--server",
                "jmirror1",
                "--dry-run",
                "--timeout",
                "2s",
            ],
            1,
        ),
        ("run no contract", vec!["run", "--server", "nosuch"], 2),
        (
            "report ok",
            vec![
                "report",
                "--server",
                "jmirror1",
                "--state",
                "jmirror1-state",
            ],
            0,
        ),
        (
            "report no answer",
            vec!["report", "--all", "--via", "dir=state"],
            1,
        ),
        (
            "report bad --via",
            vec!["report", "--all", "--via", "pigeon"],
            2,
        ),
        ("status problems", vec!["status", "--from", "all.json"], 1),
        ("status ok", vec!["status", "--from", "clean.json"], 0),
        (
            "status no report",
            vec!["status", "--from", "nowhere.json"],
            2,
        ),
    ];
    for (what, args, want) in &cases {
        if *what == "status problems" {
            // The merged report of nobody answering, then the same with nothing in it.
            let o = run(
                dir,
                &["report", "--all", "--via", "dir=state", "--format", "json"],
                None,
            );
            fs::write(dir.join("all.json"), &o.stdout).expect("write");
            let mut clean: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
            clean["disks"] = serde_json::json!([]);
            clean["servers"] = serde_json::json!([]);
            fs::write(dir.join("clean.json"), clean.to_string()).expect("write");
        }
        let o = run(dir, args, None);
        assert_eq!(
            code(&o),
            *want,
            "{what}: {args:?}\n{}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    // A difference: the drained server retired.
    let jcmb = dir.join("site/jcmb.yaml");
    let text = fs::read_to_string(&jcmb).expect("read");
    fs::write(&jcmb, text.replacen("state: drain", "state: retired", 1)).expect("write");
    assert_eq!(code(&run(dir, &["diff"], None)), 1, "diff differs");
    let o = run(dir, &["check", "--min-servers", "3"], None);
    assert!(
        stderr(&o).contains("mirrorc::too_few_servers"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("fewer than --min-servers 3"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        code(&run(dir, &["check", "--min-servers", "2"], None)),
        0,
        "every set has 2"
    );
}

/// `verify`: 0 passed, 1 findings, 2 without rsync (never a pass).
#[test]
fn verify_exit_codes() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !crate::rsync_e2e::have_rsync() {
        crate::rsync_e2e::skip("verify_exit_codes", "no rsync on PATH");
        return;
    }
    assert_eq!(code(&run(repo, &["verify"], None)), 0);
    let bad = "tests/fixtures/errors/unknown_site-typo";
    assert_eq!(code(&run(repo, &["verify", bad], None)), 1);
    let o = run(repo, &["verify", "--format", "json"], Some("/nonexistent"));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(doc["result"], "no_rsync");
}
