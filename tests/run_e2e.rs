//! `mirrorc run` against real rsync daemons on loopback (real-tests.md, Tier 2): the test
//! estate of `rsync_e2e` is compiled, each client's daemon is started from its generated
//! systemd unit, and a south server runs its night from its contract. Failures are made by
//! editing a copy of the contract (a port nothing listens on, a module whose `hosts allow`
//! refuses the server, a TCP listener that never answers). Short timeouts (2–3 s), small files;
//! nothing asserts on timing.

use std::collections::BTreeMap;
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::rsync_e2e::{
    assert_same_tree, can_run_daemons, client_addr, free_port, run, skip, text, tree, Daemon,
    Estate, MIRRORC,
};

/// The server whose night is run (south servers pull the north clients).
const SERVER: &str = "smirror1";

/// A compiled estate with running daemons, and the state folder of `SERVER`'s runs.
struct Night {
    e: Estate,
    _daemons: Vec<Daemon>,
}

impl Night {
    fn new(test: &str) -> Option<Night> {
        if !can_run_daemons(test) {
            return None;
        }
        let e = Estate::new();
        add_awkward_files(&e.client_path("nfs1", "home"));
        e.compile();
        let daemons = e.start_daemons();
        Some(Night {
            e,
            _daemons: daemons,
        })
    }

    fn state(&self) -> PathBuf {
        self.e.path("state")
    }

    fn contract_path(&self) -> PathBuf {
        self.e.out().join(format!("servers/{SERVER}.json"))
    }

    fn contract(&self) -> Value {
        serde_json::from_str(&fs::read_to_string(self.contract_path()).expect("contract"))
            .expect("json")
    }

