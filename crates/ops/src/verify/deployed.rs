//! The deployed tree `verify` judges: `DIR/rsync/<client>.conf` read back as untrusted input
//! (a symlink, a non-regular file, more than [`MAX_CONF`] bytes or non-UTF-8 is a finding, never
//! followed or read further). Owns only reading; the checks are `client.rs`'s. Main type:
//! [`Tree`].

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use super::VerifyError;

/// The largest deployed rsyncd.conf read (mirrorc writes ~300 bytes per module).
pub const MAX_CONF: u64 = 4 << 20;

/// What was found for one client in the deployed tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// The file's text, to be checked as it is.
    Text(String),
    /// No such file.
    Missing,
    /// The file may not or cannot be read (why).
    Unreadable(String),
}

/// The deployed rsyncd.conf files of a compiled tree.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The folder holding them (`DIR/rsync`).
    pub folder: PathBuf,
    /// `.conf` files in the folder that belong to no client of the inventory, sorted.
    pub extra: Vec<String>,
}

impl Tree {
    /// The tree in `dir`, if `dir/rsync` is there: `Ok(None)` when there is no compiled tree;
    /// a symlinked or non-folder `rsync` is refused (`Err` with the finding).
    pub fn open(dir: &Path, clients: &[&str]) -> Result<Option<Tree>, Box<VerifyError>> {
        let folder = dir.join("rsync");
        let meta = match fs::symlink_metadata(&folder) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(&folder, e.to_string())),
        };
        if meta.file_type().is_symlink() {
            return Err(unreadable(&folder, "a symlink: refused".into()));
        }
        if !meta.is_dir() {
            return Err(unreadable(&folder, "not a folder".into()));
        }
        let known: BTreeSet<String> = clients.iter().map(|c| format!("{c}.conf")).collect();
        let entries = fs::read_dir(&folder).map_err(|e| unreadable(&folder, e.to_string()))?;
        let mut extra: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".conf") && !known.contains(n))
            .collect();
        extra.sort();
        Ok(Some(Tree { folder, extra }))
    }

    /// The path of `client`'s deployed config.
    pub fn path(&self, client: &str) -> PathBuf {
        self.folder.join(format!("{client}.conf"))
    }

    /// Reads `client`'s deployed config: never through a symlink, at most [`MAX_CONF`] bytes.
    pub fn read(&self, client: &str) -> Deployed {
        read_capped(&self.path(client))
    }
}

fn unreadable(path: &Path, reason: String) -> Box<VerifyError> {
    Box::new(VerifyError::DeployedUnreadable {
        file: path.display().to_string(),
        reason,
    })
}

fn read_capped(path: &Path) -> Deployed {
    use std::os::unix::fs::OpenOptionsExt;
    let nofollow = rustix::fs::OFlags::NOFOLLOW.bits() as i32;
    let nonblock = rustix::fs::OFlags::NONBLOCK.bits() as i32;
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(nofollow | nonblock)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A dangling symlink is not "missing": it is refused like any symlink.
            return match fs::symlink_metadata(path) {
                Ok(_) => Deployed::Unreadable("a symlink: refused".into()),
                Err(_) => Deployed::Missing,
            };
        }
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Deployed::Unreadable("a symlink: refused".into())
        }
        Err(e) => return Deployed::Unreadable(e.to_string()),
    };
    match file.metadata() {
        Ok(m) if !m.is_file() => return Deployed::Unreadable("not a regular file".into()),
        Ok(_) => {}
        Err(e) => return Deployed::Unreadable(e.to_string()),
    }
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_CONF + 1).read_to_end(&mut bytes) {
        return Deployed::Unreadable(e.to_string());
    }
    if bytes.len() as u64 > MAX_CONF {
        return Deployed::Unreadable(format!("larger than {} MiB", MAX_CONF >> 20));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Deployed::Text(text),
        Err(_) => Deployed::Unreadable("not UTF-8".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_refuses_links_specials_oversize_and_binary() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("rsync");
        fs::create_dir(&dir).expect("mkdir");
        fs::write(dir.join("a.conf"), "[a_home]\n").expect("write");
        fs::write(tmp.path().join("target"), "secret\n").expect("write");
        std::os::unix::fs::symlink(tmp.path().join("target"), dir.join("b.conf")).expect("ln");
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), dir.join("c.conf")).expect("ln");
        fs::create_dir(dir.join("d.conf")).expect("mkdir");
        fs::write(dir.join("e.conf"), vec![b'x'; (MAX_CONF + 1) as usize]).expect("write");
        fs::write(dir.join("f.conf"), [0xff, 0xfe]).expect("write");
        fs::write(dir.join("stray.conf"), "").expect("write");
        let clients = ["a", "b", "c", "d", "e", "f", "g"];
        let tree = Tree::open(tmp.path(), &clients)
            .expect("ok")
            .expect("a tree");
        let got: Vec<String> = clients
            .iter()
            .map(|c| match tree.read(c) {
                Deployed::Text(t) => format!("{c}: text {t:?}"),
                Deployed::Missing => format!("{c}: missing"),
                Deployed::Unreadable(why) => format!("{c}: {why}"),
            })
            .collect();
        let expect = [
            "a: text \"[a_home]\\n\"",
            "b: a symlink: refused",
            "c: a symlink: refused",
            "d: not a regular file",
            "e: larger than 4 MiB",
            "f: not UTF-8",
            "g: missing",
        ];
        assert_eq!(got, expect);
        assert_eq!(tree.extra, ["stray.conf"]);
    }

    #[test]
    fn no_tree_and_a_symlinked_folder() {
        let tmp = tempfile::tempdir().expect("tmp");
        assert!(Tree::open(tmp.path(), &[]).expect("ok").is_none());
        assert!(Tree::open(&tmp.path().join("nope"), &[])
            .expect("ok")
            .is_none());
        let real = tmp.path().join("real");
        fs::create_dir(&real).expect("mkdir");
        std::os::unix::fs::symlink(&real, tmp.path().join("rsync")).expect("ln");
        let err = Tree::open(tmp.path(), &[]).expect_err("refused");
        assert!(err.to_string().contains("a symlink: refused"), "{err}");
    }
}
