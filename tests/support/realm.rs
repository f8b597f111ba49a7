//! A real, throwaway Kerberos realm and real `remctld` daemons on loopback, for the tests of
//! the report method (docs: `/work/shared/docs/real-tests.md`, "remctl and Kerberos").
//!
//! Use it from a test file with `#[path = "support/realm.rs"] mod realm;`. It needs only std
//! and `tempfile`.
//!
//! # What it does
//! - [`Realm::start`] makes a realm `MT.TEST` in a temporary folder: its own `krb5.conf` and
//!   `kdc.conf` (passed to every child as `KRB5_CONFIG` / `KRB5_KDC_PROFILE`; /etc/krb5.conf is
//!   never read), a database made with `kdb5_util create -s`, and `krb5kdc -n` on 127.0.0.1 on
//!   a free port (TCP and UDP). Nothing needs DNS: `dns_lookup_kdc`, `dns_lookup_realm`,
//!   `dns_canonicalize_hostname` and `rdns` are all off, and the KDC is named by address.
//!   The replay cache goes to the same folder (`KRB5RCACHEDIR`), not /var/tmp.
//! - Principals get random keys (`addprinc -randkey`) and each its own keytab (`ktadd`);
//!   [`Realm::kinit`] turns a keytab into a `FILE:` credential cache in the folder.
//! - [`Remctld::start`] runs `remctld -m -F -S -b ADDR -p PORT -f CONF -k KEYTAB -s PRINCIPAL`
//!   and waits until the port accepts; [`remctl_cmd`] builds the matching client call.
//! - [`Silent`] is a TCP listener that accepts and never answers: a hung server.
//! - Every daemon runs in its own process group and is killed by that id (SIGKILL to the
//!   group, so the children remctld forks per connection go too) when its guard drops, also
//!   when the test panics. Only a SIGKILL of the test process itself can leak one (std has no
//!   parent-death signal). Free ports: a per-process block of 100 in 10000..19999 (the rsync
//!   tests use 20000..29999) plus a counter, skipping ports that cannot be bound, and a daemon
//!   that dies at start (for example because another process took the port in between) is
//!   retried on the next port.
//! - [`tools`] finds the programs (PATH, then /usr/sbin and /usr/bin) or says which are missing.
//!
//! # Facts measured here (Debian 12: krb5 1.20.1, remctl 3.18)
//! - `remctld -h` does not list `-k KEYTAB`, but the man page documents it (since 2.8) and it
//!   works; it just sets `KRB5_KTNAME`, which the command run then inherits too.
//! - The command gets the subcommand and the arguments as its argv, one argument each, spaces
//!   kept: `remctl ... rmirror report fpc001 'a b'` runs `EXE report fpc001 'a b'`. The command
//!   word itself is not in argv but in `REMCTL_COMMAND` (`rmirror`).
//! - Environment of the command: the whole environment of remctld (so `KRB5_CONFIG` etc.),
//!   plus `REMOTE_USER` and `REMUSER` = the client principal with realm
//!   (`host/client1.test@MT.TEST`), `REMOTE_ADDR` (the client's source address, e.g. 127.0.0.2
//!   with `remctl -b 127.0.0.2`), `REMOTE_EXPIRES` (ticket end, epoch seconds), `REMCTL_COMMAND`,
//!   and `REMOTE_HOST` only when reverse lookup of the address works (`localhost` for
//!   127.0.0.1 via /etc/hosts; absent for 127.0.0.2). Treat `REMOTE_HOST` as untrusted.
//! - Exit codes of `remctl`: the remote command's status when it ran (0 on success); 255 with
//!   "Access denied" (ACL refused) or "Unknown command" on stderr; 1 for local or network
//!   errors: no ticket ("No Kerberos credentials available"), "Connection refused" (returns in
//!   milliseconds), or a timeout.
//! - ACL files (the `file:` method) hold `princ:NAME@REALM` lines; ACL files and methods are only
//!   read when a request arrives, not at start.
//! - Timeouts: `remctl` has `-t SECONDS` (since 3.16): a timeout on network inactivity, not on
//!   the whole call (a server that sends a byte every few seconds never trips it). The default
//!   is 0 = none: against a server that accepts and never answers, `remctl` without `-t` hangs
//!   forever (seen: still running after the bound the smoke test gives it); with `-t 1` it exits
//!   after about 1 s with rc 1 and "remctl: error receiving token: timed out". So the report
//!   command must pass `-t` (or bound the call itself).
//! - `kadmin.local` exits 0 even when its `-q` query failed (e.g. "Principal or policy already
//!   exists"); this module treats any stderr line other than the "No policy specified" warning
//!   as a failure. Only one `-q` per call takes effect.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The realm every [`Realm`] gets (each has its own config, so parallel realms do not clash).
pub(crate) const REALM: &str = "MT.TEST";

