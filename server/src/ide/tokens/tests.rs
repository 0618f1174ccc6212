use super::*;
use crate::document::PositionEncoding;
use proptest::prelude::*;

const TOUR: &str = include_str!("../../../tests/fixtures/features/tokens.Dockerfile");
const UNICODE: &str = include_str!("../../../tests/fixtures/features/unicode_crlf.Dockerfile");

/// One token per line: `line:col len type [modifiers] "text"`, positions and lengths in UTF-16
/// code units as most clients count them, tokens split at line ends as they are sent to clients
/// without multi-line token support.
fn render(text: &str) -> String {
    let snap = Snapshot::from_text(text);
    let tokens = split_multiline(semantic_tokens(&snap, None), text, &snap.lines);
    let mut out = String::new();
    for t in tokens {
        let pos = snap.lines.position(text, t.range.start, PositionEncoding::Utf16);
        let len: u32 = text[t.range.clone()].chars().map(|c| c.len_utf16() as u32).sum();
        let mods: Vec<&str> =
            TOKEN_MODIFIERS.iter().enumerate().filter(|(i, _)| t.modifiers & (1 << i) != 0).map(|(_, m)| *m).collect();
        let mods = if mods.is_empty() { String::new() } else { format!(" [{}]", mods.join(", ")) };
        out.push_str(&format!(
            "{}:{} {} {}{} {:?}\n",
            pos.line,
            pos.character,
            len,
            TOKEN_TYPES[t.token_type as usize],
            mods,
            &text[t.range]
        ));
    }
    out
}

/// The classification of every occurrence of `needle` (its first token), for short assertions.
fn kind_of(text: &str, needle: &str) -> Option<(&'static str, u32)> {
    let snap = Snapshot::from_text(text);
    let at = text.find(needle).expect("needle in text");
    semantic_tokens(&snap, None)
        .into_iter()
        .find(|t| t.range.start == at && &text[t.range.clone()] == needle)
        .map(|t| (TOKEN_TYPES[t.token_type as usize], t.modifiers))
}

fn check_invariants(text: &str, tokens: &[SemanticToken]) {
    for t in tokens {
        assert!(t.range.start < t.range.end, "empty token {t:?}");
        assert!(t.range.end <= text.len());
        assert!(text.is_char_boundary(t.range.start) && text.is_char_boundary(t.range.end), "{t:?} splits a char");
        assert!((t.token_type as usize) < TOKEN_TYPES.len());
        assert!(t.modifiers < 1 << TOKEN_MODIFIERS.len());
        let s = &text[t.range.clone()];
        assert!(!s.ends_with(['\n', '\r']) && !s.starts_with(['\n', '\r']), "line terminator at an end of {t:?}: {s:?}");
    }
    for pair in tokens.windows(2) {
        assert!(pair[0].range.end <= pair[1].range.start, "overlap or disorder: {:?} then {:?}", pair[0], pair[1]);
    }
}

#[test]
fn legend_matches_the_token_type_enum() {
    let all = [
        (TokenType::Keyword, "keyword"),
        (TokenType::Comment, "comment"),
        (TokenType::String, "string"),
        (TokenType::Variable, "variable"),
        (TokenType::Parameter, "parameter"),
        (TokenType::Property, "property"),
        (TokenType::Operator, "operator"),
        (TokenType::Number, "number"),
        (TokenType::Namespace, "namespace"),
        (TokenType::Type, "type"),
        (TokenType::EnumMember, "enumMember"),
        (TokenType::Macro, "macro"),
    ];
    assert_eq!(all.len(), TOKEN_TYPES.len());
    for (ty, name) in all {
        assert_eq!(TOKEN_TYPES[ty as usize], name);
    }
    assert_eq!(TOKEN_MODIFIERS[modifier::DECLARATION.trailing_zeros() as usize], "declaration");
    assert_eq!(TOKEN_MODIFIERS[modifier::DEFAULT_LIBRARY.trailing_zeros() as usize], "defaultLibrary");
    assert_eq!(TOKEN_MODIFIERS[modifier::DEPRECATED.trailing_zeros() as usize], "deprecated");
}

#[test]
fn tour_of_token_kinds() {
    insta::assert_snapshot!(render(TOUR));
}

#[test]
fn unicode_text_positions_in_utf16() {
    insta::assert_snapshot!(render(UNICODE));
}

#[test]
fn crlf_gives_the_same_tokens_as_lf() {
    let crlf = UNICODE.replace('\n', "\r\n");
    assert_eq!(render(&crlf), render(UNICODE));
    let crlf = TOUR.replace('\n', "\r\n");
    assert_eq!(render(&crlf), render(TOUR));
    let snap = Snapshot::from_text(&crlf);
    check_invariants(&crlf, &semantic_tokens(&snap, None));
}

