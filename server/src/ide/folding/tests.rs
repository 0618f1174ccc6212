use super::*;

const FIXTURE: &str = include_str!("../../../tests/fixtures/features/folding.Dockerfile");
const UNICODE: &str = include_str!("../../../tests/fixtures/features/unicode_crlf.Dockerfile");

fn folds(text: &str) -> Vec<Fold> {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    folding_ranges(&snap, &df)
}

/// Each fold as `start..end kind` followed by its first line, for snapshots that read like the
/// file.
fn render(text: &str) -> String {
    let lines = LineIndex::new(text);
    folds(text)
        .iter()
        .map(|f| {
            let first = &text[lines.line_range(text, f.start_line as usize)];
            format!("{}..{} {:?}  {first}\n", f.start_line, f.end_line, f.kind)
        })
        .collect()
}

fn region(start_line: u32, end_line: u32) -> Fold {
    Fold { start_line, end_line, kind: FoldKind::Region }
}

fn comment(start_line: u32, end_line: u32) -> Fold {
    Fold { start_line, end_line, kind: FoldKind::Comment }
}

#[test]
fn stages_instructions_heredocs_and_comment_blocks() {
    insta::assert_snapshot!(render(FIXTURE), @r#"
    1..2 Comment  # Build stage: compiles the app.
    5..13 Region  FROM golang:${GO_VERSION} AS build
    7..9 Region  RUN --mount=type=cache,target=/go/pkg/mod \
    10..13 Region  COPY <<EOF /etc/app.conf
    16..18 Region  FROM gcr.io/distroless/static AS runtime
    "#);
}

#[test]
fn crlf_lines_fold_like_lf() {
    let lf = folds(FIXTURE);
    assert_eq!(folds(&FIXTURE.replace('\n', "\r\n")), lf);
}

#[test]
fn unicode_text_and_crlf() {
    let expected = vec![
        comment(0, 1),
        region(2, 10), // FROM alpine … AS ビルド to the COPY
        region(3, 4),  // LABEL continued over two lines
        region(5, 9),  // RUN <<EOF to its terminator
    ];
    assert_eq!(folds(UNICODE), expected);
    assert_eq!(folds(&UNICODE.replace('\n', "\r\n")), expected);
}

#[test]
fn single_lines_do_not_fold() {
    assert_eq!(folds("FROM alpine\n"), vec![]);
    assert_eq!(folds("# one comment\nFROM alpine\n\n# another\n"), vec![]);
    // A stage of one-line instructions still folds as a whole.
    assert_eq!(folds("FROM alpine\n# one comment\nRUN true\n"), vec![region(0, 2)]);
    assert_eq!(folds(""), vec![]);
}

#[test]
fn a_stage_of_one_multiline_instruction_folds_once() {
    assert_eq!(folds("FROM \\\n  alpine\n"), vec![region(0, 1)]);
}

#[test]
fn unterminated_heredoc_folds_to_its_last_line() {
    assert_eq!(folds("FROM a\nRUN <<EOF\none\ntwo\n"), vec![region(0, 3), region(1, 3)]);
}

#[test]
fn several_heredocs_of_one_instruction() {
    let text = "FROM a\nRUN <<ONE <<TWO\n1\nONE\n2\nTWO\nCMD x\n";
    // The instruction (1..5) and the first heredoc (1..3); the second heredoc's marker is on
    // the same line and its fold is the instruction's.
    assert_eq!(folds(text), vec![region(0, 6), region(1, 5), region(1, 3)]);
}

#[test]
fn comment_lines_inside_an_instruction_and_blank_lines_between_blocks() {
    let text = "FROM a\nRUN x \\\n# one\n# two\n  && y\n\n# three\n\n# four\n# five\n";
    assert_eq!(folds(text), vec![region(0, 4), region(1, 4), comment(2, 3), comment(8, 9)]);
}

#[test]
fn onbuild_trigger_over_several_lines() {
    let text = "FROM a\nONBUILD RUN x \\\n  y\n";
    assert_eq!(folds(text), vec![region(0, 2), region(1, 2)]);
}

mod random {
    use super::*;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "FROM a", "RUN x", "COPY <<EOF /d", "EOF", "# c", "ONBUILD RUN y", " \\", "\n", "\r\n", "\n\n", "容器 🐳",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn folds_span_lines_in_order(pieces in prop::collection::vec(piece(), 0..40)) {
            let text: String = pieces.concat();
            let lines = LineIndex::new(&text).line_count() as u32;
            let folds = folds(&text);
            for f in &folds {
                prop_assert!(f.start_line < f.end_line && f.end_line < lines, "{:?}", f);
            }
            for pair in folds.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                prop_assert!((a.start_line, std::cmp::Reverse(a.end_line)) < (b.start_line, std::cmp::Reverse(b.end_line)));
            }
            prop_assert_eq!(folds, super::folds(&text.replace("\r\n", "\n")));
        }
    }
}
