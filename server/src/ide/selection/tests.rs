use super::*;

/// The cursor in test texts.
const CURSOR: char = '‸';

/// The texts of the selection chain at the cursor, innermost first (the file as `<file>`).
fn chain_at(marked: &str) -> Vec<String> {
    let offset = marked.find(CURSOR).expect("a cursor in the text");
    let text = marked.replacen(CURSOR, "", 1);
    let snap = Snapshot::from_text(&text);
    let chains = selection_ranges(&snap, &[offset]);
    assert_eq!(chains.len(), 1);
    let chain = &chains[0];
    check_chain(&text, offset, chain);
    chain.iter().map(|r| if *r == (0..text.len()) { "<file>".to_string() } else { text[r.clone()].to_string() }).collect()
}

fn check_chain(text: &str, offset: usize, chain: &[Range<usize>]) {
    assert_eq!(chain.last(), Some(&(0..text.len())), "the file ends every chain");
    for r in chain {
        assert!(r.start <= offset && offset <= r.end.max(r.start), "{r:?} does not contain {offset}");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
    }
    for pair in chain.windows(2) {
        let (inner, outer) = (&pair[0], &pair[1]);
        assert!(outer.start <= inner.start && inner.end <= outer.end && inner != outer, "{inner:?} then {outer:?}");
    }
}

const TWO_STAGES: &str = "FROM golang:1.23 AS build\nRUN go build\n\nFROM alpine\nCOPY --from=build /out /app\n";

#[test]
fn from_a_flag_value_to_the_file() {
    let text = TWO_STAGES.replace("--from=build", "--from=bu‸ild");
    assert_eq!(
        chain_at(&text),
        ["build", "--from=build", "COPY --from=build /out /app", "FROM alpine\nCOPY --from=build /out /app", "<file>"]
    );
}

#[test]
fn image_parts_and_the_stage() {
    let text = TWO_STAGES.replace("1.23", "1.‸23");
    assert_eq!(
        chain_at(&text),
        [":1.23", "golang:1.23", "FROM golang:1.23 AS build", "FROM golang:1.23 AS build\nRUN go build", "<file>"]
    );
}

#[test]
fn keyword_of_an_instruction() {
    assert_eq!(
        chain_at("FROM a\nR‸UN make \\\n  install\n"),
        ["RUN", "RUN make \\\n  install", "FROM a\nRUN make \\\n  install", "<file>"]
    );
}

#[test]
fn cursor_right_after_a_word_selects_that_word() {
    assert_eq!(chain_at("FROM alpine‸\n"), ["alpine", "FROM alpine", "<file>"]);
    // Without a final newline the instruction is the whole file.
    assert_eq!(chain_at("FROM alpine‸"), ["alpine", "<file>"]);
    assert_eq!(chain_at("ENV A=1‸ B=2\n"), ["1", "A=1", "ENV A=1 B=2", "<file>"]);
}

#[test]
fn expansion_inside_a_quoted_value() {
    assert_eq!(
        chain_at("ENV GREETING=\"hello ${NA‸ME:-world}\"\n"),
        [
            "NAME",
            "${NAME:-world}",
            "\"hello ${NAME:-world}\"",
            "GREETING=\"hello ${NAME:-world}\"",
            "ENV GREETING=\"hello ${NAME:-world}\"",
            "<file>"
        ]
    );
}

#[test]
fn mount_options() {
    assert_eq!(
        chain_at("FROM a\nRUN --mount=type=cache,tar‸get=/root/.cache pip install .\n"),
        [
            "target",
            "target=/root/.cache",
            "type=cache,target=/root/.cache",
            "--mount=type=cache,target=/root/.cache",
            "RUN --mount=type=cache,target=/root/.cache pip install .",
            "FROM a\nRUN --mount=type=cache,target=/root/.cache pip install .",
            "<file>"
        ]
    );
}

