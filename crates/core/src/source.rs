//! Source files and spans: the `SourceMap` owns every input text, `FileId` names one file,
//! and `Sp<T>` is a value with its byte span. This is the only module that names serde-saphyr
//! and (with `cli`) the only one that reads input files.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use miette::SourceSpan;
use serde::Deserialize;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// One input file: the name shown to users and its whole text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as the user gave it (or as found under a folder they gave).
    pub name: String,
    /// Whole file content.
    pub text: String,
    /// Byte offset of each line's start, built on first use (rendering thousands of findings
    /// must not rescan the file from its start for each one).
    lines: std::sync::OnceLock<Vec<usize>>,
    /// Why the file could not be read (its text is then empty): a dangling or looping
    /// symlink, no permission, not a regular file, too large, not UTF-8. `syntax::parse`
    /// turns it into a `mirrorc::unreadable_input` error, so nothing is compiled from an
    /// estate with a file missing.
    pub unreadable: Option<String>,
}

impl SourceFile {
    /// Byte offsets where the lines of the text start (the first is 0).
    pub fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 1-based line and column (in characters) of a byte offset, through the line index.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|s| *s <= offset).max(1);
        let start = starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Every input file of a run, in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            lines: std::sync::OnceLock::new(),
            unreadable: None,
        });
        FileId(self.files.len() as u32 - 1)
    }

    /// Adds a file that could not be read, with the reason.
    pub fn add_unreadable(&mut self, name: impl Into<String>, reason: String) -> FileId {
        let id = self.add(name, String::new());
        self.files[id.0 as usize].unreadable = Some(reason);
        id
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset of a file.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        self.file(id).line_col(offset)
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Byte offset of a 1-based line and column in `text` (clamped to the text).
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let col_bytes = rest
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    start + col_bytes
}

/// A value with the byte span it came from. Equality, ordering and hashing look at the value
/// only. Compact on purpose (the value plus two `u32`s): an estate holds millions of them.
#[derive(Clone)]
pub struct Sp<T> {
    value: T,
    offset: u32,
    len: u32,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        // Where the value is used (for aliases), as byte offsets of `from_str` input.
        let span = s.referenced.span();
        let offset = span
            .byte_offset()
            .map_or(0, |o| u32::try_from(o).unwrap_or(u32::MAX));
        let len = span.byte_len().map_or(0, |l| u32::try_from(l).unwrap_or(0));
        Ok(Sp {
            value: s.value,
            offset,
            len,
        })
    }
}

impl<T> Sp<T> {
    /// A value with its span.
    pub fn new(value: T, span: SourceSpan) -> Self {
        Sp {
            value,
            offset: u32::try_from(span.offset()).unwrap_or(u32::MAX),
            len: u32::try_from(span.len()).unwrap_or(0),
        }
    }

    /// Byte span of the value in its file.
    pub fn span(&self) -> SourceSpan {
        SourceSpan::new((self.offset as usize).into(), self.len as usize)
    }
}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Sp<T> {}
impl<T: Hash> Hash for Sp<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}
impl<T: PartialOrd> PartialOrd for Sp<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}
impl<T: Ord> Ord for Sp<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}
impl Borrow<str> for Sp<String> {
    fn borrow(&self) -> &str {
        &self.value
    }
}
impl<T: fmt::Debug> fmt::Debug for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}
impl<T: fmt::Display> fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Sp<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// Options for reading one inventory document: strict booleans, no snippets, and node and event
/// budgets large enough for a 100,000-client estate in one file (about 43 events per client;
/// the default of 1,000,000 events stopped one file at about 23,000 clients), while alias bombs
/// still fail fast on the alias replay limit, which stays at its default.
pub fn yaml_options() -> serde_saphyr::Options {
    let budget = serde_saphyr::budget! { max_nodes: 50_000_000, max_events: 50_000_000 };
    serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        budget: budget,
    }
}

/// Deserialize one YAML document with our options (for tests and tools that want plain data,
/// e.g. JSON for the schema validator; inventory files go through `syntax::parse`).
pub fn from_yaml<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(text, yaml_options()).map_err(YamlError::from)
}

/// A serde-saphyr error reduced to what diagnostics need.
#[derive(Debug, Clone)]
pub struct YamlError {
    /// The message without location or snippet.
    pub message: String,
    /// Byte span of the offending input, when known.
    pub span: Option<SourceSpan>,
    /// Line and column (1-based) when known, used when no byte offset is.
    pub line_col: Option<(usize, usize)>,
}

