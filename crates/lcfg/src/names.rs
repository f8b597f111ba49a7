//! LCFG naming rules (from lcfg-core) and the checks of parsed lines against them.
//! Pure predicates plus [`check_line`], which turns violations into diagnostics.

use std::ops::Range;

use super::error::{to_span, LcfgError};
use super::lex::is_blank;
use super::{Line, LineKind, Word};

/// Component and resource names: `^[A-Za-z][A-Za-z0-9_]*$`.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// List elements (tags): `^[A-Za-z0-9_]+$`.
pub fn is_valid_tag(tag: &str) -> bool {
    !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a resource holds a tag list. Without the component schemas this is a heuristic:
/// names ending in `list` (`rmirror.disklist`) and `profile.components`. `mADD` always
/// appends tags, whatever the resource.
pub fn is_list_resource(component: &str, resource: &str) -> bool {
    resource.ends_with("list") || (component == "profile" && resource == "components")
}

/// Validates the names and tag lists of one parsed line.
pub(super) fn check_line(line: &Line, errors: &mut Vec<LcfgError>) {
    match &line.kind {
        LineKind::Resource {
            component,
            resource,
            value,
        } => {
            check_names(component, resource, errors);
            if is_list_resource(&component.text, &resource.text) {
                check_tags(component, resource, value, errors);
            }
        }
        LineKind::Mutation {
            component,
            resource,
            op,
            args,
        } => {
            check_names(component, resource, errors);
            let list = is_list_resource(&component.text, &resource.text);
            if op.text == "mADD" || (op.text == "mSET" && list) {
                check_tags(component, resource, args, errors);
            }
        }
        LineKind::Blank
        | LineKind::Comment(_)
        | LineKind::Include { .. }
        | LineKind::Define { .. }
        | LineKind::Undef(_)
        | LineKind::Cond { .. }
        | LineKind::MacroCall { .. } => {}
    }
}

fn check_names(component: &Word, resource: &Word, errors: &mut Vec<LcfgError>) {
    for (kind, word) in [("component", component), ("resource", resource)] {
        if !is_valid_name(&word.text) {
            errors.push(LcfgError::InvalidName {
                kind,
                name: word.text.clone(),
                span: to_span(&word.span),
            });
        }
    }
}

fn check_tags(component: &Word, resource: &Word, list: &Word, errors: &mut Vec<LcfgError>) {
    for (tag, span) in tokens(list) {
        if !is_valid_tag(tag) {
            errors.push(LcfgError::InvalidTag {
                tag: tag.to_owned(),
                resource: format!("{}.{}", component.text, resource.text),
                span: to_span(&span),
            });
        }
    }
}

/// Blank-separated tokens of a word with their spans. Exact when the word's text is its
/// raw source (the usual case); otherwise (comments inside, macro output) the whole span.
fn tokens(word: &Word) -> Vec<(&str, Range<usize>)> {
    let exact = word.span.len() == word.text.len();
    let text = word.text.as_str();
    let mut out = Vec::new();
    let mut start = None;
    let ends = text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')));
    for (i, c) in ends {
        match (is_blank(c), start) {
            (true, Some(s)) => {
                let span = if exact {
                    word.span.start + s..word.span.start + i
                } else {
                    word.span.clone()
                };
                out.push((&text[s..i], span));
                start = None;
            }
            (false, None) => start = Some(i),
            (true, None) | (false, Some(_)) => {}
        }
    }
    out
}
