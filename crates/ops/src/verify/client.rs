//! The checks of one client's rsyncd.conf (deployed or compiled): a listing from an outsider
//! shows nothing, every address of the server set opens every module the inventory gives the
//! client (a module missing from the file is refused, and so reported), every outsider is
//! refused, and rsync logged no complaint while reading the file. Owns the scratch folder of
//! that client.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::remap::remap;
use super::rsync::{Probe, Request, Rsync};
use super::{Tally, VerifyError};
use mirrorc_core::model::{Client, Model, ServerState};

/// Substrings of rsync log lines that mean it did not read the config as written.
/// (`rsync error: received SIGUSR1` is how a daemon-side listing ends: not a complaint.)
const COMPLAINTS: [&str; 7] = [
    "Unknown Parameter",
    "IGNORING",
    "badly formed",
    "Badly formed",
    "Failed",
    "Warning",
    "syntax or usage error",
];

/// The most modules of one config that are probed (each costs a few requests of ~30 ms; a
/// deployed file could hold a million).
const MAX_MODULES: usize = 1024;

/// An address that must be refused, and what it is.
#[derive(Debug, Clone)]
pub(super) struct Outsider {
    /// Source address.
    pub address: String,
    /// Human description for the finding.
    pub who: String,
}

/// What one client's checks found.
#[derive(Debug, Default)]
pub(super) struct ClientReport {
    /// Findings, in check order.
    pub findings: Vec<VerifyError>,
    /// Counts.
    pub tally: Tally,
}

/// Shared, read-only inputs of every client's checks.
pub(super) struct Context<'a> {
    /// The estate.
    pub model: &'a Model,
    /// rsync and its fake shell.
    pub rsync: &'a Rsync,
    /// An address in no inventory.
    pub stranger: &'a str,
}

/// How rsync answered one request.
enum Answer {
    Admitted,
    Refused,
    Unclear(String),
}

/// One client's config to check: its text and the file it is (or would be) in.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// The client.
    pub client: &'a Client,
    /// The config text, as deployed or as compiled.
    pub text: &'a str,
    /// The file named in findings.
    pub file: &'a str,
}

/// Runs every check of one client's config, in `dir`.
pub(super) fn check(cx: &Context, config: &Config, dir: &Path) -> io::Result<ClientReport> {
    let client = config.client;
    let remapped = remap(config.text, dir);
    // A client without paths has no module folder: its own folder is still needed.
    fs::create_dir_all(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    if remapped.modules.len() > MAX_MODULES {
        let reason = format!("more than {MAX_MODULES} modules: not checked");
        let file = config.file.to_string();
        let findings = vec![VerifyError::DeployedUnreadable { file, reason }];
        return Ok(ClientReport {
            findings,
            tally: Tally::default(),
        });
    }
    fs::create_dir_all(dir.join("tmp"))?;
    for (_, p) in &remapped.modules {
        fs::create_dir_all(p)?;
    }
    let conf = dir.join("rsyncd.conf");
    let log = dir.join("rsync.log");
    super::write_new(&conf, remapped.text.as_bytes(), 0o644)?;
    let _ = fs::remove_file(&log);
    let mut rep = ClientReport::default();
    rep.tally.configs = 1;
    for parameter in &remapped.disarmed {
        rep.findings.push(VerifyError::RunsProgram {
            file: config.file.to_string(),
            parameter: parameter.clone(),
        });
    }
    let probe = Prober {
        cx,
        client,
        file: config.file,
        conf: &conf,
        log: &log,
    };
    probe.listing(&mut rep)?;
    let outsiders = outsiders(cx, client);
    for (module, _) in &remapped.modules {
        rep.tally.modules += 1;
        probe.servers(module, &mut rep)?;
        probe.push(module, dir, &mut rep)?;
        probe.outsiders(module, &outsiders, &mut rep)?;
    }
    let in_file = |tag: &str| remapped.modules.iter().any(|(m, _)| m == tag);
    for path in client.paths.iter().filter(|p| !in_file(&p.tag)) {
        rep.tally.modules += 1;
        probe.servers(&path.tag, &mut rep)?;
    }
    complaints(config, &log, &mut rep)?;
    Ok(rep)
}

/// One client's config, asked from various addresses.
struct Prober<'a> {
    cx: &'a Context<'a>,
    client: &'a Client,
    file: &'a str,
    conf: &'a PathBuf,
    log: &'a PathBuf,
}

