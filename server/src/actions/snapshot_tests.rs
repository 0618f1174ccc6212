//! The refactors as before/after text, and [`super::verify`] over every fixture.

use super::*;
use crate::document::Snapshot;
use crate::semantics::Semantics;

fn fixture_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["src/lint/rules/fixtures", "tests/fixtures/syntax", "tests/fixtures/features", "tests/fixtures/format", "src/actions/fixtures"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "Dockerfile") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixes_and_refactors_over_every_fixture_can_be_trusted() {
    let mut problems = Vec::new();
    let (mut fixes, mut refactors) = (0, 0);
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let report = verify::verify(&name, &text);
        fixes += report.fixes;
        refactors += report.refactors;
        problems.extend(report.problems);
    }
    // The pip cache mount instead of `--no-cache-dir` is a refactor no fixture offers.
    let report = verify::verify("no-cache-dir", "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n");
    refactors += report.refactors;
    problems.extend(report.problems);
    assert!(fixes > 100 && refactors > 10, "only {fixes} fixes and {refactors} refactors tried");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_findings_a_fix_may_add_are_named_in_its_docs() {
    for (rule, code) in verify::ALLOWED {
        let docs = crate::lint::rule(rule).expect("a rule").docs;
        let safety = &docs[docs.find("## Fix safety").unwrap_or_else(|| panic!("{rule} has no Fix safety section"))..];
        let named = if *code == "*" { safety.contains("other rules") } else { safety.contains(&format!("`{code}`")) };
        assert!(named, "{rule}'s Fix safety does not name `{code}`");
    }
}

/// The actions at `needle` (a cursor at its start, or a selection over `select` more bytes), as
/// the editor lists them, each with the text it makes; "ignore" actions left out.
fn actions_at(text: &str, needle: &str, select: usize) -> String {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let sem = Semantics::analyze(text, &df);
    let diags = crate::diagnostics::diagnose_with(text, &df, &sem, &crate::lint::LintOptions::default(), &crate::lint::RuleSelection::default());
    let at = text.find(needle).expect("needle in text");
    let actions = code_actions(text, &df, &diags, at..at + select, &[], |k| k != ActionKind::FixAll);
    let mut out = format!("--- before (cursor at `{needle}`)\n{text}");
    for a in actions.iter().filter(|a| !a.title.starts_with("Ignore")) {
        let fixes = a.diagnostic.map(|i| format!(", fixes {}", diags[i].code)).unwrap_or_default();
        out.push_str(&format!("\n--- {:?}{fixes}{}: {}\n{}", a.kind, if a.preferred { ", preferred" } else { "" }, a.title, apply(text, &a.edits)));
    }
    // Line endings shown, so a CRLF file's output shows where they went.
    out.replace('\r', "\\r")
}

#[test]
fn merge_runs() {
    insta::assert_snapshot!("merge_crlf_and_comments_between", actions_at("FROM alpine:3.20\r\nRUN apk add --no-cache curl\r\n# fetch the tool\r\nRUN curl -fsSL https://example.com/t -o /usr/bin/t\r\n", "RUN curl", 0));
    insta::assert_snapshot!("merge_backtick_escape", actions_at("# escape=`\nFROM debian:12\nRUN echo a `\n    && echo b\nRUN echo c\n", "RUN echo c", 0));
    insta::assert_snapshot!(
        "merge_heredoc_form_keeps_meaning",
        actions_at(
            "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOF python3\nprint(1)\nEOF\nRUN apt-get update\nRUN apt-get install -y curl\nRUN cd /opt && make\nRUN make install || true\n",
            "RUN apt-get update",
            0
        )
    );
    insta::assert_snapshot!(
        "merge_comments_in_continuations",
        actions_at("FROM debian:12\nRUN apt-get update && \\\n    # the tools\n    apt-get install -y git\nRUN git --version\n", "RUN git", 0)
    );
    // `;` at the top level: grouped for `&&`; no heredoc form (`set -e` would stop at the first).
    insta::assert_snapshot!("merge_semicolon_is_grouped", actions_at("# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl ; echo done\n", "RUN apt-get install", 0));
    // A selection over two RUNs of a stage merges just those; another stage's RUN never joins.
    let multi = "FROM alpine:3.20 AS base\nRUN echo base\nFROM base\nRUN echo one\nRUN echo two\nRUN echo three\n";
    let two = multi.find("RUN echo two").unwrap() + "RUN echo two".len() - multi.find("RUN echo one").unwrap();
    insta::assert_snapshot!("merge_selection_in_one_stage", actions_at(multi, "RUN echo one", two));
    // On a RUN: the fix joins it to the one before, the refactor merges the whole run.
    insta::assert_snapshot!("merge_whole_run_at_the_cursor", actions_at(multi, "RUN echo three", 0));
    // Different flags: nothing to merge.
    let flags = "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\nRUN apk add git\n";
    assert!(!actions_at(flags, "RUN apk add git", 0).contains("Merge"));
}

