//! LCFG source profiles and headers (the cpp-flavoured `component.resource value` language):
//! text → typed [`Line`]s ([`parse`]), legacy macro expansion ([`expand`], in LCFG's
//! traditional-cpp dialect or ISO: [`CppMode`]) and
//! resource values ([`evaluate`]). Does no I/O and never panics on input; every problem is an
//! [`LcfgError`] with a byte span. The grammar is `grammar/lcfg.pest`, applied per logical line.

use std::ops::Range;

mod cond;
mod error;
mod eval;
mod expand;
mod grammar;
mod lex;
mod names;
mod parse;

pub use error::LcfgError;
pub use eval::{evaluate, evaluate_spanned, Evaluated, EvaluatedResources, Resources};
pub use expand::{expand, expand_defines, CppMode, Expansion};
pub use lex::MACRO_LINE_SEPARATOR;
pub use names::{is_list_resource, is_valid_name, is_valid_tag};
pub use parse::{parse, parse_all};

/// A piece of text from the input with the byte range it came from.
///
/// For values the text is cleaned (comments replaced by one blank, outer blanks trimmed)
/// while the span covers the raw region; words made by a macro expansion carry the call's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The (cleaned) text.
    pub text: String,
    /// Byte range in the original input.
    pub span: Range<usize>,
}

/// One logical line: `\`-newline continuations joined, comments may span physical lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What the line says.
    pub kind: LineKind,
    /// Byte range of the statement (or of the comments, for a comment-only line).
    pub span: Range<usize>,
    /// 1-based line number where `span` starts.
    pub line: usize,
}

/// The kinds of logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Nothing but blanks.
    Blank,
    /// Only comments: their inner text, trimmed, joined by one blank.
    Comment(String),
    /// `#include <path>` (`system`) or `#include "path"`.
    Include {
        /// The path between the delimiters.
        path: Word,
        /// True for `<...>`.
        system: bool,
    },
    /// `#define NAME body` or `#define NAME(a, b) body`.
    Define {
        /// The macro name.
        name: Word,
        /// Parameter names of a function-like macro (`None`: object-like).
        params: Option<Vec<String>>,
        /// The replacement text, continuations joined, each comment replaced by a blank
        /// (ISO cpp).
        body: Word,
        /// The replacement text as written, comments kept: traditional cpp substitutes the
        /// parameters, then removes comments without a trace, so `a_/**/p` pastes to `a_<arg>`.
        traditional: String,
    },
    /// `#undef NAME`.
    Undef(Word),
    /// A conditional directive; `arg` is the name or expression (empty for else/endif).
    Cond {
        /// Which directive.
        kind: CondKind,
        /// Its argument.
        arg: Word,
    },
    /// `component.resource value`: the value runs to the end of the line, may be empty.
    Resource {
        /// Component name.
        component: Word,
        /// Resource name.
        resource: Word,
        /// The value, comments removed and trimmed.
        value: Word,
    },
    /// `!component.resource mOP(args)`.
    Mutation {
        /// Component name.
        component: Word,
        /// Resource name.
        resource: Word,
        /// The mutation, e.g. `mADD` (any `m...` name parses; [`evaluate`] checks it).
        op: Word,
        /// Text between the parentheses, trimmed.
        args: Word,
    },
    /// `NAME(arg, ...)` alone on a line: a call of a function-like macro (legacy headers).
    MacroCall {
        /// The macro name.
        name: Word,
        /// The comma-separated arguments, trimmed.
        args: Vec<Word>,
        /// The same arguments as traditional cpp substitutes them: blanks around them kept,
        /// comments removed without a trace.
        raw_args: Vec<String>,
    },
}

impl LineKind {
    /// Every word of the line, to move or rewrite their spans.
    pub fn words_mut(&mut self) -> Vec<&mut Word> {
        match self {
            LineKind::Include { path, .. } => vec![path],
            LineKind::Define { name, body, .. } => vec![name, body],
            LineKind::Undef(w) => vec![w],
            LineKind::Cond { arg, .. } => vec![arg],
            LineKind::Resource {
                component,
                resource,
                value,
            } => vec![component, resource, value],
            LineKind::Mutation {
                component,
                resource,
                op,
                args,
            } => vec![component, resource, op, args],
            LineKind::MacroCall { name, args, .. } => {
                std::iter::once(name).chain(args.iter_mut()).collect()
            }
            LineKind::Blank | LineKind::Comment(_) => Vec::new(),
        }
    }
}

