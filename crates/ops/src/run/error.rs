//! [`RunError`]: why a run did not start (exit 2). What goes wrong with one disk is never an
//! error here: it is that disk's status record.

use mirrorc_core::contract::ContractError;

use crate::exec::ExecError;

/// Why `mirrorc run` could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The contract could not be read.
    #[error(transparent)]
    Contract(#[from] ContractError),
    /// The contract or header is for another server.
    #[error("{path} is the contract of `{found}`, not of `{server}`")]
    WrongServer {
        /// The file.
        path: String,
        /// `--server`.
        server: String,
        /// The server it describes.
        found: String,
    },
    /// The LCFG header could not be read, parsed or evaluated, or lacks a resource.
    #[error("{path}: {message}")]
    Lcfg {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A disk read from the contract or header is unusable.
    #[error("disk `{tag}`: {why}")]
    BadPull {
        /// Its tag.
        tag: String,
        /// What is wrong.
        why: String,
    },
    /// `--only` named something the server does not pull.
    #[error("`{name}` is neither a client nor a disk tag of server `{server}`{}\n  known: {}",
        .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(),
        .known.join(" "))]
    UnknownSelection {
        /// The name given.
        name: String,
        /// The server.
        server: String,
        /// The closest known name.
        suggestion: Option<String>,
        /// Every client and tag of the server.
        known: Vec<String>,
    },
    /// Another run of this server holds the lock.
    #[error("another `mirrorc run` holds {path}{}; refusing to run twice at once",
        .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Locked {
        /// The lock file.
        path: String,
        /// The holder's pid, as written in the lock file.
        pid: Option<u32>,
    },
    /// The state folder cannot be created or written.
    #[error("state folder: {path}: {source} (use --state DIR for a writable folder)")]
    State {
        /// The file or folder.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// rsync cannot be run at all.
    #[error("cannot run rsync: {0}")]
    NoRsync(#[source] ExecError),
    /// `--deadline` is not a time.
    #[error("--deadline `{0}`: expected HH:MM (the next such local time) or an RFC 3339 time")]
    BadDeadline(String),
}
