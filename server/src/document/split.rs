//! Opening a large document in two halves, one per core.
//!
//! The Dockerfile parse is serial, and it was ~40 % of opening a 5,000-line file (9.6 of 25 ms
//! before the first diagnostics). A text of [`SPLIT_FROM`]..[`SPLIT_UNTIL`] bytes is cut at a
//! `FROM` line near its middle and both halves are parsed at once; the typed model is built
//! from the two trees ([`crate::syntax::Dockerfile::from_parts`]), and the whole tree, which
//! edits and the tree-reading requests need, is made from the first half
//! ([`whole_from_first_half`], see [`super::SnapshotTree`]) after the first publish. Made beside
//! the analysis instead (on a third thread, even at nice 19) it slowed the first publish by as
//! much as the halves saved.
//!
//! The two trees hold the nodes of the whole tree (invariant 17 in ARCHITECTURE.md): a `FROM`
//! line starts a stage whatever came before it, unless something before it reaches into it.
//! Three things can, and a cut they reach across is refused:
//! - an `# escape=` directive (the second half's scanner would start with `\`): no cut at all;
//! - a continuation: the last line of content before the cut (comment and empty lines are
//!   skipped, as Docker skips them inside an instruction) ending with `\` or `` ` ``;
//! - a heredoc whose body runs past the cut (`RUN cat <<EOF` above a `FROM` line of its body):
//!   the first half then ends inside the body, which the grammar closes with an empty
//!   terminator at the end of the text, and a half whose heredoc ends that way is refused
//!   ([`ends_inside_a_heredoc`]). Finding the bodies beforehand would be a second heredoc
//!   lexer; a `FROM` line inside one is rare, and costs only the parse of the halves.
//!
//! Lone `\r` line breaks before the cut are refused too (lines are found by `\n` here), and so is
//! a cut where either half has a syntax error: error recovery may reach across the cut. The
//! second half is parsed over the whole text with only its range included, so its nodes have the
//! whole text's offsets and rows. `tests` compares every possible cut of generated files and
//! `examples/corpus_edits.rs` every cut of every corpus file with the whole parse.

use tree_sitter::{Parser, Point, Range, Tree};

use super::new_parser;

/// Smaller texts are parsed whole: at 32 KiB the parse takes ~1.5 ms, and the second tree's
/// set-up and the later whole parse would cost more than the half saved.
pub const SPLIT_FROM: usize = 32 * 1024;

/// Larger texts are parsed whole as well: there the open is far past its target already (23
/// to 28 times the peer's at 50,000 lines, 1.8 MB) and peak memory is the target that binds,
/// which the halves held beside the whole tree would add to.
pub const SPLIT_UNTIL: usize = 1 << 20;

/// Where `text` may be cut, nearest its middle; `None` when nowhere.
pub fn cut_near_middle(text: &str) -> Option<usize> {
    let limit = cut_limit(text)?;
    let middle = text.len() / 2;
    let starts = from_line_starts(text, limit);
    // The candidates nearest the middle first: after it, then before it.
    let after = starts.iter().position(|&s| s >= middle).unwrap_or(starts.len());
    starts[after..].iter().chain(starts[..after].iter().rev()).copied().find(|&at| content_before_is_complete(text, at))
}

/// Every place `text` may be cut (for tests).
pub fn all_cuts(text: &str) -> Vec<usize> {
    let Some(limit) = cut_limit(text) else {
        return Vec::new();
    };
    from_line_starts(text, limit).into_iter().filter(|&at| content_before_is_complete(text, at)).collect()
}

/// Cuts must come before this offset: the first lone `\r`. `None` when the text has an escape
/// directive.
fn cut_limit(text: &str) -> Option<usize> {
    if has_escape_directive(text) {
        return None;
    }
    let bytes = text.as_bytes();
    Some(memchr::memchr_iter(b'\r', bytes).find(|&i| bytes.get(i + 1) != Some(&b'\n')).unwrap_or(bytes.len()))
}

/// Whether one of the comment lines that open the text names `escape` (a directive or not:
/// only the absence matters).
fn has_escape_directive(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('#') {
            return false;
        }
        if line.to_ascii_lowercase().contains("escape") {
            return true;
        }
    }
    false
}

/// The starts of the lines before `limit` that begin with `FROM` and a blank, the first line
/// excepted (there is nothing to cut off).
fn from_line_starts(text: &str, limit: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\n', &bytes[..limit.min(bytes.len())])
        .map(|i| i + 1)
        .filter(|&s| s < limit && is_from_line(&bytes[s..]))
        .collect()
}

fn is_from_line(rest: &[u8]) -> bool {
    rest.len() > 4 && rest[..4].eq_ignore_ascii_case(b"FROM") && matches!(rest[4], b' ' | b'\t')
}