/// The conditional directives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondKind {
    /// `#ifdef NAME`
    Ifdef,
    /// `#ifndef NAME`
    Ifndef,
    /// `#if expr`
    If,
    /// `#elif expr`
    Elif,
    /// `#else`
    Else,
    /// `#endif`
    Endif,
}

#[cfg(test)]
#[cfg(test)]
mod tests_stress;

#[cfg(test)]
pub(crate) mod tests {
    use std::fmt::Write as _;

    use miette::Diagnostic;

    use super::{
        evaluate, expand, expand_defines, parse, CondKind, CppMode, LcfgError, Line, LineKind,
    };

    /// One line per node: `L<line> <span> <kind ...>`, or one line per error.
    pub(crate) fn dump(input: &str, lines: &[Line]) -> String {
        let mut out = String::new();
        for l in lines {
            let _ = writeln!(
                out,
                "L{} {}..{} {}",
                l.line,
                l.span.start,
                l.span.end,
                kind(&l.kind)
            );
        }
        let _ = input;
        out
    }

    fn kind(k: &LineKind) -> String {
        match k {
            LineKind::Blank => "blank".into(),
            LineKind::Comment(t) => format!("comment {t:?}"),
            LineKind::Include { path, system: true } => format!("include <{}>", path.text),
            LineKind::Include {
                path,
                system: false,
            } => format!("include \"{}\"", path.text),
            LineKind::Define {
                name,
                params: None,
                body,
                ..
            } => format!("define {} {:?}", name.text, body.text),
            LineKind::Define {
                name,
                params: Some(p),
                body,
                ..
            } => {
                format!("define {}({}) {:?}", name.text, p.join(", "), body.text)
            }
            LineKind::Undef(n) => format!("undef {}", n.text),
            LineKind::Cond { kind, arg } => format!("{} {:?}", cond(*kind), arg.text),
            LineKind::Resource {
                component,
                resource,
                value,
            } => {
                format!(
                    "resource {}.{} = {:?}",
                    component.text, resource.text, value.text
                )
            }
            LineKind::Mutation {
                component,
                resource,
                op,
                args,
            } => {
                format!(
                    "mutation {}.{} {} {:?}",
                    component.text, resource.text, op.text, args.text
                )
            }
            LineKind::MacroCall { name, args, .. } => {
                let args: Vec<String> = args.iter().map(|a| format!("{:?}", a.text)).collect();
                format!("call {}({})", name.text, args.join(", "))
            }
        }
    }

