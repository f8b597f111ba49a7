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

use mirrorc_core::diag::JsonFinding;
use serde::Serialize;

use crate::cli::{Command, FindingsFormat, Format};
use crate::exit::ExitStatus;
use crate::print;
use crate::render::json::Counts;

/// Runs one command. With `--format json` every error is the JSON error document too.
pub(crate) fn run(command: Command) -> io::Result<ExitStatus> {
    print::set_json(command.json());
    match command {
        Command::Compile {
            inputs,
            out,
            force,
            wait,
            format,
        } => compile::run(&inputs, &out, force, wait, format == Format::Json),
        Command::Check {
            inputs,
            format,
            deny_warnings,
            min_servers,
        } => check::run(check::CheckArgs {
            inputs,
            format,
            deny_warnings,
            min_servers,
        }),
        Command::Diff {
            inputs,
            out,
            lcfg,
            allow_missing,
            summary,
            format,
        } => diff::run(
            &inputs,
            &out,
            diff::DiffArgs {
                lcfg,
                allow_missing,
                summary,
                json: format == Format::Json,
            },
        ),
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
        Command::Verify {
            inputs,
            out,
            keep,
            format,
        } => verify::run(&inputs, &out, keep.as_deref(), format),
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
            format,
        } => import::run(
            mirrorc_ops::import::ImportArgs {
                inputs,
                include_dirs: include,
                out,
                force,
                check_equivalence,
                cpp_mode: match cpp_mode {
                    crate::cli::CppMode::Traditional => mirrorc_lcfg::CppMode::Traditional,
                    crate::cli::CppMode::Iso => mirrorc_lcfg::CppMode::Iso,
                },
            },
            format == Format::Json,
        ),
    }
}

/// What remctld runs (see `cli::remote_report`).
pub(crate) fn remote_report(args: &[String]) -> ExitStatus {
    report::remote(args)
}

/// Prints findings in a machine format: `doc` (JSON), SARIF or GitHub annotations.
fn machine_findings<D: Serialize>(
    format: FindingsFormat,
    findings: Vec<JsonFinding>,
    doc: impl FnOnce(Vec<JsonFinding>, Counts) -> D,
) -> io::Result<()> {
    match format {
        FindingsFormat::Sarif => print::json(&crate::render::sarif::log(&findings)),
        FindingsFormat::Github => print::stdout(&crate::render::github::annotations(&findings)),
        FindingsFormat::Json | FindingsFormat::Text => {
            let count = |s: &str| findings.iter().filter(|f| f.severity == s).count();
            let counts = Counts {
                errors: count("error"),
                warnings: count("warning"),
            };
            print::json(&doc(findings, counts))
        }
    }
}

/// Reads the inventory files and folders.
fn load(inputs: &[PathBuf]) -> io::Result<mirrorc_core::source::SourceMap> {
    mirrorc_core::source::load(inputs)
}
