//! The `estate:` block (at most one in the estate) and the max ages of site defaults,
//! clients and paths → `Model::estate`. Its own diagnostics (`EstateError`), span-less helpers
//! (`duration`, `realm`, `program`) whose reasons the callers attach to spans. No I/O.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::resolve::Decls;
use super::Cx;
use std::collections::BTreeMap;

use crate::model::{ClientId, Estate, Model};
use crate::source::{FileId, Sp};
use crate::syntax::ast::{Ast, EstateDecl, PathDecl, SiteFile};

/// A problem with the estate settings or a max age.
#[derive(Debug, Error, Diagnostic)]
pub enum EstateError {
    /// Two files carry an `estate:` block.
    #[error("the estate settings are given twice")]
    #[diagnostic(
        code(mirrorc::duplicate_estate),
        help("keep one `estate:` block, in one site file of the estate")
    )]
    Duplicate {
        /// The second block.
        #[label("second `estate:` block")]
        span: SourceSpan,
    },
    /// A realm that is not a Kerberos realm name.
    #[error("invalid Kerberos realm `{realm}`")]
    #[diagnostic(
        code(mirrorc::invalid_realm),
        help("a realm is upper-case letters, digits, `.` and `-`, e.g. `INF.ED.AC.UK`")
    )]
    InvalidRealm {
        /// The value.
        realm: String,
        /// Why.
        #[label("{reason}")]
        span: SourceSpan,
        /// Why.
        reason: String,
    },
    /// A max age that is not a duration.
    #[error("invalid max age `{value}`")]
    #[diagnostic(
        code(mirrorc::invalid_max_age),
        help("write a duration of whole units: `36h`, `2d`, `1d12h`, `90m` (s, m, h, d)")
    )]
    InvalidMaxAge {
        /// The value.
        value: String,
        /// Why.
        #[label("{reason}")]
        span: SourceSpan,
        /// Why.
        reason: String,
    },
    /// A mirrorc path remctld could not run.
    #[error("invalid mirrorc path `{value}`")]
    #[diagnostic(
        code(mirrorc::invalid_program_path),
        help("give the absolute path of the mirrorc binary on the servers, without spaces (remctld splits its lines on whitespace)")
    )]
    InvalidProgram {
        /// The value.
        value: String,
        /// Why.
        #[label("{reason}")]
        span: SourceSpan,
        /// Why.
        reason: String,
    },
    /// A `pid_file` or `lock_file` rsyncd.conf cannot carry safely.
    #[error("invalid `{key}` `{value}`")]
    #[diagnostic(
        code(mirrorc::invalid_daemon_file),
        help("give an absolute path without `.`/`..` parts, e.g. `/run/rmirrorclient-rsyncd.pid`; it is written into every client's rsyncd.conf")
    )]
    InvalidDaemonFile {
        /// `pid_file` or `lock_file`.
        key: &'static str,
        /// The value.
        value: String,
        /// Why.
        #[label("{reason}")]
        span: SourceSpan,
        /// Why.
        reason: String,
    },
    /// A `uid` or `gid` that is neither a user/group name nor a number.
    #[error("invalid `{key}` `{value}`")]
    #[diagnostic(
        code(mirrorc::invalid_daemon_user),
        help("a user or group name (`root`, `backup`, lower-case letters, digits, `_`, `-`, at most 32) or a number; the default `root` lets the daemon read every file")
    )]
    InvalidDaemonUser {
        /// `uid` or `gid`.
        key: &'static str,
        /// The value.
        value: String,
        /// The value.
        #[label("not a user or group")]
        span: SourceSpan,
    },
    /// Port 0.
    #[error("remctl port 0 is not a port")]
    #[diagnostic(code(mirrorc::invalid_remctl_port), help("remctld's default is 4373"))]
    InvalidPort {
        /// The value.
        #[label("not a port")]
        span: SourceSpan,
    },
}

