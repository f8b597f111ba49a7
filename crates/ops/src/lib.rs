//! mirrorc's operations that run other programs or read foreign files: `run` (a server's
//! nightly pulls, status records), `verify` (the real
//! rsync judges every generated rsyncd.conf) and `import` (legacy LCFG headers → inventory).
//! Library code: returns data, never prints, never picks an exit code.

pub mod exec;
pub mod import;
pub mod report;
pub mod run;
pub mod verify;
