//! The floor of the benchmark (`bench/run`): the same job as `mirrorc compile`, written the way a
//! skilled engineer would in an afternoon. Plain serde structs (no spans, no validation, no
//! diagnostics), the documented resolution (server sets, pins, weighted rendezvous hashing),
//! `format!`-style rendering instead of templates, and one `std::fs::write` per file on one
//! thread. No manifest, no atomic writes, no change detection.
//!
//! ```text
//! cargo run --release --example bench_floor -- ESTATE_DIR OUT_DIR
//! ```
//! Reads every `*.yaml`/`*.yml` file of ESTATE_DIR and writes the same configuration files as
//! `mirrorc compile` into OUT_DIR: `lcfg/`, `rsync/`, `hosts-allow/` and `spanning-map.json`
//! (`"version": 1` first, `holders` per client). Not the manifest (`.mirrorc-manifest.json`)
//! nor the runtime files (`servers/<server>.json` and the like), which `bench/report.py`
//! counts apart. It trusts its input: a broken estate panics or produces garbage.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
// The assignment must match mirrorc's bit for bit: use its documented score, not a copy.
use mirrorc_core::analyze::assign::score;
use mirrorc_core::analyze::check;
use mirrorc_core::emit::guard;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct SiteFile {
    site: String,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    mirrored_by: Vec<String>,
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    servers: IndexMap<String, ServerDecl>,
    #[serde(default)]
    clients: IndexMap<String, ClientDecl>,
}

#[derive(Deserialize, Default)]
struct Defaults {
    port: Option<u16>,
    copies: Option<u32>,
    safety_limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Text(String),
    Bytes(u64),
}

