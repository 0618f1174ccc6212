//! `heredoc-set-e`: a `RUN <<EOF` script run by a shell without `set -e`.

use super::prelude::*;
use crate::syntax::{Heredoc, Stage};

pub static RULE: Rule = Rule {
    id: "heredoc-set-e",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Start a multi-command `RUN <<EOF` script with `set -e`",
    docs: r#"## What it does
Flags a `RUN <<EOF` heredoc whose body is a shell script of two or more commands when nothing
turns on the shell's `errexit` option: no `set -e` (or `set -eux`, `set -o errexit`, …) in the
script, no `-e` on the shell that runs it (`RUN <<EOF bash -e`, a `#!/bin/sh -e` shebang), and
no `-e` in the stage's `SHELL`.

## Why is this bad?
A shell script goes on after a failing command, and its exit status is the status of its last
command. In a heredoc of several lines, a failed download or package install in the middle is
printed to the log and then ignored: the RUN succeeds, the layer is cached, and the image is
broken in a way the build never reported. A `&&` chain in the shell form of RUN does not have
this problem, which is why it often shows up when a RUN is rewritten as a heredoc.

## Example
```dockerfile
RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends curl
rm -rf /var/lib/apt/lists/*
EOF
```

## Use instead
```dockerfile
RUN <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends curl
rm -rf /var/lib/apt/lists/*
EOF
```

Commands are counted at the top level of the script: a single `&&` chain, loop or `if` counts
as one. Not flagged: a body of a single command (its status is the RUN's status), heredocs given to a
program that is not a shell (`RUN <<EOF python3`, a `#!/usr/bin/env python3` shebang),
`COPY <<EOF` files, and stages whose `SHELL` is not a POSIX shell (PowerShell, cmd). `set -e`
counts anywhere at the top level of the script.

## Fix safety
The fix inserts `set -e` as the script's first line (after a shebang line). It is marked
unsafe: it does not change what a successful script does, but a script that relied on a command
failing quietly (a `grep` that finds nothing, a `diff` that differs) now stops the build there.
"#,
    opt_in: false,
    check,
};

/// Programs whose scripts understand `set -e`.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];
const NON_POSIX: &[&str] = &["cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh", "pwsh.exe"];

/// `-e`, `-eux`, `-euo pipefail` or `-o errexit` among a shell's or `set`'s options.
fn sets_errexit<'a>(words: impl IntoIterator<Item = &'a str>) -> bool {
    let mut prev = "";
    for w in words {
        let short = w.strip_prefix('-').filter(|rest| !rest.starts_with('-') && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphabetic()));
        if short.is_some_and(|s| s.contains('e')) || (w == "errexit" && prev == "-o") {
            return true;
        }
        prev = w;
    }
    false
}

/// The program and its options from a command line (`/usr/bin/env bash -e` → `bash`, `[-e]`),
/// looking through `env`.
fn program_and_options<'a>(words: &[&'a str]) -> Option<(&'a str, Vec<&'a str>)> {
    let mut rest = words;
    loop {
        let (first, tail) = rest.split_first()?;
        let prog = first.rsplit('/').next().unwrap_or(first);
        if prog == "env" {
            // `env -S bash -e` splits its argument; skip env's own options.
            rest = tail;
            while rest.first().is_some_and(|w| w.starts_with('-') || w.contains('=')) {
                rest = &rest[1..];
            }
            continue;
        }
        return Some((prog, tail.to_vec()));
    }
}

/// How the heredoc's script is run.
enum Runner {
    /// A shell that already has errexit on, or a program that is not a shell: nothing to say.
    Exempt,
    /// A shell without errexit.
    Shell,
}

fn judge(prog: &str, options: &[&str]) -> Runner {
    if !SHELLS.contains(&prog) || options.contains(&"-c") || sets_errexit(options.iter().copied()) {
        Runner::Exempt
    } else {
        Runner::Shell
    }
}

/// The stage's SHELL (inherited from the stages it is built `FROM`), when it is not `/bin/sh -c`.
fn stage_shell(ctx: &Context, idx: usize, stage: &Stage) -> Runner {
    let mut cur = Some(stage);
    let mut first = true;
    let mut steps = 0;
    while let Some(s) = cur {
        let end = if first { idx } else { s.instructions.end };
        first = false;
        if let Some(shell) = ctx.df.instructions[s.instructions.start..end].iter().rev().find(|i| i.kind == Kind::Shell) {
            let words: Vec<&str> = shell.words().iter().map(|w| w.value.as_str()).collect();
            let Some((first, _)) = words.split_first() else { return Runner::Exempt };
            let prog = first.rsplit(['/', '\\']).next().unwrap_or(first).to_ascii_lowercase();
            if NON_POSIX.contains(&prog.as_str()) || sets_errexit(words.iter().copied()) {
                return Runner::Exempt;
            }
            return Runner::Shell;
        }
        steps += 1;
        cur = s.parent.and_then(|p| ctx.df.stages.get(p)).filter(|p| p.index < s.index && steps <= ctx.df.stages.len());
        if cur.is_none() {
            // The base image decides: Windows images run cmd.
            if s.image.is_windows() {
                return Runner::Exempt;
            }
        }
    }
    Runner::Shell
}

