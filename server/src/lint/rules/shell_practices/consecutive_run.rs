//! `consecutive-run`: short consecutive RUN instructions → one RUN.

use super::*;

pub static RULE: Rule = Rule {
    id: "consecutive-run",
    hadolint: &["DL3059"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Cache,
    tags: &[],
    summary: "Combine consecutive short RUN instructions",
    docs: r#"## What it does
Flags a RUN that directly follows another RUN of the same stage with the same flags
(`--mount`, `--network`, …), when both are short (at most two commands each). Comments
between them do not separate them.

## Why is this bad?
Every RUN is a layer and a cache step. A string of one-liners makes more layers, and files
one RUN creates and a later one deletes still take space in the earlier layer. Combining related
steps, with `&&` or a heredoc, keeps the image smaller and the steps together.

## Example
```dockerfile
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
```

## Use instead
```dockerfile
RUN apt-get update && \
    apt-get install -y --no-install-recommends curl
```
or a heredoc:
```dockerfile
RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends curl
EOF
```

## Fix safety
The fix merges this RUN into the one before it (same stage, same flags, shell form, no
heredoc, only comments between them), joined with ` && \` and continuation lines indented
under the first; the comments between them move above it. "Fix all" and `check --fix` merge a
longer run of RUNs pair by pair; the refactor "Merge RUN layers" on a RUN or a selection
merges the whole run at once. It keeps
the meaning: a RUN that changes the shell's state (`cd`, `export`, `set`, variables) runs in a
subshell, `( … )`, so the state does not leak into the next one, and a RUN with `;` or `||`
at its top level is grouped in `{ …; }` so the `&&` applies to all of it. The fix is safe; the
layers change, which is the point. When the file already uses BuildKit syntax (a `# syntax=`
directive or a heredoc), a second fix writes one `RUN <<EOF` heredoc with `set -e` and one
command per line (offered only when `set -e` stops where the RUNs did).

## Differences from hadolint
Long RUNs (more than two commands) and heredoc RUNs are not flagged: they are usually grouped
on purpose.
"#,
    opt_in: false,
    check,
};

fn flags_text<'a>(ctx: &'a Context, ins: &Instruction) -> Vec<&'a str> {
    ins.flags.iter().map(|f| ctx.src(&f.range)).collect()
}

fn short_shell_run(ctx: &Context, i: usize) -> bool {
    let ins = &ctx.df.instructions[i];
    let n = ctx.runs[i].commands.len();
    ins.kind == Kind::Run && matches!(ins.args, Args::Shell(_)) && ins.heredocs.is_empty() && n <= 2
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // Asked once per lint run, not per finding (a file of thousands of short RUNs).
    let buildkit = crate::actions::merge_run::uses_buildkit_syntax(ctx.df);
    for stage in &ctx.df.stages {
        // Asked once per stage (a SHELL in the stage is rare; then per finding after it).
        let mut posix: Option<bool> = None;
        // The first instruction of a stage is its FROM: every later one has a predecessor in it.
        for i in stage.instructions.clone().skip(1) {
            if ctx.df.instructions[i].kind == Kind::Shell {
                posix = None;
            }
            if !short_shell_run(ctx, i) || !short_shell_run(ctx, i - 1) {
                continue;
            }
            let (prev, cur) = (&ctx.df.instructions[i - 1], &ctx.df.instructions[i]);
            if flags_text(ctx, prev) != flags_text(ctx, cur) {
                continue;
            }
            let mut finding = Finding::new(
                cur.keyword_range.clone(),
                format!("Consecutive RUN instructions: combine with the RUN on line {} to save a layer", ctx.line_number(prev.range.start)),
            )
            .with_related(prev.keyword_range.clone(), "previous RUN");
            let posix = *posix.get_or_insert_with(|| crate::actions::merge_run::stage_shell_is_posix(ctx.df, i));
            let mut fixes = merge_fixes(ctx, i, posix, buildkit).into_iter();
            finding.fix = fixes.next();
            finding.alternatives.extend(fixes);
            out.push(finding);
        }
    }
}

/// The merge of this RUN and the one before it (see `actions::merge_run`), and the heredoc form
/// when the file already uses BuildKit syntax.
fn merge_fixes(ctx: &Context, c: usize, posix: bool, buildkit: bool) -> Vec<Fix> {
    use crate::actions::merge_run::{merge_forms, pair_at, Form};
    let Some(pair) = pair_at(ctx.text, ctx.df, c, posix) else { return Vec::new() };
    let forms: &[Form] = if buildkit { &[Form::Chain, Form::Heredoc] } else { &[Form::Chain] };
    let first_line = ctx.line_number(ctx.df.instructions[pair.start].range.start);
    merge_forms(ctx.text, ctx.df, &ctx.runs, pair, first_line, forms).into_iter().flatten().collect()
}