    fn cond(k: CondKind) -> &'static str {
        match k {
            CondKind::Ifdef => "ifdef",
            CondKind::Ifndef => "ifndef",
            CondKind::If => "if",
            CondKind::Elif => "elif",
            CondKind::Else => "else",
            CondKind::Endif => "endif",
        }
    }

    /// `error <code> L<line>:<col>+<len>: <message> [<label>]`, columns in characters.
    pub(crate) fn dump_errors(input: &str, errors: &[LcfgError]) -> String {
        let mut out = String::new();
        for e in errors {
            let span = e.span();
            let before = input.get(..span.start).unwrap_or(input);
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            let labels: Vec<String> = e
                .labels()
                .into_iter()
                .flatten()
                .filter_map(|l| l.label().map(str::to_owned))
                .collect();
            let _ = writeln!(
                out,
                "error {code} L{line}:{col}+{}: {e} [{}]",
                span.len(),
                labels.join("; ")
            );
        }
        out
    }

    /// Parses `input` (and, with `mode`, expands and/or evaluates it) and compares the dump.
    #[track_caller]
    fn check_mode(mode: Mode, input: &str, expect: &str) {
        let actual = match (mode, parse(input)) {
            (_, Err(errors)) => dump_errors(input, &errors),
            (Mode::Parse, Ok(lines)) => dump(input, &lines),
            (Mode::Expand, Ok(lines)) => match expand_defines(&lines) {
                Ok(lines) => dump(input, &lines),
                Err(errors) => dump_errors(input, &errors),
            },
            (Mode::Traditional, Ok(lines)) => {
                let done = expand(&lines, CppMode::Traditional);
                let mut out = dump(input, &done.lines);
                out.push_str(&dump_errors(input, &done.errors));
                for span in &done.iso_pastes {
                    let line = input[..span.start].matches('\n').count() + 1;
                    out.push_str(&format!("iso paste L{line}\n"));
                }
                out
            }
            (Mode::Eval, Ok(lines)) => match expand_defines(&lines).and_then(|l| evaluate(&l)) {
                Ok(res) => res
                    .iter()
                    .map(|((c, r), v)| format!("{c}.{r} = {v:?}\n"))
                    .collect(),
                Err(errors) => dump_errors(input, &errors),
            },
        };
        let expect: Vec<&str> = expect
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let actual_lines: Vec<&str> = actual.lines().collect();
        assert!(
            expect == actual_lines,
            "\n--- expected\n{}\n--- actual\n{actual}",
            expect.join("\n")
        );
    }

    #[derive(Clone, Copy)]
    enum Mode {
        Parse,
        Expand,
        Traditional,
        Eval,
    }

    #[track_caller]
    fn check(input: &str, expect: &str) {
        check_mode(Mode::Parse, input, expect);
    }

    #[track_caller]
    fn check_expand(input: &str, expect: &str) {
        check_mode(Mode::Expand, input, expect);
    }

    #[track_caller]
    fn check_traditional(input: &str, expect: &str) {
        check_mode(Mode::Traditional, input, expect);
    }

    #[track_caller]
    fn check_eval(input: &str, expect: &str) {
        check_mode(Mode::Eval, input, expect);
    }

    #[test]
    fn every_line_kind() {
        check(
            "\n/* header */\n#include <sites/jcmb.h>\n# include \"local.h\"\n#define GUARD\n\
             #define SERVERS a.example b.example\n#define CLIENT(tag, fqdn) x.y_##tag fqdn\n#undef GUARD\n\
             #ifdef A\n#ifndef B\n#if defined(C) && D > 1\n#elif 0\n#else\n#endif\n\
             rmirror.safetylimit 70\nrmirror.note  two  words \nrmirror.empty\n\
             !rmirror.disklist mADD(a b)\nCLIENT(fpc001_home, fpc001.example)\n",
            r#"
            L1 0..0 blank
            L2 1..13 comment "header"
            L3 14..37 include <sites/jcmb.h>
            L4 38..57 include "local.h"
            L5 58..71 define GUARD ""
            L6 72..107 define SERVERS "a.example b.example"
            L7 108..148 define CLIENT(tag, fqdn) "x.y_##tag fqdn"
            L8 149..161 undef GUARD
            L9 162..170 ifdef "A"
            L10 171..180 ifndef "B"
            L11 181..204 if "defined(C) && D > 1"
            L12 205..212 elif "0"
            L13 213..218 else ""
            L14 219..225 endif ""
            L15 226..248 resource rmirror.safetylimit = "70"
            L16 249..273 resource rmirror.note = "two  words"
            L17 275..288 resource rmirror.empty = ""
            L18 289..316 mutation rmirror.disklist mADD "a b"
            L19 317..352 call CLIENT("fpc001_home", "fpc001.example")
            "#,
        );
    }

    #[test]
    fn continuation_lines_are_joined_and_spans_stay_in_the_original() {
        check(
            "#define MIRROR(tag) \\\n  !rmirror.disklist mADD(tag) \\\n  ;; rmirror.dstdir_##tag /d/tag\nrmirror.long first \\\nsecond\nrmir\\\nror.x y\n",
            r#"
            L1 0..86 define MIRROR(tag) "!rmirror.disklist mADD(tag)   ;; rmirror.dstdir_##tag /d/tag"
            L4 87..114 resource rmirror.long = "first second"
            L6 115..128 resource rmirror.x = "y"
            "#,
        );
    }

    #[test]
    fn comments_anywhere() {
        check(
            "/* one\n   two */\na.b value /* trailing */\n/* lead */ a.c v\na.d x /* mid */ y\n\
             !/* c */a.e/* c */mADD( t1 /* c */ t2 ) /* after */\n// line comment\na.f http://x\n\
             /* a */ /* b */\n#endif /* GUARD */\na.g /* x\n y */ z\n",
            r#"
            L1 0..16 comment "one\n   two"
            L3 17..41 resource a.b = "value"
            L4 53..58 resource a.c = "v"
            L5 59..76 resource a.d = "x   y"
            L6 77..116 mutation a.e mADD "t1   t2"
            L7 129..144 comment "line comment"
            L8 145..157 resource a.f = "http:"
            L9 158..173 comment "a b"
            L10 174..192 endif ""
            L11 193..209 resource a.g = "z"
            "#,
        );
    }

    #[test]
    fn crlf_and_tabs() {
        check(
            "a.b\tv 1\r\n!a.c\tmADD(x)\r\n#define X\t1\r\n",
            r#"
            L1 0..7 resource a.b = "v 1"
            L2 9..21 mutation a.c mADD "x"
            L3 23..34 define X "1"
            "#,
        );
    }

    #[test]
    fn macro_separator_splits_only_non_directive_lines() {
        check(
            "a.b 1 ;; a.c 2;;\n#define M a.d 3 ;; a.e 4\n/* ;; */ a.f 5\n",
            r#"
            L1 0..5 resource a.b = "1"
            L1 9..14 resource a.c = "2"
            L2 17..41 define M "a.d 3 ;; a.e 4"
            L3 51..56 resource a.f = "5"
            "#,
        );
    }

    #[test]
    fn syntax_errors_are_all_reported_with_positions() {
        check(
            "a.b ok\nfoo bar\n  #pragma once\n!a.b\n!a.b mADD(x\n!a.b mADD(x) y\n#include nowhere\na.c ok\n.x y\n",
            r#"
            error mirrorc::lcfg_syntax L2:4+1: syntax error: expected `.` between component and resource [found ' ']
            error mirrorc::lcfg_syntax L3:4+1: syntax error: expected `include`, `define`, `undef`, `ifdef`, `ifndef`, `if`, `elif`, `else`, or `endif` [found 'p']
            error mirrorc::lcfg_syntax L4:5+0: syntax error: expected a blank and a mutation such as `mADD(...)` [found end of line]
            error mirrorc::lcfg_syntax L5:12+0: syntax error: expected `)` [found end of line]
            error mirrorc::lcfg_syntax L6:15+0: syntax error: expected `)` [found end of line]
            error mirrorc::lcfg_syntax L7:10+1: syntax error: expected `<path>` or `"path"` [found 'n']
            error mirrorc::lcfg_syntax L9:1+1: syntax error: expected a resource, a mutation, a comment or a directive [found '.']
            "#,
        );
    }

    #[test]
    fn invalid_names_and_tags() {
        check(
            "rmirror.src-host x\n9comp.res x\n!rmirror.disklist mADD(good bad-tag b.c)\n\
             !rmirror.disklist mSET(a.b)\n!rmirror.note mSET(a.b)\nrmirror.disklist ok also-bad\n\
             !profile.components mADD(rmirror-client)\n",
            r#"
            error mirrorc::lcfg_invalid_name L1:9+8: invalid resource name `src-host` [not a valid resource name]
            error mirrorc::lcfg_invalid_name L2:1+5: invalid component name `9comp` [not a valid component name]
            error mirrorc::lcfg_invalid_tag L3:29+7: invalid tag `bad-tag` in list resource rmirror.disklist [not a valid tag]
            error mirrorc::lcfg_invalid_tag L3:37+3: invalid tag `b.c` in list resource rmirror.disklist [not a valid tag]
            error mirrorc::lcfg_invalid_tag L4:24+3: invalid tag `a.b` in list resource rmirror.disklist [not a valid tag]
            error mirrorc::lcfg_invalid_tag L6:21+8: invalid tag `also-bad` in list resource rmirror.disklist [not a valid tag]
            error mirrorc::lcfg_invalid_tag L7:26+14: invalid tag `rmirror-client` in list resource profile.components [not a valid tag]
            "#,
        );
    }

    #[test]
    fn unterminated_comment() {
        check(
            "a.b 1\na.c 2 /* never\nclosed\n",
            r#"
            error mirrorc::lcfg_unterminated_comment L2:7+2: unterminated comment [comment starts here]
            "#,
        );
    }

    #[test]
    fn error_columns_count_characters_and_follow_continuations() {
        check(
            "a.b é\né.x y\nab\\\nc d\n\tx é\n",
            r#"
            error mirrorc::lcfg_invalid_name L2:1+2: invalid component name `é` [not a valid component name]
            error mirrorc::lcfg_syntax L4:2+1: syntax error: expected `.` between component and resource [found ' ']
            error mirrorc::lcfg_syntax L5:3+1: syntax error: expected `.` between component and resource [found ' ']
            "#,
        );
    }

    #[test]
    fn evaluate_sets_replaces_and_appends() {
        check_eval(
            "#ifndef G\n#define G\n/* c */\nrmirror.safetylimit 70\nrmirror.safetylimit 80\n\
             !rmirror.disklist mADD(a b)\n!rmirror.disklist mADD(b  c a)\n!rmirror.x mSET(v  w)\n\
             !rmirror.x mSET()\nrmirror.y\n!rmirror.z mADD()\n#endif\n",
            r#"
            rmirror.disklist = "a b c"
            rmirror.safetylimit = "80"
            rmirror.x = ""
            rmirror.y = ""
            rmirror.z = ""
            "#,
        );
    }

    #[test]
    fn evaluate_rejects_other_mutations_and_macro_calls() {
        check_mode(Mode::Parse, "", "");
        let input = "!a.b mREMOVE(x)\n!a.c mSET(y)\nM(1)\n!a.d mEXTRA(z)\n";
        let lines = parse(input).unwrap_or_default();
        let errors = evaluate(&lines).err().unwrap_or_default();
        let actual = dump_errors(input, &errors);
        assert_eq!(actual, "error mirrorc::lcfg_unsupported_mutation L1:6+7: unsupported mutation `mREMOVE` on a.b [unsupported]\nerror mirrorc::lcfg_unexpanded_macro L3:1+4: macro call `M(...)` was not expanded [not expanded]\nerror mirrorc::lcfg_unsupported_mutation L4:6+6: unsupported mutation `mEXTRA` on a.d [unsupported]\n");
    }

    #[test]
    fn expand_object_like_macros_in_values_and_args() {
        check_expand(
            "#define RMIRROR_SERVERS_JCMB jmirror1.inf.ed.ac.uk jmirror2.inf.ed.ac.uk\n#define TAGS a_1 b_2\n\
             #define BOTH RMIRROR_SERVERS_JCMB TAGS\n#define SELF SELF x\n#define uk UK\n\
             rmirrorclient.hostsallow RMIRROR_SERVERS_JCMB\n!rmirror.disklist mADD(TAGS)\na.b BOTH\na.c SELF\n\
             a.d RMIRROR_SERVERS_JCMBX 8873uk x.uk\n#undef TAGS\na.e TAGS\n",
            r#"
            L1 0..72 define RMIRROR_SERVERS_JCMB "jmirror1.inf.ed.ac.uk jmirror2.inf.ed.ac.uk"
            L2 73..93 define TAGS "a_1 b_2"
            L3 94..132 define BOTH "RMIRROR_SERVERS_JCMB TAGS"
            L4 133..152 define SELF "SELF x"
            L5 153..166 define uk "UK"
            L6 167..212 resource rmirrorclient.hostsallow = "jmirror1.inf.ed.ac.UK jmirror2.inf.ed.ac.UK"
            L7 213..241 mutation rmirror.disklist mADD "a_1 b_2"
            L8 242..250 resource a.b = "jmirror1.inf.ed.ac.UK jmirror2.inf.ed.ac.UK a_1 b_2"
            L9 251..259 resource a.c = "SELF x"
            L10 260..297 resource a.d = "RMIRROR_SERVERS_JCMBX 8873uk x.UK"
            L11 298..309 undef TAGS
            L12 310..318 resource a.e = "TAGS"
            "#,
        );
    }

    #[test]
    fn expand_function_like_macros() {
        check_expand(
            "#define PATH_ROOT /disk/rmirror1\n\
             #define MIRROR_CLIENT(tag, fqdn, module, path) \\\n  !rmirror.disklist mADD(tag) ;; \\\n  \
             rmirror.srchost_##tag fqdn ;; \\\n  rmirror.dstdir_ ## tag PATH_ROOT/module ;;\n\
             MIRROR_CLIENT(fpc001_home, fpc001.inf.ed.ac.uk, home, /disk/home)\n\
             #define NEST(t) MIRROR_CLIENT(t, h, m, p)\nNEST(x_1)\n",
            r#"
            L1 0..32 define PATH_ROOT "/disk/rmirror1"
            L2 33..195 define MIRROR_CLIENT(tag, fqdn, module, path) "!rmirror.disklist mADD(tag) ;;   rmirror.srchost_##tag fqdn ;;   rmirror.dstdir_ ## tag PATH_ROOT/module ;;"
            L6 196..261 mutation rmirror.disklist mADD "fpc001_home"
            L6 196..261 resource rmirror.srchost_fpc001_home = "fpc001.inf.ed.ac.uk"
            L6 196..261 resource rmirror.dstdir_fpc001_home = "/disk/rmirror1/home"
            L7 262..303 define NEST(t) "MIRROR_CLIENT(t, h, m, p)"
            L8 304..313 mutation rmirror.disklist mADD "x_1"
            L8 304..313 resource rmirror.srchost_x_1 = "h"
            L8 304..313 resource rmirror.dstdir_x_1 = "/disk/rmirror1/m"
            "#,
        );
    }

    /// As GNU `cpp -traditional` 12 does (each output checked by running it; tests/lcfg_cpp.rs
    /// compares the legacy examples): comments paste (after substitution), arguments keep their
    /// blanks, `##` stays (and is reported), `LCFGNG` is 1; a kept `#define` says what it means.
    #[test]
    fn traditional_mode_follows_cpp_traditional() {
        check_traditional(
            "#define STORE /disk/rmirror1\n\
             #define MC(tag, fqdn, path) !r.disklist mADD(tag) ;; r.srchost_/**/tag fqdn ;; r.dstdir_/* c */tag STORE/path\n\
             MC(fpc001_home,fpc001.example,fpc001/home)\nMC( a_b , h , p )\n\
             #define LIST a/**/b c /* c */ d\nx.l LIST\n\
             #define ISO(t) x.y_##t 1\nISO(k)\n#ifdef LCFGNG\nx.ng LCFGNG\n#endif\n",
            r#"
            L1 0..28 define STORE "/disk/rmirror1"
            L2 29..138 define MC(tag, fqdn, path) "!r.disklist mADD(tag) ;; r.srchost_ tag fqdn ;; r.dstdir_ tag STORE/path"
            L3 139..181 mutation r.disklist mADD "fpc001_home"
            L3 139..181 resource r.srchost_fpc001_home = "fpc001.example"
            L3 139..181 resource r.dstdir_fpc001_home = "/disk/rmirror1/fpc001/home"
            L4 182..199 mutation r.disklist mADD "a_b"
            L4 182..199 resource r.srchost_ = "a_b   h"
            L4 182..199 resource r.dstdir_ = "a_b  /disk/rmirror1/ p"
            L5 200..231 define LIST "ab c  d"
            L6 232..240 resource x.l = "ab c  d"
            L7 241..265 define ISO(t) "x.y_##t 1"
            L9 273..286 ifdef "LCFGNG"
            L10 287..298 resource x.ng = "1"
            L11 299..305 endif ""
            error mirrorc::lcfg_invalid_name L8:1+6: invalid resource name `y_##k` [not a valid resource name]
            iso paste L7
            "#,
        );
    }

    /// As GNU cpp 12 does: ISO leaves literals alone, traditional substitutes inside them.
    #[test]
    fn parameters_inside_string_literals() {
        let input = "#define G(t) x.s \"t \\\" t\" 't' t\nG(hi)\n";
        check_expand(
            input,
            r#"
            L1 0..31 define G(t) "x.s \"t \\\" t\" 't' t"
            L2 32..37 resource x.s = "\"t \\\" t\" 't' hi"
            "#,
        );
        check_traditional(
            input,
            r#"
            L1 0..31 define G(t) "x.s \"t \\\" t\" 't' t"
            L2 32..37 resource x.s = "\"hi \\\" hi\" 'hi' hi"
            "#,
        );
    }

    #[test]
    fn expansion_errors() {
        check_expand(
            "#define F(a, b) x.y a b\n#define OBJ x.z 1\n#define BAD(t) !x.list mADD(t)\n\
             #define A B B B B B B B B\n#define B C C C C C C C C\n#define C D D D D D D D D\n\
             #define D E E E E E E E E\n#define E F0 F0 F0 F0 F0 F0 F0 F0\n#define F0 G G G G G G G G G\n\
             #define G 0123456789\n\
             F(1)\nOBJ(1)\nNOPE(2)\nBAD(bad-tag)\n!x.list mADD(T)\n#define T t.1\n!x.list mADD(T)\nx.big A\n",
            r#"
            error mirrorc::lcfg_macro_arity L11:1+4: macro `F` takes 2 argument(s) but 1 were given [wrong number of arguments]
            error mirrorc::lcfg_unknown_macro L12:1+6: unknown macro `OBJ` [no function-like macro of this name is defined here]
            error mirrorc::lcfg_unknown_macro L13:1+7: unknown macro `NOPE` [no function-like macro of this name is defined here]
            error mirrorc::lcfg_invalid_tag L14:1+12: invalid tag `bad-tag` in list resource x.list [not a valid tag]
            error mirrorc::lcfg_invalid_tag L17:14+1: invalid tag `t.1` in list resource x.list [not a valid tag]
            error mirrorc::lcfg_macro_expansion L18:7+1: expansion of macro `A` is too deep or too large [expanded here]
            "#,
        );
    }

    #[test]
    fn expand_evaluates_simple_conditionals() {
        check_expand(
            "#ifndef G\n#define G\na.b 1\n#endif\n#ifndef G\n#define G\na.b 2\n#endif\n\
             #ifdef G\na.c yes\n#else\na.c no\n#endif\n#if 0\n#if x + 1 > 2\n#endif\na.d dead\n\
             #elif !defined(G)\na.d dead2\n#elif defined G\na.d live\n#else\na.d dead3\n#endif\n",
            r#"
            L1 0..9 ifndef "G"
            L2 10..19 define G ""
            L3 20..25 resource a.b = "1"
            L4 26..32 endif ""
            L5 33..42 ifndef "G"
            L8 59..65 endif ""
            L9 66..74 ifdef "G"
            L10 75..82 resource a.c = "yes"
            L11 83..88 else ""
            L13 96..102 endif ""
            L14 103..108 if "0"
            L15 109..122 if "x + 1 > 2"
            L16 123..129 endif ""
            L18 139..156 elif "!defined(G)"
            L20 167..182 elif "defined G"
            L21 183..191 resource a.d = "live"
            L22 192..197 else ""
            L24 208..214 endif ""
            "#,
        );
    }

    #[test]
    fn expand_reports_bad_conditionals() {
        check_expand(
            "#if X > 1\n#endif\n#endif\n#else\n#ifdef A\na.b 1\n",
            r#"
            error mirrorc::lcfg_unsupported_condition L1:1+9: unsupported condition `X > 1` [cannot evaluate this]
            error mirrorc::lcfg_unbalanced_conditional L3:1+6: unbalanced `#endif` [no matching conditional]
            error mirrorc::lcfg_unbalanced_conditional L4:1+5: unbalanced `#else` [no matching conditional]
            error mirrorc::lcfg_unbalanced_conditional L5:1+8: unbalanced `#ifdef` [no matching conditional]
            "#,
        );
    }

    #[test]
    fn word_spans_point_into_the_original_text() {
        let input = "/* c */ !rmirror.disk\\\nlist /* x */ mADD( t1 \\\n t2 ) \nrmirror.v a /* b */ c // d\n";
        let lines = parse(input).unwrap_or_default();
        let mut got = Vec::new();
        for l in &lines {
            let mut kind = l.kind.clone();
            let words = kind.words_mut();
            for w in words {
                got.push(format!(
                    "{:?}={:?}",
                    w.text,
                    input.get(w.span.clone()).unwrap_or("<bad span>")
                ));
            }
        }
        assert_eq!(
            got.join("\n"),
            "\"rmirror\"=\"rmirror\"\n\"disklist\"=\"disk\\\\\\nlist\"\n\"mADD\"=\"mADD\"\n\"t1  t2\"=\"t1 \\\\\\n t2\"\n\"rmirror\"=\"rmirror\"\n\"v\"=\"v\"\n\"a   c\"=\"a /* b */ c\""
        );
    }

    #[test]
    fn errors_render_with_miette_once_the_caller_attaches_the_file() {
        use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, Report};
        let input = "a.b ok\n!rmirror.disklist mADD(fpc-001)\n";
        let errors = parse(input).err().unwrap_or_default();
        let report =
            Report::new(errors[0].clone()).with_source_code(NamedSource::new("servers/x", input));
        let mut out = String::new();
        let handler =
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        let _ = handler.render_report(&mut out, report.as_ref());
        assert!(out.contains("mirrorc::lcfg_invalid_tag"), "{out}");
        assert!(out.contains("[servers/x:2:24]"), "{out}");
        assert!(out.contains("not a valid tag"), "{out}");
    }
}
