//! One file per subcommand. Each reads its arguments, calls one library function, renders
//! what it returns (`print`) and picks the [`ExitStatus`]; no policy lives here.

mod check;
mod compile;
mod diff;
mod explain;
mod import;
mod plan;
mod report;
mod run;
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
        Command::Compile {
            inputs,
            out,
            force,
            wait,
        } => compile::run(&inputs, &out, force, wait),
        Command::Check {
            inputs,
            format,
            deny_warnings,
        } => check::run(&inputs, format, deny_warnings),
        Command::Diff {
            inputs,
            out,
            lcfg,
            allow_missing,
        } => diff::run(&inputs, &out, lcfg, allow_missing),
        Command::Explain {
            host,
            inputs,
            format,
        } => explain::run(&host, &inputs, format),
        Command::Plan {
            inputs,
            without,
            format,
        } => plan::run(&inputs, &without, format),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut crate::cli::command(), "mirrorc", &mut buf);
            print::stdout(&String::from_utf8_lossy(&buf))?;
            Ok(ExitStatus::Success)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(crate::cli::command()).render(&mut buf)?;
            print::stdout(&String::from_utf8_lossy(&buf))?;
            Ok(ExitStatus::Success)
        }
        Command::Schema => {
            print::stdout(&mirrorc_core::schema::json_schema())?;
            Ok(ExitStatus::Success)
        }
        Command::Run(args) => run::run(args),
        Command::Report(args) => report::run(args),
        Command::Verify { inputs, out, keep } => verify::run(&inputs, &out, keep.as_deref()),
        Command::Status {
            from,
            contract,
            via,
            timeout,
            html,
            format,
            refresh,
            now,
        } => status::run(status::StatusArgs {
            from,
            contract,
            via,
            timeout,
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
            cpp_mode,
        } => import::run(mirrorc_ops::import::ImportArgs {
            inputs,
            include_dirs: include,
            out,
            force,
            check_equivalence,
            cpp_mode: match cpp_mode {
                crate::cli::CppMode::Traditional => mirrorc_lcfg::CppMode::Traditional,
                crate::cli::CppMode::Iso => mirrorc_lcfg::CppMode::Iso,
            },
        }),
    }
}

/// What remctld runs (see `cli::remote_report`).
pub(crate) fn remote_report(args: &[String]) -> ExitStatus {
    report::remote(args)
}

/// Reads the inventory files and folders.
fn load(inputs: &[PathBuf]) -> io::Result<mirrorc_core::source::SourceMap> {
    mirrorc_core::source::load(inputs)
}
