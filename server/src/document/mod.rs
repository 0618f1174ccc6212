//! Open documents: rope text, incremental tree, and position conversion.
//!
//! Inside dockls every position is a byte offset into the UTF-8 text. This module converts the
//! client's (line, character) positions, in the negotiated encoding, to byte offsets and back.
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says; tree-sitter counts
//! rows by `\n` only, so its points are computed separately from the rope (LF metric).

mod line_index;
pub mod split;

pub use line_index::{LineIndex, PositionEncoding, TextPosition};

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

/// Parses `text` from scratch with the Dockerfile grammar. Never fails: a tree is always returned.
pub fn parse(text: &str) -> Tree {
    new_parser().parse(text, None).expect("a parser with a language and no timeout always returns a tree")
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
        .expect("the bundled grammar matches the tree-sitter runtime");
    parser
}

/// Up to this size, a reparse that leaves a syntax error is done again from scratch. Tree-sitter
/// recovers from errors differently when it reuses nodes of the old tree, so the same broken
/// text could get different diagnostics depending on how it was typed (an instruction's
/// "extra argument" swallowing the lines after it, where a fresh parse reports each line).
/// 64 KiB is six times the largest of 684 real Dockerfiles and parses in ~3.5 ms; above it,
/// keystrokes keep their incremental speed.
pub const FRESH_AFTER_ERROR_LIMIT: usize = 64 * 1024;

/// A snapshot's tree. Dereferences to the whole tree. A large document opened in two halves
/// (see [`split`]) has only those at first: the typed model is built from them
/// ([`SnapshotTree::halves`]), and the whole tree is made from the first half (an incremental
/// parse of the second) when first asked for; the server asks for it in the background once the
/// first diagnostics are out (`lsp::publish`); whoever needs it before that is done waits for it.
#[derive(Clone)]
pub struct SnapshotTree(Arc<TreeParts>);

struct TreeParts {
    whole: OnceLock<Tree>,
    /// Until the whole tree is made: the two halves the document was opened as, its text and
    /// where it was cut. Then let go by the thread that made it (freeing the second half's
    /// nodes costs ~1 ms at 5,000 lines, which the next keystroke's analysis used to pay).
    halves: std::sync::Mutex<Option<Halves>>,
}

struct Halves {
    trees: [Tree; 2],
    text: Arc<str>,
    at: usize,
}

impl SnapshotTree {
    fn whole(tree: Tree) -> SnapshotTree {
        SnapshotTree(Arc::new(TreeParts { whole: OnceLock::from(tree), halves: Default::default() }))
    }

    fn in_halves(trees: [Tree; 2], text: Arc<str>, at: usize) -> SnapshotTree {
        SnapshotTree(Arc::new(TreeParts { whole: OnceLock::new(), halves: std::sync::Mutex::new(Some(Halves { trees, text, at })) }))
    }

    fn lock_halves(&self) -> std::sync::MutexGuard<'_, Option<Halves>> {
        self.0.halves.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The whole tree: made now if it has not been yet, or waited for if another thread is
    /// making it (the background parse after the first publish runs at normal priority: the
    /// rest of its ~5 ms is less than making it again).
    pub fn get(&self) -> &Tree {
        let mut made = false;
        let tree = self.0.whole.get_or_init(|| {
            made = true;
            let (first, text, at) = {
                let halves = self.lock_halves();
                let h = halves.as_ref().expect("a tree without halves is whole from the start");
                (h.trees[0].clone(), h.text.clone(), h.at)
            };
            split::whole_from_first_half(&text, &first, at)
        });
        if made {
            let halves = self.lock_halves().take();
            drop(halves);
        }
        tree
    }

    /// Whether the whole tree is there (false only for a document opened in halves, until the
    /// whole tree is made).
    pub fn is_whole(&self) -> bool {
        self.0.whole.get().is_some()
    }

    /// The halves a large document was opened as (whose nodes are the whole tree's), until its
    /// whole tree is made.
    pub fn halves(&self) -> Option<[Tree; 2]> {
        self.lock_halves().as_ref().map(|h| h.trees.clone())
    }
}

impl std::ops::Deref for SnapshotTree {
    type Target = Tree;
    fn deref(&self) -> &Tree {
        self.get()
    }
}

