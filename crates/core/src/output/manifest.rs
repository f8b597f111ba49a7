//! The manifest `.mirrorc-manifest.json` in the output folder: every file the last compile
//! wrote, with the SHA-256 of its content. It is how `compile` knows which files are its own
//! (and may be replaced or removed) and which were edited by hand since. It is read back from
//! disk, so it is untrusted: every path must be a normalized relative path (no `..`, no
//! absolute path, no empty or `.` component), else the whole manifest is refused as corrupt.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// File name of the manifest inside the output folder.
pub const NAME: &str = ".mirrorc-manifest.json";

/// Generated files and their hashes.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Format version.
    pub version: u32,
    /// Relative path → hex SHA-256.
    pub files: BTreeMap<String, String>,
    /// Key of the inputs and mirrorc build that produced the files (see `fresh`).
    #[serde(default)]
    pub inputs: Option<String>,
    /// The compile that wrote it reported no finding at all (not even a warning), so an
    /// up-to-date check with the same key has nothing to show and may skip parsing.
    #[serde(default)]
    pub clean: bool,
    /// Relative path → size and mtime seen right after writing (see `fresh`).
    #[serde(default)]
    pub stamps: BTreeMap<String, Stamp>,
    /// Relative path → hash a compile was about to write when this manifest was saved: a
    /// compile records them before its first write, so after a crash half-way a file holding
    /// either its `files` hash or its `pending` hash is still known to be mirrorc's own.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, String>,
}

/// A manifest that cannot be trusted: unparsable, of an unknown version, or naming a path
/// outside the output folder.
#[derive(Debug)]
pub struct Corrupt {
    /// The manifest file.
    pub path: std::path::PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: corrupt manifest: {}",
            self.path.display(),
            self.reason
        )
    }
}

impl std::error::Error for Corrupt {}

impl Corrupt {
    /// The `Corrupt` inside an I/O error from [`Manifest::read`], if that is what it is.
    pub fn of(e: &io::Error) -> Option<&Corrupt> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<Corrupt>())
    }
}

/// Largest manifest read (a 100,000-client estate's is about 60 MB).
const MAX_BYTES: u64 = 1 << 30;

/// Size, modification time, change time and inode of a file (not following a symlink), as
/// `lstat` reports them. `touch -r` can put an mtime back, but not the ctime or the inode, so a
/// same-size hand edit with its mtime restored still changes the stamp.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
    /// Status change time, nanoseconds since the Unix epoch (0 in manifests of older builds,
    /// which therefore never match).
    #[serde(default)]
    pub ctime_ns: u64,
    /// Inode number.
    #[serde(default)]
    pub ino: u64,
}

impl Stamp {
    /// Stamp of a file, `None` when it cannot be read. A symlink's own stamp is taken, so a
    /// file replaced by a link to an identical copy never matches.
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::of_meta(&std::fs::symlink_metadata(path).ok()?)
    }

    /// Stamp from metadata already read.
    pub fn of_meta(meta: &std::fs::Metadata) -> Option<Stamp> {
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let (ctime_ns, ino) = change_and_inode(meta);
        Some(Stamp {
            size: meta.len(),
            mtime_ns: u64::try_from(mtime.as_nanos()).ok()?,
            ctime_ns,
            ino,
        })
    }
}

#[cfg(unix)]
fn change_and_inode(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let secs = u64::try_from(meta.ctime()).unwrap_or(0);
    let nanos = u64::try_from(meta.ctime_nsec()).unwrap_or(0);
    (
        secs.saturating_mul(1_000_000_000).saturating_add(nanos),
        meta.ino(),
    )
}

#[cfg(not(unix))]
fn change_and_inode(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

impl Manifest {
    /// Reads the manifest of `dir`; an absent one is empty. A manifest that does not parse, has
    /// an unknown version or names a path that is not a normalized relative path is refused
    /// with a [`Corrupt`] error (see [`Corrupt::of`]); so is one that is not a regular file.
    pub fn read(dir: &Path) -> io::Result<Manifest> {
        let path = dir.join(NAME);
        let corrupt = |reason: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                Corrupt {
                    path: path.clone(),
                    reason,
                },
            )
        };
        let bytes = match super::guard::read_regular(&path, MAX_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Manifest::empty()),
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                return Err(corrupt(e.to_string()))
            }
            Err(e) => return Err(e),
        };
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if manifest.version != 1 {
            return Err(corrupt(format!("unknown version {}", manifest.version)));
        }
        let paths = manifest.files.keys().chain(manifest.stamps.keys());
        if let Some(bad) = paths.chain(manifest.pending.keys()).find(|p| !is_normal(p)) {
            return Err(corrupt(format!(
                "`{bad}` is not a normalized relative path inside the output folder"
            )));
        }
        Ok(manifest)
    }

    /// The manifest of a folder mirrorc never wrote.
    pub fn empty() -> Manifest {
        Manifest {
            version: 1,
            ..Manifest::default()
        }
    }

    /// Does a file at `path` whose content has hash `disk` hold what mirrorc wrote (the last
    /// compile's hash, or the one an interrupted compile was writing)?
    pub fn is_ours(&self, path: &str, disk: &str) -> bool {
        self.files.get(path).is_some_and(|h| h == disk)
            || self.pending.get(path).is_some_and(|h| h == disk)
    }

    /// Every path the manifest claims, `files` and `pending`, sorted and without repeats.
    pub fn claimed(&self) -> Vec<&String> {
        let mut all: Vec<&String> = self.files.keys().chain(self.pending.keys()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The manifest as file content.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// Is `path` a normalized relative `/`-separated path below the output folder: no empty, `.`
/// or `..` component, not absolute, no backslash or NUL, and not the manifest itself?
pub fn is_normal(path: &str) -> bool {
    !path.is_empty()
        && path != NAME
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Hex SHA-256 of bytes.
pub fn hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{is_normal, Corrupt, Manifest, NAME};

    #[test]
    fn manifest_paths_outside_the_folder_are_not_normal() {
        for bad in [
            "",
            "/etc/passwd",
            "../victim",
            "a/../../b",
            "a//b",
            "./a",
            "a/.",
            "a/",
            "a\\b",
            NAME,
        ] {
            assert!(!is_normal(bad), "{bad:?} accepted");
        }
        for good in [
            "spanning-map.json",
            "rsync/fpc001.conf",
            "lcfg/servers/m..1.h",
        ] {
            assert!(is_normal(good), "{good:?} refused");
        }
    }

    #[test]
    fn a_manifest_naming_a_parent_path_is_refused_as_corrupt() {
        let tmp = tempfile::tempdir().expect("tmp");
        let text = r#"{"version":1,"files":{"../victim":"00","ok":"11"}}"#;
        std::fs::write(tmp.path().join(NAME), text).expect("write");
        let e = Manifest::read(tmp.path()).expect_err("refused");
        let corrupt = Corrupt::of(&e).expect("a Corrupt error");
        assert!(corrupt.reason.contains("`../victim`"), "{}", corrupt.reason);
        std::fs::write(
            tmp.path().join(NAME),
            r#"{"version":1,"files":{},"pending":{"/x":"0"}}"#,
        )
        .expect("write");
        assert!(Corrupt::of(&Manifest::read(tmp.path()).expect_err("refused")).is_some());
    }
}
