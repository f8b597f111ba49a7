//! [`ExitStatus`]: the only place exit codes are chosen (ripgrep, diff(1)): 0 ok or no
//! differences, 1 findings or differences, 2 usage, I/O, refused or internal error.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Exit 0: done, nothing found, no differences.
    Success,
    /// Exit 1: findings, differences, or something that is not as it should be.
    Findings,
    /// Exit 2: usage, I/O or internal error, or a refusal to change files.
    Failure,
}

impl ExitStatus {
    /// `Findings` when `found`, else `Success`.
    pub(crate) fn found(found: bool) -> ExitStatus {
        if found {
            ExitStatus::Findings
        } else {
            ExitStatus::Success
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> std::process::ExitCode {
        std::process::ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Failure => 2,
        })
    }
}
