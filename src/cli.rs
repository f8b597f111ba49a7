//! The command line: clap arguments → a command, and the only place that knows about stdout,
//! stderr, colour and exit codes (0 ok / 1 findings or differences / 2 usage, I/O or
//! internal error). Each command is a short function over the library's stages.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{self, Finding, TextStyle};
use crate::output::manifest::Manifest;
use crate::output::stream::{Outcome, Streamed};
use crate::source::{self, SourceMap};
use crate::{explain, output, schema, Compiled};

/// Compiles an rsync mirror inventory into LCFG resources, rsyncd.conf and hosts-allow lines.
#[derive(Parser, Debug)]
#[command(name = "mirrorc", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile the inventory and write every output file into the output folder.
    Compile {
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Output folder.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Overwrite or delete generated files even if they were edited by hand.
        #[arg(long)]
        force: bool,
        /// Wait for another compile into the same folder to finish (default: refuse).
        #[arg(long)]
        wait: bool,
    },
    /// Check the inventory and report every finding; writes nothing.
    Check {
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Output format of the findings.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Compile in memory and show how the output folder would change (exit 1 if it would).
    Diff {
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Output folder to compare with.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Compare the LCFG headers resource by resource (a reordered list is no change).
        #[arg(long)]
        lcfg: bool,
    },
    /// Explain one host: its server set and assignment, or what a server holds.
    Explain {
        /// Host name as in the inventory.
        host: String,
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the JSON Schema (draft-07) of an inventory file.
    Schema,
    /// Import a hand-kept legacy setup (site headers, server and client profiles) into site files.
    Import {
        /// Legacy files or folders (walked recursively).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Folder searched for `#include`d headers (after the including file's folder).
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Folder for the site files.
        #[arg(short, long, default_value = "site")]
        out: PathBuf,
        /// Overwrite existing site files.
        #[arg(long)]
        force: bool,
        /// Compile the result and compare it host by host with the legacy setup (exit 1 if it differs).
        #[arg(long)]
        check_equivalence: bool,
    },
    /// Compile in memory and let the installed rsync check every client rsyncd.conf.
    Verify {
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Keep the scratch configs and rsync logs in this folder (default: a temporary one).
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Runs mirrorc with the process arguments.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(command: Command) -> io::Result<u8> {
    match command {
        Command::Compile {
            inputs,
            out,
            force,
            wait,
        } => compile(&inputs, &out, force, wait),
        Command::Check {
            inputs,
            format,
            deny_warnings,
        } => check(&inputs, format, deny_warnings),
        Command::Diff {
            inputs,
            out,
            lcfg: false,
        } => diff(&inputs, &out),
        Command::Diff {
            inputs,
            out,
            lcfg: true,
        } => output::lcfg_diff::command(&inputs, &out, report),
        Command::Explain {
            host,
            inputs,
            format,
        } => explain_host(&host, &inputs, format),
        Command::Schema => print_stdout(&schema::json_schema()).map(|_| 0),
        Command::Verify { inputs, out } => crate::verify::command(&inputs, out.as_deref(), report),
        Command::Import {
            inputs,
            include,
            out,
            force,
            check_equivalence,
        } => {
            let args = crate::import::ImportArgs {
                inputs,
                include_dirs: include,
                out,
                force,
                check_equivalence,
            };
            crate::import::command(&args, report)
        }
    }
}

/// Where `compile` and `diff` stand once the inputs are read: the output folder is up to date
/// (anything the inputs say has been shown), the inputs have errors (shown), or there is work.
// One value per run: boxing the Model and manifest would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Start {
    UpToDate,
    Failed,
    Work {
        model: crate::model::Model,
        old: Manifest,
        inputs: output::fresh::Inputs,
    },
}

/// Reads the inputs and the output folder's manifest. An output folder written by this mirrorc
/// from exactly these inputs and untouched since is up to date; when that compile reported
/// nothing, there is nothing to parse or show either, otherwise the inputs are resolved again
/// so that their warnings are shown.
fn start(inputs: &[PathBuf], out: &std::path::Path, force: bool) -> io::Result<Start> {
    let sources = source::load(inputs)?;
    let key = output::fresh::inputs_key(&sources);
    let old = match Manifest::read(out) {
        Err(e) if force && output::manifest::Corrupt::of(&e).is_some() => {
            eprintln!(
                "warning: {e}\n  --force: every file in {} is treated as not generated by \
                 mirrorc (replaced where a new file goes, never deleted)",
                out.display()
            );
            Manifest::empty()
        }
        other => other?,
    };
    let fresh = output::fresh::is_fresh(out, &old, &key);
    if fresh && old.clean {
        crate::par::drop_behind(old);
        return Ok(Start::UpToDate);
    }
    let resolved = crate::resolve(&sources);
    report(&sources, &resolved.findings);
    let Some(model) = resolved.model else {
        return Ok(Start::Failed);
    };
    if fresh {
        crate::par::drop_behind((model, old));
        return Ok(Start::UpToDate);
    }
    let paths = crate::emit::paths(&model);
    let claimed = old.claimed().into_iter().map(String::as_str);
    output::guard::check_tree(out, paths.iter().map(String::as_str).chain(claimed))?;
    let inputs = output::fresh::Inputs {
        key,
        clean: resolved.findings.is_empty(),
    };
    Ok(Start::Work { model, old, inputs })
}

fn compile(inputs: &[PathBuf], out: &std::path::Path, force: bool, wait: bool) -> io::Result<u8> {
    let _lock = match output::lock::Lock::try_acquire(out)? {
        Some(lock) => lock,
        None if wait => {
            eprintln!("waiting for another mirrorc compile into {}", out.display());
            output::lock::Lock::acquire(out)?
        }
        None => {
            eprintln!(
                "error: another mirrorc compile is writing into {}; run again with --wait to wait for it",
                out.display()
            );
            return Ok(2);
        }
    };
    output::guard::check_output_folder(out, inputs, force)?;
    for line in output::lock::clean_stale(out)? {
        eprintln!("note: {line}");
    }
    let (model, old, key) = match start(inputs, out, force)? {
        Start::UpToDate => {
            eprintln!("{} is up to date", out.display());
            return Ok(0);
        }
        Start::Failed => return Ok(1),
        Start::Work { model, old, inputs } => (model, old, inputs),
    };
    let outcome = match output::stream::compile(out, &model, &old, force, key.clone())? {
        Streamed::Done(outcome) => outcome,
        Streamed::NeedsPlan => match planned(out, &model, &old, key)? {
            Some(outcome) => outcome,
            None => return Ok(2),
        },
    };
    eprintln!(
        "compiled {} files into {} ({} written, {} unchanged, {} removed)",
        outcome.files,
        out.display(),
        outcome.written,
        outcome.unchanged,
        outcome.removed
    );
    crate::par::drop_behind((model, old));
    Ok(0)
}

/// The exact in-memory compile, for when a file in the way may have been edited by hand:
/// every conflict is listed and nothing is written (`None`), or the plan is carried out.
fn planned(
    out: &std::path::Path,
    model: &crate::model::Model,
    old: &Manifest,
    key: output::fresh::Inputs,
) -> io::Result<Option<Outcome>> {
    let artifacts = crate::emit::emit(model)?;
    let mut plan = output::plan(out, old, &artifacts)?;
    if !plan.conflicts.is_empty() {
        eprintln!(
            "error: refusing to change {}: {} file(s) would be lost",
            out.display(),
            plan.conflicts.len()
        );
        for c in &plan.conflicts {
            eprintln!("  {}: {}", out.join(&c.path).display(), c.reason);
        }
        eprintln!(
            "help: move hand edits into the inventory, or run again with --force to replace them"
        );
        return Ok(None);
    }
    output::apply(out, &artifacts, &mut plan, old, key)?;
    let (written, unchanged, removed) = (plan.write.len(), plan.unchanged, plan.remove.len());
    Ok(Some(Outcome {
        files: artifacts.len(),
        written,
        unchanged,
        removed,
    }))
}

fn check(inputs: &[PathBuf], format: Format, deny_warnings: bool) -> io::Result<u8> {
    let sources = source::load(inputs)?;
    let compiled = crate::resolve(&sources);
    let (errors, warnings) = diag::counts(&compiled.findings);
    match format {
        Format::Text => {
            report(&sources, &compiled.findings);
            if errors == 0 && warnings == 0 {
                eprintln!(
                    "ok: {} file(s) checked, no findings",
                    sources.iter().count()
                );
            }
        }
        Format::Json => {
            let json = serde_json::to_string_pretty(&diag::to_json(&sources, &compiled.findings))
                .map_err(io::Error::other)?;
            print_stdout(&(json + "\n"))?;
        }
    }
    crate::par::drop_behind(compiled.model);
    Ok(u8::from(errors > 0 || (deny_warnings && warnings > 0)))
}

fn diff(inputs: &[PathBuf], out: &std::path::Path) -> io::Result<u8> {
    let (model, old) = match start(inputs, out, false)? {
        Start::UpToDate => {
            eprintln!("no differences: {} is up to date", out.display());
            return Ok(0);
        }
        Start::Failed => return Ok(1),
        Start::Work { model, old, .. } => (model, old),
    };
    let artifacts = crate::emit::emit(&model)?;
    let report = output::diff::diff(out, &old, &artifacts)?;
    print_stdout(&report.render())?;
    if report.is_empty() {
        eprintln!("no differences: {} is up to date", out.display());
    }
    Ok(u8::from(!report.is_empty()))
}

fn explain_host(host: &str, inputs: &[PathBuf], format: Format) -> io::Result<u8> {
    let sources = source::load(inputs)?;
    let Compiled {
        findings, model, ..
    } = crate::resolve(&sources);
    let Some(model) = model else {
        report(&sources, &findings);
        return Ok(1);
    };
    let Some(e) = explain::explain(&model, host) else {
        eprintln!("error: no host `{host}` in this estate");
        return Ok(1);
    };
    match format {
        Format::Text => print_stdout(&explain::render(&e))?,
        Format::Json => {
            print_stdout(&(serde_json::to_string_pretty(&e).map_err(io::Error::other)? + "\n"))?
        }
    }
    Ok(0)
}

/// Prints findings and the summary line to stderr.
fn report(sources: &SourceMap, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let text = diag::render_text(sources, findings, text_style());
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if let Some(summary) = diag::summary(findings) {
        let _ = writeln!(err, "{summary}");
    }
}

fn text_style() -> TextStyle {
    let color =
        io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|_| color)
        .unwrap_or(100);
    TextStyle { color, width }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
