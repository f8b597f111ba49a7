//! The write paths observed on disk: staging (missing or empty folder) and the streaming
//! writer (existing folder): what is written, with which mode, what is removed (with emptied
//! folders), what is left alone, and what is refused (nothing written).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::manifest::{self, Manifest};
use super::policy::{compile, CompileOutcome};
use super::stream::Outcome;
use crate::source::SourceMap;

/// Files whose replacing write fails (see `injected_failure`): exact paths, so tests running
/// at the same time in other folders are not affected.
pub(super) static FAIL_WRITES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

const FORUM: &str = include_str!("../../../../site/forum.yaml");
const JCMB: &str = include_str!("../../../../site/jcmb.yaml");

fn sources(forum: &str) -> SourceMap {
    let mut s = SourceMap::default();
    s.add("site/forum.yaml", forum);
    s.add("site/jcmb.yaml", JCMB);
    s
}

/// `forum.yaml` without the client `name` (its whole entry).
fn without(name: &str) -> String {
    let start = FORUM.find(&format!("\n  {name}:")).expect("client");
    let end = FORUM[start + 1..]
        .find("\n  f")
        .map_or(FORUM.len(), |i| start + 1 + i);
    format!("{}{}", &FORUM[..start], &FORUM[end..])
}

fn written(out: &Path, s: &SourceMap, force: bool) -> Outcome {
    match compile(out, s, force).expect("compile") {
        CompileOutcome::Written { outcome, .. } => outcome,
        other => panic!("not written: {other:?}"),
    }
}

fn refused(out: &Path, s: &SourceMap) -> Vec<(String, &'static str)> {
    match compile(out, s, false).expect("compile") {
        CompileOutcome::Refused { conflicts, .. } => {
            conflicts.into_iter().map(|c| (c.path, c.reason)).collect()
        }
        other => panic!("not refused: {other:?}"),
    }
}

/// A file or folder of a tree: relative path, bytes (empty for a folder), mode, inode.
type Entry = (PathBuf, Vec<u8>, u32, u64);

/// Every file and folder under `dir`.
fn tree(dir: &Path) -> Vec<Entry> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            let meta = fs::symlink_metadata(&p).expect("meta");
            let bytes = if meta.is_dir() {
                stack.push(p.clone());
                Vec::new()
            } else {
                fs::read(&p).expect("read")
            };
            let rel = p.strip_prefix(dir).expect("prefix").to_path_buf();
            out.push((rel, bytes, meta.permissions().mode() & 0o7777, meta.ino()));
        }
    }
    out.sort();
    out
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).expect("meta").permissions().mode() & 0o7777
}

/// Every generated file is in the manifest with the SHA-256 of its bytes, mode 0644; nothing
/// else is in the folder but the manifest.
fn assert_complete(out: &Path, files: usize) {
    let m = Manifest::read(out).expect("manifest");
    assert_eq!(m.files.len(), files);
    let on_disk: Vec<_> = tree(out)
        .into_iter()
        .filter(|(p, ..)| !out.join(p).is_dir())
        .collect();
    let manifest_path = PathBuf::from(manifest::NAME);
    for (path, bytes, mode, _) in &on_disk {
        if *path == manifest_path {
            continue;
        }
        let key = path.to_str().expect("utf-8");
        assert_eq!(m.files.get(key), Some(&manifest::hash(bytes)), "{key}");
        assert_eq!(*mode, 0o644, "{key}");
    }
    assert_eq!(
        on_disk.len(),
        files + 1,
        "only the generated files and the manifest"
    );
}

#[test]
fn the_sha256_in_the_manifest_is_the_standard_hex_digest() {
    assert_eq!(
        manifest::hash(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn a_manifest_that_cannot_be_read_is_an_error_not_an_empty_manifest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("plain");
    fs::write(&file, "").expect("write");
    // `plain/.mirrorc-manifest.json`: not a directory, which is not "no manifest".
    assert!(Manifest::read(&file).is_err());
    assert_eq!(
        Manifest::read(tmp.path()).expect("absent"),
        Manifest::empty()
    );
}

#[test]
fn a_missing_folder_is_staged_and_published_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let o = written(&out, &sources(FORUM), false);
    assert!(o.files > 20, "{o:?}");
    assert_eq!((o.written, o.unchanged, o.removed), (o.files, 0, 0));
    assert_complete(&out, o.files);
    let siblings: Vec<_> = fs::read_dir(tmp.path()).expect("ls").collect();
    assert_eq!(siblings.len(), 1, "no staging folder left beside it");
}

#[test]
fn an_empty_folder_is_staged_inside_and_keeps_its_own_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o750)).expect("chmod");
    let o = written(&out, &sources(FORUM), false);
    assert_eq!(o.written, o.files);
    assert_complete(&out, o.files);
    assert_eq!(mode(&out), 0o750);
}