#[test]
fn heredoc_body_line_first() {
    let text = "FROM a\nRUN <<EOF\n  echo 🐳 one\n  echo 容器 t‸wo\nEOF\n";
    assert_eq!(
        chain_at(text),
        [
            "echo 容器 two",
            "  echo 🐳 one\n  echo 容器 two",
            "  echo 🐳 one\n  echo 容器 two\nEOF",
            "RUN <<EOF\n  echo 🐳 one\n  echo 容器 two\nEOF",
            "FROM a\nRUN <<EOF\n  echo 🐳 one\n  echo 容器 two\nEOF",
            "<file>"
        ]
    );
}

#[test]
fn whitespace_blank_lines_and_the_end_of_the_file() {
    // Between words: the instruction.
    assert_eq!(chain_at("FROM a\nCOPY ‸ x y\n"), ["COPY  x y", "FROM a\nCOPY  x y", "<file>"]);
    // A blank line inside a stage: the stage.
    assert_eq!(chain_at("FROM a\n‸\nRUN b\n"), ["FROM a\n\nRUN b", "<file>"]);
    // After the last line: the file.
    assert_eq!(chain_at("FROM a\nRUN b\n‸"), ["<file>"]);
    // Before the first FROM (global ARGs are in no stage).
    assert_eq!(chain_at("ARG ‸V=1\nFROM a\n"), ["V", "V=1", "ARG V=1", "<file>"]);
    assert_eq!(chain_at("‸"), ["<file>"]);
}

#[test]
fn comments_between_instructions() {
    assert_eq!(chain_at("FROM a\n# wh‸y\nRUN b\n"), ["# why", "FROM a\n# why\nRUN b", "<file>"]);
}

#[test]
fn crlf_ranges_exclude_the_terminators() {
    let text = "FROM a\r\nRUN ma‸ke\r\n";
    assert_eq!(chain_at(text), ["make", "RUN make", "FROM a\r\nRUN make", "<file>"]);
}

#[test]
fn many_offsets_and_out_of_range_ones() {
    let snap = Snapshot::from_text(TWO_STAGES);
    let offsets: Vec<usize> = (0..=TWO_STAGES.len() + 5).collect();
    let chains = selection_ranges(&snap, &offsets);
    assert_eq!(chains.len(), offsets.len());
    for (o, chain) in offsets.iter().zip(&chains) {
        check_chain(TWO_STAGES, (*o).min(TWO_STAGES.len()), chain);
    }
}

#[test]
fn offsets_inside_multibyte_characters_move_back() {
    let text = "LABEL a=\"🐳\"\n";
    let snap = Snapshot::from_text(text);
    let inside = text.find('🐳').unwrap() + 2;
    let chain = &selection_ranges(&snap, &[inside])[0];
    check_chain(text, inside - 2, chain);
    assert_eq!(&text[chain[0].clone()], "\"🐳\"");
}


mod random {
    use super::*;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "FROM ", "RUN ", "COPY ", "ENV ", "ARG ", "LABEL ", "AS ", "alpine", ":3", "build", "--from=", "--mount=",
            "type=cache,", "$A", "${B:-c}", "\"q 🐳\"", "'s'", "[\"a\"]", "<<EOF", "EOF", "# c", "=", " ", "\n", "\r\n",
            " \\\n", "容器", "\\",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn chains_grow_strictly_and_end_at_the_file(pieces in prop::collection::vec(piece(), 0..40), seed in 0usize..1000) {
            let text: String = pieces.concat();
            let snap = Snapshot::from_text(&text);
            let offsets: Vec<usize> = (0..8).map(|i| (seed * 31 + i * 17) % (text.len() + 2)).collect();
            for (o, chain) in offsets.iter().zip(selection_ranges(&snap, &offsets)) {
                let mut o = (*o).min(text.len());
                while !text.is_char_boundary(o) {
                    o -= 1;
                }
                check_chain(&text, o, &chain);
            }
        }
    }
}
