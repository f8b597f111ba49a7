//! Extra rsyncd.conf module parameters (`rsync:` at site defaults, client and path level):
//! each declaration is checked where it is written (types were checked by the decoder; here
//! every value passes `check::value`, the injection rules of every emitted value, and its own
//! shape), access parameters are refused with their reason, and `merge` resolves a path's
//! parameters key by key, narrowest wins. Main type: `model::RsyncParams`. No I/O.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::{check, Cx};
use crate::model::RsyncParams;
use crate::source::{FileId, Sp};
use crate::syntax::ast::RsyncDecl;

/// A refused or malformed extra rsync parameter.
#[derive(Debug, Error, Diagnostic)]
pub enum RsyncError {
    /// An access parameter under `rsync:`.
    #[error("`{key}` cannot be set under `rsync:`: it decides access")]
    #[diagnostic(code(mirrorc::rsync_access_parameter), help("{why}"))]
    Access {
        /// The key as written.
        key: String,
        /// Why mirrorc keeps it.
        why: &'static str,
        /// The key.
        #[label("access parameter")]
        span: SourceSpan,
    },
    /// A value rsyncd.conf would misread, or of the wrong shape for its parameter.
    #[error("invalid `{key}` value `{value}`")]
    #[diagnostic(
        code(mirrorc::invalid_rsync_parameter),
        help("`refuse_options` are option names (`delete`, `compress`, `delete-*`); `filter` rules are `- PATTERN` or `+ PATTERN`; `dont_compress` entries are patterns such as `*.gz`; none may hold spaces, `%` or other characters rsyncd.conf or cpp would misread")
    )]
    Invalid {
        /// The parameter.
        key: &'static str,
        /// The value.
        value: String,
        /// Why.
        #[label("{reason}")]
        span: SourceSpan,
        /// Why.
        reason: String,
    },
}

/// Why each access parameter stays mirrorc's.
fn why(norm: &str) -> &'static str {
    match norm {
        "hostsallow" | "hostsdeny" => "mirrorc writes `hosts allow` from the client's server set and `hosts deny = *` on every module; to change who may pull, change `mirrored_by`, the servers or their `state`",
        "readonly" | "writeonly" => "every module is `read only = yes`, `write only = no`: a mirror server only pulls, and a writable module would let it (or anyone it admits) change the client's files",
        "list" => "every module is `list = no`: a listed module shows its name to hosts that may not open it",
        "authusers" | "secretsfile" => "access is by the servers' addresses (`hosts allow`); rsync users and secrets are not managed by mirrorc",
        "uid" | "gid" => "the daemon's user is one estate-wide choice: set `uid`/`gid` under `estate:` (see README)",
        "usechroot" => "every module is `use chroot = yes`, so a symlink in the mirrored tree cannot reach outside it",
        _ => "a module's `path` is the path's own: set it under `paths:`",
    }
}

/// The access parameter name of `key` (lower case, no blanks, `_` or `-`).
fn normalized(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Checks one `rsync:` declaration and reports every problem in `file`.
pub fn check(cx: &mut Cx, file: FileId, decl: Option<&Sp<RsyncDecl>>) {
    let Some(d) = decl else { return };
    for key in &d.refused {
        let (key, why, span) = (key.to_string(), why(&normalized(key)), key.span());
        push(cx, file, RsyncError::Access { key, why, span });
    }
    let lists = [
        ("refuse_options", &d.refuse_options, option_name as Rule),
        ("filter", &d.filter, filter_rule),
        ("dont_compress", &d.dont_compress, check::exclude),
    ];
    for (key, list, rule) in lists {
        for v in list.iter().flat_map(|l| l.iter()) {
            if let Err(reason) = check::value(v).and_then(|()| rule(v)) {
                let (value, span) = (check::printable(v), v.span());
                push(
                    cx,
                    file,
                    RsyncError::Invalid {
                        key,
                        value,
                        span,
                        reason,
                    },
                );
            }
        }
    }
}

type Rule = fn(&str) -> Result<(), String>;

/// An rsync option name as `refuse options` takes it: letters, digits, `-`, wildcards `*`/`?`,
/// an optional leading `!`.
fn option_name(v: &str) -> Result<(), String> {
    let body = v.strip_prefix('!').unwrap_or(v);
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '*' | '?');
    match body.is_empty() || !body.chars().all(ok) {
        true => Err("not an option name".into()),
        false => Ok(()),
    }
}

/// A daemon filter rule, `- PATTERN` or `+ PATTERN`: rsync splits the list on spaces, and
/// merge rules (`.`, `:`) would read a file named in the inventory.
fn filter_rule(v: &str) -> Result<(), String> {
    let Some(pattern) = v.strip_prefix("- ").or_else(|| v.strip_prefix("+ ")) else {
        return Err("write `- PATTERN` (exclude) or `+ PATTERN` (include)".into());
    };
    check::exclude(pattern)
}

/// A path's parameters: each key from the narrowest declaration that sets it.
pub fn merge(levels: [Option<&Sp<RsyncDecl>>; 3]) -> RsyncParams {
    let mut out = RsyncParams::default();
    for d in levels.into_iter().flatten() {
        let words = |l: &Option<Sp<Vec<Sp<String>>>>| {
            l.as_ref()
                .map(|l| l.iter().map(|v| v.to_string()).collect())
        };
        out.timeout = d.timeout.as_ref().map(|v| **v).or(out.timeout);
        out.max_connections = d
            .max_connections
            .as_ref()
            .map(|v| **v)
            .or(out.max_connections);
        out.refuse_options = words(&d.refuse_options).or(out.refuse_options);
        out.filter = words(&d.filter).or(out.filter);
        out.dont_compress = words(&d.dont_compress).or(out.dont_compress);
        out.transfer_logging = d
            .transfer_logging
            .as_ref()
            .map(|v| **v)
            .or(out.transfer_logging);
    }
    out
}

fn push(cx: &mut Cx, file: FileId, e: RsyncError) {
    cx.err(file, e);
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        assert!(super::option_name("delete").is_ok());
        assert!(super::option_name("!a").is_ok());
        assert!(super::option_name("delete x").is_err());
        assert!(super::filter_rule("- *.tmp").is_ok());
        assert!(super::filter_rule("+ /keep/").is_ok());
        assert!(super::filter_rule("*.tmp").is_err());
        assert!(super::filter_rule(". /etc/rules").is_err());
        assert!(super::filter_rule("- a b").is_err());
    }
}
