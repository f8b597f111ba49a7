//! Span-less validators for names, addresses, sizes, paths and values that end up in
//! rsyncd.conf or cpp-processed LCFG headers. Each returns the reason text on failure; the
//! caller attaches the span and picks the diagnostic.

use std::net::IpAddr;

/// Identifiers cpp may expand in a header value when run without `-undef` (gcc's
/// non-reserved predefined macros on common targets) plus our own macro prefixes.
const CPP_WORDS: &[&str] = &[
    "linux", "unix", "i386", "sun", "sparc", "vax", "mips", "m68k", "hp9000",
];
/// Prefixes of macros our own site headers define.
const OWN_MACRO_PREFIXES: &[&str] = &["RMIRROR_", "MIRRORC_", "__"];
/// Operators cpp applies wherever the identifier appears (`_Pragma` wants a string literal;
/// `defined` is one inside `#if`, kept out for the same reason).
const CPP_OPERATORS: &[&str] = &["_Pragma", "defined", "__VA_ARGS__", "__VA_OPT__"];
/// Characters after `??` that make a trigraph (`??/` is `\`, joining the next line).
const TRIGRAPH_ENDS: &[char] = &['=', '/', '\'', '(', ')', '!', '<', '>', '-'];

/// Checks a site name.
pub fn site_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("empty".into()),
        Some(c) if !c.is_ascii_lowercase() => return Err("must start with a-z".into()),
        _ => {}
    }
    match chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
    {
        Some(c) => Err(format!("`{}` is not allowed", c.escape_debug())),
        None => Ok(()),
    }
}

/// Checks a host or domain name (lower-case RFC 1123 labels).
pub fn dns_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty".into());
    }
    if name.len() > 253 {
        return Err("longer than 253 characters".into());
    }
    for label in name.split('.') {
        dns_label(label)?;
    }
    if inet_aton_parses(name) {
        return Err(format!(
            "`{name}` reads as an IP address (inet_aton): rsync would take it as one in hosts allow"
        ));
    }
    cpp_safe(name)
}

/// Does `name` parse as an IPv4 address in any form `inet_aton` accepts: one to four parts,
/// each decimal, octal (leading `0`) or hex (`0x`), as in `127.1` or `2130706433`?
fn inet_aton_parses(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() <= 4
        && parts.iter().all(|p| {
            let hex = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X"));
            match hex {
                Some(h) => h.chars().all(|c| c.is_ascii_hexdigit()),
                None => !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()),
            }
        })
}

fn dns_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("empty label (two dots, or a dot at an end)".into());
    }
    if label.len() > 63 {
        return Err(format!("label `{label}` is longer than 63 characters"));
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(match c.is_ascii_uppercase() {
            true => "upper-case letters are not allowed".into(),
            false => format!("`{}` is not allowed", c.escape_debug()),
        });
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!("label `{label}` starts or ends with `-`"));
    }
    Ok(())
}

/// Parses an address to its canonical text; `None` when it is not a usable IP address.
pub fn address(text: &str) -> Option<String> {
    match text.parse::<IpAddr>() {
        Ok(ip) if !ip.is_unspecified() => Some(ip.to_string()),
        _ => None,
    }
}

/// Maps a host or path name to an LCFG tag: `-` and `.` become `_`.
pub fn to_tag(name: &str) -> String {
    name.chars()
        .map(|c| if c == '-' || c == '.' { '_' } else { c })
        .collect()
}

/// Checks a path tag as written (`^[A-Za-z0-9_.-]+$`, not `.` or `..`).
pub fn path_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("empty".into());
    }
    if tag == "." || tag == ".." {
        return Err(format!(
            "`{tag}` as the last part of a dstdir points at the client's or the store's own folder"
        ));
    }
    match tag
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        Some(c) => Err(format!("`{}` is not allowed in a tag", c.escape_debug())),
        None => cpp_safe(tag),
    }
}