#[test]
fn fixtures_keep_the_invariants() {
    for text in [TOUR, UNICODE, include_str!("../../../tests/fixtures/features/folding.Dockerfile")] {
        let snap = Snapshot::from_text(text);
        let tokens = semantic_tokens(&snap, None);
        check_invariants(text, &tokens);
        check_invariants(text, &split_multiline(tokens, text, &snap.lines));
    }
}

#[test]
fn stage_names_images_and_their_parts() {
    let text = "FROM golang:1.23 AS build\nFROM build AS test\nCOPY --from=build /a /b\nCOPY --from=0 /a /b\nCOPY --from=nginx:latest /a /b\nRUN --mount=from=build,target=/x true\n";
    assert_eq!(kind_of(text, "golang"), Some(("namespace", 0)));
    assert_eq!(kind_of(text, "1.23"), Some(("enumMember", 0)));
    assert_eq!(kind_of(text, "build"), Some(("type", modifier::DECLARATION)));
    let snap = Snapshot::from_text(text);
    let types: Vec<&str> = semantic_tokens(&snap, None)
        .into_iter()
        .filter(|t| TOKEN_TYPES[t.token_type as usize] == "type")
        .map(|t| &text[t.range])
        .collect();
    // `AS build`, `FROM build`, `AS test`, `--from=build`, `--from=0`, `from=build`.
    assert_eq!(types, ["build", "build", "test", "build", "0", "build"]);
    assert_eq!(kind_of(text, "nginx:latest"), Some(("namespace", 0)));
}

#[test]
fn a_name_used_before_its_stage_is_an_image() {
    let text = "FROM build\nFROM alpine AS build\n";
    assert_eq!(kind_of(text, "build"), Some(("namespace", 0)));
}

#[test]
fn variables_declarations_and_predefined_args() {
    let text = "ARG TARGETOS\nARG VERSION=1\nFROM --platform=$BUILDPLATFORM alpine:${VERSION}\nENV PATH=/opt/bin:$PATH\n";
    assert_eq!(kind_of(text, "TARGETOS"), Some(("variable", modifier::DECLARATION | modifier::DEFAULT_LIBRARY)));
    assert_eq!(kind_of(text, "VERSION"), Some(("variable", modifier::DECLARATION)));
    assert_eq!(kind_of(text, "BUILDPLATFORM"), Some(("variable", modifier::DEFAULT_LIBRARY)));
    assert_eq!(kind_of(text, "PATH"), Some(("variable", modifier::DECLARATION)));
    let last = text.rfind("PATH").unwrap();
    let snap = Snapshot::from_text(text);
    let t = semantic_tokens(&snap, None).into_iter().find(|t| t.range.start == last).unwrap();
    assert_eq!((TOKEN_TYPES[t.token_type as usize], t.modifiers), ("variable", 0));
    // The `$` and braces are left to the editor.
    assert!(semantic_tokens(&snap, None).iter().all(|t| !text[t.range.clone()].contains('$')));
}

#[test]
fn shell_text_gets_no_tokens_but_its_comment_lines_do() {
    let text = "RUN echo \"$HOME\" \\\n# explained\n  && make <<EOF\nbody\nEOF\n";
    let snap = Snapshot::from_text(text);
    let rendered: Vec<(&str, &str)> =
        semantic_tokens(&snap, None).into_iter().map(|t| (TOKEN_TYPES[t.token_type as usize], &text[t.range])).collect();
    assert_eq!(rendered, [("keyword", "RUN"), ("comment", "# explained"), ("string", "body"), ("keyword", "EOF")]);
}

#[test]
fn heredoc_bodies_span_lines_until_split() {
    let text = "COPY <<EOF /x\r\nline one\r\n\r\nline three\r\nEOF\r\n";
    let snap = Snapshot::from_text(text);
    let tokens = semantic_tokens(&snap, None);
    let body = tokens.iter().find(|t| t.token_type == TokenType::String as u32).unwrap();
    assert_eq!(&text[body.range.clone()], "line one\r\n\r\nline three");
    let split = split_multiline(tokens, text, &snap.lines);
    let bodies: Vec<&str> =
        split.iter().filter(|t| t.token_type == TokenType::String as u32).map(|t| &text[t.range.clone()]).collect();
    // The blank line has nothing to colour; terminators are never part of a token.
    assert_eq!(bodies, ["line one", "line three"]);
    check_invariants(text, &split);
}

