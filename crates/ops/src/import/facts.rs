//! Expanded legacy lines → facts: the site server lists (`#define RMIRROR_SERVERS_<SITE>` and
//! `RMIRROR_ADDRS_<SITE>`), each server profile's disks and each client profile's modules and
//! hosts-allow value, every fact with the virtual span it came from. No mapping decisions
//! here (see `map.rs`). Main type: [`Facts`].

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use mirrorc_core::source::FileId;
use mirrorc_lcfg::{self as lcfg, Line, LineKind};

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

/// One resource of a profile, with the spans of the line and of each tag.
pub type Res = lcfg::Evaluated;

/// The resources of one profile by `(component, resource)`.
pub type Profile = lcfg::EvaluatedResources;

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
    pub fn add(&mut self, file: FileId, path: &Path, lines: &[Line], profile: Profile) {
        for line in lines {
            self.add_define(line);
        }
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
            ..
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
