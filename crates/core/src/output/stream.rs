//! Streaming `compile`: writes a large estate chunk by chunk, so the whole output (half a
//! gigabyte at 100,000 clients) is never in memory at once. It is used when no file in the
//! output folder could conflict: every existing file it would replace or delete is exactly
//! what the manifest says mirrorc wrote (or `--force`). Otherwise it steps aside and the exact
//! in-memory plan (`output::plan`) decides, refusing before anything is written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::fresh::{self, Inputs};
use super::manifest::{self, Manifest};
use super::staging;
use super::{
    finish, guard, record_pending_over, remove_empty_parents, with_path, write_in_place, Written,
};
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
    let disk = par::map(&paths, |p| fresh::known_hash(dir, old, p));
    let disk: Vec<Option<String>> = disk.into_iter().collect::<io::Result<_>>()?;
    let stale: Vec<&String> = old
        .claimed()
        .into_iter()
        .filter(|p| paths.binary_search(p).is_err())
        .collect();
    let stale_disk = par::map(&stale, |p| fresh::known_hash(dir, old, p))
        .into_iter()
        .collect::<io::Result<Vec<_>>>()?;
    let ours = |p: &String, h: &Option<String>| h.as_ref().is_none_or(|h| old.is_ours(p, h));
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
    let mut written = Written::default();
    let mut pending = old.pending.clone();
    let streamed = emit::emit_chunks(model, CHUNK, |mut chunk: Vec<Artifact>| -> io::Result<()> {
        // In path order each thread mostly creates files in a folder of its own: two threads
        // creating in one folder contend for its lock.
        chunk.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let hashes = par::map_weighted(&chunk, write_weight, |a| {
            let hash = manifest::hash(a.content.as_bytes());
            let on_disk = paths
                .binary_search(&a.path)
                .ok()
                .and_then(|i| disk[i].as_ref());
            let write = on_disk != Some(&hash);
            (hash, write)
        });
        let fresh = chunk.iter().zip(&hashes).filter(|(_, (_, w))| *w);
        let fresh: Vec<(&String, &String)> = fresh.map(|(a, (h, _))| (&a.path, h)).collect();
        record_pending_over(dir, &old.files, &pending, fresh.iter().copied())?;
        pending.extend(fresh.iter().map(|(p, h)| ((*p).clone(), (*h).clone())));
        let jobs: Vec<(&Artifact, bool)> = chunk.iter().zip(hashes.iter().map(|x| x.1)).collect();
        let done = par::map_weighted(
            &jobs,
            |(a, _)| write_weight(a),
            |(a, write)| {
                if *write {
                    write_in_place(&dir.join(&a.path), a.content.as_bytes())?;
                }
                Ok::<bool, io::Error>(*write)
            },
        );
        for ((a, (hash, _)), result) in chunk.iter().zip(hashes).zip(done) {
            manifest.files.insert(a.path.clone(), hash);
            match result {
                Ok(true) => {
                    written.record(Ok(&a.path));
                    outcome.written += 1;
                }
                Ok(false) => outcome.unchanged += 1,
                Err(e) => written.record(Err(e)),
            }
        }
        match written.error.is_some() {
            true => Err(io::Error::other("stopped")),
            false => Ok(()),
        }
    });
    if let Err(e) = streamed {
        written.error.get_or_insert(e);
    }
    written.into_result(dir)?;
    for (p, h) in stale.iter().zip(&stale_disk).filter(|(_, h)| h.is_some()) {
        let full = dir.join(p);
        debug_assert!(force || h.as_ref().is_some_and(|h| old.is_ours(p, h)));
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
    guard::probe_writable(&parents)
}