/// Checks an LCFG tag (`^[A-Za-z0-9_]+$`).
pub fn lcfg_tag(tag: &str) -> Result<(), String> {
    match tag
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        Some(c) => Err(format!(
            "`{}` is not allowed in an LCFG tag",
            c.escape_debug()
        )),
        None if tag.is_empty() => Err("empty".into()),
        None => Ok(()),
    }
}

/// Checks an absolute path written to rsyncd.conf and headers. `Err(None)` means "not absolute".
pub fn abs_path(path: &str) -> Result<(), Option<String>> {
    if !path.starts_with('/') {
        return Err(None);
    }
    if path.split('/').any(|c| c == ".." || c == ".") {
        return Err(Some("`.` and `..` components are not allowed".into()));
    }
    value(path).map_err(Some)
}

/// Checks any value written into rsyncd.conf or a cpp-processed LCFG header.
pub fn value(v: &str) -> Result<(), String> {
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(format!(
            "control character {} would inject a new line or setting",
            c.escape_debug()
        ));
    }
    if let Some(c) = v.chars().find(|c| !c.is_ascii()) {
        return Err(format!(
            "non-ASCII character `{}` (U+{:04X}): cpp rewrites it as a universal character name",
            c.escape_debug(),
            u32::from(c)
        ));
    }
    let trigraph = |w: &[u8]| w[..2] == *b"??" && TRIGRAPH_ENDS.contains(&char::from(w[2]));
    if v.as_bytes().windows(3).any(trigraph) {
        return Err(
            "`??` before one of `=/'()!<>-` is a trigraph to cpp (`??/` joins lines)".into(),
        );
    }
    if v != v.trim() {
        return Err("leading or trailing white space is lost by rsync and LCFG".into());
    }
    if v.contains('\\') {
        return Err("`\\` joins lines in rsyncd.conf and cpp".into());
    }
    if v.contains("  ") {
        return Err("cpp collapses runs of spaces into one".into());
    }
    if let Some(q) = v.chars().find(|c| *c == '"' || *c == '\'') {
        return Err(format!("quote `{q}` breaks the line in cpp"));
    }
    if v.contains("//") || v.contains("/*") || v.contains("*/") {
        return Err("`//`, `/*` and `*/` are comments to cpp".into());
    }
    if v.contains(";;") {
        return Err("`;;` separates resources in expanded LCFG macros".into());
    }
    if v.contains('%') {
        return Err(
            "rsync expands `%VAR%` in rsyncd.conf values (`/a%HOME%b` is read as `/a/rootb`)"
                .into(),
        );
    }
    cpp_safe(v)
}

/// Rejects identifier tokens that cpp may expand (`linux` → `1`) or our own macro names.
pub fn cpp_safe(v: &str) -> Result<(), String> {
    for word in identifiers(v) {
        if word == "LCFGNG" {
            return Err("LCFG runs cpp with -DLCFGNG: the word `LCFGNG` becomes `1`".into());
        }
        if CPP_WORDS.contains(&word) {
            return Err(format!(
                "cpp replaces the word `{word}` (`{word}` → `1` without -undef)"
            ));
        }
        if CPP_OPERATORS.contains(&word) {
            return Err(format!("`{word}` is an operator to cpp"));
        }
        if OWN_MACRO_PREFIXES.iter().any(|p| word.starts_with(p)) {
            return Err(format!("`{word}` looks like a macro name cpp would expand"));
        }
    }
    Ok(())
}

/// The identifier tokens of `v` as cpp sees them (pp-numbers such as `2linux` are skipped).
fn identifiers(v: &str) -> impl Iterator<Item = &str> {
    let bytes = v.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let start = i;
            let c = bytes[i];
            if c.is_ascii_alphabetic() || c == b'_' {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                return Some(&v[start..i]);
            }
            if c.is_ascii_digit() {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
                {
                    i += 1;
                }
                continue;
            }
            i += 1;
        }
        None
    })
}

