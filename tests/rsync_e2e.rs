//! End-to-end tests with the real rsync (real-tests.md, Tier 1 and 2): a test estate on
//! loopback addresses (127.0.x.y) is written as YAML into a temporary folder, compiled by the
//! real binary, and one real `rsync --daemon` per client is started from the generated
//! rsyncd.conf. Servers then pull exactly what their generated LCFG header says.
//!
//! Name resolution: rmirror pulls from `srchost_<tag>`, a client FQDN such as
//! `nfs1.north.test`. The test must not edit /etc/hosts, so it stands in for DNS with the
//! table of names and addresses it wrote into the inventory (`Estate::resolve`); everything
//! else (tag, port, dstdir, the FQDN itself) is read from the generated header.
//!
//! Every daemon is killed by PID when its guard drops (success or panic); ports come from a
//! per-process range plus a counter. A test that cannot run (no rsync, not root) fails under
//! `CI=true` and otherwise says loudly on stderr that it was skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

pub(crate) const MIRRORC: &str = env!("CARGO_BIN_EXE_mirrorc");
/// An address in no inventory of the test estate.
const STRANGER: &str = "127.0.3.99";

// ---------------------------------------------------------------- can the test run?

/// Fails under CI, otherwise prints loudly; returns false so the caller returns early.
pub(crate) fn skip(test: &str, why: &str) -> bool {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test} cannot run under CI=true: {why}");
    }
    eprintln!("\n************************************************************");
    eprintln!("*** SKIPPED {test}: {why}");
    eprintln!("************************************************************\n");
    false
}

pub(crate) fn have_rsync() -> bool {
    Command::new("rsync")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

pub(crate) fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// The daemon tests need rsync, and root: the generated modules say `use chroot = yes`,
/// `uid = root`, which a daemon started by another user cannot honour.
pub(crate) fn can_run_daemons(test: &str) -> bool {
    if !have_rsync() {
        return skip(
            test,
            "no `rsync` on PATH (apt-get install -y --no-install-recommends rsync)",
        );
    }
    if !is_root() {
        return skip(
            test,
            "not root: the generated modules chroot and run as uid root",
        );
    }
    true
}

// ---------------------------------------------------------------- ports and processes

/// A port no other test (thread or process) uses: a per-process block of 100, plus a counter,
/// skipping ports that are taken on `addr`.
pub(crate) fn free_port(addr: &str) -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20000 + (std::process::id() % 100) as u16 * 100;
    loop {
        let port = base + NEXT.fetch_add(1, Ordering::Relaxed) % 100;
        if TcpListener::bind((addr, port)).is_ok() {
            return port;
        }
    }
}

/// A running rsync daemon, killed by PID when dropped.
pub(crate) struct Daemon {
    pub(crate) child: Child,
    log: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a command with a deadline; kills it when the deadline passes.
pub(crate) fn run(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().expect("output")
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// ---------------------------------------------------------------- the test estate

/// A client: name, site, address, copies, paths (tag, exclude).
type ClientRow = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static [(&'static str, &'static str)],
);

pub(crate) const CLIENTS: [ClientRow; 3] = [
    (
        "nfs1",
        "north",
        "127.0.1.101",
        2,
        &[("home", ""), ("odd", "")],
    ),
    ("npc1", "north", "127.0.1.102", 1, &[("data", "cache/")]),
    ("sfs1", "south", "127.0.2.101", 1, &[("home", "")]),
];
/// Servers: name, site, address, state.
pub(crate) const SERVERS: [(&str, &str, &str, &str); 5] = [
    ("nmirror1", "north", "127.0.1.11", "active"),
    ("nmirror2", "north", "127.0.1.12", "active"),
    ("smirror1", "south", "127.0.2.11", "active"),
    ("smirror2", "south", "127.0.2.12", "active"),
    ("smirror9", "south", "127.0.2.19", "retired"),
];

/// A test estate in a temporary folder: inventory, client paths, server stores, output.
pub(crate) struct Estate {
    pub(crate) dir: tempfile::TempDir,
    /// Client name → its daemon port.
    pub(crate) ports: BTreeMap<String, u16>,
    /// Servers set to `drain`.
    drained: BTreeSet<String>,
    /// Servers set to `retired`.
    retired: BTreeSet<String>,
    /// Per client, `copies` instead of the one in [`CLIENTS`] (then `write_inventory`).
    pub(crate) copies: BTreeMap<String, u32>,
    /// Appended to north.yaml, e.g. an `estate:` block (then `write_inventory`).
    pub(crate) north_extra: String,
}

impl Estate {
    pub(crate) fn new() -> Estate {
        let dir = tempfile::Builder::new()
            .prefix("mirrorc-e2e-")
            .tempdir()
            .expect("tempdir");
        let ports = CLIENTS
            .iter()
            .map(|c| (c.0.to_string(), free_port(c.2)))
            .collect();
        let e = Estate {
            dir,
            ports,
            drained: BTreeSet::new(),
            retired: BTreeSet::new(),
            copies: BTreeMap::new(),
            north_extra: String::new(),
        };
        for (client, _, _, _, paths) in CLIENTS {
            for (tag, _) in paths {
                fill(&e.client_path(client, tag), &format!("{client}/{tag}"));
            }
        }
        for s in SERVERS {
            fs::create_dir_all(e.store(s.0)).expect("store");
        }
        fs::create_dir_all(e.path("run")).expect("run");
        e.write_inventory();
        e
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    pub(crate) fn client_path(&self, client: &str, tag: &str) -> PathBuf {
        self.path(&format!("clients/{client}/{tag}"))
    }
    pub(crate) fn store(&self, server: &str) -> PathBuf {
        self.path(&format!("stores/{server}"))
    }
    pub(crate) fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// The DNS stand-in: FQDN → address, from the table the inventory was written from.
    fn resolve(&self, fqdn: &str) -> &'static str {
        let hosts = CLIENTS
            .iter()
            .map(|c| (c.0, c.1, c.2))
            .chain(SERVERS.iter().map(|s| (s.0, s.1, s.2)));
        hosts
            .into_iter()
            .find(|(n, site, _)| format!("{n}.{site}.test") == fqdn)
            .map(|h| h.2)
            .unwrap_or_else(|| panic!("unknown host {fqdn}"))
    }

