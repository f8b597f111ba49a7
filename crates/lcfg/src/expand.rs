//! A deliberately small macro expander for `mirrorc import` of legacy headers; files that
//! need more (`#param`, macros called inside values, `#if` arithmetic) go through the real cpp.
//! Object-like macros are expanded as whole identifier tokens in resource values and mutation
//! args; a function-like macro called alone on a line (`MIRROR_CLIENT(a, b)`) has its
//! parameters substituted, then is split at [`super::MACRO_LINE_SEPARATOR`] and parsed into
//! resource lines that carry the call's span. [`CppMode`] picks the dialect: traditional (as
//! LCFG runs cpp: `/**/` pastes, `##` is literal, arguments keep their blanks) or ISO (`##`
//! pastes, comments are blanks). No I/O: includes are not read.

use std::collections::BTreeMap;
use std::ops::Range;

use super::cond::Conditionals;
use super::error::{to_span, LcfgError};
use super::names::check_line;
use super::{parse, Line, LineKind, Word};

/// How deeply macros may nest.
const MAX_DEPTH: usize = 64;
/// The largest text one expansion may produce.
const MAX_LEN: usize = 1 << 20;

struct Macro {
    params: Option<Vec<String>>,
    body: String,
}

/// Which C preprocessor dialect the expander follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CppMode {
    /// LCFG's own: `cpp -traditional -undef -DLCFGNG ...` (`LCFGNG` is predefined as `1`).
    #[default]
    Traditional,
    /// ISO C (`cpp -undef`).
    Iso,
}

/// What [`expand`] made of a file: every line it could expand, every error, and every
/// `#define` whose body holds `##` under [`CppMode::Traditional`] (where `##` is literal).
#[derive(Debug, Default)]
pub struct Expansion {
    /// The expanded lines.
    pub lines: Vec<Line>,
    /// Every error, in input order.
    pub errors: Vec<LcfgError>,
    /// Span of each `#define` line whose body has a `##` that traditional cpp keeps as is.
    pub iso_pastes: Vec<Range<usize>>,
}

/// Expands the legacy macros defined by `#define` lines of `lines`, in order (a later
/// `#define` or `#undef` takes effect from there on). Conditionals are evaluated (see
/// `cond.rs`): lines in dead branches are dropped, directive lines are kept unchanged.
/// `#include` is not followed: the caller splices included files in. All errors are collected.
pub fn expand(lines: &[Line], mode: CppMode) -> Expansion {
    let mut ex = Expander {
        macros: BTreeMap::new(),
        conds: Conditionals::default(),
        mode,
        done: Expansion::default(),
    };
    if mode == CppMode::Traditional {
        let lcfgng = Macro {
            params: None,
            body: "1".into(),
        };
        ex.macros.insert("LCFGNG".into(), lcfgng);
    }
    for line in lines {
        ex.line(line.clone(), 0);
    }
    let unclosed = std::mem::take(&mut ex.conds).finish();
    ex.done.errors.extend(unclosed);
    ex.done
}

/// [`expand`] in ISO mode, all or nothing.
pub fn expand_defines(lines: &[Line]) -> Result<Vec<Line>, Vec<LcfgError>> {
    let done = expand(lines, CppMode::Iso);
    if done.errors.is_empty() {
        Ok(done.lines)
    } else {
        Err(done.errors)
    }
}

struct Expander {
    macros: BTreeMap<String, Macro>,
    conds: Conditionals,
    mode: CppMode,
    done: Expansion,
}

