//! The machine formats through the real binary: SARIF validated against the official SARIF
//! 2.1.0 schema (`tests/sarif-schema-2.1.0.json`, from oasis-tcs/sarif-spec), GitHub
//! annotations parsed back and compared with the JSON findings, a snapshot of every command's
//! JSON document and of the error documents, `docs/json.md` naming every command, and `-`
//! reading an inventory file from stdin.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{code, mirrorc_in, stderr, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Every error fixture, relative to the repository.
fn error_fixtures() -> Vec<String> {
    let mut dirs: Vec<String> = fs::read_dir(root().join("tests/fixtures/errors"))
        .expect("fixtures")
        .map(|e| {
            format!(
                "tests/fixtures/errors/{}",
                e.expect("entry").file_name().to_string_lossy()
            )
        })
        .collect();
    dirs.sort();
    dirs
}

/// A temp folder holding a copy of `site/`, as `<tmp>/site`.
fn estate() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("site");
    fs::create_dir(&site).expect("mkdir");
    for e in fs::read_dir(root().join("site")).expect("site/") {
        let p = e.expect("entry").path();
        fs::copy(&p, site.join(p.file_name().expect("name"))).expect("copy");
    }
    let path = tmp.path().to_path_buf();
    (tmp, path)
}

fn sarif_validator() -> jsonschema::Validator {
    let schema =
        json(&fs::read_to_string(root().join("tests/sarif-schema-2.1.0.json")).expect("schema"));
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[track_caller]
fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{log:#}");
}

/// Every error fixture's findings, and a clean estate, as SARIF: valid against the schema,
/// one result per finding with its rule, level and place.
#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    for dir in error_fixtures().iter().map(String::as_str).chain(["site"]) {
        let sarif = mirrorc_in(root(), &["check", dir, "--format", "sarif"]);
        let plain = mirrorc_in(root(), &["check", dir, "--format", "json"]);
        assert_eq!(
            code(&sarif),
            code(&plain),
            "{dir}: same exit code in every format"
        );
        let log = json(&stdout(&sarif));
        assert_valid_sarif(&validator, &log, dir);
        let findings = json(&stdout(&plain));
        let findings = findings["findings"].as_array().expect("findings");
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), findings.len(), "{dir}");
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        for (r, f) in results.iter().zip(findings) {
            assert_eq!(r["ruleId"], f["code"], "{dir}");
            let index = r["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[index]["id"], f["code"], "{dir}");
            let level = match f["severity"].as_str() {
                Some("advice") => "note",
                other => other.expect("severity"),
            };
            assert_eq!(r["level"], level, "{dir}");
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], f["line"], "{dir}");
            assert_eq!(region["startColumn"], f["column"], "{dir}");
        }
    }
}