/// How long a daemon may take to accept connections before its start counts as failed.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// How many ports a daemon start tries before giving up.
const START_ATTEMPTS: usize = 5;

// ---------------------------------------------------------------- programs

/// The full paths of the programs the realm and remctl need.
#[derive(Debug, Clone)]
pub(crate) struct Tools {
    /// `krb5kdc`, the KDC.
    pub krb5kdc: PathBuf,
    /// `kdb5_util`, creates the database.
    pub kdb5_util: PathBuf,
    /// `kadmin.local`, adds principals and writes keytabs.
    pub(crate) kadmin_local: PathBuf,
    /// `kinit`, gets a ticket from a keytab.
    pub(crate) kinit: PathBuf,
    /// `remctld`, the server.
    pub(crate) remctld: PathBuf,
    /// `remctl`, the client.
    pub(crate) remctl: PathBuf,
}

/// Finds `name` on PATH, then in /usr/sbin and /usr/bin (sbin is often not on a test's PATH).
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// The programs, or `Err` naming every missing one and the Debian packages that hold them.
pub(crate) fn tools() -> Result<Tools, String> {
    let mut missing = Vec::new();
    let mut get = |name: &str, package: &str| {
        find_program(name).unwrap_or_else(|| {
            missing.push(format!("{name} ({package})"));
            PathBuf::new()
        })
    };
    let tools = Tools {
        krb5kdc: get("krb5kdc", "krb5-kdc"),
        kdb5_util: get("kdb5_util", "krb5-kdc"),
        kadmin_local: get("kadmin.local", "krb5-admin-server"),
        kinit: get("kinit", "krb5-user"),
        remctld: get("remctld", "remctl-server"),
        remctl: get("remctl", "remctl-client"),
    };
    if missing.is_empty() {
        Ok(tools)
    } else {
        Err(format!(
            "missing {} (scripts/test installs them)",
            missing.join(", ")
        ))
    }
}

// ---------------------------------------------------------------- ports and processes

/// A port on `addr` no other test uses: a per-process block of 100 in 10000..19999 plus a
/// counter, skipping ports where TCP (and with `udp`, UDP too) cannot be bound right now.
pub(crate) fn free_port(addr: Ipv4Addr, udp: bool) -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 10000 + (std::process::id() % 100) as u16 * 100;
    for _ in 0..1000 {
        let port = base + NEXT.fetch_add(1, Ordering::Relaxed) % 100;
        let tcp_ok = TcpListener::bind((addr, port)).is_ok();
        if tcp_ok && (!udp || UdpSocket::bind((addr, port)).is_ok()) {
            return port;
        }
    }
    panic!("no free port on {addr} in {base}..{}", base + 100);
}

