//! The output formats of `dockls check`: human-readable text, JSON and SARIF.

pub mod human;
pub mod json;
pub mod sarif;

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Severity};
use crate::document::{LineIndex, PositionEncoding, TextPosition};

use super::walk::InputError;

/// A file that was read and checked.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    /// The path as shown to the user (see [`super::walk::Input::display`]).
    pub path: String,
    /// The text, without a leading byte-order mark.
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
    /// Length of the byte-order mark removed from the start of the file (0 or 3): added to
    /// byte offsets reported to machines so that they index the file as stored.
    pub bom: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckedFile {
    /// The position of a byte offset of [`Self::text`] (0-based line and character).
    pub fn position(&self, offset: usize, enc: PositionEncoding) -> TextPosition {
        self.lines.position(&self.text, offset, enc)
    }

    /// `range` clamped into the text and onto character boundaries.
    pub fn clamp(&self, range: &Range<usize>) -> Range<usize> {
        let text = &*self.text;
        let mut start = range.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = range.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

/// Converts the byte offsets of one file's diagnostics to positions, quickly when they come in
/// increasing order on a long line (each conversion then counts only the characters since the
/// previous one, instead of from the start of the line).
pub struct Positioner<'a> {
    file: &'a CheckedFile,
    enc: PositionEncoding,
    /// The last conversion: line, byte offset, character.
    last: Option<(usize, usize, u32)>,
}

impl<'a> Positioner<'a> {
    pub fn new(file: &'a CheckedFile, enc: PositionEncoding) -> Self {
        Positioner { file, enc, last: None }
    }

    /// Same as [`LineIndex::position`].
    pub fn position(&mut self, offset: usize) -> TextPosition {
        let text = &*self.file.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.file.lines.line_of(offset);
        let range = self.file.lines.line_range(text, line);
        let end = offset.min(range.end);
        let (from, base) = match self.last {
            Some((l, b, c)) if l == line && b <= end => (b, c),
            _ => (range.start, 0),
        };
        let character = base + text[from..end].chars().map(|c| self.enc.width(c)).sum::<u32>();
        self.last = Some((line, end, character));
        TextPosition { line: line as u32, character }
    }
}

/// Everything a run produced, in output order.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Checked files, sorted by path.
    pub files: &'a [CheckedFile],
    /// Paths that could not be checked.
    pub errors: &'a [InputError],
}

/// Counts for the summary line and the JSON summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Diagnostics of every severity.
    pub problems: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    /// Paths that could not be checked (missing, unreadable, not UTF-8).
    pub input_errors: usize,
}

impl Report<'_> {
    pub fn summary(&self) -> Summary {
        let mut s = Summary { files: self.files.len(), input_errors: self.errors.len(), ..Summary::default() };
        for d in self.files.iter().flat_map(|f| &f.diagnostics) {
            s.problems += 1;
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
                Severity::Hint => s.hints += 1,
            }
        }
        s
    }
}

/// `1 error`, `2 warnings`.
pub(crate) fn count(n: usize, singular: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {singular}s")
    }
}
