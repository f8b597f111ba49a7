//! The command-line arguments (clap): one variant of [`Command`] per subcommand. Parsing
//! only; `commands` runs them. Usage errors exit 2, `--help`/`--version` exit 0.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::exit::ExitStatus;

/// Compiles an rsync mirror inventory into LCFG resources, rsyncd.conf and hosts-allow lines.
#[derive(Parser, Debug)]
#[command(
    name = "mirrorc",
    version,
    about,
    max_term_width = 100,
    after_help = "Exit status: 0 ok or no differences; 1 findings or differences; 2 usage, I/O, invalid inventory (diff), or refused."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour in diagnostics: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print only findings and errors (no summary lines).
    #[arg(long, short, global = true)]
    quiet: bool,
}

/// When to colour diagnostics.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Which C preprocessor dialect `import` reads legacy headers in.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CppMode {
    /// LCFG's: `cpp -traditional -x c -undef -nostdinc -Wall -Wundef -Ui386 -DLCFGNG`.
    Traditional,
    /// ISO C: `cpp -undef`.
    Iso,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Compile the inventory and write every output file into the output folder.
    #[command(
        after_help = "Exit status: 0 compiled or up to date; 1 findings (nothing written); 2 I/O error, another compile running, or refused (hand-edited or foreign files; see --force)."
    )]
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
        /// Output format of the summary (JSON: docs/json.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check the inventory and report every finding; writes nothing.
    #[command(
        after_help = "Exit status: 0 no findings (warnings allowed unless --deny-warnings); 1 errors, warnings with --deny-warnings, or a client below --min-servers; 2 an input cannot be read."
    )]
    Check {
        /// Inventory files or folders (`-`: one file read from stdin, named `<stdin>`).
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Output format of the findings: text (stderr), json, sarif (SARIF 2.1.0) or github
        /// (workflow-command annotations), all on stdout.
        #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
        format: FindingsFormat,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Fail (exit 1) when a client has fewer than N servers in its server set.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        min_servers: Option<u32>,
    },
    /// Compile in memory and show how the output folder would change (exit 1 if it would).
    #[command(
        after_help = "Exit status: 0 no differences; 1 the output folder differs (a deploy is needed); 2 invalid inventory, no output folder (unless --allow-missing) or I/O error."
    )]
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
        /// Compare with an empty folder when the output folder does not exist (else exit 2).
        #[arg(long)]
        allow_missing: bool,
        /// Print the summary per server only (moves, state changes, data to copy), no file diffs.
        #[arg(long, conflicts_with = "lcfg")]
        summary: bool,
        /// Output format (JSON: docs/json.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Explain one host: its server set and assignment, or what a server holds.
    #[command(
        after_help = "Exit status: 0 explained; 1 no such host, or the inventory has errors; 2 an input cannot be read."
    )]
    Explain {
        /// Host: its inventory name, FQDN or one of its addresses.
        host: String,
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Capacity and balance per server, and what losing servers or sites would do.
    #[command(
        after_help = "Exit status: 0 planned; 1 a client would be left with no server, or the inventory has errors; 2 an unknown server or site, or an input cannot be read."
    )]
    Plan {
        /// Inventory files or folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// Simulate losing this server or every server of this site (repeatable).
        #[arg(long, value_name = "SERVER|SITE")]
        without: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(hide = true)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(hide = true)]
    Man,
    /// Print the JSON Schema (draft-07) of an inventory file (always JSON).
    #[command(after_help = "Exit status: 0.")]
    Schema,
    /// Import a hand-kept legacy setup (site headers, server and client profiles) into site files.
    #[command(
        after_help = "Exit status: 0 imported (and equivalent); 1 legacy items dropped, the result does not compile, it is not equivalent, or nothing to import; 2 I/O error or refused (existing site files, see --force)."
    )]
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
        /// How to preprocess: as LCFG does (`cpp -traditional`: `/**/` pastes, `##` is literal)
        /// or as ISO C (`##` pastes).
        #[arg(long, value_enum, default_value_t = CppMode::Traditional, value_name = "MODE")]
        cpp_mode: CppMode,
        /// Output format (JSON: docs/json.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// How the last mirrors went: one server's own view, a client's disks over every server of
    /// its set, or the whole estate (every server asked in parallel, each with a deadline).
    #[command(
        after_help = "Exit status: 0 every disk fresh; 1 a disk stale, failed, never mirrored or unknown, or a server did not answer; 2 nobody could be asked, or a usage or state error."
    )]
    Report(ReportArgs),
    /// Let the installed rsync judge every client rsyncd.conf as deployed in the output folder
    /// against the inventory's intent (the in-memory compile when there is no compiled tree).
    #[command(
        after_help = "Exit status: 0 every check passed; 1 findings (of the inventory, of the deployed tree or of rsync); 2 no rsync (or no remctld when remctl files are generated) on PATH, or I/O error: never a pass."
    )]
    Verify {
        /// Inventory files or folders (`-`: one file read from stdin).
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        /// The compiled tree whose `rsync/*.conf` files are checked as they are.
        #[arg(short, long, default_value = "out", value_name = "DIR")]
        out: PathBuf,
        /// Keep the scratch configs and rsync logs in this folder (default: a temporary one).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// Output format: text (stderr), json, sarif (SARIF 2.1.0) or github (annotations).
        #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
        format: FindingsFormat,
    },
    /// Show the state of every mirror from a merged estate report: a terminal table, JSON, or
    /// one self-contained HTML page (exit 1 when any disk is not ok or a server did not answer).
    #[command(
        after_help = "Exit status: 0 every disk ok and every server answered; 1 a disk not ok or a server silent; 2 no report (unreadable --from, nobody could be asked)."
    )]
    Status {
        /// Read the estate report from this file (`mirrorc report --all --format json` output)
        /// instead of asking every live server now (as `report --all`).
        #[arg(long, value_name = "REPORT.json")]
        from: Option<PathBuf>,
        /// Without --from: folder holding the contracts `servers/<server>.json` (as `report`).
        #[arg(long, default_value = "out", value_name = "DIR")]
        contract: PathBuf,
        /// Without --from: how servers are asked, `remctl` or `dir=PATH` (as `report`).
        #[arg(long, default_value = "remctl", value_name = "HOW")]
        via: String,
        /// Without --from: deadline of each server's answer, in seconds (as `report`).
        #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
        /// Write the HTML page to this file (atomically, mode 0644); prints nothing else
        /// unless --format is given too.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Output format on stdout (default text, or nothing with --html).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Add a meta refresh to the page every SECONDS (wall displays).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..))]
        refresh: Option<u32>,
        /// Measure ages from this time instead of the clock (RFC 3339, e.g. 2026-12-02T06:00:00Z).
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        now: Option<jiff::Timestamp>,
    },
    /// Mirror a server's disks now (its nightly run): dry run, safety limit, pull, status record.
    #[command(
        after_help = "Exit status: 0 every disk ok; 1 any disk not ok (failed, skipped, timed out, interrupted, not started); 2 lock held, state, contract or usage error, or no rsync."
    )]
    Run(RunArgs),
}

