//! Fixture tests: every estate under `tests/fixtures/ok/` (and the bundled examples) compiles
//! without findings and its artifacts are snapshotted under `=== path ===` headers; every case
//! under `tests/fixtures/errors/<code>-<case>/` produces its code (and only findings of that
//! code), snapshotted as rendered text and as JSON.

use std::path::{Path, PathBuf};

use mirrorc_core::diag::{self, TextStyle};
use mirrorc_core::source::{self, SourceMap};

fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

fn load(dir: &Path) -> SourceMap {
    source::load(&[relative(dir)]).expect("fixture readable")
}

fn artifacts_dump(dir: &Path) -> String {
    let sources = load(dir);
    let compiled = mirrorc_core::build(&sources).expect("emit");
    let text = diag::render_text(
        &sources,
        &compiled.findings,
        TextStyle {
            color: false,
            width: 100,
        },
    );
    assert!(
        compiled.findings.is_empty(),
        "{} has findings:\n{text}",
        dir.display()
    );
    let mut out = String::new();
    for a in compiled.artifacts.expect("artifacts") {
        out += &format!("=== {} ===\n{}", a.path, a.content);
    }
    out
}

#[test]
fn ok_fixtures() {
    insta::glob!("fixtures/ok/*", |dir| {
        insta::assert_snapshot!(artifacts_dump(dir));
    });
}

#[test]
fn bundled_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, dir) in [
        ("site", "site"),
        ("at", "examples/at"),
        ("failover", "examples/failover"),
    ] {
        insta::assert_snapshot!(format!("example_{name}"), artifacts_dump(&root.join(dir)));
    }
}

#[test]
fn error_fixtures() {
    insta::glob!("fixtures/errors/*", |dir| {
        let case = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let code = format!("mirrorc::{}", case.split('-').next().unwrap_or_default());
        let sources = load(dir);
        let compiled = mirrorc_core::build(&sources).expect("emit");
        let codes: Vec<String> = compiled.findings.iter().map(|f| f.code()).collect();
        assert!(
            codes.iter().all(|c| *c == code),
            "{case}: expected only {code}, got {codes:?}"
        );
        assert!(!codes.is_empty(), "{case}: expected {code}, got nothing");
        let mut text = diag::render_text(
            &sources,
            &compiled.findings,
            TextStyle {
                color: false,
                width: 100,
            },
        );
        text += &diag::summary(&compiled.findings).unwrap_or_default();
        let json = serde_json::to_string_pretty(&diag::to_json(&sources, &compiled.findings))
            .expect("json");
        insta::assert_snapshot!(format!("{text}\n--- json ---\n{json}"));
    });
}