impl Expander {
    fn line(&mut self, mut line: Line, depth: usize) {
        if let LineKind::Cond { kind, arg } = &line.kind {
            let macros = &self.macros;
            if let Err(e) = self
                .conds
                .apply(*kind, arg, &line.span, |n| macros.contains_key(n))
            {
                self.done.errors.push(e);
            }
            return self.done.lines.push(line);
        }
        if !self.conds.active() {
            return;
        }
        match &mut line.kind {
            LineKind::Define {
                name,
                params,
                body,
                traditional,
            } => {
                let text = match (self.mode, &*params) {
                    (CppMode::Iso, _) => body.text.clone(),
                    (CppMode::Traditional, Some(_)) => traditional.clone(),
                    (CppMode::Traditional, None) => {
                        // Readers of the kept line (import's site lists) see this dialect's text.
                        body.text = strip_comments(traditional);
                        body.text.clone()
                    }
                };
                if self.mode == CppMode::Traditional && text.contains("##") {
                    self.done.iso_pastes.push(line.span.clone());
                }
                let params = params.clone();
                let body = text;
                self.macros
                    .insert(name.text.clone(), Macro { params, body });
            }
            LineKind::Undef(name) => {
                self.macros.remove(&name.text);
            }
            LineKind::Resource { value: word, .. } | LineKind::Mutation { args: word, .. } => {
                match self.object_like(&word.text, &mut Vec::new()) {
                    Ok(text) if text != word.text => {
                        word.text = text;
                        check_line(&line, &mut self.done.errors);
                    }
                    Ok(_) => {}
                    Err(name) => self.too_big(name, &word.span),
                }
            }
            LineKind::MacroCall {
                name,
                args,
                raw_args,
            } => {
                let args: Vec<String> = match self.mode {
                    CppMode::Iso => args.iter().map(|a| a.text.clone()).collect(),
                    CppMode::Traditional => raw_args.clone(),
                };
                let name = name.clone();
                return self.call(&line, &name, &args, depth);
            }
            LineKind::Blank
            | LineKind::Comment(_)
            | LineKind::Include { .. }
            | LineKind::Cond { .. } => {}
        }
        self.done.lines.push(line);
    }

    /// Replaces a call of a function-like macro by the lines its body expands to.
    fn call(&mut self, line: &Line, name: &Word, args: &[String], depth: usize) {
        let span = to_span(&line.span);
        let Some(Macro {
            params: Some(params),
            body,
        }) = self.macros.get(&name.text)
        else {
            return self.done.errors.push(LcfgError::UnknownMacro {
                name: name.text.clone(),
                span,
            });
        };
        // `F()` passes one empty argument to a one-parameter macro, as in cpp.
        let empty = [String::new()];
        let args = if args.is_empty() && params.len() == 1 {
            &empty[..]
        } else {
            args
        };
        if params.len() != args.len() {
            let (expected, found) = (params.len(), args.len());
            return self.done.errors.push(LcfgError::MacroArity {
                name: name.text.clone(),
                expected,
                found,
                span,
            });
        }
        let text = substitute(body, params, args, self.mode);
        let text = match self.mode {
            CppMode::Iso => paste(&text),
            CppMode::Traditional => strip_comments(&text),
        };
        let text = match self.object_like(&text, &mut vec![name.text.clone()]) {
            Ok(text) if depth < MAX_DEPTH => text,
            Ok(_) => return self.too_big(name.text.clone(), &line.span),
            Err(inner) => return self.too_big(inner, &line.span),
        };
        match parse(&text) {
            Ok(lines) => {
                for mut l in lines.into_iter().filter(|l| l.kind != LineKind::Blank) {
                    relocate(&mut l, &line.span, line.line);
                    self.line(l, depth + 1);
                }
            }
            Err(errors) => self
                .done
                .errors
                .extend(errors.into_iter().map(|e| e.relocate(&line.span))),
        }
    }