    pub(crate) fn write_inventory(&self) {
        fs::create_dir_all(self.path("inv")).expect("inv");
        for (site, other) in [("north", "south"), ("south", "north")] {
            let mut y = format!("site: {site}\ndomain: {site}.test\nmirrored_by: [{other}]\n");
            y += "defaults:\n  copies: 1\n  safety_limit: 70\nservers:\n";
            for (name, _, addr, state) in SERVERS.iter().filter(|s| s.1 == site) {
                let state = if self.retired.contains(*name) {
                    "retired"
                } else if self.drained.contains(*name) {
                    "drain"
                } else {
                    state
                };
                let store = self.store(name);
                y += &format!("  {name}:\n    address: {addr}\n    store: {}\n    capacity: 1TiB\n    state: {state}\n", store.display());
            }
            y += "clients:\n";
            for (name, _, addr, copies, paths) in CLIENTS.iter().filter(|c| c.1 == site) {
                let copies = self.copies.get(*name).unwrap_or(copies);
                y += &format!("  {name}:\n    address: {addr}\n    port: {}\n    copies: {copies}\n    paths:\n", self.ports[*name]);
                for (tag, exclude) in paths.iter() {
                    let path = self.client_path(name, tag);
                    let ex = if exclude.is_empty() {
                        String::new()
                    } else {
                        format!(", exclude: [\"{exclude}\"]")
                    };
                    y += &format!(
                        "      {tag}: {{ path: {}, size: 1GiB{ex} }}\n",
                        path.display()
                    );
                }
            }
            if site == "north" {
                y += &self.north_extra;
            }
            fs::write(self.path(&format!("inv/{site}.yaml")), y).expect("write inventory");
        }
    }

    pub(crate) fn mirrorc(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(MIRRORC);
        cmd.args(args)
            .arg(self.path("inv"))
            .arg("-o")
            .arg(self.out())
            .env("NO_COLOR", "1");
        run(&mut cmd)
    }

    pub(crate) fn compile(&self) {
        let o = self.mirrorc(&["compile"]);
        assert_eq!(o.status.code(), Some(0), "compile failed: {}", text(&o));
    }

    /// Starts every client's daemon from its generated rsyncd.conf.
    pub(crate) fn start_daemons(&self) -> Vec<Daemon> {
        CLIENTS
            .iter()
            .map(|c| self.start_daemon(c.0, c.2))
            .collect()
    }

    pub(crate) fn start_daemon(&self, client: &str, addr: &str) -> Daemon {
        let conf = self.out().join(format!("rsync/{client}.conf"));
        let (pid, log) = (
            self.path(&format!("run/{client}.pid")),
            self.path(&format!("run/{client}.log")),
        );
        let mut cmd = unit_command(&self.out(), client, &conf);
        // Test-only additions: the pid file and log beside the test, not in /run.
        cmd.arg(format!("--dparam=pidfile={}", pid.display()))
            .arg(format!("--log-file={}", log.display()));
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsync --daemon");
        let mut d = Daemon { child, log };
        wait_for_port(&mut d, addr, self.ports[client]);
        d
    }

    /// The generated LCFG header of a server, parsed.
    fn disks(&self, server: &str) -> Vec<Disk> {
        let path = self.out().join(format!("lcfg/servers/{server}.h"));
        match fs::read_to_string(&path) {
            Ok(t) => parse_server_header(&t),
            Err(_) => Vec::new(), // retired: no header
        }
    }

    /// What rmirror on `server` runs for one disk: `rsync -a --address=<server>
    /// rsync://<srchost>:<srcport>/<tag>/ <dstdir>/`.
    fn pull(&self, server_addr: &str, d: &Disk) -> Output {
        fs::create_dir_all(&d.dstdir).expect("dstdir");
        let url = format!(
            "rsync://{}:{}/{}/",
            self.resolve(&d.srchost),
            d.srcport,
            d.tag
        );
        run(Command::new("rsync")
            .arg("-a")
            .arg(format!("--address={server_addr}"))
            .arg(url)
            .arg(format!("{}/", d.dstdir)))
    }

