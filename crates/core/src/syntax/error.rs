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
    #[diagnostic(
        code(mirrorc::unknown_key),
        help("{}", unknown_help(suggestion, expected))
    )]
    UnknownKey {
        /// The key as written.
        key: String,
        /// Keys allowed here.
        expected: String,
        /// Closest allowed key.
        suggestion: Option<String>,
        /// The key.
        #[label("not a known key here")]
        span: SourceSpan,
    },
    /// A value of the wrong type.
    #[error("wrong type: {message}")]
    #[diagnostic(
        code(mirrorc::wrong_type),
        help("see `mirrorc schema` for the type of each key")
    )]
    WrongType {
        /// What was expected.
        message: String,
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
        #[label("appears again here")]
        span: SourceSpan,
    },
    /// A required key is absent.
    #[error("missing key `{key}`")]
    #[diagnostic(code(mirrorc::missing_key), help("add `{key}:` to this entry"))]
    MissingKey {
        /// The key.
        key: String,
        /// The mapping that lacks it.
        #[label("`{key}` is required here")]
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

fn unknown_help(suggestion: &Option<String>, expected: &str) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`? (expected one of {expected})"),
        None => format!("expected one of {expected}"),
    }
}
