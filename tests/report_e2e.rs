//! `mirrorc report` end to end. Over real remctl: a throwaway Kerberos realm, host keytabs for
//! three servers and three clients, one real remctld per server on its own 127.0.x.1 address
//! running the remctl configuration that `compile` GENERATED (the ACL is the judge, not our
//! code). Status records are written with `contract::status::write_record`, the writer `run`
//! uses. Without Kerberos: `--via dir` for never-mirrored disks, the retirable line, bad
//! records and hostile arguments of `report --server`. Timing is never asserted; deadlines are
//! generous bounds that only a hang would reach.

use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use mirrorc_core::contract::report::{DiskState, EstateReport, ServerReport};
use mirrorc_core::contract::status::{example_record, write_record, DiskStatus, Outcome};
use mirrorc_ops::report::time;

use crate::support::realm::{self, remctl_cmd, run_within, Bounded, Realm, Remctld};

const BIN: &str = env!("CARGO_BIN_EXE_mirrorc");
/// A bound only a hang reaches (2 shared cores; nothing asserts on elapsed time).
const BOUND: Duration = Duration::from_secs(120);

fn skip(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test} cannot run under CI=true: {why}");
    }
    eprintln!("\n************************************************************");
    eprintln!("*** SKIPPED {test}: {why}");
    eprintln!("************************************************************\n");
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Servers sa, sb (site north) and se (site east); clients c1 (pinned to sa: home, scratch),
/// c2 (pinned to sb: home) of site south, mirrored by north; c3 of south mirrored by east.
/// `extra` is appended to north.yaml (e.g. a drained server).
fn write_estate(dir: &Path, estate: &str, extra: &str) {
    fs::create_dir_all(dir).expect("mkdir site");
    let north = format!(
        "site: north\ndomain: mt.test\nservers:\n  sa:\n    address: 127.0.1.1\n    store: /srv/a\n  sb:\n    address: 127.0.2.1\n    store: /srv/b\n{extra}"
    );
    fs::write(dir.join("north.yaml"), north).expect("write north");
    fs::write(
        dir.join("east.yaml"),
        "site: east\ndomain: mt.test\nservers:\n  se:\n    address: 127.0.3.1\n    store: /srv/e\n",
    )
    .expect("write east");
    let south = format!(
        "site: south\ndomain: mt.test\nmirrored_by: [north]\n{estate}clients:\n  c1:\n    pin: [sa]\n    paths:\n      home: /home\n      scratch: /scratch\n  c2:\n    pin: [sb]\n    paths:\n      home: /home\n  c3:\n    mirrored_by: [east]\n    paths:\n      home: /home\n"
    );
    fs::write(dir.join("south.yaml"), south).expect("write south");
}

fn compile(site: &Path, out: &Path) {
    let o = Command::new(BIN)
        .arg("compile")
        .arg(site)
        .arg("-o")
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .expect("run compile");
    assert_eq!(o.status.code(), Some(0), "compile: {}", text(&o.stderr));
}

fn ago(secs: i64) -> String {
    time::format(time::now() - secs)
}

fn record(tag: &str, client: &str, server: &str, result: Outcome, secs_ago: i64) -> DiskStatus {
    example_record(tag, client, server, result, &ago(secs_ago))
}

/// A failed last attempt an hour ago over a success `success_ago` seconds ago.
fn failed_after(tag: &str, client: &str, server: &str, success_ago: i64) -> DiskStatus {
    let mut r = record(tag, client, server, Outcome::Failed, 3600);
    r.last_success = record(tag, client, server, Outcome::Ok, success_ago).last_success;
    r
}

/// Runs mirrorc (bounded) with `env`; panics if it hangs.
pub(crate) fn mirrorc(args: &[&str], env: &[(String, String)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .envs(env.iter().cloned())
        .env("NO_COLOR", "1");
    match run_within(&mut cmd, BOUND).expect("run mirrorc") {
        Bounded::Done(o) => o,
        Bounded::TimedOut { stderr, .. } => {
            panic!("mirrorc {args:?} hung for {BOUND:?}: {}", text(&stderr))
        }
    }
}

pub(crate) fn estate_json(o: &Output) -> EstateReport {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not an estate report ({e}): {}\n{}",
            text(&o.stdout),
            text(&o.stderr)
        )
    })
}

/// A port free on every address given.
pub(crate) fn common_port(addrs: &[Ipv4Addr]) -> u16 {
    for _ in 0..50 {
        let p = realm::free_port(addrs[0], false);
        if addrs.iter().all(|a| TcpListener::bind((*a, p)).is_ok()) {
            return p;
        }
    }
    panic!("no port free on all of {addrs:?}");
}

