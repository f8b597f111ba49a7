//! A real night, then the report of it (issue 11, "Tests"): the status records are written by
//! REAL `mirrorc run`s of two servers against the clients' real rsync daemons (started from
//! their generated units, `rsync_e2e`), and read back by `mirrorc report --client` / `--all`
//! over REAL remctl with Kerberos (a throwaway realm, one remctld per server with the
//! GENERATED remctl fragment, `support/realm.rs`). Each server is installed as the README
//! ("Reporting") tells an admin: its contract copied to `etc/mirrorc/server.json`, the
//! fragment to `etc/remctl/conf.d/rmirror` included by `etc/remctl.conf`, `mirrorc run
//! --contract <server.json>` writing into its state folder, and `MIRRORC_CONTRACT` /
//! `MIRRORC_STATE` in remctld's environment naming that contract and that state folder (a
//! test cannot use /etc/mirrorc and /var/lib/mirrorc). One disk fails for real: its folder on
//! the client is gone, so the client's daemon refuses the module and rsync says why.
//! Nothing asserts on timing; every daemon is killed by PID when its guard drops.

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use mirrorc_core::contract::report::{DiskState, EstateReport, MergedDisk};
use mirrorc_core::contract::status::{Attempt, Outcome};

use crate::report_e2e::{common_port, disk, estate_json, mirrorc};
use crate::rsync_e2e::{
    can_run_daemons, client_addr, run, server_addr, skip, text, Estate, MIRRORC,
};
use crate::run_e2e::attempts;
use crate::support::realm::{self, Realm, Remctld};

/// The two servers of the night (south: they mirror the north clients nfs1 and npc1).
const PAIR: [&str; 2] = ["smirror1", "smirror2"];

/// A mirror server installed as README "Reporting" says, under `<estate>/hosts/<server>/`.
struct Installed {
    server: String,
    contract: PathBuf,
    state: PathBuf,
    remctl_conf: PathBuf,
}

fn install(e: &Estate, server: &str) -> Installed {
    let root = e.path(&format!("hosts/{server}"));
    let conf_d = root.join("etc/remctl/conf.d");
    fs::create_dir_all(&conf_d).expect("mkdir conf.d");
    fs::create_dir_all(root.join("etc/mirrorc")).expect("mkdir etc/mirrorc");
    // install -m 0644 out/remctl/<server>/rmirror /etc/remctl/conf.d/rmirror
    fs::copy(
        e.out().join(format!("remctl/{server}/rmirror")),
        conf_d.join("rmirror"),
    )
    .expect("install the remctl fragment");
    // `include /etc/remctl/conf.d` in /etc/remctl.conf
    let remctl_conf = root.join("etc/remctl.conf");
    fs::write(&remctl_conf, format!("include {}\n", conf_d.display())).expect("remctl.conf");
    // install -m 0644 out/servers/<server>.json /etc/mirrorc/server.json
    let contract = root.join("etc/mirrorc/server.json");
    fs::copy(e.out().join(format!("servers/{server}.json")), &contract)
        .expect("install the contract");
    Installed {
        server: server.to_string(),
        contract,
        // /var/lib/mirrorc/<server>
        state: root.join(format!("var/lib/mirrorc/{server}")),
        remctl_conf,
    }
}

impl Installed {
    /// The nightly run of README's unit (`mirrorc run --server %l --contract
    /// /etc/mirrorc/server.json`) with the state folder spelled out, as JSON.
    fn night(&self, want: i32) -> std::collections::BTreeMap<String, Value> {
        let o = run(Command::new(MIRRORC)
            .args(["run", "--server", &self.server, "--contract"])
            .arg(&self.contract)
            .arg("--state")
            .arg(&self.state)
            .args(["--timeout", "5s", "--max-time", "60s", "--format", "json"])
            .env("NO_COLOR", "1"));
        assert_eq!(
            o.status.code(),
            Some(want),
            "night of {}: {}",
            self.server,
            text(&o)
        );
        attempts(&o)
    }

    /// remctld's environment, as README "Reporting" tells an admin who does not use the
    /// defaults: the installed contract and the state folder `mirrorc run` writes.
    fn remctld_env(&self) -> Vec<(String, String)> {
        vec![
            (
                "MIRRORC_CONTRACT".into(),
                self.contract.display().to_string(),
            ),
            ("MIRRORC_STATE".into(), self.state.display().to_string()),
        ]
    }
}

