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

#[test]
fn args_are_inherited_by_child_stages() {
    let text = "FROM busybox AS parent\nARG FOO=123\nFROM parent AS child\nRUN echo \"${FOO}\"\nFROM busybox\nRUN echo $FOO\n";
    let (df, s) = sem(text);
    // The definition and the child's use; the unrelated stage's use resolves to nothing.
    assert_eq!(occurrences_text(text, &s, "FOO=123").len(), 2);
    assert_eq!(s.unresolved.len(), 1, "{:?}", s.unresolved);
    let echo = &df.instructions[3];
    let values = s.values_at(text, &df, Some(1), echo.range.start);
    assert_eq!(values.get("FOO"), Some(&Some("123".to_string())));
}

#[test]
fn the_pairs_of_one_arg_are_declared_in_order_but_env_reads_old_values() {
    let text = "ARG G1=1 G2=$G1\nFROM alpine\nARG L1=x L2=${L1}\nENV E1=a E2=$E1\nWORKDIR /w\n";
    let (df, s) = sem(text);
    assert_eq!(occurrences_text(text, &s, "G1=1").len(), 2);
    assert_eq!(occurrences_text(text, &s, "L1=x").len(), 2);
    assert!(s.unresolved.iter().any(|u| u.name == "E1"), "{:?}", s.unresolved);
    let values = s.values_at(text, &df, Some(0), df.instructions[4].range.start);
    assert_eq!(values.get("L2"), Some(&Some("x".to_string())));
    assert_eq!(values.get("E2"), Some(&Some(String::new())), "E2 read E1 from before the ENV");
}

#[test]
fn platform_args_must_be_declared_in_a_stage_and_proxies_need_not() {
    let text = "ARG ARCH_TAG=$TARGETARCH\nFROM --platform=$BUILDPLATFORM alpine\nRUN echo $TARGETARCH $HTTP_PROXY\nARG TARGETOS\nRUN echo $TARGETOS\n";
    let (_, s) = sem(text);
    let names: Vec<(&str, &Why)> = s.unresolved.iter().map(|u| (u.name.as_str(), &u.why)).collect();
    assert_eq!(names, vec![("TARGETARCH", &Why::PredefinedNotDeclared)]);
    assert!(s.predefined.iter().any(|(n, _)| n == "TARGETARCH"), "in a global ARG default");
    assert!(s.predefined.iter().any(|(n, _)| n == "HTTP_PROXY"));
}

#[test]
fn the_container_sees_env_but_not_build_args() {
    let text = "FROM alpine AS base\nARG PORT=80\nENV HOST=0.0.0.0\nFROM base\nCMD serve $HOST:$PORT\nHEALTHCHECK CMD wget -q $HOST:$PORT\n";
    let (_, s) = sem(text);
    assert_eq!(occurrences_text(text, &s, "HOST=").len(), 3);
    let port = s.symbols.iter().position(|x| x.name == "PORT").unwrap();
    let runtime: Vec<&Why> = s.unresolved.iter().map(|u| &u.why).collect();
    assert_eq!(runtime, vec![&Why::BuildArgAtRuntime(port), &Why::BuildArgAtRuntime(port)]);
}

#[test]
fn run_heredoc_scripts_are_shell_even_when_quoted() {
    let text = "FROM alpine\nARG V=1\nRUN <<'EOF'\necho $V\nEOF\nRUN python3 <<'EOF'\nprint('$V')\nEOF\nRUN <<'EOF'\n#!/usr/bin/env python3\nprint(\"$V\")\nEOF\nRUN <<'EOF'\n#!/bin/bash\necho $V\nEOF\n";
    let (_, s) = sem(text);
    // The definition, the plain script and the bash script; not the Python bodies.
    assert_eq!(occurrences_text(text, &s, "V=1").len(), 3);
}

#[test]
fn json_form_copy_add_and_volume_expand_variables() {
    let text = "FROM alpine\nARG SRC=a DIR=/d\nCOPY [\"$SRC\", \"/dst/\"]\nADD [\"${SRC}\", \"$DIR/\"]\nVOLUME [\"$DIR\"]\nCMD [\"echo\", \"$SRC\"]\n";
    let (_, s) = sem(text);
    // The definition and the COPY and ADD uses; not the exec-form CMD, which has no shell.
    assert_eq!(occurrences_text(text, &s, "SRC=a").len(), 3);
    assert_eq!(occurrences_text(text, &s, "DIR=/d").len(), 3);
}

/// BuildKit expands COPY/ADD heredoc bodies without quote processing: `'$A'` there is `A`'s
/// value. In RUN bodies the shell's single quotes keep it literal.
#[test]
fn single_quotes_protect_nothing_in_copy_heredocs() {
    let text = "FROM alpine\nARG A=1\nCOPY <<EOF /f\nx '$A'\nEOF\nRUN <<EOF\necho '$A'\nEOF\n";
    let (_, s) = sem(text);
    let occ = occurrences_text(text, &s, "A=1");
    assert_eq!(occ, ["A@16", "A@38"], "{occ:?}");
}

/// `COPY --from=0` names the first stage by its index, as Docker allows.
#[test]
fn a_stage_index_refers_to_that_stage() {
    let text = "FROM alpine AS build\nFROM alpine\nCOPY --from=0 /a /b\nRUN --mount=from=0,target=/s true\nCOPY --from=1 /a /c\n";
    let (_, s) = sem(text);
    let occ = occurrences_text(text, &s, "build\n");
    assert_eq!(occ, ["build@15", "0@45", "0@70"], "{occ:?}");
}