#[test]
fn merge_runs_with_heredocs() {
    // A heredoc script without `set -e` fails only when its last line does: kept in a
    // subshell with `set +e`, the RUNs around it one command per line.
    insta::assert_snapshot!(
        "merge_heredoc_script_without_set_e",
        actions_at(
            "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get update\n# the tools the build needs\nRUN <<EOF\napt-get install -y --no-install-recommends git make\nrm -rf /var/lib/apt/lists/*\nEOF\nRUN git --version\n",
            "RUN apt-get update",
            0
        )
    );
    // A script that turns `set -e` on first, as the last RUN: its lines as they are.
    insta::assert_snapshot!(
        "merge_heredoc_script_with_set_e_last",
        actions_at("FROM alpine:3.20\nRUN apk add --no-cache curl\nRUN <<EOF\nset -eux\ncd /opt\ncurl -fsSLO https://example.com/tool.tar.gz\ntar xzf tool.tar.gz\nEOF\n", "RUN apk", 0)
    );
    // Heredocs that feed a file or another interpreter go in byte for byte; the `<<-` body's
    // tabs are stripped as BuildKit strips them.
    insta::assert_snapshot!(
        "merge_heredoc_file_and_interpreter_kept_exactly",
        actions_at(
            "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN mkdir -p /etc/app\nRUN cat > /etc/app/app.conf <<'CONF'\nlisten = 8080\n  # indented, $HOME kept\nCONF\nRUN python3 <<EOF\nimport sys\nprint(sys.version)\nEOF\nRUN <<-EOT\n\techo tabs go\n\techo \"$PATH\"\n\tEOT\n",
            "RUN mkdir",
            0
        )
    );
    // CRLF and the backtick escape: the merged RUN keeps the file's line ending.
    insta::assert_snapshot!(
        "merge_heredoc_crlf_backtick_escape",
        actions_at("# escape=`\r\nFROM debian:12\r\nRUN echo one `\r\n    && echo two\r\nRUN <<EOF\r\necho three\r\necho four\r\nEOF\r\n", "RUN echo one", 0)
    );
    // The fixture: the first stage's four RUNs, and the second stage's two before the `#!` one.
    let fixture = include_str!("fixtures/merge-heredocs.Dockerfile");
    insta::assert_snapshot!("merge_heredoc_fixture_first_stage", actions_at(fixture, "RUN apt-get update", 0));
    insta::assert_snapshot!("merge_heredoc_fixture_set_e_script_then_make", actions_at(fixture, "RUN make -C /src\n", 0));
    // A `#!` script runs as a file by its program: never merged; the shell-form RUNs before
    // it still are.
    let shebang = "FROM python:3.12-slim\nRUN pip install requests\nRUN pip install rich\nRUN <<EOF\n#!/usr/bin/env python3\nprint('hello')\nEOF\n";
    let shown = actions_at(shebang, "RUN pip install requests", 0);
    assert!(shown.contains("Merge the 2 RUN") && !shown.contains("Merge the 3 RUN"), "{shown}");
    // The cursor on the `#!` RUN: nothing to merge.
    assert!(!actions_at(shebang, "RUN <<EOF", 0).contains("Merge"));
    // The same flags: kept once, on the merged RUN.
    let mounts = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt --network=default <<EOF\napt-get update\napt-get install -y curl\nEOF\nRUN --mount=type=cache,target=/var/cache/apt --network=default apt-get install -y git\n";
    let shown = actions_at(mounts, "RUN --mount", 0);
    assert!(
        shown.contains("RUN --mount=type=cache,target=/var/cache/apt --network=default <<EOF\nset -e\n(\nset +e\napt-get update\napt-get install -y curl\n)\napt-get install -y git\nEOF\n"),
        "{shown}"
    );
    // Different flags, or a SHELL with `-e` (`set +e` would undo it): no heredoc merge.
    let flags = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\nRUN <<EOF\napt-get install -y curl\napt-get clean\nEOF\n";
    assert!(!actions_at(flags, "RUN --mount", 0).contains("Merge"));
    let errexit = "FROM debian:12\nSHELL [\"/bin/sh\", \"-ec\"]\nRUN apt-get update\nRUN <<EOF\napt-get install -y curl\napt-get clean\nEOF\n";
    assert!(!actions_at(errexit, "RUN apt-get update", 0).contains("Merge"));
    // `! cmd` never stops `set -e`: no heredoc form for it.
    let negated = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN test -d /opt\nRUN ! test -e /opt/lock\n";
    assert!(!actions_at(negated, "RUN test -d", 0).contains("heredoc"));
}

