//! `mirrorc import` and `mirrorc diff --lcfg` through the real binary: the legacy example
//! imports into an inventory that checks clean and is equivalent, a seeded difference is
//! named, nothing is overwritten without `--force`, the output is deterministic, every
//! import diagnostic renders as snapshotted (fixtures under tests/fixtures/import/), and the
//! semantic LCFG diff ignores reordering but names a removed tag.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{code, mirrorc_in, stderr, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn mirrorc(args: &[&str]) -> Output {
    mirrorc_in(root(), args)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Every file of a folder, by name.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                fs::read(&p).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn legacy_example_imports_checks_clean_and_is_equivalent() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = mirrorc(&[
        "import",
        "examples/legacy",
        "-o",
        s(&out),
        "--check-equivalence",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "", "no differences expected");
    assert!(
        stderr(&o).contains("equivalent: 4 client(s) admit and 5 server(s) pull the same"),
        "{}",
        stderr(&o)
    );
    let names: Vec<String> = contents(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["at.yaml", "forum.yaml", "jcmb.yaml"]);
    let check = mirrorc(&["check", "--deny-warnings", s(&out)]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
}

/// The ISO example (`##` macros) is equivalent when read as ISO cpp, and under LCFG's own
/// traditional cpp (the default) each `##` macro is reported, naming its line.
#[test]
fn iso_example_imports_as_iso_and_its_pastes_are_reported_as_traditional() {
    let tmp = tempfile::tempdir().expect("tmp");
    let iso = mirrorc(&[
        "import",
        "examples/legacy-iso",
        "-o",
        s(&tmp.path().join("iso")),
        "--cpp-mode",
        "iso",
        "--check-equivalence",
    ]);
    assert_eq!(code(&iso), 0, "{}{}", stdout(&iso), stderr(&iso));
    assert!(
        !stderr(&iso).contains("import_iso_paste"),
        "{}",
        stderr(&iso)
    );
    let trad = mirrorc(&["import", "examples/legacy", "-o", s(&tmp.path().join("t"))]);
    assert_eq!(code(&trad), 0, "{}", stderr(&trad));
    // The same inventory; only the header comment naming the legacy files differs.
    let yaml = |dir: &str| -> Vec<(String, String)> {
        contents(&tmp.path().join(dir))
            .into_iter()
            .map(|(n, b)| {
                let text = String::from_utf8(b).expect("UTF-8");
                let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
                (n, body.join("\n"))
            })
            .collect()
    };
    assert!(
        yaml("iso") == yaml("t"),
        "both examples import to the same inventory"
    );
    let o = mirrorc(&[
        "import",
        "examples/legacy-iso",
        "-o",
        s(&tmp.path().join("trad")),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("mirrorc::import_iso_paste").count(), 1, "{err}");
    assert!(err.contains("examples/legacy-iso/macros.h:"), "{err}");
    assert!(
        err.contains("#define MIRROR_CLIENT(tag, fqdn, module, path)"),
        "{err}"
    );
}

#[test]
fn seeded_difference_is_reported_by_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let legacy = tmp.path().join("legacy");
    copy_dir(&root().join("examples/legacy"), &legacy);
    let header = legacy.join("sites/jcmb.h");
    let text = fs::read_to_string(&header).expect("jcmb.h");
    let seeded = text.replace(
        "jmirror1.inf.ed.ac.uk jmirror2.inf.ed.ac.uk",
        "jmirror1.inf.ed.ac.uk",
    );
    assert_ne!(text, seeded, "the seed must change the define");
    fs::write(&header, seeded).expect("write");
    let o = mirrorc(&[
        "import",
        s(&legacy),
        "-o",
        s(&tmp.path().join("site")),
        "--check-equivalence",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "jmirror2: pulls fpc002_home only in the legacy setup\n"
    );
    assert!(
        stderr(&o).contains("server `jmirror2` is in no RMIRROR_SERVERS_<SITE> list"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn existing_inventory_files_are_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    fs::create_dir(&out).expect("mkdir");
    fs::write(out.join("jcmb.yaml"), "site: jcmb\n").expect("write");
    let o = mirrorc(&["import", "examples/legacy", "-o", s(&out)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to overwrite 1 existing inventory file(s)"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("jcmb.yaml"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(out.join("jcmb.yaml")).expect("read"),
        "site: jcmb\n"
    );
    assert!(
        !out.join("at.yaml").exists(),
        "nothing may be written when refusing"
    );
    let forced = mirrorc(&["import", "examples/legacy", "-o", s(&out), "--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert_ne!(
        fs::read_to_string(out.join("jcmb.yaml")).expect("read"),
        "site: jcmb\n"
    );
}

#[test]
fn import_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let o = mirrorc(&["import", "examples/legacy", "-o", s(out)]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert_eq!(contents(&a), contents(&b));
    let jcmb = fs::read_to_string(a.join("jcmb.yaml")).expect("read");
    insta::assert_snapshot!("imported_jcmb_yaml", jcmb);
}

#[test]
fn legacy_files_needing_cpp_are_imported_through_cpp() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = mirrorc(&[
        "import",
        "tests/fixtures/import/ok-needs_cpp",
        "-o",
        s(&out),
        "--check-equivalence",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let a = fs::read_to_string(out.join("a.yaml")).expect("a.yaml");
    assert!(
        a.contains("safety_limit: 90"),
        "cpp must evaluate `#if RMIRROR_LEVEL * 2 < 1` as true:\n{a}"
    );
}

#[test]
fn import_diagnostics() {
    insta::glob!("fixtures/import/import_*", |dir| {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("site");
        let rel = dir.strip_prefix(root()).expect("fixture under the crate");
        let o = mirrorc(&["import", s(rel), "-o", s(&out), "--check-equivalence"]);
        let text = format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            code(&o),
            stdout(&o),
            stderr(&o)
        );
        insta::assert_snapshot!(text.replace(s(&out), "[OUT]"));
    });
}

/// Compiles the bundled estate into a temp output folder.
fn compiled() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let o = mirrorc(&["compile", "site", "-o", s(&out)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (tmp, out)
}

/// Rewrites jmirror1's `!rmirror.disklist mADD(...)` in `out` with `edit(tags)`; returns the
/// tags it had.
fn rewrite_disklist(out: &Path, edit: impl FnOnce(&[String]) -> Vec<String>) -> Vec<String> {
    let header = out.join("lcfg/servers/jmirror1.h");
    let text = fs::read_to_string(&header).expect("header");
    let prefix = "!rmirror.disklist mADD(";
    let line = text
        .lines()
        .find(|l| l.starts_with(prefix))
        .expect("disk list");
    let tags: Vec<String> = line[prefix.len()..]
        .trim_end_matches(')')
        .split(' ')
        .map(String::from)
        .collect();
    let edited = format!("{prefix}{})", edit(&tags).join(" "));
    fs::write(&header, text.replace(line, &edited)).expect("write");
    tags
}

#[test]
fn lcfg_diff_ignores_a_reordered_list() {
    let (_tmp, out) = compiled();
    let same = mirrorc(&["diff", "--lcfg", "site", "-o", s(&out)]);
    assert_eq!(code(&same), 0, "{}{}", stdout(&same), stderr(&same));
    let tags = rewrite_disklist(&out, |tags| tags.iter().rev().cloned().collect());
    assert!(tags.len() > 1, "need a list to reorder: {tags:?}");
    let o = mirrorc(&["diff", "--lcfg", "site", "-o", s(&out)]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    let plain = mirrorc(&["diff", "site", "-o", s(&out)]);
    assert_eq!(code(&plain), 1, "the line diff does see the reordering");
}

#[test]
fn lcfg_diff_names_a_removed_tag() {
    let (_tmp, out) = compiled();
    let tags = rewrite_disklist(&out, |tags| tags[1..].to_vec());
    let dropped = tags.first().expect("a tag");
    let o = mirrorc(&["diff", "--lcfg", "site", "-o", s(&out)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("lcfg/servers/jmirror1.h:\n  rmirror.disklist: +{dropped}\n")
    );
}

#[test]
fn lcfg_diff_names_a_removed_server_in_a_site_list() {
    let (_tmp, out) = compiled();
    let header = out.join("lcfg/sites/jcmb.h");
    let text = fs::read_to_string(&header).expect("header");
    let edited = text.replacen(" jmirror2.inf.ed.ac.uk", "", 1);
    assert_ne!(text, edited);
    fs::write(&header, edited).expect("write");
    let o = mirrorc(&["diff", "--lcfg", "site", "-o", s(&out)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("#define RMIRROR_SERVERS_JCMB: +jmirror2.inf.ed.ac.uk"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn import_never_reads_an_include_outside_the_given_folders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let legacy = tmp.path().join("legacy");
    copy_dir(&root().join("examples/legacy"), &legacy);
    let secret = tmp.path().join("secret.h");
    fs::write(&secret, "SECRET_MARKER_LINE must never be shown\n").expect("secret");
    let server = legacy.join("servers/fmirror1");
    let text = fs::read_to_string(&server).expect("read");
    let text = format!("#include \"/etc/passwd\"\n#include \"../../secret.h\"\n{text}");
    fs::write(&server, text).expect("write");
    let out = tmp.path().join("site");
    let o = mirrorc(&["import", s(&legacy), "-o", s(&out)]);
    let all = stderr(&o) + &stdout(&o);
    assert_eq!(code(&o), 1, "{all}");
    assert!(all.contains("mirrorc::import_missing_include"), "{all}");
    assert!(
        all.contains("/etc/passwd") && all.contains("../../secret.h"),
        "{all}"
    );
    assert!(!all.contains("SECRET_MARKER_LINE"), "{all}");
    assert!(!all.contains("root:"), "{all}");
}

#[test]
fn import_and_diff_lcfg_refuse_a_header_that_is_not_a_regular_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let legacy = tmp.path().join("legacy");
    copy_dir(&root().join("examples/legacy"), &legacy);
    std::os::unix::fs::symlink("/dev/zero", legacy.join("servers/zero")).expect("ln");
    let o = mirrorc(&["import", s(&legacy), "-o", s(&tmp.path().join("site"))]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("servers/zero: not a regular file"),
        "{}",
        stderr(&o)
    );
    let out = tmp.path().join("out");
    assert_eq!(code(&mirrorc(&["compile", "site", "-o", s(&out)])), 0);
    let header = out.join("lcfg/servers/jmirror1.h");
    fs::remove_file(&header).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &header).expect("ln");
    let o = mirrorc(&["diff", "--lcfg", "site", "-o", s(&out)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("jmirror1.h: not a regular file"),
        "{}",
        stderr(&o)
    );
}