/// `verify --format sarif` (the real rsync) is valid SARIF too, and so is its JSON document's
/// count of what was checked.
#[test]
fn verify_sarif_and_json() {
    if !crate::rsync_e2e::have_rsync() {
        crate::rsync_e2e::skip("verify_sarif_and_json", "no rsync on PATH");
        return;
    }
    let validator = sarif_validator();
    let o = mirrorc_in(root(), &["verify", "site", "--format", "sarif"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_valid_sarif(&validator, &json(&stdout(&o)), "verify site");
    let o = mirrorc_in(root(), &["verify", "site", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc = json(&stdout(&o));
    assert_eq!(
        (doc["version"].as_u64(), doc["result"].as_str()),
        (Some(1), Some("done"))
    );
    assert!(
        doc["configs"].as_u64() > Some(0) && doc["checks"].as_u64() > Some(0),
        "{doc}"
    );
    assert_eq!(doc["errors"], 0);
    let o = mirrorc_in(root(), &["verify", "site", "--format", "github"]);
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o)
            .lines()
            .all(|l| l.starts_with("::notice ") || l.starts_with("::warning ")),
        "{}",
        stdout(&o)
    );
}

/// GitHub's own unescaping of a workflow command's data and properties.
fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// `::error file=…,line=…,col=…,title=…::message` per finding (its related notes as notices),
/// parsed back the way the runner does: every property and the message equal the JSON
/// finding's; nothing spills onto a second line.
#[test]
fn github_annotations_parse_back_to_the_findings() {
    for dir in error_fixtures() {
        let o = mirrorc_in(root(), &["check", &dir, "--format", "github"]);
        let plain = json(&stdout(&mirrorc_in(
            root(),
            &["check", &dir, "--format", "json"],
        )));
        let mut want = Vec::new();
        for f in plain["findings"].as_array().expect("findings") {
            want.push(f.clone());
            want.extend(f["related"].as_array().expect("related").iter().cloned());
        }
        let text = stdout(&o);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), want.len(), "{dir}: {text}");
        for (line, f) in lines.iter().zip(&want) {
            let rest = line.strip_prefix("::").expect("a workflow command");
            let (head, message) = rest.split_once("::").expect("::message");
            let (command, props) = head.split_once(' ').expect("properties");
            assert!(["error", "warning", "notice"].contains(&command), "{line}");
            let props: std::collections::BTreeMap<&str, String> = props
                .split(',')
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    (k, unescape(v))
                })
                .collect();
            assert_eq!(props["title"], f["code"].as_str().expect("code"), "{line}");
            if let Some(file) = f["file"].as_str() {
                assert_eq!(props["file"], file, "{line}");
                assert_eq!(props["line"], f["line"].to_string(), "{line}");
                assert_eq!(props["col"], f["column"].to_string(), "{line}");
                assert_eq!(props["endLine"], f["end_line"].to_string(), "{line}");
            }
            let mut want_message = f["message"].as_str().expect("message").to_string();
            if let Some(help) = f["help"].as_str() {
                want_message += &format!("\nhelp: {help}");
            }
            assert_eq!(unescape(message), want_message, "{line}");
            assert!(!message.contains(['\r']), "{line}");
        }
    }
}

/// The JSON documents of the inventory commands, each snapshotted (docs/json.md documents them).
#[test]
fn json_documents() {
    let run = |args: &[&str], want: i32| {
        let o = mirrorc_in(root(), args);
        assert_eq!(code(&o), want, "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}: nothing but JSON");
        json(&stdout(&o))
    };
    insta::assert_json_snapshot!(
        "check_json",
        run(
            &[
                "check",
                "tests/fixtures/errors/duplicate_host-client",
                "--format",
                "json"
            ],
            1
        )
    );
    insta::assert_json_snapshot!(
        "explain_client_json",
        run(&["explain", "fpc001", "--format", "json"], 0)
    );
    insta::assert_json_snapshot!(
        "explain_server_json",
        run(&["explain", "jmirror3", "--format", "json"], 0)
    );
    insta::assert_json_snapshot!(
        "plan_json",
        run(
            &[
                "plan",
                "examples/failover",
                "--without",
                "jmirror3",
                "--format",
                "json"
            ],
            1
        )
    );
}

