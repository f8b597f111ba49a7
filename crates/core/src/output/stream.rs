//! The one writer of `compile` into an existing output folder: every conflict is found first
//! (`conflicts`: a scan of the folder, nothing written), then the estate is rendered and written
//! chunk by chunk, so the whole output (half a gigabyte at 100,000 clients) is never in memory
//! at once. Each changed file is replaced atomically (temp file + rename, mode 0644), unchanged
//! files are left alone, generated files no longer produced are deleted (with their emptied
//! folders), the manifest last. A missing or empty folder goes to `staging` instead.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::conflicts::{self, Conflict, Scan};
use super::fresh::Inputs;
use super::manifest::{self, Manifest};
use super::staging;
use super::{
    finish, guard, record_pending, remove_empty_parents, with_path, write_in_place, Written,
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

/// The result of a compile's write.
#[derive(Debug)]
pub enum Streamed {
    /// Done.
    Done(Outcome),
    /// Files in the way would be lost (and no `--force`): nothing was written.
    Refused(Vec<Conflict>),
}

impl From<EmitError> for io::Error {
    fn from(e: EmitError) -> io::Error {
        io::Error::other(e)
    }
}

/// Compiles `model` into `dir`: staged when `dir` is missing or empty, refused when a file in
/// the way is not ours (unless `force`), else streamed.
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
    let scan = Scan::of(dir, model, old)?;
    if !force {
        let conflicts = conflicts::find(model, old, &scan)?;
        if !conflicts.is_empty() {
            return Ok(Streamed::Refused(conflicts));
        }
    }
    Ok(Streamed::Done(stream(dir, model, old, &scan, inputs)?))
}

/// Writes every changed file chunk by chunk, then removes the stale ones and saves the manifest.
fn stream(
    dir: &Path,
    model: &Model,
    old: &Manifest,
    scan: &Scan,
    inputs: Inputs,
) -> io::Result<Outcome> {
    let paths = &scan.paths;
    make_folders(dir, paths)?;
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
            let write = scan.on_disk(&a.path) != Some(&hash);
            (hash, write)
        });
        let fresh = chunk.iter().zip(&hashes).filter(|(_, (_, w))| *w);
        let fresh: Vec<(&String, &String)> = fresh.map(|(a, (h, _))| (&a.path, h)).collect();
        record_pending(dir, &old.files, &mut pending, fresh.iter().copied())?;
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
    for (p, _) in scan.stale.iter().filter(|(_, h)| h.is_some()) {
        let full = dir.join(p);
        fs::remove_file(&full).map_err(|e| with_path(&full, e))?;
        remove_empty_parents(dir, &full);
        outcome.removed += 1;
    }
    finish(dir, &mut manifest, old, inputs)?;
    Ok(outcome)
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
