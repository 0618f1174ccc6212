//! Selection ranges ("expand selection"): from the token at a position outwards through the
//! syntax tree (word, flag or pair, instruction), then the build stage from the typed model,
//! then the whole file.
//!
//! Every range is trimmed of trailing blanks and line terminators (tree-sitter's instruction
//! nodes end at the next line), each range strictly contains the previous one, and each
//! contains the offset (ends inclusive: a cursor just after a word selects that word).
//! A multi-line heredoc body gets the cursor's line (without its indentation) as a step.

use std::ops::Range;

use tree_sitter::Node;

use crate::document::Snapshot;
use crate::syntax::Dockerfile;

/// For each offset (clamped into the text), its selection ranges from innermost to outermost.
/// The last one is always the whole file. Builds the typed model for the stages; use
/// [`selection_ranges_in`] when one is at hand.
pub fn selection_ranges(snapshot: &Snapshot, offsets: &[usize]) -> Vec<Vec<Range<usize>>> {
    let df = Dockerfile::new(&snapshot.text, &snapshot.tree);
    selection_ranges_in(snapshot, &df, offsets)
}

/// [`selection_ranges`] with the snapshot's typed model already built.
pub fn selection_ranges_in(snapshot: &Snapshot, df: &Dockerfile, offsets: &[usize]) -> Vec<Vec<Range<usize>>> {
    offsets.iter().map(|&o| chain(snapshot, df, o)).collect()
}

fn chain(snapshot: &Snapshot, df: &Dockerfile, offset: usize) -> Vec<Range<usize>> {
    let text: &str = &snapshot.text;
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    let add = |r: Range<usize>, out: &mut Vec<Range<usize>>| {
        if r.start > offset || r.end < offset {
            return;
        }
        let grows = out.last().is_none_or(|last| r.start <= last.start && r.end >= last.end && r != *last);
        if grows {
            out.push(r);
        }
    };

    let root = snapshot.tree.root_node();
    let node = innermost(root, text, offset);
    // The node's ancestors below the root, innermost first (the stage and the file come from
    // the typed model). Found top-down: `Node::parent` would search from the root every time.
    let mut ancestors = Vec::new();
    let mut n = root;
    while n != node {
        match n.child_with_descendant(node) {
            Some(child) if child != n => {
                ancestors.push(child);
                n = child;
            }
            _ => break,
        }
    }
    for (i, n) in ancestors.iter().rev().enumerate() {
        let r = trim_end(text, n.byte_range());
        if i == 0 && spans_lines(snapshot, &r) {
            // A heredoc body or comment-interleaved text: the cursor's line first.
            let line = snapshot.lines.line_range(text, snapshot.lines.line_of(offset));
            let piece = trim(text, line.start.max(r.start)..line.end.min(r.end));
            add(piece, &mut out);
        }
        add(r, &mut out);
    }
    if let Some(stage) = df.stages.iter().find(|s| s.range.start <= offset && offset <= s.range.end) {
        add(trim_end(text, stage.range.clone()), &mut out);
    }
    add(0..text.len(), &mut out);
    out
}

/// The smallest node at `offset`; when the cursor sits right after a word (and before a blank,
/// a line end or the end of the text), that word's.
fn innermost<'t>(root: Node<'t>, text: &str, offset: usize) -> Node<'t> {
    let after = text[offset..].chars().next();
    let before = text[..offset].chars().next_back();
    let right_is_blank = after.is_none_or(char::is_whitespace);
    let left_is_word = before.is_some_and(|c| !c.is_whitespace());
    if right_is_blank && left_is_word {
        let start = offset - before.map_or(0, char::len_utf8);
        if let Some(n) = root.descendant_for_byte_range(start, offset) {
            return n;
        }
    }
    root.descendant_for_byte_range(offset, offset).unwrap_or(root)
}

fn spans_lines(snapshot: &Snapshot, r: &Range<usize>) -> bool {
    snapshot.lines.line_of(r.start) != snapshot.lines.line_of(r.end)
}

fn trim_end(text: &str, r: Range<usize>) -> Range<usize> {
    let len = text[r.clone()].trim_end().len();
    r.start..r.start + len
}

fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    if r.start >= r.end {
        return r;
    }
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let start = r.start + lead;
    start..start + s.trim().len()
}

#[cfg(test)]
mod tests;
