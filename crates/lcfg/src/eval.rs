//! Lines → resource values, the way the LCFG compiler applies a preprocessed profile:
//! a plain line sets, `mSET` replaces, `mADD` appends tags. Preprocessor lines are skipped
//! (the input is meant to be cpp output). Main type: [`Resources`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use super::error::{to_span, LcfgError};
use super::lex::is_blank;
use super::{Line, LineKind, Word};

/// Final values by `(component, resource)`, in name order.
pub type Resources = BTreeMap<(String, String), String>;

/// One resource after evaluation, with where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluated {
    /// The final value.
    pub value: String,
    /// Span of the line that set or changed it last.
    pub span: Range<usize>,
    /// Its blank-separated words without duplicates, each with the span of the line that put
    /// it there (for tag lists built by `mADD`, the line that added the tag).
    pub tags: Vec<Word>,
}

/// [`Evaluated`] resources by `(component, resource)`, in name order.
pub type EvaluatedResources = BTreeMap<(String, String), Evaluated>;

/// Applies `lines` in order. `mADD(a b)` appends each tag not already in the list and
/// rewrites the list with single blanks (duplicates are dropped: a tag list is a set of
/// sub-resource names). Any mutation but `mSET`/`mADD`, or a macro call that was never
/// expanded, is an error; all errors are collected.
pub fn evaluate(lines: &[Line]) -> Result<Resources, Vec<LcfgError>> {
    let (resources, errors) = evaluate_spanned(lines);
    if errors.is_empty() {
        Ok(resources.into_iter().map(|(k, v)| (k, v.value)).collect())
    } else {
        Err(errors)
    }
}

/// [`evaluate`] keeping spans, and keeping going after errors: the resources as far as they
/// could be applied (an unsupported mutation changes nothing), and every error.
pub fn evaluate_spanned(lines: &[Line]) -> (EvaluatedResources, Vec<LcfgError>) {
    let mut out = EvaluatedResources::new();
    // Tags of every value, so appending stays linear.
    let mut seen: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let mut errors = Vec::new();
    for line in lines {
        match &line.kind {
            LineKind::Resource {
                component,
                resource,
                value,
            } => {
                let k = key(component, resource);
                out.insert(
                    k.clone(),
                    set(&value.text, &line.span, seen.entry(k).or_default()),
                );
            }
            LineKind::Mutation {
                component,
                resource,
                op,
                args,
            } => {
                let k = key(component, resource);
                match op.text.as_str() {
                    "mSET" => {
                        out.insert(
                            k.clone(),
                            set(&args.text, &line.span, seen.entry(k).or_default()),
                        );
                    }
                    "mADD" => {
                        let slot = out.entry(k.clone()).or_default();
                        add_tags(slot, seen.entry(k).or_default(), &args.text, &line.span);
                    }
                    other => errors.push(LcfgError::UnsupportedMutation {
                        op: other.to_owned(),
                        resource: format!("{}.{}", component.text, resource.text),
                        span: to_span(&op.span),
                    }),
                }
            }
            LineKind::MacroCall { name, .. } => errors.push(LcfgError::UnexpandedMacro {
                name: name.text.clone(),
                span: to_span(&line.span),
            }),
            LineKind::Blank
            | LineKind::Comment(_)
            | LineKind::Include { .. }
            | LineKind::Define { .. }
            | LineKind::Undef(_)
            | LineKind::Cond { .. } => {}
        }
    }
    (out, errors)
}

fn key(component: &Word, resource: &Word) -> (String, String) {
    (component.text.clone(), resource.text.clone())
}

/// A value set as written; its words become the tags a later `mADD` appends to.
fn set(value: &str, span: &Range<usize>, seen: &mut HashSet<String>) -> Evaluated {
    seen.clear();
    let mut out = Evaluated {
        value: value.to_owned(),
        span: span.clone(),
        tags: Vec::new(),
    };
    push_new(&mut out.tags, seen, value, span);
    out
}

/// Appends the blank-separated `tags` not yet in the list, and rewrites the list with single
/// blanks.
fn add_tags(slot: &mut Evaluated, seen: &mut HashSet<String>, tags: &str, span: &Range<usize>) {
    push_new(&mut slot.tags, seen, tags, span);
    slot.value = slot
        .tags
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    slot.span = span.clone();
}

fn push_new(out: &mut Vec<Word>, seen: &mut HashSet<String>, words: &str, span: &Range<usize>) {
    for w in words.split(is_blank).filter(|t| !t.is_empty()) {
        if seen.insert(w.to_owned()) {
            out.push(Word {
                text: w.to_owned(),
                span: span.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::evaluate_spanned;

    #[test]
    fn tags_keep_the_span_of_the_line_that_added_them() {
        let text = "a.list x y\n!a.list mADD(y z)\n!a.list mFOO(w)\n";
        let (res, errors) = evaluate_spanned(&parse(text).expect("parses"));
        let list = &res[&("a".to_string(), "list".to_string())];
        assert_eq!(list.value, "x y z");
        let tags: Vec<(&str, usize)> = list
            .tags
            .iter()
            .map(|t| (t.text.as_str(), t.span.start))
            .collect();
        assert_eq!(tags, [("x", 0), ("y", 0), ("z", 11)]);
        assert_eq!(list.span.start, 11, "last changed by the mADD line");
        assert_eq!(
            errors.len(),
            1,
            "mFOO is reported and changes nothing: {errors:?}"
        );
    }
}