impl Prober<'_> {
    fn ask(
        &self,
        from: &str,
        module: Option<&str>,
        rep: &mut ClientReport,
    ) -> io::Result<(Answer, Probe)> {
        rep.tally.checks += 1;
        let p = self.cx.rsync.probe(Request {
            conf: self.conf,
            log: self.log,
            from,
            module,
            push: None,
        })?;
        Ok((classify(&p), p))
    }

    /// The module listing, asked by a stranger: it must show nothing.
    fn listing(&self, rep: &mut ClientReport) -> io::Result<()> {
        let from = self.cx.stranger;
        let (answer, p) = self.ask(from, None, rep)?;
        if p.code != Some(0) {
            let detail = unclear_detail(&answer, &p);
            rep.findings
                .push(self.unexpected("(listing)", from, detail));
        }
        for module in p.stdout.lines().filter_map(|l| l.split_whitespace().next()) {
            let (client, address) = (self.client.name.clone(), from.to_string());
            rep.findings.push(VerifyError::ListsModule {
                file: self.file.to_string(),
                client,
                module: module.to_string(),
                address,
            });
        }
        Ok(())
    }

    /// Every address of the server set must open `module`.
    fn servers(&self, module: &str, rep: &mut ClientReport) -> io::Result<()> {
        for server in self
            .client
            .server_set
            .iter()
            .map(|id| self.cx.model.server(*id))
        {
            for address in &server.addresses {
                let (answer, p) = self.ask(address, Some(module), rep)?;
                let finding = match answer {
                    Answer::Admitted => continue,
                    Answer::Refused => VerifyError::RefusesServer {
                        file: self.file.to_string(),
                        client: self.client.name.clone(),
                        module: module.to_string(),
                        server: server.name.clone(),
                        address: address.clone(),
                        detail: p.stderr.trim().to_string(),
                    },
                    Answer::Unclear(d) => self.unexpected(module, address, d),
                };
                rep.findings.push(finding);
            }
        }
        Ok(())
    }

    /// A server of the set that tries to write into `module` must be refused (`read only`).
    /// As non-root the daemon stops at chroot/setuid before it could tell: no finding then.
    fn push(&self, module: &str, dir: &Path, rep: &mut ClientReport) -> io::Result<()> {
        let model = self.cx.model;
        let from = self
            .client
            .server_set
            .iter()
            .flat_map(|id| model.server(*id).addresses.first())
            .next();
        let Some(from) = from else { return Ok(()) };
        let src = dir.join("push-probe");
        let probe_file = src.join("mirrorc-push-probe");
        if !probe_file.exists() {
            fs::create_dir_all(&src)?;
            let text = "written by mirrorc verify: must be refused\n";
            super::write_new(&probe_file, text.as_bytes(), 0o644)?;
        }
        rep.tally.checks += 1;
        let p = self.cx.rsync.probe(Request {
            conf: self.conf,
            log: self.log,
            from,
            module: Some(module),
            push: Some(&src),
        })?;
        let inconclusive = [
            "@ERROR: chroot failed",
            "@ERROR: setgid failed",
            "@ERROR: setuid failed",
        ];
        if p.code == Some(0) {
            let (client, module, address) =
                (self.client.name.clone(), module.to_string(), from.clone());
            rep.findings.push(VerifyError::AcceptsPush {
                file: self.file.to_string(),
                client,
                module,
                address,
            });
        } else if !p.stderr.contains("read only")
            && !inconclusive.iter().any(|s| p.stderr.contains(s))
        {
            rep.findings.push(self.unexpected(
                module,
                from,
                format!("push: exit {:?}: {}", p.code, p.stderr.trim()),
            ));
        }
        Ok(())
    }

    /// Every outsider must be refused `module`.
    fn outsiders(
        &self,
        module: &str,
        outsiders: &[Outsider],
        rep: &mut ClientReport,
    ) -> io::Result<()> {
        for o in outsiders {
            let finding = match self.ask(&o.address, Some(module), rep)?.0 {
                Answer::Refused => continue,
                Answer::Admitted => VerifyError::AdmitsOutsider {
                    file: self.file.to_string(),
                    client: self.client.name.clone(),
                    module: module.to_string(),
                    address: o.address.clone(),
                    who: o.who.clone(),
                },
                Answer::Unclear(d) => self.unexpected(module, &o.address, d),
            };
            rep.findings.push(finding);
        }
        Ok(())
    }

    fn unexpected(&self, target: &str, address: &str, detail: String) -> VerifyError {
        let (client, target, address) = (
            self.client.name.clone(),
            target.to_string(),
            address.to_string(),
        );
        VerifyError::Unexpected {
            file: self.file.to_string(),
            client,
            target,
            address,
            detail,
        }
    }
}