    /// A pull into a scratch folder from any source address.
    fn pull_as(&self, from: &str, client: &str, module: &str) -> Output {
        let dst = tempfile::tempdir_in(self.dir.path()).expect("scratch");
        let url = format!(
            "rsync://{}:{}/{module}/",
            client_addr(client),
            self.ports[client]
        );
        run(Command::new("rsync")
            .arg("-a")
            .arg(format!("--address={from}"))
            .arg(url)
            .arg(dst.path()))
    }
}

/// The command line of the client's generated systemd unit (`ExecStart=`), with its
/// `--config=` pointed at the generated rsyncd.conf in the output folder instead of the
/// installed one.
fn unit_command(out: &Path, client: &str, conf: &Path) -> Command {
    let unit = out.join(format!("systemd/{client}/rmirrorclient-rsyncd.service"));
    let text = fs::read_to_string(&unit).expect("systemd unit");
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart line");
    let mut words = exec.split_whitespace();
    let mut cmd = Command::new(words.next().expect("program"));
    for w in words {
        match w.strip_prefix("--config=") {
            Some(_) => cmd.arg(format!("--config={}", conf.display())),
            None => cmd.arg(w),
        };
    }
    cmd
}

pub(crate) fn client_addr(client: &str) -> &'static str {
    CLIENTS
        .iter()
        .find(|c| c.0 == client)
        .map(|c| c.2)
        .expect("client")
}
pub(crate) fn server_addr(server: &str) -> &'static str {
    SERVERS
        .iter()
        .find(|s| s.0 == server)
        .map(|s| s.2)
        .expect("server")
}

/// Waits (bounded) until the daemon accepts connections; panics with its log otherwise.
pub(crate) fn wait_for_port(d: &mut Daemon, addr: &str, port: u16) {
    for _ in 0..100 {
        if let Some(status) = d.child.try_wait().expect("try_wait") {
            panic!(
                "rsync daemon exited ({status}) before listening: {}",
                fs::read_to_string(&d.log).unwrap_or_default()
            );
        }
        let target = (addr.parse::<std::net::IpAddr>().expect("ip"), port).into();
        if TcpStream::connect_timeout(&target, Duration::from_millis(100)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "rsync daemon on {addr}:{port} did not listen within 10 s: {}",
        fs::read_to_string(&d.log).unwrap_or_default()
    );
}

/// Real files: nested folders, odd names, binary and empty files, a symlink, an excluded cache.
pub(crate) fn fill(dir: &Path, seed: &str) {
    let files: [(&str, Vec<u8>); 9] = [
        ("top.txt", format!("top of {seed}\n").into_bytes()),
        (
            "nested/deeper/leaf.bin",
            (0..=255u8).cycle().take(70_000).collect(),
        ),
        ("nested/name with spaces.txt", b"spaces\n".to_vec()),
        (
            "nested/\u{fc}n\u{ef}c\u{f6}d\u{e9} \u{f8}.txt",
            "unicode\n".into(),
        ),
        ("-leading-dash", b"dash\n".to_vec()),
        ("percent%20 #hash;semi", b"odd\n".to_vec()),
        (".hidden", b"hidden\n".to_vec()),
        ("empty", Vec::new()),
        ("cache/tmp.dat", b"only cached\n".to_vec()),
    ];
    for (rel, bytes) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, bytes).expect("write");
    }
    std::os::unix::fs::symlink("top.txt", dir.join("link-to-top")).expect("symlink");
}

// ---------------------------------------------------------------- the generated LCFG header

/// One rmirror disk as the server header defines it.
#[derive(Debug, Clone)]
struct Disk {
    tag: String,
    srchost: String,
    srcport: u16,
    dstdir: String,
}

/// A line parser for `!rmirror.disklist mADD(...)` and `rmirror.{srchost,srcport,dstdir}_<tag>`.
fn parse_server_header(text: &str) -> Vec<Disk> {
    let mut tags: Vec<String> = Vec::new();
    let mut values: BTreeMap<(String, String), String> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if let Some(list) = line
            .strip_prefix("!rmirror.disklist mADD(")
            .and_then(|r| r.strip_suffix(')'))
        {
            tags.extend(list.split_whitespace().map(String::from));
        } else if let Some((key, value)) = line
            .strip_prefix("rmirror.")
            .and_then(|r| r.split_once(' '))
        {
            for field in ["srchost", "srcport", "dstdir"] {
                if let Some(tag) = key.strip_prefix(field).and_then(|k| k.strip_prefix('_')) {
                    values.insert(
                        (field.to_string(), tag.to_string()),
                        value.trim().to_string(),
                    );
                }
            }
        }
    }
    let get = |f: &str, t: &str| {
        values
            .get(&(f.to_string(), t.to_string()))
            .cloned()
            .unwrap_or_else(|| panic!("no {f}_{t} in header:\n{text}"))
    };
    tags.iter()
        .map(|t| Disk {
            tag: t.clone(),
            srchost: get("srchost", t),
            srcport: get("srcport", t).parse().expect("port"),
            dstdir: get("dstdir", t),
        })
        .collect()
}

