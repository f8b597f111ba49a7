//! Node tree → `SiteFile`: our typed decoder. It never stops at the first problem: every
//! unknown or misplaced key, wrong type, missing key and duplicate of a file is collected and
//! the rest is still decoded, so parse never fails (a host whose declaration has a problem is
//! kept by name only, in `SiteFile::partial`, so analysis treats it as unknown-but-present).
//!
//! **Adding a key to an entity** (three lines, a unit test checks they agree):
//! 1. the field in `ast.rs` (its doc comment is the schema's description);
//! 2. its name in that entity's list in [`KEYS`] (unknown-key suggestions, "belongs under");
//! 3. one line in the entity's function below, e.g. `runner: t.get("runner").and_then(|n| d.string(n))`
//!    (value decoders: `string`, `uint`, `bool`, `size`, `addresses`, `names`, `duration`-like
//!    texts are strings; a new enum gets a `fn` like `state`).

use indexmap::IndexMap;
use miette::SourceSpan;

use super::ast::{
    Addresses, ClientDecl, Defaults, EstateDecl, Partial, PathDecl, PathTable, ServerDecl,
    SiteFile, Size,
};
use super::error::SyntaxError;
use super::node::{Kind, Node};
use crate::model::ServerState;
use crate::source::Sp;

mod rsync;

/// The entities of a site file, and the keys each may hold.
pub const KEYS: [(Entity, &[&str]); 7] = [
    (
        Entity::Site,
        &[
            "site",
            "description",
            "domain",
            "mirrored_by",
            "defaults",
            "servers",
            "clients",
            "estate",
        ],
    ),
    (
        Entity::Defaults,
        &["port", "copies", "safety_limit", "max_age", "rsync"],
    ),
    (Entity::Server, &["address", "store", "capacity", "state"]),
    (
        Entity::Client,
        &[
            "address",
            "mirrored_by",
            "copies",
            "pin",
            "port",
            "max_age",
            "rsync",
            "paths",
        ],
    ),
    (
        Entity::Path,
        &["path", "size", "exclude", "checksum", "max_age", "rsync"],
    ),
    (
        Entity::Estate,
        &[
            "realm",
            "remctl_port",
            "max_age",
            "mirrorc",
            "runner",
            "pid_file",
            "lock_file",
            "uid",
            "gid",
        ],
    ),
    (Entity::Rsync, rsync::KEYS),
];

/// A kind of table in a site file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// The file itself.
    Site,
    /// `defaults:`.
    Defaults,
    /// One entry of `servers:`.
    Server,
    /// One entry of `clients:`.
    Client,
    /// The table form of one entry of a client's `paths:`.
    Path,
    /// `estate:`.
    Estate,
    /// `rsync:` (site defaults, client or path table).
    Rsync,
}

impl Entity {
    /// The keys this entity may hold.
    pub fn keys(self) -> &'static [&'static str] {
        KEYS.iter()
            .find(|(e, _)| *e == self)
            .map_or(&[], |(_, k)| k)
    }

    /// "a server", for "belongs under a server".
    pub fn article(self) -> &'static str {
        match self {
            Entity::Site => "the top level of the site file",
            Entity::Defaults => "`defaults:`",
            Entity::Server => "a server",
            Entity::Client => "a client",
            Entity::Path => "a path table (`home: { path: ..., size: ... }`)",
            Entity::Estate => "`estate:`",
            Entity::Rsync => "`rsync:`",
        }
    }

    /// Entities one level up or down, searched for "belongs under" hints, nearest first.
    fn neighbours(self) -> &'static [Entity] {
        match self {
            Entity::Site => &[
                Entity::Defaults,
                Entity::Server,
                Entity::Client,
                Entity::Estate,
            ],
            Entity::Defaults => &[Entity::Site, Entity::Client],
            Entity::Server => &[Entity::Site, Entity::Client],
            Entity::Client => &[Entity::Path, Entity::Site, Entity::Server],
            Entity::Path => &[Entity::Client],
            Entity::Estate => &[Entity::Site],
            Entity::Rsync => &[Entity::Path, Entity::Client],
        }
    }
}