    /// Expands object-like macros in `text` (whole identifiers, not in `active`);
    /// `Err` names the macro being expanded when a limit was hit.
    fn object_like(&self, text: &str, active: &mut Vec<String>) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        for token in tokens(text) {
            let expansion = match self.macros.get(token) {
                Some(Macro { params: None, body }) if !active.iter().any(|a| a == token) => {
                    Some(body)
                }
                Some(_) | None => None,
            };
            match expansion {
                Some(_) if active.len() >= MAX_DEPTH => return Err(token.to_owned()),
                Some(body) => {
                    active.push(token.to_owned());
                    out.push_str(&self.object_like(body, active)?);
                    active.pop();
                }
                None => out.push_str(token),
            }
            if out.len() > MAX_LEN {
                return Err(active.last().map_or(token, String::as_str).to_owned());
            }
        }
        Ok(out)
    }

    fn too_big(&mut self, name: String, span: &Range<usize>) {
        self.done.errors.push(LcfgError::MacroExpansion {
            name,
            span: to_span(span),
        });
    }
}

/// Replaces each parameter token of `body` by the matching argument text; ISO cpp leaves
/// string and character literals alone, traditional cpp substitutes inside them too.
fn substitute(body: &str, params: &[String], args: &[String], mode: CppMode) -> String {
    let mut quote: Option<&str> = None;
    let mut escaped = false;
    tokens(body)
        .map(|t| {
            if mode == CppMode::Iso {
                match quote {
                    Some(_) if escaped => escaped = false,
                    Some(_) if t == "\\" => escaped = true,
                    Some(q) if t == q => quote = None,
                    Some(_) => {}
                    None if t == "\"" || t == "'" => quote = Some(t),
                    None => {}
                }
                if quote.is_some() || t == "\"" || t == "'" {
                    return t;
                }
            }
            params
                .iter()
                .position(|p| p == t)
                .and_then(|i| args.get(i))
                .map_or(t, String::as_str)
        })
        .collect()
}

/// Traditional token pasting: every `/* ... */` removed without a trace (`a/**/b` → `ab`).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Token pasting: `a ## b` → `ab`.
fn paste(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split("##").enumerate() {
        if i > 0 {
            out.truncate(out.trim_end().len());
            out.push_str(part.trim_start());
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Splits text into cpp-like tokens: identifiers, pp-numbers (`8873`, `001abc`, `1.5e+3`)
/// and single other characters. Concatenating the tokens gives the text back.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let mut chars = rest.char_indices();
        let (_, first) = chars.next()?;
        let second = rest[first.len_utf8()..].chars().next();
        let number =
            first.is_ascii_digit() || (first == '.' && second.is_some_and(|c| c.is_ascii_digit()));
        let ident = first.is_ascii_alphabetic() || first == '_';
        let mut end = first.len_utf8();
        if number || ident {
            let mut prev = first;
            for (i, c) in chars {
                let sign =
                    number && matches!(c, '+' | '-') && matches!(prev, 'e' | 'E' | 'p' | 'P');
                let more = c.is_ascii_alphanumeric() || c == '_' || (number && c == '.') || sign;
                if !more {
                    break;
                }
                (end, prev) = (i + c.len_utf8(), c);
            }
        }
        let (token, tail) = rest.split_at(end);
        rest = tail;
        Some(token)
    })
}

/// Gives every span of `line` the call site's span and line number.
fn relocate(line: &mut Line, span: &Range<usize>, number: usize) {
    let mut words: Vec<&mut Word> = Vec::new();
    match &mut line.kind {
        LineKind::Blank | LineKind::Comment(_) => {}
        LineKind::Include { path, .. } => words.push(path),
        LineKind::Define { name, body, .. } => words.extend([name, body]),
        LineKind::Undef(name) => words.push(name),
        LineKind::Cond { arg, .. } => words.push(arg),
        LineKind::Resource {
            component,
            resource,
            value,
        } => words.extend([component, resource, value]),
        LineKind::Mutation {
            component,
            resource,
            op,
            args,
        } => words.extend([component, resource, op, args]),
        LineKind::MacroCall { name, args, .. } => {
            words.push(name);
            words.extend(args.iter_mut());
        }
    }
    for w in words {
        w.span = span.clone();
    }
    line.span = span.clone();
    line.line = number;
}
