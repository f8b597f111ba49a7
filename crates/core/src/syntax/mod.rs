//! Text → Ast. `lcfg` holds the pest-parsed LCFG header language. Parses every inventory file of the estate (YAML through `source::from_yaml`)
//! and turns serde-saphyr errors into our diagnostics. A file that does not parse is left out
//! of the Ast; every file is tried, so one run reports each broken file. No I/O here.

pub mod ast;
pub mod error;

use miette::SourceSpan;

use crate::diag::Finding;
use crate::source::{self, FileId, SourceMap, YamlError};
use ast::{Ast, SiteFile};
use error::SyntaxError;

/// Parses every file of `sources`.
pub fn parse(sources: &SourceMap) -> (Ast, Vec<Finding>) {
    let mut ast = Ast::default();
    let mut findings = Vec::new();
    let files: Vec<(FileId, &str)> = sources
        .iter()
        .filter_map(|(id, f)| match &f.unreadable {
            Some(reason) => {
                findings.push(Finding::new(id, SyntaxError::unreadable(reason)));
                None
            }
            None => Some((id, f.text.as_str())),
        })
        .collect();
    let parsed = crate::par::map_min(&files, 2, |(id, text)| (*id, parse_file(text)));
    for (id, result) in parsed {
        match result {
            Ok(site) => ast.files.push((id, site)),
            Err(e) => findings.push(Finding::new(id, e)),
        }
    }
    (ast, findings)
}

/// Parses one inventory document.
pub fn parse_file(text: &str) -> Result<SiteFile, SyntaxError> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(SyntaxError::EmptyFile {
            span: SourceSpan::new(0.into(), 0),
        });
    }
    source::from_yaml::<SiteFile>(text).map_err(|e| classify(text, e))
}

/// Maps a serde-saphyr error to the matching diagnostic by its kind of message.
fn classify(text: &str, e: YamlError) -> SyntaxError {
    let span = error_span(text, &e);
    let message = e.message;
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (key, expected) = split_unknown(rest);
        let suggestion = crate::diag::did_you_mean(&key, &expected);
        return SyntaxError::UnknownKey {
            key,
            expected: expected.join(", "),
            suggestion,
            span,
        };
    }
    if message.starts_with("duplicate mapping key") {
        let key = message
            .trim_start_matches("duplicate mapping key: ")
            .split(',')
            .next()
            .unwrap_or("")
            .to_string();
        return SyntaxError::DuplicateKey { key, span };
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return SyntaxError::MissingKey {
            key: rest.trim_matches('`').to_string(),
            span,
        };
    }
    if is_type_error(&message) {
        return SyntaxError::WrongType {
            message: type_message(message),
            span,
        };
    }
    SyntaxError::Yaml { message, span }
}

/// serde's terse integer messages, said for people.
fn type_message(message: String) -> String {
    let range = |t: &str| match t {
        "u16" => Some("a whole number from 0 to 65535"),
        "u32" => Some("a whole number from 0 to 4294967295"),
        "u64" => Some("a whole number of bytes"),
        _ => None,
    };
    match message.strip_prefix("invalid ").and_then(range) {
        Some(expected) => format!("expected {expected}"),
        None => message,
    }
}

fn is_type_error(message: &str) -> bool {
    [
        "invalid type",
        "invalid value",
        "invalid u",
        "invalid i",
        "unknown variant",
        "invalid boolean",
        "cannot deserialize",
        "invalid length",
    ]
    .iter()
    .any(|p| message.starts_with(p))
        || message.contains("a size cannot be negative")
}

/// "`stor`, expected one of address, store" → ("stor", ["address", "store"]).
fn split_unknown(rest: &str) -> (String, Vec<String>) {
    let (key, tail) = rest.split_once(", expected").unwrap_or((rest, ""));
    let tail = tail.trim_start_matches(" one of").trim_start_matches(' ');
    let expected = tail
        .split(", ")
        .map(|s| s.trim_matches('`').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (key.trim_matches('`').to_string(), expected)
}

fn error_span(text: &str, e: &YamlError) -> SourceSpan {
    match (e.span, e.line_col) {
        (Some(span), _) => source::clamp_span(text, span),
        (None, Some((line, col))) => SourceSpan::new(source::offset_of(text, line, col).into(), 0),
        (None, None) => SourceSpan::new(0.into(), 0),
    }
}
