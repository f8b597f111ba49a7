//! The plan read from a server's LCFG header equals the plan read from its contract, for
//! every server of the examples; `--only` selection and its did-you-mean; the state folder.

use std::path::Path;

use mirrorc_core::contract::status::{Attempt, Outcome};
use mirrorc_core::contract::ServerContract;

use super::plan::Plan;
use super::state::State;
use super::RunError;

fn artifacts(dir: &str) -> Vec<mirrorc_core::emit::Artifact> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
    let sources = mirrorc_core::source::load(&[root]).expect("load");
    let model = mirrorc_core::check(&sources).model.expect("model");
    mirrorc_core::emit::emit(&model).expect("emit")
}

#[test]
fn lcfg_header_and_contract_give_the_same_plan_for_every_server() {
    for dir in ["site", "examples/at", "examples/failover"] {
        let arts = artifacts(dir);
        let mut servers = 0;
        for a in arts.iter().filter(|a| a.path.starts_with("servers/")) {
            let contract = ServerContract::parse(&a.path, &a.content).expect("contract");
            let header_path = format!("lcfg/servers/{}.h", contract.server);
            let header = arts.iter().find(|h| h.path == header_path).expect("header");
            let from_contract = Plan::from_contract(&contract).expect("plan");
            let from_lcfg =
                Plan::from_lcfg(&contract.server, &header.path, &header.content).expect("lcfg");
            assert_eq!(from_lcfg, from_contract, "{dir}: {}", contract.server);
            servers += 1;
        }
        assert!(servers > 0, "{dir} has no server");
    }
}

fn plan() -> Plan {
    let arts = artifacts("site");
    let a = arts
        .iter()
        .find(|a| a.path.starts_with("servers/") && a.content.contains("\"tag\""))
        .expect("a server with disks");
    Plan::from_contract(&ServerContract::parse(&a.path, &a.content).expect("c")).expect("plan")
}

#[test]
fn only_selects_by_client_or_tag_and_suggests_a_near_name() {
    let p = plan();
    let first = p.pulls[0].clone();
    let by_client = p
        .clone()
        .select(std::slice::from_ref(&first.client))
        .expect("client");
    assert!(by_client.pulls.iter().all(|d| d.client == first.client));
    let by_tag = p
        .clone()
        .select(std::slice::from_ref(&first.tag))
        .expect("tag");
    assert_eq!(by_tag.pulls, vec![first.clone()]);
    let typo = format!("{}x", first.client);
    match p.select(&[typo]) {
        Err(RunError::UnknownSelection {
            suggestion, known, ..
        }) => {
            assert_eq!(suggestion.as_deref(), Some(first.client.as_str()));
            assert!(known.contains(&first.tag));
        }
        other => panic!("expected an unknown selection, got {other:?}"),
    }
}

#[test]
fn a_header_without_a_resource_is_refused() {
    let text =
        "!rmirror.disklist mADD(a_home)\nrmirror.safetylimit 70\nrmirror.srchost_a_home a.test\n";
    let err = Plan::from_lcfg("s", "s.h", text).expect_err("incomplete");
    assert!(
        err.to_string().contains("no rmirror.client_a_home"),
        "{err}"
    );
}

/// A header written for `runner: rmirror` has no srcport_: the pull goes to port 873, as
/// rmirror's own would.
#[test]
fn a_header_without_srcport_pulls_on_873() {
    let text = "!rmirror.disklist mADD(a_home)\nrmirror.safetylimit 70\n\
                rmirror.srchost_a_home a.test\nrmirror.client_a_home a\n\
                rmirror.dstdir_a_home /srv/a/home\n";
    let plan = Plan::from_lcfg("s", "s.h", text).expect("plan");
    assert_eq!(plan.pulls[0].port, 873);
}

fn attempt(result: Outcome) -> Attempt {
    Attempt {
        tag: "c_home".into(),
        client: "c".into(),
        server: "s".into(),
        started: "2026-12-01T23:00:00Z".into(),
        finished: "2026-12-01T23:00:01Z".into(),
        result,
        rsync_exit: Some(0),
        exit_meaning: None,
        files_transferred: Some(1),
        bytes_transferred: Some(2),
        files_deleted: Some(0),
        mirror_files: Some(0),
        would_delete: Some(0),
        message: String::new(),
    }
}

#[test]
fn records_keep_the_last_success_and_the_lock_is_exclusive() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = State::open(dir.path()).expect("open");
    match State::open(dir.path()) {
        Err(RunError::Locked { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
        other => panic!("expected the lock to be held, got {other:?}"),
    }
    state.record(&attempt(Outcome::Ok)).expect("ok");
    state.record(&attempt(Outcome::Failed)).expect("failed");
    let s = state.load("c_home", "c", "s").expect("record");
    assert_eq!(s.last_attempt.result, Outcome::Failed);
    assert_eq!(s.last_success.map(|a| a.result), Some(Outcome::Ok));
    let history = std::fs::read_to_string(dir.path().join("history.jsonl")).expect("history");
    assert_eq!(history.lines().count(), 2);
    drop(state);
    State::open(dir.path()).expect("released on drop");
}
