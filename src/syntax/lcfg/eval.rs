//! Lines → resource values, the way the LCFG compiler applies a preprocessed profile:
//! a plain line sets, `mSET` replaces, `mADD` appends tags. Preprocessor lines are skipped
//! (the input is meant to be cpp output). Main type: [`Resources`].

use std::collections::{BTreeMap, HashMap, HashSet};

use super::error::{to_span, LcfgError};
use super::lex::is_blank;
use super::{Line, LineKind, Word};

/// Final values by `(component, resource)`, in name order.
pub type Resources = BTreeMap<(String, String), String>;

/// Applies `lines` in order. `mADD(a b)` appends each tag not already in the list and
/// rewrites the list with single blanks (duplicates are dropped: a tag list is a set of
/// sub-resource names). Any mutation but `mSET`/`mADD`, or a macro call that was never
/// expanded, is an error; all errors are collected.
pub fn evaluate(lines: &[Line]) -> Result<Resources, Vec<LcfgError>> {
    let mut out = Resources::new();
    // Tags of lists built by mADD, so appending stays linear; dropped when a value is set.
    let mut lists: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let mut errors = Vec::new();
    for line in lines {
        match &line.kind {
            LineKind::Resource {
                component,
                resource,
                value,
            } => {
                lists.remove(&key(component, resource));
                out.insert(key(component, resource), value.text.clone());
            }
            LineKind::Mutation {
                component,
                resource,
                op,
                args,
            } => {
                let k = key(component, resource);
                let slot = out.entry(k.clone()).or_default();
                match op.text.as_str() {
                    "mSET" => {
                        lists.remove(&k);
                        args.text.clone_into(slot);
                    }
                    "mADD" => {
                        let seen = lists.entry(k).or_insert_with(|| tags_of(slot));
                        add_tags(slot, seen, &args.text);
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
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn key(component: &Word, resource: &Word) -> (String, String) {
    (component.text.clone(), resource.text.clone())
}

/// Normalises the list in `slot` (single blanks, no duplicates) and returns its tags.
fn tags_of(slot: &mut String) -> HashSet<String> {
    let mut seen = HashSet::new();
    let list: Vec<&str> = slot
        .split(is_blank)
        .filter(|t| !t.is_empty() && seen.insert(*t))
        .collect();
    let normal = list.join(" ");
    let tags = list.into_iter().map(str::to_owned).collect();
    *slot = normal;
    tags
}

/// Appends the blank-separated `tags` to the list in `slot`, skipping ones in `seen`.
fn add_tags(slot: &mut String, seen: &mut HashSet<String>, tags: &str) {
    for tag in tags.split(is_blank).filter(|t| !t.is_empty()) {
        if seen.insert(tag.to_owned()) {
            if !slot.is_empty() {
                slot.push(' ');
            }
            slot.push_str(tag);
        }
    }
}