/// A value for a message: control characters escaped, everything else as written.
pub fn printable(v: &str) -> String {
    v.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Checks an rsync exclude pattern (space-separated in rsyncd.conf).
pub fn exclude(pattern: &str) -> Result<(), String> {
    if pattern.is_empty() {
        return Err("empty pattern".into());
    }
    if let Some(c) = pattern
        .chars()
        .find(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "{} would split or end the pattern list",
            c.escape_debug()
        ));
    }
    if pattern.contains('\\') {
        return Err("`\\` joins lines in rsyncd.conf".into());
    }
    if pattern.starts_with('!') {
        return Err("a leading `!` makes rsync clear the exclude list (`!` alone) or reads as a rule modifier".into());
    }
    if pattern.starts_with(['+', '-']) {
        return Err("rsync reads a leading `+` or `-` as an include/exclude rule prefix".into());
    }
    if pattern.contains(',') && pattern.starts_with(['+', '-', ':', '.', 'P', 'H', 'S', 'R']) {
        return Err("looks like an rsync filter rule with modifiers".into());
    }
    Ok(())
}

/// Parses a size such as `300GiB`, `1.5 TB` or `1024` (bytes).
pub fn size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (&t[..split], t[split..].trim());
    let mult: u128 = match unit {
        "" | "B" => 1,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        "PB" => 1_000_000_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "PiB" => 1 << 50,
        other => return Err(format!("unknown unit `{other}`")),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') || frac.len() > 9 {
        return Err("not a number".into());
    }
    let int: u128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| "not a number".to_string())?
    };
    let frac_val: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| "not a number".to_string())?
    };
    let scale = 10u128.pow(frac.len() as u32);
    let bytes = int
        .checked_mul(mult)
        .and_then(|b| b.checked_add(frac_val * mult / scale));
    bytes
        .and_then(|b| u64::try_from(b).ok())
        .ok_or_else(|| "too large".to_string())
}