// ---------------------------------------------------------------- comparing trees

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

pub(crate) fn tree(root: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Entry>) {
    for e in fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry"))
    {
        let p = e.path();
        let rel = p
            .strip_prefix(root)
            .expect("prefix")
            .to_string_lossy()
            .into_owned();
        let ft = e.file_type().expect("file type");
        if ft.is_symlink() {
            out.insert(rel, Entry::Link(fs::read_link(&p).expect("readlink")));
        } else if ft.is_dir() {
            out.insert(rel, Entry::Dir);
            walk(root, &p, out);
        } else {
            out.insert(rel, Entry::File(fs::read(&p).expect("read")));
        }
    }
}

/// The source tree minus what the module's `exclude` keeps back.
pub(crate) fn expected_tree(src: &Path, exclude: &str) -> BTreeMap<String, Entry> {
    let mut t = tree(src);
    if let Some(dir) = exclude.strip_suffix('/') {
        t.retain(|k, _| k != dir && !k.starts_with(&format!("{dir}/")));
    }
    t
}

pub(crate) fn assert_same_tree(got: &Path, src: &Path, exclude: &str) {
    let (got, want) = (tree(got), expected_tree(src, exclude));
    let keys = |t: &BTreeMap<String, Entry>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&got), keys(&want), "file lists differ");
    for (k, v) in &want {
        assert!(got[k] == *v, "{k} differs");
    }
}

// ---------------------------------------------------------------- the tests

/// Every server pulls what its generated header lists; every client path arrives, byte for
/// byte (excludes honoured), in the dstdir of exactly `copies` servers of its mirroring site.
#[test]
fn whole_mirror_night_every_path_arrives_byte_for_byte() {
    if !can_run_daemons("whole_mirror_night_every_path_arrives_byte_for_byte") {
        return;
    }
    let e = Estate::new();
    e.compile();
    let _daemons = e.start_daemons();
    let mut holders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (server, _, addr, _) in SERVERS {
        for d in e.disks(server) {
            let o = e.pull(addr, &d);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{server} pulling {}: {}",
                d.tag,
                text(&o)
            );
            holders
                .entry(d.tag.clone())
                .or_default()
                .push(server.to_string());
            let (client, tag) = d.tag.split_once('_').expect("tag is <client>_<path>");
            let exclude = CLIENTS
                .iter()
                .find(|c| c.0 == client)
                .and_then(|c| c.4.iter().find(|p| p.0 == tag))
                .expect("path")
                .1;
            assert!(
                d.dstdir.starts_with(&e.store(server).display().to_string()),
                "{} not in {server}'s store",
                d.dstdir
            );
            assert_same_tree(Path::new(&d.dstdir), &e.client_path(client, tag), exclude);
        }
    }
    for (client, site, _, copies, paths) in CLIENTS {
        for (tag, _) in paths.iter() {
            let got = holders
                .get(&format!("{client}_{tag}"))
                .cloned()
                .unwrap_or_default();
            assert_eq!(got.len(), copies as usize, "{client}_{tag} held by {got:?}");
            assert!(
                got.iter().all(|s| !s.starts_with(&site[..1])),
                "{client}_{tag} mirrored on its own site: {got:?}"
            );
        }
    }
}

/// A server outside the client's set (same site), a retired server and an unlisted address
/// are refused every module by the real daemon: exit 5.
#[test]
fn access_is_closed_to_outsiders_retired_servers_and_unlisted_addresses() {
    if !can_run_daemons("access_is_closed_to_outsiders_retired_servers_and_unlisted_addresses") {
        return;
    }
    let e = Estate::new();
    e.compile();
    let _daemons = e.start_daemons();
    let north = ["nfs1_home", "nfs1_odd", "npc1_data"];
    for from in [server_addr("nmirror1"), server_addr("smirror9"), STRANGER] {
        for module in north {
            let client = module.split('_').next().expect("client");
            let o = e.pull_as(from, client, module);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(
                o.status.code(),
                Some(5),
                "{from} got into {module}: {}",
                text(&o)
            );
            assert!(
                err.contains("access denied") || err.contains("Unknown module"),
                "{}",
                text(&o)
            );
        }
    }
    let o = e.pull_as(server_addr("smirror1"), "nfs1", "nfs1_home");
    assert_eq!(
        o.status.code(),
        Some(0),
        "the server set itself must get in: {}",
        text(&o)
    );
}

