//! The manifest `.mirrorc-manifest.json` in the output folder: every file the last compile
//! wrote, with the SHA-256 of its content. It is how `compile` knows which files are its own
//! (and may be replaced or removed) and which were edited by hand since.

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
}

/// Size and modification time of a file, as `stat` reports them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
}

impl Stamp {
    /// Stamp of a file, `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        Stamp::of_meta(&std::fs::metadata(path).ok()?)
    }

    /// Stamp from metadata already read.
    pub fn of_meta(meta: &std::fs::Metadata) -> Option<Stamp> {
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(Stamp {
            size: meta.len(),
            mtime_ns: u64::try_from(mtime.as_nanos()).ok()?,
        })
    }
}

impl Manifest {
    /// Reads the manifest of `dir`; an absent one is empty.
    pub fn read(dir: &Path) -> io::Result<Manifest> {
        match std::fs::read_to_string(dir.join(NAME)) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", dir.join(NAME).display()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Manifest {
                version: 1,
                ..Manifest::default()
            }),
            Err(e) => Err(e),
        }
    }

    /// The manifest as file content.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
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
