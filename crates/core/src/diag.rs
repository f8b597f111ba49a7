//! Diagnostics as data: a `Finding` is one user-facing diagnostic (any stage's error enum,
//! boxed) with the file it points into and related notes in other files. This module renders
//! findings as text (miette, rustc-style) or as our documented JSON; it never prints.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Severity};
use serde::Serialize;

use crate::source::{FileId, SourceMap};

/// One diagnostic and where it points.
#[derive(Debug)]
pub struct Finding {
    /// File the diagnostic's labels point into (`None` for estate-wide findings).
    pub file: Option<FileId>,
    /// The diagnostic itself (a variant of a stage's error enum).
    pub diag: Box<dyn Diagnostic + Send + Sync + 'static>,
    /// Notes that point into other files ("first declared here").
    pub related: Vec<Finding>,
}

impl Finding {
    /// A finding in `file`.
    pub fn new(file: FileId, diag: impl Diagnostic + Send + Sync + 'static) -> Self {
        Finding {
            file: Some(file),
            diag: Box::new(diag),
            related: Vec::new(),
        }
    }

    /// A finding not tied to a file.
    pub fn global(diag: impl Diagnostic + Send + Sync + 'static) -> Self {
        Finding {
            file: None,
            diag: Box::new(diag),
            related: Vec::new(),
        }
    }

    /// Adds a related note in another file.
    pub fn with_related(
        mut self,
        file: FileId,
        diag: impl Diagnostic + Send + Sync + 'static,
    ) -> Self {
        self.related.push(Finding::new(file, diag));
        self
    }

    /// Error, warning or advice (errors when the diagnostic does not say).
    pub fn severity(&self) -> Severity {
        self.diag.severity().unwrap_or(Severity::Error)
    }

    /// The stable code, e.g. `mirrorc::unknown_site`.
    pub fn code(&self) -> String {
        self.diag.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// Position used for sorting: file, then byte offset of the first label.
    fn sort_key(&self) -> (Option<FileId>, usize, String) {
        let offset = self
            .diag
            .labels()
            .and_then(|mut l| l.next())
            .map_or(0, |l| l.offset());
        (self.file, offset, self.code())
    }
}

/// The one findings sink: every stage that collects findings (analysis, `import`'s legacy
/// reading and mapping, `verify`) pushes into one of these, and hands them on sorted.
#[derive(Debug, Default)]
pub struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    /// Records a finding.
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Records a diagnostic in `file`.
    pub fn err(&mut self, file: FileId, diag: impl Diagnostic + Send + Sync + 'static) {
        self.push(Finding::new(file, diag));
    }

    /// Records a diagnostic not tied to a file.
    pub fn global(&mut self, diag: impl Diagnostic + Send + Sync + 'static) {
        self.push(Finding::global(diag));
    }

    /// Records a diagnostic with a note in another place ("first declared here").
    pub fn err_with_note(
        &mut self,
        file: FileId,
        diag: impl Diagnostic + Send + Sync + 'static,
        note_file: FileId,
        note: impl Diagnostic + Send + Sync + 'static,
    ) {
        self.push(Finding::new(file, diag).with_related(note_file, note));
    }

    /// Moves every finding of `other` here.
    pub fn append(&mut self, other: Sink) {
        self.findings.extend(other.findings);
    }

    /// The findings so far, in discovery order.
    pub fn as_slice(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings so far, in discovery order (to render or inspect them elsewhere).
    pub fn into_vec(self) -> Vec<Finding> {
        self.findings
    }

    /// The findings, sorted by file and position.
    pub fn into_sorted(mut self) -> Vec<Finding> {
        sort(&mut self.findings);
        self.findings
    }
}

impl Extend<Finding> for Sink {
    fn extend<I: IntoIterator<Item = Finding>>(&mut self, iter: I) {
        self.findings.extend(iter);
    }
}

impl FromIterator<Finding> for Sink {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Self {
        Sink {
            findings: iter.into_iter().collect(),
        }
    }
}

/// Sorts findings by file and position so output does not depend on discovery order.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| f.sort_key());
}

/// Counts of errors and warnings.
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity() == Severity::Warning)
        .count();
    (errors, warnings)
}

/// Do any findings stop the pipeline?
pub fn has_errors(findings: &[Finding]) -> bool {
    counts(findings).0 > 0
}

/// The closing line: `error: aborting due to 2 errors; 1 warning`, or `None` when clean.
pub fn summary(findings: &[Finding]) -> Option<String> {
    let (e, w) = counts(findings);
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (e, w) {
        (0, 0) => None,
        (0, w) => Some(format!("warning: {} emitted", plural(w, "warning"))),
        (e, 0) => Some(format!("error: aborting due to {}", plural(e, "error"))),
        (e, w) => Some(format!(
            "error: aborting due to {}; {}",
            plural(e, "error"),
            plural(w, "warning")
        )),
    }
}

/// How to draw text diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    /// ANSI colours.
    pub color: bool,
    /// Terminal width in columns.
    pub width: usize,
}

/// Renders findings rustc-style, one after another, related notes after their finding.
pub fn render_text(sources: &SourceMap, findings: &[Finding], style: TextStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for f in findings {
        render_one(&handler, sources, f, &mut out);
        for r in &f.related {
            render_one(&handler, sources, r, &mut out);
        }
    }
    out
}

