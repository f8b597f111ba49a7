//! The one reader of [`EstateReport`] documents (`mirrorc status --from REPORT.json`). A report
//! file is untrusted input: its size is capped before it is read whole, its `version` is checked
//! before its shape, and unknown fields are refused (the wire types deny them).

use std::io::Read;
use std::path::Path;

use crate::contract::report::{EstateReport, REPORT_VERSION};

/// Largest estate report read: a 100,000-client × 5-disk estate with both attempts on every
/// disk is about 600 MB of JSON.
pub const MAX_ESTATE_REPORT_BYTES: u64 = 1 << 30;

/// Why a report could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportReadError {
    /// Unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Larger than any estate report.
    #[error("{path}: larger than any estate report ({MAX_ESTATE_REPORT_BYTES} bytes at most)")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// Not JSON of the right shape.
    #[error("{path}: not a mirrorc estate report: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// serde_json's message.
        message: String,
    },
    /// Written by another mirrorc.
    #[error("{path}: report version {found} is not supported by this mirrorc (it reads version {REPORT_VERSION})")]
    Version {
        /// The file.
        path: String,
        /// The version in the file (0 when missing).
        found: u64,
    },
}

/// Reads and checks the estate report at `path`.
pub fn read(path: &Path) -> Result<EstateReport, ReportReadError> {
    let shown = path.display().to_string();
    let io = |source| ReportReadError::Io {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_ESTATE_REPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_ESTATE_REPORT_BYTES {
        return Err(ReportReadError::TooLarge { path: shown });
    }
    parse(&shown, &bytes)
}

/// Parses an estate report read from `path`, checking the version before the shape.
pub fn parse(path: &str, bytes: &[u8]) -> Result<EstateReport, ReportReadError> {
    let malformed = |e: serde_json::Error| ReportReadError::Malformed {
        path: path.to_string(),
        message: e.to_string(),
    };
    #[derive(serde::Deserialize)]
    struct Version {
        version: Option<serde_json::Value>,
    }
    let head: Version = serde_json::from_slice(bytes).map_err(malformed)?;
    let found = head.version.and_then(|v| v.as_u64()).unwrap_or(0);
    if found != u64::from(REPORT_VERSION) {
        return Err(ReportReadError::Version {
            path: path.to_string(),
            found,
        });
    }
    serde_json::from_slice(bytes).map_err(malformed)
}

#[cfg(test)]
mod tests {
    use super::{parse, ReportReadError};

    #[track_caller]
    fn check(input: &str, expect: &str) {
        let got = match parse("r.json", input.as_bytes()) {
            Ok(r) => format!("ok: {} servers, {} disks", r.servers.len(), r.disks.len()),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, expect);
    }

    const EMPTY: &str = r#"{"version":1,"generated":"2026-12-01T06:00:00Z","max_age_seconds":129600,"servers":[],"disks":[],"retirable":[]}"#;

    #[test]
    fn version_is_checked_before_shape() {
        check(EMPTY, "ok: 0 servers, 0 disks");
        check(
            r#"{"version":2,"whatever":true}"#,
            "r.json: report version 2 is not supported by this mirrorc (it reads version 1)",
        );
        check(
            r#"{"generated":"x"}"#,
            "r.json: report version 0 is not supported by this mirrorc (it reads version 1)",
        );
        let extra = EMPTY.replace("\"disks\"", "\"extra\":1,\"disks\"");
        assert!(matches!(
            parse("r.json", extra.as_bytes()),
            Err(ReportReadError::Malformed { .. })
        ));
        check(
            r#"{"version":1"#,
            "r.json: not a mirrorc estate report: EOF while parsing an object at line 1 column 12",
        );
    }
}
