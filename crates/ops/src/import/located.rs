//! [`Located`]: an LCFG diagnostic moved to a span of a legacy file. The LCFG stage reports
//! spans in the text it was given; import gives it spliced or preprocessed text, so the span is
//! translated back here while the code, wording and help stay the LCFG stage's own.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, Severity, SourceSpan};

use mirrorc_lcfg::LcfgError;

/// An [`LcfgError`] whose labels point at `span` instead of its own span.
#[derive(Debug, Clone)]
pub struct Located {
    inner: LcfgError,
    span: SourceSpan,
}

impl Located {
    /// Wraps `inner`, pointing its labels at `span`.
    pub fn new(inner: LcfgError, span: SourceSpan) -> Self {
        Located { inner, span }
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels: Vec<LabeledSpan> = match self.inner.labels() {
            Some(it) => it
                .map(|l| LabeledSpan::new_with_span(l.label().map(str::to_string), self.span))
                .collect(),
            None => vec![LabeledSpan::new_with_span(None, self.span)],
        };
        Some(Box::new(labels.into_iter()))
    }
}
