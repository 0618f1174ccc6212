//! Folding ranges: build stages, instructions written over several lines, heredoc bodies and
//! blocks of comment lines.
//!
//! Lines are the [`LineIndex`]'s (`\n`, `\r\n` or a lone `\r` end a line, as LSP counts them).
//! A fold runs from the line where its text starts to the line where it ends (the closing line
//! stays visible in most editors), and only ranges over two lines or more are returned, sorted
//! by start line and, for equal starts, outermost first (editors that keep one fold per start
//! line keep the larger one). Identical ranges are returned once.

use std::ops::Range;

use crate::document::{LineIndex, Snapshot};
use crate::syntax::{Dockerfile, Instruction};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FoldKind {
    /// A stage, an instruction or a heredoc body.
    Region,
    /// Two or more consecutive comment lines.
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub start_line: u32,
    pub end_line: u32,
    pub kind: FoldKind,
}

pub fn folding_ranges(snapshot: &Snapshot, df: &Dockerfile) -> Vec<Fold> {
    let text: &str = &snapshot.text;
    let lines: &LineIndex = &snapshot.lines;
    let mut folds = Vec::new();
    let mut region = |range: &Range<usize>, folds: &mut Vec<Fold>| {
        let (start, end) = line_span(text, lines, range);
        if end > start {
            folds.push(Fold { start_line: start as u32, end_line: end as u32, kind: FoldKind::Region });
        }
    };

    for stage in &df.stages {
        region(&stage.range, &mut folds);
    }
    for ins in &df.instructions {
        instruction(ins, &mut folds, &mut region);
    }

    // Blocks of comment lines: comments are whole lines, so consecutive line numbers.
    let mut comment_lines: Vec<usize> = df.comments.iter().map(|c| lines.line_of(c.start)).collect();
    comment_lines.sort_unstable();
    comment_lines.dedup();
    let mut i = 0;
    while i < comment_lines.len() {
        let mut j = i;
        while j + 1 < comment_lines.len() && comment_lines[j + 1] == comment_lines[j] + 1 {
            j += 1;
        }
        if j > i {
            folds.push(Fold { start_line: comment_lines[i] as u32, end_line: comment_lines[j] as u32, kind: FoldKind::Comment });
        }
        i = j + 1;
    }

    folds.sort_by(|a, b| a.start_line.cmp(&b.start_line).then(b.end_line.cmp(&a.end_line)).then(a.kind.cmp(&b.kind)));
    folds.dedup_by(|b, a| a.start_line == b.start_line && a.end_line == b.end_line);
    folds
}

fn instruction(ins: &Instruction, folds: &mut Vec<Fold>, region: &mut impl FnMut(&Range<usize>, &mut Vec<Fold>)) {
    region(&ins.range, folds);
    for h in &ins.heredocs {
        // From the marker's line to the terminator's (or, unterminated, to the body's end).
        let end = h.end_range.as_ref().or(h.body_range.as_ref()).map_or(h.marker_range.end, |r| r.end);
        region(&(h.marker_range.start..end.max(h.marker_range.end)), folds);
    }
    if let Some(nested) = &ins.nested {
        instruction(nested, folds, region);
    }
}

/// First and last line of a byte range, ignoring line terminators at its end.
fn line_span(text: &str, lines: &LineIndex, range: &Range<usize>) -> (usize, usize) {
    let bytes = text.as_bytes();
    let start = range.start.min(bytes.len());
    let mut end = range.end.min(bytes.len()).max(start);
    while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    (lines.line_of(start), lines.line_of(end))
}

#[cfg(test)]
mod tests;
