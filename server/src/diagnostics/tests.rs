//! Syntax diagnostics rendered as annotated source and snapshotted.

use crate::document::Snapshot;

fn check(text: &str) -> String {
    let snap = Snapshot::from_text(text);
    let df = crate::syntax::Dockerfile::new(&snap.text, &snap.tree);
    super::render_annotated(text, &super::diagnose_model(text, &df))
}

#[test]
fn syntax_diagnostics() {
    insta::assert_snapshot!(check(include_str!("../../tests/fixtures/syntax/errors.Dockerfile")));
}

#[test]
fn valid_modern_dockerfile_is_clean() {
    let text = include_str!("../../tests/fixtures/syntax/modern.Dockerfile");
    assert_eq!(check(text), "");
    // Nor do the best-practice rules warn about it.
    let all = super::diagnose(&Snapshot::from_text(text));
    let loud: Vec<_> = all.into_iter().filter(|d| d.severity <= super::Severity::Warning).collect();
    assert!(loud.is_empty(), "{}", super::render_annotated(text, &loud));
}