impl From<serde_saphyr::Error> for YamlError {
    fn from(e: serde_saphyr::Error) -> Self {
        let e = e.without_snippet();
        let loc = e.location();
        let span = loc.and_then(|l| {
            let s = l.span();
            let off = s.byte_offset()? as usize;
            Some(SourceSpan::new(
                off.into(),
                s.byte_len().unwrap_or(0) as usize,
            ))
        });
        let line_col = loc.map(|l| (l.line() as usize, l.column() as usize));
        YamlError {
            message: plain_message(e),
            span,
            line_col,
        }
    }
}

fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    // serde-saphyr appends " at line X, column Y"; the diagnostic shows the place itself.
    let text = match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    for_people(text)
}

/// serde's and serde-saphyr's words for programmers (`use from_str_multiple`,
/// `use Option<String>`, `unit value`), said for people editing an inventory.
fn for_people(text: String) -> String {
    if text.starts_with("multiple YAML documents detected") {
        return "more than one YAML document (`---`) in one file: put each site in a file of its own"
            .to_string();
    }
    let text = match text.split_once("; use Option<") {
        Some((head, _)) => head.to_string(),
        None => text,
    };
    text.replace(
        "cannot deserialize null into string",
        "an empty value where a text is needed",
    )
    .replace(
        "cannot deserialize null into",
        "an empty value where a value is needed: ",
    )
    .replace("invalid type: unit value", "an empty value")
}

/// Is `SourceSpan` inside the text? Used to guard spans from external parsers.
pub fn clamp_span(text: &str, span: SourceSpan) -> SourceSpan {
    let start = span.offset().min(text.len());
    let len = span.len().min(text.len() - start);
    SourceSpan::new(start.into(), len)
}

/// The name of the inventory file read from standard input (`-`) in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads the inventory: each input is a YAML file or a folder whose `*.yaml`/`*.yml` files
/// (not recursive) are read in name order, or `-`: one file read from standard input, named
/// [`STDIN_NAME`] (at most once). Files are read once, into the map.
pub fn load(inputs: &[std::path::PathBuf]) -> std::io::Result<SourceMap> {
    let stdin = std::path::Path::new("-");
    let (dash, inputs): (Vec<_>, Vec<_>) = inputs.iter().partition(|p| p.as_path() == stdin);
    if dash.len() > 1 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "`-` (standard input) can be given once",
        ));
    }
    let mut map = load_paths(&inputs)?;
    if !dash.is_empty() {
        match read_from(std::io::stdin().lock()) {
            Ok(text) => map.add(STDIN_NAME, text),
            Err(reason) => map.add_unreadable(STDIN_NAME, reason),
        };
    }
    Ok(map)
}

fn load_paths(inputs: &[&std::path::PathBuf]) -> std::io::Result<SourceMap> {
    let mut paths = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => std::io::Error::new(
                e.kind(),
                format!(
                    "{}: no such inventory file or folder (name the folder of site YAML files, e.g. `mirrorc check path/to/site`)",
                    input.display()
                ),
            ),
            _ => io_error(input, e),
        })?;
        if meta.is_dir() {
            // Every `*.yaml`/`*.yml` entry counts, whatever it is: a dangling link or a folder
            // skipped silently would drop a site and, on compile, delete its outputs.
            let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(input)
                .map_err(|e| io_error(input, e))?
                .map(|e| e.map(|e| e.path()).map_err(|e| io_error(input, e)))
                .collect::<std::io::Result<Vec<_>>>()?
                .into_iter()
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .collect();
            if found.is_empty() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no *.yaml or *.yml inventory files in this folder",
                );
                return Err(io_error(input, e));
            }
            found.sort();
            paths.extend(found);
        } else {
            paths.push((*input).clone());
        }
    }
    let mut map = SourceMap::default();
    for p in paths {
        match read_input(&p) {
            Ok(text) => map.add(p.display().to_string(), text),
            Err(reason) => map.add_unreadable(p.display().to_string(), reason),
        };
    }
    Ok(map)
}

/// Largest inventory file read (a 100,000-client estate in one file is about 20 MB).
const MAX_INPUT_BYTES: u64 = 1 << 30;

/// The text of one inventory file, or why it cannot be had.
fn read_input(path: &std::path::Path) -> Result<String, String> {
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let file = std::fs::File::open(path).map_err(|e| match e.raw_os_error() {
        Some(2) if link => "a symlink to nothing (dangling)".to_string(),
        Some(40) => "a symlink loop".to_string(),
        _ => e.to_string(),
    })?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!("larger than {MAX_INPUT_BYTES} bytes"));
    }
    read_from(file)
}

/// At most [`MAX_INPUT_BYTES`] of UTF-8 text from `input`.
fn read_from(input: impl std::io::Read) -> Result<String, String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("larger than {MAX_INPUT_BYTES} bytes"));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