#[test]
fn split_multiline_handles_lone_cr_and_keeps_single_line_tokens() {
    let text = "ab\rcd\nef";
    let lines = LineIndex::new(text);
    let tokens = vec![
        SemanticToken { range: 0..1, token_type: 2, modifiers: 1 },
        SemanticToken { range: 1..7, token_type: 2, modifiers: 1 },
    ];
    let split = split_multiline(tokens, text, &lines);
    let pieces: Vec<&str> = split.iter().map(|t| &text[t.range.clone()]).collect();
    assert_eq!(pieces, ["a", "b", "cd", "e"]);
    assert!(split.iter().all(|t| t.token_type == 2 && t.modifiers == 1));
}

#[test]
fn maintainer_is_deprecated_and_directives_are_macros() {
    let text = "# syntax=docker/dockerfile:1\nFROM a\nMAINTAINER me\nHEALTHCHECK NONE\n";
    assert_eq!(kind_of(text, "MAINTAINER"), Some(("keyword", modifier::DEPRECATED)));
    assert_eq!(kind_of(text, "syntax"), Some(("macro", 0)));
    assert_eq!(kind_of(text, "docker/dockerfile:1"), Some(("string", 0)));
    assert_eq!(kind_of(text, "NONE"), Some(("keyword", 0)));
}

#[test]
fn errors_keep_keywords_and_comments() {
    let text = "FROM alpine\nCOPY\n# still a comment\nRUNX --flag thing\nRUN ok\n";
    let snap = Snapshot::from_text(text);
    let tokens = semantic_tokens(&snap, None);
    check_invariants(text, &tokens);
    assert_eq!(kind_of(text, "# still a comment"), Some(("comment", 0)));
    assert_eq!(kind_of(text, "alpine"), Some(("namespace", 0)));
}

/// Tokens of a range are exactly the full document's tokens that intersect it.
fn assert_range_consistent(text: &str, range: Range<usize>) {
    let snap = Snapshot::from_text(text);
    let full = semantic_tokens(&snap, None);
    let expected: Vec<SemanticToken> =
        full.into_iter().filter(|t| t.range.start < range.end && range.start < t.range.end).collect();
    assert_eq!(semantic_tokens(&snap, Some(range.clone())), expected, "range {range:?}");
}

#[test]
fn range_requests_return_the_intersecting_tokens() {
    let lines = LineIndex::new(TOUR);
    for first in 0..lines.line_count() {
        for last in [first, first + 3, first + 10] {
            let r = lines.line_start(first)..lines.line_start(last + 1);
            assert_range_consistent(TOUR, r);
        }
    }
    // A range that starts after the FROM still knows the stage names.
    let start = TOUR.find("COPY --from=build").unwrap();
    assert_range_consistent(TOUR, start..start + 20);
    assert_range_consistent(TOUR, 0..0);
    assert_range_consistent(TOUR, TOUR.len()..TOUR.len() + 100);
}

fn dockerfile_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "FROM ", "RUN ", "COPY ", "ENV ", "ARG ", "LABEL ", "EXPOSE ", "HEALTHCHECK ", "ONBUILD ", "CMD ", "AS ",
        "alpine", ":3", "@sha256:ab", "build", "--from=", "--mount=", "type=cache,", "target=/x", "$A", "${B:-c}",
        "\"q 🐳\"", "'s'", "[\"a\", \"b\"]", "<<EOF", "<<-'X'", "EOF", "X", "# c", "# syntax=a", "=", " ", "\t",
        "\n", "\r\n", "\r", " \\\n", "80/tcp", "容器", "é", "$", "{", "}", "\"", "'", "\\",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_text_keeps_the_invariants(pieces in prop::collection::vec(dockerfile_piece(), 0..60), a in 0usize..400, b in 0usize..400) {
        let text: String = pieces.concat();
        let snap = Snapshot::from_text(&text);
        let tokens = semantic_tokens(&snap, None);
        check_invariants(&text, &tokens);
        let split = split_multiline(tokens.clone(), &text, &snap.lines);
        check_invariants(&text, &split);
        for t in &split {
            prop_assert_eq!(snap.lines.line_of(t.range.start), snap.lines.line_of(t.range.end));
        }
        let (a, b) = (a.min(text.len()), b.min(text.len()));
        let range = a.min(b)..a.max(b);
        let expected: Vec<SemanticToken> =
            tokens.into_iter().filter(|t| t.range.start < range.end && range.start < t.range.end).collect();
        prop_assert_eq!(semantic_tokens(&snap, Some(range)), expected);
    }
}

