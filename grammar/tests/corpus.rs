//! Runs the tree-sitter test corpus in `test/corpus/*.txt` without the tree-sitter CLI, plus a few
//! byte-exact cases (CRLF, BOM) that are easier to state as Rust strings than in a corpus file.
//!
//! The corpus format is the CLI's: a header (a line of 3+ `=`, the test name, optional attribute
//! lines such as `:error` or `:skip`, another line of `=`), the input, a divider line of 3+ `-`,
//! and the expected S-expression. As in the CLI, the input is everything between the header and
//! the divider minus one trailing newline, the longest divider of a case wins, lines of the
//! expected tree starting with `;` are comments, and field names are compared only when the
//! expected tree contains any.
//!
//!     cargo test -p tree-sitter-dockerfile --test corpus
//!
//! Set `CORPUS_FILTER=substring` to run only the cases whose file or name contains it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Tree};

// ------------------------------------------------------------------------------- corpus files

#[derive(Debug)]
struct Case {
    file: String,
    name: String,
    /// 1-based line of the opening `===` line.
    line: usize,
    input: Vec<u8>,
    expected: String,
    has_fields: bool,
    skip: bool,
    expect_error: bool,
}

/// A line made of 3+ `c` followed by an optional suffix: `(delimiter length, suffix)`.
fn delimiter_line(line: &str, c: char) -> Option<(usize, &str)> {
    let len = line.len() - line.trim_start_matches(c).len();
    (len >= 3).then(|| (len, line[len..].trim_end_matches(['\r', '\n'])))
}

fn suffix_matches(first: Option<&str>, suffix: &str) -> bool {
    match first {
        None => suffix.is_empty(),
        Some(first) => first == suffix,
    }
}

struct Header {
    name: String,
    line: usize,
    skip: bool,
    expect_error: bool,
    body_start: usize,
}

fn parse_header(lines: &[&str], first_suffix: Option<&str>, start: usize) -> Option<Header> {
    let (_, suffix) = delimiter_line(lines[start], '=')?;
    if !suffix_matches(first_suffix, suffix) {
        return None;
    }
    let mut name = String::new();
    let (mut seen_marker, mut skip, mut expect_error) = (false, false, false);
    let mut i = start + 1;
    while i < lines.len() {
        if let Some((_, closing)) = delimiter_line(lines[i], '=') {
            if suffix_matches(first_suffix, closing) {
                break;
            }
        }
        let trimmed = lines[i].trim();
        if trimmed.is_empty() && !seen_marker {
            return None; // a blank line in the name: a literal `===` inside an input
        }
        match trimmed.split('(').next().unwrap_or("") {
            ":skip" => (seen_marker, skip) = (true, true),
            ":error" => (seen_marker, expect_error) = (true, true),
            ":fail-fast" | ":cst" | ":platform" | ":language" => seen_marker = true,
            _ if !seen_marker => name.push_str(lines[i]),
            _ => {}
        }
        i += 1;
    }
    if i >= lines.len() {
        return None;
    }
    Some(Header {
        name: name.trim_end().to_string(),
        line: start + 1,
        skip,
        expect_error: expect_error && !skip,
        body_start: i + 1,
    })
}

/// Collapses whitespace, drops `;` comment lines and spaces before `)`, as the CLI does.
fn normalize_sexp(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut prev_space = false;
    for line in raw.lines() {
        if line.trim_start().starts_with(';') {
            continue;
        }
        for ch in line.chars() {
            if ch.is_whitespace() {
                if !prev_space && !out.is_empty() {
                    out.push(' ');
                    prev_space = true;
                }
            } else {
                if ch == ')' && prev_space {
                    out.pop();
                }
                out.push(ch);
                prev_space = false;
            }
        }
        if !out.is_empty() && !prev_space {
            out.push(' ');
            prev_space = true;
        }
    }
    out.trim_end().to_string()
}