/// compile, diff (plain and --lcfg) and report's server view as JSON, in a copy of the estate.
#[test]
fn json_documents_of_an_output_folder() {
    let (_t, dir) = estate();
    let run = |args: &[&str], want: i32| {
        let o = mirrorc_in(&dir, args);
        assert_eq!(code(&o), want, "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}: nothing but JSON");
        json(&stdout(&o))
    };
    insta::assert_json_snapshot!(
        "compile_json_written",
        run(&["compile", "--format", "json"], 0)
    );
    insta::assert_json_snapshot!(
        "compile_json_up_to_date",
        run(&["compile", "--format", "json"], 0)
    );
    let jcmb = dir.join("site/jcmb.yaml");
    let text = fs::read_to_string(&jcmb).expect("read");
    fs::write(&jcmb, text.replacen("state: drain", "state: retired", 1)).expect("write");
    insta::assert_json_snapshot!("diff_json", run(&["diff", "--format", "json"], 1));
    let summary = run(&["diff", "--summary", "--format", "json"], 1);
    assert!(summary.get("files").is_none(), "{summary}");
    insta::assert_json_snapshot!(
        "diff_lcfg_json",
        run(&["diff", "--lcfg", "--format", "json"], 1)
    );
    fs::create_dir(dir.join("state")).expect("mkdir");
    insta::assert_json_snapshot!(
        "report_server_json",
        run(
            &["report", "--server", "jmirror1", "--state", "state", "--format", "json"],
            0
        )
    );
    // (site/'s draining jmirror3 keeps its disks: the run with no disks reads an empty header.)
    fs::write(dir.join("no-disks.h"), crate::exit_codes::NO_DISKS).expect("write");
    // The runtime's documents that need no daemon: a run with no disks, and the merged report
    // of an estate where no server answers (the time fixed with --now).
    insta::assert_json_snapshot!(
        "run_json_no_disks",
        run(
            &[
                "run",
                "--server",
                "jmirror3",
                "--dry-run",
                "--from-lcfg",
                "no-disks.h",
                "--format",
                "json"
            ],
            0
        )
    );
    let now = "2026-12-02T09:00:00Z";
    insta::assert_json_snapshot!(
        "report_all_json_no_answer",
        run(
            &[
                "report",
                "--all",
                "--via",
                "dir=state",
                "--now",
                now,
                "--format",
                "json"
            ],
            1
        )
    );
    fs::write(&jcmb, "site: jcmb\nbogus: 1\n").expect("break");
    insta::assert_json_snapshot!(
        "compile_json_failed",
        run(&["compile", "--format", "json"], 1)
    );
}

