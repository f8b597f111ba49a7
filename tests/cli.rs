//! CLI tests: the real binary, exit codes asserted exactly, and the "nothing lost" rules of
//! `compile` (atomic, only-changed writes, manifest-guarded removal, hand edits refused).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::{code, mirrorc_in, says, stderr, stdout};

fn mirrorc(args: &[&str], cwd: &Path) -> Output {
    mirrorc_in(cwd, args)
}

/// Deletes the client `name` (its whole entry) from `site/forum.yaml` under `root`.
fn remove_forum_client(root: &Path, name: &str) {
    let forum = root.join("site/forum.yaml");
    let text = fs::read_to_string(&forum).expect("read");
    let start = text
        .find(&format!("\n  {name}:"))
        .expect("client in forum.yaml");
    let end = text[start + 1..]
        .find("\n  f")
        .map_or(text.len(), |i| start + 1 + i);
    fs::write(&forum, format!("{}{}", &text[..start], &text[end..])).expect("write");
}

/// A temp folder holding a copy of the bundled `site/` estate.
fn estate() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("site");
    fs::create_dir(&site).expect("mkdir");
    for e in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("site")).expect("site/") {
        let p = e.expect("entry").path();
        fs::copy(&p, site.join(p.file_name().expect("name"))).expect("copy");
    }
    let root = tmp.path().to_path_buf();
    (tmp, root)
}

/// Every file under `dir` with its bytes, sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).expect("prefix").to_path_buf(),
                    fs::read(&p).expect("read"),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn compile_writes_every_output_kind_with_mode_0644() {
    let (_t, root) = estate();
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in [
        "lcfg/servers/jmirror1.h",
        "lcfg/clients/fpc001.h",
        "lcfg/sites/jcmb.h",
        "rsync/fpc001.conf",
        "hosts-allow/fpc001",
        "systemd/fpc001/rmirrorclient-rsyncd.service",
        "servers/jmirror1.json",
        "spanning-map.json",
    ] {
        let meta = fs::metadata(root.join("out").join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o644, "{f}");
    }
    says(&o, "written, 0 unchanged, 0 removed");
}

#[test]
fn recompile_without_changes_touches_nothing() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let file = root.join("out/rsync/fpc001.conf");
    let before = fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let manifest = fs::read(root.join("out/.mirrorc-manifest.json")).expect("manifest");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 0);
    says(&o, "out is up to date");
    assert_eq!(
        fs::metadata(&file)
            .and_then(|m| m.modified())
            .expect("mtime"),
        before
    );
    assert_eq!(
        fs::read(root.join("out/.mirrorc-manifest.json")).expect("manifest"),
        manifest
    );
    // A changed comment in the inventory is a new input: full path, but still no file rewritten.
    let forum = root.join("site/forum.yaml");
    fs::write(
        &forum,
        fs::read_to_string(&forum).expect("read") + "# a comment\n",
    )
    .expect("write");
    let o = mirrorc(&["compile"], &root);
    assert!(stderr(&o).contains("(0 written,"), "{}", stderr(&o));
    assert_eq!(
        fs::metadata(&file)
            .and_then(|m| m.modified())
            .expect("mtime"),
        before
    );
}

#[test]
fn up_to_date_check_still_notices_a_hand_edit() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    assert!(stderr(&mirrorc(&["compile"], &root)).contains("up to date"));
    fs::write(root.join("out/hosts-allow/fpc001"), "*\n").expect("edit");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "hosts-allow/fpc001: edited by hand");
}

#[test]
fn hand_edited_file_is_refused_then_forced() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let edited = root.join("out/rsync/fpc001.conf");
    fs::write(&edited, "hosts allow = *\n").expect("edit");
    // A change in the inventory that would rewrite other files too.
    let forum = root.join("site/forum.yaml");
    fs::write(
        &forum,
        fs::read_to_string(&forum)
            .expect("read")
            .replace("8873", "8875"),
    )
    .expect("write");
    let before = tree(&root.join("out"));
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "rsync/fpc001.conf: edited by hand");
    assert_eq!(
        tree(&root.join("out")),
        before,
        "a refused compile changed out/"
    );
    let o = mirrorc(&["compile", "--force"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(fs::read_to_string(&edited)
        .expect("read")
        .contains("hosts deny = *"));
}

#[test]
fn file_not_generated_by_mirrorc_is_not_overwritten() {
    let (_t, root) = estate();
    fs::create_dir_all(root.join("out/rsync")).expect("mkdir");
    fs::write(root.join("out/rsync/fpc001.conf"), "mine\n").expect("write");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 2);
    says(&o, "not generated by mirrorc");
    assert_eq!(
        fs::read_to_string(root.join("out/rsync/fpc001.conf")).expect("read"),
        "mine\n"
    );
}

