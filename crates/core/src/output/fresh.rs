//! The make-like up-to-date check behind a fast no-op `compile` (and `diff`). The manifest
//! records a key of the inputs (this mirrorc build's identity and every input file's name and
//! text), whether that compile reported any finding, and the size and mtime of every file
//! written. When the key is the same and every file still has its stamp, the output cannot
//! differ, so emitting and comparing are skipped; when nothing was reported either, parsing is
//! skipped too (the same inputs give the same findings: none). Anything else (an edited input,
//! a newer mirrorc, a touched or edited output file) takes the full path, which compares
//! contents. The fast path never writes, so it cannot lose anything.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::manifest::{Manifest, Stamp};
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
