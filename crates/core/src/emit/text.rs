//! The emitters' text builder: a `String` grown line by line from borrowed pieces. Each output
//! format is plain Rust over the Model (see ARCHITECTURE.md, "Emitting without templates"), so a
//! renamed field is a compile error, never an empty value in a config file.

/// A file's text under construction.
#[derive(Debug, Default)]
pub struct Text(String);

impl Text {
    /// An empty text with room for `bytes`.
    pub fn with_capacity(bytes: usize) -> Text {
        Text(String::with_capacity(bytes))
    }

    /// Appends the pieces, then a newline.
    pub fn line(&mut self, pieces: &[&str]) {
        for p in pieces {
            self.0.push_str(p);
        }
        self.0.push('\n');
    }

    /// Appends the items separated by single spaces (no newline).
    pub fn words<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.0.push(' ');
            }
            self.0.push_str(item);
        }
    }

    /// Appends raw text (no newline).
    pub fn push(&mut self, piece: &str) {
        self.0.push_str(piece);
    }

    /// The finished text.
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_and_words() {
        let mut t = super::Text::with_capacity(8);
        t.line(&["a", "b"]);
        t.push("(");
        t.words(["x", "y", "z"]);
        t.line(&[")"]);
        t.words([]);
        assert_eq!(t.finish(), "ab\n(x y z)\n");
    }
}