fn build_case(file: &str, header: Header, body: &[&str], first_suffix: Option<&str>) -> Option<Case> {
    // The longest divider wins; on a tie the later one (an earlier one is part of the input).
    let mut best: Option<(usize, usize)> = None;
    for (j, line) in body.iter().enumerate() {
        if let Some((len, suffix)) = delimiter_line(line, '-') {
            if suffix_matches(first_suffix, suffix) && best.is_none_or(|(l, _)| len + suffix.len() >= l) {
                best = Some((len + suffix.len(), j));
            }
        }
    }
    let (_, divider) = best?;
    let mut input: Vec<u8> = body[..divider].iter().flat_map(|l| l.bytes()).collect();
    if input.last() == Some(&b'\n') {
        input.pop();
    }
    if input.last() == Some(&b'\r') {
        input.pop();
    }
    let expected = normalize_sexp(&body[divider + 1..].concat());
    let has_fields = expected.contains(": (");
    Some(Case {
        file: file.to_string(),
        name: header.name,
        line: header.line,
        input,
        expected,
        has_fields,
        skip: header.skip,
        expect_error: header.expect_error,
    })
}

fn parse_corpus_file(file: &str, content: &str) -> Vec<Case> {
    let lines: Vec<&str> = content.split_inclusive('\n').collect();
    let first_suffix = lines.iter().find_map(|l| match delimiter_line(l, '=') {
        Some((_, suffix)) if !suffix.is_empty() => Some(suffix),
        _ => None,
    });
    let mut cases = Vec::new();
    let mut pending: Option<Header> = None;
    let mut i = 0;
    while i < lines.len() {
        let Some(header) = parse_header(&lines, first_suffix, i) else {
            i += 1;
            continue;
        };
        let opening = i;
        i = header.body_start;
        if let Some(prev) = pending.take() {
            let start = prev.body_start;
            cases.extend(build_case(file, prev, &lines[start..opening], first_suffix));
        }
        pending = Some(header);
    }
    if let Some(prev) = pending {
        let start = prev.body_start;
        cases.extend(build_case(file, prev, &lines[start..], first_suffix));
    }
    cases
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test").join("corpus")
}

fn load_corpus() -> Vec<Case> {
    let dir = corpus_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no corpus files in {}", dir.display());
    let mut cases = Vec::new();
    for path in paths {
        let content = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let found = parse_corpus_file(&file, &content);
        assert!(!found.is_empty(), "{file}: no test cases found");
        cases.extend(found);
    }
    cases
}

// ---------------------------------------------------------------------------- S-expressions

/// Removes `field: ` prefixes from a single-spaced `to_sexp()` string (the CLI's
/// `strip_sexp_fields`).
fn strip_fields(sexp: &str) -> String {
    let mut out = String::with_capacity(sexp.len());
    let mut rest = sexp;
    while let Some(pos) = rest.find(": (") {
        if let Some(space) = rest[..pos].rfind(' ') {
            let word = &rest[space + 1..pos];
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                out.push_str(&rest[..=space]);
                out.push('(');
                rest = &rest[pos + 3..];
                continue;
            }
        }
        out.push_str(&rest[..pos + 3]);
        rest = &rest[pos + 3..];
    }
    out.push_str(rest);
    out
}

fn tokenize(sexp: &str) -> Vec<&str> {
    let bytes = sexp.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' | b')' => {
                tokens.push(&sexp[i..i + 1]);
                i += 1;
            }
            q @ (b'"' | b'\'') => {
                // `(MISSING "=")`, `(UNEXPECTED 'x')`: the quote that closes is the one followed
                // by `)` or a blank (the name itself may contain quotes).
                let mut j = i + 1;
                while j < bytes.len() && !(bytes[j] == q && matches!(bytes.get(j + 1), None | Some(b')' | b' ' | b'\n'))) {
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                tokens.push(&sexp[i..end]);
                i = end;
            }
            _ => {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')') {
                    i += 1;
                }
                tokens.push(&sexp[start..i]);
            }
        }
    }
    tokens
}

/// One node per line, indented by depth, `field: (node` kept together.
fn pretty(sexp: &str) -> String {
    let tokens = tokenize(sexp);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut field: Option<&str> = None;
    for (i, tok) in tokens.iter().enumerate() {
        match *tok {
            "(" => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(depth));
                if let Some(f) = field.take() {
                    out.push_str(f);
                    out.push(' ');
                }
                out.push('(');
                depth += 1;
            }
            ")" => {
                out.push(')');
                depth = depth.saturating_sub(1);
            }
            t if t.ends_with(':') && tokens.get(i + 1) == Some(&"(") => field = Some(t),
            t => {
                if !out.ends_with('(') && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(t);
            }
        }
    }
    out
}

/// A line diff (longest common subsequence) of two pretty-printed trees.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            let _ = writeln!(out, "    {}", a[i]);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "  + {}", b[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "  - {}", a[i]);
            i += 1;
        }
    }
    out
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile::LANGUAGE.into())
        .expect("load the Dockerfile grammar");
    parser
}

