//! Tests of [`run`](super::run) against real programs (/bin/sh, sleep,
//! yes, cat...). Bounds on time are generous: the machine is shared.

use super::*;
use std::thread;
use std::time::Instant;

fn sh(script: &str) -> Job {
    Job::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .timeout(Duration::from_secs(60))
}

fn run_ok(job: &Job) -> Outcome {
    run(job, &Cancel::new()).expect("job should start")
}

/// The first line of stdout as a pid.
fn first_pid(out: &Outcome) -> i32 {
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("a pid on stdout")
}

/// Dead: no /proc entry, or a zombie waiting for a (non-reaping) init.
fn is_dead(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn wait_dead(pid: i32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if is_dead(pid) {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn exit_codes_and_output() {
    let out = run_ok(&sh("echo out; echo err >&2; exit 3"));
    assert_eq!(out.status, Ended::Exited(3));
    assert_eq!(out.stdout, b"out\n");
    assert_eq!(out.stderr, b"err\n");
    assert!(!out.success() && !out.stdout_truncated() && !out.stderr_truncated());
    assert!(run_ok(&Job::new("true")).success());
}

#[test]
fn args_env_and_cwd() {
    let job = sh("printf '%s|%s|%s|%s' \"$0\" \"$1\" \"$MIRRORC_X\" \"$(pwd)\"")
        .args(["zero", "one"])
        .env("MIRRORC_X", "x")
        .env("MIRRORC_GONE", "y")
        .env_remove("MIRRORC_GONE")
        .current_dir("/");
    assert_eq!(run_ok(&job).stdout, b"zero|one|x|/");
    let job = sh("printf '%s' \"${HOME-unset}\"")
        .env_clear()
        .env("PATH", "/usr/bin:/bin");
    assert_eq!(run_ok(&job).stdout, b"unset");
}

#[test]
fn signal_death() {
    let out = run_ok(&sh("kill -TERM $$; sleep 5"));
    assert_eq!(out.status, Ended::Signalled(15));
}

#[test]
fn stdin_is_delivered_while_output_is_drained() {
    assert_eq!(run_ok(&Job::new("cat").stdin("hello\n")).stdout, b"hello\n");
    assert_eq!(run_ok(&Job::new("cat").stdin(Vec::new())).stdout, b"");
    // 8 MiB through cat: both directions must progress together.
    let data: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    let out = run_ok(&Job::new("cat").stdin(data.clone()).stdout_cap(16 << 20));
    assert_eq!(out.status, Ended::Exited(0));
    assert!(out.stdout == data);
    // A child that ignores its stdin must not block us.
    let out = run_ok(&sh("exit 0").stdin(vec![b'x'; 4 << 20]));
    assert_eq!(out.status, Ended::Exited(0));
}

#[test]
fn missing_program_and_bad_cwd() {
    let err = run(&Job::new("mirrorc-no-such-program"), &Cancel::new()).unwrap_err();
    assert!(matches!(err, ExecError::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "program `mirrorc-no-such-program` not found on PATH"
    );
    let err = run(&Job::new("/nonexistent/rsync"), &Cancel::new()).unwrap_err();
    assert_eq!(err.to_string(), "program `/nonexistent/rsync` not found");
    let err = run(
        &Job::new("true").current_dir("/nonexistent-dir"),
        &Cancel::new(),
    )
    .unwrap_err();
    assert!(matches!(err, ExecError::BadCwd { .. }), "{err:?}");
    // A script without execute permission.
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::temp_dir().join(format!("mirrorc-exec-noexec-{}", std::process::id()));
    std::fs::write(&path, "#!/bin/sh\n").expect("write temp script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = run(&Job::new(&path), &Cancel::new()).unwrap_err();
    let _ = std::fs::remove_file(&path);
    assert!(matches!(err, ExecError::PermissionDenied { .. }), "{err:?}");
    assert!(err.to_string().contains("is not executable"));
}

#[test]
fn timeout_kills_the_whole_group() {
    let job = sh("sleep 100 & echo $!; sleep 100").timeout(Duration::from_secs(1));
    let out = run_ok(&job);
    assert_eq!(out.status, Ended::TimedOut);
    assert!(out.elapsed < Duration::from_secs(30), "{:?}", out.elapsed);
    assert!(wait_dead(first_pid(&out)), "background grandchild survived");
}

#[test]
fn leftover_group_members_are_killed_when_the_leader_exits() {
    // The background sleep holds stdout open: reading must not wait for it.
    let out = run_ok(&sh("sleep 100 & echo $!; exit 4"));
    assert_eq!(out.status, Ended::Exited(4));
    assert!(out.elapsed < Duration::from_secs(30), "{:?}", out.elapsed);
    assert!(wait_dead(first_pid(&out)), "background grandchild survived");
}

#[test]
fn escaped_grandchild_holding_the_pipe_does_not_hang_us() {
    // setsid puts the sleep outside our group: we cannot kill it, and it
    // keeps stdout open; run must still return.
    let out = run_ok(&sh("setsid sleep 100 & echo $!"));
    let pid = first_pid(&out);
    if let Some(p) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(p, rustix::process::Signal::KILL);
    }
    assert_eq!(out.status, Ended::Exited(0));
    assert!(out.elapsed < Duration::from_secs(30), "{:?}", out.elapsed);
}

#[test]
fn huge_output_is_capped_and_counted() {
    let cap = 1 << 20;
    let job = sh("yes | head -c 50000000; yes err | head -c 20000000 >&2")
        .stdout_cap(cap)
        .stderr_cap(1000);
    let out = run_ok(&job);
    assert_eq!(out.status, Ended::Exited(0));
    assert_eq!(out.stdout.len(), cap);
    assert_eq!(out.stdout_dropped, 50_000_000 - cap as u64);
    assert!(out.stdout.capacity() <= cap, "memory not bounded");
    assert_eq!(
        (out.stderr.len(), out.stderr_dropped),
        (1000, 20_000_000 - 1000)
    );
    assert!(out.stdout_truncated() && out.stderr_truncated());
}

#[test]
fn endless_output_on_both_streams_until_timeout() {
    let job = sh("yes err >&2 & yes")
        .timeout(Duration::from_secs(2))
        .stdout_cap(4096)
        .stderr_cap(0);
    let out = run_ok(&job);
    assert_eq!(out.status, Ended::TimedOut);
    assert_eq!(out.stdout.len(), 4096);
    assert!(out.stdout_dropped > 0 && out.stderr_dropped > 0 && out.stderr.is_empty());
    assert!(out.elapsed < Duration::from_secs(30), "{:?}", out.elapsed);
}

#[test]
fn cancel_kills_a_running_job_promptly() {
    let cancel = Cancel::new();
    let job = sh("sleep 100 & echo $!; sleep 100").timeout(Duration::from_secs(100));
    let out = thread::scope(|s| {
        let handle = s.spawn(|| run(&job, &cancel));
        thread::sleep(Duration::from_millis(500));
        let asked = Instant::now();
        cancel.cancel();
        let out = handle.join().expect("no panic").expect("started");
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "{:?}",
            asked.elapsed()
        );
        out
    });
    assert_eq!(out.status, Ended::Cancelled);
    assert!(wait_dead(first_pid(&out)));
    // Already cancelled: nothing is spawned.
    let out = run(&Job::new("mirrorc-no-such-program"), &cancel).expect("not spawned");
    assert_eq!(out.status, Ended::Cancelled);
}
