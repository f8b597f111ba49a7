//! Diagnostics of `verify`: what the installed rsync did with an rsyncd.conf (deployed, or
//! compiled in memory), and how the deployed tree differs from the inventory. Wording, codes
//! and help live on the variants; none has a span, each names its file (the judge is rsync,
//! reading the configs, not the inventory).

use miette::Diagnostic;
use thiserror::Error;

/// A finding of the real rsync about a generated client rsyncd.conf.
#[derive(Debug, Error, Diagnostic)]
pub enum VerifyError {
    /// rsync logged a complaint while reading the config (unknown parameter, bad line or boolean).
    #[error("rsync complains about {file}: {message}")]
    #[diagnostic(
        code(mirrorc::rsync_config_warning),
        help("rsync ignores what it cannot parse and keeps its defaults, which fail open; fix the emitter or template")
    )]
    ConfigWarning {
        /// The config file (`out/rsync/<client>.conf`, or `rsync/<client>.conf` in memory).
        file: String,
        /// Client whose config it is.
        client: String,
        /// The log line, without timestamp and pid.
        message: String,
    },

    /// A host outside the module's server set got in.
    #[error("rsync admits {address} ({who}) to module `{module}` of {file}")]
    #[diagnostic(
        code(mirrorc::rsync_admits_outsider),
        help(
            "every module needs a non-empty `hosts allow` of its server set and `hosts deny = *`"
        )
    )]
    AdmitsOutsider {
        /// The config file.
        file: String,
        /// Client.
        client: String,
        /// Module (rmirror tag).
        module: String,
        /// Source address that was let in.
        address: String,
        /// What that address is (another server, or an address in no inventory).
        who: String,
    },

    /// A server could write into a module (it must be read only).
    #[error("rsync lets {address} write into module `{module}` of {file}")]
    #[diagnostic(
        code(mirrorc::rsync_accepts_push),
        help("mirror modules are pulled, never pushed: every module needs `read only = yes`")
    )]
    AcceptsPush {
        /// The config file.
        file: String,
        /// Client.
        client: String,
        /// Module (rmirror tag).
        module: String,
        /// Server address that pushed.
        address: String,
    },

    /// A server of the module's server set was refused.
    #[error("rsync refuses server {server} ({address}) on module `{module}` of {file}")]
    #[diagnostic(code(mirrorc::rsync_refuses_server), help("rsync said: {detail}"))]
    RefusesServer {
        /// The config file.
        file: String,
        /// Client.
        client: String,
        /// Module.
        module: String,
        /// Server that should have been admitted.
        server: String,
        /// Its address.
        address: String,
        /// rsync's error output.
        detail: String,
    },

    /// The daemon lists a module to a host that may not open it.
    #[error("rsync lists module `{module}` of {file} to {address}, which may not open it")]
    #[diagnostic(
        code(mirrorc::rsync_lists_module),
        help("private modules need `list = no`")
    )]
    ListsModule {
        /// The config file.
        file: String,
        /// Client.
        client: String,
        /// Module name as listed.
        module: String,
        /// The outsider that asked.
        address: String,
    },

    /// rsync neither admitted nor refused (timeout, crash, broken config).
    #[error("rsync gave no clear answer for {address} on `{target}` of {file}: {detail}")]
    #[diagnostic(
        code(mirrorc::rsync_unexpected),
        help("run `mirrorc verify --keep DIR` and read the rsync.log of {client} kept there")
    )]
    Unexpected {
        /// The config file.
        file: String,
        /// Client.
        client: String,
        /// Module, or `(listing)`.
        target: String,
        /// Source address of the probe.
        address: String,
        /// Exit status and error output.
        detail: String,
    },

    /// A server known only by name: its admission cannot be checked without DNS.
    #[error("not checked: {server} opens the modules of {count} client{} only by name ({fqdn})", if *count == 1 { "" } else { "s" })]
    #[diagnostic(
        code(mirrorc::rsync_check_skipped),
        severity(Advice),
        help("give the server an address in the inventory; names in `hosts allow` depend on DNS at connect time (clients: {clients})")
    )]
    CheckSkipped {
        /// How many clients' sets it is in.
        count: usize,
        /// Those clients (the first ten).
        clients: String,
        /// Server without an address.
        server: String,
        /// The name in `hosts allow`.
        fqdn: String,
    },

    /// A config that makes rsync run a program or read another file (never generated).
    #[error("{file} has `{parameter}`: rsync would run a program or read another file")]
    #[diagnostic(
        code(mirrorc::rsync_runs_program),
        help("mirrorc never writes `early exec`, `pre-xfer exec`, `post-xfer exec`, `name converter`, `motd file`, `&include` or `&merge`; verify commented it out instead of letting rsync run it; remove it from the deployed file")
    )]
    RunsProgram {
        /// The config file.
        file: String,
        /// The parameter or directive as written.
        parameter: String,
    },

    /// A client of the inventory has no rsyncd.conf in the deployed tree.
    #[error("{file} is missing: client {client} has no deployed rsyncd.conf")]
    #[diagnostic(
        code(mirrorc::rsync_deployed_missing),
        help("compile into that folder (`mirrorc compile -o DIR`) and deploy it; until then the client's daemon runs with whatever config it has")
    )]
    DeployedMissing {
        /// The expected file.
        file: String,
        /// Client.
        client: String,
    },

    /// A deployed rsyncd.conf differs from what the inventory compiles to.
    #[error("{file} differs from what the inventory compiles to ({detail})")]
    #[diagnostic(
        code(mirrorc::rsync_deployed_differs),
        severity(Warning),
        help("it was checked as it is; `mirrorc diff -o DIR` shows the difference, `mirrorc compile -o DIR` restores it")
    )]
    DeployedDiffers {
        /// The deployed file.
        file: String,
        /// The first differing line, as `line N: deployed ... | compiled ...`.
        detail: String,
    },

    /// A deployed file (or the folder) that may not or cannot be read.
    #[error("cannot check {file}: {reason}")]
    #[diagnostic(
        code(mirrorc::rsync_deployed_unreadable),
        help("the deployed tree is read as untrusted input: regular files only, no symlinks, at most 4 MiB of UTF-8 each")
    )]
    DeployedUnreadable {
        /// The file or folder.
        file: String,
        /// Why.
        reason: String,
    },

    /// An rsyncd.conf in the deployed tree for a host the inventory does not know.
    #[error("{file} belongs to no client of the inventory")]
    #[diagnostic(
        code(mirrorc::rsync_deployed_extra),
        severity(Warning),
        help("a removed client's leftover? it is not checked; `mirrorc compile -o DIR` deletes the files it generated earlier")
    )]
    DeployedExtra {
        /// The file.
        file: String,
    },

    /// No compiled tree in the output folder: the in-memory compile was verified instead.
    #[error("no compiled tree in {dir} (no {dir}/rsync): verified the in-memory compile instead")]
    #[diagnostic(
        code(mirrorc::rsync_no_deployed_tree),
        severity(Advice),
        help("`mirrorc compile -o {dir}` writes it; `verify --out DIR` checks a tree compiled elsewhere")
    )]
    NoDeployedTree {
        /// The output folder.
        dir: String,
    },

    /// No rsync to ask.
    #[error("rsync is not installed: no `rsync` on PATH, so nothing was verified")]
    #[diagnostic(
        code(mirrorc::rsync_missing),
        help("install it, e.g. `apt-get install -y --no-install-recommends rsync`, and run verify again")
    )]
    RsyncMissing,

    /// remctld could not read a generated remctl configuration.
    #[error("remctld cannot read remctl/{server}/rmirror: {message}")]
    #[diagnostic(
        code(mirrorc::remctl_config_invalid),
        help("remctld would refuse to start (or die on reload) with this file; fix the emitter")
    )]
    RemctlConfigInvalid {
        /// Server whose fragment it is.
        server: String,
        /// remctld's complaint.
        message: String,
    },

    /// No remctld to ask, but the estate generates remctl configurations.
    #[error("remctld is not installed: no `remctld` on PATH or in /usr/sbin, so the remctl configurations were not verified")]
    #[diagnostic(
        code(mirrorc::remctl_missing),
        help("install it, e.g. `apt-get install -y --no-install-recommends remctl-server`, and run verify again")
    )]
    RemctldMissing,
}
