//! How a question reaches a server: a small trait with one file per way. `remctl` runs the
//! real remctl client (Kerberos, the generated ACL decides); `dir` reads state folders on
//! this machine (one host, tests). Adding ssh is one more file and one arm in [`Via`].
//! Every implementation has a deadline and returns an answer or a [`NoAnswer`] saying why.

mod dir;
mod remctl;

use std::path::PathBuf;
use std::time::Duration;

use mirrorc_core::contract::report::ServerReport;
use mirrorc_core::contract::ServerContract;

use crate::exec::Cancel;

/// Why a server gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer {
    /// The kind, for exit codes and grouping.
    pub kind: Why,
    /// What was seen (remctl's message, the parse error), one line.
    pub detail: String,
}

/// Kinds of [`NoAnswer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Could not even be asked here (no remctl program, no realm, no credentials).
    CannotAsk,
    /// Nothing listens, or the host is unreachable.
    NotAnswering,
    /// Asked, but no answer before the deadline.
    TimedOut,
    /// remctld refused: our principal is not in its ACL, or no such command.
    Refused,
    /// The server ran the command and it failed.
    Failed,
    /// An answer came that is not a valid report of that server.
    Malformed,
}

impl Why {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Why::CannotAsk => "cannot ask",
            Why::NotAnswering => "not answering",
            Why::TimedOut => "timed out",
            Why::Refused => "refused",
            Why::Failed => "failed",
            Why::Malformed => "malformed answer",
        }
    }
}

impl NoAnswer {
    /// A no-answer of `kind`.
    pub fn new(kind: Why, detail: impl Into<String>) -> NoAnswer {
        NoAnswer {
            kind,
            detail: detail.into(),
        }
    }
}

/// One way of asking a server for its view.
pub trait Transport: Sync {
    /// Asks `server` for its view of the disks named by `args` (all when empty) and returns
    /// the raw answer, parsed; the caller checks it against the contract.
    fn ask(
        &self,
        server: &ServerContract,
        args: &[String],
        cancel: &Cancel,
    ) -> Result<ServerReport, NoAnswer>;
}

/// Which transport, from `--via`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The remctl client, with a deadline per call.
    Remctl {
        /// The `remctl` program (PATH lookup when bare).
        program: PathBuf,
        /// Deadline of each call.
        timeout: Duration,
    },
    /// State folders on this machine: `<dir>/<server>/`.
    Dir(PathBuf),
}

/// The transport of `via`.
pub fn transport(via: &Via) -> Box<dyn Transport> {
    match via {
        Via::Remctl { program, timeout } => Box::new(remctl::Remctl {
            program: program.clone(),
            timeout: *timeout,
        }),
        Via::Dir(dir) => Box::new(dir::Dir { root: dir.clone() }),
    }
}