/// One finding in rustc's shape: `error[mirrorc::code]: message`, then miette's snippet (its
/// own `× message` header line is left out: the first line says it).
fn render_one(
    handler: &GraphicalReportHandler,
    sources: &SourceMap,
    f: &Finding,
    out: &mut String,
) {
    let source = f.file.map(|id| Window {
        file: sources.file(id),
    });
    let view = WithSource {
        diag: &*f.diag,
        source,
    };
    let word = match f.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    };
    let _ = writeln!(out, "{word}[{}]: {}", f.code(), f.diag);
    let mut body = String::new();
    if handler.render_report(&mut body, &view).is_err() {
        return;
    }
    // miette's first line is its header (`  × `, empty: the message is ours).
    let body = body.split_once('\n').map_or("", |(_, rest)| rest);
    out.push_str(body);
}

/// A borrowed diagnostic together with the text of its file, for miette's renderer.
struct WithSource<'a> {
    diag: &'a (dyn Diagnostic + Send + Sync + 'static),
    source: Option<Window<'a>>,
}

/// A file as miette's source code, read through its line index: miette gets only the lines
/// around a span, so each finding costs its own few lines, not a scan from the file's start
/// (6,000 findings in one 150 kB file took over a minute that way).
struct Window<'a> {
    file: &'a crate::source::SourceFile,
}

impl miette::SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let text = self.file.text.as_str();
        let starts = self.file.line_starts();
        let offset = span.offset().min(text.len());
        let end = (offset + span.len()).min(text.len());
        let first = starts.partition_point(|s| *s <= offset).max(1) - 1;
        let last = starts.partition_point(|s| *s <= end).max(1) - 1;
        let from_line = first.saturating_sub(before);
        let from = starts[from_line];
        let to = starts.get(last + after + 1).copied().unwrap_or(text.len());
        let inner = miette::SourceSpan::new((offset - from).into(), end - offset);
        let part = text.get(from..to).unwrap_or_default();
        let c = part.read_span(&inner, before, after)?;
        let data_start = c.span().offset() + from;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.name.clone(),
            c.data(),
            miette::SourceSpan::new(data_start.into(), c.span().len()),
            c.line() + from_line,
            c.column(),
            c.line_count(),
        )))
    }
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.diag, f)
    }
}
/// Empty: the message is on the `error[code]: message` line `render_one` writes.
impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}
impl std::error::Error for WithSource<'_> {}
impl Diagnostic for WithSource<'_> {
    fn severity(&self) -> Option<Severity> {
        self.diag.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.diag.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
}

/// Our JSON form of one finding (documented in docs/diagnostics.md; stable).
#[derive(Debug, Serialize)]
pub struct JsonFinding {
    /// Stable code.
    pub code: String,
    /// `error`, `warning` or `advice`.
    pub severity: &'static str,
    /// One-line message.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// File of the primary label.
    pub file: Option<String>,
    /// 1-based line of the primary label.
    pub line: Option<usize>,
    /// 1-based column (characters) of the primary label.
    pub column: Option<usize>,
    /// 1-based line where the primary label ends.
    pub end_line: Option<usize>,
    /// 1-based column where the primary label ends (exclusive).
    pub end_column: Option<usize>,
    /// Every label.
    pub labels: Vec<JsonLabel>,
    /// Notes in other files.
    pub related: Vec<JsonFinding>,
}

/// One label of a finding.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// Label text.
    pub message: Option<String>,
    /// File the label points into.
    pub file: Option<String>,
    /// 1-based start line.
    pub line: usize,
    /// 1-based start column.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive).
    pub end_column: usize,
    /// Is this the primary label?
    pub primary: bool,
}

/// Converts findings to our JSON form.
pub fn to_json(sources: &SourceMap, findings: &[Finding]) -> Vec<JsonFinding> {
    findings.iter().map(|f| json_one(sources, f)).collect()
}

fn json_one(sources: &SourceMap, f: &Finding) -> JsonFinding {
    let file_name = f.file.map(|id| sources.file(id).name.clone());
    let raw: Vec<miette::LabeledSpan> = f.diag.labels().map(|l| l.collect()).unwrap_or_default();
    let primary_index = raw.iter().position(|l| l.primary()).unwrap_or(0);
    let labels: Vec<JsonLabel> = match f.file {
        Some(id) => raw
            .iter()
            .enumerate()
            .map(|(i, l)| json_label(sources, id, l, i == primary_index))
            .collect(),
        None => Vec::new(),
    };
    let first = labels.get(primary_index);
    JsonFinding {
        code: f.code(),
        severity: match f.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        },
        message: f.diag.to_string(),
        help: f.diag.help().map(|h| h.to_string()),
        file: file_name,
        line: first.map(|l| l.line),
        column: first.map(|l| l.column),
        end_line: first.map(|l| l.end_line),
        end_column: first.map(|l| l.end_column),
        related: f.related.iter().map(|r| json_one(sources, r)).collect(),
        labels,
    }
}

fn json_label(
    sources: &SourceMap,
    id: FileId,
    l: &miette::LabeledSpan,
    primary: bool,
) -> JsonLabel {
    let (line, column) = sources.line_col(id, l.offset());
    let (end_line, end_column) = sources.line_col(id, l.offset() + l.len());
    JsonLabel {
        message: l.label().map(str::to_string),
        file: Some(sources.file(id).name.clone()),
        line,
        column,
        end_line,
        end_column,
        primary,
    }
}

/// The closest candidate to `word`, if close enough to be a likely typo.
pub fn did_you_mean<S: AsRef<str>>(word: &str, candidates: &[S]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c.as_ref()), c.as_ref()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}
