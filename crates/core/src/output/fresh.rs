//! The make-like up-to-date check behind a fast no-op `compile` (and `diff`). The manifest
//! records a key of the inputs (this mirrorc build's identity and every input file's name and
//! text), whether that compile reported any finding, and the size and mtime of every file
//! written. When the key is the same and every file still has its stamp, the output cannot
//! differ, so emitting and comparing are skipped; when nothing was reported either, parsing is
//! skipped too (the same inputs give the same findings: none). Anything else (an edited input,
//! a newer mirrorc, a touched or edited output file) takes the full path, which compares
//! contents. The fast path never writes, so it cannot lose anything. The same stamps let a
//! compile or `diff` that does work skip reading files whose stamp did not move
//! ([`known_hash`]): ctime and inode cannot be put back by hand, so an edit always moves it.

use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::manifest::{self, Manifest, Stamp};
use crate::source::SourceMap;

/// What a compile records of its inputs in the manifest.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// [`inputs_key`] of the sources.
    pub key: String,
    /// No finding at all was reported for them.
    pub clean: bool,
}

impl Inputs {
    /// Records these inputs in a manifest.
    pub fn record(self, manifest: &mut Manifest) {
        manifest.inputs = Some(self.key);
        manifest.clean = self.clean;
    }
}

/// Key of the inputs: mirrorc's version and executable stamp, then each file's name and text.
/// (Each file is hashed on its own, in parallel; the key hashes those digests in order.)
pub fn inputs_key(sources: &SourceMap) -> String {
    let files: Vec<_> = sources.iter().map(|(_, f)| f).collect();
    let digests = crate::par::map_min(&files, 2, |f| {
        let mut h = Sha256::new();
        h.update((f.name.len() as u64).to_le_bytes());
        h.update(f.name.as_bytes());
        h.update((f.text.len() as u64).to_le_bytes());
        h.update(f.text.as_bytes());
        h.finalize()
    });
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| Stamp::of(&p))
        .unwrap_or_default();
    h.update(exe.size.to_le_bytes());
    h.update(exe.mtime_ns.to_le_bytes());
    for d in digests {
        h.update(d);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Is `dir` (whose manifest is `manifest`) exactly what a compile of inputs with this key
/// wrote, untouched since?
pub fn is_fresh(dir: &Path, manifest: &Manifest, key: &str) -> bool {
    if manifest.inputs.as_deref() != Some(key) || manifest.stamps.len() != manifest.files.len() {
        return false;
    }
    let entries: Vec<(&String, &Stamp)> = manifest.stamps.iter().collect();
    let same = crate::par::map(&entries, |(path, stamp)| {
        manifest.files.contains_key(*path) && Stamp::of(&dir.join(path)) == Some(**stamp)
    });
    same.into_iter().all(|x| x)
}

/// The hash the manifest records for the file at `full` (relative path `path`) when the file
/// still has the stamp recorded right after it was written: size, mtime, ctime and inode
/// unchanged, so its content is what was hashed then, and it need not be read. `None` when the
/// manifest has no stamp or hash for it, or the file is absent, moved, or touched since.
pub fn recorded_hash<'m>(full: &Path, manifest: &'m Manifest, path: &str) -> Option<&'m String> {
    let stamp = manifest.stamps.get(path)?;
    let hash = manifest.files.get(path)?;
    (Stamp::of(full).as_ref() == Some(stamp)).then_some(hash)
}

/// The hash of the file at `path` below `dir` as the hand-edit guard needs it (`None`: absent):
/// the manifest's when the file still has its recorded stamp ([`recorded_hash`]: one `lstat`,
/// no read), else the hash of what is on disk. So a compile reads only the files whose stamp
/// moved, not every file it might replace.
pub fn known_hash(dir: &Path, manifest: &Manifest, path: &str) -> io::Result<Option<String>> {
    let full = dir.join(path);
    if let Some(hash) = recorded_hash(&full, manifest, path) {
        return Ok(Some(hash.clone()));
    }
    Ok(super::guard::read_output_file(&full)?.map(|bytes| manifest::hash(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::{known_hash, recorded_hash, Manifest, Stamp};

    #[test]
    fn a_file_with_its_recorded_stamp_is_not_read_and_a_restamped_edit_is() {
        let tmp = tempfile::tempdir().expect("tmp");
        let file = tmp.path().join("a");
        std::fs::write(&file, "generated\n").expect("write");
        let mut m = Manifest::empty();
        // A hash that is not the content's: returned only if the file was not read.
        m.files.insert("a".into(), "recorded".into());
        m.stamps
            .insert("a".into(), Stamp::of(&file).expect("stamp"));
        assert_eq!(
            recorded_hash(&file, &m, "a").map(String::as_str),
            Some("recorded")
        );
        assert_eq!(
            known_hash(tmp.path(), &m, "a").expect("hash").as_deref(),
            Some("recorded")
        );
        // Same size, mtime put back: the ctime moved, so the file is read and hashed.
        let mtime = std::fs::metadata(&file)
            .and_then(|x| x.modified())
            .expect("mtime");
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(&file, "GENERATED\n").expect("edit");
        let f = std::fs::File::options()
            .write(true)
            .open(&file)
            .expect("open");
        f.set_modified(mtime).expect("touch -r");
        drop(f);
        assert_eq!(recorded_hash(&file, &m, "a"), None);
        let read = known_hash(tmp.path(), &m, "a").expect("hash");
        assert_eq!(read, Some(super::manifest::hash(b"GENERATED\n")));
        std::fs::remove_file(&file).expect("rm");
        assert_eq!(known_hash(tmp.path(), &m, "a").expect("hash"), None);
    }
}