fn tags_of(e: &Estate, server: &str) -> Vec<String> {
    let c: Value = serde_json::from_str(
        &fs::read_to_string(e.out().join(format!("servers/{server}.json"))).expect("contract"),
    )
    .expect("json");
    c["disks"]
        .as_array()
        .expect("disks")
        .iter()
        .map(|d| d["tag"].as_str().expect("tag").to_string())
        .collect()
}

/// The run's attempt (its `--format json`) as the report's `Attempt`.
fn attempt(v: &Value) -> Attempt {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not an attempt ({e}): {v}"))
}

fn holders(d: &MergedDisk) -> (Vec<&str>, Vec<&str>) {
    (
        d.holders.iter().map(String::as_str).collect(),
        d.reported_by.iter().map(String::as_str).collect(),
    )
}

fn show(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn night_on_two_servers_then_report_over_real_remctl() {
    let test = "night_on_two_servers_then_report_over_real_remctl";
    if !can_run_daemons(test) {
        return;
    }
    if let Err(why) = realm::tools() {
        skip(test, &why);
        return;
    }
    let realm = Realm::start().expect("realm");
    let addrs: Vec<Ipv4Addr> = PAIR
        .iter()
        .map(|s| server_addr(s).parse().expect("ip"))
        .collect();
    let port = common_port(&addrs);

    // The rsync_e2e estate with a realm and a remctl port; nfs1 keeps one copy, so that each
    // server of the pair holds disks the other does not.
    let mut e = Estate::new();
    e.copies.insert("nfs1".into(), 1);
    e.north_extra = format!(
        "estate:\n  realm: {}\n  remctl_port: {port}\n  mirrorc: {MIRRORC}\n  max_age: 36h\n",
        realm.name()
    );
    e.write_inventory();
    e.compile();
    let a = PAIR
        .into_iter()
        .find(|s| tags_of(&e, s).contains(&"nfs1_home".to_string()))
        .expect("a holder of nfs1_home");
    let b = PAIR.into_iter().find(|s| *s != a).expect("the other");
    assert_eq!(tags_of(&e, a), ["nfs1_home", "nfs1_odd"], "{a} holds");
    assert_eq!(tags_of(&e, b), ["npc1_data"], "{b} holds");
    let (sa, sb) = (install(&e, a), install(&e, b));

    // The clients' daemons from their generated units; nfs1's `odd` folder is gone, so its
    // daemon refuses that module (chroot/chdir fails) while `home` is served.
    let _daemons: Vec<_> = ["nfs1", "npc1"]
        .into_iter()
        .map(|c| e.start_daemon(c, client_addr(c)))
        .collect();
    fs::remove_dir_all(e.client_path("nfs1", "odd")).expect("rm odd");

    // The night: real runs write the records.
    let night_a = sa.night(1);
    let night_b = sb.night(0);
    assert_eq!(
        night_a["nfs1_home"]["result"], "ok",
        "{}",
        night_a["nfs1_home"]
    );
    assert!(night_a["nfs1_home"]["files_transferred"].as_u64() > Some(0));
    let odd = attempt(&night_a["nfs1_odd"]);
    assert_eq!(odd.result, Outcome::Failed, "{odd:?}");
    let odd_exit = odd.rsync_exit.expect("rsync's exit code");
    assert!(
        odd_exit != 0 && odd.message.starts_with("@ERROR"),
        "rsync's reason: {odd:?}"
    );
    assert_eq!(
        night_b["npc1_data"]["result"], "ok",
        "{}",
        night_b["npc1_data"]
    );
    assert!(sa.state.join("disks/nfs1_home.json").is_file());
    assert!(sb.state.join("disks/npc1_data.json").is_file());

    // One remctld per server: the generated fragment (through the include), its host keytab,
    // README's environment.
    let mut daemons = Vec::new();
    for (s, addr) in [&sa, &sb].into_iter().zip(&addrs) {
        let fqdn = format!("{}.south.test", s.server);
        let keytab = realm.add_host(&fqdn).expect("server keytab");
        let d = Remctld::start_at(
            &realm,
            *addr,
            port,
            &s.remctl_conf,
            &keytab,
            &format!("host/{fqdn}"),
            &s.remctld_env(),
        )
        .expect("remctld");
        daemons.push(d);
    }
    let ask = |principal: &str, args: &[&str]| {
        let keytab = realm
            .dir()
            .join(format!("host_{principal}_{}.keytab", realm.name()));
        let keytab = if keytab.exists() {
            keytab
        } else {
            realm.add_host(principal).expect("client keytab")
        };
        let cc = realm
            .kinit(&format!("host/{principal}"), &keytab)
            .expect("kinit");
        let mut env = realm.env();
        env.push(("KRB5CCNAME".into(), format!("FILE:{}", cc.display())));
        let out = e.out().display().to_string();
        let mut all = vec!["report", "--contract", out.as_str(), "--timeout", "30"];
        all.extend_from_slice(args);
        mirrorc(&all, &env)
    };
    let answered = |r: &EstateReport| -> Vec<String> {
        r.servers
            .iter()
            .filter(|s| s.answered)
            .map(|s| s.server.clone())
            .collect()
    };

    // nfs1 asks both servers of its set: its disks are reported by a, and only a, with what
    // the run recorded (counts, times, rsync's reason for the failed one); exit 1.
    let o = ask("nfs1.north.test", &["--client", "nfs1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let r = estate_json(&o);
    assert_eq!(answered(&r), PAIR, "{:?}", r.servers);
    let tags: Vec<&str> = r.disks.iter().map(|d| d.tag.as_str()).collect();
    assert_eq!(tags, ["nfs1_home", "nfs1_odd"]);
    let home = disk(&r, "nfs1_home");
    assert_eq!(holders(home), (vec![a], vec![a]), "{home:?}");
    assert_eq!(home.state, DiskState::Ok, "{home:?}");
    let ran = attempt(&night_a["nfs1_home"]);
    assert_eq!(
        home.last_success.as_ref(),
        Some(&ran),
        "as the run recorded"
    );
    assert_eq!(home.last_attempt.as_ref(), Some(&ran));
    assert!(
        ran.files_transferred > Some(0) && ran.bytes_transferred > Some(0),
        "{ran:?}"
    );
    let failed = disk(&r, "nfs1_odd");
    assert_eq!(holders(failed), (vec![a], vec![a]), "{failed:?}");
    assert_eq!(failed.state, DiskState::Failed, "{failed:?}");
    assert_eq!(failed.last_failure.as_ref(), Some(&odd));
    assert_eq!(failed.last_success, None);

    // The same as text: rsync's reason and exit code on the failed line.
    let o = ask("nfs1.north.test", &["--client", "nfs1"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(out.contains("2 of 2 servers answered"), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("ok")
            && l.contains("nfs1_home")
            && l.contains(&format!("by {a}"))),
        "{out}"
    );
    let reason = format!("by {a}, rsync exit {odd_exit}: {}", odd.message);
    assert!(
        out.lines()
            .any(|l| l.starts_with("failed") && l.contains("nfs1_odd") && l.contains(&reason)),
        "no `{reason}` in:\n{out}"
    );

    // npc1 asks the same two servers: its disk is reported by b, and only b; all fresh: exit 0.
    let o = ask("npc1.north.test", &["--client", "npc1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let r = estate_json(&o);
    assert_eq!(answered(&r), PAIR, "{:?}", r.servers);
    let data = disk(&r, "npc1_data");
    assert_eq!(holders(data), (vec![b], vec![b]), "{data:?}");
    assert_eq!(data.state, DiskState::Ok);
    let ran = attempt(&night_b["npc1_data"]);
    assert_eq!(
        data.last_success.as_ref(),
        Some(&ran),
        "as the run recorded"
    );
    assert!(ran.files_transferred > Some(0) && ran.bytes_transferred > Some(0));

    // --all, asked as a server of the estate (every ACL lists them): both servers answered;
    // the north servers have no remctld here and are named as not answering, never omitted.
    let o = ask(&format!("{a}.south.test"), &["--all", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let all: EstateReport = estate_json(&o);
    assert_eq!(answered(&all), PAIR, "{:?}", all.servers);
    let silent: Vec<&str> = all
        .servers
        .iter()
        .filter(|s| !s.answered)
        .map(|s| s.server.as_str())
        .collect();
    assert_eq!(silent, ["nmirror1", "nmirror2"], "{:?}", all.servers);
    let by: Vec<(&str, Vec<&str>)> = all
        .disks
        .iter()
        .filter(|d| !d.reported_by.is_empty())
        .map(|d| (d.tag.as_str(), holders(d).1))
        .collect();
    assert_eq!(
        by,
        [
            ("nfs1_home", vec![a]),
            ("nfs1_odd", vec![a]),
            ("npc1_data", vec![b])
        ]
    );
    assert_eq!(disk(&all, "nfs1_odd").state, DiskState::Failed);
    assert_eq!(disk(&all, "sfs1_home").state, DiskState::Unknown);

    let pids: Vec<u32> = daemons.iter().map(Remctld::pid).collect();
    drop(daemons);
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "remctld {pid} left running"
        );
    }
}
