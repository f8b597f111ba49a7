//! Every diagnostic code in the source has an entry in docs/diagnostics.md and (apart from
//! notes and codes that need a real program to trigger) a fixture under tests/fixtures/errors/.

use std::fs;
use std::path::Path;

fn codes_in(dir: &Path, out: &mut Vec<String>) {
    for e in fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            codes_in(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = fs::read_to_string(&p).expect("read");
            for part in text.split("code(mirrorc::").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
}

#[test]
fn every_code_is_documented_and_has_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut codes = Vec::new();
    codes_in(&root.join("src"), &mut codes);
    codes_in(&root.join("crates"), &mut codes);
    codes.sort();
    codes.dedup();
    assert!(codes.len() > 30, "found only {codes:?}");
    let docs = fs::read_to_string(root.join("docs/diagnostics.md")).expect("docs");
    let fixtures: Vec<String> = fs::read_dir(root.join("tests/fixtures/errors"))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    // Notes and findings that only a real program, a legacy file or a flag (`check
    // --min-servers`, tested in tests/cli.rs) can produce are exempt.
    let no_fixture = |c: &str| {
        c == "first_declared"
            || c == "too_few_servers"
            || c.starts_with("rsync_")
            || c.starts_with("remctl_")
            || c.starts_with("lcfg_")
            || c.starts_with("import_")
    };
    for code in &codes {
        assert!(
            docs.contains(&format!("`mirrorc::{code}`")),
            "docs/diagnostics.md lacks mirrorc::{code}"
        );
        if !no_fixture(code) {
            assert!(
                fixtures
                    .iter()
                    .any(|f| f.split('-').next() == Some(code.as_str())),
                "no fixture for mirrorc::{code}"
            );
        }
    }
}
