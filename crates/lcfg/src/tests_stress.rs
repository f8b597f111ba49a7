//! Fuzz-style inputs that would expose exponential backtracking or panics: each must be
//! handled correctly (timing is not asserted; the suite simply has to finish in seconds).

use super::{evaluate, expand_defines, parse, LcfgError, LineKind};

fn codes(errors: &[LcfgError]) -> Vec<String> {
    use miette::Diagnostic;
    errors
        .iter()
        .map(|e| e.code().map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn twenty_thousand_lines() {
    let mut text = String::from("/* big */\n#ifndef BIG\n#define BIG\n");
    for i in 0..5_000 {
        text.push_str(&format!(
            "!rmirror.disklist mADD(d{i})\nrmirror.srchost_d{i} host{i}.example /* c */\n"
        ));
        text.push_str(&format!("rmirror.dstdir_d{i} /disk/d{i} \\\n  tail\n"));
    }
    text.push_str("#endif\n");
    let lines = parse(&text).unwrap_or_default();
    assert_eq!(lines.len(), 3 + 15_000 + 1);
    let res = evaluate(&expand_defines(&lines).unwrap_or_default()).unwrap_or_default();
    let key = |r: &str| ("rmirror".to_owned(), r.to_owned());
    assert_eq!(
        res.get(&key("disklist")).map(|v| v.split(' ').count()),
        Some(5_000)
    );
    assert_eq!(
        res.get(&key("dstdir_d4999")).map(String::as_str),
        Some("/disk/d4999   tail")
    );
}

#[test]
fn ten_thousand_nested_looking_comments() {
    let comments = "/* /* */ ".repeat(10_000);
    let lines = parse(&format!("{comments}\na.b x {comments}\n")).unwrap_or_default();
    assert!(matches!(&lines[0].kind, LineKind::Comment(t) if t.len() == 3 * 10_000 - 1));
    assert!(matches!(&lines[1].kind, LineKind::Resource { value, .. } if value.text == "x"));
    let errors = parse(&format!("a.b 1\n{comments}/* /* /*\na.c 2\n"))
        .err()
        .unwrap_or_default();
    assert_eq!(codes(&errors), ["mirrorc::lcfg_unterminated_comment"]);
    let errors = parse(&"*/ ".repeat(10_000)).err().unwrap_or_default();
    assert_eq!(codes(&errors), ["mirrorc::lcfg_syntax"]);
}

#[test]
fn hundred_kilobyte_single_line() {
    let value = "v".repeat(100_000);
    let lines = parse(&format!("a.b {value}")).unwrap_or_default();
    assert!(
        matches!(&lines[0].kind, LineKind::Resource { value: v, .. } if v.text.len() == 100_000)
    );
    let tags = "t ".repeat(50_000);
    let lines = parse(&format!("!a.list mADD({tags})")).unwrap_or_default();
    assert_eq!(
        evaluate(&lines)
            .unwrap_or_default()
            .values()
            .next()
            .map(String::as_str),
        Some("t")
    );
    for junk in ["(", "!", ".", "#", "/", "\\", ")", "a", ";;", "\"", "é"] {
        let line = junk.repeat(100_000 / junk.len());
        let _ = parse(&line); // must not panic or hang
    }
}

#[test]
fn deeply_repeated_parentheses() {
    let open = "(".repeat(50_000);
    let errors = parse(&format!("!a.b mADD{open}\n"))
        .err()
        .unwrap_or_default();
    assert_eq!(codes(&errors), ["mirrorc::lcfg_syntax"]);
    let errors = parse(&format!("!a.list mADD({open}{})\n", ")".repeat(49_999)))
        .err()
        .unwrap_or_default();
    assert_eq!(codes(&errors), ["mirrorc::lcfg_invalid_tag"]);
    let lines = parse(&format!("!a.b mSET(x{} )\n", ") ".repeat(50_000))).unwrap_or_default();
    assert!(
        matches!(&lines[0].kind, LineKind::Mutation { args, .. } if args.text.len() == 100_000)
    );
    let lines = parse(&format!(
        "F({}x{})\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    ))
    .unwrap_or_default();
    assert!(matches!(&lines[0].kind, LineKind::MacroCall { args, .. } if args.len() == 1));
    let lines = parse(&format!("F({})\n", "a,".repeat(10_000))).unwrap_or_default();
    assert!(matches!(&lines[0].kind, LineKind::MacroCall { args, .. } if args.len() == 10_001));
}

#[test]
fn many_splices_and_separators() {
    let text = format!(
        "a.b x{}y\n{}\n",
        "\\\n".repeat(10_000),
        "c.d 1 ;; ".repeat(10_000)
    );
    let lines = parse(&text).unwrap_or_default();
    assert_eq!(lines.len(), 10_001);
    assert!(matches!(&lines[0].kind, LineKind::Resource { value, .. } if value.text == "xy"));
    assert_eq!(lines[10_000].line, 10_002); // after 10,000 continued lines
}

/// Deterministic pseudo-random lines from an alphabet of the characters that matter:
/// nothing may panic, and every error span must lie on character boundaries of the input.
#[test]
fn random_soup_never_panics() {
    let alphabet: Vec<char> = "ab_1.!#()/*\\\n ;,é\"<>mADDSETdefineifendif"
        .chars()
        .collect();
    let mut seed: u64 = 0x5eed;
    for _ in 0..3_000 {
        let mut text = String::new();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = (seed >> 33) % 120;
        for _ in 0..len {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push(alphabet[((seed >> 33) % alphabet.len() as u64) as usize]);
        }
        let errors = match parse(&text) {
            Ok(lines) => match expand_defines(&lines) {
                Ok(expanded) => evaluate(&expanded).err().unwrap_or_default(),
                Err(e) => e,
            },
            Err(e) => e,
        };
        for e in errors {
            let s = e.span();
            assert!(
                text.get(s.clone()).is_some(),
                "bad span {s:?} for {text:?}: {e}"
            );
        }
    }
}
