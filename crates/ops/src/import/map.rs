//! Facts → [`Plan`]: the mapping decisions for sites and servers. A site is each
//! `RMIRROR_SERVERS_<SITE>` list; its servers are the hosts listed (addresses paired in order
//! from `RMIRROR_ADDRS_<SITE>`); every disk a server profile pulls becomes a [`Pull`], and a
//! server's store is its dstdirs minus `/<client>/<path tag>`. Clients: `clients.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::error::ImportError;
use super::facts::{Facts, Profile, Res};
use super::load::Legacy;
use super::plan::{Plan, ServerPlan, SitePlan};
use mirrorc_core::analyze::check;
use mirrorc_core::diag::Sink;

/// One disk pulled by one server, as the legacy profile says.
#[derive(Debug, Clone)]
pub struct Pull {
    /// Server short name.
    pub server: String,
    /// Client short name.
    pub client: String,
    /// Client DNS domain (from `srchost_<tag>`).
    pub domain: Option<String>,
    /// The disk tag (`<client>_<path tag>`).
    pub tag: String,
    /// The path tag.
    pub path_tag: String,
    /// `checksum_<tag>` or the server-wide `checksum`.
    pub checksum: bool,
    /// `srcport_<tag>`.
    pub port: Option<u16>,
    /// The disk's entry in the disk list.
    pub span: Range<usize>,
}

/// The mapping in progress.
pub struct Mapper<'a> {
    /// The legacy files (for spans).
    pub legacy: &'a Legacy,
    /// What they say.
    pub facts: &'a Facts,
    /// What could not be mapped.
    pub findings: Sink,
    /// The inventory being built.
    pub plan: Plan,
    /// Server short name → site.
    pub server_site: BTreeMap<String, String>,
    /// Server FQDN or address → short name.
    pub server_by_access: BTreeMap<String, String>,
    /// Every pull of every server profile of a known server.
    pub pulls: Vec<Pull>,
    /// Legacy: server profile host → the disk tags it pulls.
    pub legacy_pulls: BTreeMap<String, BTreeSet<String>>,
}

/// Splits an FQDN into its first label and the rest.
pub fn split_host(fqdn: &str) -> (String, Option<String>) {
    match fqdn.split_once('.') {
        Some((host, domain)) => (host.to_string(), Some(domain.to_string())),
        None => (fqdn.to_string(), None),
    }
}

impl<'a> Mapper<'a> {
    /// A mapper over `facts`.
    pub fn new(legacy: &'a Legacy, facts: &'a Facts) -> Self {
        Mapper {
            legacy,
            facts,
            findings: Sink::default(),
            plan: Plan::default(),
            server_site: BTreeMap::new(),
            server_by_access: BTreeMap::new(),
            pulls: Vec::new(),
            legacy_pulls: BTreeMap::new(),
        }
    }

    /// Records a finding at a virtual span.
    pub fn report(
        &mut self,
        span: &Range<usize>,
        make: impl FnOnce(miette::SourceSpan) -> ImportError,
    ) {
        let f = self.legacy.finding(span, make);
        self.findings.push(f);
    }

    /// Sites and their servers from the `#define` lists.
    pub fn sites(&mut self) {
        if self.facts.sites.values().all(|s| s.servers.is_empty()) {
            self.findings.global(ImportError::NoSites);
        }
        for (name, list) in self
            .facts
            .sites
            .iter()
            .filter(|(_, l)| !l.servers.is_empty())
        {
            let mut site = SitePlan::default();
            let addrs = match &list.addrs {
                Some(a) if a.value.len() != list.servers.len() => {
                    let (site, addrs, servers) = (name.clone(), a.value.len(), list.servers.len());
                    self.report(&a.span, |span| ImportError::AddressMismatch {
                        site,
                        addrs,
                        servers,
                        span,
                    });
                    Vec::new()
                }
                Some(a) => a.value.clone(),
                None => Vec::new(),
            };
            let mut domains = Vec::new();
            for (i, fqdn) in list.servers.iter().enumerate() {
                let (short, domain) = split_host(fqdn);
                domains.extend(domain);
                let address = addrs.get(i).cloned();
                self.server_by_access.insert(fqdn.clone(), short.clone());
                self.server_by_access.insert(short.clone(), short.clone());
                if let Some(a) = address.as_deref().and_then(check::address) {
                    self.server_by_access.insert(a, short.clone());
                }
                self.server_site.insert(short.clone(), name.clone());
                site.servers.insert(
                    short,
                    ServerPlan {
                        address,
                        store: String::new(),
                    },
                );
            }
            site.domain = most_common(domains.iter());
            self.plan.sites.insert(name.clone(), site);
        }
    }

