//! Helpers shared by the tests that run the real `mirrorc` binary: run it with `NO_COLOR` and
//! a fixed width in a folder, and read its exit code and output.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `mirrorc ARGS` in `cwd` without colour and without a terminal width.
pub(crate) fn mirrorc_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mirrorc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("run mirrorc")
}

/// The exit code (a signal is a test failure).
pub(crate) fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Standard error as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts that standard error contains `text`, showing all of it when not.
#[track_caller]
pub(crate) fn says(o: &Output, text: &str) {
    let err = stderr(o);
    assert!(err.contains(text), "stderr lacks {text:?}:\n{err}");
}
