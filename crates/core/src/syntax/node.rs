//! Text → a spanned YAML node tree, the layer under the decoder (`decode.rs`). Built from
//! granit-parser's events (the parser serde-saphyr itself uses) by one loop with an explicit
//! stack, so a syntax error still leaves every node read before it: the tree is closed where
//! the parser stopped and marked incomplete. Aliases are replayed as copies of their anchor
//! (spanned where they are used) within a budget linear in the text, so an alias bomb is one
//! finding, not a billion nodes. Tags, a second document and over-deep nesting are findings
//! too. **Invariant:** the only module that names granit-parser; no inventory knowledge here.

use granit_parser::{Event, Parser, ScalarStyle};
use miette::SourceSpan;

use super::error::SyntaxError;

/// Deepest nesting read (deeper input is cut off with a finding; the decoder recurses).
const MAX_DEPTH: usize = 64;

/// One YAML node with the byte span it came from.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node is.
    pub kind: Kind,
    /// Byte offset of its start.
    pub offset: u32,
    /// Byte length.
    pub len: u32,
}

/// The shape of a node.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `~`, `null` or nothing at all.
    Null,
    /// A scalar as text; `quoted` for '…', "…" and block scalars (never a number or boolean).
    Scalar {
        /// The value after escapes.
        text: String,
        /// Written in quotes or as a block scalar.
        quoted: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in written order (duplicates kept: the decoder reports them).
    Map(Vec<(Node, Node)>),
    /// A tagged value (`!!binary ...`): already reported, its content is not used.
    Invalid,
}

impl Node {
    /// The node's span.
    pub fn span(&self) -> SourceSpan {
        SourceSpan::new((self.offset as usize).into(), self.len as usize)
    }

    /// A short word for the node's shape, for "expected X, found Y".
    pub fn shape(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "an empty value",
            Kind::Scalar { .. } => "a single value",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a table",
            Kind::Invalid => "a tagged value",
        }
    }
}

/// The tree of one file: its root (`None` when nothing was read) and every problem met.
pub struct Tree {
    /// The document's root node.
    pub root: Option<Node>,
    /// False when a syntax error cut the document short (missing keys are then not reported).
    pub complete: bool,
    /// Syntax errors, tags, extra documents.
    pub errors: Vec<SyntaxError>,
}

/// A collection being built.
struct Open {
    node: Node,
    anchor: usize,
    /// It carries a tag: it becomes `Kind::Invalid` when closed.
    tagged: bool,
    /// A mapping key waiting for its value.
    key: Option<Node>,
}

/// Builds the node tree of `text`.
pub fn read(text: &str) -> Tree {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        errors: Vec::new(),
        alias_budget: text.len() + 10_000,
        documents: 0,
    };
    let mut complete = true;
    for item in Parser::new_from_str(text) {
        match item {
            Ok((event, span)) => {
                let start = span.start.byte_offset().unwrap_or(0);
                let end = span.end.byte_offset().unwrap_or(start).max(start);
                if !b.event(event, start, end) {
                    // A second document leaves the first whole; anything else cut it short.
                    complete = b.documents > 1;
                    break;
                }
            }
            Err(e) => {
                let at = e.marker().byte_offset().unwrap_or(0).min(text.len());
                let width = text[at..].chars().next().map_or(0, char::len_utf8);
                b.errors.push(SyntaxError::Yaml {
                    message: e.info(),
                    span: SourceSpan::new(at.into(), width),
                });
                complete = false;
                break;
            }
        }
    }
    // The collection the parser stopped in is dropped with its key (what it held was cut
    // short and would only raise wrong-type findings); the ones around it keep what they had.
    if !complete {
        if let Some(open) = b.stack.pop() {
            if let Some(parent) = b.stack.last_mut() {
                parent.key = None;
            }
            drop(open);
        }
    }
    while !b.stack.is_empty() {
        b.close(None);
    }
    Tree {
        root: b.root,
        complete,
        errors: b.errors,
    }
}

struct Builder {
    stack: Vec<Open>,
    /// Anchored nodes by id (index 0 unused), kept for aliases.
    anchors: Vec<Option<Node>>,
    root: Option<Node>,
    errors: Vec<SyntaxError>,
    /// Nodes aliases may still copy.
    alias_budget: usize,
    documents: usize,
}

