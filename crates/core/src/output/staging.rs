//! `compile` into an output folder that does not exist yet, or is empty: nothing there can be
//! lost, so no file needs its own temporary file and rename. Every file is created straight
//! (mode 0644) in a staging folder, and the finished tree is published at the end:
//!
//! - a missing output folder: the staging folder is a hidden sibling (`.NAME.mirrorc-staging-PID-N`)
//!   renamed to the output folder in one step, so the folder appears whole or not at all;
//! - an empty output folder (perhaps a mount point or a symlink, which must stay as it is): the
//!   staging folder is inside it, and its few top-level entries are renamed up, manifest last.
//!
//! On any error the staging folder is removed and the output folder is as it was. A run killed
//! outright leaves only the hidden staging folder behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::fresh::Inputs;
use super::manifest::{self, Manifest, Stamp};
use super::stream::{self, Outcome};
use super::with_path;
use crate::emit::{self, Artifact};
use crate::model::Model;
use crate::par;

/// Where the output folder stands before a compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Nothing (not even a dangling symlink) at the path.
    Missing,
    /// An empty folder.
    Empty,
}

/// Is `dir` missing or an empty folder? `None` for anything else.
pub fn target(dir: &Path) -> io::Result<Option<Target>> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(Target::Missing)),
        Err(e) => return Err(with_path(dir, e)),
        Ok(_) => {}
    }
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none().then_some(Target::Empty)),
        Err(_) => Ok(None),
    }
}

/// A staging folder, removed on drop unless published.
struct Staging {
    path: PathBuf,
    published: bool,
}

impl Staging {
    fn create(dir: &Path, target: Target) -> io::Result<Staging> {
        let name = dir
            .file_name()
            .map_or("out".into(), |n| n.to_string_lossy());
        let (parent, stem) = match target {
            Target::Missing => {
                let parent = match dir.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                fs::create_dir_all(&parent).map_err(|e| with_path(&parent, e))?;
                (
                    parent,
                    format!(".{name}.mirrorc-staging-{}", std::process::id()),
                )
            }
            Target::Empty => (
                dir.to_path_buf(),
                format!(".mirrorc-staging-{}", std::process::id()),
            ),
        };
        for n in 0..100 {
            let path = parent.join(format!("{stem}-{n}"));
            match fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(Staging {
                        path,
                        published: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(with_path(&path, e)),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{}: 100 staging folders {stem}-* in the way",
                parent.display()
            ),
        ))
    }

    /// Moves the finished tree into `dir`.
    fn publish(mut self, dir: &Path, target: Target) -> io::Result<()> {
        match target {
            Target::Missing => fs::rename(&self.path, dir).map_err(|e| with_path(dir, e))?,
            Target::Empty => {
                self.move_up(dir)?;
                fs::remove_dir(&self.path).map_err(|e| with_path(&self.path, e))?;
            }
        }
        self.published = true;
        Ok(())
    }