/// `read only = yes` holds for the real daemon: an admitted server cannot push.
#[test]
fn push_into_any_module_is_refused() {
    if !can_run_daemons("push_into_any_module_is_refused") {
        return;
    }
    let e = Estate::new();
    e.compile();
    let _daemons = e.start_daemons();
    let payload = e.path("payload");
    fs::create_dir_all(&payload).expect("payload");
    fs::write(payload.join("planted"), b"x").expect("write");
    for (client, site, _, _, paths) in CLIENTS {
        let from = if site == "north" {
            server_addr("smirror1")
        } else {
            server_addr("nmirror1")
        };
        for (tag, _) in paths.iter() {
            let url = format!(
                "rsync://{}:{}/{client}_{tag}/",
                client_addr(client),
                e.ports[client]
            );
            let o = run(Command::new("rsync")
                .arg("-a")
                .arg(format!("--address={from}"))
                .arg(format!("{}/", payload.display()))
                .arg(url));
            assert_ne!(
                o.status.code(),
                Some(0),
                "push into {client}_{tag} succeeded"
            );
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("read only"),
                "{}",
                text(&o)
            );
            assert!(!e.client_path(client, tag).join("planted").exists());
        }
    }
}

/// A denied host asking for the module list sees no module.
#[test]
fn denied_host_cannot_list_modules() {
    if !can_run_daemons("denied_host_cannot_list_modules") {
        return;
    }
    let e = Estate::new();
    e.compile();
    let _daemons = e.start_daemons();
    for (client, _, addr, _, paths) in CLIENTS {
        let url = format!("rsync://{addr}:{}/", e.ports[client]);
        let o = run(Command::new("rsync")
            .arg(format!("--address={STRANGER}"))
            .arg(url));
        let out = String::from_utf8_lossy(&o.stdout);
        for (tag, _) in paths.iter() {
            assert!(
                !out.contains(&format!("{client}_{tag}")),
                "{client}_{tag} listed: {}",
                text(&o)
            );
        }
    }
}

/// Draining the holder of `sfs1` moves it to the other server; the client's rsyncd.conf does
/// not change (`diff` shows server-side files only) and the new holder pulls from the daemon
/// that kept running.
#[test]
fn failover_to_a_new_holder_without_touching_the_client() {
    if !can_run_daemons("failover_to_a_new_holder_without_touching_the_client") {
        return;
    }
    let mut e = Estate::new();
    e.compile();
    let _daemons = e.start_daemons();
    let holds = |e: &Estate, s: &str| e.disks(s).iter().any(|d| d.tag == "sfs1_home");
    let old = ["nmirror1", "nmirror2"]
        .into_iter()
        .find(|s| holds(&e, s))
        .expect("a holder");
    let new = if old == "nmirror1" {
        "nmirror2"
    } else {
        "nmirror1"
    };
    let conf_before = fs::read(e.out().join("rsync/sfs1.conf")).expect("conf");
    e.drained.insert(old.to_string());
    e.write_inventory();
    let diff = e.mirrorc(&["diff"]);
    assert_eq!(diff.status.code(), Some(1), "diff: {}", text(&diff));
    let changed = changed_paths(&String::from_utf8_lossy(&diff.stdout));
    assert!(
        changed.iter().any(|p| p.starts_with("lcfg/servers/")),
        "changed: {changed:?}"
    );
    for p in &changed {
        assert!(
            p.starts_with("lcfg/servers/") || p.starts_with("servers/") || p == "spanning-map.json",
            "client-side file {p} changed: {}",
            text(&diff)
        );
    }
    e.compile();
    assert_eq!(
        fs::read(e.out().join("rsync/sfs1.conf")).expect("conf"),
        conf_before
    );
    let disk = e
        .disks(new)
        .into_iter()
        .find(|d| d.tag == "sfs1_home")
        .expect("new holder has the disk");
    // Make-before-break: the draining holder keeps pulling while the new one copies.
    assert!(
        holds(&e, old),
        "{old} stopped pulling sfs1_home while draining"
    );
    let o = e.pull(server_addr(new), &disk);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{new} pulling after failover: {}",
        text(&o)
    );
    assert_same_tree(Path::new(&disk.dstdir), &e.client_path("sfs1", "home"), "");
    let kept = e
        .disks(old)
        .into_iter()
        .find(|d| d.tag == "sfs1_home")
        .expect("kept");
    let o = e.pull(server_addr(old), &kept);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{old} pulling while draining: {}",
        text(&o)
    );
    // Retired once the new copy is there: it is gone, the new holder stays.
    e.retired.insert(old.to_string());
    e.write_inventory();
    e.compile();
    assert!(!holds(&e, old), "{old} still holds sfs1_home when retired");
    assert!(holds(&e, new), "{new} lost sfs1_home when {old} retired");
}

/// Files named in a unified diff (`--- a/x`, `+++ b/x`).
fn changed_paths(diff: &str) -> BTreeSet<String> {
    diff.lines()
        .filter_map(|l| {
            l.strip_prefix("--- a/")
                .or_else(|| l.strip_prefix("+++ b/"))
        })
        .map(|p| p.split('\t').next().unwrap_or(p).to_string())
        .collect()
}