/// A daemon started by this module, killed with its process group by PID when dropped.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    /// Starts `cmd` in its own process group with stdin closed and output to `log`.
    fn spawn(mut cmd: Command, log: &Path) -> Result<Daemon, String> {
        let out = File::create(log).map_err(|e| format!("create {}: {e}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("clone {}: {e}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("spawn {cmd:?}: {e}"))?;
        Ok(Daemon {
            child,
            log: log.to_path_buf(),
        })
    }

    /// What the daemon wrote so far.
    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (bounded) until `addr:port` accepts TCP while the daemon is still running, and,
    /// with `ready_line`, its log has that line (proof that the listener is this daemon's).
    fn wait_ready(
        &mut self,
        addr: Ipv4Addr,
        port: u16,
        ready_line: Option<&str>,
    ) -> Result<(), String> {
        let start = Instant::now();
        let target = SocketAddr::from((addr, port));
        while start.elapsed() < READY_WITHIN {
            if let Some(status) = self
                .child
                .try_wait()
                .map_err(|e| format!("try_wait: {e}"))?
            {
                return Err(format!(
                    "exited ({status}) before listening: {}",
                    self.log()
                ));
            }
            let logged = ready_line.is_none_or(|line| self.log().contains(line));
            if logged && TcpStream::connect_timeout(&target, Duration::from_millis(100)).is_ok() {
                // A listener that is not ours would answer too: ours must still be alive.
                std::thread::sleep(Duration::from_millis(20));
                if let Some(status) = self
                    .child
                    .try_wait()
                    .map_err(|e| format!("try_wait: {e}"))?
                {
                    return Err(format!("exited ({status}) at start: {}", self.log()));
                }
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "did not listen on {target} within {READY_WITHIN:?}: {}",
            self.log()
        ))
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // The group id is the daemon's PID (process_group(0)): this also ends its children.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` to completion; `Err` with its output unless it exited 0.
fn run(cmd: &mut Command) -> Result<Output, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

// ---------------------------------------------------------------- the realm

/// A running throwaway realm [`REALM`]: config, database, keytabs and caches in a temporary
/// folder, and its KDC on 127.0.0.1. Dropping it kills the KDC and removes the folder.
pub(crate) struct Realm {
    // Field order matters: the KDC is killed before the folder goes.
    kdc: Daemon,
    tools: Tools,
    port: u16,
    dir: tempfile::TempDir,
}

impl Realm {
    /// Makes the realm and starts its KDC, waiting (bounded) until it accepts connections.
    /// `Err` says what failed (a missing program, a command's output, the KDC log).
    pub(crate) fn start() -> Result<Realm, String> {
        let tools = tools()?;
        let dir = tempfile::Builder::new()
            .prefix("mt-realm.")
            .tempdir()
            .map_err(|e| format!("tempdir: {e}"))?;
        let d = dir.path();
        for sub in ["db", "rcache"] {
            fs::create_dir(d.join(sub)).map_err(|e| format!("mkdir {sub}: {e}"))?;
        }
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port(Ipv4Addr::LOCALHOST, true);
            write_configs(d, port)?;
            // The database does not depend on the port: made once, on the first attempt.
            if !d.join("db/stash").exists() {
                run(Command::new(&tools.kdb5_util)
                    .args(["create", "-s", "-r", REALM, "-P", "throwaway"])
                    .envs(env_of(d)))?;
            }
            let mut cmd = Command::new(&tools.krb5kdc);
            cmd.arg("-n").current_dir(d).envs(env_of(d));
            let mut kdc = Daemon::spawn(cmd, &d.join("kdc.log"))?;
            // "commencing operation" is logged once every socket is bound.
            match kdc.wait_ready(Ipv4Addr::LOCALHOST, port, Some("commencing operation")) {
                Ok(()) => {
                    return Ok(Realm {
                        kdc,
                        tools,
                        port,
                        dir,
                    })
                }
                Err(e) => last = format!("krb5kdc on 127.0.0.1:{port}: {e}"),
            }
        }
        Err(last)
    }

    /// The realm's name, [`REALM`].
    pub(crate) fn name(&self) -> &str {
        REALM
    }

    /// `name@REALM`; a name that already has a realm is returned as it is.
    pub(crate) fn principal(&self, name: &str) -> String {
        if name.contains('@') {
            name.to_string()
        } else {
            format!("{name}@{REALM}")
        }
    }

    /// The temporary folder (configs, `db/`, keytabs, caches, `kdc.log`).
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The KDC's port on 127.0.0.1 (TCP and UDP).
    pub(crate) fn kdc_port(&self) -> u16 {
        self.port
    }

    /// The KDC's PID (also its process group id).
    pub(crate) fn kdc_pid(&self) -> u32 {
        self.kdc.pid()
    }

    /// The KDC's log so far.
    pub(crate) fn kdc_log(&self) -> String {
        self.kdc.log()
    }

    /// The programs found by [`tools`].
    pub(crate) fn tools(&self) -> &Tools {
        &self.tools
    }

    /// The environment every Kerberos child process needs: `KRB5_CONFIG`, `KRB5_KDC_PROFILE`
    /// and `KRB5RCACHEDIR`, all in the realm's folder. No ccache: pass `KRB5CCNAME` per call
    /// (see [`Realm::kinit`]).
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        env_of(self.dir())
    }

    /// Adds `name` (e.g. `rmirror` or `host/a.test`, realm optional) with a random key and
    /// writes its key into its own keytab, whose path is returned.
    pub(crate) fn add_principal(&self, name: &str) -> Result<PathBuf, String> {
        let principal = self.principal(name);
        let keytab = self
            .dir()
            .join(format!("{}.keytab", principal.replace(['/', '@'], "_")));
        self.kadmin(&format!("addprinc -randkey {principal}"))?;
        self.kadmin(&format!("ktadd -k {} {principal}", keytab.display()))?;
        match fs::metadata(&keytab) {
            Ok(m) if m.len() > 0 => Ok(keytab),
            _ => Err(format!("ktadd wrote no keytab {}", keytab.display())),
        }
    }

    /// Deletes `name` (realm optional) from the KDC: tickets for it can no longer be had
    /// ("Server not found in Kerberos database").
    pub(crate) fn delete_principal(&self, name: &str) -> Result<(), String> {
        let principal = self.principal(name);
        let out = run(Command::new(&self.tools.kadmin_local)
            .args(["-r", REALM, "-q", &format!("delprinc -force {principal}")])
            .envs(self.env()))?;
        let said = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if said.contains("deleted") {
            Ok(())
        } else {
            Err(format!("delprinc {principal}: {said}"))
        }
    }

    /// Adds the host principal `host/<fqdn>@REALM`; returns its keytab (see
    /// [`Realm::add_principal`]).
    pub(crate) fn add_host(&self, fqdn: &str) -> Result<PathBuf, String> {
        self.add_principal(&format!("host/{fqdn}"))
    }

    /// Gets a ticket for `principal` (realm optional) from `keytab` into a new `FILE:`
    /// credential cache in the realm's folder; returns the cache's path (without `FILE:`).
    pub(crate) fn kinit(&self, principal: &str, keytab: &Path) -> Result<PathBuf, String> {
        static N: AtomicU16 = AtomicU16::new(0);
        let principal = self.principal(principal);
        let ccache = self.dir().join(format!(
            "cc.{}.{}",
            principal.replace(['/', '@'], "_"),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        run(Command::new(&self.tools.kinit)
            .arg("-c")
            .arg(format!("FILE:{}", ccache.display()))
            .arg("-k")
            .arg("-t")
            .arg(keytab)
            .arg(&principal)
            .envs(self.env()))?;
        Ok(ccache)
    }

    /// One `kadmin.local -q QUERY` (only the last `-q` of a call would run). It exits 0 even
    /// when the query failed, so any stderr line but the "No policy specified" warning is an
    /// error.
    fn kadmin(&self, query: &str) -> Result<(), String> {
        let out = run(Command::new(&self.tools.kadmin_local)
            .args(["-r", REALM, "-q", query])
            .envs(self.env()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("No policy specified"))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("kadmin.local -q {query:?}: {}", errors.join("\n")))
        }
    }
}

/// The Kerberos environment of a realm in `dir` (see [`Realm::env`]).
fn env_of(dir: &Path) -> Vec<(String, String)> {
    let p = |f: &str| dir.join(f).display().to_string();
    vec![
        ("KRB5_CONFIG".into(), p("krb5.conf")),
        ("KRB5_KDC_PROFILE".into(), p("kdc.conf")),
        ("KRB5RCACHEDIR".into(), p("rcache")),
    ]
}

/// Writes `krb5.conf` (clients) and `kdc.conf` (KDC, kdb5_util, kadmin.local) for a KDC on
/// 127.0.0.1:`port`.
fn write_configs(dir: &Path, port: u16) -> Result<(), String> {
    let d = dir.display();
    let krb5 = format!(
        "[libdefaults]
    default_realm = {REALM}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    # TCP first (every message is longer than 1 byte): no UDP retries to wait through.
    udp_preference_limit = 1

[realms]
    {REALM} = {{
        kdc = 127.0.0.1:{port}
    }}
"
    );
    let kdc = format!(
        "[kdcdefaults]
    kdc_listen = 127.0.0.1:{port}
    kdc_tcp_listen = 127.0.0.1:{port}

[realms]
    {REALM} = {{
        database_name = {d}/db/principal
        key_stash_file = {d}/db/stash
        acl_file = {d}/kadm5.acl
        kdc_listen = 127.0.0.1:{port}
        kdc_tcp_listen = 127.0.0.1:{port}
        max_life = 1h
    }}

# The KDC logs to its stderr, which Daemon captures in kdc.log; the tools log to a file (on
# stderr their info lines would look like kadmin.local errors).
[logging]
    kdc = STDERR
    admin_server = FILE:{d}/kadmin.log
    default = FILE:{d}/kadmin.log
"
    );
    for (name, text) in [("krb5.conf", krb5), ("kdc.conf", kdc)] {
        fs::write(dir.join(name), text).map_err(|e| format!("write {name}: {e}"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- remctld

/// A running `remctld -m -F -S` on one address and a free port; killed (with any children it
/// forked for connections) by PID when dropped.
pub(crate) struct Remctld {
    daemon: Daemon,
    addr: Ipv4Addr,
    port: u16,
}

impl Remctld {
    /// Starts `remctld -m -F -S -b BIND -p PORT -f CONF -k KEYTAB -s SERVICE_PRINCIPAL` with the
    /// realm's environment and a free port, and waits (bounded) until the port accepts. The log
    /// (`-S`: to stdout/stderr) goes to a file in the realm's folder, see [`Remctld::log`].
    pub(crate) fn start(
        realm: &Realm,
        bind: Ipv4Addr,
        conf: &Path,
        keytab: &Path,
        service_principal: &str,
    ) -> Result<Remctld, String> {
        static N: AtomicU16 = AtomicU16::new(0);
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port(bind, false);
            let log = realm
                .dir()
                .join(format!("remctld.{}.log", N.fetch_add(1, Ordering::Relaxed)));
            let mut cmd = Command::new(&realm.tools.remctld);
            cmd.args(["-m", "-F", "-S", "-b", &bind.to_string()])
                .args(["-p", &port.to_string()])
                .arg("-f")
                .arg(conf)
                .arg("-k")
                .arg(keytab)
                .args(["-s", &realm.principal(service_principal)])
                .current_dir(realm.dir())
                .env_remove("KRB5CCNAME")
                .envs(realm.env());
            let mut daemon = Daemon::spawn(cmd, &log)?;
            match daemon.wait_ready(bind, port, None) {
                Ok(()) => {
                    return Ok(Remctld {
                        daemon,
                        addr: bind,
                        port,
                    })
                }
                Err(e) => last = format!("remctld on {bind}:{port}: {e}"),
            }
        }
        Err(last)
    }

    /// Starts remctld like [`Remctld::start`] but on the given `port` (one attempt: the caller
    /// chose a port free on every address it needs, as an estate has one remctl port) and with
    /// `env` added to its environment (and so to the commands it runs).
    pub(crate) fn start_at(
        realm: &Realm,
        bind: Ipv4Addr,
        port: u16,
        conf: &Path,
        keytab: &Path,
        service_principal: &str,
        env: &[(String, String)],
    ) -> Result<Remctld, String> {
        static N: AtomicU16 = AtomicU16::new(0);
        let log = realm.dir().join(format!(
            "remctld.at.{}.log",
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let mut cmd = Command::new(&realm.tools.remctld);
        cmd.args(["-m", "-F", "-S", "-b", &bind.to_string()])
            .args(["-p", &port.to_string()])
            .arg("-f")
            .arg(conf)
            .arg("-k")
            .arg(keytab)
            .args(["-s", &realm.principal(service_principal)])
            .current_dir(realm.dir())
            .env_remove("KRB5CCNAME")
            .envs(realm.env())
            .envs(env.iter().map(|(k, v)| (k, v)));
        let mut daemon = Daemon::spawn(cmd, &log)?;
        daemon
            .wait_ready(bind, port, None)
            .map_err(|e| format!("remctld on {bind}:{port}: {e}"))?;
        Ok(Remctld {
            daemon,
            addr: bind,
            port,
        })
    }

    /// The address it listens on.
    pub(crate) fn addr(&self) -> Ipv4Addr {
        self.addr
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Its PID (also its process group id).
    pub(crate) fn pid(&self) -> u32 {
        self.daemon.pid()
    }

    /// Its log so far ("COMMAND from PRINCIPAL: ...", "access denied: ...").
    pub(crate) fn log(&self) -> String {
        self.daemon.log()
    }
}

/// `remctl -s SERVICE -p PORT ADDR ARGS...` with the realm's environment and
/// `KRB5CCNAME=FILE:<ccache>`, stdin closed. No client timeout: see [`remctl_cmd_timeout`].
pub(crate) fn remctl_cmd(
    realm: &Realm,
    ccache: &Path,
    service_principal: &str,
    addr: Ipv4Addr,
    port: u16,
    args: &[&str],
) -> Command {
    remctl_cmd_timeout(realm, ccache, service_principal, addr, port, None, args)
}

/// [`remctl_cmd`] with `-t SECONDS` when `timeout` is given: remctl gives up after that long
/// without network activity (not a bound on the whole call).
pub(crate) fn remctl_cmd_timeout(
    realm: &Realm,
    ccache: &Path,
    service_principal: &str,
    addr: Ipv4Addr,
    port: u16,
    timeout: Option<u32>,
    args: &[&str],
) -> Command {
    let mut cmd = Command::new(&realm.tools.remctl);
    cmd.args(["-s", &realm.principal(service_principal)])
        .args(["-p", &port.to_string()]);
    if let Some(t) = timeout {
        cmd.args(["-t", &t.to_string()]);
    }
    cmd.arg(addr.to_string())
        .args(args)
        .envs(realm.env())
        .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
        .stdin(Stdio::null());
    cmd
}

// ---------------------------------------------------------------- bounded runs, hung servers

/// How a [`run_within`] call ended.
#[derive(Debug)]
pub(crate) enum Bounded {
    /// It exited in time.
    Done(Output),
    /// It was still running at the limit and was killed; what it wrote until then.
    TimedOut { stdout: Vec<u8>, stderr: Vec<u8> },
}

/// Runs `cmd` (stdout and stderr captured), killing it if it runs longer than `limit`.
pub(crate) fn run_within(cmd: &mut Command, limit: Duration) -> Result<Bounded, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn {cmd:?}: {e}"))?;
    let drain = |r: Option<Box<dyn Read + Send>>| -> JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status: Option<ExitStatus> = loop {
        if let Some(s) = child.try_wait().map_err(|e| format!("try_wait: {e}"))? {
            break Some(s);
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.join().expect("stdout reader thread");
    let stderr = err.join().expect("stderr reader thread");
    Ok(match status {
        Some(status) => Bounded::Done(Output {
            status,
            stdout,
            stderr,
        }),
        None => Bounded::TimedOut { stdout, stderr },
    })
}

/// A TCP listener on `addr` that accepts connections and never sends a byte: a hung server.
/// It holds every connection open until dropped.
pub(crate) struct Silent {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Silent {
    /// Listens on `addr` on a free port.
    pub(crate) fn start(addr: Ipv4Addr) -> Result<Silent, String> {
        let listener = TcpListener::bind((addr, 0)).map_err(|e| format!("bind {addr}: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("local_addr: {e}"))?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("set_nonblocking: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => held.push(conn),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Silent {
            port,
            stop,
            thread: Some(thread),
        })
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
