//! `--format github`: findings as GitHub Actions workflow commands
//! (`::error file=site/forum.yaml,line=3,col=5,endLine=3,endColumn=9,title=mirrorc::unknown_site::message`),
//! which the runner shows as annotations on the pull request. GitHub's escaping: in the message
//! `%`, CR and LF become `%25`, `%0D`, `%0A`; in a property value also `:` and `,` (`%3A`, `%2C`).

use mirrorc_core::diag::JsonFinding;

/// One workflow command per finding (related notes become notices), each on its own line.
pub(crate) fn annotations(findings: &[JsonFinding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&command(f, command_name(f.severity)));
        for r in &f.related {
            out.push_str(&command(r, "notice"));
        }
    }
    out
}

fn command_name(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "notice",
    }
}

fn command(f: &JsonFinding, name: &str) -> String {
    let mut props = Vec::new();
    if let Some(file) = &f.file {
        props.push(format!("file={}", property(file)));
        if let (Some(line), Some(col)) = (f.line, f.column) {
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            if let (Some(end_line), Some(end_col)) = (f.end_line, f.end_column) {
                props.push(format!("endLine={end_line}"));
                props.push(format!("endColumn={end_col}"));
            }
        }
    }
    props.push(format!("title={}", property(&f.code)));
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{name} {}::{}\n", props.join(","), data(&message))
}

/// Escapes a message.
pub(crate) fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
pub(crate) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{data, property};

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(data("50% off\r\nnext"), "50%25 off%0D%0Anext");
        assert_eq!(property("mirrorc::a,b"), "mirrorc%3A%3Aa%2Cb");
        assert_eq!(property("100%"), "100%25");
    }
}