/// Whether the last line of content before `at` (a line start) ends without an escape
/// character, skipping empty and comment lines.
fn content_before_is_complete(text: &str, at: usize) -> bool {
    for line in text[..at].lines().rev() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        return !line.ends_with(['\\', '`']);
    }
    true
}

/// Parses `text` as two halves cut at `at` (from [`cut_near_middle`]) on two cores. The first
/// half's parser is returned for the document's later incremental parses. `None` when either
/// half has a syntax error (or the second does not start with its `FROM` at `at`): the text is
/// then to be parsed whole.
pub fn parse_halves(text: &str, at: usize) -> Option<(Parser, [Tree; 2])> {
    let ((parser, first), second) = rayon::join(
        || {
            let mut parser = new_parser();
            let tree = parser.parse(&text[..at], None).expect("parse never fails");
            (parser, tree)
        },
        || parse_from(text, at),
    );
    let second = second?;
    let starts_at_from = {
        let root = second.root_node();
        root.child(0).is_some_and(|n| n.kind() == "from_instruction" && n.start_byte() == at)
    };
    let clean = !first.root_node().has_error() && !second.root_node().has_error();
    (clean && starts_at_from && !ends_inside_a_heredoc(&first)).then_some((parser, [first, second]))
}

/// Whether the last instruction of `tree` has a heredoc left open at the end of its text: the
/// grammar ends such a body with an empty terminator (a real one holds the delimiter).
fn ends_inside_a_heredoc(tree: &Tree) -> bool {
    let root = tree.root_node();
    let Some(last) = root.child(root.child_count().saturating_sub(1)) else {
        return false;
    };
    let mut cursor = last.walk();
    let open = last
        .children(&mut cursor)
        .filter(|n| n.kind() == "heredoc_block")
        .any(|block| block.child(block.child_count().saturating_sub(1)).is_none_or(|end| end.kind() != "heredoc_end" || end.byte_range().is_empty()));
    open
}

/// The tree of `text[at..]` in `text`'s offsets and rows.
fn parse_from(text: &str, at: usize) -> Option<Tree> {
    let mut parser = new_parser();
    let range = Range { start_byte: at, end_byte: text.len(), start_point: point_at(text, at), end_point: point_at(text, text.len()) };
    parser.set_included_ranges(&[range]).ok()?;
    parser.parse(text, None)
}

/// The whole tree of `text`, cut at `at`, from the tree of its first half: an incremental parse
/// that reuses the first half's nodes and parses the second (~half a fresh parse's time).
pub fn whole_from_first_half(text: &str, first: &Tree, at: usize) -> Tree {
    let mut old = first.clone();
    let start = point_at(text, at);
    old.edit(&tree_sitter::InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: text.len(),
        start_position: start,
        old_end_position: start,
        new_end_position: point_at(text, text.len()),
    });
    new_parser().parse(text, Some(&old)).expect("parse never fails")
}

/// Checks a cut the way `Document::new` would use it (tests and the corpus check): `Ok(false)`
/// when [`parse_halves`] refuses it; otherwise the halves' top-level nodes, subtree by subtree,
/// must be the whole tree's and so must the tree made from the first half, else `Err` says
/// where they differ.
pub fn verify_cut(text: &str, at: usize) -> Result<bool, String> {
    let Some((_, halves)) = parse_halves(text, at) else {
        return Ok(false);
    };
    let whole = new_parser().parse(text, None).expect("parse never fails");
    let tops = |tree: &Tree| -> Vec<String> {
        let root = tree.root_node();
        let mut cursor = root.walk();
        root.children(&mut cursor).map(describe).collect()
    };
    let from_halves: Vec<String> = tops(&halves[0]).into_iter().chain(tops(&halves[1])).collect();
    let expected = tops(&whole);
    if let Some(k) = (0..from_halves.len().max(expected.len())).find(|&k| from_halves.get(k) != expected.get(k)) {
        return Err(format!("top-level node {k} differs: halves {:?}, whole {:?}", from_halves.get(k), expected.get(k)));
    }
    if describe(whole_from_first_half(text, &halves[0], at).root_node()) != describe(whole.root_node()) {
        return Err("the tree made from the first half is not the whole tree".into());
    }
    Ok(true)
}

/// A node and everything under it: kinds, fields, ranges, rows, extras, missing nodes.
fn describe(node: tree_sitter::Node) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut cursor = node.walk();
    let mut depth = 0;
    loop {
        let n = cursor.node();
        let _ = writeln!(
            out,
            "{depth} {} {:?} {:?} {:?} {} {}",
            n.kind(),
            cursor.field_name(),
            n.byte_range(),
            (n.start_position(), n.end_position()),
            n.is_extra(),
            n.is_missing()
        );
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        // Up to the next sibling, never past `node` itself.
        loop {
            if depth == 0 {
                return out;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
}

/// Tree-sitter's point (rows by `\n`, columns in bytes) of `offset`.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let column = offset - memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    Point::new(row, column)
}

#[cfg(test)]
mod tests;
