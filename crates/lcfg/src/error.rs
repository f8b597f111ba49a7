//! Diagnostics of the LCFG stage: wording, stable code, label and help live on each variant.
//! Errors carry byte spans only, never the source text: the caller attaches the file.
//! Main type: [`LcfgError`].

use std::ops::Range;

use miette::{Diagnostic, SourceSpan};

/// Everything that can be wrong in an LCFG source profile or header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Diagnostic)]
pub enum LcfgError {
    /// A line the grammar does not accept.
    #[error("syntax error: {expected}")]
    #[diagnostic(
        code(mirrorc::lcfg_syntax),
        help("LCFG lines are `component.resource value`, `!component.resource mADD(tags)`, `/* comments */` or cpp directives")
    )]
    Syntax {
        /// What the grammar would have accepted here.
        expected: String,
        /// What it found instead.
        found: String,
        /// Where parsing stopped.
        #[label("found {found}")]
        span: SourceSpan,
    },

    /// A `/*` with no `*/` before the end of the file.
    #[error("unterminated comment")]
    #[diagnostic(
        code(mirrorc::lcfg_unterminated_comment),
        help("close it with `*/`: cpp treats everything after `/*` as comment")
    )]
    UnterminatedComment {
        /// The `/*`.
        #[label("comment starts here")]
        span: SourceSpan,
    },

    /// A component or resource name that breaks LCFG's naming rules.
    #[error("invalid {kind} name `{name}`")]
    #[diagnostic(
        code(mirrorc::lcfg_invalid_name),
        help("component and resource names must match ^[A-Za-z][A-Za-z0-9_]*$")
    )]
    InvalidName {
        /// `component` or `resource`.
        kind: &'static str,
        /// The offending name.
        name: String,
        /// The name.
        #[label("not a valid {kind} name")]
        span: SourceSpan,
    },

    /// A list element that is not a valid LCFG tag.
    #[error("invalid tag `{tag}` in list resource {resource}")]
    #[diagnostic(
        code(mirrorc::lcfg_invalid_tag),
        help("tags must match ^[A-Za-z0-9_]+$ and be separated by blanks (map `-` and `.` to `_`); LCFG clients refuse a profile holding an invalid tag list")
    )]
    InvalidTag {
        /// The offending tag.
        tag: String,
        /// `component.resource` of the list.
        resource: String,
        /// The tag.
        #[label("not a valid tag")]
        span: SourceSpan,
    },

    /// A mutation other than `mSET` and `mADD`.
    #[error("unsupported mutation `{op}` on {resource}")]
    #[diagnostic(
        code(mirrorc::lcfg_unsupported_mutation),
        help("only mSET(value) and mADD(tags) are supported")
    )]
    UnsupportedMutation {
        /// The mutation name, e.g. `mREMOVE`.
        op: String,
        /// `component.resource` it applies to.
        resource: String,
        /// The mutation name.
        #[label("unsupported")]
        span: SourceSpan,
    },

    /// A macro call reached the evaluator, which only reads preprocessed text.
    #[error("macro call `{name}(...)` was not expanded")]
    #[diagnostic(
        code(mirrorc::lcfg_unexpanded_macro),
        help("run the file through cpp (or expand_defines) before evaluating it")
    )]
    UnexpandedMacro {
        /// The macro name.
        name: String,
        /// The call.
        #[label("not expanded")]
        span: SourceSpan,
    },

    /// A call of a macro that no earlier `#define` declares as function-like.
    #[error("unknown macro `{name}`")]
    #[diagnostic(
        code(mirrorc::lcfg_unknown_macro),
        help("define it with `#define {name}(...)` before this line, or include the header that does")
    )]
    UnknownMacro {
        /// The macro name.
        name: String,
        /// The call.
        #[label("no function-like macro of this name is defined here")]
        span: SourceSpan,
    },

    /// A macro called with the wrong number of arguments.
    #[error("macro `{name}` takes {expected} argument(s) but {found} were given")]
    #[diagnostic(
        code(mirrorc::lcfg_macro_arity),
        help("arguments are separated by commas; a comma inside a value splits it")
    )]
    MacroArity {
        /// The macro name.
        name: String,
        /// Parameters in its `#define`.
        expected: usize,
        /// Arguments in the call.
        found: usize,
        /// The call.
        #[label("wrong number of arguments")]
        span: SourceSpan,
    },

    /// A macro whose expansion nests too deeply or grows too large.
    #[error("expansion of macro `{name}` is too deep or too large")]
    #[diagnostic(
        code(mirrorc::lcfg_macro_expansion),
        help("macros may nest at most 64 deep and expand to at most 1 MiB")
    )]
    MacroExpansion {
        /// The macro being expanded when the limit was hit.
        name: String,
        /// The use of the macro.
        #[label("expanded here")]
        span: SourceSpan,
    },
    /// A `#if`/`#elif` expression the small expander cannot evaluate.
    #[error("unsupported condition `{expr}`")]
    #[diagnostic(
        code(mirrorc::lcfg_unsupported_condition),
        help("import understands `#if` with 0, 1 and `defined NAME` only; run the file through cpp first")
    )]
    UnsupportedCondition {
        /// The expression.
        expr: String,
        /// The directive.
        #[label("cannot evaluate this")]
        span: SourceSpan,
    },

    /// `#else`/`#elif`/`#endif` without an open conditional, or one never closed.
    #[error("unbalanced `{directive}`")]
    #[diagnostic(
        code(mirrorc::lcfg_unbalanced_conditional),
        help("every #if, #ifdef and #ifndef needs a matching #endif in the same file")
    )]
    UnbalancedConditional {
        /// The directive, e.g. `#endif`.
        directive: &'static str,
        /// The directive.
        #[label("no matching conditional")]
        span: SourceSpan,
    },
}

/// The primary span of an `LcfgError` (shared or mutable, as the error is borrowed): one list
/// of the variants for both accessors.
macro_rules! span_of {
    ($e:expr) => {
        match $e {
            LcfgError::Syntax { span, .. }
            | LcfgError::UnterminatedComment { span }
            | LcfgError::InvalidName { span, .. }
            | LcfgError::InvalidTag { span, .. }
            | LcfgError::UnsupportedMutation { span, .. }
            | LcfgError::UnexpandedMacro { span, .. }
            | LcfgError::UnknownMacro { span, .. }
            | LcfgError::MacroArity { span, .. }
            | LcfgError::MacroExpansion { span, .. }
            | LcfgError::UnsupportedCondition { span, .. }
            | LcfgError::UnbalancedConditional { span, .. } => span,
        }
    };
}

impl LcfgError {
    /// The primary span, as a byte range.
    pub fn span(&self) -> Range<usize> {
        let s = *self.primary();
        s.offset()..s.offset() + s.len()
    }

    /// Moves the error to `span` (used for text produced by a macro expansion).
    pub(super) fn relocate(mut self, span: &Range<usize>) -> Self {
        *self.span_mut() = to_span(span);
        self
    }

    fn primary(&self) -> &SourceSpan {
        span_of!(self)
    }

    fn span_mut(&mut self) -> &mut SourceSpan {
        span_of!(self)
    }
}

/// A byte range as a miette span.
pub(super) fn to_span(r: &Range<usize>) -> SourceSpan {
    SourceSpan::new(r.start.into(), r.end.saturating_sub(r.start))
}
