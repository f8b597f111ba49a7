//! The `mirrorc` binary: the command line. Parses the arguments (`cli`), runs one command
//! (`commands/<name>.rs`: one library call, then rendering) and turns its [`ExitStatus`] into
//! the process exit code. The only crate of the workspace that prints.

mod cli;
mod commands;
mod exit;
mod print;
mod progress;
mod render;

use exit::ExitStatus;

fn main() -> std::process::ExitCode {
    if let Some(args) = cli::remote_report() {
        return commands::remote_report(&args).into();
    }
    let status = match cli::parse() {
        Ok(command) => commands::run(command).unwrap_or_else(|e| {
            print::fail(&print::Failure::new("mirrorc::io", e.to_string()));
            ExitStatus::Failure
        }),
        Err(status) => status,
    };
    status.into()
}