/// Fills `model.estate` from the estate block and the max ages; reports every problem.
pub fn resolve(cx: &mut Cx, ast: &Ast, model: &mut Model, decls: &Decls<'_>) {
    let mut estate = Estate::default();
    let mut blocks = ast
        .files
        .iter()
        .filter_map(|(f, s)| s.estate.as_ref().map(|e| (*f, e)));
    if let Some((file, e)) = blocks.next() {
        if let Some(r) = &e.realm {
            match realm(r) {
                Ok(()) => estate.realm = Some(r.to_string()),
                Err(reason) => push(cx, file, invalid_realm(r, reason)),
            }
        }
        if let Some(p) = &e.remctl_port {
            match **p {
                0 => push(cx, file, EstateError::InvalidPort { span: p.span() }),
                port => estate.remctl_port = port,
            }
        }
        if let Some(a) = max_age(cx, file, e.max_age.as_ref()) {
            estate.max_age_seconds = a;
        }
        if let Some(m) = &e.mirrorc {
            match program(m) {
                Ok(()) => estate.mirrorc = m.to_string(),
                Err(reason) => push(cx, file, invalid_program(m, reason)),
            }
        }
        daemon(cx, file, e, &mut estate);
    }
    for (file, e) in blocks {
        push(cx, file, EstateError::Duplicate { span: e.span() });
    }
    estate.client_max_age = client_max_ages(cx, ast, model, decls, estate.max_age_seconds);
    estate.path_max_age = path_max_ages(cx, decls);
    model.estate = estate;
}

/// The runner and the client daemon's files and user (`runner`, `pid_file`, `lock_file`,
/// `uid`, `gid`).
fn daemon(cx: &mut Cx, file: FileId, e: &EstateDecl, estate: &mut Estate) {
    if let Some(r) = &e.runner {
        estate.runner = **r;
    }
    let path = |cx: &mut Cx, key: &'static str, v: &Option<Sp<String>>| {
        let v = v.as_ref()?;
        match super::check::abs_path(v) {
            Ok(()) => Some(v.to_string()),
            Err(reason) => {
                let reason = reason.unwrap_or_else(|| "not an absolute path".into());
                let (value, span) = (super::check::printable(v), v.span());
                push(
                    cx,
                    file,
                    EstateError::InvalidDaemonFile {
                        key,
                        value,
                        span,
                        reason,
                    },
                );
                None
            }
        }
    };
    if let Some(p) = path(cx, "pid_file", &e.pid_file) {
        estate.pid_file = p;
    }
    estate.lock_file = path(cx, "lock_file", &e.lock_file);
    let user = |cx: &mut Cx, key: &'static str, v: &Option<Sp<String>>| {
        let v = v.as_ref()?;
        if user_or_group(v) {
            return Some(v.to_string());
        }
        let (value, span) = (super::check::printable(v), v.span());
        push(
            cx,
            file,
            EstateError::InvalidDaemonUser { key, value, span },
        );
        None
    };
    if let Some(u) = user(cx, "uid", &e.uid) {
        estate.uid = u;
    }
    if let Some(g) = user(cx, "gid", &e.gid) {
        estate.gid = g;
    }
}

/// A POSIX-portable user or group name (`[a-z_][a-z0-9_-]*`, at most 32) or a number.
pub fn user_or_group(v: &str) -> bool {
    let number = !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit());
    let first = v
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    let rest = v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    number || (first && rest && v.len() <= 32 && super::check::cpp_safe(v).is_ok())
}

/// Client `max_age`, else its site's `defaults.max_age`, else the estate's.
fn client_max_ages(
    cx: &mut Cx,
    ast: &Ast,
    model: &Model,
    decls: &Decls<'_>,
    estate: u64,
) -> Vec<u64> {
    let site_age: Vec<u64> = model
        .sites
        .iter()
        .map(|site| {
            let found = ast.files.iter().find(|(_, f)| f.site.as_str() == site.name);
            found
                .and_then(|(file, f)| max_age(cx, *file, site_default(f)))
                .unwrap_or(estate)
        })
        .collect();
    let mut out = Vec::with_capacity(model.clients.len());
    for (i, c) in model.clients.iter().enumerate() {
        let own = decls
            .clients
            .get(i)
            .and_then(|d| max_age(cx, d.file, d.decl.max_age.as_ref()));
        out.push(own.unwrap_or(site_age[c.site.0 as usize]));
    }
    out
}