#[test]
fn reorder_copy_split_cd_cache_mount_and_link() {
    insta::assert_snapshot!(
        "reorder_copy_keeps_chown_and_link",
        actions_at("FROM node:20-slim\nWORKDIR /app\nCOPY --chown=node:node --link . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n", "COPY", 0)
    );
    insta::assert_snapshot!("split_run_at_cd", actions_at("FROM debian:12\nRUN mkdir -p /src && cd /src && \\\n    make\n", "cd /src", 0));
    insta::assert_snapshot!(
        "cache_mount_drops_the_cleanup",
        actions_at("FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl && \\\n    apt-get clean && \\\n    rm -rf /var/lib/apt/lists/*\n", "apt-get install", 0)
    );
    insta::assert_snapshot!(
        "cache_mount_instead_of_no_cache_dir",
        actions_at("FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n", "RUN pip", 0)
    );
    insta::assert_snapshot!("link_on_cross_stage_copy", actions_at("FROM golang:1.23 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /usr/bin/app\n", "COPY", 0));
}

#[test]
fn move_cache_stable_instructions_up() {
    let text = "FROM python:3.12-slim\nWORKDIR /app\n# the sources\nCOPY . .\nENV PYTHONUNBUFFERED=1\n# tools the app shells out to\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\nRUN pip install -r requirements.txt\nENV APP_HOME=/app\nLABEL org.opencontainers.image.source=https://example.com/app\nEXPOSE 8000\nCMD [\"python\", \"-m\", \"app\"]\n";
    // On the COPY: everything that may move. ENV APP_HOME stays: it would move past a RUN.
    insta::assert_snapshot!("move_up_from_the_copy", actions_at(text, "COPY", 0));
    // On one of them: the same move, named by the instruction.
    let one = "FROM node:20-slim\nCOPY . /app\nRUN npm ci\nARG PORT=3000\nEXPOSE $PORT\n";
    let shown = actions_at(one, "EXPOSE", 0);
    assert!(!shown.contains("Move"), "EXPOSE $PORT uses an ARG set after the COPY and may not move alone:\n{shown}");
    insta::assert_snapshot!("move_up_label_only", actions_at("FROM alpine:3.20\r\nCOPY ./ /src\r\nRUN make -C /src\r\nLABEL maintainer=me\r\n", "LABEL", 0));
}

#[test]
fn the_clients_diagnostics_get_their_fixes_wherever_the_cursor_is() {
    let text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nMAINTAINER me\n";
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let diags = crate::diagnostics::diagnose(&snap);
    let maintainer = diags.iter().position(|d| d.code == "maintainer-deprecated").unwrap();
    // The cursor at the start of line 1 (as Neovim sends it), the diagnostic of line 4 given.
    let actions = code_actions(text, &df, &diags, 0..0, &[maintainer], |_| true);
    let first = &actions[0];
    assert_eq!(first.diagnostic, Some(maintainer), "{:?}", actions.iter().map(|a| &a.title).collect::<Vec<_>>());
    assert!(first.preferred && first.title.contains("LABEL"), "{}", first.title);
    assert_eq!(actions.iter().filter(|a| a.preferred).count(), 1);
    let all = actions.iter().find(|a| a.kind == ActionKind::FixAll).expect("fix all");
    assert!(all.title.starts_with("Fix all (dockls): apply ") && all.title.contains("safe fix"), "{}", all.title);
}

#[test]
fn fix_all_counts_and_names_the_unsafe_fixes_it_leaves() {
    let text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nMAINTAINER me\nCMD node app.js\n";
    let diags = crate::diagnostics::diagnose(&Snapshot::from_text(text));
    let plan = plan_fixes(&diags, false);
    assert!(plan.applied >= 2 && plan.unsafe_left >= 1, "{plan:?}");
    let title = fix_all_title(&plan);
    assert!(title.contains(&format!("apply {} safe fixes", plan.applied)) && title.contains("unsafe fix"), "{title}");
}
