//! One file per subcommand. Each reads its arguments, calls one library function, renders
//! what it returns (`print`) and picks the [`ExitStatus`]; no policy lives here.

mod check;
mod compile;
mod diff;
mod explain;
mod import;
mod status;
mod verify;

use std::io;
use std::path::PathBuf;

use crate::cli::Command;
use crate::exit::ExitStatus;
use crate::print;

/// Runs one command.
pub(crate) fn run(command: Command) -> io::Result<ExitStatus> {
    match command {
        Command::Compile { inputs, out, force } => compile::run(&inputs, &out, force),
        Command::Check {
            inputs,
            format,
            deny_warnings,
        } => check::run(&inputs, format, deny_warnings),
        Command::Diff { inputs, out, lcfg } => diff::run(&inputs, &out, lcfg),
        Command::Explain {
            host,
            inputs,
            format,
        } => explain::run(&host, &inputs, format),
        Command::Schema => {
            print::stdout(&mirrorc_core::schema::json_schema())?;
            Ok(ExitStatus::Success)
        }
        Command::Verify { inputs, out } => verify::run(&inputs, out.as_deref()),
        Command::Status {
            from,
            html,
            format,
            refresh,
            now,
        } => status::run(status::StatusArgs {
            from,
            html,
            format,
            refresh,
            now,
        }),
        Command::Import {
            inputs,
            include,
            out,
            force,
            check_equivalence,
        } => import::run(mirrorc_ops::import::ImportArgs {
            inputs,
            include_dirs: include,
            out,
            force,
            check_equivalence,
        }),
    }
}

/// Reads the inventory files and folders.
fn load(inputs: &[PathBuf]) -> io::Result<mirrorc_core::source::SourceMap> {
    mirrorc_core::source::load(inputs)
}
