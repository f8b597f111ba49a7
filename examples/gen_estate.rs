//! Generate a large, valid, synthetic mirrorc estate for benchmarks and scale tests.
//!
//! ```text
//! cargo run --release --example gen_estate -- --scale M --out /tmp/estate-m
//! cargo run --release --example gen_estate -- --sites 10 --servers 50 --clients 10000 --paths 5 --out DIR
//! ```
//! Presets (`--scale`): S = 2 sites, 6 servers, 200 clients x 3 paths; M = 10 sites, 50 servers,
//! 10,000 clients x 5 paths; L = 50 sites, 300 servers, 100,000 clients x 5 paths. Explicit
//! flags override the preset; `--seed N` changes the (fixed by default) seed.
//!
//! Writes one `<site>.yaml` per site into DIR (created if missing; other files are left alone).
//! The output is a pure function of the arguments: an own splitmix64 PRNG, no dependencies, no
//! clock or hash-map order. Invariants, so the estate compiles with no error and no warning:
//! - sites form a ring: site i is `mirrored_by` site i+1 (so at least 2 sites are needed);
//! - servers are spread evenly over sites (at least one per site), all `active`, each with a
//!   unique IPv4 address 10.0.y.z; two clients in three get an address 10.(1+).y.z;
//! - every capacity is at least 1.25 x the total size of all clients its site mirrors, so even an
//!   assignment that put every client on one server stays under 80% (copies never put two copies
//!   on one server);
//! - host names are unique (`site03-m2`, `site03-pc00042`), their rmirror tags
//!   (`site03_pc00042_home`) cannot collide, and no value holds a cpp or rsyncd.conf hazard;
//! - some clients get `copies: 2` (only when the mirroring site has 2+ servers) and some a `pin`
//!   to one server of their mirroring site; port 8873, safety limit 70.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;
const TAGS: [&str; 8] = [
    "home", "scratch", "group", "data", "www", "backup", "srv", "opt",
];

/// The shape of the estate to generate.
#[derive(Debug, Clone)]
struct Params {
    sites: usize,
    servers: usize,
    clients: usize,
    paths: usize,
    seed: u64,
    out: Option<PathBuf>,
}

/// splitmix64: tiny, fast and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform-ish in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// One disk of a client.
struct PathSpec {
    tag: String,
    size_gib: Option<u64>,
    exclude: bool,
    checksum: bool,
}

/// One client, generated before any file is written so capacities can be sized.
struct ClientSpec {
    name: String,
    address: Option<String>,
    copies: u32,
    pin: Option<String>,
    paths: Vec<PathSpec>,
}

fn preset(scale: &str) -> Option<(usize, usize, usize, usize)> {
    match scale {
        "S" | "s" => Some((2, 6, 200, 3)),
        "M" | "m" => Some((10, 50, 10_000, 5)),
        "L" | "l" => Some((50, 300, 100_000, 5)),
        _ => None,
    }
}

fn usage() -> &'static str {
    "usage: gen_estate [--scale S|M|L] [--sites N] [--servers N] [--clients N] [--paths N] \
     [--seed N] --out DIR"
}

fn parse_args(args: &[String]) -> Result<Params, String> {
    let mut p = Params {
        sites: 2,
        servers: 6,
        clients: 200,
        paths: 3,
        seed: 0x5EED_2024,
        out: None,
    };
    // A preset first, wherever it appears, so explicit flags always win.
    if let Some(i) = args.iter().position(|a| a == "--scale") {
        let s = args.get(i + 1).ok_or("--scale needs S, M or L")?;
        let (a, b, c, d) =
            preset(s).ok_or_else(|| format!("unknown scale {s:?}: use S, M or L"))?;
        (p.sites, p.servers, p.clients, p.paths) = (a, b, c, d);
    }
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let val = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{}", usage()))?;
        let num = || {
            val.parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {val:?}"))
        };
        match flag.as_str() {
            "--scale" => {}
            "--sites" => p.sites = num()?,
            "--servers" => p.servers = num()?,
            "--clients" => p.clients = num()?,
            "--paths" => p.paths = num()?,
            "--seed" => p.seed = num()? as u64,
            "--out" => p.out = Some(PathBuf::from(val)),
            _ => return Err(format!("unknown argument {flag:?}\n{}", usage())),
        }
    }
    if p.sites < 2 {
        return Err("--sites must be at least 2 (sites mirror each other in a ring)".into());
    }
    if p.servers < p.sites {
        return Err("--servers must be at least --sites (every site needs a server)".into());
    }
    if p.paths == 0 {
        return Err("--paths must be at least 1".into());
    }
    if p.servers > 60_000 || p.clients > 10_000_000 {
        return Err("too many servers or clients for the 10.0.0.0/8 address plan".into());
    }
    Ok(p)
}

fn site_name(i: usize) -> String {
    format!("site{i:02}")
}

/// Servers of site `i`: spread evenly, the first sites take the remainder.
fn site_servers(p: &Params, i: usize) -> usize {
    p.servers / p.sites + usize::from(i < p.servers % p.sites)
}

fn server_name(site: usize, k: usize) -> String {
    format!("{}-m{}", site_name(site), k + 1)
}

fn path_tag(i: usize) -> String {
    TAGS.get(i)
        .map_or_else(|| format!("disk{i}"), |t| (*t).to_string())
}

