//! The `rsync:` table (site defaults, client, path table): the allowlisted extra module
//! parameters, each decoded by its type. A key naming an access parameter (`hosts allow`,
//! `read only`, `uid`, `path`, ... in any spelling) is taken out and kept in
//! `RsyncDecl::refused`, so `analyze` refuses it with its reason instead of "unknown key".

use super::{Dec, Entity};
use crate::source::Sp;
use crate::syntax::ast::RsyncDecl;
use crate::syntax::node::Node;

/// The keys `rsync:` accepts.
pub(super) const KEYS: &[&str] = &[
    "timeout",
    "max_connections",
    "refuse_options",
    "filter",
    "dont_compress",
    "transfer_logging",
];

/// rsyncd.conf parameters that decide who gets in and what they can reach, as rsync
/// compares names (lower case, no blanks); with `_` and `-` also ignored here.
const ACCESS: &[&str] = &[
    "hostsallow",
    "hostsdeny",
    "readonly",
    "writeonly",
    "list",
    "authusers",
    "secretsfile",
    "uid",
    "gid",
    "usechroot",
    "path",
];

/// `key` as an access parameter name (`hosts_allow`, `Hosts Allow` → `hostsallow`), if it is one.
fn access_name(key: &str) -> Option<&'static str> {
    let norm: String = key
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    ACCESS.iter().copied().find(|a| *a == norm)
}

/// Decodes an `rsync:` table.
pub(super) fn decode(d: &mut Dec<'_>, node: &Node) -> Option<Sp<RsyncDecl>> {
    let mut t = d.table(node, "rsync module parameters")?;
    let (refused, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut t.entries)
        .into_iter()
        .partition(|(k, _)| access_name(k).is_some());
    t.entries = rest;
    let list = |d: &mut Dec<'_>, n: &Node, what: &str, example: &str| {
        d.strings(n, what, example).map(|v| Sp::new(v, n.span()))
    };
    let out = RsyncDecl {
        timeout: t
            .get("timeout")
            .and_then(|n| d.uint(n, "timeout", u32::MAX.into())),
        max_connections: t
            .get("max_connections")
            .and_then(|n| d.uint(n, "max_connections", u32::MAX.into())),
        refuse_options: t
            .get("refuse_options")
            .and_then(|n| list(d, n, "rsync options", "refuse_options: [delete]")),
        filter: t
            .get("filter")
            .and_then(|n| list(d, n, "filter rules", "filter: [\"- *.tmp\"]")),
        dont_compress: t
            .get("dont_compress")
            .and_then(|n| list(d, n, "file patterns", "dont_compress: [\"*.gz\"]")),
        transfer_logging: t.get("transfer_logging").and_then(|n| d.bool(n)),
        refused: refused.into_iter().map(|(k, _)| k).collect(),
    };
    d.finish(t, Entity::Rsync);
    Some(Sp::new(out, node.span()))
}
