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
    assert_eq!(json[0]["code"], "mirrorc::unknown_site");
    assert_eq!(
        (json[0]["line"].as_u64(), json[0]["column"].as_u64()),
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
    let codes: Vec<&str> = json
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
        stderr(&o).ends_with("error: aborting due to 6 errors; 1 warning\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn diff_summarises_access_changes_then_shows_files() {
    let (_t, root) = estate();
    let o = mirrorc(&["diff"], &root);
    assert_eq!(code(&o), 1, "no out/ yet: everything differs");
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
    assert!(out.starts_with("access changes:\n"), "{out}");
    assert!(out.contains("hosts allow -jmirror3"), "{out}");
    assert!(out.contains("--- a/rsync/"), "{out}");
    assert!(out.contains("+++ b/rsync/"), "{out}");
}

#[test]
fn explain_client_and_server() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = mirrorc(&["explain", "fpc001"], here);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("server set:"), "{}", stdout(&o));
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