/// An RFC 3339 time stamp such as `2026-12-02T06:00:00Z`.
fn parse_time(text: &str) -> Result<jiff::Timestamp, String> {
    text.parse::<jiff::Timestamp>()
        .map_err(|e| format!("not an RFC 3339 time such as 2026-12-02T06:00:00Z: {e}"))
}

/// `mirrorc run`.
/// The arguments of `mirrorc report`.
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("who").required(true))]
pub(crate) struct ReportArgs {
    /// One server's own view, from its status records (what remctld runs).
    #[arg(long, group = "who", value_name = "SERVER")]
    pub(crate) server: Option<String>,
    /// Ask every server of this client's set about its disks.
    #[arg(long, group = "who", value_name = "CLIENT")]
    pub(crate) client: Option<String>,
    /// Ask every live server of the estate about every disk.
    #[arg(long, group = "who")]
    pub(crate) all: bool,
    /// With --server: only these clients or disk tags.
    #[arg(requires = "server")]
    pub(crate) filters: Vec<String>,
    /// Folder holding the contracts `servers/<server>.json` (the compile output).
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub(crate) contract: PathBuf,
    /// With --server: the server's state folder (status records under `disks/`; default
    /// /var/lib/mirrorc/<SERVER>, where `mirrorc run` writes them).
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,
    /// How servers are asked: `remctl`, or `dir=PATH` (state folders PATH/<server>/ here).
    #[arg(long, default_value = "remctl", value_name = "HOW")]
    pub(crate) via: String,
    /// Deadline of each server's answer, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,
    /// Output format (JSON: the documented report wire format).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Judge ages as of this RFC 3339 UTC time instead of the clock (tests, replays).
    #[arg(long, hide = true, value_name = "TIME")]
    pub(crate) now: Option<String>,
}