fn parse(parser: &mut Parser, input: &[u8]) -> Tree {
    parser.reset();
    parser.parse(input, None).expect("the parser returns a tree")
}

// ----------------------------------------------------------------------------------- corpus

#[test]
fn corpus() {
    let filter = std::env::var("CORPUS_FILTER").ok();
    let cases = load_corpus();
    let mut parser = new_parser();
    let mut failures = Vec::new();
    let (mut run, mut skipped) = (0usize, 0usize);
    for case in &cases {
        if filter.as_deref().is_some_and(|f| !case.file.contains(f) && !case.name.contains(f)) {
            continue;
        }
        if case.skip {
            skipped += 1;
            continue;
        }
        run += 1;
        let tree = parse(&mut parser, &case.input);
        let root = tree.root_node();
        let title = format!("{}:{}: {}", case.file, case.line, case.name);
        if case.expect_error {
            if !root.has_error() {
                failures.push(format!("{title}\n  expected an ERROR or MISSING node, got\n{}\n", indent(&pretty(&root.to_sexp()))));
            }
            continue;
        }
        let full = root.to_sexp();
        let actual = if case.has_fields { full } else { strip_fields(&full) };
        if actual != case.expected {
            failures.push(format!(
                "{title}\n  input: {:?}\n  diff (- expected, + actual):\n{}",
                String::from_utf8_lossy(&case.input),
                diff(&pretty(&case.expected), &pretty(&actual)),
            ));
        }
    }
    eprintln!("corpus: {run} cases run, {skipped} skipped, {} failed", failures.len());
    if !failures.is_empty() {
        panic!("{} of {run} corpus cases failed:\n\n{}", failures.len(), failures.join("\n"));
    }
    assert!(run > 0 || filter.is_some(), "the corpus has no cases");
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

#[test]
fn corpus_reader_follows_the_cli_format() {
    let content = "==========\nfirst\n==========\nFROM a\n\n---\n\n(source_file\n  ; a comment\n  (from_instruction image: (image_spec name: (image_name))))\n\n\
                   =====\nsecond\n:error\n=====\nRUN\n---\n(x)\n\
                   ===\nthird\n===\na\n---\nb\n-----\n(y)\n";
    let cases = parse_corpus_file("t.txt", content);
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0].name, "first");
    assert_eq!(cases[0].line, 1);
    assert_eq!(cases[0].input, b"FROM a\n");
    assert_eq!(cases[0].expected, "(source_file (from_instruction image: (image_spec name: (image_name))))");
    assert!(cases[0].has_fields);
    assert!(cases[1].expect_error);
    assert_eq!(cases[1].input, b"RUN");
    assert_eq!(cases[2].input, b"a\n---\nb", "the longest divider separates input and output");
    assert_eq!(cases[2].expected, "(y)");
    assert_eq!(
        strip_fields("(a name: (b) (c value: (d)))"),
        "(a (b) (c (d)))"
    );
    assert_eq!(pretty("(a f: (b) (MISSING \"=\"))"), "(a\n  f: (b)\n  (MISSING \"=\"))");
}

// --------------------------------------------------------------------------- byte-exact cases

fn instructions(root: Node) -> Vec<Node> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor).filter(|n| n.kind().ends_with("_instruction")).collect()
}

fn kinds(nodes: &[Node]) -> Vec<String> {
    nodes.iter().map(|n| n.kind().to_string()).collect()
}

/// Parses `src`, asserts a tree without ERROR or MISSING nodes, returns the top-level
/// instruction kinds.
fn clean_instructions(src: &str) -> (Tree, Vec<String>) {
    let mut parser = new_parser();
    let tree = parse(&mut parser, src.as_bytes());
    let root = tree.root_node();
    assert!(!root.has_error(), "{src:?} has errors:\n{}", pretty(&root.to_sexp()));
    assert_eq!(root.kind(), "source_file");
    let k = kinds(&instructions(root));
    (tree, k)
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    node.utf8_text(src.as_bytes()).unwrap()
}

fn find<'t>(node: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == kind {
            found.push(n);
        }
        stack.extend(n.children(&mut cursor).collect::<Vec<_>>().into_iter().rev());
    }
    found
}

