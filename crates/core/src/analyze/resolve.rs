//! Builds the Model's sites, servers and clients from the Ast: checks names, addresses,
//! paths, sizes and values, and resolves `mirrored_by` references. Server sets and
//! assignments come after (see `assign`). Keeps a side table of declarations for their spans.

use std::collections::BTreeMap;

use miette::SourceSpan;

use super::check;
use super::error::AnalyzeError;
use super::Cx;
use crate::diag::did_you_mean;
use crate::model::{Client, ClientPath, Model, Server, ServerState, Site, SiteId};
use crate::source::{FileId, Sp};
use crate::syntax::ast::{self, Addresses, Ast, ClientDecl, PathDecl, ServerDecl, SiteFile};

/// Default daemon port of rmirrorclient.
pub const DEFAULT_PORT: u16 = 8873;
/// Default rmirror safety limit in percent.
pub const DEFAULT_SAFETY_LIMIT: u32 = 70;

/// Where one host of the Model was declared.
pub struct Decl<'a, D> {
    /// The file.
    pub file: FileId,
    /// The host's name, with its span.
    pub name: &'a Sp<String>,
    /// The declaration.
    pub decl: &'a D,
}

/// Where the servers and clients of the Model were declared, by id.
pub struct Decls<'a> {
    /// Per server id.
    pub servers: Vec<Decl<'a, ServerDecl>>,
    /// Per client id.
    pub clients: Vec<Decl<'a, ClientDecl>>,
    /// Per client id: its server set may be incomplete (a mirroring site is misspelt, did not
    /// decode, or has servers that did not), so no finding is raised about its size.
    pub unsure: Vec<bool>,
    /// Hosts declared but not decoded (unknown-but-present): references to them raise nothing.
    pub undecoded: std::collections::BTreeSet<&'a str>,
}

/// Builds sites, servers and clients (server sets still empty).
pub fn resolve<'a>(cx: &mut Cx, ast: &'a Ast) -> (Model, Decls<'a>) {
    let sites = collect_sites(cx, ast);
    let mut unsure_sites = Vec::new();
    let site_ids: BTreeMap<&str, SiteId> = sites
        .iter()
        .enumerate()
        .map(|(i, (_, f))| (f.site.as_str(), SiteId(i as u32)))
        .collect();
    let names: Vec<&str> = site_ids.keys().copied().collect();
    let mut model = Model::default();
    for (file, f) in &sites {
        // Clients that inherit the site's list: a misspelt site there is one finding for all.
        let inherit = f
            .clients
            .values()
            .filter(|c| c.mirrored_by.is_none())
            .count();
        let mirrored_by = f
            .mirrored_by
            .as_ref()
            .map(|m| resolve_sites(cx, *file, m, &site_ids, &names, inherit));
        let unknown = mirrored_by.as_ref().is_some_and(|(_, unknown)| *unknown);
        unsure_sites.push(unknown || f.partial.mirrored_by || !f.partial.servers.is_empty());
        let mirrored_by = mirrored_by.map(|(ids, _)| ids);
        let own = site_ids[f.site.as_str()];
        warn_self(cx, *file, f.mirrored_by.as_ref(), &f.site, own, &site_ids);
        model.sites.push(Site {
            name: f.site.to_string(),
            description: f.description.as_ref().map(|d| d.to_string()),
            servers: Vec::new(),
            clients: Vec::new(),
            mirrored_by: mirrored_by.unwrap_or_default(),
        });
        check_domain(cx, *file, f);
        check_defaults(cx, *file, f);
    }
    let mut decls = collect_hosts(cx, &sites, &site_ids, &unsure_sites, &mut model);
    decls.undecoded = undecoded(ast);
    // A site with servers that did not decode (or an unknown top-level key, perhaps a
    // misspelt `servers:`) leaves the sets it is in unsure.
    for (i, c) in model.clients.iter().enumerate() {
        let partial = |s: &SiteId| {
            let p = &sites[s.0 as usize].1.partial;
            !p.servers.is_empty() || p.top_level
        };
        decls.unsure[i] |= c.mirrored_by.iter().any(partial);
    }
    (model, decls)
}

