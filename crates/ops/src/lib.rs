//! mirrorc's operations that run other programs or read foreign files: `verify` (the real
//! rsync judges every generated rsyncd.conf) and `import` (legacy LCFG headers → inventory).
//! Library code: returns data, never prints, never picks an exit code.

pub mod exec;
pub mod import;
pub mod report;
pub mod verify;