/// Formats bytes for messages, e.g. `7.5 TiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(f: fn(&str) -> Result<(), String>, input: &str, expect: &str) {
        let got = match f(input) {
            Ok(()) => "ok".to_string(),
            Err(e) => e,
        };
        assert_eq!(got, expect, "input {input:?}");
    }

    #[test]
    fn values_that_would_break_configs_are_rejected() {
        check(value, "/disk/home", "ok");
        check(value, "/disk/my home", "ok");
        check(value, "/disk/2linux", "ok");
        check(
            value,
            "/disk/LCFGNG",
            "LCFG runs cpp with -DLCFGNG: the word `LCFGNG` becomes `1`",
        );
        check(
            value,
            "/disk/linux",
            "cpp replaces the word `linux` (`linux` → `1` without -undef)",
        );
        check(
            value,
            "/disk/unix-home",
            "cpp replaces the word `unix` (`unix` → `1` without -undef)",
        );
        check(value, "/a//b", "`//`, `/*` and `*/` are comments to cpp");
        check(value, "/a/*", "`//`, `/*` and `*/` are comments to cpp");
        check(
            value,
            "/a\nhosts allow = *",
            "control character \\n would inject a new line or setting",
        );
        check(value, "/a\\", "`\\` joins lines in rsyncd.conf and cpp");
        check(
            value,
            "/a ",
            "leading or trailing white space is lost by rsync and LCFG",
        );
        // Found by tests/cpp_roundtrip.rs: cpp turned `/m4  M` into `/m4 M`.
        check(value, "/m4  M", "cpp collapses runs of spaces into one");
        check(value, "/it's", "quote `'` breaks the line in cpp");
        check(
            value,
            "/x/RMIRROR_SERVERS_JCMB",
            "`RMIRROR_SERVERS_JCMB` looks like a macro name cpp would expand",
        );
    }

    #[test]
    fn values_cpp_would_rewrite_are_rejected() {
        check(value, "/disk/_Pragma", "`_Pragma` is an operator to cpp");
        check(
            value,
            "/disk/%HOME%",
            "rsync expands `%VAR%` in rsyncd.conf values (`/a%HOME%b` is read as `/a/rootb`)",
        );
        check(
            value,
            "/home/café",
            "non-ASCII character `é` (U+00E9): cpp rewrites it as a universal character name",
        );
        check(
            value,
            "/x\u{200b}",
            "non-ASCII character `\\u{200b}` (U+200B): cpp rewrites it as a universal character name",
        );
        check(
            value,
            "/disk/x??/",
            "`??` before one of `=/'()!<>-` is a trigraph to cpp (`??/` joins lines)",
        );
        check(
            value,
            "/disk/x???=",
            "`??` before one of `=/'()!<>-` is a trigraph to cpp (`??/` joins lines)",
        );
        check(
            value,
            "/a??b??/",
            "`??` before one of `=/'()!<>-` is a trigraph to cpp (`??/` joins lines)",
        );
        check(value, "/disk/what??", "ok");
    }

    #[test]
    fn exclude_patterns_that_modify_the_rule_list_are_rejected() {
        check(exclude, "tmp/", "ok");
        check(exclude, "*.iso", "ok");
        check(
            exclude,
            "!",
            "a leading `!` makes rsync clear the exclude list (`!` alone) or reads as a rule modifier",
        );
        check(
            exclude,
            "+tmp",
            "rsync reads a leading `+` or `-` as an include/exclude rule prefix",
        );
        check(
            exclude,
            "-,!x",
            "rsync reads a leading `+` or `-` as an include/exclude rule prefix",
        );
    }

    #[test]
    fn dot_path_tags_and_numeric_host_names_are_rejected() {
        check(
            path_tag,
            "..",
            "`..` as the last part of a dstdir points at the client's or the store's own folder",
        );
        check(
            path_tag,
            ".",
            "`.` as the last part of a dstdir points at the client's or the store's own folder",
        );
        check(path_tag, "...", "ok");
        for numeric in ["127.1", "2130706433", "0x7f.1", "0177.0.0.1", "1.2.3.4"] {
            assert!(dns_name(numeric).is_err(), "{numeric}");
        }
        check(dns_name, "1.2.3.4.5", "ok");
        check(dns_name, "fpc1.1", "ok");
    }

    #[test]
    fn host_names_follow_dns_rules() {
        check(dns_name, "fpc001.inf.ed.ac.uk", "ok");
        check(dns_name, "fpc-1", "ok");
        check(dns_name, "Fpc1", "upper-case letters are not allowed");
        check(dns_name, "fpc_001", "`_` is not allowed");
        check(
            dns_name,
            "inf..ed",
            "empty label (two dots, or a dot at an end)",
        );
        check(dns_name, "-a", "label `-a` starts or ends with `-`");
        check(
            dns_name,
            "unix.inf",
            "cpp replaces the word `unix` (`unix` → `1` without -undef)",
        );
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(size("300GiB"), Ok(300 << 30));
        assert_eq!(size("1.5 TB"), Ok(1_500_000_000_000));
        assert_eq!(size("1024"), Ok(1024));
        assert_eq!(size("8 TB bytes"), Err("unknown unit `TB bytes`".into()));
        assert_eq!(size("x"), Err("unknown unit `x`".into()));
        assert_eq!(size("99999999PiB"), Err("too large".into()));
        assert_eq!(human_size(3 << 40), "3.0 TiB");
    }

    #[test]
    fn tags_and_sites() {
        assert_eq!(to_tag("fpc-1.x"), "fpc_1_x");
        check(path_tag, "home.2-b", "ok");
        check(path_tag, "home!", "`!` is not allowed in a tag");
        check(site_name, "forum", "ok");
        check(site_name, "Forum!", "must start with a-z");
        assert_eq!(address("2001:db8:0::1"), Some("2001:db8::1".to_string()));
        assert_eq!(address("192.0.2.300"), None);
    }
}
