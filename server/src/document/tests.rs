use super::*;
use proptest::prelude::*;

fn pos(line: u32, character: u32) -> TextPosition {
    TextPosition::new(line, character)
}

#[test]
fn utf16_positions_count_surrogate_pairs() {
    let text = "LABEL emoji=\"🐳\" cjk=\"容器\"\nRUN x\n";
    let idx = LineIndex::new(text);
    let whale = text.find('🐳').unwrap();
    assert_eq!(idx.position(text, whale, PositionEncoding::Utf16), pos(0, 13));
    let after = whale + '🐳'.len_utf8();
    assert_eq!(idx.position(text, after, PositionEncoding::Utf16), pos(0, 15));
    assert_eq!(idx.position(text, after, PositionEncoding::Utf8), pos(0, 17));
    assert_eq!(idx.position(text, after, PositionEncoding::Utf32), pos(0, 14));
    assert_eq!(idx.offset(text, pos(0, 15), PositionEncoding::Utf16), after);
    // A position between the two halves of a surrogate pair stays before the character.
    assert_eq!(idx.offset(text, pos(0, 14), PositionEncoding::Utf16), whale);
}

#[test]
fn crlf_and_lone_cr_end_lines() {
    let text = "FROM a\r\nRUN b\rCMD c\n";
    let idx = LineIndex::new(text);
    assert_eq!(idx.line_count(), 4);
    assert_eq!(idx.offset(text, pos(1, 0), PositionEncoding::Utf16), 8);
    assert_eq!(idx.offset(text, pos(2, 0), PositionEncoding::Utf16), 14);
    // Past the end of a CRLF line clamps before the `\r`.
    assert_eq!(idx.offset(text, pos(0, 99), PositionEncoding::Utf16), 6);
    assert_eq!(idx.position(text, 7, PositionEncoding::Utf16), pos(0, 6));
}

#[test]
fn positions_found_from_a_hint_are_the_positions_found_without() {
    // Emoji (two UTF-16 units), CJK (three UTF-8 bytes), CRLF, a lone CR, an empty last line.
    let text = "FROM a\r\nLABEL x=\"🐳 鯨\"\rRUN b \\\n  c\n\n# 日本\r\nCMD 🐋\n";
    let idx = LineIndex::new(text);
    // In text order, backwards, and jumping about, past the end too, from any hint.
    let forward: Vec<usize> = (0..=text.len() + 2).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    let jumping: Vec<usize> = forward.iter().map(|i| (i * 7) % (text.len() + 3)).collect();
    for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32] {
        for order in [&forward, &backward, &jumping] {
            for start_hint in [0, 3, 99] {
                let mut hint = start_hint;
                for &offset in order {
                    let near = idx.position_near(text, offset, enc, &mut hint);
                    assert_eq!(near, idx.position(text, offset, enc), "offset {offset} ({enc:?})");
                }
            }
        }
    }
}

#[test]
fn out_of_range_positions_are_clamped() {
    let mut doc = Document::new("FROM a\n", 1);
    doc.apply_changes(
        &[Change { range: Some((pos(99, 99), pos(120, 0))), text: "RUN b\n".into() }],
        2,
        PositionEncoding::Utf16,
    );
    assert_eq!(&*doc.snapshot().text, "FROM a\nRUN b\n");
    doc.apply_changes(&[Change { range: Some((pos(0, 99), pos(0, 2))), text: "X".into() }], 3, PositionEncoding::Utf16);
    assert_eq!(&*doc.snapshot().text, "FRX\nRUN b\n");
}

#[test]
fn changes_in_one_batch_apply_in_order() {
    let mut doc = Document::new("FROM a\n", 1);
    let changes = vec![
        Change { range: Some((pos(1, 0), pos(1, 0))), text: "RUN x\n".into() },
        Change { range: Some((pos(1, 4), pos(1, 5))), text: "echo 🐳".into() },
        Change { range: Some((pos(1, 11), pos(1, 11))), text: "!".into() },
    ];
    doc.apply_changes(&changes, 2, PositionEncoding::Utf16);
    assert_eq!(&*doc.snapshot().text, "FROM a\nRUN echo 🐳!\n");
    assert_eq!(doc.version(), 2);
}