/// Regression (emitter fix): `reverse lookup = no` must be global, or rsync still looks the
/// client's name up when it connects (DNS-dependent, slow) although every module says no.
#[test]
fn reverse_lookup_is_off_globally_so_connect_does_no_dns() {
    if !can_run_daemons("reverse_lookup_is_off_globally_so_connect_does_no_dns") {
        return;
    }
    let e = Estate::new();
    e.compile();
    let daemons = e.start_daemons();
    let o = e.pull_as(server_addr("smirror1"), "nfs1", "nfs1_home");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let log = fs::read_to_string(&daemons[0].log).expect("daemon log");
    assert!(
        log.contains("connect from UNDETERMINED (127.0.2.11)"),
        "{log}"
    );
    assert!(!log.contains("name lookup"), "{log}");
}

/// `mirrorc verify` passes on the test estate (socket-free, Tier 1) and prints its summary.
#[test]
fn verify_passes_on_the_test_estate() {
    if !have_rsync() && !skip("verify_passes_on_the_test_estate", "no `rsync` on PATH") {
        return;
    }
    let e = Estate::new();
    let o = e.mirrorc(&["verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("verified 3 rsyncd.conf files, 4 modules, "),
        "{err}"
    );
    assert!(err.trim_end().ends_with(": ok"), "{err}");
}

/// Without rsync, `verify` fails with exit 2 and says why; it never claims a pass.
#[test]
fn verify_without_rsync_exits_2() {
    let e = Estate::new();
    let mut cmd = Command::new(MIRRORC);
    cmd.arg("verify")
        .arg(e.path("inv"))
        .env("PATH", e.path("no-such-bin"))
        .env("NO_COLOR", "1");
    let o = run(&mut cmd);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        err.contains("mirrorc::rsync_missing") && !err.contains("access checks"),
        "{err}"
    );
}

// ---------------------------------------------------------------- Tier 3: names, in namespaces

/// Network namespaces, a bridge and `/etc/netns/<ns>/hosts` files made by one test; all of it
/// is removed when dropped (never /etc/hosts).
struct Netns {
    names: Vec<String>,
    bridge: String,
}

impl Netns {
    /// Namespaces `<prefix><i>` with address `<net>.<host>` each, on one bridge `<net>.1`.
    fn new(prefix: &str, net: &str, hosts: &[(&str, u8, &str)]) -> Netns {
        let bridge = format!("{prefix}br");
        let mut ns = Netns {
            names: Vec::new(),
            bridge: bridge.clone(),
        };
        ip(&["link", "add", &bridge, "type", "bridge"]);
        ip(&["addr", "add", &format!("{net}.1/24"), "dev", &bridge]);
        ip(&["link", "set", &bridge, "up"]);
        for (i, (suffix, host, hosts_file)) in hosts.iter().enumerate() {
            let (name, veth) = (format!("{prefix}{suffix}"), format!("{prefix}v{i}"));
            ip(&["netns", "add", &name]);
            ns.names.push(name.clone());
            fs::create_dir_all(format!("/etc/netns/{name}")).expect("netns dir");
            fs::write(
                format!("/etc/netns/{name}/hosts"),
                format!("127.0.0.1 localhost\n{hosts_file}"),
            )
            .expect("hosts");
            ip(&[
                "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &name,
            ]);
            ip(&["link", "set", &veth, "master", &bridge, "up"]);
            ip(&[
                "-n",
                &name,
                "addr",
                "add",
                &format!("{net}.{host}/24"),
                "dev",
                "eth0",
            ]);
            ip(&["-n", &name, "link", "set", "eth0", "up"]);
            ip(&["-n", &name, "link", "set", "lo", "up"]);
        }
        ns
    }

    /// A command run inside namespace `name`.
    fn exec(name: &str, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", name, program]);
        c
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
            let _ = fs::remove_dir_all(format!("/etc/netns/{name}"));
        }
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .status();
        let _ = fs::remove_dir("/etc/netns"); // only if empty: other runs may still use it
    }
}

fn ip(args: &[&str]) {
    let o = run(Command::new("ip").args(args));
    assert!(o.status.success(), "ip {args:?}: {}", text(&o));
}