#[test]
fn removed_client_files_are_deleted_but_only_ours() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    fs::write(root.join("out/rsync/notes.txt"), "keep me\n").expect("write");
    remove_forum_client(&root, "fweb1");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!root.join("out/rsync/fweb1.conf").exists());
    assert!(!root.join("out/lcfg/clients/fweb1.h").exists());
    assert!(root.join("out/rsync/notes.txt").exists());
}

#[test]
fn inventory_error_leaves_output_untouched() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let before = tree(&root.join("out"));
    let forum = root.join("site/forum.yaml");
    fs::write(
        &forum,
        fs::read_to_string(&forum)
            .expect("read")
            .replace("mirrored_by: [jcmb]", "mirrored_by: [jcbm]"),
    )
    .expect("write");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 1);
    says(&o, "mirrorc::unknown_site");
    says(&o, "did you mean `jcmb`?");
    assert_eq!(tree(&root.join("out")), before);
    // For diff, a broken inventory is not "deploy needed": exit 2, so CI can tell them apart.
    for args in [&["diff"][..], &["diff", "--lcfg"][..]] {
        let o = mirrorc(args, &root);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        says(&o, "mirrorc::unknown_site");
    }
    assert_eq!(tree(&root.join("out")), before);
}

#[test]
fn check_exit_codes_and_formats() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(code(&mirrorc(&["check"], here)), 0);
    let warn = "tests/fixtures/errors/system_rsync_port-client";
    assert_eq!(code(&mirrorc(&["check", warn], here)), 0);
    assert_eq!(code(&mirrorc(&["check", warn, "--deny-warnings"], here)), 1);
    let o = mirrorc(
        &[
            "check",
            "tests/fixtures/errors/unknown_site-typo",
            "--format",
            "json",
        ],
        here,
    );
    assert_eq!(code(&o), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(
        (json["version"].as_u64(), json["errors"].as_u64()),
        (Some(1), Some(1))
    );
    let first = &json["findings"][0];
    assert_eq!(first["code"], "mirrorc::unknown_site");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(19))
    );
    let o = mirrorc(
        &["check", "tests/fixtures/errors/duplicate_key-client"],
        here,
    );
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn every_finding_of_a_run_is_reported_together() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(
        tmp.path().join("jcmb.yaml"),
        "site: jcmb\nservers:\n  jmirror1:\n    address: 192.0.2.300\n    store: disk\n",
    )
    .expect("write");
    let forum = "site: forum\nmirrored_by: [jcbm]\nclients:\n  fpc001:\n    port: 0\n    paths:\n      home: /disk/linux\n  fpc002:\n    port: 873\n    mirrored_by: [jcmb]\n    paths:\n      home: /disk/home\n";
    fs::write(tmp.path().join("forum.yaml"), forum).expect("write");
    let o = mirrorc(&["check", ".", "--format", "json"], tmp.path());
    assert_eq!(code(&o), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    let want = [
        "mirrorc::unknown_site",
        "mirrorc::invalid_port",
        "mirrorc::unsafe_value",
        "mirrorc::system_rsync_port",
        "mirrorc::invalid_address",
        "mirrorc::relative_path",
    ];
    for w in want {
        assert!(codes.contains(&w), "{w} missing from {codes:?}");
    }
    let o = mirrorc(&["check", "."], tmp.path());
    assert!(
        // Six mistakes, six findings: `jcbm` is one unknown_site, not also fpc001's
        // empty_server_set (its consequence).
        stderr(&o).ends_with("error: aborting due to 5 errors; 1 warning\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn diff_summarises_access_changes_then_shows_files() {
    let (_t, root) = estate();
    let o = mirrorc(&["diff"], &root);
    assert_eq!(
        code(&o),
        2,
        "no out/ yet: a missing folder is an error, not a difference"
    );
    says(&o, "out does not exist");
    let o = mirrorc(&["diff", "--allow-missing"], &root);
    assert_eq!(
        code(&o),
        1,
        "compared with an empty folder: everything differs"
    );
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let o = mirrorc(&["diff"], &root);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    // A hand edit in out/ is a difference even though the inputs did not change.
    let allow = root.join("out/hosts-allow/fpc001");
    let original = fs::read(&allow).expect("read");
    fs::write(&allow, "*\n").expect("edit");
    let o = mirrorc(&["diff"], &root);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("+++ b/hosts-allow/fpc001"),
        "{}",
        stdout(&o)
    );
    fs::write(&allow, original).expect("restore");
    let jcmb = root.join("site/jcmb.yaml");
    let text = fs::read_to_string(&jcmb).expect("read");
    fs::write(&jcmb, text.replacen("state: drain", "state: retired", 1)).expect("write");
    let o = mirrorc(&["diff"], &root);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.starts_with("summary:\n"), "{out}");
    assert!(
        out.contains("  jmirror3: drain -> retired; stops pulling 3 disks (held by their new holders); no longer admitted by"),
        "{out}"
    );
    assert!(out.contains("hosts allow -jmirror3"), "{out}");
    assert!(out.contains("--- a/rsync/"), "{out}");
    assert!(out.contains("+++ b/rsync/"), "{out}");
    let o = mirrorc(&["diff", "--summary"], &root);
    assert_eq!(code(&o), 1, "--summary keeps the exit code");
    let summary = stdout(&o);
    assert!(out.starts_with(&summary), "the summary alone: {summary}");
    assert!(!summary.contains("--- a/"), "{summary}");
    insta::assert_snapshot!("diff_summary_text", summary);
    // Draining jmirror1 as well: its disks move to jmirror2, with the data to copy.
    let text = fs::read_to_string(&jcmb).expect("read");
    let at = text.find("  jmirror1:\n").expect("jmirror1");
    let (head, tail) = text.split_at(at);
    let drained = format!(
        "{head}{}",
        tail.replacen("state: active", "state: drain", 1)
    );
    fs::write(&jcmb, drained).expect("write");
    let o = mirrorc(&["diff", "--summary"], &root);
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!("diff_summary_drain_text", stdout(&o));
}

