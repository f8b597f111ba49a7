//! The `--format json` documents of the commands whose data is not already a versioned library
//! type (compile, check, diff, verify, import; explain's is in its command) and the error document every command
//! prints instead with `--format json`. Each is documented in docs/json.md; each has
//! `"version": 1`, bumped on any incompatible change.

use mirrorc_core::diag::JsonFinding;
use serde::Serialize;

/// Version of every document here.
pub(crate) const VERSION: u32 = 1;

/// An operational error: what went wrong, with a stable code (docs/json.md lists them).
#[derive(Debug, Serialize)]
pub(crate) struct Failure {
    /// Stable code, e.g. `mirrorc::unknown_host`.
    pub(crate) code: &'static str,
    /// One line.
    pub(crate) message: String,
    /// How to fix it.
    pub(crate) help: Option<String>,
    /// More lines (files refused, names unknown).
    pub(crate) details: Vec<String>,
    /// The inventory's findings, for `mirrorc::invalid_inventory`.
    pub(crate) findings: Vec<JsonFinding>,
}

impl Failure {
    /// An error with a code and a message.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            help: None,
            details: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// With a help line.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Failure {
        self.help = Some(help.into());
        self
    }

    /// With detail lines.
    pub(crate) fn details(mut self, details: Vec<String>) -> Failure {
        self.details = details;
        self
    }

    /// `{"version": 1, "error": {...}}`.
    pub(crate) fn document(&self) -> ErrorDocument<'_> {
        ErrorDocument {
            version: VERSION,
            error: self,
        }
    }
}

/// The error document.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorDocument<'a> {
    version: u32,
    error: &'a Failure,
}

/// Errors and warnings among findings.
#[derive(Debug, Serialize, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

/// `check --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct CheckDocument {
    pub(crate) version: u32,
    /// Inventory files read.
    pub(crate) files: usize,
    #[serde(flatten)]
    pub(crate) counts: Counts,
    pub(crate) findings: Vec<JsonFinding>,
}

/// `compile --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct CompileDocument {
    pub(crate) version: u32,
    /// The output folder.
    pub(crate) out: String,
    /// `written`, `up_to_date` or `failed` (findings; nothing written).
    pub(crate) result: &'static str,
    /// Files of the compiled output (0 unless written).
    pub(crate) files: usize,
    pub(crate) written: usize,
    pub(crate) unchanged: usize,
    pub(crate) removed: usize,
    /// Notes about leftovers cleaned up and write warnings.
    pub(crate) notes: Vec<String>,
    pub(crate) findings: Vec<JsonFinding>,
}

/// One file of `diff --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct DiffFile {
    pub(crate) path: String,
    /// `added`, `removed` or `changed`.
    pub(crate) change: &'static str,
}

/// `diff --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct DiffDocument<S: Serialize> {
    pub(crate) version: u32,
    pub(crate) out: String,
    /// Would a compile change the folder?
    pub(crate) differs: bool,
    /// The summary per server and per client (see docs/json.md).
    pub(crate) summary: S,
    /// Files that differ (absent with `--summary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) files: Option<Vec<DiffFile>>,
    pub(crate) findings: Vec<JsonFinding>,
}

/// `diff --lcfg --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct LcfgDiffDocument<'a> {
    pub(crate) version: u32,
    pub(crate) out: String,
    pub(crate) differs: bool,
    /// Header path → its changes, one line each (`rmirror.disklist: -fpc001_home`).
    pub(crate) headers: &'a std::collections::BTreeMap<String, Vec<String>>,
    /// The inventory's findings.
    pub(crate) findings: Vec<JsonFinding>,
    /// Findings of headers on disk that do not parse.
    pub(crate) header_findings: Vec<JsonFinding>,
}

/// `verify --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct VerifyDocument {
    pub(crate) version: u32,
    /// `done`, `invalid_inventory`, `no_rsync` or `no_remctld` (the last two never a pass).
    pub(crate) result: &'static str,
    pub(crate) configs: usize,
    pub(crate) modules: usize,
    pub(crate) checks: usize,
    pub(crate) remctl_configs: usize,
    /// The deployed folder checked (`<out>/rsync`); `null`: the in-memory compile was.
    pub(crate) deployed: Option<String>,
    /// Where the scratch configs and logs were kept (`--keep`).
    pub(crate) kept: Option<String>,
    #[serde(flatten)]
    pub(crate) counts: Counts,
    /// The inventory's findings, then rsync's.
    pub(crate) findings: Vec<JsonFinding>,
}

/// `import --check-equivalence`: one host that differs.
#[derive(Debug, Serialize)]
pub(crate) struct ImportDifference {
    pub(crate) host: String,
    /// `admits` or `pulls`.
    pub(crate) what: &'static str,
    pub(crate) legacy_only: Vec<String>,
    pub(crate) mirrorc_only: Vec<String>,
}

/// `import --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct ImportDocument {
    pub(crate) version: u32,
    /// The folder the site files went into.
    pub(crate) out: String,
    /// Site files written.
    pub(crate) sites: usize,
    /// Findings about the legacy files (errors: items dropped).
    pub(crate) legacy_findings: Vec<JsonFinding>,
    /// Findings of compiling the imported inventory.
    pub(crate) findings: Vec<JsonFinding>,
    /// Did the imported inventory compile?
    pub(crate) compiled: bool,
    /// `--check-equivalence`: the hosts that differ (`null`: not asked).
    pub(crate) differences: Option<Vec<ImportDifference>>,
}