impl Builder {
    /// Handles one event; false stops reading.
    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> bool {
        let at = |kind| Node {
            kind,
            offset: start as u32,
            len: (end - start) as u32,
        };
        let seq = matches!(event, Event::SequenceStart(..));
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.errors.push(SyntaxError::Yaml {
                        message: "more than one YAML document (`---`) in one file: put each site in a file of its own".into(),
                        span: SourceSpan::new(start.into(), end - start),
                    });
                    return false;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tagged = tag.is_some();
                if let Some(tag) = tag {
                    self.tag(tag.original(), start, end);
                }
                let quoted = !matches!(style, ScalarStyle::Plain);
                let kind = if tagged {
                    Kind::Invalid
                } else if !quoted && is_null(&value) {
                    Kind::Null
                } else {
                    Kind::Scalar {
                        text: value.into_owned(),
                        quoted,
                    }
                };
                self.add(at(kind), anchor);
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                let tagged = tag.is_some();
                if let Some(tag) = tag {
                    self.tag(tag.original(), start, end);
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.errors.push(SyntaxError::Yaml {
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                        span: SourceSpan::new(start.into(), end - start),
                    });
                    return false;
                }
                let kind = if seq {
                    Kind::Seq(Vec::new())
                } else {
                    Kind::Map(Vec::new())
                };
                self.stack.push(Open {
                    node: at(kind),
                    anchor,
                    tagged,
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(Some(end)),
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(id).and_then(Option::as_ref) else {
                    return true;
                };
                let size = count(target);
                if size > self.alias_budget {
                    self.errors.push(SyntaxError::Yaml {
                        message: "aliases expand to more nodes than the file has: an alias bomb?"
                            .into(),
                        span: SourceSpan::new(start.into(), end - start),
                    });
                    return false;
                }
                self.alias_budget -= size;
                let mut copy = target.clone();
                copy.offset = start as u32;
                copy.len = (end - start) as u32;
                self.add(copy, 0);
            }
            _ => {}
        }
        true
    }

    fn tag(&mut self, tag: String, start: usize, end: usize) {
        self.errors.push(SyntaxError::YamlTag {
            tag,
            span: SourceSpan::new(start.into(), end - start),
        });
    }

    /// Closes the innermost collection (at `end`, or where its last child ends).
    fn close(&mut self, end: Option<usize>) {
        let Some(mut open) = self.stack.pop() else {
            return;
        };
        if let Some(key) = open.key.take() {
            // A key whose value was never read (cut short): an empty value.
            let null = Node {
                kind: Kind::Null,
                offset: key.offset + key.len,
                len: 0,
            };
            if let Kind::Map(entries) = &mut open.node.kind {
                entries.push((key, null));
            }
        }
        let last = match &open.node.kind {
            Kind::Seq(v) => v.last().map(|n| n.offset + n.len),
            Kind::Map(v) => v.last().map(|(_, n)| n.offset + n.len),
            _ => None,
        };
        let stop = end
            .map(|e| e as u32)
            .into_iter()
            .chain(last)
            .max()
            .unwrap_or(open.node.offset)
            .max(open.node.offset);
        open.node.len = stop - open.node.offset;
        if open.tagged {
            open.node.kind = Kind::Invalid;
        }
        self.add(open.node, open.anchor);
    }

    /// Adds a finished node to its parent (or makes it the root).
    fn add(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            if self.anchors.len() <= anchor {
                self.anchors.resize(anchor + 1, None);
            }
            self.anchors[anchor] = Some(node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        match &mut parent.node.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(entries) => match parent.key.take() {
                // `home:` with nothing after it is shown at its key.
                Some(key) if matches!(node.kind, Kind::Null) && node.len == 0 => {
                    let (offset, len) = (key.offset, key.len);
                    entries.push((
                        key,
                        Node {
                            offset,
                            len,
                            ..node
                        },
                    ));
                }
                Some(key) => entries.push((key, node)),
                None => parent.key = Some(node),
            },
            _ => {}
        }
    }
}

/// YAML 1.2 core schema nulls (plain only).
fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Nodes in a tree (what an alias to it costs).
fn count(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Seq(v) => v.iter().map(count).sum(),
        Kind::Map(v) => v.iter().map(|(k, n)| count(k) + count(n)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::{read, Kind};

    #[test]
    fn a_cut_short_document_keeps_what_was_read() {
        let t = read("site: x\nservers:\n  a: [1\n");
        assert!(!t.complete);
        assert_eq!(t.errors.len(), 1);
        let Some(Kind::Map(entries)) = t.root.map(|r| r.kind) else {
            panic!("no root map");
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn an_alias_bomb_is_one_error() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            text += &format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n");
        }
        let t = read(&text);
        assert!(!t.complete);
        assert!(t.errors[0].to_string().contains("alias"), "{}", t.errors[0]);
    }

    #[test]
    fn quoted_and_plain_scalars_differ_and_aliases_point_at_their_use() {
        let t = read("a: &p \"8874\"\nb: *p\nc: ~\n");
        let Some(Kind::Map(entries)) = t.root.map(|r| r.kind) else {
            panic!("no root map");
        };
        assert!(matches!(
            &entries[0].1.kind,
            Kind::Scalar { quoted: true, .. }
        ));
        assert_eq!(entries[1].1.offset, 16);
        assert!(matches!(entries[2].1.kind, Kind::Null));
    }
}