#[test]
fn explain_client_and_server() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = mirrorc(&["explain", "fpc001"], here);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("server set:"), "{}", stdout(&o));
    insta::assert_snapshot!("explain_client_text", stdout(&o));
    let o = mirrorc(&["explain", "jmirror1", "--format", "json"], here);
    assert_eq!(code(&o), 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["server"]["site"], "jcmb");
    assert!(json["client"].is_null());
    let o = mirrorc(&["explain", "nosuchhost"], here);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no host `nosuchhost`"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(code(&mirrorc(&["frobnicate"], here)), 2);
    let o = mirrorc(&["check", "no/such/folder"], here);
    assert_eq!(code(&o), 2);
    says(&o, "no/such/folder");
    assert_eq!(code(&mirrorc(&["--help"], here)), 0);
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mirrorc"))
        .arg("schema")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn schema_validates_every_example_inventory_and_rejects_a_bad_one() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = mirrorc(&["schema"], here);
    assert_eq!(code(&o), 0);
    let schema: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("schema json");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let validator = jsonschema::draft7::new(&schema).expect("valid schema");
    let mut files = Vec::new();
    for dir in [
        "site",
        "examples/at",
        "examples/failover",
        "tests/fixtures/ok/minimal",
        "tests/fixtures/ok/paths_table",
        "tests/fixtures/ok/ipv6",
        "tests/fixtures/ok/copies_and_pins",
    ] {
        for e in fs::read_dir(here.join(dir)).expect("dir") {
            files.push(e.expect("entry").path());
        }
    }
    for f in &files {
        let value: serde_json::Value =
            mirrorc_core::source::from_yaml(&fs::read_to_string(f).expect("read")).expect("yaml");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
    let bad: serde_json::Value =
        mirrorc_core::source::from_yaml("site: x\nservers:\n  a:\n    adress: 1.2.3.4\n")
            .expect("yaml");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn streamed_output_is_byte_identical_to_the_in_memory_artifacts() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let sources = mirrorc_core::source::load(&[root.join("site")]).expect("load");
    let artifacts = mirrorc_core::build(&sources)
        .expect("emit")
        .artifacts
        .expect("artifacts");
    let on_disk: Vec<(PathBuf, Vec<u8>)> = tree(&root.join("out"))
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".mirrorc-manifest.json"))
        .collect();
    let expected: Vec<(PathBuf, Vec<u8>)> = artifacts
        .iter()
        .map(|a| (PathBuf::from(&a.path), a.content.clone().into_bytes()))
        .collect();
    assert_eq!(on_disk, expected);
}