/// Names of the hosts that did not decode, and of every host of a file whose site did not.
fn undecoded(ast: &Ast) -> std::collections::BTreeSet<&str> {
    let mut out = std::collections::BTreeSet::new();
    for (_, f) in &ast.files {
        out.extend(
            f.partial
                .servers
                .iter()
                .chain(&f.partial.clients)
                .map(|n| n.as_str()),
        );
        if f.partial.site {
            out.extend(f.servers.keys().chain(f.clients.keys()).map(|n| n.as_str()));
        }
    }
    out
}

fn collect_sites<'a>(cx: &mut Cx, ast: &'a Ast) -> Vec<(FileId, &'a SiteFile)> {
    let mut by_name: BTreeMap<&str, (FileId, &SiteFile)> = BTreeMap::new();
    for (file, f) in ast.files.iter().filter(|(_, f)| !f.partial.site) {
        if let Err(reason) = check::site_name(&f.site) {
            cx.err(
                *file,
                AnalyzeError::InvalidSiteName {
                    name: f.site.to_string(),
                    span: f.site.span(),
                    reason,
                },
            );
        }
        if let Some((first_file, first)) = by_name.get(f.site.as_str()) {
            let e = AnalyzeError::DuplicateSite {
                name: f.site.to_string(),
                span: f.site.span(),
            };
            let note = AnalyzeError::FirstDeclared {
                name: f.site.to_string(),
                span: first.site.span(),
            };
            cx.err_with_note(*file, e, *first_file, note);
            continue;
        }
        by_name.insert(f.site.as_str(), (*file, f));
    }
    // `x-y` and `x_y` share the include guard MIRRORC_SITE_X_Y_H and the RMIRROR_*_X_Y macros.
    let sites = by_name.values().map(|(file, f)| (*file, &f.site));
    super::tags::name_collisions(cx, "site", sites, crate::emit::lcfg::site_macro);
    by_name.into_values().collect()
}

fn resolve_sites(
    cx: &mut Cx,
    file: FileId,
    list: &Sp<Vec<Sp<String>>>,
    ids: &BTreeMap<&str, SiteId>,
    names: &[&str],
    inherited: usize,
) -> (Vec<SiteId>, bool) {
    let mut out = Vec::new();
    let mut unknown = false;
    for name in list.iter() {
        match ids.get(name.as_str()) {
            Some(id) if !out.contains(id) => out.push(*id),
            Some(_) => {}
            None => {
                unknown = true;
                cx.err(
                    file,
                    AnalyzeError::UnknownSite {
                        name: name.to_string(),
                        suggestion: did_you_mean(name, names),
                        known: super::error::known_names(names),
                        inherited,
                        span: name.span(),
                    },
                )
            }
        }
    }
    out.sort();
    (out, unknown)
}

fn warn_self(
    cx: &mut Cx,
    file: FileId,
    list: Option<&Sp<Vec<Sp<String>>>>,
    site: &str,
    own: SiteId,
    ids: &BTreeMap<&str, SiteId>,
) {
    let Some(list) = list else { return };
    if let Some(entry) = list.iter().find(|n| ids.get(n.as_str()) == Some(&own)) {
        cx.err(
            file,
            AnalyzeError::SelfMirrored {
                site: site.to_string(),
                span: entry.span(),
            },
        );
    }
}

fn check_domain(cx: &mut Cx, file: FileId, f: &SiteFile) {
    if let Some(s) = f
        .defaults
        .as_ref()
        .and_then(|d| d.safety_limit.as_ref())
        .filter(|s| ***s > 100)
    {
        cx.err(
            file,
            AnalyzeError::InvalidSafetyLimit {
                value: **s,
                span: s.span(),
            },
        );
    }
    if let Some(d) = &f.domain {
        if let Err(reason) = check::dns_name(d) {
            cx.err(
                file,
                AnalyzeError::InvalidDomain {
                    name: d.to_string(),
                    span: d.span(),
                    reason,
                },
            );
        }
    }
}