/// Decodes one file's root node. `complete` is false when a syntax error cut the text short
/// (missing keys are then not reported: they may be in the part that was not read).
pub fn site_file(
    root: Option<&Node>,
    complete: bool,
    errors: &mut Vec<SyntaxError>,
) -> Option<SiteFile> {
    let mut d = Dec {
        errors,
        complete,
        failures: 0,
    };
    let root = root?;
    let mut t = d.table(root, "the site file")?;
    let mut partial = Partial::default();
    let site = match t.get("site") {
        Some(n) => d.string(n),
        None => {
            d.missing("site", "this site file", SourceSpan::new(0.into(), 0), root);
            None
        }
    };
    partial.site = site.is_none();
    let mirrored_by = t.get("mirrored_by").and_then(|n| {
        let v = d.names(n, "site names", "mirrored_by: [jcmb]");
        partial.mirrored_by = v.is_none();
        v
    });
    let file = SiteFile {
        site: site.unwrap_or_else(|| Sp::new(String::new(), SourceSpan::new(0.into(), 0))),
        description: t.get("description").and_then(|n| d.string(n)),
        domain: t.get("domain").and_then(|n| d.string(n)),
        mirrored_by,
        defaults: t.get("defaults").and_then(|n| defaults(&mut d, n)),
        servers: t
            .get("servers")
            .map(|n| hosts(&mut d, n, Entity::Server, &mut partial, server))
            .unwrap_or_default(),
        clients: t
            .get("clients")
            .map(|n| hosts(&mut d, n, Entity::Client, &mut partial, client))
            .unwrap_or_default(),
        estate: t.get("estate").and_then(|n| estate(&mut d, n)),
        partial,
    };
    let before = d.errors.len();
    d.finish(t, Entity::Site);
    // `servrs:` is an unknown key: the site's servers may be more than those read.
    let mut file = file;
    file.partial.top_level = d.errors.len() > before;
    Some(if complete { file } else { names_only(file) })
}

/// A file cut short by a syntax error: its hosts count by name only (what was read of them
/// may be missing keys; analysing it would report those as mistakes of their own).
fn names_only(mut file: SiteFile) -> SiteFile {
    let servers = std::mem::take(&mut file.servers).into_keys();
    let clients = std::mem::take(&mut file.clients).into_keys();
    file.partial.servers.extend(servers);
    file.partial.clients.extend(clients);
    file
}

fn defaults(d: &mut Dec<'_>, node: &Node) -> Option<Defaults> {
    let mut t = d.table(node, "defaults")?;
    let out = Defaults {
        port: t.get("port").and_then(|n| d.port(n)),
        copies: t
            .get("copies")
            .and_then(|n| d.uint(n, "copies", u32::MAX.into())),
        safety_limit: t
            .get("safety_limit")
            .and_then(|n| d.uint(n, "safety_limit", u32::MAX.into())),
        max_age: t.get("max_age").and_then(|n| d.string(n)),
        rsync: t.get("rsync").and_then(|n| rsync::decode(d, n)),
    };
    d.finish(t, Entity::Defaults);
    Some(out)
}

fn estate(d: &mut Dec<'_>, node: &Node) -> Option<Sp<EstateDecl>> {
    let mut t = d.table(node, "estate settings")?;
    let out = EstateDecl {
        realm: t.get("realm").and_then(|n| d.string(n)),
        remctl_port: t.get("remctl_port").and_then(|n| d.port(n)),
        max_age: t.get("max_age").and_then(|n| d.string(n)),
        mirrorc: t.get("mirrorc").and_then(|n| d.string(n)),
        runner: t.get("runner").and_then(|n| d.runner(n)),
        pid_file: t.get("pid_file").and_then(|n| d.string(n)),
        lock_file: t.get("lock_file").and_then(|n| d.string(n)),
        uid: t.get("uid").and_then(|n| d.string(n)),
        gid: t.get("gid").and_then(|n| d.string(n)),
    };
    d.finish(t, Entity::Estate);
    // Shown where the block starts (a whole block underlined would be several lines).
    Some(Sp::new(
        out,
        SourceSpan::new(node.span().offset().into(), 0),
    ))
}

