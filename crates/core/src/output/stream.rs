//! Streaming `compile`: writes a large estate chunk by chunk, so the whole output (half a
//! gigabyte at 100,000 clients) is never in memory at once. It is used when no file in the
//! output folder could conflict: every existing file it would replace or delete is exactly
//! what the manifest says mirrorc wrote (or `--force`). Otherwise it steps aside and the exact
//! in-memory plan (`output::plan`) decides, refusing before anything is written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::fresh::Inputs;
use super::manifest::{self, Manifest};
use super::staging;
use super::{finish, read_existing, remove_empty_parents, with_path, write_in_place};
use crate::emit::{self, Artifact, EmitError};
use crate::model::Model;
use crate::par;

/// Clients rendered per chunk.
pub(super) const CHUNK: usize = 4096;

/// What a streamed compile did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files generated.
    pub files: usize,
    /// Files (re)written.
    pub written: usize,
    /// Files left alone (same content).
    pub unchanged: usize,
    /// Stale generated files deleted.
    pub removed: usize,
}

/// The result of trying to stream.
#[derive(Debug)]
pub enum Streamed {
    /// Done.
    Done(Outcome),
    /// A file in the way was edited by hand or is not ours: use the exact plan instead.
    NeedsPlan,
}

impl From<EmitError> for io::Error {
    fn from(e: EmitError) -> io::Error {
        io::Error::other(e)
    }
}

/// Compiles `model` into `dir` by streaming, unless a conflict is possible.
pub fn write(
    dir: &Path,
    model: &Model,
    old: &Manifest,
    force: bool,
    inputs: Inputs,
) -> io::Result<Streamed> {
    if let Some(target) = staging::target(dir)? {
        return Ok(Streamed::Done(staging::write(dir, target, model, inputs)?));
    }
    let paths = emit::paths(model);
    let disk = par::map(&paths, |p| disk_hash(dir, p));
    let disk: Vec<Option<String>> = disk.into_iter().collect::<io::Result<_>>()?;
    let stale: Vec<&String> = old
        .files
        .keys()
        .filter(|p| paths.binary_search(p).is_err())
        .collect();
    let stale_disk = par::map(&stale, |p| disk_hash(dir, p))
        .into_iter()
        .collect::<io::Result<Vec<_>>>()?;
    let ours = |p: &String, h: &Option<String>| h.is_none() || old.files.get(p) == h.as_ref();
    let clean = paths.iter().zip(&disk).all(|(p, h)| ours(p, h))
        && stale.iter().zip(&stale_disk).all(|(p, h)| ours(p, h));
    if !clean && !force {
        return Ok(Streamed::NeedsPlan);
    }
    make_folders(dir, &paths)?;
    let mut manifest = Manifest {
        version: 1,
        ..Manifest::default()
    };
    let mut outcome = Outcome {
        files: paths.len(),
        ..Outcome::default()
    };
    emit::emit_chunks(model, CHUNK, |mut chunk: Vec<Artifact>| -> io::Result<()> {
        // In path order each thread mostly creates files in a folder of its own: two threads
        // creating in one folder contend for its lock.
        chunk.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let done = par::map_weighted(&chunk, write_weight, |a| {
            write_if_changed(dir, a, &paths, &disk)
        });
        for (a, result) in chunk.iter().zip(done) {
            let (hash, wrote) = result?;
            manifest.files.insert(a.path.clone(), hash);
            *(if wrote {
                &mut outcome.written
            } else {
                &mut outcome.unchanged
            }) += 1;
        }
        Ok(())
    })?;
    for (p, h) in stale.iter().zip(&stale_disk).filter(|(_, h)| h.is_some()) {
        let full = dir.join(p);
        debug_assert!(force || old.files.get(*p) == h.as_ref());
        fs::remove_file(&full).map_err(|e| with_path(&full, e))?;
        remove_empty_parents(dir, &full);
        outcome.removed += 1;
    }
    let changed = outcome.written > 0 || outcome.removed > 0;
    finish(dir, &mut manifest, old, inputs, changed)?;
    Ok(Streamed::Done(outcome))
}

/// Rough cost of writing an artifact, in bytes: its length plus a file creation.
pub(super) fn write_weight(a: &Artifact) -> usize {
    a.content.len() + 4096
}

fn disk_hash(dir: &Path, path: &str) -> io::Result<Option<String>> {
    Ok(read_existing(&dir.join(path))?.map(|bytes| manifest::hash(&bytes)))
}

pub(super) fn make_folders(dir: &Path, paths: &[String]) -> io::Result<()> {
    let mut parents: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| dir.join(p).parent().map(Path::to_path_buf))
        .collect();
    parents.sort();
    parents.dedup();
    for p in parents.iter().chain([&dir.to_path_buf()]) {
        fs::create_dir_all(p).map_err(|e| with_path(p, e))?;
    }
    Ok(())
}

/// Writes `a` unless the file already holds exactly its content; returns its hash and
/// whether it was written.
fn write_if_changed(
    dir: &Path,
    a: &Artifact,
    paths: &[String],
    disk: &[Option<String>],
) -> io::Result<(String, bool)> {
    let hash = manifest::hash(a.content.as_bytes());
    let on_disk = paths
        .binary_search(&a.path)
        .ok()
        .and_then(|i| disk[i].as_ref());
    if on_disk == Some(&hash) {
        return Ok((hash, false));
    }
    write_in_place(&dir.join(&a.path), a.content.as_bytes())?;
    Ok((hash, true))
}