#[test]
fn edited_file_of_a_removed_client_is_not_deleted() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    fs::write(root.join("out/rsync/fweb1.conf"), "# my notes\n").expect("edit");
    remove_forum_client(&root, "fweb1");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(
        &o,
        "rsync/fweb1.conf: edited by hand since mirrorc generated it; it would be deleted",
    );
    assert_eq!(
        fs::read_to_string(root.join("out/rsync/fweb1.conf")).expect("read"),
        "# my notes\n"
    );
}

/// Names in `dir` that look like a leftover staging folder.
fn staging_leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("mirrorc-staging"))
        .collect()
}

#[test]
fn fresh_output_folder_is_published_whole_with_mode_0644_under_any_umask() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let expected = tree(&root.join("out"));
    // A missing folder below a missing parent, with a umask that would make files 0600.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 077 && exec {} compile -o new/deep/out",
            env!("CARGO_BIN_EXE_mirrorc")
        ))
        .current_dir(&root)
        .output()
        .expect("sh");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = root.join("new/deep/out");
    let same_but_stamps =
        |a: &[(PathBuf, Vec<u8>)]| -> Vec<PathBuf> { a.iter().map(|(p, _)| p.clone()).collect() };
    assert_eq!(same_but_stamps(&tree(&out)), same_but_stamps(&expected));
    for (p, bytes) in &expected {
        if !p.ends_with(".mirrorc-manifest.json") {
            assert_eq!(
                &fs::read(out.join(p)).expect("read"),
                bytes,
                "{}",
                p.display()
            );
        }
        let mode = fs::metadata(out.join(p))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{}", p.display());
    }
    assert!(staging_leftovers(&root.join("new/deep")).is_empty());
    let again = mirrorc(&["compile", "-o", "new/deep/out"], &root);
    says(&again, "is up to date");

    // An existing empty folder, and a symlink to one, stay what they are (same inode, still a link).
    fs::create_dir(root.join("empty")).expect("mkdir");
    std::os::unix::fs::symlink("empty", root.join("link")).expect("symlink");
    for target in ["empty", "link"] {
        fs::remove_dir_all(root.join("empty")).ok();
        fs::create_dir_all(root.join("empty")).expect("mkdir");
        let o = mirrorc(&["compile", "-o", target], &root);
        assert_eq!(code(&o), 0, "{target}: {}", stderr(&o));
        assert_eq!(tree(&root.join(target)).len(), expected.len(), "{target}");
        assert!(staging_leftovers(&root.join(target)).is_empty(), "{target}");
    }
    assert!(fs::symlink_metadata(root.join("link"))
        .expect("meta")
        .file_type()
        .is_symlink());
    fs::remove_dir_all(root.join("empty")).ok();
    fs::create_dir(root.join("empty")).expect("mkdir");
    let ino2 = fs::metadata(root.join("empty")).expect("meta").ino();
    assert_eq!(code(&mirrorc(&["compile", "-o", "empty"], &root)), 0);
    assert_eq!(fs::metadata(root.join("empty")).expect("meta").ino(), ino2);
}

#[test]
fn failed_compile_into_a_missing_folder_leaves_nothing_behind() {
    let (_t, root) = estate();
    // A file where the output folder's parent should be: creating the parent fails.
    fs::write(root.join("blocker"), "not a folder\n").expect("write");
    let o = mirrorc(&["compile", "-o", "blocker/out"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(root.join("blocker")).expect("read"),
        "not a folder\n"
    );
    assert!(staging_leftovers(&root).is_empty());
}

#[test]
fn up_to_date_compile_and_diff_still_show_the_warnings_of_their_inputs() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors/name_only_access-server");
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let (fixture, out) = (
        fixture.to_str().expect("utf-8"),
        out.to_str().expect("utf-8"),
    );
    let first = mirrorc(&["compile", fixture, "-o", out], tmp.path());
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    says(&first, "name_only_access");
    for args in [
        ["compile", fixture, "-o", out],
        ["diff", fixture, "-o", out],
    ] {
        let again = mirrorc(&args, tmp.path());
        assert_eq!(code(&again), 0, "{}", stderr(&again));
        says(&again, "name_only_access");
        says(&again, "is up to date");
    }
}

