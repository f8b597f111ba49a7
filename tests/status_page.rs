//! `mirrorc status`: the page, the text table and the JSON of the example report
//! (`examples/status/report.json`) as snapshots; a silent server's disks never shown ok; bad
//! reports refused; and the page opened in a real headless Chromium (real-tests.md): the DOM
//! after its script ran, no console error or CSP refusal, no request made by the page. The
//! Chromium test fails under `CI=true` when Chromium is missing, and otherwise says loudly that
//! it was skipped. Its screenshot is kept in `target/tmp/status-page/` for review.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

use crate::common::{code, mirrorc_in, stderr, stdout};

/// The fixed "now" of every test: 2 h 30 min after the example report was made.
const NOW: &str = "2026-12-02T09:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("examples/status/report.json")
}

/// Runs `mirrorc status --from REPORT --now NOW ARGS...`.
fn status(report: &Path, args: &[&str]) -> Output {
    let from = report.to_str().expect("utf-8 path");
    let mut all = vec!["status", "--from", from, "--now", NOW];
    all.extend_from_slice(args);
    mirrorc_in(root(), &all)
}

/// Writes the example's page into `dir` and returns its path.
fn example_page(dir: &Path, extra: &[&str]) -> PathBuf {
    let page = dir.join("status.html");
    let mut args = vec!["--html", page.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let o = status(&example(), &args);
    assert_eq!(
        code(&o),
        1,
        "problems in the example: exit 1\n{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "", "--html alone prints nothing");
    page
}

#[test]
fn example_page_text_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = example_page(dir.path(), &[]);
    let html = fs::read_to_string(&page).expect("page");
    insta::assert_snapshot!("status_page_html", html);

    // Deterministic: the same report and --now give the same bytes, written atomically 0644.
    let again = example_page(dir.path(), &[]);
    assert_eq!(fs::read_to_string(again).expect("page"), html);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&page).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left beside the page");

    let text = status(&example(), &[]);
    assert_eq!(code(&text), 1);
    insta::assert_snapshot!("status_text", stdout(&text));
    let json = status(&example(), &["--format", "json"]);
    assert_eq!(code(&json), 1);
    insta::assert_snapshot!("status_json", stdout(&json));
}

