//! No input makes mirrorc panic: arbitrary text, and valid inventories (and an LCFG header, through
//! the LCFG parser, expander and evaluator) with lines deleted,
//! duplicated or truncated, go through the whole pipeline and end in findings or artifacts.

use mirrorc_core::source::SourceMap;
use proptest::prelude::*;

const BASE: &str = include_str!("../site/forum.yaml");
const OTHER: &str = include_str!("../site/jcmb.yaml");

fn run(text: &str) {
    let mut sources = SourceMap::default();
    sources.add("forum.yaml", text.to_string());
    sources.add("jcmb.yaml", OTHER.to_string());
    let compiled = mirrorc_core::build(&sources).expect("emit never fails on a valid model");
    // Findings render (text and JSON) without panicking, with spans inside the files.
    let _ = mirrorc_core::diag::render_text(
        &sources,
        &compiled.findings,
        mirrorc_core::diag::TextStyle {
            color: false,
            width: 80,
        },
    );
    let _ = mirrorc_core::diag::to_json(&sources, &compiled.findings);
    assert_eq!(
        compiled.artifacts.is_some(),
        !mirrorc_core::diag::has_errors(&compiled.findings)
    );
}

/// `base` with each op applied at a line: 0 drop it, 1 repeat it, 2 cut it in half, 3 append.
fn mangle(base: &str, ops: Vec<(usize, u8, String)>) -> String {
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    for (at, op, text) in ops {
        let i = at % lines.len().max(1);
        match op {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let cut = lines[i].chars().count() / 2;
                let at = lines[i].char_indices().nth(cut).map_or(0, |c| c.0);
                lines[i].truncate(at);
            }
            _ => lines[i].push_str(&text),
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text(text in "\\\\PC{0,300}") {
        run(&text);
    }

    #[test]
    fn mangled_inventory(ops in prop::collection::vec((0usize..200, 0u8..4, "[ a-z0-9:\\\\[\\\\]{},&*!|>-]{0,12}"), 1..6)) {
        run(&mangle(BASE, ops));
    }
}

/// A "billion laughs" document: nine levels of ten aliases each would replay 10^9 nodes.
fn alias_bomb() -> String {
    let mut text = String::from("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("lol{level}: &l{level} [{refs}]\n"));
    }
    text
}

#[test]
fn an_alias_bomb_is_refused_not_expanded() {
    // Parsed as an inventory, and with nothing but our YAML options (every alias replayed):
    // both end in an error (the replay limit), not in a billion nodes.
    let mut sources = SourceMap::default();
    sources.add("bomb.yaml", format!("site: bomb\n{}", alias_bomb()));
    let compiled = mirrorc_core::build(&sources).expect("emit");
    assert!(mirrorc_core::diag::has_errors(&compiled.findings));
    let any = mirrorc_core::source::from_yaml::<serde::de::IgnoredAny>(&alias_bomb());
    let e = any.expect_err("an alias bomb must not deserialize");
    assert!(
        e.message.contains("alias") || e.message.contains("budget"),
        "{}",
        e.message
    );
}

#[test]
fn one_inventory_file_may_hold_more_than_a_million_yaml_events() {
    // 100,000 clients in one file: about 1.2 million YAML events. serde-saphyr's default
    // budget (1,000,000 events) stopped such a file at about 23,000 clients with a
    // "budget breached" syntax error pointing at a correct line.
    let mut text = String::from("site: big\nmirrored_by: [other]\nclients:\n");
    for i in 0..100_000u32 {
        text.push_str(&format!(
            "  c{i:06}: {{address: 10.{}.{}.{}, paths: {{home: /disk/home, www: /disk/www}}}}\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        ));
    }
    let (site, errors) = mirrorc_core::syntax::parse_file(&text);
    assert!(errors.is_empty(), "{errors:?}");
    let site = site.expect("decoded");
    assert_eq!(site.clients.len(), 100_000);
}

/// A legacy header the LCFG fuzz mangles (real syntax: defines, macros, mutations, includes).
const LEGACY: &str = include_str!("../examples/legacy/macros.h");

/// Parses, expands and evaluates one LCFG text: errors, never a panic, spans inside the text.
fn run_lcfg(text: &str) {
    let (lines, errors) = mirrorc_lcfg::parse_all(text);
    for e in &errors {
        let span = e.span();
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{span:?} outside the text"
        );
    }
    if let Ok(expanded) = mirrorc_lcfg::expand_defines(&lines) {
        let _ = mirrorc_lcfg::evaluate(&expanded);
    }
}

proptest! {
    // A bounded fuzz of the LCFG parser (cargo-fuzz needs nightly; this runs in CI every time).
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lcfg_parser_arbitrary_text(text in "\\PC{0,300}") {
        run_lcfg(&text);
    }

    #[test]
    fn lcfg_parser_mangled_header(ops in prop::collection::vec((0usize..200, 0u8..4, "[ a-zA-Z0-9_#()!,.\"'/*\\\\-]{0,12}"), 1..6)) {
        run_lcfg(&mangle(LEGACY, ops));
    }
}

/// A mistake made in a valid estate: 0 delete a required key (`store:` or `site:`), 1 change a
/// value's type (a list where a number or a text is), 2 quote a number, 3 misspell a reference.
fn mutate(base: &str, kind: u8, pick: usize) -> Option<String> {
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    let key = |l: &str| l.trim_start().split(':').next().unwrap_or("").to_string();
    let targets: Vec<usize> = (0..lines.len())
        .filter(|i| {
            let k = key(&lines[*i]);
            match kind {
                0 => k == "store" || k == "site",
                1 => [
                    "store",
                    "port",
                    "copies",
                    "safety_limit",
                    "capacity",
                    "domain",
                ]
                .contains(&k.as_str()),
                2 => ["port", "copies", "safety_limit"].contains(&k.as_str()),
                _ => k == "mirrored_by" || k == "pin",
            }
        })
        .collect();
    let i = *targets.get(pick % targets.len().max(1))?;
    let (head, value) = lines[i].split_once(':')?;
    let value = value.split('#').next().unwrap_or("").trim().to_string();
    lines[i] = match kind {
        0 => {
            return Some({
                lines.remove(i);
                lines.join("\n")
            })
        }
        1 => format!("{head}: [{value}, {value}]"),
        2 => format!("{head}: \"{value}\""),
        _ => format!("{head}: {}", value.replacen(']', "zz]", 1)),
    };
    Some(lines.join("\n"))
}

/// `check` on the estate with `forum` replaced: at least one finding, each (and each of its
/// notes) with every label inside the file it names.
fn check_mutated(forum: &str) {
    let mut sources = SourceMap::default();
    sources.add("forum.yaml", forum.to_string());
    sources.add("jcmb.yaml", OTHER.to_string());
    let compiled = mirrorc_core::check(&sources);
    assert!(!compiled.findings.is_empty(), "no finding for:\n{forum}");
    let mut all: Vec<&mirrorc_core::diag::Finding> = Vec::new();
    for f in &compiled.findings {
        all.push(f);
        all.extend(&f.related);
    }
    for f in all {
        let len = f.file.map_or(0, |id| sources.file(id).text.len());
        for l in f.diag.labels().into_iter().flatten() {
            assert!(
                l.offset() + l.len() <= len,
                "{}: label outside its file",
                f.code()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_mutated_valid_estate_is_reported_never_a_panic(kind in 0u8..4, pick in 0usize..64) {
        if let Some(forum) = mutate(BASE, kind, pick) {
            check_mutated(&forum);
        }
    }
}