    /// Renames every top-level entry of the staging folder into `dir`, manifest last (a
    /// folder with a manifest is a finished compile).
    fn move_up(&self, dir: &Path) -> io::Result<()> {
        let mut names: Vec<_> = fs::read_dir(&self.path)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()?;
        names.sort_by_key(|n| n == manifest::NAME);
        for n in names {
            let to = dir.join(&n);
            fs::rename(self.path.join(&n), &to).map_err(|e| with_path(&to, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Compiles `model` into the missing or empty folder `dir`.
pub fn write(dir: &Path, target: Target, model: &Model, inputs: Inputs) -> io::Result<Outcome> {
    let stage = Staging::create(dir, target)?;
    let root = stage.path.as_path();
    // (path, hash, stamp) of every file; the manifest's maps are built once at the end (a
    // sorted bulk build), not by an insert per file between chunks while the writers wait.
    let mut written: Vec<(String, String, Stamp)> = Vec::new();
    emit::emit_chunks(model, stream::CHUNK, |mut chunk: Vec<Artifact>| {
        chunk.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let done = par::map_weighted(&chunk, stream::write_weight, |a| {
            let stamp = write_new(&root.join(&a.path), a.content.as_bytes())?;
            Ok::<_, io::Error>((manifest::hash(a.content.as_bytes()), stamp))
        });
        for (a, result) in chunk.into_iter().zip(done) {
            let (hash, stamp) = result?;
            written.push((a.path, hash, stamp));
        }
        Ok::<(), io::Error>(())
    })?;
    let mut manifest = manifest_of(written);
    inputs.record(&mut manifest);
    if target == Target::Empty {
        // A rename changes a file's ctime: move the tree up first and stamp its top-level
        // files again where they now are, then publish the manifest alone.
        stage.move_up(dir)?;
        for (path, stamp) in manifest.stamps.iter_mut() {
            if !path.contains('/') {
                *stamp = Stamp::of(&dir.join(path)).unwrap_or_default();
            }
        }
    }
    write_new(&root.join(manifest::NAME), manifest.to_text().as_bytes())?;
    stage.publish(dir, target)?;
    let files = manifest.files.len();
    Ok(Outcome {
        files,
        written: files,
        ..Outcome::default()
    })
}

/// The manifest of the files written: both maps built side by side from sorted entries.
fn manifest_of(mut written: Vec<(String, String, Stamp)>) -> Manifest {
    written.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let (files, stamps) = std::thread::scope(|s| {
        let files = s.spawn(|| {
            written
                .iter()
                .map(|(p, h, _)| (p.clone(), h.clone()))
                .collect()
        });
        let stamps = written.iter().map(|(p, _, s)| (p.clone(), *s)).collect();
        (par::joined(files), stamps)
    });
    crate::par::drop_behind(written);
    Manifest {
        version: 1,
        files,
        stamps,
        ..Manifest::default()
    }
}

/// Creates a new file (mode 0644 whatever the umask) with `bytes`, and its folder when that is
/// missing; returns its stamp.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<Stamp> {
    let created = match create_0644(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = path.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(parent).map_err(|e| with_path(parent, e))?;
            create_0644(path)
        }
        other => other,
    };
    let mut file = created.map_err(|e| with_path(path, e))?;
    file.write_all(bytes).map_err(|e| with_path(path, e))?;
    let mut meta = file.metadata().map_err(|e| with_path(path, e))?;
    if fix_mode(&file, &meta).map_err(|e| with_path(path, e))? {
        // A mode change changes the ctime the stamp records.
        meta = file.metadata().map_err(|e| with_path(path, e))?;
    }
    Ok(Stamp::of_meta(&meta).unwrap_or_default())
}

#[cfg(unix)]
fn create_0644(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(path)
}

#[cfg(not(unix))]
fn create_0644(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// The umask may have cut the creation mode: set 0644 explicitly then (one check per file,
/// on the metadata already read for the stamp); says whether it changed the mode.
#[cfg(unix)]
fn fix_mode(file: &File, meta: &fs::Metadata) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o7777 != 0o644 {
        file.set_permissions(fs::Permissions::from_mode(0o644))?;
        return Ok(true);
    }
    Ok(false)
}

#[cfg(not(unix))]
fn fix_mode(_file: &File, _meta: &fs::Metadata) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::{target, Staging, Target};

    #[test]
    fn an_unpublished_staging_folder_is_removed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        assert_eq!(target(&out).expect("target"), Some(Target::Missing));
        let stage = Staging::create(&out, Target::Missing).expect("create");
        std::fs::write(stage.path.join("half"), "written").expect("write");
        let path = stage.path.clone();
        assert!(path.exists());
        drop(stage);
        assert!(!path.exists());
        assert!(!out.exists());
        std::fs::create_dir(&out).expect("mkdir");
        assert_eq!(target(&out).expect("target"), Some(Target::Empty));
        std::fs::write(out.join("x"), "").expect("write");
        assert_eq!(target(&out).expect("target"), None);
    }
}
