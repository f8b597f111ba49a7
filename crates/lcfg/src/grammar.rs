//! The pest parser generated from `grammar/lcfg.pest`, and readable names for its rules
//! (used in "expected ..." messages). Nothing else in the crate names pest's derive.

use pest_derive::Parser;

/// Parser for one logical LCFG line (`Rule::line`).
#[derive(Parser)]
#[grammar = "../../grammar/lcfg.pest"]
pub(super) struct LcfgParser;

/// How a rule is named in an "expected ..." message; `None` hides it.
pub(super) fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::block_comment | Rule::line_comment | Rule::line => return None,
        Rule::ws
        | Rule::comment_start
        | Rule::gap
        | Rule::statement
        | Rule::ident_char
        | Rule::close => return None,
        Rule::args | Rule::arg_text => return None,
        Rule::EOI => "end of line",
        Rule::ident | Rule::param => "a name",
        Rule::dot => "`.` between component and resource",
        Rule::bang => "`!`",
        Rule::hash => "`#`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::component => "a component name",
        Rule::resname => "a resource name",
        Rule::resource => "a resource line",
        Rule::value | Rule::text => "a value",
        Rule::mutation => "a mutation line",
        Rule::mut_sep => "a blank and a mutation such as `mADD(...)`",
        Rule::op => "a mutation such as `mADD` or `mSET`",
        Rule::macro_call => "a macro call",
        Rule::directive => "a directive",
        Rule::include => "`include`",
        Rule::system_path | Rule::local_path => "`<path>` or `\"path\"`",
        Rule::path | Rule::qpath => "a path",
        Rule::define => "`define`",
        Rule::params => "a parameter list",
        Rule::undef => "`undef`",
        Rule::ifdef => "`ifdef`",
        Rule::ifndef => "`ifndef`",
        Rule::if_ => "`if`",
        Rule::elif => "`elif`",
        Rule::else_ => "`else`",
        Rule::endif => "`endif`",
        Rule::name_sep => "a blank and a name",
        Rule::kw_include => "`include`",
        Rule::kw_define => "`define`",
        Rule::kw_undef => "`undef`",
        Rule::kw_ifdef => "`ifdef`",
        Rule::kw_ifndef => "`ifndef`",
        Rule::kw_if => "`if`",
        Rule::kw_elif => "`elif`",
        Rule::kw_else => "`else`",
        Rule::kw_endif => "`endif`",
    })
}
