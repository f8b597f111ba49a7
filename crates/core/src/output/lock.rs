//! One `compile` at a time per output folder, and the leftovers of killed ones. [`Lock`] is an
//! exclusive `flock` on the output folder (on its parent while the folder does not exist yet),
//! held until dropped; [`clean_stale`] removes the staging folders of dead processes and the
//! `.mirrorc-*` temporary files that only a killed compile leaves behind. Under the lock no
//! live compile owns such a file, so removing them loses nothing.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use rustix::fs::FlockOperation;

use super::{manifest, with_path};

/// An exclusive lock on an output folder, released on drop (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock on `dir` without waiting: `None` when another compile holds it.
    pub fn try_acquire(dir: &Path) -> io::Result<Option<Lock>> {
        Lock::take(dir, FlockOperation::NonBlockingLockExclusive)
    }

    /// Takes the lock on `dir`, waiting for another compile to finish.
    pub fn acquire(dir: &Path) -> io::Result<Lock> {
        Lock::take(dir, FlockOperation::LockExclusive)?
            .ok_or_else(|| io::Error::other("lock not taken"))
    }

    fn take(dir: &Path, op: FlockOperation) -> io::Result<Option<Lock>> {
        loop {
            let exists = fs::metadata(dir).is_ok();
            let target = if exists {
                dir.to_path_buf()
            } else {
                parent(dir)
            };
            if !exists {
                fs::create_dir_all(&target).map_err(|e| with_path(&target, e))?;
            }
            let file = File::open(&target).map_err(|e| with_path(&target, e))?;
            match rustix::fs::flock(&file, op) {
                Ok(()) => {}
                Err(rustix::io::Errno::WOULDBLOCK) => return Ok(None),
                Err(e) => return Err(with_path(&target, e.into())),
            }
            // The folder appeared (or went) while we waited: lock what is there now instead.
            if fs::metadata(dir).is_ok() == exists {
                return Ok(Some(Lock { _file: file }));
            }
        }
    }
}

fn parent(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes what killed compiles left behind in and beside `dir`: staging folders of processes
/// that are no longer alive and, when `dir` has a manifest, the `.mirrorc-*` temporary files
/// in its tree. Returns a line per removal, for the user. Call it holding the [`Lock`].
pub fn clean_stale(dir: &Path) -> io::Result<Vec<String>> {
    let mut removed = Vec::new();
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    if let Some(name) = name {
        let sibling = format!(".{name}.mirrorc-staging-");
        clean_staging(&parent(dir), &sibling, &mut removed)?;
    }
    if fs::metadata(dir).is_err() {
        return Ok(removed);
    }
    clean_staging(dir, ".mirrorc-staging-", &mut removed)?;
    if fs::symlink_metadata(dir.join(manifest::NAME)).is_ok() {
        clean_temp_files(dir, &mut removed)?;
    }
    Ok(removed)
}

/// Removes the folders `PREFIX<pid>-<n>` of `parent` whose pid is not a live process.
fn clean_staging(parent: &Path, prefix: &str, removed: &mut Vec<String>) -> io::Result<()> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !alive(pid) {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(|e| with_path(&path, e))?;
            removed.push(format!(
                "removed {}, left by process {pid}, which is no longer running",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Is `pid` a running process? (Linux: `/proc/<pid>` exists. Elsewhere, assume it is.)
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    pid == std::process::id() || !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Removes `.mirrorc-` temporary files (not the manifest) anywhere in the tree of `dir`,
/// without following symlinks.
fn clean_temp_files(dir: &Path, removed: &mut Vec<String>) -> io::Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    let mut count = 0usize;
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| with_path(&d, e))?.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let file_name = entry.file_name();
            let temp = file_name
                .to_str()
                .is_some_and(|n| n.starts_with(".mirrorc-") && n != manifest::NAME);
            if kind.is_dir() && !temp {
                stack.push(entry.path());
            } else if kind.is_file() && temp {
                let path = entry.path();
                fs::remove_file(&path).map_err(|e| with_path(&path, e))?;
                count += 1;
            }
        }
    }
    if count > 0 {
        removed.push(format!(
            "removed {count} temporary file(s) .mirrorc-* left in {} by a killed compile",
            dir.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{clean_stale, Lock};

    #[test]
    fn a_second_lock_on_one_output_folder_is_refused_until_the_first_is_dropped() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        let first = Lock::try_acquire(&out).expect("lock").expect("free");
        assert!(Lock::try_acquire(&out).expect("lock").is_none());
        drop(first);
        std::fs::create_dir(&out).expect("mkdir");
        let first = Lock::try_acquire(&out).expect("lock").expect("free");
        assert!(Lock::try_acquire(&out).expect("lock").is_none());
        drop(first);
        assert!(Lock::try_acquire(&out).expect("lock").is_some());
    }

    #[test]
    fn staging_folders_of_dead_processes_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).expect("mkdir");
        // Pid 0 is never a process that could own a folder; our own pid is alive.
        let dead = tmp.path().join(".out.mirrorc-staging-0-0");
        let live = out.join(format!(".mirrorc-staging-{}-0", std::process::id()));
        std::fs::create_dir_all(dead.join("rsync")).expect("mkdir");
        std::fs::create_dir_all(&live).expect("mkdir");
        let said = clean_stale(&out).expect("clean");
        assert!(!dead.exists() && live.exists(), "{said:?}");
        assert_eq!(said.len(), 1, "{said:?}");
    }
}