/// A host declaration before sorting.
struct HostDecl<'a, T> {
    file: FileId,
    site: SiteId,
    name: &'a Sp<String>,
    decl: &'a T,
}

fn collect_hosts<'a>(
    cx: &mut Cx,
    sites: &[(FileId, &'a SiteFile)],
    site_ids: &BTreeMap<&str, SiteId>,
    unsure_sites: &[bool],
    model: &mut Model,
) -> Decls<'a> {
    let mut servers: Vec<HostDecl<'a, ServerDecl>> = Vec::new();
    let mut clients: Vec<HostDecl<'a, ClientDecl>> = Vec::new();
    for (file, f) in sites {
        let site = site_ids[f.site.as_str()];
        servers.extend(f.servers.iter().map(|(name, decl)| HostDecl {
            file: *file,
            site,
            name,
            decl,
        }));
        clients.extend(f.clients.iter().map(|(name, decl)| HostDecl {
            file: *file,
            site,
            name,
            decl,
        }));
    }
    servers.sort_by(|a, b| a.name.cmp(b.name).then(a.file.cmp(&b.file)));
    clients.sort_by(|a, b| a.name.cmp(b.name).then(a.file.cmp(&b.file)));
    dedup_hosts(cx, &mut servers);
    dedup_hosts(cx, &mut clients);
    cross_role_conflicts(cx, &servers, &mut clients);
    let mut decls = Decls {
        servers: Vec::new(),
        clients: Vec::new(),
        unsure: Vec::new(),
        undecoded: Default::default(),
    };
    for h in &servers {
        let server = build_server(cx, h, sites[h.site.0 as usize].1);
        model.sites[h.site.0 as usize]
            .servers
            .push(crate::model::ServerId(model.servers.len() as u32));
        model.servers.push(server);
        decls.servers.push(Decl {
            file: h.file,
            name: h.name,
            decl: h.decl,
        });
    }
    // Clients are independent: build them in parallel, each with its own findings.
    let built = crate::par::map(&clients, |h| {
        let mut local = Cx::default();
        let scope = Scope {
            site: sites[h.site.0 as usize].1,
            model,
            site_ids,
            inherited_unsure: unsure_sites[h.site.0 as usize],
        };
        let client = build_client(&mut local, h, &scope);
        (client, local)
    });
    for (h, ((client, unsure), findings)) in clients.iter().zip(built) {
        decls.unsure.push(unsure);
        cx.append(findings);
        model.sites[h.site.0 as usize]
            .clients
            .push(crate::model::ClientId(model.clients.len() as u32));
        model.clients.push(client);
        decls.clients.push(Decl {
            file: h.file,
            name: h.name,
            decl: h.decl,
        });
    }
    decls
}

/// Keeps the first of each name (the list is sorted by name, then file) and reports the others
/// against it, in one pass (a `remove` per duplicate would be quadratic).
fn dedup_hosts<T>(cx: &mut Cx, hosts: &mut Vec<HostDecl<'_, T>>) {
    let mut kept = 0;
    for i in 0..hosts.len() {
        if kept > 0 && hosts[i].name == hosts[kept - 1].name {
            report_duplicate(cx, &hosts[kept - 1], &hosts[i]);
        } else {
            hosts.swap(kept, i);
            kept += 1;
        }
    }
    hosts.truncate(kept);
}

fn report_duplicate<A, B>(cx: &mut Cx, first: &HostDecl<'_, A>, again: &HostDecl<'_, B>) {
    let e = AnalyzeError::DuplicateHost {
        name: again.name.to_string(),
        span: again.name.span(),
    };
    let note = AnalyzeError::FirstDeclared {
        name: first.name.to_string(),
        span: first.name.span(),
    };
    cx.err_with_note(again.file, e, first.file, note);
}