/// A host's decoder: its name, its table. `None` (with findings) when any part failed.
type HostFn<T> = fn(&mut Dec<'_>, &Sp<String>, Table<'_>) -> Option<T>;

/// A host's name, its table, and the entries moved under it.
type Group<'n> = (Sp<String>, &'n Node, Vec<(Sp<String>, &'n Node)>);

/// `servers:` or `clients:`. A name that is a key of the entity (`paths:` or `state:`
/// dedented one level) is reported as misplaced and decoded under the host before it, as
/// the author meant; a host that does not decode is kept by name in `partial`.
fn hosts<T>(
    d: &mut Dec<'_>,
    node: &Node,
    entity: Entity,
    partial: &mut Partial,
    decode: HostFn<T>,
) -> IndexMap<Sp<String>, T> {
    let what = match entity {
        Entity::Server => "servers by host name",
        _ => "clients by host name",
    };
    let mut out = IndexMap::new();
    let Some(t) = d.table(node, what) else {
        return out;
    };
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (name, value) in t.entries {
        if entity.keys().contains(&name.as_str()) {
            if let Some((host, _, extra)) = groups.last_mut() {
                d.errors.push(SyntaxError::MisplacedKey {
                    key: name.to_string(),
                    under: entity.article(),
                    help: format!(
                        "`{name}` is a key, not a host name: indent it under `{host}:` (or the host it belongs to)"
                    ),
                    span: name.span(),
                });
                extra.push((name, value));
                continue;
            }
        }
        groups.push((name, value, Vec::new()));
    }
    for (name, value, extra) in groups {
        let before = d.problems();
        let decoded = d.host_table(value, entity, &name).and_then(|mut t| {
            t.entries.extend(extra);
            decode(d, &name, t)
        });
        match decoded {
            Some(v) if d.problems() == before => {
                out.insert(name, v);
            }
            _ if entity == Entity::Server => partial.servers.push(name),
            _ => partial.clients.push(name),
        }
    }
    out
}

fn server(d: &mut Dec<'_>, name: &Sp<String>, mut t: Table<'_>) -> Option<ServerDecl> {
    let store = d.required(&mut t, "store", name, Entity::Server);
    let store = store.and_then(|n| d.string(n));
    let address = t.get("address").and_then(|n| d.addresses(n));
    let capacity = t.get("capacity").and_then(|n| d.size(n));
    let state = t.get("state").and_then(|n| d.state(n));
    d.finish(t, Entity::Server);
    Some(ServerDecl {
        address,
        store: store?,
        capacity,
        state,
    })
}

fn client(d: &mut Dec<'_>, _name: &Sp<String>, mut t: Table<'_>) -> Option<ClientDecl> {
    let out = ClientDecl {
        address: t.get("address").and_then(|n| d.addresses(n)),
        mirrored_by: t
            .get("mirrored_by")
            .and_then(|n| d.names(n, "site names", "mirrored_by: [jcmb]")),
        copies: t
            .get("copies")
            .and_then(|n| d.uint(n, "copies", u32::MAX.into())),
        pin: t
            .get("pin")
            .and_then(|n| d.names(n, "server names", "pin: [jmirror1]")),
        port: t.get("port").and_then(|n| d.port(n)),
        max_age: t.get("max_age").and_then(|n| d.string(n)),
        rsync: t.get("rsync").and_then(|n| rsync::decode(d, n)),
        paths: t.get("paths").map(|n| paths(d, n)).unwrap_or_default(),
    };
    d.finish(t, Entity::Client);
    Some(out)
}

fn paths(d: &mut Dec<'_>, node: &Node) -> IndexMap<Sp<String>, Sp<PathDecl>> {
    let mut out = IndexMap::new();
    let Some(t) = d.table(node, "path tags with their paths") else {
        return out;
    };
    for (tag, value) in t.entries {
        let decl = match &value.kind {
            Kind::Scalar { text, .. } => Some(PathDecl::Plain(text.clone())),
            Kind::Map(_) => path_table(d, value).map(|t| PathDecl::Table(Box::new(t))),
            _ => {
                d.wrong(
                    value,
                    format!("{}, expected a path or a table with `path`", value.shape()),
                    "write `home: /disk/home` or `home: { path: /disk/home, size: 300GiB }`".into(),
                );
                None
            }
        };
        if let Some(decl) = decl {
            out.insert(tag, Sp::new(decl, value.span()));
        }
    }
    out
}

fn path_table(d: &mut Dec<'_>, node: &Node) -> Option<PathTable> {
    let mut t = d.table(node, "a path table")?;
    let path = t.get("path");
    if path.is_none() {
        d.missing("path", "this path table", node.span(), node);
    }
    let path = path.and_then(|n| d.string(n));
    let size = t.get("size").and_then(|n| d.size(n));
    let exclude = t
        .get("exclude")
        .and_then(|n| d.strings(n, "exclude patterns", "exclude: [tmp/]"))
        .unwrap_or_default();
    let checksum = t.get("checksum").and_then(|n| d.bool(n));
    let max_age = t.get("max_age").and_then(|n| d.string(n));
    let rsync = t.get("rsync").and_then(|n| rsync::decode(d, n));
    d.finish(t, Entity::Path);
    Some(PathTable {
        path: path?,
        size,
        exclude,
        checksum,
        max_age,
        rsync,
    })
}

/// The decoder's state: where findings go.
struct Dec<'e> {
    errors: &'e mut Vec<SyntaxError>,
    complete: bool,
    /// Values that failed without a finding of their own (tagged: reported by `node`).
    failures: usize,
}

