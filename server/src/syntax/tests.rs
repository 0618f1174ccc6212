use super::*;
use crate::document::Snapshot;

fn model(text: &str) -> Dockerfile {
    let snap = Snapshot::from_text(text);
    Dockerfile::new(&snap.text, &snap.tree)
}

#[test]
fn stages_names_parents_and_image_parts() {
    let df = model(
        "ARG TAG=3.12\nFROM --platform=$BUILDPLATFORM ghcr.io/acme/py:${TAG}@sha256:abc AS build\nRUN make\nFROM build as test\nFROM localhost:5000/app\n",
    );
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.global_instructions().len(), 1);
    let img = &df.stages[0].image;
    assert_eq!(img.registry.as_ref().unwrap().0, "ghcr.io");
    assert_eq!(img.repository.0, "acme/py");
    assert_eq!(img.tag.as_ref().unwrap().0, "${TAG}");
    assert_eq!(img.digest.as_ref().unwrap().0, "sha256:abc");
    assert_eq!(df.stages[0].name.as_ref().unwrap().text, "build");
    assert_eq!(df.stages[1].parent, Some(0));
    assert_eq!(df.stages[2].image.registry.as_ref().unwrap().0, "localhost:5000");
    let from = &df.instructions[1];
    assert_eq!(from.flag("platform").unwrap().value.as_ref().unwrap().text, "$BUILDPLATFORM");
}

#[test]
fn pairs_legacy_and_modern() {
    let df = model("ENV A=1 B=\"two words\"\nENV PATH /usr/bin:$PATH\nARG a b=c\nLABEL k \"v\"\n");
    let env = df.instructions[0].pairs();
    assert_eq!(env.len(), 2);
    assert_eq!(env[1].value.as_ref().unwrap().value, "two words");
    let legacy = &df.instructions[1].pairs()[0];
    assert!(!legacy.has_equals);
    assert_eq!(legacy.value.as_ref().unwrap().expansions[0].name, "PATH");
    let args = df.instructions[2].pairs();
    assert_eq!(args.len(), 2);
    assert!(args[0].value.is_none());
    assert_eq!(args[1].value.as_ref().unwrap().value, "c");
    assert_eq!(df.instructions[3].pairs()[0].value.as_ref().unwrap().value, "v");
}

#[test]
fn exec_shell_heredocs_and_flags() {
    let df = model(
        "FROM a\nCMD [\"a\", \"b\\\"c\"]\nRUN --mount=type=cache,target=/x,rw <<EOF python3\nprint(1)\nEOF\nCOPY --link <<-'X' /dst\n\tbody\n\tX\n",
    );
    assert_eq!(df.instructions[1].words()[1].value, "b\"c");
    let run = &df.instructions[2];
    let mount = &run.flag("mount").unwrap().mount;
    assert_eq!(mount.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(), ["type", "target", "rw"]);
    assert_eq!(run.heredocs[0].delimiter, "EOF");
    assert!(run.heredocs[0].end_range.is_some());
    let copy = &df.instructions[3];
    assert!(copy.flag("link").unwrap().value.is_none());
    assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].delimiter, "X");
}

/// The delimiter is one shell word: quotes anywhere and backslashes are removed, as BuildKit
/// reads it; any quote turns expansion off.
#[test]
fn heredoc_delimiters_quoted_in_part_or_escaped() {
    let df = model("FROM a\nRUN <<E\"OF\"\nx\nEOF\nCOPY <<\\X /a\ny\nX\nRUN <<-'A'B cat\n\tz\n\tAB\nRUN <<PLAIN\nw\nPLAIN\n");
    let heredocs: Vec<(&str, bool, bool)> =
        df.instructions[1..].iter().map(|i| (i.heredocs[0].delimiter.as_str(), i.heredocs[0].quoted, i.heredocs[0].end_range.is_some())).collect();
    assert_eq!(heredocs, [("EOF", true, true), ("X", false, true), ("AB", true, true), ("PLAIN", false, true)]);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
}

#[test]
fn errors_are_collected_and_rest_is_typed() {
    let df = model("FROM a\nRUNN x\nFROM\nRUN <<EOF\nno end\n");
    assert!(df.errors.len() >= 2, "{:?}", df.errors);
    assert!(df.errors.iter().any(|e| e.instruction == Some(Kind::From)));
    assert!(df.instructions.iter().any(|i| i.kind == Kind::Run && i.heredocs[0].end_range.is_none()));
}

