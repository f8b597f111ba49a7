//! Conditional directives for the small expander: which lines are live. `#ifdef`, `#ifndef`,
//! `#else`, `#endif` as in cpp; `#if`/`#elif` understand only integer literals and
//! `defined NAME` / `defined(NAME)`, optionally negated with `!` (else: an error).

use std::ops::Range;

use super::error::{to_span, LcfgError};
use super::{CondKind, Word};

/// The stack of open conditionals.
#[derive(Default)]
pub(super) struct Conditionals {
    stack: Vec<Frame>,
}

struct Frame {
    /// Whether the enclosing region is live.
    parent: bool,
    /// Whether some branch of this conditional has been taken.
    taken: bool,
    /// Whether the current branch is live.
    active: bool,
    /// The opening directive, for "never closed".
    span: Range<usize>,
    kind: CondKind,
}

impl Conditionals {
    /// Whether lines here are live.
    pub(super) fn active(&self) -> bool {
        self.stack.last().is_none_or(|f| f.active)
    }

    /// Applies one directive; `defined` says whether a macro exists right now.
    pub(super) fn apply(
        &mut self,
        kind: CondKind,
        arg: &Word,
        span: &Range<usize>,
        defined: impl Fn(&str) -> bool,
    ) -> Result<(), LcfgError> {
        let live = self.active();
        let test = |live: bool| match kind {
            _ if !live => Ok(false),
            CondKind::Ifdef => Ok(defined(&arg.text)),
            CondKind::Ifndef => Ok(!defined(&arg.text)),
            CondKind::If | CondKind::Elif | CondKind::Else | CondKind::Endif => {
                simple(&arg.text, &defined).ok_or_else(|| LcfgError::UnsupportedCondition {
                    expr: arg.text.clone(),
                    span: to_span(span),
                })
            }
        };
        match kind {
            CondKind::Ifdef | CondKind::Ifndef | CondKind::If => {
                // An unsupported condition still opens a (dead) branch, so its #endif matches.
                let cond = test(live);
                let ok = *cond.as_ref().unwrap_or(&false);
                self.stack.push(Frame {
                    parent: live,
                    taken: ok,
                    active: ok,
                    span: span.clone(),
                    kind,
                });
                cond?;
            }
            CondKind::Elif | CondKind::Else | CondKind::Endif => {
                let unbalanced = || LcfgError::UnbalancedConditional {
                    directive: name(kind),
                    span: to_span(span),
                };
                let frame = self.stack.last_mut().ok_or_else(unbalanced)?;
                let cond = match kind {
                    CondKind::Elif => !frame.taken && test(frame.parent)?,
                    _ => !frame.taken,
                };
                frame.active = frame.parent && cond;
                frame.taken |= cond || kind == CondKind::Else;
                if kind == CondKind::Endif {
                    self.stack.pop();
                }
            }
        }
        Ok(())
    }

    /// Errors for conditionals still open at the end of the input.
    pub(super) fn finish(self) -> Vec<LcfgError> {
        let never = |f: Frame| LcfgError::UnbalancedConditional {
            directive: name(f.kind),
            span: to_span(&f.span),
        };
        self.stack.into_iter().map(never).collect()
    }
}

fn name(kind: CondKind) -> &'static str {
    match kind {
        CondKind::Ifdef => "#ifdef",
        CondKind::Ifndef => "#ifndef",
        CondKind::If => "#if",
        CondKind::Elif => "#elif",
        CondKind::Else => "#else",
        CondKind::Endif => "#endif",
    }
}

/// `1`, `0`, `defined X`, `defined(X)`, `!...`; anything else is `None`.
fn simple(expr: &str, defined: &impl Fn(&str) -> bool) -> Option<bool> {
    let e = expr.trim();
    if let Some(rest) = e.strip_prefix('!') {
        return simple(rest, defined).map(|b| !b);
    }
    if let Some(rest) = e
        .strip_prefix("defined")
        .filter(|r| r.starts_with([' ', '\t', '(']))
    {
        let inner = rest.trim();
        let inner = inner
            .strip_prefix('(')
            .and_then(|i| i.strip_suffix(')'))
            .unwrap_or(inner)
            .trim();
        return super::is_valid_name(inner.trim_start_matches('_')).then(|| defined(inner));
    }
    e.parse::<i64>().ok().map(|n| n != 0)
}
