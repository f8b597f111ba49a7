//! Text → Ast. Parses every inventory file of the estate (YAML through `source::from_yaml`)
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
    let site = source::from_yaml::<SiteFile>(text).map_err(|e| classify(text, e))?;
    if let Some((tag, span)) = source::first_tag(text) {
        return Err(SyntaxError::YamlTag { tag, span });
    }
    decimal_ports(text, &site)?;
    Ok(site)
}

/// YAML reads `0o17`, `0x1f` (and, in 1.1, `017`) as numbers: `port: 0o17` silently became 15.
/// A port must be written as plain decimal digits; the span shows how it was written.
fn decimal_ports(text: &str, site: &SiteFile) -> Result<(), SyntaxError> {
    let defaults = site.defaults.as_ref().and_then(|d| d.port.as_ref());
    let clients = site.clients.values().filter_map(|c| c.port.as_ref());
    for port in defaults.into_iter().chain(clients) {
        let span = port.span();
        let written = text
            .get(span.offset()..span.offset() + span.len())
            .unwrap_or("");
        let digits = written.trim_matches(|c| c == '"' || c == '\'');
        let decimal = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        // An alias (`*p`) is not checked: its span is the alias, not the number.
        if !decimal && !written.is_empty() && !written.starts_with('*') {
            return Err(SyntaxError::WrongType {
                message: format!(
                    "port `{written}` is not written in decimal (YAML reads it as {}); write the port as plain digits",
                    **port
                ),
                span,
            });
        }
    }
    Ok(())
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
        "an empty value",
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

#[cfg(test)]
mod tests {
    use miette::Diagnostic;

    use super::parse_file;

    /// Parses `input` and shows the diagnostic: code, message, help and where it points.
    #[track_caller]
    fn check(input: &str) -> String {
        let Err(e) = parse_file(input) else {
            return "ok".to_string();
        };
        let code = e.code().map(|c| c.to_string()).unwrap_or_default();
        let help = e.help().map(|h| h.to_string()).unwrap_or_default();
        let at = e
            .labels()
            .and_then(|mut l| l.next())
            .map(|l| {
                let start = l.offset().min(input.len());
                let line = input[..start].matches('\n').count() + 1;
                let end = (start + l.len()).min(input.len());
                format!("line {line} `{}`", &input[start..end])
            })
            .unwrap_or_default();
        format!("{code}: {e}\nhelp: {help}\nat: {at}")
    }

    #[test]
    fn a_misspelt_key_is_unknown_with_a_suggestion() {
        insta::assert_snapshot!(check("site: x\nservers:\n  a:\n    stor: /d\n"), @"
        mirrorc::unknown_key: unknown key `stor`
        help: did you mean `store`? (expected one of address, store, capacity, state)
        at: line 4 `stor`
        ");
    }

    #[test]
    fn a_missing_key_is_named() {
        insta::assert_snapshot!(check("site: x\nservers:\n  a:\n    address: 192.0.2.1\n"), @"
        mirrorc::missing_key: missing key `store`
        help: add `store:` to this entry
        at: line 4 `address`
        ");
    }

    #[test]
    fn a_repeated_key_is_a_duplicate() {
        insta::assert_snapshot!(check("site: x\nsite: y\n"), @"
        mirrorc::duplicate_key: duplicate key `site`
        help: each key may appear once in a mapping; merge the two entries
        at: line 2 `site`
        ");
    }

    #[test]
    fn a_value_of_the_wrong_type_says_what_was_expected() {
        insta::assert_snapshot!(check("site: x\ndefaults:\n  port: 99999\n"), @"
        mirrorc::wrong_type: wrong type: expected a whole number from 0 to 65535
        help: see `mirrorc schema` for the type of each key
        at: line 3 `99999`
        ");
    }

    #[test]
    fn an_unknown_state_is_a_type_error() {
        insta::assert_snapshot!(check("site: x\nservers:\n  a:\n    store: /d\n    state: gone\n"), @"
        mirrorc::wrong_type: wrong type: unknown variant `gone`, expected one of active, drain, retired
        help: see `mirrorc schema` for the type of each key
        at: line 5 `gone`
        ");
    }

    #[test]
    fn broken_yaml_is_a_syntax_error_and_an_empty_file_is_its_own() {
        insta::assert_snapshot!(check("site: [x\n"), @"
        mirrorc::yaml_syntax: YAML syntax error: expected string scalar
        help: check indentation, brackets and quoting around this place
        at: line 1 `[`
        ");
        insta::assert_snapshot!(check("# only a comment\n"), @"
        mirrorc::yaml_syntax: the inventory file is empty
        help: a site file needs at least `site: <name>`
        at: line 1 ``
        ");
    }

    #[test]
    fn a_valid_file_parses() {
        insta::assert_snapshot!(check("site: x\nservers:\n  a:\n    store: /d\n"), @"ok");
    }
}
