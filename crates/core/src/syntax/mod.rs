//! Text → Ast. Each inventory file is read into a spanned YAML node tree (`node.rs`) and
//! decoded by our own typed decoder (`decode.rs`), which collects every problem of the file
//! and keeps decoding: parse never fails, it yields a partial Ast and findings. Only true YAML
//! syntax errors are `yaml_syntax`. No semantic checks and no I/O here.

pub mod ast;
pub mod decode;
pub mod error;
pub mod node;

use miette::SourceSpan;

use crate::diag::Finding;
use crate::source::{FileId, SourceMap};
use ast::{Ast, SiteFile};
use error::SyntaxError;

/// Parses every file of `sources`: every file that decoded at all is in the Ast.
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
    for (id, (site, errors)) in parsed {
        findings.extend(errors.into_iter().map(|e| Finding::new(id, e)));
        if let Some(site) = site {
            ast.files.push((id, site));
        }
    }
    (ast, findings)
}

/// Parses one inventory document: what decoded, and every problem found.
pub fn parse_file(text: &str) -> (Option<SiteFile>, Vec<SyntaxError>) {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        let empty = SyntaxError::EmptyFile {
            span: SourceSpan::new(0.into(), 0),
        };
        return (None, vec![empty]);
    }
    let tree = node::read(text);
    let mut errors = tree.errors;
    let site = decode::site_file(tree.root.as_ref(), tree.complete, &mut errors);
    (site, errors)
}

#[cfg(test)]
mod tests {
    use miette::Diagnostic;

    use super::parse_file;

    /// Parses `input` and shows each diagnostic: code, message, help and where it points.
    #[track_caller]
    fn check(input: &str) -> String {
        let (_, mut errors) = parse_file(input);
        if errors.is_empty() {
            return "ok".to_string();
        }
        let at = |e: &super::SyntaxError| e.labels().and_then(|mut l| l.next());
        errors.sort_by_key(|e| at(e).map_or(0, |l| l.offset()));
        let show = |e: &super::SyntaxError| {
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            let help = e.help().map(|h| h.to_string()).unwrap_or_default();
            let at = at(e)
                .map(|l| {
                    let start = l.offset().min(input.len());
                    let line = input[..start].matches('\n').count() + 1;
                    let end = (start + l.len()).min(input.len());
                    format!("line {line} `{}`", &input[start..end])
                })
                .unwrap_or_default();
            format!("{code}: {e}\nhelp: {help}\nat: {at}")
        };
        errors.iter().map(show).collect::<Vec<_>>().join("\n")
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
        mirrorc::missing_key: server `a` has no `store`
        help: add `store:` to it
        at: line 3 `a`
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
        mirrorc::wrong_type: wrong type: expected a whole number from 0 to 65535, found `99999`
        help: `port` is a whole number from 0 to 65535
        at: line 3 `99999`
        ");
    }

    #[test]
    fn an_unknown_state_is_a_type_error() {
        insta::assert_snapshot!(check("site: x\nservers:\n  a:\n    store: /d\n    state: gone\n"), @"
        mirrorc::wrong_type: wrong type: unknown server state `gone`
        help: one of active, drain, retired
        at: line 5 `gone`
        ");
    }

    #[test]
    fn broken_yaml_is_a_syntax_error_and_an_empty_file_is_its_own() {
        insta::assert_snapshot!(check("site: [x\n"), @"
        mirrorc::yaml_syntax: YAML syntax error: unclosed bracket '['
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
