//! Make-before-break draining, on the bundled examples: for every server, compiling with it
//! `drain` gives each client the holders it has with that server `retired`, plus that server
//! wherever it holds the client when `active`. (The same over random estates is in
//! `properties.rs`.)

use std::collections::BTreeMap;
use std::path::Path;

use mirrorc_core::source::SourceMap;

const EXAMPLES: [&str; 3] = ["site", "examples/at", "examples/failover"];

/// The inventory files of an example folder, by name.
fn files(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&root)
        .expect("example folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// `text` with server `name`'s `state:` set to `state` (the block-style server tables of the
/// examples: `  name:` then lines indented by four spaces).
fn with_state(text: &str, name: &str, state: &str) -> Option<String> {
    let header = format!("  {name}:");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| *l == header)?;
    let end = (at + 1..lines.len())
        .find(|i| !lines[*i].starts_with("    "))
        .unwrap_or(lines.len());
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let line = format!("    state: {state}");
    match (at + 1..end).find(|i| lines[*i].trim_start().starts_with("state:")) {
        Some(i) => out[i] = line,
        None => out.insert(at + 1, line),
    }
    Some(out.join("\n") + "\n")
}

/// Client → (holders, draining holders).
type Holders = BTreeMap<String, (Vec<String>, Vec<String>)>;

/// Client → holders (and client → draining holders) of the estate with `server` in `state`;
/// `None` when that estate does not compile.
fn holders(files: &[(String, String)], server: &str, state: &str) -> Option<Holders> {
    let mut sources = SourceMap::default();
    let mut found = false;
    for (name, text) in files {
        let text = match with_state(text, server, state) {
            Some(t) => {
                found = true;
                t
            }
            None => text.clone(),
        };
        sources.add(name.clone(), text);
    }
    assert!(found, "{server} not found");
    let model = mirrorc_core::check(&sources).model?;
    let names = |ids: &[mirrorc_core::model::ServerId]| -> Vec<String> {
        ids.iter().map(|s| model.server(*s).name.clone()).collect()
    };
    let map = model
        .clients
        .iter()
        .map(|c| (c.name.clone(), (names(&c.holders), names(&c.draining))))
        .collect();
    Some(map)
}

fn servers(files: &[(String, String)]) -> Vec<String> {
    let mut sources = SourceMap::default();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    let model = mirrorc_core::check(&sources)
        .model
        .expect("example compiles");
    model.servers.iter().map(|s| s.name.clone()).collect()
}

#[test]
fn draining_is_retired_plus_what_it_holds_when_active() {
    let mut compared = 0;
    for dir in EXAMPLES {
        let files = files(dir);
        for server in servers(&files) {
            let (Some(drain), Some(retired), Some(active)) = (
                holders(&files, &server, "drain"),
                holders(&files, &server, "retired"),
                holders(&files, &server, "active"),
            ) else {
                // Draining or retiring it leaves a client short of servers, or a pin on it.
                continue;
            };
            for (client, (held, draining)) in &drain {
                let mut want = retired[client].0.clone();
                if active[client].0.contains(&server) {
                    want.push(server.clone());
                }
                want.sort();
                assert_eq!(held, &want, "{dir}: {client} with {server} drain");
                // The draining servers marked are exactly the draining holders.
                assert_eq!(
                    draining.contains(&server),
                    active[client].0.contains(&server),
                    "{dir}: {client}"
                );
            }
            compared += 1;
        }
    }
    // Most servers of the examples can be drained: the comparison must not be vacuous.
    assert!(compared >= 8, "only {compared} servers compared");
}

#[test]
fn the_sample_estate_shows_the_extra_holder() {
    let files = files("site");
    let drain = holders(&files, "jmirror3", "drain").expect("compiles");
    // jmirror3 is draining in site/: fpc001 keeps it and has jmirror1 besides.
    assert_eq!(
        drain["fpc001"],
        (
            vec!["jmirror1".to_string(), "jmirror3".to_string()],
            vec!["jmirror3".to_string()]
        )
    );
}

/// `mirrorc explain` names the replacement and the draining holder per disk, and the
/// draining server says it keeps pulling.
#[test]
fn explain_shows_the_drain() {
    use crate::common::{code, mirrorc_in, stdout};
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = mirrorc_in(here, &["explain", "fpc001"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.contains("held by:      jmirror1 jmirror3 (1 of 1 copies + 1 draining)\n"),
        "{out}"
    );
    assert!(
        out.contains("    fpc001_home: jmirror1 (new) + jmirror3 (draining)\n"),
        "{out}"
    );
    let o = mirrorc_in(here, &["explain", "fpc001", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["takeovers"], serde_json::json!(["jmirror1"]));
    assert_eq!(json["client"]["draining"], serde_json::json!(["jmirror3"]));
    let out = stdout(&mirrorc_in(here, &["explain", "jmirror3"]));
    assert!(out.contains("draining:     keeps pulling these"), "{out}");
}
