//! Smoke test of the Kerberos + remctld harness (`tests/support/realm.rs`): a real realm, a
//! real remctld with an ACL, and the real `remctl` client, allowed and denied; then a stopped
//! server and a hung one. Fails under `CI=true` when the programs are missing; otherwise says
//! loudly on stderr that it was skipped.

use crate::support::realm;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use realm::{remctl_cmd, remctl_cmd_timeout, run_within, Bounded, Realm, Remctld, Silent};

/// Fails under CI, otherwise prints loudly; the caller returns early.
fn skip(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test} cannot run under CI=true: {why}");
    }
    eprintln!("\n************************************************************");
    eprintln!("*** SKIPPED {test}: {why}");
    eprintln!("************************************************************\n");
}

/// 127.0.0.2 when it can be bound (Linux: all of 127/8 is local), else 127.0.0.1.
fn server_addr() -> Ipv4Addr {
    let two = Ipv4Addr::new(127, 0, 0, 2);
    if TcpListener::bind((two, 0)).is_ok() {
        two
    } else {
        Ipv4Addr::LOCALHOST
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The command remctld runs: prints its argv one per line and the identity remctld passed.
fn write_report_script(dir: &Path) -> std::path::PathBuf {
    let script = dir.join("report.sh");
    fs::write(
        &script,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"argv:$a\"; done\n\
         echo \"REMOTE_USER=$REMOTE_USER\"\necho \"REMCTL_COMMAND=$REMCTL_COMMAND\"\n\
         echo \"REMOTE_ADDR=$REMOTE_ADDR\"\n",
    )
    .expect("write report.sh");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod report.sh");
    script
}

#[test]
fn realm_and_remctld_allow_deny_stop_hang() {
    let test = "realm_and_remctld_allow_deny_stop_hang";
    if let Err(why) = realm::tools() {
        return skip(test, &why);
    }
    let started = Instant::now();
    let realm = Realm::start().expect("start the realm");
    let kdc_pid = realm.kdc_pid();
    let server_keytab = realm.add_host("mirror1.test").expect("add mirror1.test");
    let client1 = realm.add_host("client1.test").expect("add client1.test");
    let client2 = realm.add_host("client2.test").expect("add client2.test");
    let cc1 = realm
        .kinit("host/client1.test", &client1)
        .expect("kinit client1");
    let cc2 = realm
        .kinit("host/client2.test", &client2)
        .expect("kinit client2");
    eprintln!("realm, 3 principals, 2 tickets: {:?}", started.elapsed());

    let dir = realm.dir().to_path_buf();
    let acl = dir.join("report.acl");
    fs::write(&acl, format!("princ:host/client1.test@{}\n", realm.name())).expect("write acl");
    let script = write_report_script(&dir);
    let conf = dir.join("remctl.conf");
    fs::write(
        &conf,
        format!(
            "rmirror report {} file:{}\n",
            script.display(),
            acl.display()
        ),
    )
    .expect("write remctl.conf");

    let service = "host/mirror1.test";
    let addr = server_addr();
    let server =
        Remctld::start(&realm, addr, &conf, &server_keytab, service).expect("start remctld");
    let port = server.port();
    let limit = Duration::from_secs(10);
    let call = |cc: &Path, args: &[&str]| -> std::process::Output {
        match run_within(
            &mut remctl_cmd(&realm, cc, service, addr, port, args),
            limit,
        )
        .expect("run remctl")
        {
            Bounded::Done(o) => o,
            Bounded::TimedOut { .. } => panic!("remctl {args:?} hung for {limit:?}"),
        }
    };

    // Allowed: rc 0, argv is the subcommand and the arguments (spaces kept), and the client
    // principal arrives in REMOTE_USER.
    let o = call(&cc1, &["rmirror", "report", "fpc001", "a b"]);
    let out = text(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "client1: {out}{}\n{}",
        text(&o.stderr),
        server.log()
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("argv:"))
            .collect::<Vec<_>>(),
        ["argv:report", "argv:fpc001", "argv:a b"],
        "{out}"
    );
    assert!(
        out.contains(&format!("REMOTE_USER=host/client1.test@{}\n", realm.name())),
        "{out}"
    );
    assert!(out.contains("REMCTL_COMMAND=rmirror\n"), "{out}");

    // Denied by the ACL: "Access denied", rc 255, and the command did not run.
    let o = call(&cc2, &["rmirror", "report", "fpc001"]);
    assert!(
        text(&o.stderr).contains("Access denied"),
        "client2 stderr: {}",
        text(&o.stderr)
    );
    assert_ne!(o.status.code(), Some(0), "client2 must be refused");
    assert_eq!(o.status.code(), Some(255));
    assert!(!text(&o.stdout).contains("argv:"), "{}", text(&o.stdout));

    // No ticket at all: a local error, rc 1.
    let o = call(
        &dir.join("no-such-ccache"),
        &["rmirror", "report", "fpc001"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));

    // A stopped server: refused at once.
    let server_pid = server.pid();
    drop(server);
    assert!(
        !Path::new(&format!("/proc/{server_pid}")).exists(),
        "remctld {server_pid} still exists after drop"
    );
    let t = Instant::now();
    let o = call(&cc1, &["rmirror", "report", "fpc001"]);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("Connection refused"),
        "{}",
        text(&o.stderr)
    );

    // A server that accepts and never answers: remctl without -t hangs (killed at the bound);
    // with -t 1 it gives up after about a second.
    let silent = Silent::start(addr).expect("silent listener");
    let args = ["rmirror", "report", "fpc001"];
    let hang = Duration::from_millis(1500);
    match run_within(
        &mut remctl_cmd(&realm, &cc1, service, addr, silent.port(), &args),
        hang,
    )
    .expect("run remctl")
    {
        Bounded::TimedOut { .. } => {}
        Bounded::Done(o) => panic!(
            "remctl without -t returned against a silent server: {:?} {}",
            o.status,
            text(&o.stderr)
        ),
    }
    let t = Instant::now();
    let mut cmd = remctl_cmd_timeout(&realm, &cc1, service, addr, silent.port(), Some(1), &args);
    match run_within(&mut cmd, limit).expect("run remctl -t 1") {
        Bounded::Done(o) => {
            assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
            assert!(text(&o.stderr).contains("timed out"), "{}", text(&o.stderr));
        }
        Bounded::TimedOut { .. } => panic!("remctl -t 1 still hung after {limit:?}"),
    }
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "remctl -t 1 took {waited:?}"
    );
    drop(silent);

    drop(realm);
    assert!(
        !Path::new(&format!("/proc/{kdc_pid}")).exists(),
        "krb5kdc {kdc_pid} still exists after drop"
    );
    assert!(!dir.exists(), "realm folder {} left behind", dir.display());
    eprintln!("whole smoke test: {:?}", started.elapsed());
}
