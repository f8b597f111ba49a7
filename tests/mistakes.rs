//! Issue 13's promise, tested: a fixture with ten independent mistakes across three files
//! (`tests/fixtures/mistakes/`) reports exactly ten findings, each at its place, and fixing
//! any one of them leaves exactly the other nine (no cascades, no repeats, nothing hidden).

use mirrorc_core::source::SourceMap;

/// One mistake: where `check` reports it, and the edit that fixes it (same line count).
struct Mistake {
    file: &'static str,
    line: usize,
    column: usize,
    code: &'static str,
    /// (line, written, fixed): replacements on those lines.
    fix: &'static [(usize, &'static str, &'static str)],
}

const FILES: [&str; 3] = ["forum.yaml", "jcmb.yaml", "kb.yaml"];

const MISTAKES: [Mistake; 10] = [
    // The site's list names a site that does not exist (its clients inherit it: no cascade).
    m("forum.yaml", 3, 15, "unknown_site", &[(3, "jcbm", "jcmb")]),
    // A site default of zero copies: once, not once per client.
    m("forum.yaml", 5, 11, "invalid_copies", &[(5, "0", "1")]),
    // A server without its store, named at its name.
    m(
        "forum.yaml",
        7,
        3,
        "missing_key",
        &[(7, " }", ", store: /disk/fm2 }")],
    ),
    // `state:` dedented into `servers:`.
    m(
        "forum.yaml",
        11,
        3,
        "misplaced_key",
        &[(11, "  state", "    state")],
    ),
    // A quoted number.
    m(
        "forum.yaml",
        14,
        11,
        "wrong_type",
        &[(14, "\"8874\"", "8874")],
    ),
    // `paths:` dedented into `clients:`.
    m(
        "forum.yaml",
        19,
        3,
        "misplaced_key",
        &[(19, "  paths", "    paths"), (20, "    home", "      home")],
    ),
    // The same client twice in one file.
    m(
        "forum.yaml",
        21,
        3,
        "duplicate_key",
        &[(21, "fpc001", "fpc003")],
    ),
    // A misspelt key.
    m(
        "jcmb.yaml",
        6,
        5,
        "unknown_key",
        &[(6, "adress", "address")],
    ),
    // A misspelt enum value.
    m(
        "jcmb.yaml",
        11,
        12,
        "wrong_type",
        &[(11, "draining", "drain")],
    ),
    // A single value where a list is needed.
    m("kb.yaml", 3, 14, "wrong_type", &[(3, "jcmb", "[jcmb]")]),
];

const fn m(
    file: &'static str,
    line: usize,
    column: usize,
    code: &'static str,
    fix: &'static [(usize, &'static str, &'static str)],
) -> Mistake {
    Mistake {
        file,
        line,
        column,
        code,
        fix,
    }
}

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mistakes")
}

/// The fixture's files with the fixes of `fixed` applied.
fn estate(fixed: &[usize]) -> SourceMap {
    let mut sources = SourceMap::default();
    for name in FILES {
        let text = std::fs::read_to_string(dir().join(name)).expect("fixture");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for i in fixed {
            let m = &MISTAKES[*i];
            for (line, from, to) in m.fix.iter().filter(|_| m.file == name) {
                let l = &mut lines[line - 1];
                assert!(l.contains(from), "{name}:{line} lacks {from:?}");
                *l = l.replacen(from, to, 1);
            }
        }
        sources.add(name, lines.join("\n") + "\n");
    }
    sources
}

/// `file:line:column code` of every finding of `check`.
fn found(sources: &SourceMap) -> Vec<String> {
    let compiled = mirrorc_core::check(sources);
    let json = mirrorc_core::diag::to_json(sources, &compiled.findings);
    let mut out: Vec<String> = json
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f.file.as_deref().unwrap_or("-"),
                f.line.unwrap_or(0),
                f.column.unwrap_or(0),
                f.code
            )
        })
        .collect();
    out.sort();
    out
}

fn expected(except: Option<usize>) -> Vec<String> {
    let mut out: Vec<String> = MISTAKES
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != except)
        .map(|(_, m)| format!("{}:{}:{} mirrorc::{}", m.file, m.line, m.column, m.code))
        .collect();
    out.sort();
    out
}

#[test]
fn ten_mistakes_are_ten_findings_each_at_its_place() {
    assert_eq!(found(&estate(&[])), expected(None));
}

#[test]
fn fixing_any_one_mistake_leaves_exactly_the_other_nine() {
    for i in 0..MISTAKES.len() {
        assert_eq!(found(&estate(&[i])), expected(Some(i)), "after fixing #{i}");
    }
}

#[test]
fn fixing_all_of_them_leaves_nothing() {
    let all: Vec<usize> = (0..MISTAKES.len()).collect();
    assert_eq!(found(&estate(&all)), Vec::<String>::new());
}