#[derive(Deserialize)]
struct ServerDecl {
    address: Option<OneOrMany>,
    store: String,
    capacity: Option<Size>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct ClientDecl {
    address: Option<OneOrMany>,
    mirrored_by: Option<Vec<String>>,
    copies: Option<u32>,
    pin: Option<Vec<String>>,
    port: Option<u16>,
    #[serde(default)]
    paths: IndexMap<String, PathDecl>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PathDecl {
    Plain(String),
    Table {
        path: String,
        #[serde(default)]
        exclude: Vec<String>,
        #[serde(default)]
        checksum: bool,
    },
}

struct Site {
    name: String,
    mirrored_by: Vec<usize>,
    servers: Vec<usize>,
}

struct Server {
    name: String,
    fqdn: String,
    tag: String,
    site: usize,
    addresses: Vec<String>,
    store: String,
    capacity: Option<u64>,
    state: String,
    safety_limit: u32,
    holds: Vec<usize>,
    eligible: Vec<usize>,
}

struct DiskPath {
    tag: String,
    name: String,
    path: String,
    exclude: Vec<String>,
    checksum: bool,
}

struct Client {
    name: String,
    fqdn: String,
    site: usize,
    addresses: Vec<String>,
    port: u16,
    copies: u32,
    mirrored_by: Vec<usize>,
    pin: Vec<String>,
    server_set: Vec<usize>,
    holders: Vec<usize>,
    pinned: Vec<usize>,
    paths: Vec<DiskPath>,
}

fn fqdn(name: &str, domain: &Option<String>) -> String {
    match domain {
        Some(d) if !name.contains('.') => format!("{name}.{d}"),
        _ => name.to_string(),
    }
}

/// Capacity in bytes (the inventory was checked by mirrorc; a bad size counts as 0).
fn size(s: &Size) -> u64 {
    match s {
        Size::Bytes(b) => *b,
        Size::Text(t) => check::size(t).unwrap_or(0),
    }
}

struct Estate {
    sites: Vec<Site>,
    servers: Vec<Server>,
    clients: Vec<Client>,
}

impl Estate {
    fn access_names(&self, s: usize) -> Vec<&str> {
        let s = &self.servers[s];
        if s.addresses.is_empty() {
            vec![s.fqdn.as_str()]
        } else {
            s.addresses.iter().map(String::as_str).collect()
        }
    }

    fn hosts_allow(&self, c: &Client) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &c.server_set {
            for a in self.access_names(*s) {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }
}

fn load(dir: &Path) -> Estate {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read estate folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    let mut parsed: Vec<SiteFile> = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read site file");
            mirrorc_core::source::from_yaml::<SiteFile>(&text)
                .unwrap_or_else(|e| panic!("{}: {}", p.display(), e.message))
        })
        .collect();
    parsed.sort_by(|a, b| a.site.cmp(&b.site));
    let site_ids: HashMap<String, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, f)| (f.site.clone(), i))
        .collect();
    let resolve_sites = |names: &[String]| {
        let mut v: Vec<usize> = names
            .iter()
            .filter_map(|n| site_ids.get(n).copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };

    let mut sites = Vec::new();
    let mut servers = Vec::new();
    let mut clients = Vec::new();
    for (i, f) in parsed.iter_mut().enumerate() {
        sites.push(Site {
            name: f.site.clone(),
            mirrored_by: resolve_sites(&f.mirrored_by),
            servers: Vec::new(),
        });
        for (name, d) in f.servers.drain(..) {
            servers.push(Server {
                fqdn: fqdn(&name, &f.domain),
                tag: check::to_tag(&name),
                site: i,
                addresses: d.address.map(OneOrMany::into_vec).unwrap_or_default(),
                store: d.store,
                capacity: d.capacity.as_ref().map(size),
                state: d.state.unwrap_or_else(|| "active".into()),
                safety_limit: f.defaults.safety_limit.unwrap_or(70),
                holds: Vec::new(),
                eligible: Vec::new(),
                name,
            });
        }
        for (name, d) in f.clients.drain(..) {
            let mut paths: Vec<DiskPath> = d
                .paths
                .into_iter()
                .map(|(tag_name, p)| {
                    let (path, exclude, checksum) = match p {
                        PathDecl::Plain(path) => (path, Vec::new(), false),
                        PathDecl::Table {
                            path,
                            exclude,
                            checksum,
                        } => (path, exclude, checksum),
                    };
                    DiskPath {
                        tag: check::to_tag(&format!("{name}_{tag_name}")),
                        name: tag_name,
                        path,
                        exclude,
                        checksum,
                    }
                })
                .collect();
            paths.sort_by(|a, b| a.tag.cmp(&b.tag));
            clients.push(Client {
                fqdn: fqdn(&name, &f.domain),
                site: i,
                addresses: d.address.map(OneOrMany::into_vec).unwrap_or_default(),
                port: d.port.or(f.defaults.port).unwrap_or(8873),
                copies: d.copies.or(f.defaults.copies).unwrap_or(1),
                mirrored_by: match &d.mirrored_by {
                    Some(list) => resolve_sites(list),
                    None => sites[i].mirrored_by.clone(),
                },
                pin: d.pin.unwrap_or_default(),
                server_set: Vec::new(),
                holders: Vec::new(),
                pinned: Vec::new(),
                paths,
                name,
            });
        }
    }
    servers.sort_by(|a, b| a.name.cmp(&b.name));
    clients.sort_by(|a, b| a.name.cmp(&b.name));
    for (i, s) in servers.iter().enumerate() {
        sites[s.site].servers.push(i);
    }
    Estate {
        sites,
        servers,
        clients,
    }
}

