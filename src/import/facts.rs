//! Expanded legacy lines → facts: the site server lists (`#define RMIRROR_SERVERS_<SITE>` and
//! `RMIRROR_ADDRS_<SITE>`), each server profile's disks and each client profile's modules and
//! hosts-allow value, every fact with the virtual span it came from. No mapping decisions
//! here (see `map.rs`). Main type: [`Facts`].

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use crate::source::FileId;
use crate::syntax::lcfg::{Line, LineKind};

/// A value with the virtual span it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Virtual span (see `Legacy::locate`).
    pub span: Range<usize>,
}

/// One site's hand-kept lists.
#[derive(Debug, Clone, Default)]
pub struct SiteList {
    /// Server FQDNs in list order.
    pub servers: Vec<String>,
    /// The server list's `#define`.
    pub servers_span: Range<usize>,
    /// Addresses in list order, with their `#define`.
    pub addrs: Option<At<Vec<String>>>,
}

/// One resource after applying the profile's lines: its value, and each list tag's span.
#[derive(Debug, Clone, Default)]
pub struct Res {
    /// The final value.
    pub value: String,
    /// Span of the line that set it last.
    pub span: Range<usize>,
    /// For lists: each tag with the span of the line that added it.
    pub tags: Vec<At<String>>,
}

/// The resources of one profile by `(component, resource)`.
pub type Profile = BTreeMap<(String, String), Res>;

/// What the legacy files say.
#[derive(Debug, Default)]
pub struct Facts {
    /// Site name (lower case) → its lists.
    pub sites: BTreeMap<String, SiteList>,
    /// Host (file name) → rmirror resources, with the profile's file.
    pub servers: BTreeMap<String, (FileId, Profile)>,
    /// Host (file name) → rmirrorclient and inv resources, with the profile's file.
    pub clients: BTreeMap<String, (FileId, Profile)>,
}

impl Facts {
    /// Adds one expanded input file: its site lists and, if it sets rmirror or rmirrorclient
    /// resources, its profile under the host name of the file.
    pub fn add(&mut self, file: FileId, path: &Path, lines: &[Line]) {
        for line in lines {
            self.add_define(line);
        }
        let profile = resources(lines);
        let host = host_of(path);
        let has = |c: &str| profile.keys().any(|(comp, _)| comp == c);
        if has("rmirror") {
            self.servers
                .entry(host.clone())
                .or_insert_with(|| (file, profile.clone()));
        }
        if has("rmirrorclient") {
            self.clients.entry(host).or_insert((file, profile));
        }
    }

    fn add_define(&mut self, line: &Line) {
        let LineKind::Define {
            name,
            params: None,
            body,
        } = &line.kind
        else {
            return;
        };
        let words: Vec<String> = body.text.split_whitespace().map(str::to_string).collect();
        if let Some(site) = name.text.strip_prefix("RMIRROR_SERVERS_") {
            let entry = self.sites.entry(site.to_ascii_lowercase()).or_default();
            if entry.servers_span.is_empty() {
                entry.servers = words;
                entry.servers_span = line.span.clone();
            }
        } else if let Some(site) = name.text.strip_prefix("RMIRROR_ADDRS_") {
            let entry = self.sites.entry(site.to_ascii_lowercase()).or_default();
            entry.addrs.get_or_insert(At {
                value: words,
                span: line.span.clone(),
            });
        }
    }
}

/// The host a profile belongs to: its file name up to the first dot.
pub fn host_of(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.split('.').next().unwrap_or(name).to_string()
}

/// Applies resource and mutation lines like the LCFG compiler (plain and `mSET` replace,
/// `mADD` appends new tags), keeping spans.
pub fn resources(lines: &[Line]) -> Profile {
    let mut out = Profile::new();
    for line in lines {
        match &line.kind {
            LineKind::Resource {
                component,
                resource,
                value,
            } => {
                let tags = words(&value.text, &line.span);
                let res = Res {
                    value: value.text.clone(),
                    span: line.span.clone(),
                    tags,
                };
                out.insert((component.text.clone(), resource.text.clone()), res);
            }
            LineKind::Mutation {
                component,
                resource,
                op,
                args,
            } => {
                let slot = out
                    .entry((component.text.clone(), resource.text.clone()))
                    .or_default();
                slot.span = line.span.clone();
                if op.text == "mADD" {
                    for tag in words(&args.text, &line.span) {
                        if !slot.tags.iter().any(|t| t.value == tag.value) {
                            slot.tags.push(tag);
                        }
                    }
                    slot.value = slot
                        .tags
                        .iter()
                        .map(|t| t.value.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                } else {
                    slot.tags = words(&args.text, &line.span);
                    slot.value = args.text.clone();
                }
            }
            _ => {}
        }
    }
    out
}

fn words(text: &str, span: &Range<usize>) -> Vec<At<String>> {
    text.split_whitespace()
        .map(|w| At {
            value: w.to_string(),
            span: span.clone(),
        })
        .collect()
}
