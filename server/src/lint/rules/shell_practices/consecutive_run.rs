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
The fix joins the RUN to the previous one with ` && \`. It is offered only for shell-form RUNs
without comments between or inside them, when the joined script means the same (the second RUN
is a single `&&` chain). It is safe unless the first RUN changes the shell's state (`cd`,
`export`, `set`, `source`, variable assignments, …), which would now leak into the second
script; then it is unsafe. Either way the layers change, which is the point.

## Differences from hadolint
Long RUNs (more than two commands) and heredoc RUNs are not flagged: they are usually grouped
on purpose.
"#,
    opt_in: false,
    check,
};

/// Shell state a script leaves behind for the commands after it.
const STATEFUL: &[&str] = &[
    "cd", "pushd", "popd", "export", "set", "unset", "source", ".", "umask", "shopt", "alias", "trap", "exit", "ulimit", "declare",
    "typeset", "readonly", "local", "eval", "exec",
];

/// Shape of a script, for joining it with `&&`.
struct Shape {
    /// One top-level statement, no comments, no syntax error.
    single: bool,
    /// Its top-level operators are all `&&`.
    and_only: bool,
    /// Sets a shell variable (`A=1` on its own, `declare`).
    assigns: bool,
}

fn shape(script: &crate::shell::Script) -> Option<Shape> {
    let tree = crate::shell::parse_bash(&script.text)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut c = root.walk();
    let statements: Vec<tree_sitter::Node> = root.named_children(&mut c).collect();
    let mut comments = false;
    let mut assigns = false;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "comment" => comments = true,
            "declaration_command" => assigns = true,
            "variable_assignment" if n.parent().is_some_and(|p| p.kind() != "command") => assigns = true,
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    // `a &` puts a lone `&` token at the top level.
    let mut c = root.walk();
    let background = root.children(&mut c).any(|n| n.kind() == "&");
    let single = statements.len() == 1 && !comments && !background;
    let mut and_only = true;
    if let Some(first) = statements.first() {
        let mut lists = vec![*first];
        while let Some(n) = lists.pop() {
            if n.kind() != "list" {
                continue;
            }
            let mut c = n.walk();
            for child in n.children(&mut c) {
                if child.kind() == "list" {
                    lists.push(child);
                } else if !child.is_named() && child.kind() != "&&" {
                    and_only = false;
                }
            }
        }
    }
    Some(Shape { single, and_only, assigns })
}

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
            if let Some(fix) = merge_fix(ctx, i - 1, i) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

fn merge_fix(ctx: &Context, p: usize, c: usize) -> Option<Fix> {
    let (prev, cur) = (&ctx.df.instructions[p], &ctx.df.instructions[c]);
    let (Args::Shell(_), Args::Shell(cur_shell)) = (&prev.args, &cur.args) else { return None };
    if !ctx.text[prev.range.end..cur.range.start].trim().is_empty() {
        return None;
    }
    let (prev_script, cur_script) = (ctx.runs[p].scripts.first()?, ctx.runs[c].scripts.first()?);
    let (a, b) = (shape(prev_script)?, shape(cur_script)?);
    let prev_end = prev_script.text.trim_end();
    if !a.single || !b.single || !b.and_only || prev_end.ends_with([';', '&']) {
        return None;
    }
    let body = &ctx.text[cur_shell.range.clone()];
    let cur_start = cur_shell.range.start + (body.len() - body.trim_start().len());
    let stateful = a.assigns || ctx.runs[p].commands.iter().any(|cmd| STATEFUL.contains(&cmd.program()));
    let indent = indentation(ctx.text, prev.range.start);
    let edit = Edit { range: prev.range.end..cur_start, text: format!(" && {}\n{indent}    ", ctx.df.escape) };
    let title = format!("Join with the RUN on line {}", ctx.line_number(prev.range.start));
    Some(if stateful { Fix::unsafe_(title, vec![edit]) } else { Fix::safe(title, vec![edit]) })
}