#[test]
fn escape_directive_and_onbuild() {
    let df = model("# escape=`\nFROM a\nONBUILD RUN echo C:\\x\nHEALTHCHECK --interval=5s CMD curl -f x\n");
    assert_eq!(df.escape, '`');
    assert_eq!(df.instructions[1].nested.as_ref().unwrap().kind, Kind::Run);
    let hc = &df.instructions[2];
    assert_eq!(hc.nested.as_ref().unwrap().kind, Kind::Cmd);
    assert_eq!(hc.flags[0].name, "interval");
}

#[test]
fn a_later_model_moves_unchanged_instructions_and_builds_the_edited_one() {
    let before = "FROM alpine AS a\nWORKDIR /app\n# note\nRUN echo one\nFROM alpine AS b\nWORKDIR /app\nRUN echo two\n";
    let after = "FROM alpine AS a\nWORKDIR /app\n# note\nRUN echo uno\nFROM alpine AS b\nWORKDIR /app\nRUN echo two\n";
    let old = model(before);
    let snap = Snapshot::from_text(after);
    let df = Dockerfile::new_reusing(&snap.text, &snap.tree, before, old);
    // Five of the six instructions are unchanged (both identical `WORKDIR /app` included).
    assert_eq!(df.reused_instructions(), 5);
    let fresh = Dockerfile::new(&snap.text, &snap.tree);
    assert_eq!(format!("{:?}", df.instructions), format!("{:?}", fresh.instructions));
    assert_eq!(format!("{:?}", df.stages), format!("{:?}", fresh.stages));
    assert_eq!(df.comments, fresh.comments);
}

#[test]
fn added_removed_and_moved_instructions_are_matched_by_text() {
    let reuse = |before: &str, after: &str| {
        let old = model(before);
        let snap = Snapshot::from_text(after);
        let df = Dockerfile::new_reusing(&snap.text, &snap.tree, before, old);
        let fresh = Dockerfile::new(&snap.text, &snap.tree);
        assert_eq!(format!("{:?}", df.instructions), format!("{:?}", fresh.instructions), "{after:?}");
        assert_eq!(format!("{:?}", df.stages), format!("{:?}", fresh.stages), "{after:?}");
        df.reused_instructions()
    };
    let base = "FROM a AS x\nWORKDIR /app\nRUN one\nRUN two\nFROM a\nWORKDIR /app\nCOPY --from=x /app /app\n";
    // A line added in the middle: everything else lines up from one end or the other.
    assert_eq!(reuse(base, &base.replace("RUN two\n", "RUN two\nENV K=v\n")), 7);
    // A line removed.
    assert_eq!(reuse(base, &base.replace("RUN one\n", "")), 6);
    // Two instructions swapped: found by their text between the unchanged ends.
    assert_eq!(reuse(base, &base.replace("RUN one\nRUN two\n", "RUN two\nRUN one\n")), 7);
    // Identical instructions on both sides of the change are each taken once.
    assert_eq!(reuse(base, &base.replace("RUN two\nFROM a\n", "FROM a\n")), 6);
    // Everything changed: nothing to reuse; an empty file: nothing at all.
    assert_eq!(reuse(base, "FROM b\n"), 0);
    assert_eq!(reuse(base, ""), 0);
}

#[test]
fn shell_words_split_fragments_at_blanks_outside_quotes() {
    let src = "FROM a\nRUN <<EOF bash -e \"a b\" \\\n# note\n  'c d' x\\$y 💡\nEOF\n";
    let df = model(src);
    let Args::Shell(shell) = &df.instructions[1].args else { panic!("shell form") };
    // One fragment per physical line, the marker on its own.
    let fragments: Vec<&str> = shell.fragments.iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(fragments, ["<<EOF", "bash -e \"a b\"", "'c d' x\\$y 💡"]);
    let words: Vec<&str> = shell.words(src).collect();
    assert_eq!(words, ["<<EOF", "bash", "-e", "\"a b\"", "'c d'", "x\\$y", "💡"]);
}

