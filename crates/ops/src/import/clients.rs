//! Facts → [`Plan`], the client half. A client is every host a server pulls from
//! (`srchost_<tag>`); its paths come from its profile's `rmirrorclient.path_<tag>`; it is pinned
//! to the servers that pull it (so no copy moves) and mirrored by their sites and the sites of
//! the servers its hosts-allow admits. Its own site: `inv.location`'s first word, else the only
//! site that does not mirror it, else a guess with a warning.

use std::collections::{BTreeMap, BTreeSet};

use super::error::ImportError;
use super::facts::{Profile, Res};
use super::map::{most_common, Mapper, Pull};
use super::plan::{ClientPlan, PathPlan};
use mirrorc_core::analyze::check;

/// Legacy: client → the servers its hosts-allow admits.
pub type Admits = BTreeMap<String, BTreeSet<String>>;

impl Mapper<'_> {
    /// Every client profile's hosts-allow, mapped to server names; entries that are no
    /// server are reported and returned in the second map.
    pub fn admits(&mut self) -> (Admits, Admits) {
        let (mut out, mut foreign) = (Admits::new(), Admits::new());
        for (host, (_, profile)) in &self.facts.clients {
            let Some(allow) = res(profile, "hostsallow") else {
                continue;
            };
            let mut set = BTreeSet::new();
            for token in &allow.tags {
                match self.server_of(&token.text) {
                    Some(server) => _ = set.insert(server),
                    None => {
                        let (h, client) = (token.text.clone(), host.clone());
                        foreign.entry(client.clone()).or_default().insert(h.clone());
                        let at = self.legacy.narrow(&token.span, &h);
                        self.report(&at, |span| ImportError::UnknownHost {
                            host: h,
                            client,
                            span,
                        });
                    }
                }
            }
            out.insert(host.clone(), set);
        }
        (out, foreign)
    }

    fn server_of(&self, token: &str) -> Option<String> {
        let canonical = check::address(token);
        let key = canonical.as_deref().unwrap_or(token);
        self.server_by_access.get(key).cloned()
    }

    /// Clients from the pulls, placed in their sites; then the sites' common defaults.
    pub fn clients(&mut self, admits: &Admits) {
        let mut by_client: BTreeMap<String, Vec<Pull>> = BTreeMap::new();
        for p in &self.pulls {
            by_client
                .entry(p.client.clone())
                .or_default()
                .push(p.clone());
        }
        for (name, profile) in self
            .facts
            .clients
            .iter()
            .filter(|(n, _)| !by_client.contains_key(*n))
        {
            self.unpulled(name, &profile.1, &BTreeSet::new());
        }
        for (name, pulls) in by_client {
            self.client(&name, &pulls, admits.get(&name));
        }
        self.site_defaults();
    }

    fn client(&mut self, name: &str, pulls: &[Pull], admits: Option<&BTreeSet<String>>) {
        let profile = self.facts.clients.get(name).map(|(_, p)| p);
        let empty = Profile::new();
        let profile = profile.unwrap_or(&empty);
        let mut plan = ClientPlan::default();
        let mut by_tag: BTreeMap<&str, Vec<&Pull>> = BTreeMap::new();
        for p in pulls {
            by_tag.entry(&p.tag).or_default().push(p);
        }
        for (tag, ps) in &by_tag {
            let Some(path) = res(profile, &format!("path_{tag}")) else {
                let (tag, client) = (tag.to_string(), name.to_string());
                self.report(&ps[0].span, |span| ImportError::MissingPath {
                    tag,
                    client,
                    span,
                });
                continue;
            };
            let checksum = ps.iter().any(|p| p.checksum);
            if let Some(p) = ps.iter().find(|p| !p.checksum).filter(|_| checksum) {
                let what = format!("checksum of {tag}");
                self.report(&p.span, |span| ImportError::Conflict {
                    what,
                    kept: "yes".into(),
                    dropped: "no".into(),
                    span,
                });
            }
            plan.paths.insert(
                ps[0].path_tag.clone(),
                PathPlan {
                    path: path.value.clone(),
                    checksum,
                },
            );
            plan.pin.extend(ps.iter().map(|p| p.server.clone()));
        }
        let pulled: BTreeSet<String> = by_tag.keys().map(|t| t.to_string()).collect();
        self.unpulled(name, profile, &pulled);
        if plan.paths.is_empty() {
            return;
        }
        self.split(name, &by_tag, &plan.pin);
        plan.port = self.port(name, profile, pulls);
        let admitted = admits.into_iter().flatten().chain(plan.pin.iter());
        plan.mirrored_by = admitted
            .filter_map(|s| self.server_site.get(s).cloned())
            .collect();
        let site = self.home_site(name, profile, &plan.mirrored_by, &pulls[0].span);
        let Some(site) = self.plan.sites.get_mut(&site) else {
            return;
        };
        let domain = pulls[0].domain.clone();
        let kept = site.domain.clone();
        site.clients.insert(name.to_string(), plan);
        if domain.is_some() && domain != kept {
            let what = format!("domain of {name}");
            let (kept, dropped) = (kept.unwrap_or_default(), domain.unwrap_or_default());
            self.report(&pulls[0].span, |span| ImportError::Conflict {
                what,
                kept,
                dropped,
                span,
            });
        }
    }

    /// Warns about every module of a client profile that no server pulls.
    fn unpulled(&mut self, client: &str, profile: &Profile, pulled: &BTreeSet<String>) {
        let Some(modules) = res(profile, "modules") else {
            return;
        };
        for m in modules.tags.iter().filter(|m| !pulled.contains(&m.text)) {
            let span = res(profile, &format!("path_{}", m.text))
                .map_or(m.span.clone(), |r| r.span.clone());
            let (tag, client) = (m.text.clone(), client.to_string());
            self.report(&span, |span| ImportError::UnpulledModule {
                tag,
                client,
                span,
            });
        }
    }

    fn split(
        &mut self,
        client: &str,
        by_tag: &BTreeMap<&str, Vec<&Pull>>,
        pins: &BTreeSet<String>,
    ) {
        let partial = by_tag.values().find(|ps| ps.len() != pins.len());
        if let Some(ps) = partial {
            let servers = pins.iter().cloned().collect::<Vec<_>>().join(", ");
            let client = client.to_string();
            self.report(&ps[0].span, |span| ImportError::SplitClient {
                client,
                servers,
                span,
            });
        }
    }

    fn port(&mut self, client: &str, profile: &Profile, pulls: &[Pull]) -> Option<u16> {
        let own = res(profile, "port").and_then(|r| r.value.parse::<u16>().ok());
        let kept = own.or_else(|| pulls.iter().find_map(|p| p.port))?;
        if let Some(p) = pulls.iter().find(|p| p.port.is_some_and(|x| x != kept)) {
            let what = format!("port of {client}");
            let dropped = p.port.map(|x| x.to_string()).unwrap_or_default();
            self.report(&p.span, |span| ImportError::Conflict {
                what,
                kept: kept.to_string(),
                dropped,
                span,
            });
        }
        Some(kept)
    }

    fn home_site(
        &mut self,
        client: &str,
        profile: &Profile,
        mirrored_by: &BTreeSet<String>,
        at: &std::ops::Range<usize>,
    ) -> String {
        let located = profile
            .get(&("inv".to_string(), "location".to_string()))
            .and_then(|r| r.value.split_whitespace().next())
            .map(|w| w.to_ascii_lowercase())
            .filter(|s| self.plan.sites.contains_key(s));
        if let Some(site) = located {
            return site;
        }
        let others: Vec<&String> = self
            .plan
            .sites
            .keys()
            .filter(|s| !mirrored_by.contains(*s))
            .collect();
        if let [only] = others.as_slice() {
            return only.to_string();
        }
        let guess = others
            .first()
            .copied()
            .or_else(|| self.plan.sites.keys().next())
            .cloned()
            .unwrap_or_default();
        let span = profile
            .values()
            .next()
            .map_or(at.clone(), |r| r.span.clone());
        let (c, site) = (client.to_string(), guess.clone());
        self.report(&span, |span| ImportError::ClientSite {
            client: c,
            site,
            span,
        });
        guess
    }

    /// A site's `mirrored_by` and `port` are the most common among its clients.
    fn site_defaults(&mut self) {
        for site in self.plan.sites.values_mut() {
            let sets: Vec<Vec<String>> = site
                .clients
                .values()
                .map(|c| c.mirrored_by.iter().cloned().collect())
                .collect();
            site.mirrored_by = most_common(sets.iter()).unwrap_or_default();
            site.port = most_common(site.clients.values().filter_map(|c| c.port.as_ref()));
        }
    }
}

fn res<'p>(profile: &'p Profile, name: &str) -> Option<&'p Res> {
    profile.get(&("rmirrorclient".to_string(), name.to_string()))
}
