//! `mirrorc plan`: the loads, and `--without` computed two ways — simulated by `plan`, and by
//! compiling the estate with those servers retired — must give the same holders.

use std::fs;
use std::path::Path;

use crate::common::{code, mirrorc_in, stderr, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `plan --without fmirror2` on examples/at says exactly what compiling with fmirror2 retired
/// does: every client that `plan` moves has the compiled holders, every other keeps its own.
#[test]
fn without_a_server_matches_compiling_with_it_retired() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = mirrorc_in(
        root(),
        &[
            "plan",
            "examples/at",
            "--without",
            "fmirror2",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let plan = json(&stdout(&o));
    assert_eq!(plan["version"], 1);
    let before = compiled_holders(&root().join("examples/at"), &tmp.path().join("before"));
    let site = tmp.path().join("at");
    fs::create_dir_all(&site).expect("mkdir");
    for f in ["at.yaml", "forum.yaml", "jcmb.yaml"] {
        let text = fs::read_to_string(root().join("examples/at").join(f)).expect("read");
        let text = text.replace(
            "  fmirror2:\n    address: 198.51.100.22\n",
            "  fmirror2:\n    state: retired\n    address: 198.51.100.22\n",
        );
        fs::write(site.join(f), text).expect("write");
    }
    let after = compiled_holders(&site, &tmp.path().join("after"));
    assert_ne!(
        before, after,
        "retiring fmirror2 changed nothing: the edit did not apply"
    );
    let moves = plan["without"]["moves"].as_array().expect("moves");
    assert!(!moves.is_empty(), "{plan}");
    for (client, holders) in &after {
        let planned = moves.iter().find(|m| m["client"] == client.as_str());
        match planned {
            Some(m) => assert_eq!(&m["to"], holders, "{client}"),
            None => assert_eq!(
                before.get(client),
                Some(holders),
                "{client} moved unannounced"
            ),
        }
    }
}

/// Losing a whole site that is some clients' only mirror fails (exit 1) and names them.
#[test]
fn without_a_site_names_the_clients_left_with_no_server() {
    let o = mirrorc_in(root(), &["plan", "examples/at", "--without", "forum"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("would have no server left: jdb1, jfs01, jpc042, jweb1"),
        "{}",
        stdout(&o)
    );
    let o = mirrorc_in(root(), &["plan", "examples/at", "--without", "forun"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `forum`?"),
        "{}",
        stderr(&o)
    );
}

fn compiled_holders(
    site: &Path,
    out: &Path,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    let o = mirrorc_in(
        root(),
        &[
            "compile",
            site.to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let map = json(&fs::read_to_string(out.join("spanning-map.json")).expect("map"));
    map["clients"]
        .as_object()
        .expect("clients")
        .iter()
        .map(|(k, v)| (k.clone(), v["holders"].clone()))
        .collect()
}

/// `plan --without forum` on examples/at and a compile with Forum's servers retired name the
/// same clients as lost: those `plan` leaves with no server are exactly the clients compile
/// reports `mirrorc::empty_server_set` for (and then it writes nothing), computed two ways.
#[test]
fn without_a_site_loses_what_compiling_with_it_retired_loses() {
    let o = mirrorc_in(
        root(),
        &[
            "plan",
            "examples/at",
            "--without",
            "forum",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let plan = json(&stdout(&o));
    let mut planned: Vec<String> = plan["without"]["no_server"]
        .as_array()
        .expect("no_server")
        .iter()
        .chain(plan["without"]["unheld"].as_array().expect("unheld"))
        .map(|c| c.as_str().expect("name").to_string())
        .collect();
    planned.sort();
    assert!(!planned.is_empty(), "{plan}");
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("at");
    fs::create_dir_all(&site).expect("mkdir");
    for f in ["at.yaml", "forum.yaml", "jcmb.yaml"] {
        let mut text = fs::read_to_string(root().join("examples/at").join(f)).expect("read");
        if f == "forum.yaml" {
            for s in ["fmirror1", "fmirror2"] {
                text = text.replace(
                    &format!("  {s}:\n"),
                    &format!("  {s}:\n    state: retired\n"),
                );
            }
        }
        fs::write(site.join(f), text).expect("write");
    }
    let o = mirrorc_in(
        root(),
        &["check", site.to_str().expect("utf-8"), "--format", "json"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let check = json(&stdout(&o));
    let mut compiled: Vec<String> = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["code"] == "mirrorc::empty_server_set"
                || f["code"] == "mirrorc::copies_exceed_servers"
        })
        .map(|f| {
            let m = f["message"].as_str().expect("message");
            m.split('`').nth(1).expect("a quoted client").to_string()
        })
        .collect();
    compiled.sort();
    compiled.dedup();
    assert_eq!(planned, compiled, "plan and compile lose the same clients");
}