#[test]
fn messages_are_escaped_and_assets_hashed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = fs::read_to_string(example_page(dir.path(), &["--refresh", "300"])).expect("page");
    // The rsync message of jgit1_lfs names a file `<script>alert("x")</script>`.
    assert!(
        !html.contains("<script>alert"),
        "a message reached the page unescaped"
    );
    assert!(html.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "one script element: ours"
    );
    assert!(html.contains(r#"<meta http-equiv="refresh" content="300">"#));
    // Nothing outside the file is referenced: no src, no href but fragments, no url().
    for bad in [
        "src=",
        "href=\"http",
        "href=\"/",
        "url(",
        "@import",
        "//fonts",
    ] {
        assert!(
            !html.contains(bad),
            "the page references something outside: {bad}"
        );
    }
    // Attribute values are escaped too: `'` is `&#39;` (the browser reads it back).
    assert!(html.contains("content=\"default-src &#39;none&#39;; style-src &#39;sha256-"));
}

/// One disk per case, every holder `m1` (did not answer) or `m2` (answered).
fn silent_server_report(dir: &Path) -> PathBuf {
    let attempt = |server: &str| {
        json!({"tag": "t", "client": "c", "server": server, "started": "2026-12-02T01:00:00Z",
               "finished": "2026-12-02T01:10:00Z", "result": "ok", "rsync_exit": 0,
               "exit_meaning": null, "files_transferred": 1, "bytes_transferred": 10,
               "files_deleted": 0, "mirror_files": null, "would_delete": null, "message": ""})
    };
    let disk = |client: &str, holder: &str, state: &str| {
        json!({"tag": format!("{client}_home"), "client": client, "site": "forum",
               "path": "/disk/home", "holders": [holder], "state": state,
               "last_success": attempt(holder), "last_attempt": attempt(holder), "unanswered": []})
    };
    let server = |name: &str, answered: bool| {
        json!({"server": name, "site": "jcmb", "state": "active", "answered": answered,
               "error": if answered { None } else { Some("connection refused") },
               "disks_held": 1, "failures": 0, "last_run_started": null,
               "last_run_finished": null, "used_bytes": 0, "capacity": null})
    };
    let report = json!({"version": 1, "generated": "2026-12-02T06:00:00Z",
        "max_age_seconds": 129600, "servers": [server("m1", false), server("m2", true)],
        // The report claims ok for pc1 although its only holder did not answer.
        "disks": [disk("pc1", "m1", "ok"), disk("pc2", "m1", "unknown"), disk("pc3", "m2", "ok")],
        "retirable": []});
    let path = dir.join("silent.json");
    fs::write(&path, report.to_string()).expect("write report");
    path
}

#[test]
fn a_silent_servers_disks_are_unknown_never_ok() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = silent_server_report(dir.path());
    let o = status(&report, &["--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let states: Vec<String> = v["sites"][0]["disks"]
        .as_array()
        .expect("disks")
        .iter()
        .map(|d| {
            format!(
                "{}={}",
                d["client"].as_str().unwrap(),
                d["state"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(states, ["pc1=unknown", "pc2=unknown", "pc3=ok"]);
    assert_eq!(v["summary"]["unknown"], 2);
    assert_eq!(v["summary"]["ok"], 1);

    let page = dir.path().join("p.html");
    let o = status(&report, &["--html", page.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let html = fs::read_to_string(page).expect("page");
    let row = disk_rows(&html)
        .into_iter()
        .find(|r| r.contains(">pc1<"))
        .expect("pc1 row");
    assert!(row.starts_with(r#"<tr data-state="unknown""#), "{row}");
    assert!(
        row.contains("unknown: no answer") && row.contains(">m1<"),
        "{row}"
    );

    let text = stdout(&status(&report, &[]));
    assert!(text.contains("unknown: no answer  pc1"), "{text}");
    assert!(
        text.contains("did not answer: m1: connection refused"),
        "{text}"
    );
}

#[test]
fn unreadable_reports_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v2 = dir.path().join("v2.json");
    fs::write(&v2, r#"{"version": 2, "future": true}"#).expect("write");
    let o = status(&v2, &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("report version 2 is not supported"),
        "{}",
        stderr(&o)
    );

    let o = status(&dir.path().join("missing.json"), &[]);
    assert_eq!(code(&o), 2);
    let junk = dir.path().join("junk.json");
    fs::write(&junk, "<html>").expect("write");
    assert_eq!(code(&status(&junk, &[])), 2);

    let o = mirrorc_in(
        root(),
        &["status", "--from", "x.json", "--now", "yesterday"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("not an RFC 3339 time"),
        "{}",
        stderr(&o)
    );
    let o = mirrorc_in(root(), &["status", "--from", "x.json", "--refresh", "0"]);
    assert_eq!(code(&o), 2);
}

// ---------------------------------------------------------------- the real browser

/// Fails under CI, otherwise prints loudly; the caller returns early.
fn skip(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test} cannot run under CI=true: {why}");
    }
    eprintln!("\n************************************************************");
    eprintln!("*** SKIPPED {test}: {why}");
    eprintln!("************************************************************\n");
}

/// Why Chromium cannot run per the recipe here, if it cannot.
fn chromium_missing() -> Option<&'static str> {
    let ok = |cmd: &mut Command| cmd.output().is_ok_and(|o| o.status.success());
    if !ok(Command::new("chromium").arg("--version")) {
        return Some("chromium is not installed (scripts/test installs it)");
    }
    // The recipe runs it in its own PID namespace, which needs root (or user namespaces).
    if !ok(Command::new("unshare").args(["--pid", "--fork", "--kill-child", "true"])) {
        return Some("`unshare --pid --fork` is not allowed here (run as root)");
    }
    None
}

/// What one headless Chromium run left: stdout (the DOM with `--dump-dom`), its log, and the
/// requests of its net log.
struct Run {
    dom: String,
    log: String,
    net_log: String,
}

/// Runs headless Chromium on `url` per real-tests.md, in its own PID namespace (no zombie
/// children), with a fresh profile, logging to stderr and a net log.
fn chromium(dir: &Path, url: &str, mode: &[&str]) -> Run {
    let profile = tempfile::tempdir_in(dir).expect("profile");
    let net = profile.path().join("net.json");
    let o = Command::new("timeout")
        .args([
            "60",
            "unshare",
            "--pid",
            "--fork",
            "--kill-child",
            "chromium",
        ])
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
        ])
        .args([
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,1800",
        ])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", net.display()))
        .args(mode)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(o.status.success(), "chromium failed: {}", stderr(&o));
    Run {
        dom: stdout(&o),
        log: stderr(&o),
        net_log: fs::read_to_string(&net).unwrap_or_default(),
    }
}

impl Run {
    /// Console errors, uncaught exceptions and Content-Security-Policy refusals in the log.
    fn page_errors(&self) -> Vec<&str> {
        self.log
            .lines()
            .filter(|l| {
                l.contains("CONSOLE")
                    || l.contains("Uncaught")
                    || l.contains("Refused to")
                    || l.contains("Content Security Policy")
            })
            .collect()
    }

    /// URLs of requests started on behalf of a page. Chromium's own background requests
    /// (update checks) carry the initiator "not an origin"; a file:// page's carry "null".
    fn page_requests(&self) -> Vec<String> {
        let mut found = Vec::new();
        for line in self.net_log.lines() {
            if line.contains("\"initiator\"") && !line.contains("\"initiator\":\"not an origin\"") {
                let url = line.split("\"url\":\"").nth(1).unwrap_or(line);
                found.push(url.split('"').next().unwrap_or(url).to_string());
            }
        }
        found
    }
}

/// Every `<tr data-state=…>…</tr>` of a page or DOM, in document order.
fn disk_rows(html: &str) -> Vec<&str> {
    html.match_indices("<tr data-state=")
        .map(|(i, _)| {
            let end = html[i..].find("</tr>").map_or(html.len(), |e| i + e + 5);
            &html[i..end]
        })
        .collect()
}

fn shown(rows: &[&str]) -> Vec<String> {
    rows.iter()
        .filter(|r| !r[..r.find('>').unwrap_or(0)].contains("hidden"))
        .map(|r| r.to_string())
        .collect()
}

#[test]
fn status_page_in_headless_chromium() {
    const TEST: &str = "status_page_in_headless_chromium";
    if let Some(why) = chromium_missing() {
        return skip(TEST, why);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let page = example_page(dir.path(), &[]);
    let url = format!("file://{}", page.display());

    let plain = chromium(dir.path(), &url, &["--dump-dom"]);
    assert_eq!(
        plain.page_errors(),
        Vec::<&str>::new(),
        "console:\n{}",
        plain.log
    );
    assert_eq!(
        plain.page_requests(),
        Vec::<String>::new(),
        "the page made requests"
    );
    let dom = &plain.dom;
    for (id, n) in [("disks", 16), ("ok", 9), ("stale", 1), ("failed", 1)] {
        assert!(
            dom.contains(&format!("id=\"count-{id}\">{n}<")),
            "count of {id}"
        );
    }
    for (id, n) in [("skipped_safety", 1), ("never", 1), ("unknown", 3)] {
        assert!(
            dom.contains(&format!("id=\"count-{id}\">{n}<")),
            "count of {id}"
        );
    }
    assert!(
        dom.contains("<p id=\"controls\">"),
        "the script shows the filter"
    );
    assert!(
        dom.contains("<button type=\"button\""),
        "the script adds sort buttons"
    );
    let rows = disk_rows(dom);
    assert_eq!(shown(&rows).len(), rows.len(), "no filter: every row shown");
    let failed = rows
        .iter()
        .find(|r| r.starts_with("<tr data-state=\"failed\"") && r.contains("jgit1_lfs"))
        .expect("the failed disk's row");
    assert!(failed.contains("Permission denied (13)"), "{failed}");
    assert!(
        failed.contains("&lt;script&gt;alert"),
        "message shown as text: {failed}"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "no script element from a message"
    );

    // A filter given in the URL fragment narrows the rows (problems table and site table).
    let by_fragment = chromium(dir.path(), &format!("{url}#q=jgit1"), &["--dump-dom"]);
    assert_eq!(
        by_fragment.page_errors(),
        Vec::<&str>::new(),
        "{}",
        by_fragment.log
    );
    let visible = shown(&disk_rows(&by_fragment.dom));
    assert_eq!(
        visible.len(),
        3,
        "jgit1_lfs twice, jgit1_repos once: {visible:#?}"
    );
    assert!(visible.iter().all(|r| r.contains("jgit1")));
    assert!(by_fragment.dom.contains("3 of 28 rows match"));
    // And one in the query, with an exact state.
    let by_query = chromium(
        dir.path(),
        &format!("{url}?q=state:failed"),
        &["--dump-dom"],
    );
    let visible = shown(&disk_rows(&by_query.dom));
    assert_eq!(visible.len(), 2, "{visible:#?}");
    assert!(visible
        .iter()
        .all(|r| r.starts_with("<tr data-state=\"failed\"")));

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-page");
    fs::create_dir_all(&shots).expect("screenshot folder");
    let png = shots.join("example.png");
    let _ = fs::remove_file(&png);
    chromium(
        dir.path(),
        &url,
        &[&format!("--screenshot={}", png.display())],
    );
    assert!(
        fs::metadata(&png).is_ok_and(|m| m.len() > 10_000),
        "screenshot written"
    );
    eprintln!("status page screenshot: {}", png.display());
}

#[test]
fn chromium_checks_catch_a_bad_page() {
    // The detectors above must be able to fail: a page with a failing script and an image
    // from the network (and no CSP) shows up in both.
    const TEST: &str = "chromium_checks_catch_a_bad_page";
    if let Some(why) = chromium_missing() {
        return skip(TEST, why);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("bad.html");
    let bad = "<!DOCTYPE html><html lang=en><title>bad</title>\
               <img alt=x src=\"http://127.0.0.1:9/x.png\"><script>nosuchfunction();</script>";
    fs::write(&page, bad).expect("write");
    let run = chromium(
        dir.path(),
        &format!("file://{}", page.display()),
        &["--dump-dom"],
    );
    assert!(
        !run.page_errors().is_empty(),
        "an uncaught error must show:\n{}",
        run.log
    );
    let requests = run.page_requests();
    assert!(
        requests.iter().any(|u| u.contains("127.0.0.1:9")),
        "the image request must show: {requests:?}"
    );
}

#[test]
fn without_from_it_asks_every_server_like_report_all() {
    // The example estate compiled; only jmirror1 has a state folder (and no records yet), so
    // it answers "never" for its disks, and every other server does not answer.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = mirrorc_in(root(), &["compile", "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    fs::create_dir_all(dir.path().join("state/jmirror1")).expect("state folder");
    let via = format!("dir={}", dir.path().join("state").display());
    let page = dir.path().join("status.html");
    let args = [
        "status",
        "--contract",
        out.to_str().unwrap(),
        "--via",
        &via,
        "--now",
        NOW,
    ];
    let mut with_page = args.to_vec();
    with_page.extend(["--html", page.to_str().unwrap(), "--format", "json"]);
    let o = mirrorc_in(root(), &with_page);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["summary"]["disks"], 16);
    // jmirror1 holds 5 disks; fpc001_home's other holder is the draining jmirror3, which
    // does not answer, so that one is unknown rather than never.
    assert_eq!(
        v["summary"]["never"], 4,
        "jmirror1's disks: {}",
        v["summary"]
    );
    assert_eq!(
        v["summary"]["unknown"], 12,
        "the silent servers' disks: {}",
        v["summary"]
    );
    assert_eq!(v["servers_unanswered"], 4);
    assert!(fs::read_to_string(&page)
        .expect("page")
        .contains("id=\"count-unknown\">12<"));

    let nowhere = dir.path().join("none");
    let o = mirrorc_in(
        root(),
        &[
            "status",
            "--contract",
            nowhere.to_str().unwrap(),
            "--via",
            &via,
        ],
    );
    assert_eq!(code(&o), 2, "no contracts: no report");
}
