//! Physical text → logical lines, before the grammar sees anything (C translation phase 2).
//! Owns the `\`-newline splices, the cut at newlines outside comments and at the macro
//! separator, and the mapping of positions back to the original bytes. Main type: [`Source`].

use std::ops::Range;

/// Separates resource lines inside one expanded macro body (`a.b x ;; c.d y`).
/// cpp puts a whole macro expansion on one output line, so a multi-resource macro needs a
/// separator that survives cpp. LCFG's own convention for this is UNCONFIRMED: change it here.
pub const MACRO_LINE_SEPARATOR: &str = ";;";

/// Blank characters inside a line (the newline is a line end, never a blank).
pub(super) fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\x0B' | '\x0C')
}

/// The input with splices removed, plus what is needed to map positions back.
pub(super) struct Source<'a> {
    /// The text exactly as given.
    orig: &'a str,
    /// `orig` without `\`-newline splices.
    pub(super) joined: String,
    /// `(offset in joined, bytes removed up to and including this splice)`, ascending.
    splices: Vec<(usize, usize)>,
    /// Byte offset in `orig` where each physical line starts.
    line_starts: Vec<usize>,
}

/// Logical lines (ranges of [`Source::joined`]) and where unterminated comments start.
pub(super) struct Split {
    pub(super) lines: Vec<Range<usize>>,
    pub(super) unterminated_comment: Option<usize>,
}

impl<'a> Source<'a> {
    /// Removes the splices of `orig` (`\` directly before `\n` or `\r\n`).
    pub(super) fn new(orig: &'a str) -> Self {
        let mut joined = String::with_capacity(orig.len());
        let mut splices = Vec::new();
        let mut removed = 0;
        let mut rest = orig;
        while let Some(i) = rest.find('\\') {
            let after = &rest[i + 1..];
            let len = if after.starts_with('\n') {
                1
            } else if after.starts_with("\r\n") {
                2
            } else {
                0
            };
            joined.push_str(&rest[..i]);
            if len == 0 {
                joined.push('\\');
            } else {
                removed += 1 + len;
                splices.push((joined.len(), removed));
            }
            rest = &after[len..];
        }
        joined.push_str(rest);
        let line_starts = std::iter::once(0)
            .chain(orig.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            orig,
            joined,
            splices,
            line_starts,
        }
    }

    /// Maps a range of `joined` to the range of `orig` it came from.
    pub(super) fn orig_range(&self, r: Range<usize>) -> Range<usize> {
        let removed = |pos: usize, inclusive: bool| {
            let n = self
                .splices
                .partition_point(|&(at, _)| if inclusive { at <= pos } else { at < pos });
            n.checked_sub(1).map_or(0, |k| self.splices[k].1)
        };
        let start = r.start + removed(r.start, true);
        let end = if r.end == r.start {
            start
        } else {
            r.end + removed(r.end, false)
        };
        start..end.max(start)
    }

    /// 1-based line number of a byte offset of `orig`.
    pub(super) fn line_of(&self, orig_offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= orig_offset)
            .max(1)
    }

    /// Length in bytes of the character at `orig_offset` (0 at the end or at a newline).
    pub(super) fn char_len_at(&self, orig_offset: usize) -> usize {
        self.orig
            .get(orig_offset..)
            .and_then(|s| s.chars().next())
            .filter(|&c| c != '\n')
            .map_or(0, char::len_utf8)
    }

    /// Cuts `joined` into logical lines: at newlines outside comments, and at
    /// [`MACRO_LINE_SEPARATOR`] outside comments on lines that are not directives.
    /// An unterminated `/*` ends the input (cpp would swallow the rest as comment).
    pub(super) fn split(&self) -> Split {
        let text = self.joined.as_str();
        let b = text.as_bytes();
        let sep = MACRO_LINE_SEPARATOR.as_bytes();
        let mut out = Split {
            lines: Vec::new(),
            unterminated_comment: None,
        };
        let (mut start, mut i) = (0, 0);
        let mut directive: Option<bool> = None;
        let mut after_sep = false;
        let push = |out: &mut Split, r: Range<usize>, after_sep: bool| {
            let blank = text[r.clone()].chars().all(is_blank);
            if !(after_sep && blank) {
                out.lines.push(r);
            }
        };
        while i < b.len() {
            let rest = &b[i..];
            if rest.starts_with(b"/*") {
                match text[i + 2..].find("*/") {
                    Some(e) => i += 2 + e + 2,
                    None => {
                        out.unterminated_comment = Some(i);
                        push(&mut out, start..i, after_sep);
                        return out;
                    }
                }
            } else if rest.starts_with(b"//") {
                i = text[i..].find('\n').map_or(b.len(), |e| i + e);
            } else if b[i] == b'\n' {
                push(&mut out, start..i, after_sep);
                (i, start, directive, after_sep) = (i + 1, i + 1, None, false);
            } else if rest.starts_with(sep) && directive != Some(true) {
                push(&mut out, start..i, after_sep);
                (i, start, directive, after_sep) = (i + sep.len(), i + sep.len(), None, true);
            } else {
                if directive.is_none() && !is_blank(char::from(b[i])) {
                    directive = Some(b[i] == b'#');
                }
                i += 1;
            }
        }
        if start < b.len() {
            push(&mut out, start..b.len(), after_sep);
        }
        out
    }
}
