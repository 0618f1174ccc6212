//! `shell-pipefail`: a pipe in RUN hides failures unless `pipefail` is set.

use super::*;

pub static RULE: Rule = Rule {
    id: "shell-pipefail",
    hadolint: &["DL4006"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Set `-o pipefail` before using a pipe in RUN",
    docs: r#"## What it does
Flags the first `|` of a RUN (shell form or heredoc) when neither the stage's SHELL nor the
script itself sets `pipefail`.

## Why is this bad?
The exit status of a pipeline is the status of its *last* command. In
`RUN curl -fsSL https://example.com/install.sh | sh` a failed download still pipes nothing
into `sh`, which succeeds, and the build goes on with a broken image. With `pipefail` the
pipeline fails when any of its commands fails.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN wget -qO- https://example.com/key.asc | gpg --dearmor -o /usr/share/keyrings/example.gpg
```

## Use instead
```dockerfile
FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN wget -qO- https://example.com/key.asc | gpg --dearmor -o /usr/share/keyrings/example.gpg
```
or, with a shell that supports it (bash, zsh, BusyBox ash on Alpine):
```dockerfile
FROM alpine:3.20
RUN set -o pipefail && wget -qO- https://example.com/tool.tar.gz | tar -xz -C /opt
```

## Fix safety
Both fixes are unsafe. Adding `set -o pipefail && ` (or a `set -o pipefail` line at the top of
a heredoc) needs a shell that knows the option: Debian's and Ubuntu's `/bin/sh` (dash) does
not, so it is the only fix when the stage's SHELL is bash/zsh/ash or the base image is
Alpine/BusyBox. Otherwise the first fix inserts `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`
before the RUN, which needs bash in the image and switches every later RUN of the stage to bash.
Either way a pipeline that used to "succeed" may now fail the build, which is the point.
In a heredoc of one command the added line makes two: `heredoc-set-e` then asks for
`set -e`.

## When it is not reported
A pipe whose left side only writes text it was given (`echo`/`printf` into `sha256sum -c`,
`tee`, `sed`, …) cannot hide a failure that matters, so it is not flagged. Nor is a RUN where
pipefail would do harm: `yes | unminimize` (`yes` is always killed by SIGPIPE once the reader
is done, so the pipeline would fail), or a reader that stops early (`… | head -n1`,
`… | grep -q x`), which kills the writer the same way.

## Differences from hadolint
`set -o pipefail` (or `set -euo pipefail`, …) at the start of the RUN or heredoc counts, a
SHELL inherited from the stage a stage is built `FROM` counts, and Windows images (cmd,
PowerShell) are not flagged. A heredoc fed to an explicit shell (`RUN <<EOF bash`) is judged by
that shell's options, not by SHELL. Pipes inside an explicit `sh -c '…'` are not flagged, since
neither SHELL nor `set` reaches that inner shell.
"#,
    opt_in: false,
    check,
};

/// What the stage's shell does about pipefail.
enum ShellKind {
    /// No SHELL instruction: `/bin/sh -c`.
    Default,
    /// A POSIX-like SHELL without pipefail; `true` when it is bash/zsh/ash/ksh.
    Posix { knows_pipefail: bool },
    /// pipefail already on, or not a POSIX shell at all (cmd, PowerShell).
    Exempt,
}

const NON_POSIX: &[&str] = &["cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh", "pwsh.exe"];
const PIPEFAIL_SHELLS: &[&str] = &["bash", "zsh", "ash", "ksh", "mksh"];

/// `-o pipefail`, `-eo pipefail`, `-euxo pipefail` among some words.
fn sets_pipefail<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    let mut prev = "";
    for w in words {
        if w == "pipefail" && prev.starts_with('-') && !prev.starts_with("--") && prev.ends_with('o') {
            return true;
        }
        prev = w;
    }
    false
}

fn shell_kind(ctx: &Context, idx: usize, stage: &Stage) -> ShellKind {
    for (depth, s) in stage_chain(ctx, stage).enumerate() {
        let end = if depth == 0 { idx } else { s.instructions.end };
        let shell = ctx.df.instructions[s.instructions.start..end].iter().rev().find(|i| i.kind == Kind::Shell);
        if let Some(shell) = shell {
            let words: Vec<&str> = shell.words().iter().map(|w| w.value.as_str()).collect();
            let Some(first) = words.first() else { return ShellKind::Exempt };
            let prog = first.rsplit(['/', '\\']).next().unwrap_or(first).to_ascii_lowercase();
            if NON_POSIX.contains(&prog.as_str()) || sets_pipefail(words.iter().copied()) {
                return ShellKind::Exempt;
            }
            return ShellKind::Posix { knows_pipefail: PIPEFAIL_SHELLS.contains(&prog.as_str()) };
        }
    }
    if root_image(ctx, stage).is_windows() {
        return ShellKind::Exempt;
    }
    ShellKind::Default
}

/// What the pipes of a RUN's scripts say about pipefail.
struct Pipes<'a> {
    /// The first pipe whose left side can fail in a way that matters.
    first: Option<&'a crate::shell::Pipe>,
    /// A pipeline that pipefail would break: `yes | …` (`yes` always dies of SIGPIPE), or a
    /// reader that stops early (`head`, `grep -q`), which kills the writer the same way.
    broken_by_pipefail: bool,
}

fn pipes<'a>(ctx: &'a Context, idx: usize) -> Pipes<'a> {
    let all = &ctx.runs[idx].pipes;
    Pipes {
        first: all.iter().find(|p| !p.left_only_writes_text),
        broken_by_pipefail: all.iter().any(|p| p.left.as_deref() == Some("yes") || p.right_stops_early),
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        let Args::Shell(shell) = &ins.args else { continue };
        if !ctx.runs[idx].has_pipe {
            continue;
        }
        let Some(stage) = ins.stage.and_then(|s| ctx.df.stages.get(s)) else { continue };
        let pipes = pipes(ctx, idx);
        if pipes.broken_by_pipefail {
            continue;
        }
        let Some(first) = pipes.first else { continue };
        let (pipe, left, right) = (first.range.clone(), first.left.as_ref().map(|l| l.to_string()), first.right.as_ref().map(|r| r.to_string()));
        // `RUN <<EOF bash -e`: the heredoc goes to that shell, not to the stage's SHELL.
        let words: Vec<&str> = shell.words(ctx.text).collect();
        let heredoc_shell = !ins.heredocs.is_empty() && words.first().is_some_and(|w| w.starts_with("<<")) && words.len() > 1;
        let kind = if heredoc_shell {
            let prog = words[1].rsplit('/').next().unwrap_or(words[1]);
            if sets_pipefail(words.iter().copied()) {
                ShellKind::Exempt
            } else {
                ShellKind::Posix { knows_pipefail: PIPEFAIL_SHELLS.contains(&prog) }
            }
        } else {
            shell_kind(ctx, idx, stage)
        };
        if matches!(kind, ShellKind::Exempt) {
            continue;
        }
        let run = &ctx.runs[idx];
        // `set -o pipefail` before the pipe.
        let set_before = run
            .commands
            .iter()
            .any(|c| c.program() == "set" && c.range.start < pipe.start && sets_pipefail(c.args.iter().map(|a| a.value.as_str())));
        if set_before {
            continue;
        }
        // Names the tree did not give (an element it could not read as a command): the
        // commands next to the pipe.
        let commands = &ctx.runs[idx].commands;
        let left = left.or_else(|| commands.iter().filter(|c| c.range.end <= pipe.start).max_by_key(|c| c.range.end).map(|c| c.program().to_string()));
        let right = right.or_else(|| {
            let c = commands.iter().filter(|c| c.range.start >= pipe.end).min_by_key(|c| c.range.start)?;
            Some(c.wrapper.clone().unwrap_or_else(|| c.program().to_string()))
        });
        let message = match (left, right) {
            (Some(l), Some(r)) => format!("`{l}` is piped into `{r}`: without `set -o pipefail` a failure of `{l}` goes unnoticed"),
            (Some(l), None) => format!("`{l}` is piped into another command: without `set -o pipefail` a failure of `{l}` goes unnoticed"),
            _ => "Without `set -o pipefail` only the last command of a pipeline decides whether the RUN fails".to_string(),
        };
        let mut finding = Finding::new(pipe.clone(), message);
        let set = set_fix(ctx, ins, &pipe);
        let shell_line = {
            let indent = indentation(ctx.text, ins.range.start);
            let kw = if ins.keyword.chars().any(|c| c.is_ascii_lowercase()) { "shell" } else { "SHELL" };
            Fix::unsafe_(
                "Insert `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN (unsafe: later RUNs use bash, and a failing command in a pipe fails them)",
                vec![Edit {
                    range: ins.range.start..ins.range.start,
                    text: format!("{kw} [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n{indent}"),
                }],
            )
        };
        let set_first = match kind {
            ShellKind::Posix { knows_pipefail } => knows_pipefail || is_busybox_based(ctx, stage),
            _ => is_busybox_based(ctx, stage),
        };
        if set_first || heredoc_shell {
            finding.fix = set;
        } else {
            finding = finding.with_fix(shell_line);
            finding.alternatives.extend(set);
        }
        out.push(finding);
    }
}