const SERVERS: [(&str, [u8; 4]); 3] = [
    ("sa", [127, 0, 1, 1]),
    ("sb", [127, 0, 2, 1]),
    ("se", [127, 0, 3, 1]),
];

struct World {
    realm: Realm,
    out: PathBuf,
    state: PathBuf,
    port: u16,
    /// Per server name its remctld (None once stopped).
    daemons: Vec<(String, Option<Remctld>)>,
    /// Per client its credential cache.
    cc: Vec<(String, PathBuf)>,
}

impl World {
    fn env_of(&self, client: &str) -> Vec<(String, String)> {
        let cc = &self.cc.iter().find(|(c, _)| c == client).expect("client").1;
        let mut env = self.realm.env();
        env.push(("KRB5CCNAME".into(), format!("FILE:{}", cc.display())));
        env
    }

    fn report(&self, as_client: &str, args: &[&str]) -> Output {
        let out = self.out.display().to_string();
        let mut all = vec!["report", "--contract", out.as_str()];
        if !args.contains(&"--timeout") {
            all.extend(["--timeout", "10"]);
        }
        all.extend_from_slice(args);
        mirrorc(&all, &self.env_of(as_client))
    }

    fn stop(&mut self, server: &str) {
        let slot = self
            .daemons
            .iter_mut()
            .find(|(s, _)| s == server)
            .expect("server");
        slot.1 = None;
    }

    fn remctl(&self, as_client: &str, server: &str, args: &[&str]) -> Output {
        let (_, addr) = SERVERS.iter().find(|(s, _)| *s == server).expect("server");
        let cc = &self
            .cc
            .iter()
            .find(|(c, _)| c == as_client)
            .expect("client")
            .1;
        let service = format!("host/{server}.mt.test");
        let mut cmd = remctl_cmd(
            &self.realm,
            cc,
            &service,
            Ipv4Addr::from(*addr),
            self.port,
            args,
        );
        match run_within(&mut cmd, BOUND).expect("run remctl") {
            Bounded::Done(o) => o,
            Bounded::TimedOut { .. } => panic!("remctl {args:?} hung"),
        }
    }
}

/// The realm, the estate compiled with its realm and port, records, and three remctlds.
fn world() -> Result<World, String> {
    let realm = Realm::start()?;
    let root = realm.dir().join("estate");
    let addrs: Vec<Ipv4Addr> = SERVERS.iter().map(|(_, a)| Ipv4Addr::from(*a)).collect();
    let port = common_port(&addrs);
    let estate = format!(
        "estate:\n  realm: {}\n  remctl_port: {port}\n  mirrorc: {BIN}\n  max_age: 36h\n",
        realm.name()
    );
    write_estate(&root.join("site"), &estate, "");
    let out = root.join("out");
    compile(&root.join("site"), &out);
    let state = root.join("state");
    for r in [
        record("c1_home", "c1", "sa", Outcome::Ok, 7200),
        failed_after("c1_scratch", "c1", "sa", 4 * 86400),
        record("c2_home", "c2", "sb", Outcome::Ok, 3600),
        record("c3_home", "c3", "se", Outcome::Ok, 600),
    ] {
        write_record(&state.join(&r.server), &r).map_err(|e| e.to_string())?;
    }
    let mut cc = Vec::new();
    for c in ["c1", "c2", "c3"] {
        let keytab = realm.add_host(&format!("{c}.mt.test"))?;
        cc.push((
            c.to_string(),
            realm.kinit(&format!("host/{c}.mt.test"), &keytab)?,
        ));
    }
    let mut daemons = Vec::new();
    for (s, addr) in SERVERS {
        let keytab = realm.add_host(&format!("{s}.mt.test"))?;
        let conf = out.join("remctl").join(s).join("rmirror");
        let env = vec![
            (
                "MIRRORC_CONTRACT".to_string(),
                out.join("servers")
                    .join(format!("{s}.json"))
                    .display()
                    .to_string(),
            ),
            (
                "MIRRORC_STATE".to_string(),
                state.join(s).display().to_string(),
            ),
        ];
        let service = format!("host/{s}.mt.test");
        let d = Remctld::start_at(
            &realm,
            Ipv4Addr::from(addr),
            port,
            &conf,
            &keytab,
            &service,
            &env,
        )?;
        daemons.push((s.to_string(), Some(d)));
    }
    Ok(World {
        realm,
        out,
        state,
        port,
        daemons,
        cc,
    })
}