#[test]
fn a_recompile_rewrites_only_what_changed_and_removes_stale_files_and_folders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let first = written(&out, &sources(FORUM), false);
    let unit = out.join("systemd/fweb1/rmirrorclient-rsyncd.service");
    assert!(unit.exists());
    let before = tree(&out);
    let o = written(&out, &sources(&without("fweb1")), false);
    assert!(o.removed >= 4, "{o:?}");
    assert_eq!(o.files, first.files - o.removed);
    assert!(o.unchanged > 0 && o.written > 0, "{o:?}");
    assert!(!unit.exists());
    assert!(
        !out.join("systemd/fweb1").exists(),
        "emptied folder removed"
    );
    assert!(out.join("systemd").exists());
    assert!(!out.join("rsync/fweb1.conf").exists());
    assert_complete(&out, o.files);
    // Unchanged files are not rewritten: same inode.
    let after = tree(&out);
    let kept = |p: &str| {
        let find = |t: &[Entry]| t.iter().find(|e| e.0 == Path::new(p)).map(|e| e.3);
        (find(&before), find(&after))
    };
    let (b, a) = kept("rsync/fpc001.conf");
    assert_eq!(b, a, "an unchanged file keeps its inode");
    let (b, a) = kept("spanning-map.json");
    assert_ne!(b, a, "a changed file is replaced");
    assert_eq!(mode(&out.join("spanning-map.json")), 0o644);
}

#[test]
fn hand_edits_and_foreign_files_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    written(&out, &sources(FORUM), false);
    let edited = out.join("rsync/fpc001.conf");
    fs::write(&edited, "hosts allow = *\n").expect("edit");
    let stale_edit = out.join("lcfg/clients/fweb1.h");
    fs::write(&stale_edit, "/* mine */\n").expect("edit");
    let mut m = Manifest::read(&out).expect("manifest");
    m.files.remove("hosts-allow/fpc001");
    fs::write(out.join(manifest::NAME), m.to_text()).expect("forget one file");
    fs::write(out.join("hosts-allow/fpc001"), "*\n").expect("foreign");
    let before = tree(&out);
    let s = sources(&without("fweb1"));
    assert_eq!(
        refused(&out, &s),
        [
            (
                "hosts-allow/fpc001".to_string(),
                "not generated by mirrorc; it would be overwritten"
            ),
            (
                "rsync/fpc001.conf".to_string(),
                "edited by hand since mirrorc generated it; it would be overwritten"
            ),
            (
                "lcfg/clients/fweb1.h".to_string(),
                "edited by hand since mirrorc generated it; it would be deleted"
            ),
        ]
    );
    assert_eq!(tree(&out), before, "a refused compile changes nothing");
    // --force replaces and deletes them, mode 0644.
    let o = written(&out, &s, true);
    assert!(o.written >= 2 && o.removed >= 4, "{o:?}");
    assert_ne!(fs::read(&edited).expect("read"), b"hosts allow = *\n");
    assert_eq!(mode(&edited), 0o644);
    assert!(!stale_edit.exists());
    assert_complete(&out, o.files);
}

#[test]
fn a_foreign_file_that_already_holds_the_new_content_is_no_conflict() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let s = sources(FORUM);
    let first = written(&out, &s, false);
    let mut m = Manifest::read(&out).expect("manifest");
    m.files.remove("rsync/fpc001.conf");
    m.inputs = None;
    fs::write(out.join(manifest::NAME), m.to_text()).expect("forget one file");
    let o = written(&out, &s, false);
    assert_eq!((o.written, o.unchanged), (0, first.files), "{o:?}");
    assert_complete(&out, first.files);
}

