//! The integration tests of the `mirrorc` binary and its crates, as one test binary (one link,
//! one place for shared helpers). Real-program tests (rsync, cpp) fail under `CI=true` when
//! the program is missing, and say loudly that they were skipped elsewhere.

mod cli;
mod common;
mod cpp_roundtrip;
mod docs;
mod drain;
mod exit_codes;
mod fixtures;
mod formats;
mod import;
mod incremental;
mod lcfg_cpp;
mod mistakes;
mod night_e2e;
mod plan;
mod properties;
mod realm_smoke;
mod report_e2e;
mod robustness;
mod rsync_e2e;
mod rsync_params;
mod run_e2e;
mod schema_truth;
mod status_page;
mod support;
mod verify_deployed;