/// Server sets, pins, then weighted rendezvous hashing over the active rest.
fn assign(e: &mut Estate) {
    let server_ids: HashMap<&str, usize> = e
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut holds: Vec<Vec<usize>> = vec![Vec::new(); e.servers.len()];
    let mut eligible: Vec<Vec<usize>> = vec![Vec::new(); e.servers.len()];
    for (ci, c) in e.clients.iter_mut().enumerate() {
        let mut set: Vec<usize> = c
            .mirrored_by
            .iter()
            .flat_map(|site| e.sites[*site].servers.iter().copied())
            .filter(|s| e.servers[*s].state != "retired" && e.servers[*s].name != c.name)
            .collect();
        set.sort_unstable();
        set.dedup();
        let mut pinned: Vec<usize> = Vec::new();
        for p in &c.pin {
            if let Some(&s) = server_ids.get(p.as_str()) {
                if set.contains(&s) && !pinned.contains(&s) {
                    pinned.push(s);
                }
            }
        }
        let candidates: Vec<usize> = set
            .iter()
            .copied()
            .filter(|s| e.servers[*s].state == "active" && !pinned.contains(s))
            .collect();
        let all_caps = candidates.iter().all(|s| e.servers[*s].capacity.is_some());
        let mut scored: Vec<(f64, usize)> = candidates
            .iter()
            .map(|s| {
                let srv = &e.servers[*s];
                let w = if all_caps {
                    srv.capacity.unwrap_or(1).max(1) as f64
                } else {
                    1.0
                };
                (score(&c.name, &srv.name, w), *s)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let needed = (c.copies as usize).saturating_sub(pinned.len());
        let mut holders = pinned.clone();
        holders.extend(scored.iter().take(needed).map(|x| x.1));
        holders.sort_unstable();
        for s in &set {
            eligible[*s].push(ci);
        }
        for s in &holders {
            holds[*s].push(ci);
        }
        c.server_set = set;
        c.pinned = pinned;
        c.holders = holders;
    }
    for (i, s) in e.servers.iter_mut().enumerate() {
        s.holds = std::mem::take(&mut holds[i]);
        s.eligible = std::mem::take(&mut eligible[i]);
    }
}

fn server_h(e: &Estate, s: &Server) -> String {
    let mut disks: Vec<(&DiskPath, &Client)> = s
        .holds
        .iter()
        .flat_map(|c| e.clients[*c].paths.iter().map(move |p| (p, &e.clients[*c])))
        .collect();
    disks.sort_by(|a, b| a.0.tag.cmp(&b.0.tag));
    let g = guard("SERVER", &s.name);
    let mut o = String::with_capacity(256 + disks.len() * 200);
    o.push_str("/* Generated by mirrorc from the site inventory: do not edit by hand. */\n");
    let _ = writeln!(
        o,
        "/* rmirror resources of mirror server {} (site {}, {}). srcport_, srcaddr_, client_ and address are read by mirrorc run, not by rmirror. */",
        s.fqdn, e.sites[s.site].name, s.state
    );
    let _ = write!(
        o,
        "#ifndef {g}\n#define {g}\n\n!profile.components mADD(rmirror)\n"
    );
    if !disks.is_empty() {
        let tags: Vec<&str> = disks.iter().map(|d| d.0.tag.as_str()).collect();
        let _ = writeln!(o, "!rmirror.disklist mADD({})", tags.join(" "));
    }
    let _ = writeln!(o, "rmirror.safetylimit {}", s.safety_limit);
    if !s.addresses.is_empty() {
        let _ = writeln!(o, "rmirror.address {}", s.addresses.join(" "));
    }
    let store = s.store.trim_end_matches('/');
    for (p, c) in &disks {
        let t = &p.tag;
        let _ = write!(
            o,
            "\nrmirror.srchost_{t} {}\nrmirror.client_{t} {}\n",
            c.fqdn, c.name
        );
        if !c.addresses.is_empty() {
            let _ = writeln!(o, "rmirror.srcaddr_{t} {}", c.addresses.join(" "));
        }
        let _ = write!(
            o,
            "rmirror.srcport_{t} {}\nrmirror.dstdir_{t} {store}/{}/{}\n",
            c.port, c.name, p.name
        );
        if p.checksum {
            let _ = writeln!(o, "rmirror.checksum_{t} yes");
        }
    }
    o.push_str("\n#endif\n");
    o
}

fn client_h(e: &Estate, c: &Client, hosts: &str) -> String {
    let g = guard("CLIENT", &c.name);
    let mut o = String::with_capacity(1024);
    o.push_str("/* Generated by mirrorc from the site inventory: do not edit by hand. */\n");
    let _ = writeln!(
        o,
        "/* rmirrorclient resources of {} (site {}). */",
        c.fqdn, e.sites[c.site].name
    );
    let _ = write!(o, "#ifndef {g}\n#define {g}\n\n!profile.components mADD(rmirrorclient)\nrmirrorclient.port {}\n", c.port);
    if !c.paths.is_empty() {
        let tags: Vec<&str> = c.paths.iter().map(|p| p.tag.as_str()).collect();
        let _ = writeln!(o, "!rmirrorclient.modules mADD({})", tags.join(" "));
    }
    for p in &c.paths {
        let _ = writeln!(o, "rmirrorclient.path_{} {}", p.tag, p.path);
    }
    let tags: Vec<&str> = c
        .server_set
        .iter()
        .map(|s| e.servers[*s].tag.as_str())
        .collect();
    let _ = writeln!(o, "!rmirrorclient.servers mADD({})", tags.join(" "));
    for s in &c.server_set {
        let s = &e.servers[*s];
        let _ = writeln!(o, "rmirrorclient.serverhost_{} {}", s.tag, s.fqdn);
    }
    let _ = write!(o, "rmirrorclient.hostsallow {hosts}\n\n#endif\n");
    o
}

fn rsyncd_conf(e: &Estate, c: &Client, hosts: &str) -> String {
    let mut o = String::with_capacity(2048);
    o.push_str("# Generated by mirrorc from the site inventory: do not edit by hand.\n");
    let _ = writeln!(
        o,
        "# rsync daemon of rmirrorclient on {} (site {}).",
        c.fqdn, e.sites[c.site].name
    );
    let _ = write!(
        o,
        "# Each module admits only the mirror servers of this client's server set.\n\nport = {}\n",
        c.port
    );
    if let [one] = c.addresses.as_slice() {
        let _ = writeln!(o, "address = {one}");
    }
    o.push_str("pid file = /run/rmirrorclient-rsyncd.pid\n");
    if c.server_set
        .iter()
        .all(|s| !e.servers[*s].addresses.is_empty())
    {
        o.push_str("# Global: rsync looks the client's name up at connect time unless this is off globally.\nreverse lookup = no\n");
    }
    for p in &c.paths {
        let _ = write!(
            o,
            "\n[{}]\n    path = {}\n    read only = yes\n    write only = no\n    list = no\n    use chroot = yes\n    uid = root\n    gid = root\n    numeric ids = yes\n    hosts allow = {hosts}\n    hosts deny = *\n",
            p.tag,
            p.path.replace('%', "%%")
        );
        if !p.exclude.is_empty() {
            let ex: Vec<String> = p.exclude.iter().map(|x| x.replace('%', "%%")).collect();
            let _ = writeln!(o, "    exclude = {}", ex.join(" "));
        }
    }
    o
}

fn site_h(e: &Estate, site: &Site) -> String {
    let live: Vec<usize> = site
        .servers
        .iter()
        .copied()
        .filter(|s| e.servers[*s].state != "retired")
        .collect();
    let mut hosts: Vec<&str> = Vec::new();
    for s in &live {
        for a in e.access_names(*s) {
            if !hosts.contains(&a) {
                hosts.push(a);
            }
        }
    }
    let g = guard("SITE", &site.name);
    let m: String = site
        .name
        .chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    let mut o = String::new();
    o.push_str("/* Generated by mirrorc from the site inventory: do not edit by hand. */\n");
    let _ = writeln!(
        o,
        "/* Mirror servers of site {}: replaces the hand-kept server list. */",
        site.name
    );
    let _ = write!(o, "#ifndef {g}\n#define {g}\n\n");
    if live.is_empty() {
        let _ = writeln!(o, "/* No live mirror server: RMIRROR_SERVERS_{m} and RMIRROR_HOSTS_ALLOW_{m} are\n   left undefined on purpose, so that any use fails closed instead of admitting every host. */");
    } else {
        let fqdns: Vec<&str> = live.iter().map(|s| e.servers[*s].fqdn.as_str()).collect();
        let _ = writeln!(o, "#define RMIRROR_SERVERS_{m} {}", fqdns.join(" "));
        let _ = writeln!(o, "#define RMIRROR_HOSTS_ALLOW_{m} {}", hosts.join(" "));
    }
    o.push_str("\n#endif\n");
    o
}

#[derive(Serialize)]
struct MapClient<'a> {
    site: &'a str,
    fqdn: &'a str,
    port: u16,
    copies: u32,
    mirrored_by: Vec<&'a str>,
    server_set: Vec<&'a str>,
    holders: Vec<&'a str>,
    pinned: Vec<&'a str>,
    hosts_allow: Vec<&'a str>,
    modules: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct MapServer<'a> {
    site: &'a str,
    fqdn: &'a str,
    state: &'a str,
    addresses: &'a [String],
    holds: Vec<&'a str>,
    disks: Vec<&'a str>,
    eligible: Vec<&'a str>,
}

#[derive(Serialize)]
struct Map<'a> {
    version: u32,
    clients: BTreeMap<&'a str, MapClient<'a>>,
    servers: BTreeMap<&'a str, MapServer<'a>>,
}