#[test]
fn a_file_of_ours_with_other_content_is_replaced_without_force() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let s = sources(FORUM);
    written(&out, &s, false);
    // What an interrupted compile leaves: a file holding the hash it was about to write.
    let file = out.join("rsync/fpc001.conf");
    let right = fs::read(&file).expect("read");
    fs::write(&file, "half\n").expect("write");
    let mut m = Manifest::read(&out).expect("manifest");
    m.pending
        .insert("rsync/fpc001.conf".into(), manifest::hash(b"half\n"));
    m.inputs = None;
    fs::write(out.join(manifest::NAME), m.to_text()).expect("pending");
    let o = written(&out, &s, false);
    assert_eq!(o.written, 1, "{o:?}");
    assert_eq!(fs::read(&file).expect("read"), right);
    assert_eq!(mode(&file), 0o644);
    assert!(Manifest::read(&out).expect("manifest").pending.is_empty());
}

#[test]
fn a_write_failing_half_way_says_what_was_written_and_leaves_it_pending() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let old = sources(FORUM);
    let first = written(&out, &old, false);
    // Removing fweb1 changes several files; the spanning map (written late) fails.
    let map = out.join("spanning-map.json");
    FAIL_WRITES.lock().expect("lock").push(map.clone());
    let new = sources(&without("fweb1"));
    let e = compile(&out, &new, false).expect_err("the write fails");
    FAIL_WRITES.lock().expect("lock").retain(|p| *p != map);
    let text = e.to_string();
    assert!(text.contains("injected write failure"), "{text}");
    assert!(text.contains("were written before this failure"), "{text}");
    // The holder of fweb1 lost a disk: its header was written, and is listed.
    let servers = out.join("lcfg/servers").display().to_string();
    assert!(text.contains(&servers), "{text}");
    assert!(!text.contains("spanning-map.json\n"), "{text}");
    let m = Manifest::read(&out).expect("manifest");
    assert!(m.inputs.is_none(), "no up-to-date check may trust it");
    assert_eq!(
        m.files.len(),
        first.files,
        "the last compile's files are still ours"
    );
    assert!(
        m.pending.contains_key("spanning-map.json"),
        "{:?}",
        m.pending
    );
    assert!(
        out.join("rsync/fweb1.conf").exists(),
        "nothing removed before every write"
    );
    // Back to the old inventory: the half-written files are ours, not hand edits.
    let o = written(&out, &old, false);
    assert!(o.written > 0, "{o:?}");
    assert_complete(&out, o.files);
    assert!(Manifest::read(&out).expect("manifest").pending.is_empty());
}

#[test]
fn a_pending_hash_is_saved_before_the_write_even_when_it_replaces_an_older_one() {
    use std::collections::BTreeMap;
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, h0, h1, h2) = (
        "a".to_string(),
        "0".to_string(),
        "1".to_string(),
        "2".to_string(),
    );
    let files = BTreeMap::from([(a.clone(), h0.clone())]);
    let mut pending = BTreeMap::from([(a.clone(), h1)]);
    // Already the hash of `files` or of `pending`: nothing to save.
    for h in [&h0, &pending["a"].clone()] {
        super::record_pending(tmp.path(), &files, &mut pending, [(&a, h)].into_iter())
            .expect("record");
        assert!(!tmp.path().join(manifest::NAME).exists());
    }
    super::record_pending(tmp.path(), &files, &mut pending, [(&a, &h2)].into_iter())
        .expect("record");
    let saved = Manifest::read(tmp.path()).expect("saved");
    assert_eq!(saved.files, files);
    assert_eq!(saved.pending, BTreeMap::from([(a, h2)]));
    assert_eq!(saved.inputs, None);
}

#[test]
fn a_new_client_in_an_existing_tree_gets_its_folders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    written(&out, &sources(&without("fweb1")), false);
    assert!(!out.join("systemd/fweb1").exists());
    let o = written(&out, &sources(FORUM), false);
    assert!(o.written >= 4 && o.removed == 0, "{o:?}");
    let unit = out.join("systemd/fweb1/rmirrorclient-rsyncd.service");
    assert!(unit.is_file());
    assert_eq!(mode(&unit), 0o644);
    assert_complete(&out, o.files);
}