#[test]
fn crlf_continuation() {
    let src = "FROM a\r\nRUN b \\\r\n  c\r\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["from_instruction", "run_instruction"]);
    let run = instructions(tree.root_node())[1];
    assert_eq!(run.start_position().row, 1);
    assert_eq!(run.end_position().row, 3, "the RUN spans the continued line");
    let fragments: Vec<_> = find(run, "shell_fragment").iter().map(|n| text(*n, src)).collect();
    assert_eq!(fragments, ["b", "c"], "no fragment holds a carriage return");
}

#[test]
fn crlf_comment_and_blank_line_in_continuation() {
    let src = "FROM a\r\nRUN b \\\r\n# note\r\n\r\n  c\r\nUSER u\r\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["from_instruction", "run_instruction", "user_instruction"]);
    let comments: Vec<_> = find(tree.root_node(), "comment").iter().map(|n| text(*n, src)).collect();
    assert_eq!(comments.len(), 1);
    assert!(comments[0].starts_with("# note"));
}

#[test]
fn crlf_directives_and_backtick_escape() {
    let src = "# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM a\r\nCOPY C:\\src C:\\dst\\\r\nRUN b `\r\n  c\r\nUSER u\r\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["from_instruction", "copy_instruction", "run_instruction", "user_instruction"]);
    let root = tree.root_node();
    let values: Vec<_> = find(root, "directive_value").iter().map(|n| text(*n, src)).collect();
    assert_eq!(values, ["docker/dockerfile:1", "`"], "directive values exclude the carriage return");
    let paths: Vec<_> = find(root, "path").iter().map(|n| text(*n, src)).collect();
    assert_eq!(paths, ["C:\\src", "C:\\dst\\"]);
}

#[test]
fn crlf_exec_form_and_heredoc() {
    let src = "CMD [\"a\", \\\r\n     \"b\"]\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nCOPY <<EOF /x\r\nline\r\nEOF\r\nUSER u\r\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["cmd_instruction", "run_instruction", "copy_instruction", "user_instruction"]);
    let root = tree.root_node();
    assert_eq!(find(root, "json_string").len(), 2);
    assert_eq!(find(root, "heredoc_block").len(), 2);
}

#[test]
fn crlf_continuation_right_after_a_quote() {
    let src = "FROM a\r\nRUN echo \"a\\\r\nb\" 'c\\\r\nd'\r\nUSER u\r\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["from_instruction", "run_instruction", "user_instruction"]);
    let run = instructions(tree.root_node())[1];
    let fragments: Vec<_> = find(run, "shell_fragment").iter().map(|n| text(*n, src)).collect();
    assert_eq!(fragments, ["echo", "\"a", "b", "\"", "'c", "d", "'"]);
    assert_eq!(find(run, "line_continuation").len(), 2);
}

#[test]
fn crlf_legacy_env_value_on_the_next_line() {
    for src in ["FROM a\r\nENV GOPATH \\\r\n/go\r\n", "# escape=`\r\nFROM a\r\nENV GOPATH `\r\nC:\\go\r\n"] {
        let (tree, k) = clean_instructions(src);
        assert_eq!(k, ["from_instruction", "env_instruction"], "{src:?}");
        let env = instructions(tree.root_node())[1];
        let pair = find(env, "env_pair")[0];
        let name = pair.child_by_field_name("name").map(|n| text(n, src));
        let value = pair.child_by_field_name("value").map(|n| text(n, src));
        assert_eq!(name, Some("GOPATH"), "{src:?}");
        assert!(value.is_some_and(|v| v == "/go" || v == "C:\\go"), "{src:?}: {value:?}");
    }
}

#[test]
fn mixed_line_endings() {
    let (_, k) = clean_instructions("FROM a\nRUN b \\\r\n  c\nUSER u\r\nCMD [\"x\"]");
    assert_eq!(k, ["from_instruction", "run_instruction", "user_instruction", "cmd_instruction"]);
}

#[test]
fn bom_at_file_start() {
    let src = "\u{feff}FROM a\nRUN b\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["from_instruction", "run_instruction"]);
    let from = instructions(tree.root_node())[0];
    assert_eq!(from.start_byte(), 3, "the BOM is not part of the instruction");
}

#[test]
fn bom_before_directive_with_crlf() {
    let src = "\u{feff}# escape=`\r\nFROM a\r\nRUN b `\r\n  c\r\n";
    let (tree, k) = clean_instructions(src);
    assert_eq!(k, ["from_instruction", "run_instruction"]);
    let directives = find(tree.root_node(), "parser_directive");
    assert_eq!(directives.len(), 1, "a directive right after the BOM is still a directive");
}

