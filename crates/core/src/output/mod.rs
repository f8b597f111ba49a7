//! Artifacts ↔ disk. Two write paths, chosen by `stream::write`: `staging` for a missing or
//! empty output folder (nothing there can be lost), `stream` for an existing one (every
//! conflict found first by `conflicts`, so a refused compile changes nothing; then atomic
//! writes of changed files only, removal of files an earlier compile generated, the manifest
//! last). This module holds the file-level pieces they share.

pub mod conflicts;
pub mod diff;
pub mod diff_summary;
pub mod fresh;
pub mod guard;
pub mod lcfg_diff;
pub mod lock;
pub mod manifest;
pub mod policy;
pub mod staging;
pub mod stream;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use manifest::Manifest;

pub use conflicts::Conflict;

/// A file of the output tree, never through a symlink (see `guard`).
fn read_existing(path: &Path) -> io::Result<Option<Vec<u8>>> {
    guard::read_output_file(path)
}

/// Adds `fresh` (path, hash about to be written) to `pending` and, when that changes it, saves
/// the last compile's `files` with `pending` as the manifest, before the files get them: a
/// compile killed after this point leaves files that the next compile still knows as
/// mirrorc's own. The inputs key is dropped, so no up-to-date check trusts this manifest.
pub(super) fn record_pending<'a>(
    dir: &Path,
    files: &BTreeMap<String, String>,
    pending: &mut BTreeMap<String, String>,
    fresh: impl Iterator<Item = (&'a String, &'a String)>,
) -> io::Result<()> {
    let mut added = false;
    for (path, hash) in fresh {
        if files.get(path) != Some(hash) && pending.get(path) != Some(hash) {
            pending.insert(path.clone(), hash.clone());
            added = true;
        }
    }
    if !added {
        return Ok(());
    }
    let intent = Manifest {
        version: 1,
        files: files.clone(),
        pending: pending.clone(),
        ..Manifest::default()
    };
    write_atomic(&dir.join(manifest::NAME), intent.to_text().as_bytes())
}

/// The files written so far and the first error, so that a late failure says exactly what
/// was written before it.
#[derive(Default)]
pub(super) struct Written {
    paths: Vec<String>,
    error: Option<io::Error>,
}

impl Written {
    pub(super) fn record(&mut self, result: io::Result<&str>) {
        match result {
            Ok(path) => self.paths.push(path.to_string()),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    /// The error, if any, with the list of files written before it.
    pub(super) fn into_result(self, dir: &Path) -> io::Result<()> {
        let Some(e) = self.error else { return Ok(()) };
        if self.paths.is_empty() {
            return Err(io::Error::new(
                e.kind(),
                format!("{e}; nothing was written"),
            ));
        }
        let mut paths = self.paths;
        paths.sort_unstable();
        let list: Vec<String> = paths
            .iter()
            .map(|p| dir.join(p).display().to_string())
            .collect();
        Err(io::Error::new(
            e.kind(),
            format!(
                "{e}\n{} file(s) were written before this failure (the manifest lists them as \
                 pending, so the next compile replaces them without calling them hand edits):\n  {}",
                list.len(),
                list.join("\n  ")
            ),
        ))
    }
}

/// Records every file's stamp and the inputs key, and writes the manifest unless it is the
/// old one (a file written or removed always changes it: its stamp, its entry).
fn finish(
    dir: &Path,
    manifest: &mut Manifest,
    old: &Manifest,
    inputs: fresh::Inputs,
) -> io::Result<()> {
    let paths: Vec<&String> = manifest.files.keys().collect();
    let stamps = crate::par::map(&paths, |p| {
        manifest::Stamp::of(&dir.join(p)).map(|s| ((*p).clone(), s))
    });
    manifest.stamps = stamps.into_iter().flatten().collect();
    inputs.record(manifest);
    if *old != *manifest {
        write_atomic(&dir.join(manifest::NAME), manifest.to_text().as_bytes())?;
    }
    Ok(())
}

/// Writes a file through a temporary file in the same folder and a rename, mode 0644,
/// creating the folder first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    fs::create_dir_all(&parent).map_err(|e| with_path(&parent, e))?;
    replace_file(path, bytes)
}

/// [`write_atomic`] for a file whose folder exists: the rename publishes a finished file.
fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    injected_failure(path)?;
    replace_file(path, bytes)
}

fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".mirrorc-")
        .tempfile_in(parent)
        .map_err(|e| with_path(parent, e))?;
    tmp.write_all(bytes).map_err(|e| with_path(path, e))?;
    set_mode_0644(tmp.as_file()).map_err(|e| with_path(path, e))?;
    tmp.persist(path).map_err(|e| with_path(path, e.error))?;
    Ok(())
}

/// Fault injection for the tests of a compile that fails half-way (a full disk, an unwritable
/// folder found late): with `MIRRORC_TEST_FAIL_WRITES_AFTER=N` every replacing write after the
/// first N fails. Read once; unset in normal use, where it costs one atomic increment a file.
/// Unit tests name the exact files that fail instead (`tests::FAIL_WRITES`).
fn injected_failure(path: &Path) -> io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;
    static LIMIT: OnceLock<Option<usize>> = OnceLock::new();
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let limit = LIMIT.get_or_init(|| {
        std::env::var("MIRRORC_TEST_FAIL_WRITES_AFTER")
            .ok()
            .and_then(|n| n.parse().ok())
    });
    #[cfg(test)]
    if tests::FAIL_WRITES
        .lock()
        .is_ok_and(|paths| paths.iter().any(|p| p == path))
    {
        return Err(with_path(path, io::Error::other("injected write failure")));
    }
    match limit {
        Some(n) if COUNT.fetch_add(1, Ordering::Relaxed) >= *n => Err(with_path(
            path,
            io::Error::other("injected write failure (MIRRORC_TEST_FAIL_WRITES_AFTER)"),
        )),
        _ => Ok(()),
    }
}

/// Sets 0644 explicitly: creation modes are cut by the umask, and tempfile creates 0600.
#[cfg(unix)]
fn set_mode_0644(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_mode_0644(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