/// A mapping being decoded: its entries by key (duplicates already reported), and which
/// keys were asked for.
struct Table<'n> {
    node: &'n Node,
    entries: Vec<(Sp<String>, &'n Node)>,
}

impl<'n> Table<'n> {
    /// Takes the value of `key` (so `finish` does not report it as unknown). An empty value
    /// (`copies:` or `copies: ~`) is the key's absence, as in the schema (`null` allowed).
    fn get(&mut self, key: &str) -> Option<&'n Node> {
        debug_assert!(
            KEYS.iter().any(|(_, k)| k.contains(&key)),
            "{key} is not in KEYS"
        );
        let i = self.entries.iter().position(|(k, _)| k.as_str() == key)?;
        Some(self.entries.remove(i).1).filter(|n| !matches!(n.kind, Kind::Null))
    }
}

impl Dec<'_> {
    /// Problems so far (a host is kept only if decoding it added none).
    fn problems(&self) -> usize {
        self.errors.len() + self.failures
    }

    fn wrong(&mut self, node: &Node, message: String, help: String) {
        if matches!(node.kind, Kind::Invalid) {
            self.failures += 1;
            return;
        }
        self.errors.push(SyntaxError::WrongType {
            message,
            help,
            span: node.span(),
        });
    }

    /// A mapping, with duplicate and non-text keys reported.
    fn table<'n>(&mut self, node: &'n Node, what: &str) -> Option<Table<'n>> {
        let Kind::Map(entries) = &node.kind else {
            self.wrong(
                node,
                format!(
                    "expected {what} (a table of `key: value` lines), found {}",
                    node.shape()
                ),
                "see `mirrorc schema` for the shape of each key".into(),
            );
            return None;
        };
        let mut out: Vec<(Sp<String>, &Node)> = Vec::with_capacity(entries.len());
        let mut firsts: std::collections::HashMap<&str, SourceSpan> =
            std::collections::HashMap::new();
        for (k, v) in entries {
            let Kind::Scalar { text, .. } = &k.kind else {
                self.wrong(
                    k,
                    format!("a key must be a name, found {}", k.shape()),
                    "write `name: value`".into(),
                );
                continue;
            };
            if let Some(first) = firsts.get(text.as_str()) {
                self.errors.push(SyntaxError::DuplicateKey {
                    key: text.clone(),
                    span: k.span(),
                    first: *first,
                });
                continue;
            }
            firsts.insert(text, k.span());
            out.push((Sp::new(text.clone(), k.span()), v));
        }
        Some(Table { node, entries: out })
    }

    /// A host's table; its name in the help when it is not one.
    fn host_table<'n>(
        &mut self,
        node: &'n Node,
        entity: Entity,
        name: &Sp<String>,
    ) -> Option<Table<'n>> {
        if matches!(node.kind, Kind::Map(_) | Kind::Invalid) {
            return self.table(node, "");
        }
        let what = if entity == Entity::Server {
            "server"
        } else {
            "client"
        };
        let keys = entity.keys().join(", ");
        let at = if matches!(node.kind, Kind::Null) {
            name.span()
        } else {
            node.span()
        };
        self.errors.push(SyntaxError::WrongType {
            span: at,
            message: format!(
                "{what} `{name}` is {}, expected a table of its keys",
                node.shape()
            ),
            help: format!("write its keys indented under `{name}:` ({keys})"),
        });
        None
    }

    /// Reports every key of `t` nobody asked for.
    fn finish(&mut self, t: Table<'_>, entity: Entity) {
        let _ = t.node;
        for (key, _) in t.entries {
            self.errors.push(unknown_key(&key, entity));
        }
    }

    /// A required key: reported at the entity's name when absent.
    fn required<'n>(
        &mut self,
        t: &mut Table<'n>,
        key: &str,
        name: &Sp<String>,
        entity: Entity,
    ) -> Option<&'n Node> {
        let found = t.get(key);
        // A misspelt `stor:` is one mistake: its unknown-key finding says "did you mean".
        let misspelt = || {
            t.entries
                .iter()
                .any(|(k, _)| crate::diag::did_you_mean(k, entity.keys()).as_deref() == Some(key))
        };
        if found.is_none() && !misspelt() {
            let what = if entity == Entity::Server {
                "server"
            } else {
                "client"
            };
            self.missing(key, &format!("{what} `{name}`"), name.span(), t.node);
        }
        found
    }

    fn missing(&mut self, key: &str, owner: &str, span: SourceSpan, _node: &Node) {
        if self.complete {
            self.errors.push(SyntaxError::MissingKey {
                key: key.to_string(),
                owner: owner.to_string(),
                span,
            });
        }
    }

    /// Any text (a plain scalar is text too: `site: 2024` is the name "2024").
    fn string(&mut self, node: &Node) -> Option<Sp<String>> {
        match &node.kind {
            Kind::Scalar { text, .. } => Some(Sp::new(text.clone(), node.span())),
            Kind::Null => {
                self.wrong(
                    node,
                    "an empty value where a text is needed".into(),
                    "write a value after the colon, or remove the key".into(),
                );
                None
            }
            _ => {
                self.wrong(
                    node,
                    format!("expected a text, found {}", node.shape()),
                    "write a single value".into(),
                );
                None
            }
        }
    }

    /// A whole number from 0 to `max`, written as plain decimal digits.
    fn uint<T: TryFrom<u64>>(&mut self, node: &Node, key: &str, max: u64) -> Option<Sp<T>> {
        let Kind::Scalar { text, quoted } = &node.kind else {
            self.wrong(
                node,
                format!("`{key}` must be a whole number, found {}", node.shape()),
                format!("write `{key}: <number>`"),
            );
            return None;
        };
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if *quoted {
            let help = if digits {
                format!("write {text} without quotes")
            } else {
                format!("write `{key}: <number>`")
            };
            self.wrong(node, format!("`{key}` must be a number, not text"), help);
            return None;
        }
        if let Some(v) = non_decimal(text) {
            self.wrong(
                node,
                format!("{key} `{text}` is not written in decimal (YAML reads it as {v}); write the {key} as plain digits"),
                format!("write `{key}: {v}` if that is what you meant"),
            );
            return None;
        }
        let range = if max == u64::from(u16::MAX) {
            "a whole number from 0 to 65535".to_string()
        } else if max == u64::from(u32::MAX) {
            "a whole number from 0 to 4294967295".to_string()
        } else {
            format!("a whole number from 0 to {max}")
        };
        let value = text.parse::<u64>().ok().filter(|v| digits && *v <= max);
        match value.and_then(|v| T::try_from(v).ok()) {
            Some(v) => Some(Sp::new(v, node.span())),
            None => {
                self.wrong(
                    node,
                    format!("expected {range}, found `{text}`"),
                    format!("`{key}` is {range}"),
                );
                None
            }
        }
    }

    fn port(&mut self, node: &Node) -> Option<Sp<u16>> {
        self.uint(node, "port", u16::MAX.into())
    }

    /// `true` or `false`, unquoted.
    fn bool(&mut self, node: &Node) -> Option<Sp<bool>> {
        let value = match &node.kind {
            Kind::Scalar { text, quoted } => match text.as_str() {
                "true" | "True" | "TRUE" => Some((true, *quoted)),
                "false" | "False" | "FALSE" => Some((false, *quoted)),
                _ => None,
            },
            _ => None,
        };
        match value {
            Some((v, false)) => Some(Sp::new(v, node.span())),
            Some((v, true)) => {
                self.wrong(
                    node,
                    "expected true or false, not text".into(),
                    format!("write {v} without quotes"),
                );
                None
            }
            None => {
                self.wrong(
                    node,
                    format!("expected true or false, found {}", describe(node)),
                    "write `true` or `false`".into(),
                );
                None
            }
        }
    }

    /// A size: text with a unit (checked by `analyze`) or a plain number of bytes.
    fn size(&mut self, node: &Node) -> Option<Sp<Size>> {
        match &node.kind {
            Kind::Scalar {
                text,
                quoted: false,
            } if text.starts_with('-') && text[1..].bytes().all(|b| b.is_ascii_digit()) => {
                self.wrong(
                    node,
                    "a size cannot be negative".into(),
                    "write a size such as 300GiB".into(),
                );
                None
            }
            Kind::Scalar {
                text,
                quoted: false,
            } if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                match text.parse::<u64>() {
                    Ok(b) => Some(Sp::new(Size::Bytes(b), node.span())),
                    Err(_) => {
                        self.wrong(
                            node,
                            format!("`{text}` bytes is too large"),
                            "write a size with a unit, such as 8TiB".into(),
                        );
                        None
                    }
                }
            }
            Kind::Scalar { text, .. } => Some(Sp::new(Size::Text(text.clone()), node.span())),
            _ => {
                self.wrong(
                    node,
                    format!("expected a size such as 300GiB, found {}", node.shape()),
                    "write a size such as 300GiB".into(),
                );
                None
            }
        }
    }

    /// One address or a list of them.
    fn addresses(&mut self, node: &Node) -> Option<Sp<Addresses>> {
        match &node.kind {
            Kind::Scalar { text, .. } => Some(Sp::new(Addresses::One(text.clone()), node.span())),
            Kind::Seq(_) => self
                .strings(node, "addresses", "address: [192.0.2.1, 2001:db8::1]")
                .map(|v| Sp::new(Addresses::Many(v), node.span())),
            _ => {
                self.wrong(
                    node,
                    format!(
                        "expected an address or a list of addresses, found {}",
                        node.shape()
                    ),
                    "write `address: 192.0.2.1`".into(),
                );
                None
            }
        }
    }

    /// A list of texts.
    fn strings(&mut self, node: &Node, what: &str, example: &str) -> Option<Vec<Sp<String>>> {
        let Kind::Seq(items) = &node.kind else {
            self.wrong(
                node,
                format!("expected a list of {what}, found {}", node.shape()),
                format!("write a list, e.g. `{example}`"),
            );
            return None;
        };
        let before = self.problems();
        let out: Vec<Sp<String>> = items.iter().filter_map(|n| self.string(n)).collect();
        (self.problems() == before).then_some(out)
    }

    /// A list of names, spanned as a whole.
    fn names(&mut self, node: &Node, what: &str, example: &str) -> Option<Sp<Vec<Sp<String>>>> {
        self.strings(node, what, example)
            .map(|v| Sp::new(v, node.span()))
    }

    /// A server's state, with did-you-mean.
    fn state(&mut self, node: &Node) -> Option<Sp<ServerState>> {
        let text = match &node.kind {
            Kind::Scalar { text, .. } => text.as_str(),
            _ => "",
        };
        let value = match text {
            "active" => ServerState::Active,
            "drain" => ServerState::Drain,
            "retired" => ServerState::Retired,
            _ => {
                let names = ["active", "drain", "retired"];
                let help = match crate::diag::did_you_mean(text, &names)
                    .or_else(|| prefix_of(text, &names))
                {
                    Some(s) => format!("did you mean `{s}`? (one of active, drain, retired)"),
                    None => "one of active, drain, retired".into(),
                };
                self.wrong(
                    node,
                    format!("unknown server state {}", describe(node)),
                    help,
                );
                return None;
            }
        };
        Some(Sp::new(value, node.span()))
    }

    fn runner(&mut self, node: &Node) -> Option<Sp<crate::model::Runner>> {
        use crate::model::Runner;
        let value = match &node.kind {
            Kind::Scalar { text, .. } if text == "mirrorc" => Runner::Mirrorc,
            Kind::Scalar { text, .. } if text == "rmirror" => Runner::Rmirror,
            _ => {
                let help = "`mirrorc` (mirrorc run pulls the disks) or `rmirror` (the original LCFG component, port 873)";
                self.wrong(
                    node,
                    format!("unknown runner {}", describe(node)),
                    help.into(),
                );
                return None;
            }
        };
        Some(Sp::new(value, node.span()))
    }
}