#[test]
fn up_to_date_check_of_a_clean_estate_notices_a_deleted_output_file() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let manifest = fs::read_to_string(root.join("out/.mirrorc-manifest.json")).expect("manifest");
    assert!(
        manifest.contains("\"clean\": true"),
        "no finding: the fast path may skip parsing"
    );
    fs::remove_file(root.join("out/hosts-allow/fpc001")).expect("rm");
    let o = mirrorc(&["diff"], &root);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = mirrorc(&["compile"], &root);
    assert!(stderr(&o).contains("(1 written,"), "{}", stderr(&o));
    let o = mirrorc(&["compile"], &root);
    says(&o, "out is up to date");
}

/// Runs `mirrorc ARGS` in `cwd` with extra environment variables.
fn mirrorc_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mirrorc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run mirrorc")
}

/// Replaces the manifest's `files` map of `root/out` by `files` (JSON object text).
fn plant_manifest(root: &Path, files: &str) {
    fs::write(
        root.join("out/.mirrorc-manifest.json"),
        format!("{{\"version\": 1, \"files\": {files}}}\n"),
    )
    .expect("manifest");
}

#[test]
fn manifest_entries_outside_the_output_folder_are_refused_and_nothing_is_deleted() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let victim = root.join("victim");
    fs::write(&victim, "precious\n").expect("victim");
    // The victim's true hash: only the path check stands between it and deletion.
    let digest = <sha2::Sha256 as sha2::Digest>::digest(b"precious\n");
    let hash: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    for bad in [
        "../victim",
        victim.to_str().expect("utf-8"),
        "rsync/../../victim",
    ] {
        plant_manifest(&root, &format!("{{\"{bad}\": \"{hash}\"}}"));
        for args in [&["compile"][..], &["diff"][..]] {
            let o = mirrorc(args, &root);
            assert_eq!(code(&o), 2, "{bad}: {}", stderr(&o));
            says(&o, "corrupt manifest");
            says(
                &o,
                "is not a normalized relative path inside the output folder",
            );
        }
        assert_eq!(fs::read_to_string(&victim).expect("kept"), "precious\n");
    }
}

#[test]
fn corrupt_manifest_is_overridden_by_force_only_treating_every_file_as_foreign() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let victim = root.join("victim");
    fs::write(&victim, "precious\n").expect("victim");
    fs::write(root.join("out/rsync/mine.conf"), "not in any inventory\n").expect("mine");
    fs::write(root.join("out/rsync/fpc001.conf"), "hosts allow = *\n").expect("edit");
    plant_manifest(
        &root,
        "{\"../victim\": \"00\", \"rsync/mine.conf\": \"00\"}",
    );
    let o = mirrorc(&["compile", "--force"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    says(&o, "corrupt manifest");
    says(&o, "is treated as not generated by mirrorc");
    assert_eq!(fs::read_to_string(&victim).expect("kept"), "precious\n");
    assert!(
        root.join("out/rsync/mine.conf").exists(),
        "foreign: never deleted"
    );
    let conf = fs::read_to_string(root.join("out/rsync/fpc001.conf")).expect("conf");
    assert!(conf.contains("hosts deny = *"), "{conf}");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 0, "a sound manifest again: {}", stderr(&o));
}

