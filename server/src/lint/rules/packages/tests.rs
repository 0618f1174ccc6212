//! Unit tests of the family's helpers; the rules themselves are held to their fixtures by
//! `lint::rules::tests`.

use super::rpm::rpm_versioned;
use super::*;
use crate::document::Snapshot;
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

fn with_ctx<T>(text: &str, f: impl FnOnce(&Context) -> T) -> T {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let sem = Semantics::analyze(text, &df);
    let options = crate::lint::LintOptions::default();
    let ctx = Context::new(text, &df, &sem, &options);
    f(&ctx)
}

#[test]
fn rpm_version_heuristic() {
    for pinned in ["httpd-2.4.6", "httpd-2.4.6-97.el7", "nss-3.67.0-7.el8_5", "curl-7.*", "nginx-1:1.26.2-1.fc41", "java-11-openjdk-11.0.20.0.8"] {
        assert!(rpm_versioned(pinned), "{pinned}");
    }
    for unpinned in ["httpd", "python3-devel", "java-11-openjdk", "gcc-c++", "xorg-x11-server-Xvfb", "lib32-foo"] {
        assert!(!rpm_versioned(unpinned), "{unpinned}");
    }
}

#[test]
fn shipped_stages_skip_builders_only() {
    let text = "FROM golang:1.23 AS build\nRUN true\nFROM debian:12 AS base\nRUN true\nFROM base AS dev\nRUN true\nFROM base AS test\nCOPY --from=build /out /out\nFROM alpine:3.21 AS final\nCOPY --from=build /out /out\nCOPY --from=test /out /out\n";
    let shipped = with_ctx(text, shipped_stages);
    // build: only copied from; base: parent of dev (a target of its own); test: copied from.
    assert_eq!(shipped, [false, true, true, false, true]);
}

#[test]
fn append_command_handles_forms() {
    let text = "FROM debian\nRUN apt-get update; \nRUN apt-get update # note\nRUN <<EOF\napt-get update\nEOF\nRUN [\"apt-get\", \"update\"]\n";
    let edits = with_ctx(text, |ctx| {
        runs(ctx)
            .map(|(_, ins, run)| {
                let inside = run.commands.first().map(|c| c.range.clone()).unwrap_or(ins.range.clone());
                append_command(ctx, ins, &inside, "rm -rf /x").map(|e| (e.range.start, e.text))
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(edits[0], Some((31, " rm -rf /x".to_string())));
    assert_eq!(edits[1], None);
    assert_eq!(edits[2].as_ref().map(|e| e.1.as_str()), Some("rm -rf /x\n"));
    assert_eq!(edits[3], None);
}

#[test]
fn cli_options_and_values() {
    let text = "FROM debian\nRUN apt-get -o Dpkg::Options::=--force-confnew -qy install -t bookworm-backports curl -- -weird\n";
    with_ctx(text, |ctx| {
        let (_, _, run) = runs(ctx).next().unwrap();
        let cmd = &run.commands[0];
        let cli = Cli::parse(&cmd.args, super::apt::APT_VALUE_OPTIONS);
        assert_eq!(cli.subcommand().unwrap().value, "install");
        let ops: Vec<&str> = cli.operands().iter().map(|a| a.value.as_str()).collect();
        assert_eq!(ops, ["curl", "-weird"]);
        assert!(cli.has(&["-y"]));
        assert!(!cli.has(&["--no-install-recommends"]));
    });
}

#[test]
fn variables_in_scope() {
    let text = "FROM python:3.13 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base AS app\nARG PIP_CACHE_DIR=/c\nRUN pip install flask\nFROM python:3.13\nRUN pip install flask\n";
    with_ctx(text, |ctx| {
        let all: Vec<_> = runs(ctx).collect();
        assert!(matches!(var_at(ctx, all[0].1, "PIP_NO_CACHE_DIR"), Some(VarValue::Value(v)) if v == "1"));
        assert!(matches!(var_at(ctx, all[0].1, "PIP_CACHE_DIR"), Some(VarValue::Value(v)) if v == "/c"));
        assert!(var_at(ctx, all[1].1, "PIP_NO_CACHE_DIR").is_none());
    });
}

