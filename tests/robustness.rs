//! No input makes mirrorc panic: arbitrary text, and valid inventories with lines deleted,
//! duplicated or truncated, go through the whole pipeline and end in findings or artifacts.

use mirrorc::source::SourceMap;
use proptest::prelude::*;

const BASE: &str = include_str!("../site/forum.yaml");
const OTHER: &str = include_str!("../site/jcmb.yaml");

fn run(text: &str) {
    let mut sources = SourceMap::default();
    sources.add("forum.yaml", text.to_string());
    sources.add("jcmb.yaml", OTHER.to_string());
    let compiled = mirrorc::compile(&sources).expect("emit never fails on a valid model");
    // Findings render (text and JSON) without panicking, with spans inside the files.
    let _ = mirrorc::diag::render_text(
        &sources,
        &compiled.findings,
        mirrorc::diag::TextStyle {
            color: false,
            width: 80,
        },
    );
    let _ = mirrorc::diag::to_json(&sources, &compiled.findings);
    assert_eq!(
        compiled.artifacts.is_some(),
        !mirrorc::diag::has_errors(&compiled.findings)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text(text in "\\\\PC{0,300}") {
        run(&text);
    }

    #[test]
    fn mangled_inventory(ops in prop::collection::vec((0usize..200, 0u8..4, "[ a-z0-9:\\\\[\\\\]{},&*!|>-]{0,12}"), 1..6)) {
        let mut lines: Vec<String> = BASE.lines().map(str::to_string).collect();
        for (at, op, text) in ops {
            let i = at % lines.len().max(1);
            match op {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(i, l); }
                2 => { let cut = lines[i].chars().count() / 2; let at = lines[i].char_indices().nth(cut).map_or(0, |c| c.0); lines[i].truncate(at); }
                _ => lines[i].push_str(&text),
            }
            if lines.is_empty() { lines.push(String::new()); }
        }
        run(&lines.join("\n"));
    }
}
