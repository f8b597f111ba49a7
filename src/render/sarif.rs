//! `--format sarif`: findings as one SARIF 2.1.0 log (one run, tool `mirrorc`, one rule per
//! code), for GitHub code scanning, GitLab and IDEs. Built from the findings' documented JSON
//! form, so it follows whatever `diag` renders. Validated against the official schema in
//! `tests/sarif.rs`.

use std::collections::BTreeSet;

use mirrorc_core::diag::JsonFinding;
use serde_json::{json, Value};

/// The SARIF log of `findings`.
pub(crate) fn log(findings: &[JsonFinding]) -> Value {
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f.code.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rules: Vec<Value> = codes.iter().map(|c| rule(c)).collect();
    let results: Vec<Value> = findings.iter().map(|f| result(f, &codes)).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mirrorc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn rule(code: &str) -> Value {
    let name = code.strip_prefix("mirrorc::").unwrap_or(code);
    json!({
        "id": code,
        "name": name,
        "shortDescription": {"text": format!("{code}: explained in mirrorc's docs/diagnostics.md")},
    })
}

fn result(f: &JsonFinding, codes: &[&str]) -> Value {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut r = json!({
        "ruleId": f.code,
        "ruleIndex": codes.binary_search(&f.code.as_str()).unwrap_or(0),
        "level": level(f.severity),
        "message": {"text": text},
    });
    if let Some(loc) = location(f) {
        r["locations"] = json!([loc]);
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .filter_map(|n| {
            let mut loc = location(n)?;
            loc["message"] = json!({"text": n.message});
            Some(loc)
        })
        .enumerate()
        .map(|(i, mut loc)| {
            loc["id"] = json!(i);
            loc
        })
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = json!(related);
    }
    r
}

/// SARIF's level of our severity (advice is a note).
fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// The primary label's place, or the file alone, or nothing for an estate-wide finding.
fn location(f: &JsonFinding) -> Option<Value> {
    let file = f.file.as_deref()?;
    let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
    if let (Some(line), Some(column)) = (f.line, f.column) {
        let mut region = json!({"startLine": line, "startColumn": column});
        if let (Some(end_line), Some(end_column)) = (f.end_line, f.end_column) {
            if (end_line, end_column) >= (line, column) {
                region["endLine"] = json!(end_line);
                region["endColumn"] = json!(end_column);
            }
        }
        physical["region"] = region;
    }
    Some(json!({"physicalLocation": physical}))
}

/// A file name as a URI reference: relative paths stay relative (GitHub resolves them against
/// the repository), absolute ones become `file://` URIs; anything but unreserved characters
/// and `/` is percent-encoded (`<stdin>` is `%3Cstdin%3E`).
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("site/forum.yaml"), "site/forum.yaml");
        assert_eq!(uri("/tmp/a b/x.yaml"), "file:///tmp/a%20b/x.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
    }
}