/// `set -o pipefail && ` at the start of the shell form, or a `set -o pipefail` line at the top
/// of the heredoc that holds the pipe.
fn set_fix(ctx: &Context, ins: &Instruction, pipe: &Range<usize>) -> Option<Fix> {
    let text = ctx.text;
    if let Some(h) = ins.heredocs.iter().find(|h| h.body_range.as_ref().is_some_and(|b| b.start <= pipe.start && pipe.end <= b.end)) {
        let body = h.body_range.clone()?;
        let mut at = body.start;
        if text[body.clone()].starts_with("#!") {
            at = text[body.clone()].find('\n').map_or(body.end, |n| body.start + n + 1);
        }
        return Some(Fix::unsafe_(
            "Add `set -o pipefail` at the top of the heredoc (unsafe: a failing command in a pipe now fails the RUN)",
            vec![Edit { range: at..at, text: "set -o pipefail\n".into() }],
        ));
    }
    let Args::Shell(shell) = &ins.args else { return None };
    if !ins.heredocs.is_empty() {
        return None;
    }
    let body = &text[shell.range.clone()];
    let at = shell.range.start + (body.len() - body.trim_start().len());
    Some(Fix::unsafe_("Add `set -o pipefail && ` to the RUN (unsafe: a failing command in a pipe now fails the RUN)", vec![Edit { range: at..at, text: "set -o pipefail && ".into() }]))
}