pub(crate) fn disk<'a>(
    r: &'a EstateReport,
    tag: &str,
) -> &'a mirrorc_core::contract::report::MergedDisk {
    r.disks
        .iter()
        .find(|d| d.tag == tag)
        .unwrap_or_else(|| panic!("no disk {tag} in {r:?}"))
}

#[test]
fn report_over_real_remctl_and_kerberos() {
    let test = "report_over_real_remctl_and_kerberos";
    if let Err(why) = realm::tools() {
        return skip(test, &why);
    }
    let mut w = world().expect("set up realm, estate and remctlds");

    // verify lets the real remctld read every generated remctl configuration.
    let site = w.out.with_file_name("site").display().to_string();
    let out = w.out.display().to_string();
    let o = mirrorc(&["verify", &site, "--out", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!(", 3 remctl configs (deployed in {out}/rsync): ok")),
        "{}",
        text(&o.stderr)
    );

    // c2 asks both servers of its set; the disk held by sb is reported by sb and only sb.
    let o = w.report("c2", &["--client", "c2", "--format", "json"]);
    let r = estate_json(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(r.servers.iter().all(|s| s.answered), "{:?}", r.servers);
    let names: Vec<&str> = r.servers.iter().map(|s| s.server.as_str()).collect();
    assert_eq!(names, ["sa", "sb"]);
    assert_eq!(r.disks.len(), 1, "{:?}", r.disks);
    let d = disk(&r, "c2_home");
    assert_eq!(
        (d.holders.as_slice(), d.reported_by.as_slice()),
        (&["sb".to_string()][..], &["sb".to_string()][..])
    );
    assert_eq!(d.state, DiskState::Ok);
    assert_eq!(
        d.last_success.as_ref().map(|a| a.server.as_str()),
        Some("sb")
    );

    // c1: home fresh on sa, scratch failed an hour ago over a 4-day-old success: exit 1.
    let o = w.report("c1", &["--client", "c1"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(out.contains("2 of 2 servers answered"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("ok") && l.contains("c1_home") && l.contains("by sa")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("failed")
            && l.contains("c1_scratch")
            && l.contains("last failed")),
        "{out}"
    );

    // An outsider (c3 is mirrored by east only, so in no ACL of sa): remctld says Access denied.
    let o = w.remctl("c3", "sa", &["rmirror", "report", "c1"]);
    assert_eq!(o.status.code(), Some(255), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("Access denied"),
        "{}",
        text(&o.stderr)
    );
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
    // ... and mirrorc names both servers as refusing, with why.
    let o = w.report("c3", &["--client", "c1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let r = estate_json(&o);
    for s in &r.servers {
        let e = s.error.as_deref().unwrap_or("");
        assert!(
            !s.answered && e.contains("refused") && e.contains("Access denied"),
            "{s:?}"
        );
    }
    assert_eq!(disk(&r, "c1_home").state, DiskState::Unknown);

    // Hostile arguments over the wire are refused by mirrorc itself (exit 2), nothing runs.
    let marker = w.realm.dir().join("pwned");
    let touch = format!("$(touch {})", marker.display());
    let long = "x".repeat(10_000);
    for arg in [
        "--help",
        "../../etc/passwd",
        long.as_str(),
        touch.as_str(),
        "a;id",
        "a b",
        "-",
    ] {
        let o = w.remctl("c1", "sa", &["rmirror", "report", arg]);
        let err = text(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{arg:.40}: {err}{}",
            text(&o.stdout)
        );
        assert!(err.contains("refused argument 1"), "{arg:.40}: {err}");
        assert!(o.stdout.is_empty(), "{arg:.40}: {}", text(&o.stdout));
    }
    assert!(!marker.exists(), "a shell ran the argument");
    // A name is fine: the raw view of sa as remctld returns it.
    let o = w.remctl("c1", "sa", &["rmirror", "report", "c1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let view = ServerReport::parse(&o.stdout).expect("wire format");
    assert_eq!(view.server, "sa");

    // --all (asked as a server of the estate, which every ACL lists) = union of the views.
    let sa_keytab = w.realm.dir().join("host_sa.mt.test_MT.TEST.keytab");
    let sa_cc = w
        .realm
        .kinit("host/sa.mt.test", &sa_keytab)
        .expect("kinit sa");
    w.cc.push(("sa".into(), sa_cc));
    let o = w.report("sa", &["--all", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "c1_scratch failed: {}",
        text(&o.stderr)
    );
    let all = estate_json(&o);
    let mut union: Vec<(String, String)> = Vec::new();
    for (s, _) in SERVERS {
        let st = w.state.join(s).display().to_string();
        let out = w.out.display().to_string();
        let v = mirrorc(
            &[
                "report",
                "--server",
                s,
                "--contract",
                &out,
                "--state",
                &st,
                "--format",
                "json",
            ],
            &[],
        );
        assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
        let v: ServerReport = serde_json::from_slice(&v.stdout).expect("view json");
        for d in v.disks.iter().filter(|d| d.status.is_some()) {
            union.push((d.tag.clone(), s.to_string()));
        }
    }
    union.sort();
    let mut merged: Vec<(String, String)> = all
        .disks
        .iter()
        .flat_map(|d| d.reported_by.iter().map(|s| (d.tag.clone(), s.clone())))
        .collect();
    merged.sort();
    assert_eq!(merged, union);
    let tags: Vec<&str> = all.disks.iter().map(|d| d.tag.as_str()).collect();
    assert_eq!(tags, ["c1_home", "c1_scratch", "c2_home", "c3_home"]);

    // sb's remctld stopped: named as not answering, sa's answer still shown, exit 1.
    w.stop("sb");
    let o = w.report("c2", &["--client", "c2"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(out.contains("1 of 2 servers answered"), "{out}");
    assert!(
        out.contains("no answer from sb (north): not answering: "),
        "{out}"
    );
    assert!(out.contains("Connection refused"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("unknown") && l.contains("no answer from sb")),
        "{out}"
    );

    // A server that accepts and never answers: the deadline holds, it is named as timed out.
    let hung = TcpListener::bind((Ipv4Addr::new(127, 0, 2, 1), w.port)).expect("bind hung server");
    let o = w.report(
        "c2",
        &["--client", "c2", "--timeout", "2", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let r = estate_json(&o);
    let sb = r.servers.iter().find(|s| s.server == "sb").expect("sb");
    assert!(
        !sb.answered && sb.error.as_deref().unwrap_or("").starts_with("timed out"),
        "{sb:?}"
    );
    assert!(r
        .servers
        .iter()
        .find(|s| s.server == "sa")
        .is_some_and(|s| s.answered));
    drop(hung);

    // se's host principal gone from the KDC: c3's only server cannot even be asked: exit 2,
    // and the report still names it, with Kerberos' reason.
    w.realm
        .delete_principal("host/se.mt.test")
        .expect("delprinc");
    let o = w.report("c3", &["--client", "c3", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let r = estate_json(&o);
    let se = &r.servers[0];
    let e = se.error.as_deref().unwrap_or("");
    assert!(
        !se.answered && !se.asked && e.starts_with("cannot ask"),
        "{se:?}"
    );
    assert!(e.contains("not found in Kerberos database"), "{se:?}");
    assert_eq!(disk(&r, "c3_home").state, DiskState::Unknown);
    let pids: Vec<u32> = w
        .daemons
        .iter()
        .filter_map(|(_, d)| d.as_ref().map(|d| d.pid()))
        .collect();
    drop(w);
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "remctld {pid} left running"
        );
    }
}

/// No Kerberos: the merged view over state folders (`--via dir`).
#[test]
fn report_via_dir_never_mirrored_retirable_and_bad_records() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let drained = "  sd:\n    address: 127.0.4.1\n    store: /srv/d\n    state: drain\n";
    write_estate(&tmp.path().join("site"), "", drained);
    let out = tmp.path().join("out");
    compile(&tmp.path().join("site"), &out);
    let state = tmp.path().join("state");
    for s in ["sa", "sb", "sd", "se"] {
        fs::create_dir_all(state.join(s)).expect("mkdir");
    }
    // sd used to hold c1_home; sa holds it now and pulled it two hours ago. c2_home: never.
    for r in [
        record("c1_home", "c1", "sa", Outcome::Ok, 7200),
        record("c1_home", "c1", "sd", Outcome::Ok, 30 * 86400),
        record("c1_scratch", "c1", "sa", Outcome::Ok, 7200),
        record("c3_home", "c3", "se", Outcome::Ok, 7200),
    ] {
        write_record(&state.join(&r.server), &r).expect("write record");
    }
    let (o_s, st) = (
        out.display().to_string(),
        format!("dir={}", state.display()),
    );
    let args = ["report", "--all", "--contract", &o_s, "--via", &st];
    let o = mirrorc(&args, &[]);
    let text_out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text_out}{}", text(&o.stderr));
    assert!(text_out.contains("never mirrored: c2_home\n"), "{text_out}");
    assert!(
        text_out.contains("sd can be retired safely\n"),
        "{text_out}"
    );
    assert!(text_out.contains("4 of 4 servers answered"), "{text_out}");

    // sa's copy goes stale: sd must stay.
    write_record(
        &state.join("sa"),
        &record("c1_home", "c1", "sa", Outcome::Ok, 3 * 86400),
    )
    .expect("write");
    let o = mirrorc(&args, &[]);
    let text_out = text(&o.stdout);
    assert!(!text_out.contains("retired"), "{text_out}");
    assert!(
        text_out
            .lines()
            .any(|l| l.starts_with("stale") && l.contains("c1_home")),
        "{text_out}"
    );

    // A record naming another server, and a symlinked one, are refused and shown, never used.
    let bad = record("c3_home", "c3", "sa", Outcome::Ok, 60);
    let path = state.join("se/disks/c3_home.json");
    fs::write(&path, serde_json::to_string(&bad).expect("json")).expect("write");
    let o = mirrorc(&args, &[]);
    let text_out = text(&o.stdout);
    let line = text_out
        .lines()
        .find(|l| l.contains("c3_home"))
        .unwrap_or("");
    assert!(
        line.starts_with("failed") && line.contains("se: status record is for c3_home/c3/sa"),
        "{text_out}"
    );
    fs::remove_file(&path).expect("rm");
    std::os::unix::fs::symlink("/etc/passwd", &path).expect("symlink");
    let view = mirrorc(
        &[
            "report",
            "--server",
            "se",
            "--contract",
            &o_s,
            "--state",
            &state.join("se").display().to_string(),
        ],
        &[],
    );
    assert!(
        text(&view.stdout).contains("bad record: unreadable status record: not a regular file"),
        "{}",
        text(&view.stdout)
    );

    // Hostile arguments to report --server are refused before anything is read.
    for arg in ["--help", "../../etc/passwd", "$(id)", &"y".repeat(10_000)] {
        let o = mirrorc(
            &["report", "--server", "sa", "--contract", &o_s, "--", arg],
            &[],
        );
        assert_eq!(o.status.code(), Some(2), "{arg:.40}");
        assert!(
            text(&o.stderr).contains("refused argument 1"),
            "{}",
            text(&o.stderr)
        );
        assert!(o.stdout.is_empty());
    }
    // An unknown client is an error (exit 2), not an empty report.
    let o = mirrorc(
        &[
            "report",
            "--client",
            "nobody",
            "--contract",
            &o_s,
            "--via",
            &st,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("names client `nobody`"),
        "{}",
        text(&o.stderr)
    );
}

/// The text report for people, pinned in time (`--now`): a snapshot of every kind of line.
#[test]
fn report_text_snapshot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let drained = "  sd:\n    address: 127.0.4.1\n    store: /srv/d\n    state: drain\n";
    write_estate(&tmp.path().join("site"), "", drained);
    let out = tmp.path().join("out");
    compile(&tmp.path().join("site"), &out);
    let state = tmp.path().join("state");
    for s in ["sa", "sd", "se"] {
        fs::create_dir_all(state.join(s)).expect("mkdir");
    }
    let at = |t: &str, tag: &str, client: &str, server: &str, o: Outcome| {
        let r = example_record(tag, client, server, o, t);
        write_record(&state.join(server), &r).expect("write record");
    };
    at("2026-12-01T23:10:00Z", "c1_home", "c1", "sa", Outcome::Ok);
    at("2026-11-01T23:10:00Z", "c1_home", "c1", "sd", Outcome::Ok);
    at("2026-11-20T23:10:00Z", "c3_home", "c3", "se", Outcome::Ok);
    let mut failed = example_record(
        "c1_scratch",
        "c1",
        "sa",
        Outcome::SkippedSafety,
        "2026-12-01T23:20:00Z",
    );
    failed.last_attempt.message = "would delete 81% of the mirror's files (limit 70%)".into();
    failed.last_success = example_record(
        "c1_scratch",
        "c1",
        "sa",
        Outcome::Ok,
        "2026-11-28T23:05:00Z",
    )
    .last_success;
    write_record(&state.join("sa"), &failed).expect("write record");
    let (o_s, st) = (
        out.display().to_string(),
        format!("dir={}", state.display()),
    );
    let o = mirrorc(
        &[
            "report",
            "--all",
            "--contract",
            &o_s,
            "--via",
            &st,
            "--now",
            "2026-12-02T09:00:00Z",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let shown = text(&o.stdout).replace(&st[4..], "[STATE]");
    insta::assert_snapshot!(shown);
}