/// `draining` → `drain`: a candidate the word starts with.
fn prefix_of(word: &str, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|n| word.len() > n.len() && word.starts_with(**n))
        .map(|n| n.to_string())
}

/// `` `gone` `` or "a list".
fn describe(node: &Node) -> String {
    match &node.kind {
        Kind::Scalar { text, .. } => format!("`{text}`"),
        _ => node.shape().to_string(),
    }
}

/// YAML's other ways of writing an integer (`0o17`, `0x1f`, `017`), with the value read.
fn non_decimal(text: &str) -> Option<u64> {
    let t = text.strip_prefix('+').unwrap_or(text);
    if let Some(o) = t.strip_prefix("0o") {
        return u64::from_str_radix(o, 8).ok();
    }
    if let Some(x) = t.strip_prefix("0x") {
        return u64::from_str_radix(x, 16).ok();
    }
    if t.len() > 1 && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    if t.len() != text.len() {
        return t.parse().ok();
    }
    None
}

/// An unknown key: where it belongs when it is a key one level up or down, else
/// did-you-mean among this entity's keys.
fn unknown_key(key: &Sp<String>, entity: Entity) -> SyntaxError {
    let keys = entity.keys();
    if let Some(home) = entity
        .neighbours()
        .iter()
        .find(|e| e.keys().contains(&key.as_str()))
    {
        return SyntaxError::MisplacedKey {
            key: key.to_string(),
            under: home.article(),
            help: format!("move it there (keys here: {})", keys.join(", ")),
            span: key.span(),
        };
    }
    let help = match crate::diag::did_you_mean(key, keys) {
        Some(s) => format!("did you mean `{s}`? (expected one of {})", keys.join(", ")),
        None => format!("expected one of {}", keys.join(", ")),
    };
    SyntaxError::UnknownKey {
        key: key.to_string(),
        help,
        span: key.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Entity, KEYS};
    use crate::syntax::parse_file;

    /// Property names of one object of the schema (the root or a definition).
    fn properties(schema: &serde_json::Value, def: Option<&str>) -> Vec<String> {
        let object = match def {
            Some(d) => &schema["definitions"][d],
            None => schema,
        };
        let mut keys: Vec<String> = object["properties"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    #[test]
    fn the_decoders_keys_are_the_schemas() {
        let schema: serde_json::Value =
            serde_json::from_str(&crate::schema::json_schema()).expect("schema");
        for (entity, keys) in KEYS {
            let def = match entity {
                Entity::Site => None,
                Entity::Defaults => Some("Defaults"),
                Entity::Server => Some("ServerDecl"),
                Entity::Client => Some("ClientDecl"),
                Entity::Path => Some("PathTable"),
                Entity::Estate => Some("EstateDecl"),
                Entity::Rsync => Some("RsyncDecl"),
            };
            let mut ours: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            ours.sort();
            assert_eq!(ours, properties(&schema, def), "{entity:?}");
        }
    }

    /// Codes and lines of every problem of one file.
    fn problems(text: &str) -> Vec<String> {
        use miette::Diagnostic;
        let (_, errors) = parse_file(text);
        let mut out: Vec<(usize, String)> = errors
            .iter()
            .map(|e| {
                let at = e
                    .labels()
                    .and_then(|mut l| l.next())
                    .map_or(0, |l| l.offset());
                let line = text[..at].matches('\n').count() + 1;
                let code = e.code().map(|c| c.to_string()).unwrap_or_default();
                (at, format!("{line}: {code}: {e}"))
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn every_problem_of_a_file_is_reported_and_the_rest_decodes() {
        let text = "site: forum\nmirrored_by: jcmb\nservers:\n  fmirror1:\n    adress: 192.0.2.1\n    store: /m\n  fmirror2:\n    state: draining\nclients:\n  pc1:\n    port: \"8874\"\n    paths: { home: /h }\n  pc2:\n    paths: { home: /h }\n  pc2:\n    paths: { www: /w }\n";
        insta::assert_snapshot!(problems(text).join("\n"), @r"
        2: mirrorc::wrong_type: wrong type: expected a list of site names, found a single value
        5: mirrorc::unknown_key: unknown key `adress`
        7: mirrorc::missing_key: server `fmirror2` has no `store`
        8: mirrorc::wrong_type: wrong type: unknown server state `draining`
        11: mirrorc::wrong_type: wrong type: `port` must be a number, not text
        15: mirrorc::duplicate_key: duplicate key `pc2`
        ");
    }

    #[test]
    fn keys_at_the_wrong_level_say_where_they_belong() {
        let text = "site: x\nstore: /m\nservers:\n  a:\n    store: /m\n  state: drain\nclients:\n  c:\n    size: 1GiB\n    paths: { home: /h }\n";
        insta::assert_snapshot!(problems(text).join("\n"), @"
        2: mirrorc::misplaced_key: `store` belongs under a server
        6: mirrorc::misplaced_key: `state` belongs under a server
        9: mirrorc::misplaced_key: `size` belongs under a path table (`home: { path: ..., size: ... }`)
        ");
    }
}
