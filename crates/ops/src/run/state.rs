//! The state folder of one server (`/var/lib/mirrorc/<server>`): `lock` (an flock held for
//! the whole run; its text is the holder's pid), `disks/<tag>.json` (a [`DiskStatus`]
//! written by temp file + fsync + rename, so never half written) and `history.jsonl` (one
//! [`Attempt`] per line, appended with one `write` under `O_APPEND`, rotated by size).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use mirrorc_core::contract::status::{
    read_record, record_path, write_record, Attempt, DiskStatus, Outcome, STATUS_VERSION,
};
use rustix::fs::{flock, FlockOperation};
use rustix::io::Errno;

use super::error::RunError;

/// History is rotated to `history.jsonl.1` beyond this size.
pub const HISTORY_ROTATE_BYTES: u64 = 16 << 20;

/// An open state folder whose lock this process holds (released on drop: the file closes).
#[derive(Debug)]
pub struct State {
    dir: PathBuf,
    _lock: File,
    /// Serialises this process's appends and rotation (pulls record from several threads).
    history: Mutex<()>,
}

fn io_err(path: &Path, source: io::Error) -> RunError {
    RunError::State {
        path: path.display().to_string(),
        source,
    }
}

impl State {
    /// Creates the folder if needed (mode 0755) and takes the lock, at once or not at all: a
    /// live holder is named by its pid; a dead holder's lock is free already (flock dies
    /// with its process), so a stale lock file is simply taken over.
    pub fn open(dir: &Path) -> Result<State, RunError> {
        let disks = dir.join("disks");
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(&disks)
            .map_err(|e| io_err(&disks, e))?;
        let path = dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(Errno::WOULDBLOCK) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(RunError::Locked {
                    path: path.display().to_string(),
                    pid: text.trim().parse().ok(),
                });
            }
            Err(e) => return Err(io_err(&path, e.into())),
        }
        let pid = format!("{}\n", std::process::id());
        file.set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| file.write_all(pid.as_bytes()))
            .map_err(|e| io_err(&path, e))?;
        Ok(State {
            dir: dir.to_path_buf(),
            _lock: file,
            history: Mutex::new(()),
        })
    }

    /// The record of a disk, if one was written and reads back as that disk's record
    /// (through the one reader, `contract::status::read_record`).
    pub fn load(&self, tag: &str, client: &str, server: &str) -> Option<DiskStatus> {
        read_record(&self.dir, tag, client, server).ok().flatten()
    }

    /// Writes `attempt` as the disk's last attempt (keeping the last success) and appends it
    /// to the history.
    pub fn record(&self, attempt: &Attempt) -> Result<(), RunError> {
        let previous = self
            .load(&attempt.tag, &attempt.client, &attempt.server)
            .and_then(|s| s.last_success);
        let status = DiskStatus {
            version: STATUS_VERSION,
            tag: attempt.tag.clone(),
            client: attempt.client.clone(),
            server: attempt.server.clone(),
            last_attempt: attempt.clone(),
            last_success: if attempt.result == Outcome::Ok {
                Some(attempt.clone())
            } else {
                previous
            },
        };
        let path = record_path(&self.dir, &attempt.tag);
        write_record(&self.dir, &status).map_err(|e| io_err(&path, e))?;
        self.append_history(attempt)
    }

    fn append_history(&self, attempt: &Attempt) -> Result<(), RunError> {
        let path = self.dir.join("history.jsonl");
        let _one_at_a_time = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        if fs::metadata(&path).is_ok_and(|m| m.len() > HISTORY_ROTATE_BYTES) {
            let old = self.dir.join("history.jsonl.1");
            fs::rename(&path, &old).map_err(|e| io_err(&path, e))?;
        }
        let mut line = serde_json::to_string(attempt).map_err(|e| io_err(&path, e.into()))?;
        line.push('\n');
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        // One write(2) per line: with O_APPEND a reader never sees two lines interleaved.
        let written = file.write(line.as_bytes()).map_err(|e| io_err(&path, e))?;
        if written != line.len() {
            let short = io::Error::other(format!("short write: {written} of {} bytes", line.len()));
            return Err(io_err(&path, short));
        }
        file.sync_data().map_err(|e| io_err(&path, e))
    }
}
