//! What keeps `compile` inside its output folder: files read only when regular and not too
//! large, no write or delete through a symlink below the output folder (the folder itself may
//! be one), a writability probe of every target folder before the first write, and the sanity
//! rules for the output folder itself (never `/`, the home folder, or a folder holding inputs).
//! It decides and reports; it never removes or writes anything but its probe files.

use std::fs::{self, File};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use super::with_path;

/// Reads a regular file (following a symlink to it) of at most `cap` bytes. Anything else (a
/// folder, a device such as `/dev/zero`, a FIFO, a larger file) is an `InvalidInput` error
/// naming the path; `NotFound` stays `NotFound`.
pub fn read_regular(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| with_path(path, e))?;
    read_file(path, file, cap)
}

fn read_file(path: &Path, file: File, cap: u64) -> io::Result<Vec<u8>> {
    let meta = file.metadata().map_err(|e| with_path(path, e))?;
    if !meta.is_file() {
        return Err(invalid(path, "not a regular file"));
    }
    if meta.len() > cap {
        return Err(invalid(
            path,
            &format!("larger than the limit of {cap} bytes"),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| with_path(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(invalid(
            path,
            &format!("grew past the limit of {cap} bytes"),
        ));
    }
    Ok(bytes)
}

/// Reads a file of the output tree without following a symlink at its last component:
/// `None` when absent, an `InvalidInput` error when it is a symlink or not a regular file.
pub fn read_output_file(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => read_file(path, File::from(fd), u64::MAX / 2).map(Some),
        Err(rustix::io::Errno::NOENT) => Ok(None),
        Err(rustix::io::Errno::LOOP) => Err(symlink_error(path)),
        Err(e) => Err(with_path(path, e.into())),
    }
}

/// Refuses a symlink (or a non-folder) at any folder component of `paths` below `dir`, so
/// nothing is written into or deleted from another folder that a link points to. `dir` itself
/// may be a symlink. Cost: one `lstat` per distinct folder, not per file.
pub fn check_tree<'a>(dir: &Path, paths: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
    let mut folders: Vec<&str> = paths
        .into_iter()
        .filter_map(|p| p.rsplit_once('/').map(|(parent, _)| parent))
        .collect();
    folders.sort_unstable();
    folders.dedup();
    let mut seen: Vec<&str> = Vec::new();
    for folder in folders {
        for (i, _) in folder.match_indices('/').chain([(folder.len(), "")]) {
            let prefix = &folder[..i];
            if seen.binary_search(&prefix).is_ok() {
                continue;
            }
            let full = dir.join(prefix);
            match fs::symlink_metadata(&full) {
                Ok(m) if m.file_type().is_symlink() => return Err(symlink_error(&full)),
                Ok(m) if !m.is_dir() => return Err(invalid(&full, "in the way: not a folder")),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(with_path(&full, e)),
            }
            if let Err(at) = seen.binary_search(&prefix) {
                seen.insert(at, prefix);
            }
        }
    }
    Ok(())
}

fn symlink_error(path: &Path) -> io::Error {
    invalid(
        path,
        "is a symbolic link; mirrorc does not write or delete through symlinks inside the \
         output folder (only the output folder itself may be one): replace it with a real \
         folder or file",
    )
}

/// Creates and removes a probe file in each folder (which exist), so that a folder mirrorc
/// cannot write into stops the compile before its first write rather than half-way.
pub fn probe_writable(folders: &[PathBuf]) -> io::Result<()> {
    for folder in folders {
        let probe = tempfile::Builder::new()
            .prefix(".mirrorc-probe-")
            .tempfile_in(folder)
            .map_err(|e| {
                with_path(
                    folder,
                    io::Error::new(
                        e.kind(),
                        format!("cannot write here ({e}); nothing was written"),
                    ),
                )
            })?;
        drop(probe);
    }
    Ok(())
}

/// Refuses an output folder that must never be written into: `/`, the home folder, a folder
/// holding (or being) an input, or, without `force`, a non-empty folder with no manifest
/// (it holds files mirrorc did not write). `dir` need not exist.
pub fn check_output_folder(dir: &Path, inputs: &[PathBuf], force: bool) -> io::Result<()> {
    let Ok(real) = fs::canonicalize(dir) else {
        return Ok(());
    };
    if real.parent().is_none() {
        return Err(refused(dir, "is the root folder"));
    }
    let home = std::env::var_os("HOME").and_then(|h| fs::canonicalize(h).ok());
    if home.as_deref() == Some(real.as_path()) {
        return Err(refused(dir, "is the home folder"));
    }
    for input in inputs {
        if let Ok(input_real) = fs::canonicalize(input) {
            if input_real.starts_with(&real) {
                let why = format!("holds the input {}", input.display());
                return Err(refused(dir, &why));
            }
        }
    }
    let has_manifest = fs::symlink_metadata(real.join(super::manifest::NAME)).is_ok();
    // Staging folders of killed compiles do not count: `lock::clean_stale` removes them.
    let empty = fs::read_dir(&real)
        .map_err(|e| with_path(dir, e))?
        .flatten()
        .all(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".mirrorc-staging-")
        });
    if !has_manifest && !empty && !force {
        return Err(refused(
            dir,
            "holds files not generated by mirrorc and has no manifest (.mirrorc-manifest.json); \
             --force writes into it anyway, treating every file there as foreign",
        ));
    }
    Ok(())
}

fn refused(dir: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "refusing to use {} as the output folder: it {why}; choose a new or empty folder",
            dir.display()
        ),
    )
}

fn invalid(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: {why}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::{check_tree, read_output_file, read_regular};

    #[test]
    fn a_symlinked_folder_inside_the_output_tree_is_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = tmp.path().join("out");
        std::fs::create_dir_all(out.join("lcfg/servers")).expect("mkdir");
        std::fs::create_dir(tmp.path().join("elsewhere")).expect("mkdir");
        check_tree(&out, ["lcfg/servers/a.h", "rsync/a.conf", "top"]).expect("fine");
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), out.join("rsync")).expect("ln");
        let e = check_tree(&out, ["lcfg/servers/a.h", "rsync/a.conf"]).expect_err("refused");
        assert!(
            e.to_string().contains("out/rsync: is a symbolic link"),
            "{e}"
        );
    }

    #[test]
    fn a_symlinked_output_file_and_a_device_are_not_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink("/etc/hostname", &link).expect("ln");
        let e = read_output_file(&link).expect_err("refused");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(
            read_output_file(&tmp.path().join("none")).expect("ok"),
            None
        );
        let e = read_regular(std::path::Path::new("/dev/zero"), 1 << 20).expect_err("refused");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        std::fs::write(tmp.path().join("big"), [b'x'; 100]).expect("write");
        assert!(read_regular(&tmp.path().join("big"), 99).is_err());
        assert_eq!(
            read_regular(&tmp.path().join("big"), 100)
                .expect("ok")
                .len(),
            100
        );
    }
}