/// Client number `n` (1-based) of `site`; `global` numbers clients across the estate.
fn gen_client(rng: &mut Rng, p: &Params, site: usize, (n, global): (usize, usize)) -> ClientSpec {
    let mirror_site = (site + 1) % p.sites;
    let mirror_servers = site_servers(p, mirror_site);
    let address = (!rng.chance(33)).then(|| {
        format!(
            "10.{}.{}.{}",
            1 + global / 62_500,
            (global / 250) % 250,
            global % 250 + 1
        )
    });
    let copies = if mirror_servers >= 2 && rng.chance(5) {
        2
    } else {
        1
    };
    let pin = rng
        .chance(2)
        .then(|| server_name(mirror_site, rng.below(mirror_servers as u64) as usize));
    let paths = (0..p.paths)
        .map(|i| PathSpec {
            tag: path_tag(i),
            // Mostly small disks, a few big ones: 1..=64 GiB, one in eight up to 1 TiB.
            size_gib: (!rng.chance(10)).then(|| {
                if rng.chance(12) {
                    64 + rng.below(960)
                } else {
                    1 + rng.below(64)
                }
            }),
            exclude: rng.chance(10),
            checksum: rng.chance(5),
        })
        .collect();
    ClientSpec {
        name: format!("{}-pc{n:05}", site_name(site)),
        address,
        copies,
        pin,
        paths,
    }
}

fn client_bytes(c: &ClientSpec) -> u64 {
    c.paths.iter().map(|p| p.size_gib.unwrap_or(0) * GIB).sum()
}

fn write_client(out: &mut String, c: &ClientSpec) {
    let _ = writeln!(out, "  {}:", c.name);
    if let Some(a) = &c.address {
        let _ = writeln!(out, "    address: {a}");
    }
    if c.copies != 1 {
        let _ = writeln!(out, "    copies: {}", c.copies);
    }
    if let Some(pin) = &c.pin {
        let _ = writeln!(out, "    pin: [{pin}]");
    }
    out.push_str("    paths:\n");
    for p in &c.paths {
        let path = format!("/disk/{}", p.tag);
        match p.size_gib {
            None => {
                let _ = writeln!(out, "      {}: {path}", p.tag);
            }
            Some(g) => {
                let _ = write!(out, "      {}: {{ path: {path}, size: {g}GiB", p.tag);
                if p.exclude {
                    out.push_str(r#", exclude: ["tmp/", "*.iso"]"#);
                }
                if p.checksum {
                    out.push_str(", checksum: true");
                }
                out.push_str(" }\n");
            }
        }
    }
}

/// Where one site's servers sit in the global numbering, and how big they are.
struct SiteLayout {
    site: usize,
    first_server: usize,
    servers: usize,
    capacity_tib: u64,
}

/// Render one site file.
fn render_site(p: &Params, l: &SiteLayout, clients: &[ClientSpec]) -> String {
    let site = l.site;
    let mut out = String::with_capacity(256 + clients.len() * 200);
    let _ = writeln!(
        out,
        "# Generated by examples/gen_estate.rs (seed {}): synthetic, valid, not a real site.",
        p.seed
    );
    let _ = writeln!(out, "site: {}", site_name(site));
    let _ = writeln!(
        out,
        "description: Generated site {} of {}",
        site + 1,
        p.sites
    );
    out.push_str("domain: example.org\n");
    let _ = writeln!(out, "mirrored_by: [{}]", site_name((site + 1) % p.sites));
    out.push_str("defaults:\n  port: 8873\n  copies: 1\n  safety_limit: 70\n");
    out.push_str("servers:\n");
    for k in 0..l.servers {
        let g = l.first_server + k;
        let _ = writeln!(out, "  {}:", server_name(site, k));
        let _ = writeln!(out, "    address: 10.0.{}.{}", g / 250, g % 250 + 1);
        let _ = writeln!(out, "    store: /disk/rmirror{}", k + 1);
        let _ = writeln!(out, "    capacity: {}TiB", l.capacity_tib);
        out.push_str("    state: active\n");
    }
    if clients.is_empty() {
        return out;
    }
    out.push_str("clients:\n");
    for c in clients {
        write_client(&mut out, c);
    }
    out
}

fn run(p: &Params) -> Result<(), String> {
    let out_dir = p
        .out
        .as_ref()
        .ok_or_else(|| format!("--out DIR is required\n{}", usage()))?;
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let started = Instant::now();
    let mut rng = Rng(p.seed);
    // Clients first: a site's server capacity depends on the clients it mirrors.
    let mut clients: Vec<Vec<ClientSpec>> = Vec::with_capacity(p.sites);
    let mut global = 0;
    for site in 0..p.sites {
        let n = p.clients / p.sites + usize::from(site < p.clients % p.sites);
        let list = (0..n)
            .map(|i| {
                global += 1;
                gen_client(&mut rng, p, site, (i + 1, global - 1))
            })
            .collect();
        clients.push(list);
    }
    let (mut first, mut bytes) = (0, 0u64);
    for site in 0..p.sites {
        // Servers of `site` mirror the clients of the previous site in the ring.
        let mirrored = &clients[(site + p.sites - 1) % p.sites];
        let load: u64 = mirrored.iter().map(client_bytes).sum();
        let capacity_tib = (load.saturating_mul(5) / 4).div_ceil(TIB).max(1);
        let layout = SiteLayout {
            site,
            first_server: first,
            servers: site_servers(p, site),
            capacity_tib,
        };
        let text = render_site(p, &layout, &clients[site]);
        first += layout.servers;
        let path = out_dir.join(format!("{}.yaml", site_name(site)));
        let mut f = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        f.write_all(text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        bytes += text.len() as u64;
    }
    eprintln!(
        "gen_estate: {} sites, {} servers, {} clients x {} paths -> {} ({} bytes) in {:.2?}",
        p.sites,
        p.servers,
        p.clients,
        p.paths,
        out_dir.display(),
        bytes,
        started.elapsed()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    match parse_args(&args).and_then(|p| run(&p)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_estate: {e}");
            ExitCode::from(2)
        }
    }
}