/// Under `# escape=`` a backslash is an ordinary character: Windows paths may end with one,
/// also inside double quotes, and a backtick escapes instead (BuildKit's reading).
#[test]
fn backtick_escape_keeps_windows_paths_whole() {
    let df = model(
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY C:\\src\\ \"C:\\with space\\\" D:\\app\\\nENV P=\"C:\\x\\\" Q=a` b R=\"say `\"hi`\"\"\nUSER app\n",
    );
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let copy = df.instructions[1].words();
    assert_eq!(copy.iter().map(|w| w.value.as_str()).collect::<Vec<_>>(), ["C:\\src\\", "C:\\with space\\", "D:\\app\\"]);
    let env = df.instructions[2].pairs();
    let values: Vec<&str> = env.iter().map(|p| p.value.as_ref().unwrap().value.as_str()).collect();
    assert_eq!(values, ["C:\\x\\", "a b", "say \"hi\""]);
    assert_eq!(df.instructions[3].kind, Kind::User);
    let df = model("# escape=`\nFROM a\nENV A='x `\n  y' B='C:\\'\n");
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let values: Vec<&str> = df.instructions[1].pairs().iter().map(|p| p.value.as_ref().unwrap().value.as_str()).collect();
    assert_eq!(values, ["x   y", "C:\\"]);
}

/// With the default escape the same text means something else: `\ ` keeps a blank inside a
/// word and `\"` a quote inside a string.
#[test]
fn backslash_escapes_blanks_and_quotes_by_default() {
    let df = model("FROM a\nCOPY a\\ b \"c\\\" d\" /e/\nENV A=x\\ y\n");
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let copy = df.instructions[1].words();
    assert_eq!(copy.iter().map(|w| w.value.as_str()).collect::<Vec<_>>(), ["a b", "c\" d", "/e/"]);
    assert_eq!(df.instructions[2].pairs()[0].value.as_ref().unwrap().value, "x y");
}

/// `FROM $BASE` names a stage when the global ARG's default does: BuildKit expands the name
/// with the global ARGs before looking for a stage (stage selection by build argument).
#[test]
fn a_from_named_by_a_global_arg_builds_on_that_stage() {
    let df = model("ARG VARIANT=prod\nARG S=base-${VARIANT}\nFROM alpine AS base-prod\nFROM alpine AS base-dev\nFROM $S AS final\nFROM ${NOPE:-Base-Dev}\nFROM $NOPE\n");
    let parents: Vec<Option<usize>> = df.stages.iter().map(|s| s.parent).collect();
    assert_eq!(parents, [None, None, Some(0), Some(1), None]);
}

/// Continued lines `docker build` accepts parse without errors, and the pairs are BuildKit's.
#[test]
fn continued_lines_parse_as_buildkit_joins_them() {
    let text = include_str!("../../tests/fixtures/syntax/continuations.Dockerfile");
    let df = model(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let syntax = crate::diagnostics::diagnose_model(text, &df);
    assert!(syntax.is_empty(), "{}", crate::diagnostics::render_annotated(text, &syntax));
    let pairs: Vec<(String, String, bool)> = df
        .instructions
        .iter()
        .flat_map(|i| i.pairs())
        .map(|p| (p.key.value.to_string(), p.value.as_ref().map_or(String::new(), |v| v.value.to_string()), p.has_equals))
        .collect();
    let expected = [
        ("GOPATH", "/go", false),
        ("org.opencontainers.image.title", "continuations", false),
        ("GOBIN", "/go/bin", true),
        ("CGO_ENABLED", "0", true),
        ("VERSION", "", false),
        ("REVISION", "unknown", true),
        ("PATH", "/go/bin:/usr/local/go/bin:$PATH", true),
    ];
    let expected: Vec<(String, String, bool)> = expected.iter().map(|(k, v, e)| (k.to_string(), v.to_string(), *e)).collect();
    assert_eq!(pairs, expected);

    let text = include_str!("../../tests/fixtures/syntax/continuations-backtick.Dockerfile");
    let df = model(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let syntax = crate::diagnostics::diagnose_model(text, &df);
    assert!(syntax.is_empty(), "{}", crate::diagnostics::render_annotated(text, &syntax));
    let gopath = &df.instructions.last().unwrap().pairs()[0];
    assert_eq!((gopath.key.value.as_str(), gopath.value.as_ref().map(|v| v.value.as_str())), ("GOPATH", Some("C:\\go")));
}