#[test]
fn symlinked_subfolder_of_the_output_is_refused_and_its_target_untouched() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let elsewhere = root.join("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    fs::write(elsewhere.join("fweb1.conf"), "someone else's\n").expect("write");
    fs::rename(root.join("out/rsync"), root.join("rsync-was")).expect("mv");
    std::os::unix::fs::symlink(&elsewhere, root.join("out/rsync")).expect("ln");
    for args in [&["compile"][..], &["compile", "--force"][..]] {
        let o = mirrorc(args, &root);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        says(&o, "out/rsync: is a symbolic link");
        assert_eq!(tree(&elsewhere).len(), 1, "nothing written there");
    }
    // A symlink in place of one generated file is refused as well, and not followed.
    fs::remove_file(root.join("out/rsync")).expect("rm");
    fs::rename(root.join("rsync-was"), root.join("out/rsync")).expect("mv");
    fs::remove_file(root.join("out/hosts-allow/fpc001")).expect("rm");
    std::os::unix::fs::symlink(
        elsewhere.join("fweb1.conf"),
        root.join("out/hosts-allow/fpc001"),
    )
    .expect("ln");
    let o = mirrorc(&["compile", "--force"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "hosts-allow/fpc001: is a symbolic link");
    let kept = fs::read_to_string(elsewhere.join("fweb1.conf")).expect("kept");
    assert_eq!(kept, "someone else's\n");
}

#[test]
fn same_size_hand_edit_with_restored_mtime_is_not_up_to_date() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let file = root.join("out/rsync/fpc001.conf");
    let text = fs::read_to_string(&file).expect("read");
    let mtime = fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("mtime");
    let allow = text
        .lines()
        .find(|l| l.trim_start().starts_with("hosts allow = "))
        .expect("hosts allow line");
    let value = allow.split_once(" = ").expect("value").1;
    let open = format!("{:<width$}", "0.0.0.0/0", width = value.len());
    let edited = text.replacen(value, &open, 1);
    assert_eq!(edited.len(), text.len());
    fs::write(&file, &edited).expect("edit");
    let f = fs::File::options().write(true).open(&file).expect("open");
    f.set_modified(mtime).expect("touch -r");
    drop(f);
    let o = mirrorc(&["diff"], &root);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "rsync/fpc001.conf: edited by hand");
}

#[test]
fn second_compile_into_a_locked_output_folder_is_refused_or_waits() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let held = fs::File::open(root.join("out")).expect("open out");
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).expect("flock");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "another mirrorc compile is writing into out");
    let waiter = Command::new(env!("CARGO_BIN_EXE_mirrorc"))
        .args(["compile", "--wait"])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(held);
    let o = waiter.wait_with_output().expect("wait");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    says(&o, "waiting for another mirrorc compile into out");
    says(&o, "up to date");
}

#[test]
fn leftovers_of_a_killed_compile_are_removed_by_the_next() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    // What `kill -9` leaves: a staging folder of a dead process and temp files.
    let staging = root.join(".out.mirrorc-staging-0-0");
    fs::create_dir_all(staging.join("rsync")).expect("mkdir");
    fs::write(staging.join("rsync/big.conf"), "x".repeat(4096)).expect("write");
    fs::write(root.join("out/rsync/.mirrorc-Ab12Cd"), "half").expect("temp");
    fs::write(root.join("out/.mirrorc-Xy34Zw"), "half").expect("temp");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    says(&o, "which is no longer running");
    says(&o, "removed 2 temporary file(s)");
    assert!(!staging.exists());
    assert!(!root.join("out/rsync/.mirrorc-Ab12Cd").exists());
    // The same leftovers inside an empty target: it counts as empty once they are gone.
    let empty = root.join("empty");
    fs::create_dir_all(empty.join(".mirrorc-staging-0-3/lcfg")).expect("mkdir");
    let o = mirrorc(&["compile", "-o", "empty"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(staging_leftovers(&empty).is_empty());
    assert!(empty.join(".mirrorc-manifest.json").exists());
}

#[test]
fn compile_failing_half_way_says_what_it_wrote_and_the_previous_inventory_still_compiles() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let before = tree(&root.join("out"));
    let forum = root.join("site/forum.yaml");
    let v1 = fs::read_to_string(&forum).expect("read");
    // Every client of forum moves to another port: many files change.
    fs::write(&forum, v1.replace("port: 8873", "port: 8874")).expect("write");
    assert_ne!(
        fs::read_to_string(&forum).expect("read"),
        v1,
        "the edit applies"
    );
    let o = mirrorc_env(
        &["compile"],
        &root,
        &[("MIRRORC_TEST_FAIL_WRITES_AFTER", "3")],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "injected write failure");
    says(&o, "3 file(s) were written before this failure");
    let listed = stderr(&o).lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(listed, 3, "{}", stderr(&o));
    // Back to the previous inventory: the half-written files are mirrorc's own, not hand edits.
    fs::write(&forum, &v1).expect("write");
    let o = mirrorc(&["compile"], &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let after: Vec<_> = tree(&root.join("out"))
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".mirrorc-manifest.json"))
        .collect();
    let before: Vec<_> = before
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".mirrorc-manifest.json"))
        .collect();
    assert_eq!(after, before);
}

