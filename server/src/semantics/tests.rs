use super::*;
use crate::document::Snapshot;

fn sem(text: &str) -> (Dockerfile, Semantics) {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let s = Semantics::analyze(text, &df);
    (df, s)
}

fn occurrences_text(text: &str, s: &Semantics, at: &str) -> Vec<String> {
    let offset = text.find(at).unwrap();
    let sym = s.symbol_at(offset).expect("a symbol");
    s.occurrences(sym).into_iter().map(|r| format!("{}@{}", &text[r.clone()], r.start)).collect()
}

#[test]
fn stage_names_are_referenced_from_copy_mount_and_from() {
    let text = "FROM golang:1.23 AS build\nRUN go build\nFROM build AS test\nRUN --mount=type=bind,from=build,target=/s true\nFROM alpine:3.20\nCOPY --from=build /out /app\n";
    let (_, s) = sem(text);
    let occ = occurrences_text(text, &s, "build\nRUN");
    assert_eq!(occ.len(), 4, "{occ:?}");
}

#[test]
fn global_args_redeclared_in_stage() {
    let text = "ARG VERSION=1.0\nFROM alpine:${VERSION}\nARG VERSION\nRUN echo $VERSION\nFROM alpine\nRUN echo $VERSION\n";
    let (_, s) = sem(text);
    let occ = occurrences_text(text, &s, "VERSION=1.0");
    // Definition, use in FROM, re-declaration, use after it; not the last stage's use.
    assert_eq!(occ.len(), 4, "{occ:?}");
    assert!(s.unresolved.iter().any(|u| u.name == "VERSION" && u.in_shell));
}

#[test]
fn env_is_inherited_by_child_stages_and_reads_old_value() {
    let text = "FROM alpine AS base\nENV APP=/app\nFROM base\nWORKDIR $APP\nENV A=1 B=$A\n";
    let (_, s) = sem(text);
    assert_eq!(occurrences_text(text, &s, "APP=/app").len(), 2);
    assert!(s.unresolved.iter().any(|u| u.name == "A"), "B=$A reads A from before the instruction");
}

#[test]
fn predefined_args_and_single_quotes() {
    let text = "FROM --platform=$BUILDPLATFORM alpine\nARG TARGETOS\nRUN echo '$NOPE' \"$TARGETOS\"\n";
    let (_, s) = sem(text);
    assert!(s.predefined.iter().any(|(n, _)| n == "BUILDPLATFORM"));
    assert!(s.unresolved.is_empty(), "{:?}", s.unresolved);
}

#[test]
fn resolves_values_with_scopes_and_defaults() {
    let text = "ARG TAG=3.12\nARG VARIANT\nFROM python:${TAG}-${VARIANT:-slim} AS base\nARG TAG\nENV APP=/srv/${TAG}\nFROM base\nWORKDIR ${APP}/x\n";
    let (df, s) = sem(text);
    let from = df.instructions[2].from_args().unwrap();
    let img = crate::syntax::Word { range: from.image.range.clone(), text: from.image.text.as_str().into(), value: Default::default(), expansions: Vec::new() };
    assert_eq!(s.resolve_word(text, &df, &img, None), "python:3.12-slim");
    let workdir = &df.instructions[6].words()[0];
    assert_eq!(s.resolve_word(text, &df, workdir, Some(1)), "/srv/3.12/x");
}