    /// `mirrorc run --server SERVER --state <state> [--timeout 3s] [--max-time 30s] ARGS`.
    fn run(&self, args: &[&str]) -> Output {
        run(&mut self.command(args))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(MIRRORC);
        cmd.args(["run", "--server", SERVER]);
        for (flag, default) in [("--timeout", "3s"), ("--max-time", "30s")] {
            if !args.contains(&flag) {
                cmd.args([flag, default]);
            }
        }
        cmd.arg("--state")
            .arg(self.state())
            .args(args)
            .current_dir(self.e.path(""))
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs with `--format json` and returns the attempts by tag.
    fn run_json(&self, args: &[&str], want: i32) -> BTreeMap<String, Value> {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let o = self.run(&all);
        assert_eq!(o.status.code(), Some(want), "{}", text(&o));
        attempts(&o)
    }

    /// Writes a copy of the contract with `edit` applied; returns its path.
    fn edited_contract(&self, name: &str, edit: impl FnOnce(&mut Vec<Value>)) -> String {
        let mut c = self.contract();
        let disks = c["disks"].as_array_mut().expect("disks");
        edit(disks);
        let path = self.e.path(name);
        fs::write(&path, serde_json::to_string_pretty(&c).expect("json")).expect("write");
        path.display().to_string()
    }

    /// A disk entry pointing at `addr:port` with module `tag`, mirrored into `<dir>/<tag>`.
    fn fake_disk(&self, tag: &str, addr: &str, port: u16) -> Value {
        let mut d = self.contract()["disks"][0].clone();
        d["tag"] = tag.into();
        d["client_addresses"] = serde_json::json!([addr]);
        d["port"] = port.into();
        d["dstdir"] = self
            .e
            .path(&format!("fake/{tag}"))
            .display()
            .to_string()
            .into();
        d
    }

    /// Every disk of the contract arrived byte for byte, with modes and hard links.
    fn assert_mirrored(&self) {
        for d in self.contract()["disks"].as_array().expect("disks") {
            let src = self.e.client_path(s(&d["client"]), s(&d["path_tag"]));
            let dst = PathBuf::from(s(&d["dstdir"]));
            let exclude = d["exclude"][0].as_str().unwrap_or("");
            assert_same_tree(&dst, &src, exclude);
            if exclude.is_empty() {
                assert_eq!(
                    modes(&dst),
                    modes(&src),
                    "modes or links of {}",
                    s(&d["tag"])
                );
            }
        }
    }

    fn mirrors(&self) -> BTreeMap<String, BTreeMap<String, crate::rsync_e2e::Entry>> {
        let disks = self.contract()["disks"].as_array().expect("disks").clone();
        disks
            .iter()
            .map(|d| (s(&d["tag"]).to_string(), tree(Path::new(s(&d["dstdir"])))))
            .collect()
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn attempts(o: &Output) -> BTreeMap<String, Value> {
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)));
    assert_eq!(v["version"], 1);
    v["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| (s(&a["tag"]).to_string(), a.clone()))
        .collect()
}

/// Hard links, modes, an empty folder, a name with a space and a newline.
fn add_awkward_files(dir: &Path) {
    fs::write(dir.join("hard-a"), b"linked twice\n").expect("write");
    fs::hard_link(dir.join("hard-a"), dir.join("hard-b")).expect("hard link");
    fs::write(dir.join("secret"), b"0600\n").expect("write");
    fs::set_permissions(dir.join("secret"), fs::Permissions::from_mode(0o600)).expect("chmod");
    fs::write(dir.join("script.sh"), b"#!/bin/sh\n").expect("write");
    fs::set_permissions(dir.join("script.sh"), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::create_dir_all(dir.join("empty-dir")).expect("mkdir");
    fs::write(dir.join("name with space\nand newline"), b"odd\n").expect("write");
}

/// Mode, link count, owner and group of every entry below `root`.
fn modes(root: &Path) -> BTreeMap<String, (u32, u64, u32, u32)> {
    let mut out = BTreeMap::new();
    for rel in tree(root).keys() {
        let m = fs::symlink_metadata(root.join(rel)).expect("stat");
        let nlink = if m.is_dir() { 0 } else { m.nlink() };
        out.insert(rel.clone(), (m.mode(), nlink, m.uid(), m.gid()));
    }
    out
}

/// Waits (bounded) until something connects to `listener`, i.e. a pull started; keeps the
/// connection open so that the pull hangs.
fn wait_for_connection(listener: &TcpListener) -> std::net::TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok((stream, _)) = listener.accept() {
            return stream;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no pull connected to the hung listener within 30 s");
}

fn wait_with_deadline(child: &mut std::process::Child) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("mirrorc run did not end within 30 s");
}

fn record(night: &Night, tag: &str) -> Value {
    let path = night.state().join(format!("disks/{tag}.json"));
    serde_json::from_str(&fs::read_to_string(&path).expect("record")).expect("json")
}

// ---------------------------------------------------------------- the tests

#[test]
fn run_whole_night_byte_for_byte_then_a_second_run_transfers_nothing() {
    let Some(n) = Night::new("run_whole_night_byte_for_byte_then_a_second_run_transfers_nothing")
    else {
        return;
    };
    let first = n.run_json(&[], 0);
    let tags: Vec<String> = n.contract()["disks"]
        .as_array()
        .expect("disks")
        .iter()
        .map(|d| s(&d["tag"]).to_string())
        .collect();
    assert!(tags.len() >= 2, "{tags:?}");
    assert_eq!(first.keys().cloned().collect::<Vec<_>>(), tags);
    for a in first.values() {
        assert_eq!(a["result"], "ok", "{a}");
        assert!(a["files_transferred"].as_u64() > Some(0), "{a}");
        assert_eq!(a["would_delete"], 0);
    }
    n.assert_mirrored();
    for tag in &tags {
        let r = record(&n, tag);
        assert_eq!(
            (&r["version"], &r["last_attempt"]["result"]),
            (&1.into(), &"ok".into())
        );
        assert_eq!(r["last_success"], r["last_attempt"]);
    }
    let history = fs::read_to_string(n.state().join("history.jsonl")).expect("history");
    assert_eq!(history.lines().count(), tags.len());

    let second = n.run_json(&[], 0);
    for a in second.values() {
        assert_eq!(
            (&a["result"], &a["files_transferred"]),
            (&"ok".into(), &0.into()),
            "{a}"
        );
    }
    n.assert_mirrored();
}

#[test]
fn run_safety_limit_skips_the_disk_then_force_mirrors_it() {
    let Some(n) = Night::new("run_safety_limit_skips_the_disk_then_force_mirrors_it") else {
        return;
    };
    n.run_json(&[], 0);
    let src = n.e.client_path("nfs1", "home");
    let before = tree(&src);
    let keep = before.len() / 5;
    // Delete 80% of the entries (files first, so that folders may empty out).
    for rel in before.keys().skip(keep).rev() {
        let p = src.join(rel);
        let _ = fs::remove_file(&p).or_else(|_| fs::remove_dir_all(&p));
    }
    let tag = "nfs1_home";
    let dst = PathBuf::from(
        n.contract()["disks"]
            .as_array()
            .expect("disks")
            .iter()
            .find(|d| d["tag"] == tag)
            .map(|d| s(&d["dstdir"]).to_string())
            .expect("nfs1_home"),
    );
    let mirror_before = tree(&dst);
    let skipped = n.run_json(&[], 1);
    let a = &skipped[tag];
    assert_eq!(a["result"], "skipped_safety", "{a}");
    assert!(
        s(&a["message"]).contains("files would be deleted, limit 70%"),
        "{a}"
    );
    assert!(a["would_delete"].as_u64() > Some(0));
    assert_eq!(tree(&dst), mirror_before, "the mirror must be untouched");
    assert_eq!(record(&n, tag)["last_attempt"]["result"], "skipped_safety");
    assert_eq!(record(&n, tag)["last_success"]["result"], "ok");

    let forced = n.run_json(&["--force", "--only", tag], 0);
    assert_eq!(forced.keys().collect::<Vec<_>>(), [tag]);
    assert_eq!(forced[tag]["result"], "ok");
    assert_same_tree(&dst, &src, "");
}

#[test]
fn run_records_a_down_client_a_refused_module_and_a_hung_daemon_while_others_complete() {
    let Some(n) = Night::new(
        "run_records_a_down_client_a_refused_module_and_a_hung_daemon_while_others_complete",
    ) else {
        return;
    };
    let hung = TcpListener::bind("127.0.3.22:0").expect("listener");
    let hung_port = hung.local_addr().expect("addr").port();
    let down_port = free_port("127.0.3.21");
    // sfs1's daemon admits only the north servers: smirror1 is refused.
    let refused = n.fake_disk("sfs1_home", client_addr("sfs1"), n.e.ports["sfs1"]);
    let contract = n.edited_contract("failing.json", |disks| {
        disks.push(n.fake_disk("down_home", "127.0.3.21", down_port));
        disks.push(refused);
        disks.push(n.fake_disk("hung_home", "127.0.3.22", hung_port));
    });
    let got = n.run_json(
        &["--contract", &contract, "--timeout", "2s", "--jobs", "4"],
        1,
    );
    let result = |t: &str| {
        (
            s(&got[t]["result"]).to_string(),
            got[t]["rsync_exit"].clone(),
        )
    };
    assert_eq!(
        result("down_home"),
        ("failed".into(), 10.into()),
        "{}",
        got["down_home"]
    );
    assert_eq!(
        result("sfs1_home"),
        ("failed".into(), 5.into()),
        "{}",
        got["sfs1_home"]
    );
    // A private module (`list = no`) hides itself from a refused host: "Unknown module".
    assert!(
        s(&got["sfs1_home"]["message"]).starts_with("@ERROR"),
        "{}",
        got["sfs1_home"]
    );
    assert_eq!(result("hung_home").0, "timeout", "{}", got["hung_home"]);
    for tag in ["nfs1_home", "nfs1_odd"] {
        assert_eq!(got[tag]["result"], "ok", "{}", got[tag]);
    }
    assert_eq!(record(&n, "hung_home")["last_attempt"]["result"], "timeout");
    assert!(
        !n.e.path("fake/down_home").exists(),
        "no dstdir for a disk never pulled"
    );
    drop(hung);
}

#[test]
fn run_kills_an_rsync_past_max_time() {
    let Some(n) = Night::new("run_kills_an_rsync_past_max_time") else {
        return;
    };
    let hung = TcpListener::bind("127.0.3.25:0").expect("listener");
    let port = hung.local_addr().expect("addr").port();
    let contract = n.edited_contract("hung.json", |disks| {
        *disks = vec![n.fake_disk("hung_home", "127.0.3.25", port)];
    });
    // rsync's own timeout would wait 30 s: the hard kill of its process group comes first.
    let args = [
        "--contract",
        &contract,
        "--timeout",
        "30s",
        "--max-time",
        "2s",
    ];
    let o = run(n.command(&args).args(["--format", "json"]));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let a = &attempts(&o)["hung_home"];
    assert_eq!(
        (s(&a["result"]), &a["rsync_exit"]),
        ("timeout", &Value::Null),
        "{a}"
    );
    assert!(s(&a["message"]).contains("--max-time"), "{a}");
}

#[test]
fn run_only_dry_run_and_deadline() {
    let Some(n) = Night::new("run_only_dry_run_and_deadline") else {
        return;
    };
    let o = n.run(&["--only", "nfs1x"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("did you mean `nfs1`"), "{}", text(&o));

    let dry = n.run_json(&["--only", "nfs1", "--dry-run"], 0);
    assert!(
        !dry.is_empty() && dry.keys().all(|t| t.starts_with("nfs1_")),
        "{dry:?}"
    );
    for d in n.contract()["disks"].as_array().expect("disks") {
        assert!(
            !Path::new(s(&d["dstdir"])).exists(),
            "dry run wrote {}",
            d["dstdir"]
        );
    }
    assert!(!n.state().exists(), "a dry run records nothing");

    let late = n.run_json(&["--deadline", "2000-01-01T00:00:00Z"], 1);
    for a in late.values() {
        assert_eq!(
            (s(&a["result"]), s(&a["message"])),
            ("not_started", "not started: deadline")
        );
    }
}

#[test]
fn run_jobs_1_and_jobs_4_and_from_lcfg_give_the_same_mirrors() {
    let Some(n) = Night::new("run_jobs_1_and_jobs_4_and_from_lcfg_give_the_same_mirrors") else {
        return;
    };
    n.run_json(&["--jobs", "1"], 0);
    let one = n.mirrors();
    let store = n.e.store(SERVER);
    fs::remove_dir_all(&store).expect("clear store");
    fs::remove_dir_all(n.state()).expect("clear state");
    n.run_json(&["--jobs", "4"], 0);
    assert_eq!(n.mirrors(), one);
    fs::remove_dir_all(&store).expect("clear store");
    let header = n.e.out().join(format!("lcfg/servers/{SERVER}.h"));
    let from_lcfg = n.run_json(&["--from-lcfg", &header.display().to_string()], 0);
    assert_eq!(from_lcfg.len(), one.len());
    assert_eq!(n.mirrors(), one);
    n.assert_mirrored();
}

#[test]
fn run_lock_refuses_a_concurrent_run_and_takes_over_a_stale_one() {
    let Some(n) = Night::new("run_lock_refuses_a_concurrent_run_and_takes_over_a_stale_one") else {
        return;
    };
    // A stale lock file of a dead process is taken over.
    fs::create_dir_all(n.state()).expect("state");
    fs::write(n.state().join("lock"), "999999999\n").expect("stale lock");
    n.run_json(&[], 0);

    let hung = TcpListener::bind("127.0.3.23:0").expect("listener");
    let port = hung.local_addr().expect("addr").port();
    let contract = n.edited_contract("hung.json", |disks| {
        *disks = vec![n.fake_disk("hung_home", "127.0.3.23", port)];
    });
    let mut holder = n
        .command(&["--contract", &contract, "--timeout", "5s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("first run");
    let _conn = wait_for_connection(&hung);
    let o = n.run(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let pid = format!("pid {}", holder.id());
    assert!(text(&o).contains(&pid), "should name {pid}: {}", text(&o));
    assert_eq!(wait_with_deadline(&mut holder), Some(1));
}

#[test]
fn run_sigterm_records_interrupted_releases_the_lock_and_the_next_run_completes() {
    let Some(n) =
        Night::new("run_sigterm_records_interrupted_releases_the_lock_and_the_next_run_completes")
    else {
        return;
    };
    let hung = TcpListener::bind("127.0.3.24:0").expect("listener");
    let port = hung.local_addr().expect("addr").port();
    let contract = n.edited_contract("hung.json", |disks| {
        disks.insert(0, n.fake_disk("aaa_hung", "127.0.3.24", port));
    });
    let mut child = n
        .command(&["--contract", &contract, "--timeout", "30s", "--jobs", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run");
    let _conn = wait_for_connection(&hung);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    assert_eq!(wait_with_deadline(&mut child), Some(1));
    let hung_record = record(&n, "aaa_hung");
    assert_eq!(
        hung_record["last_attempt"]["result"], "interrupted",
        "{hung_record}"
    );
    for d in n.contract()["disks"].as_array().expect("disks") {
        let r = record(&n, s(&d["tag"]));
        assert_eq!(r["last_attempt"]["result"], "not_started", "{r}");
        assert_eq!(r["last_attempt"]["message"], "not started: interrupted");
    }
    let next = n.run_json(&[], 0);
    assert!(next.values().all(|a| a["result"] == "ok"), "{next:?}");
}

/// A read-only tmpfs, unmounted when dropped.
struct ReadOnlyMount(PathBuf);

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn run_with_a_read_only_state_folder_exits_2_with_a_clear_error() {
    let test = "run_with_a_read_only_state_folder_exits_2_with_a_clear_error";
    let Some(n) = Night::new(test) else {
        return;
    };
    let mnt = n.e.path("ro");
    fs::create_dir_all(&mnt).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        skip(test, "cannot mount a read-only tmpfs");
        return;
    }
    let _guard = ReadOnlyMount(mnt.clone());
    let o = run(Command::new(MIRRORC)
        .args(["run", "--server", SERVER, "--state"])
        .arg(mnt.join("smirror1"))
        .arg("--out")
        .arg(n.e.out()));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("state folder") && err.contains("Read-only file system"),
        "{err}"
    );
}