#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// The server whose disks are pulled (as named in the inventory).
    #[arg(long)]
    pub(crate) server: String,
    /// Output folder of `compile`; the contract read is `<DIR>/servers/<server>.json`.
    #[arg(short, long, default_value = "out", conflicts_with_all = ["contract", "from_lcfg"])]
    pub(crate) out: PathBuf,
    /// Read the contract from this file instead.
    #[arg(long, value_name = "FILE", conflicts_with = "from_lcfg")]
    pub(crate) contract: Option<PathBuf>,
    /// Read the disks from the server's generated LCFG header instead (as LCFG deploys it).
    #[arg(long, value_name = "FILE")]
    pub(crate) from_lcfg: Option<PathBuf>,
    /// Only these clients or disk tags (repeatable).
    #[arg(long, value_name = "CLIENT|TAG")]
    pub(crate) only: Vec<String>,
    /// Pull even when the dry run would delete more than the safety limit (rmirror's -f).
    #[arg(long)]
    pub(crate) force: bool,
    /// Do the dry runs only: show what would happen; write nothing, take no lock.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Pulls at once (default 2).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// rsync's I/O and connect timeout (`--timeout`, `--contimeout`).
    #[arg(long, default_value = "10m", value_parser = mirrorc_ops::run::parse_duration)]
    pub(crate) timeout: std::time::Duration,
    /// Hard limit of one rsync: its process group is killed after this.
    #[arg(long, default_value = "12h", value_parser = mirrorc_ops::run::parse_duration)]
    pub(crate) max_time: std::time::Duration,
    /// Start no pull after this time (`06:00`: the next 06:00, local time; or RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub(crate) deadline: Option<String>,
    /// State folder: lock, status records, history (default /var/lib/mirrorc/<server>).
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

/// `--format` of most commands.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// For people.
    Text,
    /// One versioned JSON document on stdout (docs/json.md).
    Json,
}

/// `--format` of the commands that report findings (`check`, `verify`).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FindingsFormat {
    /// Rustc-style findings on stderr.
    Text,
    /// One versioned JSON document on stdout (docs/json.md).
    Json,
    /// SARIF 2.1.0 on stdout (GitHub code scanning, GitLab, IDEs).
    Sarif,
    /// GitHub Actions workflow commands on stdout (`::error file=...::message`).
    Github,
}

impl Command {
    /// Does this command print a JSON document on stdout (so errors must be JSON too)?
    pub(crate) fn json(&self) -> bool {
        let f = |f: &Format| *f == Format::Json;
        match self {
            Command::Compile { format, .. }
            | Command::Diff { format, .. }
            | Command::Explain { format, .. }
            | Command::Plan { format, .. }
            | Command::Import { format, .. } => f(format),
            // SARIF and annotations have no error document: errors stay text on stderr.
            Command::Check { format, .. } | Command::Verify { format, .. } => {
                *format == FindingsFormat::Json
            }
            Command::Report(a) => f(&a.format),
            Command::Run(a) => f(&a.format),
            Command::Status { format, .. } => format.as_ref().is_some_and(f),
            Command::Schema | Command::Completions { .. } | Command::Man => false,
        }
    }
}

/// The arguments of `report` when remctld runs mirrorc (it sets `REMCTL_COMMAND` and passes
/// the subcommand and the client's arguments as argv): they came from the network, so they
/// are never parsed as options. A non-UTF-8 argument becomes U+FFFD and is refused later.
pub(crate) fn remote_report() -> Option<Vec<String>> {
    std::env::var_os("REMCTL_COMMAND")?;
    let mut argv = std::env::args_os().skip(1);
    if argv.next()? != "report" {
        return None;
    }
    Some(
        argv.map(|a| a.into_string().unwrap_or_else(|_| "\u{fffd}".into()))
            .collect(),
    )
}

/// Parses the process arguments; `Err` carries the exit status after clap printed help,
/// the version or a usage error.
pub(crate) fn parse() -> Result<Command, ExitStatus> {
    match Cli::try_parse() {
        Ok(cli) => {
            crate::print::configure(cli.color, cli.quiet);
            Ok(cli.command)
        }
        Err(e) => {
            let _ = e.print();
            Err(if e.use_stderr() {
                ExitStatus::Failure
            } else {
                ExitStatus::Success
            })
        }
    }
}

/// Parses `argv` (with the program name) like [`parse`], for unit tests of the commands.
#[cfg(test)]
pub(crate) fn parse_from(argv: &[&str]) -> Command {
    Cli::try_parse_from(argv)
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"))
        .command
}

/// The clap command, for completions and the man page.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