/// A host may be both a server and a client only within one site.
fn cross_role_conflicts(
    cx: &mut Cx,
    servers: &[HostDecl<'_, ServerDecl>],
    clients: &mut Vec<HostDecl<'_, ClientDecl>>,
) {
    clients.retain(|c| {
        let server = servers
            .binary_search_by(|s| s.name.as_str().cmp(c.name.as_str()))
            .ok()
            .map(|i| &servers[i]);
        match server {
            Some(s) if s.site != c.site => {
                report_duplicate(cx, s, c);
                false
            }
            _ => true,
        }
    });
}

fn fqdn(name: &str, site: &SiteFile) -> String {
    match (&site.domain, name.contains('.')) {
        (Some(d), false) => format!("{name}.{}", d.as_str()),
        _ => name.to_string(),
    }
}

fn check_host_name(cx: &mut Cx, file: FileId, name: &Sp<String>) {
    if let Err(reason) = check::dns_name(name) {
        cx.err(
            file,
            AnalyzeError::InvalidHostName {
                name: name.to_string(),
                span: name.span(),
                reason,
            },
        );
    }
}

fn build_server(cx: &mut Cx, h: &HostDecl<'_, ServerDecl>, site: &SiteFile) -> Server {
    check_host_name(cx, h.file, h.name);
    let d = h.decl;
    check_abs_path(cx, h.file, &d.store);
    let safety = site
        .defaults
        .as_ref()
        .and_then(|d| d.safety_limit.as_ref())
        .filter(|s| ***s <= 100);
    Server {
        name: h.name.to_string(),
        fqdn: fqdn(h.name, site),
        tag: check::to_tag(h.name),
        site: h.site,
        addresses: addresses(cx, h.file, d.address.as_ref()),
        store: d.store.to_string(),
        capacity: d.capacity.as_ref().and_then(|c| size(cx, h.file, c)),
        state: d.state.as_deref().copied().unwrap_or(ServerState::Active),
        safety_limit: safety.map_or(DEFAULT_SAFETY_LIMIT, |s| **s),
        holds: Vec::new(),
        eligible: Vec::new(),
    }
}

fn addresses(cx: &mut Cx, file: FileId, a: Option<&Sp<Addresses>>) -> Vec<String> {
    let items: Vec<(String, SourceSpan)> = match a {
        None => return Vec::new(),
        Some(a) => match &**a {
            Addresses::One(s) => vec![(s.clone(), a.span())],
            Addresses::Many(v) => v.iter().map(|s| (s.to_string(), s.span())).collect(),
        },
    };
    let mut out = Vec::new();
    for (text, span) in items {
        match check::address(&text) {
            Some(a) if !out.contains(&a) => out.push(a),
            Some(_) => {}
            None => cx.err(file, AnalyzeError::InvalidAddress { text, span }),
        }
    }
    out
}

fn size(cx: &mut Cx, file: FileId, s: &Sp<ast::Size>) -> Option<u64> {
    match &**s {
        ast::Size::Bytes(b) => Some(*b),
        ast::Size::Text(t) => check::size(t)
            .map_err(|reason| {
                cx.err(
                    file,
                    AnalyzeError::InvalidSize {
                        text: t.clone(),
                        span: s.span(),
                        reason,
                    },
                )
            })
            .ok(),
    }
}

fn check_abs_path(cx: &mut Cx, file: FileId, path: &Sp<String>) {
    match check::abs_path(path) {
        Ok(()) => {}
        Err(None) => cx.err(
            file,
            AnalyzeError::RelativePath {
                path: path.to_string(),
                span: path.span(),
            },
        ),
        Err(Some(reason)) => cx.err(file, unsafe_value(path, reason)),
    }
}

/// The diagnostic for a value that would corrupt an output file.
pub fn unsafe_value(v: &Sp<String>, reason: String) -> AnalyzeError {
    AnalyzeError::UnsafeValue {
        value: check::printable(v),
        help: "such a value would be changed or misread by rsync or cpp; rename it".into(),
        reason,
        span: v.span(),
    }
}

/// What a client is resolved against: its site file, the Model so far, and the site names.
struct Scope<'a, 'm> {
    site: &'a SiteFile,
    model: &'m Model,
    site_ids: &'m BTreeMap<&'a str, SiteId>,
    /// The site's own `mirrored_by` names a site that does not exist or did not decode.
    inherited_unsure: bool,
}

/// The client, and whether its server set is unsure (see `Decls::unsure`).
fn build_client(
    cx: &mut Cx,
    h: &HostDecl<'_, ClientDecl>,
    scope: &Scope<'_, '_>,
) -> (Client, bool) {
    let (site, model, site_ids) = (scope.site, scope.model, scope.site_ids);
    check_host_name(cx, h.file, h.name);
    let d = h.decl;
    let defaults = site.defaults.as_ref();
    let port = d.port.as_ref().or(defaults.and_then(|x| x.port.as_ref()));
    let copies = d
        .copies
        .as_ref()
        .or(defaults.and_then(|x| x.copies.as_ref()));
    // The site's defaults are checked once, in `check_defaults`; here only the client's own.
    check_port(cx, h.file, d.port.as_ref(), String::new());
    check_copies(cx, h.file, d.copies.as_ref(), String::new());
    if d.paths.is_empty() {
        cx.err(
            h.file,
            AnalyzeError::ClientWithoutPaths {
                client: h.name.to_string(),
                span: h.name.span(),
            },
        );
    }
    let (mirrored_by, unsure) = match &d.mirrored_by {
        Some(list) => {
            let names: Vec<&str> = site_ids.keys().copied().collect();
            warn_self(cx, h.file, Some(list), &site.site, h.site, site_ids);
            resolve_sites(cx, h.file, list, site_ids, &names, 0)
        }
        None => (
            model.site(h.site).mirrored_by.clone(),
            scope.inherited_unsure,
        ),
    };
    let client = Client {
        name: h.name.to_string(),
        fqdn: fqdn(h.name, site),
        site: h.site,
        addresses: addresses(cx, h.file, d.address.as_ref()),
        port: port.map_or(DEFAULT_PORT, |p| **p),
        copies: copies.map_or(1, |c| **c),
        mirrored_by,
        server_set: Vec::new(),
        holders: Vec::new(),
        draining: Vec::new(),
        pinned: Vec::new(),
        hosts_allow: Vec::new(),
        paths: paths(
            cx,
            h.file,
            h.name,
            d,
            defaults.and_then(|x| x.rsync.as_ref()),
        ),
    };
    (client, unsure)
}

fn check_port(cx: &mut Cx, file: FileId, port: Option<&Sp<u16>>, affected: String) {
    match port.map(|p| (**p, p.span())) {
        Some((0, span)) => cx.err(
            file,
            AnalyzeError::InvalidPort {
                port: 0,
                affected,
                span,
            },
        ),
        Some((873, span)) => cx.err(file, AnalyzeError::SystemRsyncPort { affected, span }),
        _ => {}
    }
}

fn check_copies(cx: &mut Cx, file: FileId, copies: Option<&Sp<u32>>, affected: String) {
    if let Some(c) = copies.filter(|c| ***c == 0) {
        let span = c.span();
        cx.err(file, AnalyzeError::InvalidCopies { affected, span });
    }
}

/// A site default's mistake is one finding, at the default, with the clients it reaches.
fn check_defaults(cx: &mut Cx, file: FileId, f: &SiteFile) {
    let Some(d) = &f.defaults else { return };
    let affected = |n: usize| match n {
        1 => " (the default of 1 client)".to_string(),
        n => format!(" (the default of {n} clients)"),
    };
    let ports = f.clients.values().filter(|c| c.port.is_none()).count();
    check_port(cx, file, d.port.as_ref(), affected(ports));
    super::rsync_params::check(cx, file, d.rsync.as_ref());
    let copies = f.clients.values().filter(|c| c.copies.is_none()).count();
    check_copies(cx, file, d.copies.as_ref(), affected(copies));
}

fn paths(
    cx: &mut Cx,
    file: FileId,
    client: &Sp<String>,
    d: &ClientDecl,
    site_rsync: Option<&Sp<crate::syntax::ast::RsyncDecl>>,
) -> Vec<ClientPath> {
    super::rsync_params::check(cx, file, d.rsync.as_ref());
    let mut out: Vec<ClientPath> = Vec::new();
    for (name, decl) in &d.paths {
        if let Err(reason) = check::path_tag(name) {
            cx.err(
                file,
                AnalyzeError::InvalidTag {
                    tag: name.to_string(),
                    span: name.span(),
                    reason,
                },
            );
            continue;
        }
        let tag = check::to_tag(&format!("{}_{}", client.as_str(), name.as_str()));
        if let Err(reason) = check::lcfg_tag(&tag) {
            // An invalid host name is reported on its own; its tags would only repeat it.
            if check::dns_name(client).is_ok() {
                cx.err(
                    file,
                    AnalyzeError::InvalidTag {
                        tag: tag.clone(),
                        span: client.span(),
                        reason,
                    },
                );
            }
            continue;
        }
        let mut path = build_path(cx, file, decl, tag, name);
        let own = match &**decl {
            PathDecl::Table(t) => t.rsync.as_ref(),
            PathDecl::Plain(_) => None,
        };
        super::rsync_params::check(cx, file, own);
        path.rsync = super::rsync_params::merge([site_rsync, d.rsync.as_ref(), own]);
        out.push(path);
    }
    out.sort_by(|a, b| a.tag.cmp(&b.tag).then(a.path_tag.cmp(&b.path_tag)));
    out
}

fn build_path(
    cx: &mut Cx,
    file: FileId,
    decl: &Sp<PathDecl>,
    tag: String,
    name: &str,
) -> ClientPath {
    let (path, size_v, exclude, checksum) = match &**decl {
        PathDecl::Plain(p) => {
            check_plain_path(cx, file, p, decl.span());
            (p.clone(), None, Vec::new(), false)
        }
        PathDecl::Table(t) => {
            check_abs_path(cx, file, &t.path);
            let s = t.size.as_ref().and_then(|s| size(cx, file, s));
            for pat in &t.exclude {
                if let Err(reason) = check::exclude(pat) {
                    cx.err(
                        file,
                        AnalyzeError::InvalidExclude {
                            pattern: check::printable(pat),
                            reason,
                            span: pat.span(),
                        },
                    );
                }
            }
            let checksum = t.checksum.as_ref().is_some_and(|c| **c);
            (
                t.path.to_string(),
                s,
                t.exclude.iter().map(|e| e.to_string()).collect(),
                checksum,
            )
        }
    };
    ClientPath {
        tag,
        path_tag: name.to_string(),
        path,
        size: size_v,
        exclude,
        checksum,
        rsync: crate::model::RsyncParams::default(),
    }
}

fn check_plain_path(cx: &mut Cx, file: FileId, p: &str, span: SourceSpan) {
    match check::abs_path(p) {
        Ok(()) => {}
        Err(None) => cx.err(
            file,
            AnalyzeError::RelativePath {
                path: p.to_string(),
                span,
            },
        ),
        Err(Some(reason)) => cx.err(
            file,
            AnalyzeError::UnsafeValue {
                value: check::printable(p),
                help: "such a value would be changed or misread by rsync or cpp; rename it".into(),
                reason,
                span,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use crate::analyze::Cx;
    use crate::source::SourceMap;

    /// Resolves the given site files (no assignment) and dumps the Model's hosts and paths, or
    /// the codes and messages of the findings.
    #[track_caller]
    fn check(files: &[&str]) -> String {
        let mut sources = SourceMap::default();
        for (i, text) in files.iter().enumerate() {
            sources.add(format!("s{i}.yaml"), text.to_string());
        }
        let (ast, findings) = crate::syntax::parse(&sources);
        assert!(findings.is_empty(), "syntax: {findings:?}");
        let mut cx = Cx::default();
        let (model, _) = resolve(&mut cx, &ast);
        let mut out = Vec::new();
        for f in cx.as_slice() {
            out.push(format!("{}: {}", f.code(), f.diag));
        }
        for s in &model.servers {
            out.push(format!(
                "server {} fqdn={} tag={} site={} state={} addr={:?} store={} safety={}",
                s.name,
                s.fqdn,
                s.tag,
                model.site(s.site).name,
                s.state.as_str(),
                s.addresses,
                s.store,
                s.safety_limit
            ));
        }
        for c in &model.clients {
            out.push(format!(
                "client {} fqdn={} site={} port={} copies={} addr={:?}",
                c.name,
                c.fqdn,
                model.site(c.site).name,
                c.port,
                c.copies,
                c.addresses
            ));
            for p in &c.paths {
                out.push(format!(
                    "  {} = {}:{} exclude={:?} checksum={}",
                    p.tag, p.path_tag, p.path, p.exclude, p.checksum
                ));
            }
        }
        out.join("\n")
    }

    const JCMB: &str = "site: jcmb\ndomain: inf.ed.ac.uk\nmirrored_by: [forum]\nservers:\n  jmirror1: { address: 192.0.2.11, store: /disk/m1/ }\n  jmirror2: { store: /disk/m2, state: drain }\n";

    #[test]
    fn hosts_get_fqdn_tag_defaults_and_sorted_paths() {
        let forum = "site: forum\ndomain: example.org\nmirrored_by: [jcmb]\ndefaults: { port: 8874, safety_limit: 50 }\nservers:\n  f-mirror.1: { address: 198.51.100.1, store: /m }\nclients:\n  pc2.other.org:\n    paths: { scratch: { path: /s, exclude: [tmp/], checksum: true }, home: /h }\n  pc1: { address: 198.51.100.50, copies: 2, paths: { home: /home } }\n";
        insta::assert_snapshot!(check(&[JCMB, forum]), @r#"
        server f-mirror.1 fqdn=f-mirror.1 tag=f_mirror_1 site=forum state=active addr=["198.51.100.1"] store=/m safety=50
        server jmirror1 fqdn=jmirror1.inf.ed.ac.uk tag=jmirror1 site=jcmb state=active addr=["192.0.2.11"] store=/disk/m1/ safety=70
        server jmirror2 fqdn=jmirror2.inf.ed.ac.uk tag=jmirror2 site=jcmb state=drain addr=[] store=/disk/m2 safety=70
        client pc1 fqdn=pc1.example.org site=forum port=8874 copies=2 addr=["198.51.100.50"]
          pc1_home = home:/home exclude=[] checksum=false
        client pc2.other.org fqdn=pc2.other.org site=forum port=8874 copies=1 addr=[]
          pc2_other_org_home = home:/h exclude=[] checksum=false
          pc2_other_org_scratch = scratch:/s exclude=["tmp/"] checksum=true
        "#);
    }

    #[test]
    fn an_unknown_site_in_mirrored_by_is_reported_and_the_rest_resolves() {
        let forum = "site: forum\nmirrored_by: [jcmbb]\nclients:\n  pc1: { paths: { home: /h } }\n";
        insta::assert_snapshot!(check(&[JCMB, forum]), @r#"
        mirrorc::unknown_site: unknown site `jcmbb`
        server jmirror1 fqdn=jmirror1.inf.ed.ac.uk tag=jmirror1 site=jcmb state=active addr=["192.0.2.11"] store=/disk/m1/ safety=70
        server jmirror2 fqdn=jmirror2.inf.ed.ac.uk tag=jmirror2 site=jcmb state=drain addr=[] store=/disk/m2 safety=70
        client pc1 fqdn=pc1 site=forum port=8873 copies=1 addr=[]
          pc1_home = home:/h exclude=[] checksum=false
        "#);
    }

    #[test]
    fn a_host_declared_twice_is_a_duplicate() {
        let forum =
            "site: forum\nmirrored_by: [jcmb]\nclients:\n  jmirror1: { paths: { home: /h } }\n";
        insta::assert_snapshot!(check(&[JCMB, forum]), @r#"
        mirrorc::duplicate_host: host `jmirror1` is declared twice
        server jmirror1 fqdn=jmirror1.inf.ed.ac.uk tag=jmirror1 site=jcmb state=active addr=["192.0.2.11"] store=/disk/m1/ safety=70
        server jmirror2 fqdn=jmirror2.inf.ed.ac.uk tag=jmirror2 site=jcmb state=drain addr=[] store=/disk/m2 safety=70
        "#);
    }
}