#[test]
fn output_folder_that_is_root_home_or_holds_the_inputs_is_refused() {
    let (_t, root) = estate();
    let home = root.join("home");
    fs::create_dir_all(home.join("notes")).expect("mkdir");
    let home_s = home.to_str().expect("utf-8");
    for (args, why) in [
        (vec!["compile", "-o", "/"], "is the root folder"),
        (vec!["compile", "-o", home_s], "is the home folder"),
        (vec!["compile", "-o", "site"], "holds the input site"),
        (vec!["compile", "-o", "."], "holds the input site"),
        (
            vec!["compile", "--force", "-o", "."],
            "holds the input site",
        ),
    ] {
        let o = mirrorc_env(&args, &root, &[("HOME", home_s)]);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        says(&o, why);
    }
    assert_eq!(tree(&home).len(), 0);
    assert_eq!(fs::read_dir(root.join("site")).expect("site").count(), 2);
}

#[test]
fn closed_stderr_with_many_findings_ends_quietly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut text = String::from("site: big\nmirrored_by: [big]\nclients:\n");
    for i in 0..3000 {
        text += &format!("  c{i}:\n    port: 873\n    paths: {{ home: /disk/home }}\n");
    }
    fs::write(tmp.path().join("big.yaml"), text).expect("write");
    for cmd in ["check", "compile"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mirrorc"))
            .args([cmd, "big.yaml"])
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn");
        // More than a pipe buffer of findings goes to a stderr nobody reads (`2>&1 | head -1`).
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(1), "{cmd}: findings, not a panic (101)");
    }
}

#[test]
fn dangling_or_looping_inventory_symlink_is_an_error_and_removes_nothing() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let before = tree(&root.join("out"));
    // forum.yaml moved away behind a dangling link, then a loop, then a folder by that name.
    fs::rename(root.join("site/forum.yaml"), root.join("forum.yaml.bak")).expect("mv");
    let link = root.join("site/forum.yaml");
    std::os::unix::fs::symlink(root.join("nowhere.yaml"), &link).expect("ln");
    let looped = root.join("site/loop.yml");
    std::os::unix::fs::symlink(&looped, &looped).expect("ln");
    for (args, exit) in [
        (&["check"][..], 1),
        (&["check", "--format", "json"][..], 1),
        (&["compile"][..], 1),
        (&["diff"][..], 2),
    ] {
        let o = mirrorc(args, &root);
        assert_eq!(code(&o), exit, "{args:?}: {}", stderr(&o));
        let all = stderr(&o) + &stdout(&o);
        assert!(all.contains("mirrorc::unreadable_input"), "{args:?}: {all}");
        assert!(all.contains("site/forum.yaml"), "{all}");
        assert!(all.contains("a symlink to nothing (dangling)"), "{all}");
        assert!(all.contains("site/loop.yml"), "{all}");
        assert!(all.contains("a symlink loop"), "{all}");
    }
    assert_eq!(
        tree(&root.join("out")),
        before,
        "nothing removed or written"
    );
}

/// `completions` and `man` are hidden subcommands: the bash script parses (`bash -n`), the
/// man page is roff naming every command.
#[test]
fn completions_parse_and_the_man_page_names_the_commands() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = mirrorc(&["completions", "bash"], here);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let tmp = tempfile::tempdir().expect("tmp");
    let script = tmp.path().join("mirrorc.bash");
    fs::write(&script, &o.stdout).expect("write");
    let bash = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash");
    assert!(
        bash.status.success(),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    assert!(stdout(&o).contains("compile"), "{}", stdout(&o));
    let man = mirrorc(&["man"], here);
    assert_eq!(code(&man), 0);
    for word in [
        ".TH mirrorc 1",
        "compile",
        "check",
        "diff",
        "plan",
        "verify",
    ] {
        assert!(stdout(&man).contains(word), "man page lacks {word}");
    }
    assert!(
        !stdout(&mirrorc(&["--help"], here)).contains("completions"),
        "hidden"
    );
}