#[test]
fn no_final_newline() {
    for src in ["FROM a\nRUN b", "FROM a\r\nCMD [\"b\"]", "FROM a\nRUN b \\", "FROM a\nRUN <<EOF\nx\nEOF"] {
        let (_, k) = clean_instructions(src);
        assert_eq!(k.len(), 2, "{src:?}");
    }
}

// ------------------------------------------------------------------ regressions
//
// Divergences from Docker found while writing the corpus, fixed in the grammar; kept as tests.

#[test]
fn heredoc_marker_in_cmd_is_shell_text() {
    // Docker only reads heredocs for RUN, COPY and ADD; `FROM y` must stay an instruction.
    let (_, k) = clean_instructions("CMD cat <<EOF\nRUN x\nFROM y\n");
    assert_eq!(k, ["cmd_instruction", "run_instruction", "from_instruction"]);
}

#[test]
fn escaped_space_in_env_value() {
    // Docker's reference: `ENV MY_DOG=Rex\ The\ Dog` is one pair.
    let src = "ENV MY_DOG=Rex\\ The\\ Dog\n";
    let (tree, _) = clean_instructions(src);
    let pairs = find(tree.root_node(), "env_pair");
    assert_eq!(pairs.len(), 1);
}

#[test]
fn bare_onbuild_stays_on_its_line() {
    let mut parser = new_parser();
    let tree = parse(&mut parser, b"ONBUILD\nRUN ok\n");
    let root = tree.root_node();
    let last = root.named_child(root.named_child_count() as u32 - 1).unwrap();
    assert_eq!(last.kind(), "run_instruction", "{}", pretty(&root.to_sexp()));
}

#[test]
fn crlf_heredoc_end_excludes_carriage_return() {
    let src = "RUN <<EOF\r\necho hi\r\nEOF\r\n";
    let (tree, _) = clean_instructions(src);
    let ends: Vec<_> = find(tree.root_node(), "heredoc_end").iter().map(|n| text(*n, src)).collect();
    assert_eq!(ends, ["EOF"]);
}

#[test]
fn double_dash_ends_flags() {
    let (_, k) = clean_instructions("COPY -- a b\nRUN -- echo\n");
    assert_eq!(k, ["copy_instruction", "run_instruction"]);
}

#[test]
fn a_fragment_is_the_shell_text_of_one_line_up_to_a_heredoc_marker() {
    let src = "RUN echo \"a b\" 'c'  d && \\\n  cat <<EOF >out  && x < y <<<z\nbody\nEOF\n";
    let (tree, _) = clean_instructions(src);
    let pieces: Vec<_> = find(tree.root_node(), "shell_command")[0]
        .named_children(&mut tree.walk())
        .map(|n| (n.kind(), text(n, src)))
        .collect();
    assert_eq!(
        pieces,
        [
            ("shell_fragment", "echo \"a b\" 'c'  d &&"),
            ("line_continuation", "\\\n"),
            ("shell_fragment", "cat"),
            ("heredoc_marker", "<<EOF"),
            ("shell_fragment", ">out  && x"),
            ("shell_fragment", "< y"),
            ("shell_fragment", "<<<z"),
        ]
    );
}

#[test]
fn a_heredoc_looking_word_in_quotes_stays_in_its_fragment() {
    let src = "RUN echo \"<<EOF\" '<<X' done\n";
    let (tree, _) = clean_instructions(src);
    let fragments: Vec<_> = find(tree.root_node(), "shell_fragment").iter().map(|n| text(*n, src)).collect();
    assert_eq!(fragments, [src[4..src.len() - 1].to_string()]);
}

#[test]
fn a_long_junk_line_is_confined_and_the_next_line_parses() {
    // Binary junk on one long line: recovery swallows it and resumes at the next line.
    let junk: String = (0..50_000u32).map(|i| char::from_u32((i * 7919) % 0xD7FF + 1).unwrap_or('?')).collect();
    let src = format!("{junk}\nFROM alpine:3.20\n");
    let mut parser = new_parser();
    let tree = parse(&mut parser, src.as_bytes());
    let root = tree.root_node();
    let last = root.named_child(root.named_child_count() as u32 - 1).unwrap();
    assert_eq!(last.kind(), "from_instruction", "{}", pretty(&root.to_sexp()));
}
