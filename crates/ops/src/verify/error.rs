//! Diagnostics of `verify`: what the installed rsync did with a generated rsyncd.conf.
//! Wording, codes and help live on the variants; none has a file span (the judge is rsync,
//! reading generated files, not the inventory).

use miette::Diagnostic;
use thiserror::Error;

/// A finding of the real rsync about a generated client rsyncd.conf.
#[derive(Debug, Error, Diagnostic)]
pub enum VerifyError {
    /// rsync logged a complaint while reading the config (unknown parameter, bad line or boolean).
    #[error("rsync complains about rsync/{client}.conf: {message}")]
    #[diagnostic(
        code(mirrorc::rsync_config_warning),
        help("rsync ignores what it cannot parse and keeps its defaults, which fail open; fix the emitter or template")
    )]
    ConfigWarning {
        /// Client whose config it is.
        client: String,
        /// The log line, without timestamp and pid.
        message: String,
    },

    /// A host outside the module's server set got in.
    #[error("rsync admits {address} ({who}) to module `{module}` of {client}")]
    #[diagnostic(
        code(mirrorc::rsync_admits_outsider),
        help(
            "every module needs a non-empty `hosts allow` of its server set and `hosts deny = *`"
        )
    )]
    AdmitsOutsider {
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
    #[error("rsync lets {address} write into module `{module}` of {client}")]
    #[diagnostic(
        code(mirrorc::rsync_accepts_push),
        help("mirror modules are pulled, never pushed: every module needs `read only = yes`")
    )]
    AcceptsPush {
        /// Client.
        client: String,
        /// Module (rmirror tag).
        module: String,
        /// Server address that pushed.
        address: String,
    },

    /// A server of the module's server set was refused.
    #[error("rsync refuses server {server} ({address}) on module `{module}` of {client}")]
    #[diagnostic(code(mirrorc::rsync_refuses_server), help("rsync said: {detail}"))]
    RefusesServer {
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
    #[error("rsync lists module `{module}` of {client} to {address}, which may not open it")]
    #[diagnostic(
        code(mirrorc::rsync_lists_module),
        help("private modules need `list = no`")
    )]
    ListsModule {
        /// Client.
        client: String,
        /// Module name as listed.
        module: String,
        /// The outsider that asked.
        address: String,
    },

    /// rsync neither admitted nor refused (timeout, crash, broken config).
    #[error("rsync gave no clear answer for {address} on `{target}` of {client}: {detail}")]
    #[diagnostic(
        code(mirrorc::rsync_unexpected),
        help("run `mirrorc verify -o DIR` and read DIR/{client}.log")
    )]
    Unexpected {
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