    /// Every disk of every server profile; stores and safety limits.
    pub fn servers(&mut self) {
        for (host, (file, profile)) in &self.facts.servers {
            let disks = res(profile, "disklist");
            let tags: BTreeSet<String> = disks
                .map(|d| d.tags.iter().map(|t| t.text.clone()).collect())
                .unwrap_or_default();
            self.legacy_pulls.insert(host.clone(), tags);
            let Some(site) = self.server_site.get(host).cloned() else {
                let span = disks.map_or_else(|| self.legacy.file_start(*file), |d| d.span.clone());
                let server = host.clone();
                self.report(&span, |span| ImportError::UnknownServer { server, span });
                continue;
            };
            self.safety_limit(&site, profile);
            let all = res(profile, "checksum").is_some_and(|r| r.value == "yes");
            for tag in disks.map(|d| d.tags.clone()).unwrap_or_default() {
                let span = self.legacy.narrow(&tag.span, &tag.text);
                self.disk(host, profile, all, &tag.text, &span);
            }
        }
    }

    fn safety_limit(&mut self, site: &str, profile: &Profile) {
        let Some(r) = res(profile, "safetylimit") else {
            return;
        };
        let Ok(limit) = r.value.trim_end_matches('%').parse::<u32>() else {
            return;
        };
        let Some(plan) = self.plan.sites.get_mut(site) else {
            return;
        };
        match plan.safety_limit {
            None => plan.safety_limit = Some(limit),
            Some(kept) if kept != limit => {
                let what = format!("safety limit of site {site}");
                let (kept, dropped) = (kept.to_string(), limit.to_string());
                self.report(&r.span, |span| ImportError::Conflict {
                    what,
                    kept,
                    dropped,
                    span,
                });
            }
            Some(_) => {}
        }
    }

    fn disk(&mut self, server: &str, profile: &Profile, all: bool, tag: &str, span: &Range<usize>) {
        let Some(src) = res(profile, &format!("srchost_{tag}")) else {
            let tag = tag.to_string();
            return self.report(span, |span| ImportError::IncompleteDisk { tag, span });
        };
        let (client, domain) = split_host(&src.value);
        let prefix = format!("{}_", check::to_tag(&client));
        let Some(path_tag) = tag.strip_prefix(&prefix).filter(|t| !t.is_empty()) else {
            let tag = tag.to_string();
            return self.report(span, |span| ImportError::TagMismatch { tag, prefix, span });
        };
        let checksum = res(profile, &format!("checksum_{tag}")).map_or(all, |r| r.value == "yes");
        let port = res(profile, &format!("srcport_{tag}")).and_then(|r| r.value.parse().ok());
        if let Some(d) = res(profile, &format!("dstdir_{tag}")) {
            self.store(server, &client, path_tag, d);
        }
        let (client, tag, path_tag) = (client.clone(), tag.to_string(), path_tag.to_string());
        let pull = Pull {
            server: server.to_string(),
            client,
            domain,
            tag,
            path_tag,
            checksum,
            port,
            span: span.clone(),
        };
        self.pulls.push(pull);
    }

    fn store(&mut self, server: &str, client: &str, path_tag: &str, dstdir: &Res) {
        let suffix = format!("/{client}/{path_tag}");
        let derived = dstdir
            .value
            .trim_end_matches('/')
            .strip_suffix(&suffix)
            .filter(|s| s.starts_with('/'));
        let Some(store) = derived.map(str::to_string) else {
            let what = format!("dstdir layout of {server}");
            let (kept, dropped) = (format!("<store>{suffix}"), dstdir.value.clone());
            return self.report(&dstdir.span, |span| ImportError::Conflict {
                what,
                kept,
                dropped,
                span,
            });
        };
        let site = self.server_site.get(server).cloned().unwrap_or_default();
        let Some(plan) = self
            .plan
            .sites
            .get_mut(&site)
            .and_then(|s| s.servers.get_mut(server))
        else {
            return;
        };
        if plan.store.is_empty() {
            plan.store = store;
        } else if plan.store != store {
            let (what, kept) = (format!("store of {server}"), plan.store.clone());
            self.report(&dstdir.span, |span| ImportError::Conflict {
                what,
                kept,
                dropped: store,
                span,
            });
        }
    }

    /// Servers whose profile named no dstdir get the most common store of the estate.
    pub fn default_stores(&mut self) {
        let all: Vec<String> = self
            .plan
            .sites
            .values()
            .flat_map(|s| s.servers.values())
            .map(|s| s.store.clone())
            .collect();
        let fallback = most_common(all.iter().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "/disk/rmirror".to_string());
        for srv in self
            .plan
            .sites
            .values_mut()
            .flat_map(|s| s.servers.values_mut())
        {
            if srv.store.is_empty() {
                srv.store.clone_from(&fallback);
            }
        }
    }
}

/// An rmirror resource of a profile.
fn res<'p>(profile: &'p Profile, name: &str) -> Option<&'p Res> {
    profile.get(&("rmirror".to_string(), name.to_string()))
}

/// The most frequent item; ties go to the smallest.
pub fn most_common<'i, T: Ord + Clone + 'i>(items: impl Iterator<Item = &'i T>) -> Option<T> {
    let mut counts: BTreeMap<&T, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(t, _)| t.clone())
}