fn spanning_map(e: &Estate) -> String {
    let names = |ids: &[usize]| {
        ids.iter()
            .map(|s| e.servers[*s].name.as_str())
            .collect::<Vec<_>>()
    };
    let clients = e
        .clients
        .iter()
        .map(|c| {
            let entry = MapClient {
                site: &e.sites[c.site].name,
                fqdn: &c.fqdn,
                port: c.port,
                copies: c.copies,
                mirrored_by: c
                    .mirrored_by
                    .iter()
                    .map(|s| e.sites[*s].name.as_str())
                    .collect(),
                server_set: names(&c.server_set),
                holders: names(&c.holders),
                pinned: names(&c.pinned),
                hosts_allow: e.hosts_allow(c),
                modules: c
                    .paths
                    .iter()
                    .map(|p| (p.tag.as_str(), p.path.as_str()))
                    .collect(),
            };
            (c.name.as_str(), entry)
        })
        .collect();
    let servers = e
        .servers
        .iter()
        .map(|s| {
            let mut disks: Vec<&str> = s
                .holds
                .iter()
                .flat_map(|c| e.clients[*c].paths.iter().map(|p| p.tag.as_str()))
                .collect();
            disks.sort_unstable();
            let entry = MapServer {
                site: &e.sites[s.site].name,
                fqdn: &s.fqdn,
                state: &s.state,
                addresses: &s.addresses,
                holds: s
                    .holds
                    .iter()
                    .map(|c| e.clients[*c].name.as_str())
                    .collect(),
                disks,
                eligible: s
                    .eligible
                    .iter()
                    .map(|c| e.clients[*c].name.as_str())
                    .collect(),
            };
            (s.name.as_str(), entry)
        })
        .collect();
    serde_json::to_string_pretty(&Map {
        version: 1,
        clients,
        servers,
    })
    .expect("json")
        + "\n"
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [estate, out] = args.as_slice() else {
        eprintln!("usage: bench_floor ESTATE_DIR OUT_DIR");
        std::process::exit(2);
    };
    let out = Path::new(out);
    let mut e = load(Path::new(estate));
    assign(&mut e);
    for d in [
        "lcfg/servers",
        "lcfg/clients",
        "lcfg/sites",
        "rsync",
        "hosts-allow",
    ] {
        std::fs::create_dir_all(out.join(d)).expect("create output folder");
    }
    let write = |rel: String, content: String| {
        std::fs::write(out.join(&rel), content).unwrap_or_else(|err| panic!("{rel}: {err}"))
    };
    for s in e.servers.iter().filter(|s| s.state != "retired") {
        write(format!("lcfg/servers/{}.h", s.name), server_h(&e, s));
    }
    for c in &e.clients {
        let hosts = e.hosts_allow(c).join(" ");
        write(
            format!("lcfg/clients/{}.h", c.name),
            client_h(&e, c, &hosts),
        );
        write(format!("rsync/{}.conf", c.name), rsyncd_conf(&e, c, &hosts));
        write(format!("hosts-allow/{}", c.name), format!("{hosts}\n"));
    }
    for site in &e.sites {
        write(format!("lcfg/sites/{}.h", site.name), site_h(&e, site));
    }
    write("spanning-map.json".into(), spanning_map(&e));
}