const PIECES: &[&str] = &[
    "FROM alpine:3.20 AS build\n", "RUN apt-get update && \\\n  apt-get install -y curl\n", "🐳", "容器", "\r\n",
    "ENV A=1 B=\"x y\"\n", "COPY <<EOF /x\nhello\nEOF\n", "# comment\n", "\\", "\n", " ", "$", "{", "}", "\"",
    "RUNN", "CMD [\"a\", \"b\"]\n", "ARG V=${X:-1}\n", "é", "\t",
    // The escape character decides what a backslash means in words and strings.
    "# escape=`\n", "`", "COPY C:\\a\\ \"C:\\b\\\" D:\\\n", "\\ ",
];

fn edits() -> impl Strategy<Value = Vec<(u32, u32, u32, u32, usize)>> {
    prop::collection::vec((0u32..8, 0u32..40, 0u32..8, 0u32..40, 0usize..PIECES.len()), 1..25)
}

fn check_sequence(edits: Vec<(u32, u32, u32, u32, usize)>, enc: PositionEncoding) {
    let initial = "# syntax=docker/dockerfile:1\nFROM debian:12 AS base\r\nRUN echo 🐳 容器 \\\n  && true\nCOPY . /app\n";
    let mut doc = Document::new(initial, 0);
    let mut expected = initial.to_string();
    let mut previous = crate::analysis::Analysis::new(doc.snapshot());
    for (i, (l1, c1, l2, c2, piece)) in edits.into_iter().enumerate() {
        let (a, b) = (pos(l1, c1), pos(l2, c2));
        // The model: convert with a line index over the current text, exactly as specified.
        let idx = LineIndex::new(&expected);
        let mut s = idx.offset(&expected, a, enc);
        let mut e = idx.offset(&expected, b, enc);
        if e < s {
            std::mem::swap(&mut s, &mut e);
        }
        expected.replace_range(s..e, PIECES[piece]);
        doc.apply_changes(&[Change { range: Some((a, b)), text: PIECES[piece].into() }], i as i32 + 1, enc);
        let snap = doc.snapshot();
        assert_eq!(&*snap.text, expected.as_str());
        // Exactly the tree of a fresh parse, errors included (small documents are parsed again
        // from scratch when an edit leaves an error: see `FRESH_AFTER_ERROR_LIMIT`).
        let fresh = parse(&expected);
        assert_eq!(snap.tree.root_node().to_sexp(), fresh.root_node().to_sexp(), "tree differs after edit {i}");
        // The typed model built by reusing the previous version's instructions is the model
        // a fresh open of the same text builds, and so are the diagnostics.
        let fresh = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(&expected));
        let reused = crate::analysis::Analysis::new_reusing(snap, previous);
        assert_eq!(model_fingerprint(&reused), model_fingerprint(&fresh), "model differs after edit {i}");
        previous = reused;
    }
}

fn model_fingerprint(a: &crate::analysis::Analysis) -> String {
    let df = &a.dockerfile;
    let mut extras: Vec<_> = df.extras.iter().map(|(i, e)| format!("{i}:{e:?}")).collect();
    extras.sort();
    let diags = crate::diagnostics::diagnose_with(a.text(), df, &a.semantics, &Default::default(), &Default::default());
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{extras:?}\n{diags:?}",
        df.directives, df.instructions, df.stages, df.comments, df.errors, df.escape, df.tops
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn incremental_edits_match_fresh_parse_utf16(e in edits()) {
        check_sequence(e, PositionEncoding::Utf16);
    }

    #[test]
    fn incremental_edits_match_fresh_parse_utf8(e in edits()) {
        check_sequence(e, PositionEncoding::Utf8);
    }
}