/// `--quiet` drops the summary lines but never a finding; `--color always|never` overrides the
/// terminal check (and NO_COLOR).
#[test]
fn quiet_and_color_flags() {
    let (_t, root) = estate();
    let o = mirrorc(&["compile", "--quiet"], &root);
    assert_eq!(code(&o), 0);
    assert_eq!(stderr(&o), "", "quiet compile printed something");
    let warn = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/errors/system_rsync_port-client");
    let warn = warn.to_str().expect("utf-8");
    let o = mirrorc(&["check", warn, "-q"], &root);
    says(&o, "mirrorc::system_rsync_port");
    let o = mirrorc(&["check", warn, "--color", "always"], &root);
    assert!(stderr(&o).contains('\u{1b}'), "no colour: {}", stderr(&o));
    let o = mirrorc(&["check", warn, "--color", "never"], &root);
    assert!(!stderr(&o).contains('\u{1b}'), "colour: {}", stderr(&o));
}

/// `explain` finds a host by its inventory name, FQDN or address, and suggests a near miss.
#[test]
fn explain_takes_fqdns_and_addresses_and_suggests() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let by_name = stdout(&mirrorc(&["explain", "jmirror1"], here));
    assert!(by_name.starts_with("server jmirror1 "), "{by_name}");
    for alias in [
        "jmirror1.inf.ed.ac.uk",
        "JMIRROR1.inf.ed.ac.uk",
        "192.0.2.11",
    ] {
        let o = mirrorc(&["explain", alias], here);
        assert_eq!(code(&o), 0, "{alias}: {}", stderr(&o));
        assert_eq!(stdout(&o), by_name, "{alias}");
    }
    let o = mirrorc(&["explain", "fpc01"], here);
    assert_eq!(code(&o), 1);
    says(&o, "did you mean `fpc001`?");
}

#[test]
fn run_usage_and_config_errors_exit_2() {
    let (_t, root) = estate();
    let o = mirrorc(&["run", "--server", "jmirror1"], &root);
    assert_eq!(code(&o), 2, "no contract yet: {}", stderr(&o));
    says(&o, "servers/jmirror1.json");
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let state = root.join("state");
    let state = state.to_str().expect("utf8");
    let o = mirrorc(
        &[
            "run",
            "--server",
            "jmirror2",
            "--contract",
            "out/servers/jmirror1.json",
            "--state",
            state,
        ],
        &root,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "is the contract of `jmirror1`, not of `jmirror2`");
    let o = mirrorc(
        &[
            "run",
            "--server",
            "jmirror1",
            "--only",
            "nosuchclient",
            "--state",
            state,
        ],
        &root,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "known:");
    let o = mirrorc(&["run", "--server", "jmirror1", "--timeout", "soon"], &root);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = mirrorc(
        &[
            "run",
            "--server",
            "jmirror1",
            "--deadline",
            "teatime",
            "--state",
            state,
        ],
        &root,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    says(&o, "--deadline `teatime`");
    assert!(
        !root.join("state").exists(),
        "nothing runs before the arguments are good"
    );
}

/// `report --server` with a state folder that is not there is an error (exit 2), never a view
/// in which every disk looks never mirrored; an existing empty folder is a real "never tried".
#[test]
fn report_of_a_missing_state_folder_is_an_error_not_never_mirrored() {
    let (_t, root) = estate();
    assert_eq!(code(&mirrorc(&["compile"], &root)), 0);
    let missing = root.join("no-such-state");
    let args = |state: &Path| {
        vec![
            "report".to_string(),
            "--server".to_string(),
            "jmirror1".to_string(),
            "--contract".to_string(),
            "out".to_string(),
            "--state".to_string(),
            state.to_str().expect("utf-8").to_string(),
        ]
    };
    let a = args(&missing);
    let o = mirrorc(&a.iter().map(String::as_str).collect::<Vec<_>>(), &root);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    says(&o, "no state folder");
    let empty = root.join("state");
    fs::create_dir(&empty).expect("mkdir");
    let a = args(&empty);
    let o = mirrorc(&a.iter().map(String::as_str).collect::<Vec<_>>(), &root);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("never tried"), "{}", stdout(&o));
}