/// Paths (table form) with their own `max_age`.
fn path_max_ages(cx: &mut Cx, decls: &Decls<'_>) -> BTreeMap<(ClientId, String), u64> {
    let mut out = BTreeMap::new();
    for (i, d) in decls.clients.iter().enumerate() {
        for (tag, p) in &d.decl.paths {
            let PathDecl::Table(t) = &**p else { continue };
            if let Some(a) = max_age(cx, d.file, t.max_age.as_ref()) {
                out.insert((ClientId(i as u32), tag.to_string()), a);
            }
        }
    }
    out
}

fn push(cx: &mut Cx, file: FileId, e: EstateError) {
    cx.err(file, e);
}

fn site_default(f: &SiteFile) -> Option<&Sp<String>> {
    f.defaults.as_ref().and_then(|d| d.max_age.as_ref())
}

fn max_age(cx: &mut Cx, file: FileId, v: Option<&Sp<String>>) -> Option<u64> {
    let v = v?;
    match duration(v) {
        Ok(s) => Some(s),
        Err(reason) => {
            push(
                cx,
                file,
                EstateError::InvalidMaxAge {
                    value: v.to_string(),
                    span: v.span(),
                    reason,
                },
            );
            None
        }
    }
}

fn invalid_realm(r: &Sp<String>, reason: String) -> EstateError {
    EstateError::InvalidRealm {
        realm: r.to_string(),
        span: r.span(),
        reason,
    }
}

fn invalid_program(m: &Sp<String>, reason: String) -> EstateError {
    EstateError::InvalidProgram {
        value: m.to_string(),
        span: m.span(),
        reason,
    }
}

/// Seconds of a duration such as `36h`, `1d12h`, `90m`; at least one second, at most a year.
pub fn duration(text: &str) -> Result<u64, String> {
    let mut total: u64 = 0;
    let mut digits = String::new();
    if text.is_empty() {
        return Err("empty".into());
    }
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(format!("`{ch}` is not a unit (s, m, h, d)")),
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("a number must come before `{ch}`"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        digits.clear();
    }
    if !digits.is_empty() {
        return Err("a unit must follow the last number (s, m, h, d)".into());
    }
    match total {
        0 => Err("must be longer than zero".into()),
        t if t > 366 * 86400 => Err("longer than a year".into()),
        t => Ok(t),
    }
}

/// A Kerberos realm as written in a principal: upper-case ASCII letters, digits, `.`, `-`.
pub fn realm(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 255 {
        return Err("must be 1 to 255 characters".into());
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        Some(c) => Err(format!("`{}` is not allowed here", c.escape_default())),
        None if text.starts_with(['.', '-']) || text.ends_with('.') => {
            Err("must not start or end with `.`/`-`".into())
        }
        None => Ok(()),
    }
}

/// An absolute path remctld can run: no whitespace or control characters.
pub fn program(text: &str) -> Result<(), String> {
    if !text.starts_with('/') {
        return Err("not an absolute path".into());
    }
    match text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        Some(c) => Err(format!("`{}` is not allowed here", c.escape_default())),
        None if text.len() > 1024 => Err("longer than 1024 bytes".into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[track_caller]
    fn check(input: &str, expect: &str) {
        let got = match super::duration(input) {
            Ok(s) => s.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect, "{input}");
    }

    #[test]
    fn durations() {
        check("36h", "129600");
        check("1d12h", "129600");
        check("90m", "5400");
        check("0h", "error: must be longer than zero");
        check(
            "36",
            "error: a unit must follow the last number (s, m, h, d)",
        );
        check("h", "error: a number must come before `h`");
        check("3w", "error: `w` is not a unit (s, m, h, d)");
        check("", "error: empty");
    }

    #[test]
    fn realms_and_programs() {
        assert!(super::realm("MT.TEST").is_ok());
        assert!(super::realm("mt.test").is_err());
        assert!(super::realm("A B").is_err());
        assert!(super::program("/usr/bin/mirrorc").is_ok());
        assert!(super::program("mirrorc").is_err());
        assert!(super::program("/usr/bin/mirror c").is_err());
    }
}