/// An immutable view of a document that analysis runs on. Cheap to clone.
#[derive(Clone)]
pub struct Snapshot {
    pub text: Arc<str>,
    pub tree: SnapshotTree,
    pub version: i32,
    pub lines: Arc<LineIndex>,
    /// Unique in the process: tells snapshots apart even when a document is closed and
    /// opened again at the same version.
    pub id: u64,
    /// Where this snapshot differs from the one before it, when that is known.
    pub changed: Option<Changed>,
}

/// What changed since the snapshot `since`: the bytes one edit wrote, in this snapshot's
/// offsets. The typed model walks the tree only around them (the top-level nodes that overlap
/// them, checked to join up with the earlier nodes on both sides), not the whole tree.
/// Tree-sitter's own `changed_ranges` would be exact but costs more than the walk it saves
/// (0.6 ms per keystroke at 5,000 lines, 1.8 ms with cold caches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub since: u64,
    pub range: Range<usize>,
}

fn next_snapshot_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Snapshot {
    /// A snapshot of text that is not open in an editor (the `check` command, tests).
    pub fn from_text(text: &str) -> Snapshot {
        Snapshot {
            text: Arc::from(text),
            tree: SnapshotTree::whole(parse(text)),
            version: 0,
            lines: Arc::new(LineIndex::new(text)),
            id: next_snapshot_id(),
            changed: None,
        }
    }
}

/// One change from the client: a range in client coordinates (or the whole document).
#[derive(Debug, Clone)]
pub struct Change {
    pub range: Option<(TextPosition, TextPosition)>,
    pub text: String,
}