/// Servers without an address are admitted by the FQDN in `hosts allow`: in network
/// namespaces with per-namespace hosts files, the named server pulls (resolving the client's
/// FQDN from its header for real) and a server of another site is refused.
#[test]
fn hostname_access_admits_the_named_server_and_refuses_another() {
    let test = "hostname_access_admits_the_named_server_and_refuses_another";
    if !can_run_daemons(test)
        || (Command::new("ip").arg("-V").output().is_err() && !skip(test, "no `ip` (iproute2)"))
    {
        return;
    }
    let id = std::process::id() % 10000;
    let net = format!("10.250.{}", id % 250);
    let (fqdn_a, fqdn_b, fqdn_c) = ("wm1.west.test", "fm1.far.test", "ec1.east.test");
    let ns = Netns::new(
        &format!("mt{id}"),
        &net,
        &[
            ("c", 10, &format!("{net}.21 {fqdn_a}\n{net}.22 {fqdn_b}\n")),
            ("a", 21, &format!("{net}.10 {fqdn_c}\n")),
            ("b", 22, &format!("{net}.10 {fqdn_c}\n")),
        ],
    );
    let dir = tempfile::Builder::new()
        .prefix("mirrorc-netns-")
        .tempdir()
        .expect("tempdir");
    let port = free_port("127.0.0.1");
    let home = dir.path().join("home");
    fill(&home, "ec1/home");
    write_name_only_inventory(dir.path(), &net, port, &home);
    let out = dir.path().join("out");
    let o = run(Command::new(MIRRORC)
        .arg("compile")
        .arg(dir.path().join("inv"))
        .arg("-o")
        .arg(&out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let conf = fs::read_to_string(out.join("rsync/ec1.conf")).expect("conf");
    assert!(
        conf.contains(&format!("hosts allow = {fqdn_a}\n")),
        "{conf}"
    );
    let log = dir.path().join("daemon.log");
    let mut daemon = Netns::exec(&ns.names[0], "rsync");
    daemon
        .arg("--daemon")
        .arg("--no-detach")
        .arg(format!("--config={}", out.join("rsync/ec1.conf").display()));
    daemon
        .arg(format!(
            "--dparam=pidfile={}",
            dir.path().join("pid").display()
        ))
        .arg(format!("--log-file={}", log.display()));
    let child = daemon
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("daemon");
    let mut d = Daemon { child, log };
    wait_for_port(&mut d, &format!("{net}.10"), port);
    let disks =
        parse_server_header(&fs::read_to_string(out.join("lcfg/servers/wm1.h")).expect("header"));
    let disk = disks
        .iter()
        .find(|d| d.tag == "ec1_home")
        .expect("wm1 holds ec1_home");
    assert_eq!(disk.srchost, fqdn_c);
    fs::create_dir_all(&disk.dstdir).expect("dstdir");
    let url = format!("rsync://{}:{}/{}/", disk.srchost, disk.srcport, disk.tag);
    let o = run(Netns::exec(&ns.names[1], "rsync")
        .arg("-a")
        .arg(&url)
        .arg(format!("{}/", disk.dstdir)));
    assert_eq!(
        o.status.code(),
        Some(0),
        "named server refused: {}\n{}",
        text(&o),
        fs::read_to_string(&d.log).unwrap_or_default()
    );
    assert_same_tree(Path::new(&disk.dstdir), &home, "");
    let scratch = dir.path().join("scratch");
    let o = run(Netns::exec(&ns.names[2], "rsync")
        .arg("-a")
        .arg(&url)
        .arg(&scratch));
    assert_eq!(
        o.status.code(),
        Some(5),
        "a server of another site got in: {}",
        text(&o)
    );
    drop(d);
    drop(ns);
}

/// Site east (client ec1 with an address), mirrored by west (wm1, known only by name); far
/// (fm1, also name-only) mirrors nobody's ec1.
fn write_name_only_inventory(dir: &Path, net: &str, port: u16, home: &Path) {
    let inv = dir.join("inv");
    fs::create_dir_all(&inv).expect("inv");
    let store = |s: &str| dir.join("stores").join(s).display().to_string();
    let east = format!(
        "site: east\ndomain: east.test\nmirrored_by: [west]\nclients:\n  ec1:\n    address: {net}.10\n    port: {port}\n    paths:\n      home: {{ path: {}, size: 1GiB }}\n",
        home.display()
    );
    let west = format!("site: west\ndomain: west.test\nmirrored_by: [east]\nservers:\n  wm1: {{ store: {}, capacity: 1TiB }}\n", store("wm1"));
    let far = format!("site: far\ndomain: far.test\nmirrored_by: [east]\nservers:\n  fm1: {{ store: {}, capacity: 1TiB }}\n", store("fm1"));
    for (name, y) in [("east", east), ("west", west), ("far", far)] {
        fs::write(inv.join(format!("{name}.yaml")), y).expect("write");
    }
}

/// `verify` catches a module that accepts pushes: the real rsync is handed the generated
/// configs with `read only = no`, and every module must be reported.
#[test]
fn verify_reports_every_writable_module() {
    let test = "verify_reports_every_writable_module";
    if !have_rsync() && !skip(test, "no `rsync` on PATH") {
        return;
    }
    if !is_root()
        && !skip(
            test,
            "not root: the daemon stops at chroot before it could accept a push",
        )
    {
        return;
    }
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    let sources = mirrorc_core::source::load(&[site]).expect("load site/");
    let compiled = mirrorc_core::build(&sources).expect("emit");
    let model = compiled.model.expect("model");
    let mut artifacts = compiled.artifacts.expect("artifacts");
    let mut modules = 0;
    for a in artifacts
        .iter_mut()
        .filter(|a| a.path.starts_with("rsync/"))
    {
        modules += a.content.matches("read only = yes").count();
        a.content = a.content.replace("read only = yes", "read only = no");
    }
    assert!(modules > 0);
    let work = tempfile::tempdir().expect("tmp");
    let bin = mirrorc_ops::verify::find_on_path().expect("rsync on PATH");
    let rsync = mirrorc_ops::verify::Rsync::setup(bin, work.path()).expect("fake rsh");
    let (findings, _) =
        mirrorc_ops::verify::verify(&model, &artifacts, &rsync, work.path()).expect("verify");
    let pushes = findings
        .iter()
        .filter(|f| matches!(f, mirrorc_ops::verify::VerifyError::AcceptsPush { .. }))
        .count();
    assert_eq!(pushes, modules, "{findings:?}");
}

/// `verify --keep DIR` never writes through what is already in DIR: a symlink planted at
/// `DIR/fake-rsh` (or at a client's scratch folder) is left alone, and so is its target.
#[test]
fn verify_keep_folder_never_writes_through_a_planted_symlink() {
    if !have_rsync()
        && !skip(
            "verify_keep_folder_never_writes_through_a_planted_symlink",
            "no `rsync` on PATH",
        )
    {
        return;
    }
    let e = Estate::new();
    let keep = e.path("keep");
    fs::create_dir_all(&keep).expect("mkdir");
    let victim = e.path("victim");
    fs::write(&victim, "secret\n").expect("victim");
    fs::set_permissions(&victim, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
    std::os::unix::fs::symlink(&victim, keep.join("fake-rsh")).expect("ln");
    let mut cmd = Command::new(MIRRORC);
    cmd.arg("verify")
        .arg(e.path("inv"))
        .arg("--keep")
        .arg(&keep)
        .env("NO_COLOR", "1");
    let o = run(&mut cmd);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(fs::read_to_string(&victim).expect("victim"), "secret\n");
    let mode = fs::metadata(&victim).expect("meta").permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let kept = err
        .lines()
        .find_map(|l| l.strip_prefix("scratch configs and rsync logs kept in "))
        .expect("says where");
    let kept = std::path::Path::new(kept);
    assert!(kept.starts_with(&keep) && kept != keep, "{err}");
    assert!(
        kept.join("fake-rsh").is_file(),
        "its own fake shell, in the fresh folder"
    );
    let private = fs::metadata(kept).expect("meta").permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&private) & 0o777,
        0o700
    );
}

/// A client without paths (a warning in `check`) is verified like any other: its config has
/// no module, and `verify` neither fails on a missing scratch folder nor skips it.
#[test]
fn verify_of_a_client_without_paths_is_not_an_io_error() {
    if !have_rsync()
        && !skip(
            "verify_of_a_client_without_paths_is_not_an_io_error",
            "no `rsync` on PATH",
        )
    {
        return;
    }
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/errors/client_without_paths-empty"
    );
    let mut cmd = Command::new(MIRRORC);
    cmd.arg("verify").arg(fixture).env("NO_COLOR", "1");
    let o = run(&mut cmd);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        err.contains("verified 1 rsyncd.conf files, 0 modules"),
        "{err}"
    );
}