/// The script's top-level statements (comments left out) and whether one of them is a `set`
/// that turns errexit on.
fn statements(body: &str) -> (usize, bool) {
    let Some(tree) = crate::shell::parse_bash(body) else { return (0, false) };
    let root = tree.root_node();
    let mut count = 0;
    let mut errexit = false;
    let mut c = root.walk();
    for n in root.named_children(&mut c) {
        if n.kind() == "comment" {
            continue;
        }
        count += 1;
        if n.kind() == "command" {
            let name = n.child_by_field_name("name").map(|x| &body[x.byte_range()]);
            if name == Some("set") {
                let mut ac = n.walk();
                let args: Vec<&str> = n.children_by_field_name("argument", &mut ac).map(|a| &body[a.byte_range()]).collect();
                errexit |= sets_errexit(args.iter().copied());
            }
        }
    }
    (count, errexit)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        if ins.kind != Kind::Run || ins.heredocs.len() != 1 {
            continue;
        }
        let Args::Shell(shell) = &ins.args else { continue };
        let words: Vec<&str> = shell.words(ctx.text).collect();
        if !words.first().is_some_and(|w| w.starts_with("<<")) {
            continue;
        }
        let heredoc = &ins.heredocs[0];
        let Some(body_range) = heredoc.body_range.clone() else { continue };
        if heredoc.end_range.is_none() {
            continue;
        }
        let body = &ctx.text[body_range.clone()];
        let command: Vec<&str> = words[1..].iter().copied().filter(|w| !w.starts_with("<<")).collect();
        // Where the script starts (after a shebang line, which is not shell code to count).
        let mut script_start = 0;
        let runner = if let Some((prog, options)) = program_and_options(&command) {
            // `RUN <<EOF bash -x`: the heredoc is that shell's input.
            judge(prog, &options)
        } else if let Some(shebang) = body.strip_prefix("#!") {
            // A heredoc starting with a shebang is run as an executable file.
            let line = shebang.split('\n').next().unwrap_or("");
            script_start = (2 + line.len() + 1).min(body.len());
            let words: Vec<&str> = line.split_whitespace().collect();
            match program_and_options(&words) {
                Some((prog, options)) => judge(prog, &options),
                None => Runner::Exempt,
            }
        } else {
            let Some(stage) = ins.stage.and_then(|s| ctx.df.stages.get(s)) else { continue };
            stage_shell(ctx, idx, stage)
        };
        if matches!(runner, Runner::Exempt) {
            continue;
        }
        let script = &body[script_start..];
        let (count, errexit) = statements(script);
        if count < 2 || errexit {
            continue;
        }
        let finding = Finding::new(
            heredoc.marker_range.clone(),
            format!("This heredoc runs {count} commands without `set -e`: a failing command does not fail the build; start it with `set -e`"),
        );
        out.push(match insert_set_e(ctx, heredoc, body_range.start + script_start) {
            Some(fix) => finding.with_fix(fix),
            None => finding,
        });
    }
}

/// `set -e` inserted at `at` (the start of the script's first line), indented like that line.
fn insert_set_e(ctx: &Context, heredoc: &Heredoc, at: usize) -> Option<Fix> {
    let rest = &ctx.text[at..heredoc.body_range.as_ref()?.end];
    // Blanks before a command mean nothing to the shell: copying them keeps the block aligned.
    let indent: String = rest.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    Some(Fix::unsafe_("Insert `set -e` as the script's first line (unsafe: the script now stops at the first failing command)", vec![Edit { range: at..at, text: format!("{indent}set -e\n") }]))
}

#[cfg(test)]
mod tests {
    use super::{sets_errexit, statements};

    #[test]
    fn errexit_options() {
        for w in [&["-e"][..], &["-eux"], &["-euo", "pipefail"], &["-o", "errexit"], &["-x", "-e"]] {
            assert!(sets_errexit(w.iter().copied()), "{w:?}");
        }
        for w in [&["-x"][..], &["-o", "pipefail"], &["--verbose"], &["+e"], &["errexit"]] {
            assert!(!sets_errexit(w.iter().copied()), "{w:?}");
        }
    }

    #[test]
    fn top_level_statements() {
        assert_eq!(statements("# setup\na\nb; c\n"), (3, false));
        assert_eq!(statements("a && b && c\n"), (1, false));
        assert_eq!(statements("set -eu\na\nb\n"), (3, true));
        assert_eq!(statements("for f in a b; do\n  cp $f /x\ndone\n"), (1, false));
    }
}