/// Found by the chaos test (`tests/tests/chaos.rs`), then shrunk with the `replay` example:
/// reusing nodes of the old tree, tree-sitter recovered from the errors in these texts
/// differently from a fresh parse, so the same text had another tree (first case) and other
/// diagnostics (second case: a HEALTHCHECK's "extra argument" swallowed the lines after it)
/// depending on how it was typed.
#[test]
fn an_edit_that_leaves_errors_gives_what_a_fresh_parse_gives() {
    let cases = [
        ("HEALTHCHECK --m語 I=\ni\"\"\"\"\"]\nu[R/p=$\"3", 23),
        ("HEALTHCHECK --m語 I=\n\ni\"\", \"\"\n\"\"\"\"]\n=A\n$CMD \"3", 24),
    ];
    for (start, at) in cases {
        let mut doc = Document::new(start, 0);
        let previous = crate::analysis::Analysis::new(doc.snapshot());
        let p = LineIndex::new(start).position(start, at, PositionEncoding::Utf16);
        doc.apply_changes(&[Change { range: Some((p, p)), text: "ARG VERSION=1\n".into() }], 1, PositionEncoding::Utf16);
        let expected = format!("{}ARG VERSION=1\n{}", &start[..at], &start[at..]);
        let snap = doc.snapshot();
        assert_eq!(*snap.text, *expected);
        assert!(snap.tree.root_node().has_error());
        assert_eq!(snap.tree.root_node().to_sexp(), parse(&expected).root_node().to_sexp(), "{start:?}");
        let edited = crate::analysis::Analysis::new_reusing(snap, previous);
        let fresh = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(&expected));
        assert_eq!(model_fingerprint(&edited), model_fingerprint(&fresh), "{start:?}");
    }
}


/// After a one-range edit the typed model walks only the top-level nodes around it and keeps
/// the rest from the previous model (`syntax::build::spliced_tops`); where the edit's effect
/// reaches past the edited line it must still be the model of a fresh parse.
#[test]
fn an_edit_walks_only_the_nodes_around_it_and_gives_the_fresh_model() {
    let text = "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nFROM ${BASE} AS build\n# build it\nRUN make \\\n  && make install\nCOPY <<EOF /etc/x\nhello\nEOF\nEXPOSE 8080\n\nFROM build\nCMD [\"x\"]\n";
    // (start line, start column, end line, end column, new text, spliced?)
    let cases: &[(u32, u32, u32, u32, &str, bool)] = &[
        (9, 10, 9, 11, "1", true),                   // a digit in the middle
        (9, 11, 9, 11, " \\", true),                // a continuation: EXPOSE swallows the blank line
        (11, 0, 11, 0, "RUN <<EOF\nx\nEOF\n", true), // a heredoc before the last stage's CMD
        (3, 0, 4, 0, "", true),                      // a comment line deleted
        (12, 0, 12, 9, "", true),                    // the last line emptied
        (1, 4, 1, 8, "IMAGE", true),                 // the first instruction after the directive
        (1, 0, 1, 3, "ENV", false),                  // right after the directive: whole walk
        (0, 2, 0, 3, "S", false),                    // the directive itself: whole walk
        (12, 0, 12, 3, "--x", false),                // an error (`--x ["x"]`): whole walk
    ];
    for &(l1, c1, l2, c2, new, spliced) in cases {
        let mut doc = Document::new(text, 1);
        let previous = crate::analysis::Analysis::new(doc.snapshot());
        doc.apply_changes(&[Change { range: Some((pos(l1, c1), pos(l2, c2))), text: new.into() }], 2, PositionEncoding::Utf8);
        let snap = doc.snapshot();
        assert_eq!(snap.tree.root_node().has_error(), new == "--x");
        let fresh = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(&snap.text));
        let edited = crate::analysis::Analysis::new_reusing(snap, previous);
        assert_eq!(model_fingerprint(&edited), model_fingerprint(&fresh), "{new:?} at {l1}:{c1}");
        assert_eq!(edited.dockerfile.spliced, spliced, "{new:?} at {l1}:{c1}");
    }
}