/// Admitted: rc 0, or a failure in the privilege steps that follow the access check and need
/// root (`use chroot`, `uid`, `gid`). Refused: rsync's two refusals (`list = no` turns
/// "access denied" into "Unknown module").
fn classify(p: &Probe) -> Answer {
    let e = &p.stderr;
    let after_access = [
        "@ERROR: chroot failed",
        "@ERROR: setgid failed",
        "@ERROR: setuid failed",
    ];
    if p.code == Some(0) || after_access.iter().any(|s| e.contains(s)) {
        Answer::Admitted
    } else if e.contains("access denied") || e.contains("Unknown module") {
        Answer::Refused
    } else {
        Answer::Unclear(format!("exit {:?}: {}", p.code, e.trim()))
    }
}

fn unclear_detail(answer: &Answer, p: &Probe) -> String {
    match answer {
        Answer::Unclear(d) => d.clone(),
        Answer::Admitted | Answer::Refused => format!("exit {:?}: {}", p.code, p.stderr.trim()),
    }
}

/// The stranger, and every address of a server outside the client's set (retired ones too).
pub(super) fn outsiders(cx: &Context, client: &Client) -> Vec<Outsider> {
    let admitted = cx.model.hosts_allow(client);
    let mut out = vec![Outsider {
        address: cx.stranger.to_string(),
        who: "an address in no inventory".into(),
    }];
    for (i, s) in cx.model.servers.iter().enumerate() {
        if client.server_set.iter().any(|id| id.0 as usize == i) {
            continue;
        }
        let who = match s.state {
            ServerState::Retired => format!("retired server {}", s.name),
            ServerState::Active | ServerState::Drain => {
                format!("server {}, not in its server set", s.name)
            }
        };
        for a in s.addresses.iter().filter(|a| !admitted.contains(a)) {
            out.push(Outsider {
                address: a.clone(),
                who: who.clone(),
            });
        }
    }
    out
}

/// Every distinct complaint rsync logged (it reads the file once per request).
fn complaints(config: &Config, log: &Path, rep: &mut ClientReport) -> io::Result<()> {
    let text = match fs::read_to_string(log) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut seen: Vec<&str> = Vec::new();
    for line in text
        .lines()
        .filter(|l| COMPLAINTS.iter().any(|c| l.contains(c)))
    {
        let message = strip_log_prefix(line);
        if !seen.contains(&message) {
            seen.push(message);
            rep.findings.push(VerifyError::ConfigWarning {
                file: config.file.to_string(),
                client: config.client.name.clone(),
                message: message.to_string(),
            });
        }
    }
    Ok(())
}

/// `2026/11/25 01:08:02 [20926] text` → `text`.
fn strip_log_prefix(line: &str) -> &str {
    match line.split_once("] ") {
        Some((head, rest)) if head.contains(" [") => rest,
        _ => line,
    }
}