/// import's document: the legacy example, then compared host by host.
#[test]
fn import_json() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = mirrorc_in(
        root(),
        &[
            "import",
            "examples/legacy",
            "-o",
            out.to_str().expect("utf-8"),
            "--check-equivalence",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut doc = json(&stdout(&o));
    assert_eq!(doc["differences"], serde_json::json!([]));
    doc["out"] = "[OUT]".into();
    insta::assert_json_snapshot!("import_json", doc);
}

/// With `--format json` an operational error is `{"version": 1, "error": {...}}` on stdout,
/// with the command's usual exit code, for every kind of error.
#[test]
fn json_error_documents() {
    let (_t, dir) = estate();
    let cases: &[(&str, &[&str], i32)] = &[
        (
            "no_input",
            &["check", "no/such/folder", "--format", "json"],
            2,
        ),
        ("unknown_host", &["explain", "fpc01", "--format", "json"], 1),
        (
            "invalid_inventory",
            &[
                "explain",
                "fpc001",
                "tests/fixtures/errors/unknown_site-typo",
                "--format",
                "json",
            ],
            1,
        ),
        (
            "no_output_folder",
            &["diff", "-o", "nowhere", "--format", "json"],
            2,
        ),
        (
            "unknown_name",
            &["plan", "--without", "forun", "--format", "json"],
            2,
        ),
        (
            "report_failed",
            &[
                "report",
                "--all",
                "--via",
                "carrier-pigeon",
                "--format",
                "json",
            ],
            2,
        ),
        (
            "run_failed",
            &[
                "run", "--server", "jmirror1", "-o", "nowhere", "--format", "json",
            ],
            2,
        ),
        (
            "no_report",
            &["status", "--from", "nowhere.json", "--format", "json"],
            2,
        ),
    ];
    for (name, args, want) in cases {
        let o = mirrorc_in(root(), args);
        assert_eq!(code(&o), *want, "{args:?}: {}", stderr(&o));
        let doc = json(&stdout(&o));
        assert_eq!(doc["version"], 1, "{args:?}");
        insta::assert_json_snapshot!(format!("error_{name}"), doc);
    }
    // A hand edit refuses the compile: the refusal names the file.
    assert_eq!(code(&mirrorc_in(&dir, &["compile"])), 0);
    fs::write(dir.join("out/hosts-allow/fpc001"), "*\n").expect("edit");
    fs::write(dir.join("site/extra.yaml"), "site: extra\n").expect("write");
    let o = mirrorc_in(&dir, &["compile", "--format", "json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    insta::assert_json_snapshot!("error_refused", json(&stdout(&o)));
}

/// docs/json.md has a section for every command of `mirrorc --help`, each naming its version.
#[test]
fn docs_json_lists_every_command() {
    let help = stdout(&mirrorc_in(root(), &["--help"]));
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("a Commands: section")
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line is indented by two; its wrapped description by more.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    let docs = fs::read_to_string(root().join("docs/json.md")).expect("docs/json.md");
    for c in commands {
        assert!(
            docs.contains(&format!("## `mirrorc {c}")),
            "docs/json.md has no section for `mirrorc {c}`"
        );
    }
    for code in [
        "mirrorc::io",
        "mirrorc::invalid_inventory",
        "mirrorc::unknown_host",
        "mirrorc::no_output_folder",
        "mirrorc::unknown_name",
        "mirrorc::refused",
        "mirrorc::output_locked",
        "mirrorc::report_failed",
        "mirrorc::run_failed",
        "mirrorc::no_report",
        "mirrorc::nothing_to_import",
    ] {
        assert!(
            docs.contains(&format!("`{code}`")),
            "docs/json.md lacks the error code {code}"
        );
    }
}

/// `-` reads one inventory file from stdin; its findings name `<stdin>`.
#[test]
fn dash_reads_one_file_from_stdin() {
    let pipe = |args: &[&str], input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mirrorc"))
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let at = fs::read_to_string(root().join("examples/failover/jcmb.yaml")).expect("read");
    let o = pipe(&["check", "-", "examples/failover/forum.yaml"], &at);
    let from_files = mirrorc_in(
        root(),
        &[
            "check",
            "examples/failover/jcmb.yaml",
            "examples/failover/forum.yaml",
        ],
    );
    assert_eq!(code(&o), code(&from_files), "{}", stderr(&o));
    let o = pipe(&["check", "-", "--format", "json"], "site: a\nbogus: 1\n");
    assert_eq!(code(&o), 1);
    let doc = json(&stdout(&o));
    assert_eq!(doc["findings"][0]["file"], "<stdin>", "{doc}");
    let o = mirrorc_in(root(), &["check", "-", "-"]);
    assert_eq!(code(&o), 2, "two `-`: {}", stderr(&o));
}

/// The README's CI pipelines are valid YAML, and every `mirrorc` command in them runs against
/// the bundled estate (with `deployed/` its compile output) with a real exit code: 0 or 1,
/// never a usage error (2).
#[test]
fn readme_ci_pipelines_run() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README");
    let ci = readme
        .split("\n## CI\n")
        .nth(1)
        .expect("a CI section")
        .split("\n## ")
        .next()
        .expect("section");
    let blocks: Vec<&str> = ci
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().expect("block end"))
        .collect();
    assert_eq!(blocks.len(), 2, "a GitHub Actions and a GitLab CI example");
    let (_t, dir) = estate();
    assert_eq!(code(&mirrorc_in(&dir, &["compile", "-o", "deployed"])), 0);
    let mut ran = 0;
    for block in blocks {
        let _: serde_json::Value =
            serde_saphyr::from_str(block).unwrap_or_else(|e| panic!("{e}:\n{block}"));
        for line in block.lines() {
            let mut rest = line;
            while let Some(at) = rest.find("mirrorc ") {
                let tail = &rest[at + "mirrorc ".len()..];
                let end = tail.find(['>', '|', '&', ';']).unwrap_or(tail.len());
                let args: Vec<&str> = tail[..end].split_whitespace().collect();
                rest = &tail[end..];
                if args
                    .first()
                    .is_none_or(|a| a.starts_with('/') || *a == "title=mirrorc")
                {
                    continue;
                }
                let o = mirrorc_in(&dir, &args);
                assert!(
                    code(&o) <= 1,
                    "README: mirrorc {}: exit {}\n{}",
                    args.join(" "),
                    code(&o),
                    stderr(&o)
                );
                ran += 1;
            }
        }
    }
    assert!(ran >= 8, "only {ran} commands found");
}
