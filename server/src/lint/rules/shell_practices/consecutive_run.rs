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
The fix merges every RUN of the run of consecutive RUNs this one belongs to (same stage, same
flags, shell form, no heredoc, only comments between them) into one, joined with ` && \` and
continuation lines indented under the first; the comments between them move above it. It keeps
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
    for stage in &ctx.df.stages {
        // The first instruction of a stage is its FROM: every later one has a predecessor in it.
        for i in stage.instructions.clone().skip(1) {
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
            let mut fixes = merge_fixes(ctx, i).into_iter();
            finding.fix = fixes.next();
            finding.alternatives.extend(fixes);
            out.push(finding);
        }
    }
}

/// The merge of every RUN that joins this one (see `actions::merge_run`), and the heredoc form
/// when the file already uses BuildKit syntax.
fn merge_fixes(ctx: &Context, c: usize) -> Vec<Fix> {
    use crate::actions::merge_run::{group_at, merge, uses_buildkit_syntax, Form};
    let Some(group) = group_at(ctx.text, ctx.df, &ctx.runs, c) else { return Vec::new() };
    let mut fixes: Vec<Fix> = merge(ctx.text, ctx.df, &ctx.runs, group.clone(), Form::Chain).into_iter().collect();
    if uses_buildkit_syntax(ctx.df) {
        fixes.extend(merge(ctx.text, ctx.df, &ctx.runs, group, Form::Heredoc));
    }
    fixes
}
