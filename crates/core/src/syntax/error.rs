//! Diagnostics of the syntax stage: YAML that does not parse or does not have the inventory's
//! shape. Wording, codes and help live on the variants.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A file that is not a well-formed inventory document.
#[derive(Debug, Error, Diagnostic)]
pub enum SyntaxError {
    /// The text is not valid YAML.
    #[error("YAML syntax error: {message}")]
    #[diagnostic(
        code(mirrorc::yaml_syntax),
        help("check indentation, brackets and quoting around this place")
    )]
    Yaml {
        /// Parser message.
        message: String,
        /// Where the parser stopped.
        #[label("here")]
        span: SourceSpan,
    },
    /// A file with nothing in it.
    #[error("the inventory file is empty")]
    #[diagnostic(
        code(mirrorc::yaml_syntax),
        help("a site file needs at least `site: <name>`")
    )]
    EmptyFile {
        /// Start of the file.
        #[label("empty")]
        span: SourceSpan,
    },
    /// A key the inventory does not know.
    #[error("unknown key `{key}`")]
    #[diagnostic(code(mirrorc::unknown_key), help("{help}"))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// Did-you-mean and the keys allowed here.
        help: String,
        /// The key.
        #[label("not a known key here")]
        span: SourceSpan,
    },
    /// A key of the inventory at the wrong level (a dedented `paths:`, `store:` at the top).
    #[error("`{key}` belongs under {under}")]
    #[diagnostic(code(mirrorc::misplaced_key), help("{help}"))]
    MisplacedKey {
        /// The key as written.
        key: String,
        /// The entity it belongs to: "a client".
        under: &'static str,
        /// Where it belongs.
        help: String,
        /// The key.
        #[label("not at this level")]
        span: SourceSpan,
    },
    /// A value of the wrong type.
    #[error("wrong type: {message}")]
    #[diagnostic(code(mirrorc::wrong_type), help("{help}"))]
    WrongType {
        /// What was expected.
        message: String,
        /// How to write it.
        help: String,
        /// The value.
        #[label("this value")]
        span: SourceSpan,
    },
    /// The same key twice in one mapping.
    #[error("duplicate key `{key}`")]
    #[diagnostic(
        code(mirrorc::duplicate_key),
        help("each key may appear once in a mapping; merge the two entries")
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// The second occurrence.
        #[label(primary, "appears again here")]
        span: SourceSpan,
        /// The first.
        #[label("first defined here")]
        first: SourceSpan,
    },
    /// A required key is absent.
    #[error("{owner} has no `{key}`")]
    #[diagnostic(code(mirrorc::missing_key), help("add `{key}:` to it"))]
    MissingKey {
        /// The key.
        key: String,
        /// What lacks it: "server `fmirror2`".
        owner: String,
        /// The entity's name.
        #[label("`{key}` is required")]
        span: SourceSpan,
    },
    /// A YAML tag on a value (`!!binary`, `!!str`, `!shell`): serde would decode or ignore it.
    #[error("YAML tag `{tag}` is not allowed in an inventory")]
    #[diagnostic(
        code(mirrorc::yaml_tag),
        help("write the value plainly (quote it if it starts with `!`): `!!binary` would be base64-decoded into it, other tags silently ignored")
    )]
    YamlTag {
        /// The tag as written.
        tag: String,
        /// The tagged value.
        #[label("tagged here")]
        span: SourceSpan,
    },
    /// An inventory file that exists by name but cannot be read.
    #[error("cannot read this inventory file: {reason}")]
    #[diagnostic(
        code(mirrorc::unreadable_input),
        help(
            "every *.yaml/*.yml file of the folder is part of the estate: fix or remove it \
             (nothing is compiled without it, so no site's outputs are deleted)"
        )
    )]
    Unreadable {
        /// Why.
        reason: String,
        /// Start of the file.
        #[label("unreadable")]
        span: SourceSpan,
    },
}

impl SyntaxError {
    /// The diagnostic of an input file that could not be read.
    pub fn unreadable(reason: &str) -> SyntaxError {
        SyntaxError::Unreadable {
            reason: reason.to_string(),
            span: SourceSpan::new(0.into(), 0),
        }
    }
}