/// A document open in the editor.
pub struct Document {
    rope: Rope,
    /// `None` after an open in halves until the first edit, which takes the snapshot's whole tree.
    tree: Option<Tree>,
    version: i32,
    parser: Parser,
    snapshot: Snapshot,
    /// The text has a `\r` that is not followed by `\n` (an old Mac line break).
    lone_cr: bool,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        // The parse is most of opening a document; the rope and line index are built beside it.
        // A large text is parsed in two halves, on two cores (see `split`).
        let cut = (split::SPLIT_FROM..=split::SPLIT_UNTIL).contains(&text.len()).then(|| split::cut_near_middle(text)).flatten();
        let ((parser, tree), (rope, lines, lone_cr)) = rayon::join(
            || match cut.and_then(|at| split::parse_halves(text, at).map(|h| (h, at))) {
                Some(((parser, halves), at)) => (parser, Err((halves, at))),
                None => {
                    let mut parser = new_parser();
                    let tree = parser.parse(text, None).expect("parse never fails");
                    (parser, Ok(tree))
                }
            },
            || (Rope::from_str(text), LineIndex::new(text), has_lone_cr(text)),
        );
        let text: Arc<str> = Arc::from(text);
        let (tree, snapshot_tree) = match tree {
            Ok(tree) => (Some(tree.clone()), SnapshotTree::whole(tree)),
            Err((halves, at)) => (None, SnapshotTree::in_halves(halves, text.clone(), at)),
        };
        let snapshot = Snapshot {
            text,
            tree: snapshot_tree,
            version,
            lines: Arc::new(lines),
            id: next_snapshot_id(),
            changed: None,
        };
        Document { rope, tree, version, parser, snapshot, lone_cr }
    }

    /// The tree edits apply to: the whole tree (after an open in halves, the snapshot's, parsed
    /// now if the background parse has not finished it).
    fn tree_mut(&mut self) -> &mut Tree {
        let snapshot = &self.snapshot;
        self.tree.get_or_insert_with(|| snapshot.tree.get().clone())
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn snapshot(&self) -> Snapshot {
        self.snapshot.clone()
    }

    /// The current text (the same `Arc` as the current snapshot's).
    pub fn text(&self) -> &Arc<str> {
        &self.snapshot.text
    }

    /// Applies the client's changes in order (each range is relative to the text after the
    /// previous change), edits the tree, reparses incrementally and takes a new snapshot.
    pub fn apply_changes(&mut self, changes: &[Change], version: i32, encoding: PositionEncoding) {
        // Whether the tree is a fresh parse of the current text (the last change was the whole text).
        let mut parsed = false;
        // The bytes the one range change rewrote, in the new text (more changes: not tracked).
        let mut edited: Option<Range<usize>> = None;
        for change in changes {
            match &change.range {
                None => {
                    self.lone_cr = has_lone_cr(&change.text);
                    self.rope = Rope::from_str(&change.text);
                    self.tree = Some(self.parser.parse(&change.text, None).expect("parse never fails"));
                    parsed = true;
                }
                Some((start, end)) => {
                    let at = self.apply_range_change(*start, *end, &change.text, encoding);
                    edited = (changes.len() == 1).then(|| at..at + change.text.len());
                    // Conservative within a batch: a `\r` inserted or exposed may be lone.
                    self.lone_cr |= change.text.contains('\r');
                    parsed = false;
                }
            }
        }
        self.version = version;
        let text: String = self.rope.to_string();
        self.lone_cr = has_lone_cr(&text);
        let mut changed = None;
        if !parsed {
            // The tree was edited change by change; one incremental reparse covers all of them.
            let old = self.tree_mut().clone();
            let tree = self.parser.parse(&text, Some(&old)).expect("parse never fails");
            if tree.root_node().has_error() && text.len() <= FRESH_AFTER_ERROR_LIMIT {
                self.tree = Some(self.parser.parse(&text, None).expect("parse never fails"));
            } else {
                changed = edited.map(|range| Changed { since: self.snapshot.id, range });
                self.tree = Some(tree);
            }
        }
        let tree = self.tree_mut().clone();
        self.snapshot = Snapshot {
            lines: Arc::new(LineIndex::new(&text)),
            text: Arc::from(text),
            tree: SnapshotTree::whole(tree),
            version,
            id: next_snapshot_id(),
            changed,
        };
    }

    /// Applies one change to the rope and the tree; returns where it starts (in bytes).
    fn apply_range_change(&mut self, start: TextPosition, end: TextPosition, new_text: &str, enc: PositionEncoding) -> usize {
        let mut start_byte = self.byte_of(start, enc);
        let mut end_byte = self.byte_of(end, enc);
        if end_byte < start_byte {
            std::mem::swap(&mut start_byte, &mut end_byte);
        }
        let start_point = self.point_of(start_byte);
        let old_end_point = self.point_of(end_byte);
        let start_char = self.rope.byte_to_char(start_byte);
        let end_char = self.rope.byte_to_char(end_byte);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let new_end_byte = start_byte + new_text.len();
        let new_end_point = self.point_of(new_end_byte);
        self.tree_mut().edit(&InputEdit {
            start_byte,
            old_end_byte: end_byte,
            new_end_byte,
            start_position: start_point,
            old_end_position: old_end_point,
            new_end_position: new_end_point,
        });
        start_byte
    }

    /// Tree-sitter point (row by `\n`, column in bytes) of a byte offset in the current rope.
    fn point_of(&self, byte: usize) -> Point {
        let row = self.rope.byte_to_line(byte);
        Point::new(row, byte - self.rope.line_to_byte(row))
    }

    /// Byte offset in the current rope of a client position, clamped into the text.
    fn byte_of(&self, pos: TextPosition, enc: PositionEncoding) -> usize {
        // The rope's line metric only knows `\n`. Lone `\r` line breaks are rare enough that
        // the exact (slower) conversion over a fresh line index is fine for them.
        if self.lone_cr {
            let text = self.rope.to_string();
            return LineIndex::new(&text).offset(&text, pos, enc);
        }
        let lines = self.rope.len_lines();
        let line = pos.line as usize;
        if line >= lines {
            return self.rope.len_bytes();
        }
        let line_start = self.rope.line_to_byte(line);
        let line_slice = self.rope.line(line);
        let mut byte = line_start;
        let mut units = 0u32;
        for ch in line_slice.chars() {
            if ch == '\n' || ch == '\r' || units >= pos.character {
                break;
            }
            let w = enc.width(ch);
            if units + w > pos.character {
                break; // inside a surrogate pair or multi-byte char: stay before it
            }
            units += w;
            byte += ch.len_utf8();
        }
        byte
    }
}

fn has_lone_cr(text: &str) -> bool {
    let b = text.as_bytes();
    // Scanned on every keystroke: memchr finds the `\r`s a word at a time (a byte-by-byte scan
    // was 4 % of a keystroke's CPU at 5,000 lines).
    memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n'))
}

#[cfg(test)]
mod tests;