/// Why `%` is refused in every value (`mirrorc::unsafe_value`): the real rsync expands
/// `%VAR%` in a module's path, so `/srv/d%HOME%` is read as `/srv/d/root` — a different folder
/// than the inventory names. `check` refuses it; rsync, given such a file, serves the other one.
#[test]
fn percent_in_a_path_is_refused_because_rsync_expands_it() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(env!("CARGO_BIN_EXE_mirrorc"))
        .args(["check", "tests/fixtures/errors/unsafe_value-percent"])
        .current_dir(here)
        .env("NO_COLOR", "1")
        .output()
        .expect("mirrorc");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("rsync expands `%VAR%`"));
    if !have_rsync() {
        skip(
            "percent_in_a_path_is_refused_because_rsync_expands_it",
            "no rsync",
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let base = tmp.path();
    fs::create_dir_all(base.join("d/home-of-test")).expect("mkdir");
    fs::write(base.join("d/home-of-test/EXPANDED"), "").expect("file");
    fs::create_dir_all(base.join("d%HOME%")).expect("mkdir");
    fs::write(base.join("d%HOME%/LITERAL"), "").expect("file");
    let conf = base.join("rsyncd.conf");
    let text = format!(
        "[m]\n    path = {}/d%HOME%\n    use chroot = no\n    read only = yes\n    hosts allow = 127.0.0.1\n",
        base.display()
    );
    fs::write(&conf, text).expect("conf");
    let rsh = base.join("rsh");
    fs::write(&rsh, "#!/bin/sh\nwhile [ $# -gt 0 ] && [ \"$1\" != rsync ]; do shift; done; shift\nexec rsync --config=\"$RSYNCD_CONF\" \"$@\"\n").expect("rsh");
    Command::new("chmod")
        .arg("755")
        .arg(&rsh)
        .status()
        .expect("chmod");
    let o = Command::new("rsync")
        .args(["--list-only", "-e"])
        .arg(&rsh)
        .arg("fakehost::m/")
        .env("SSH_CONNECTION", "127.0.0.1 40000 127.0.0.1 22")
        .env("RSYNCD_CONF", &conf)
        .env("HOME", "/home-of-test")
        .output()
        .expect("rsync");
    let listing = String::from_utf8_lossy(&o.stdout);
    assert!(
        listing.contains("EXPANDED") && !listing.contains("LITERAL"),
        "{listing}"
    );
}
