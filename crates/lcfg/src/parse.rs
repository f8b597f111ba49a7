//! Text → [`Line`]s: lex into logical lines, run the pest grammar on each, build typed
//! nodes with spans in the original text, and convert pest errors into [`LcfgError`]s.
//! One bad line never hides another: every line is parsed and every error is kept.

use std::ops::Range;

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser;

use super::error::{to_span, LcfgError};
use super::grammar::{describe, LcfgParser, Rule};
use super::lex::{is_blank, Source};
use super::names::check_line;
use super::{CondKind, Line, LineKind, Word};

/// Parses a whole source profile or header; `Err` holds every error found, in input order.
pub fn parse(text: &str) -> Result<Vec<Line>, Vec<LcfgError>> {
    let (lines, errors) = parse_all(text);
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// Parses a whole source profile or header like the YAML stage does: every line that parses,
/// and every error, in input order. A bad line drops only itself.
pub fn parse_all(text: &str) -> (Vec<Line>, Vec<LcfgError>) {
    let src = Source::new(text);
    let split = src.split();
    let mut lines = Vec::with_capacity(split.lines.len());
    let mut errors = Vec::new();
    for range in split.lines {
        let chunk = &src.joined[range.clone()];
        match LcfgParser::parse(Rule::line, chunk) {
            Ok(mut pairs) => {
                if let Some(pair) = pairs.next() {
                    let line = Builder {
                        src: &src,
                        base: range.start,
                    }
                    .line(pair);
                    check_line(&line, &mut errors);
                    lines.push(line);
                }
            }
            Err(e) => errors.push(syntax_error(e, chunk, &src, range.start)),
        }
    }
    if let Some(at) = split.unterminated_comment {
        let span = src.orig_range(at..at + 2);
        errors.push(LcfgError::UnterminatedComment {
            span: to_span(&span),
        });
    }
    (lines, errors)
}

/// pest's error → ours: the furthest position, "expected ..." from readable rule names.
fn syntax_error(
    mut err: pest::error::Error<Rule>,
    chunk: &str,
    src: &Source,
    base: usize,
) -> LcfgError {
    let pos = match err.location {
        InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
    };
    let mut named = false;
    if let ErrorVariant::ParsingError {
        positives,
        negatives,
    } = &mut err.variant
    {
        // `foo bar` could be a resource or a macro call: the `.` is the useful hint.
        if positives.contains(&Rule::dot) {
            positives.retain(|r| *r != Rule::lparen);
        }
        let mut seen = Vec::new();
        positives.retain(|r| {
            describe(*r).is_some_and(|d| {
                !seen.contains(&d) && {
                    seen.push(d);
                    true
                }
            })
        });
        negatives.retain(|r| describe(*r).is_some());
        named = !positives.is_empty() || !negatives.is_empty();
    }
    let expected = if named {
        let err = err.renamed_rules(|r| describe(*r).unwrap_or_default().to_owned());
        err.variant.message().into_owned()
    } else {
        "expected a resource, a mutation, a comment or a directive".to_owned()
    };
    let found = chunk
        .get(pos..)
        .and_then(|s| s.chars().next())
        .map_or_else(|| "end of line".to_owned(), |c| format!("{c:?}"));
    let start = src.orig_range(base + pos..base + pos).start;
    let span = start..start + src.char_len_at(start);
    LcfgError::Syntax {
        expected,
        found,
        span: to_span(&span),
    }
}

/// Turns the pairs of one logical line (starting at `base` in the joined text) into a [`Line`].
struct Builder<'s, 'a> {
    src: &'s Source<'a>,
    base: usize,
}

impl Builder<'_, '_> {
    fn range(&self, start: usize, end: usize) -> Range<usize> {
        self.src.orig_range(self.base + start..self.base + end)
    }

    fn word(&self, p: &Pair<Rule>) -> Word {
        let s = p.as_span();
        Word {
            text: p.as_str().to_owned(),
            span: self.range(s.start(), s.end()),
        }
    }

    /// The child of `p` with rule `rule` as a word (empty at `p`'s start if absent).
    fn child(&self, p: &Pair<Rule>, rule: Rule) -> Word {
        match p.clone().into_inner().find(|c| c.as_rule() == rule) {
            Some(c) if rule == Rule::value || rule == Rule::args => self.flat(&c),
            Some(c) => self.word(&c),
            None => Word {
                text: String::new(),
                span: self.range(p.as_span().start(), p.as_span().start()),
            },
        }
    }

    fn line(&self, pair: Pair<Rule>) -> Line {
        let whole = pair.as_span();
        let mut comments = Vec::new();
        let mut statement = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::block_comment | Rule::line_comment => comments.push(p),
                Rule::EOI => {}
                _ => statement = Some(p),
            }
        }
        let (kind, span) = match (statement, comments.first(), comments.last()) {
            (Some(p), _, _) => {
                let end = p.as_span().start() + p.as_str().trim_end_matches(is_blank).len();
                (self.statement(&p), self.range(p.as_span().start(), end))
            }
            (None, Some(first), Some(last)) => {
                let texts: Vec<&str> = comments.iter().map(comment_text).collect();
                let span = self.range(first.as_span().start(), last.as_span().end());
                (LineKind::Comment(texts.join(" ")), span)
            }
            (None, _, _) => (LineKind::Blank, self.range(whole.start(), whole.end())),
        };
        Line {
            kind,
            line: self.src.line_of(span.start),
            span,
        }
    }

    fn statement(&self, p: &Pair<Rule>) -> LineKind {
        match p.as_rule() {
            Rule::resource => LineKind::Resource {
                component: self.child(p, Rule::component),
                resource: self.child(p, Rule::resname),
                value: self.child(p, Rule::value),
            },
            Rule::mutation => LineKind::Mutation {
                component: self.child(p, Rule::component),
                resource: self.child(p, Rule::resname),
                op: self.child(p, Rule::op),
                args: self.child(p, Rule::args),
            },
            Rule::macro_call => {
                let (args, raw_args) = p
                    .clone()
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::args)
                    .map_or_else(Default::default, |a| self.call_args(&a));
                LineKind::MacroCall {
                    name: self.child(p, Rule::ident),
                    args,
                    raw_args,
                }
            }
            _ => self.directive(p),
        }
    }

    fn directive(&self, p: &Pair<Rule>) -> LineKind {
        let Some(d) = p
            .clone()
            .into_inner()
            .find(|c| !matches!(c.as_rule(), Rule::hash | Rule::block_comment))
        else {
            return LineKind::Blank;
        };
        let cond = |kind, rule| LineKind::Cond {
            kind,
            arg: self.child(&d, rule),
        };
        match d.as_rule() {
            Rule::include => {
                let delimited = d
                    .clone()
                    .into_inner()
                    .find(|c| matches!(c.as_rule(), Rule::system_path | Rule::local_path));
                let system = delimited
                    .as_ref()
                    .is_some_and(|c| c.as_rule() == Rule::system_path);
                let path = match &delimited {
                    Some(c) => self.child(c, if system { Rule::path } else { Rule::qpath }),
                    None => self.child(&d, Rule::path),
                };
                LineKind::Include { path, system }
            }
            Rule::define => LineKind::Define {
                name: self.child(&d, Rule::ident),
                params: d
                    .clone()
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::params)
                    .map(|ps| {
                        ps.into_inner()
                            .filter(|c| c.as_rule() == Rule::param)
                            .map(|c| c.as_str().to_owned())
                            .collect()
                    }),
                body: self.child(&d, Rule::value),
                traditional: d
                    .clone()
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::value)
                    .map(|v| traditional_text(&v))
                    .unwrap_or_default(),
            },
            Rule::undef => LineKind::Undef(self.child(&d, Rule::ident)),
            Rule::ifdef => cond(CondKind::Ifdef, Rule::ident),
            Rule::ifndef => cond(CondKind::Ifndef, Rule::ident),
            Rule::if_ => cond(CondKind::If, Rule::value),
            Rule::elif => cond(CondKind::Elif, Rule::value),
            Rule::else_ => cond(CondKind::Else, Rule::value),
            _ => cond(CondKind::Endif, Rule::value),
        }
    }

    /// A value-like pair: comments become one blank, outer blanks are trimmed; the span
    /// runs from the first to the last non-blank character of text (not comment) pieces.
    fn flat(&self, p: &Pair<Rule>) -> Word {
        let mut text = String::new();
        let mut content: Option<(usize, usize)> = None;
        for piece in p.clone().into_inner() {
            if matches!(piece.as_rule(), Rule::block_comment | Rule::line_comment) {
                text.push(' ');
                continue;
            }
            let s = piece.as_str();
            text.push_str(s);
            let lead = s.len() - s.trim_start_matches(is_blank).len();
            let trail = s.len() - s.trim_end_matches(is_blank).len();
            if lead < s.len() {
                let (a, b) = (
                    piece.as_span().start() + lead,
                    piece.as_span().end() - trail,
                );
                content = Some(content.map_or((a, b), |(first, _)| (first, b)));
            }
        }
        let at = p.as_span().start();
        let (a, b) = content.unwrap_or((at, at));
        Word {
            text: text.trim_matches(is_blank).to_owned(),
            span: self.range(a, b),
        }
    }

    /// Splits macro-call arguments at commas outside parentheses: each trimmed, with comments
    /// blanked (ISO), and as traditional cpp substitutes it (blanks kept, comments gone).
    fn call_args(&self, args: &Pair<Rule>) -> (Vec<Word>, Vec<String>) {
        let base = args.as_span().start();
        // Comments become NULs of the same length: offsets stay, and each form drops them.
        let mut marked = String::new();
        for piece in args.clone().into_inner() {
            match piece.as_rule() {
                Rule::block_comment => marked.push_str(&"\0".repeat(piece.as_str().len())),
                _ => marked.push_str(piece.as_str()),
            }
        }
        let blanked = marked.replace('\0', " ");
        if blanked.chars().all(is_blank) {
            return Default::default();
        }
        let (mut depth, mut start, mut out, mut raw) = (0usize, 0, Vec::new(), Vec::new());
        let ends = blanked
            .char_indices()
            .chain(std::iter::once((blanked.len(), ',')));
        for (i, c) in ends {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 || i == blanked.len() => {
                    let seg = &blanked[start..i];
                    let lead = seg.len() - seg.trim_start_matches(is_blank).len();
                    let t = seg.trim_matches(is_blank);
                    let a = base + start + lead;
                    out.push(Word {
                        text: t.to_owned(),
                        span: self.range(a, a + t.len()),
                    });
                    raw.push(marked[start..i].replace('\0', ""));
                    start = i + 1;
                }
                _ => {}
            }
        }
        (out, raw)
    }
}

/// A value-like pair as written, outer blanks trimmed (traditional cpp removes its comments
/// only after substituting the parameters, so they still separate tokens until then).
fn traditional_text(p: &Pair<Rule>) -> String {
    p.as_str().trim_matches(is_blank).to_owned()
}

fn comment_text<'i>(p: &Pair<'i, Rule>) -> &'i str {
    let s = p.as_str();
    let inner = match p.as_rule() {
        Rule::block_comment => s.strip_prefix("/*").and_then(|s| s.strip_suffix("*/")),
        _ => s.strip_prefix("//"),
    };
    inner.unwrap_or(s).trim()
}
