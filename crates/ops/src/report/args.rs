//! The arguments of `report --server`, which arrive from the network when remctld runs it:
//! client names or disk tags only. Checked before anything else happens: no options (`-`),
//! no paths (`/`, `..`), no shell or control characters, bounded count and length. Nothing
//! here builds a path from an argument; they are only compared with the contract.

/// Most arguments one request may carry.
pub const MAX_ARGS: usize = 64;
/// Longest argument (a DNS name is at most 253 bytes).
pub const MAX_ARG_BYTES: usize = 253;

/// An argument refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    /// More than [`MAX_ARGS`].
    #[error("refused: {0} arguments (at most {MAX_ARGS})")]
    TooMany(usize),
    /// One argument is not a name.
    #[error(
        "refused argument {index} ({shown}): {reason}; arguments are client names or disk tags"
    )]
    Bad {
        /// 1-based position.
        index: usize,
        /// The argument, escaped and shortened.
        shown: String,
        /// Why.
        reason: &'static str,
    },
}

/// Checks every argument; the first bad one is named.
pub fn validate<S: AsRef<str>>(args: &[S]) -> Result<(), ArgError> {
    if args.len() > MAX_ARGS {
        return Err(ArgError::TooMany(args.len()));
    }
    for (i, a) in args.iter().enumerate() {
        if let Err(reason) = name(a.as_ref()) {
            return Err(ArgError::Bad {
                index: i + 1,
                shown: shown(a.as_ref()),
                reason,
            });
        }
    }
    Ok(())
}

/// A host name or tag: `[A-Za-z0-9_.-]`, not starting with `-` or `.`, no `..`.
fn name(a: &str) -> Result<(), &'static str> {
    if a.is_empty() {
        return Err("empty");
    }
    if a.len() > MAX_ARG_BYTES {
        return Err("too long");
    }
    if a.starts_with('-') {
        return Err("options are not accepted");
    }
    if !a
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
    {
        return Err("only letters, digits, `_`, `.` and `-` are allowed");
    }
    if a.starts_with('.') || a.contains("..") {
        return Err("not a name");
    }
    Ok(())
}

/// The argument quoted, control characters escaped, cut at 40 characters.
fn shown(a: &str) -> String {
    let cut: String = a.chars().take(40).collect();
    let more = if a.chars().count() > 40 { "..." } else { "" };
    format!("`{}`{more}", cut.escape_debug())
}

#[cfg(test)]
mod tests {
    #[track_caller]
    fn check(arg: &str, expect: &str) {
        let got = match super::validate(&[arg]) {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, expect);
    }

    #[test]
    fn names_pass_and_hostile_arguments_are_refused() {
        check("fpc001", "ok");
        check("fpc001_home", "ok");
        check("fpc-1.inf.ed.ac.uk", "ok");
        check("--help", "refused argument 1 (`--help`): options are not accepted; arguments are client names or disk tags");
        check("../../etc/passwd", "refused argument 1 (`../../etc/passwd`): only letters, digits, `_`, `.` and `-` are allowed; arguments are client names or disk tags");
        check(
            "..",
            "refused argument 1 (`..`): not a name; arguments are client names or disk tags",
        );
        check("a;rm -rf /", "refused argument 1 (`a;rm -rf /`): only letters, digits, `_`, `.` and `-` are allowed; arguments are client names or disk tags");
        check("$(id)", "refused argument 1 (`$(id)`): only letters, digits, `_`, `.` and `-` are allowed; arguments are client names or disk tags");
        check("a\nb", "refused argument 1 (`a\\nb`): only letters, digits, `_`, `.` and `-` are allowed; arguments are client names or disk tags");
        let long = "a".repeat(10_000);
        check(
            &long,
            &format!(
                "refused argument 1 (`{}`...): too long; arguments are client names or disk tags",
                "a".repeat(40)
            ),
        );
        let many = vec!["a"; 65];
        assert!(super::validate(&many).is_err());
    }
}
