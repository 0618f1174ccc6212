//! Syntax diagnostics rendered as annotated source and snapshotted.

use crate::document::Snapshot;

/// Renders diagnostics like the editor shows them: `line:col code message` and the source
/// line with `^` under the exact range.
pub fn render(text: &str, diags: &[super::Diagnostic]) -> String {
    let idx = crate::document::LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let start = idx.position(text, d.range.start, crate::document::PositionEncoding::Utf32);
        let line = idx.line_range(text, start.line as usize);
        let src_line = &text[line.clone()];
        out.push_str(&format!("{}:{} {} [{}] {}\n", start.line + 1, start.character + 1, d.severity.as_str(), d.code, d.message));
        out.push_str(&format!("  | {src_line}\n"));
        let col = text[line.start..d.range.start.max(line.start)].chars().count();
        let end = d.range.end.min(line.end).max(d.range.start);
        let width = text[d.range.start..end].chars().count().max(1);
        out.push_str(&format!("  | {}{}\n", " ".repeat(col), "^".repeat(width)));
    }
    out
}

fn check(text: &str) -> String {
    let snap = Snapshot::from_text(text);
    render(text, &super::diagnose(&snap))
}

#[test]
fn syntax_diagnostics() {
    insta::assert_snapshot!(check(include_str!("../../tests/fixtures/syntax/errors.Dockerfile")));
}

#[test]
fn valid_modern_dockerfile_is_clean() {
    let text = include_str!("../../tests/fixtures/syntax/modern.Dockerfile");
    assert_eq!(check(text), "");
}
