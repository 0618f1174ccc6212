//! `cd-in-run`: change directory with WORKDIR rather than `cd` in RUN.

use super::*;

pub static RULE: Rule = Rule {
    id: "cd-in-run",
    hadolint: &["DL3003"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Cache,
    tags: &[],
    summary: "Use WORKDIR to switch to a directory instead of `cd` in RUN",
    docs: r#"## What it does
Flags the `cd` command in a RUN instruction (shell form, heredocs run by a shell, and
`sh -c '…'`).

## Why is this bad?
A `cd` lasts only until the end of its RUN: the next RUN, COPY, CMD and ENTRYPOINT start in
the WORKDIR again. Chains like `cd /src && make` hide where later instructions run, and a
directory that does not exist makes the RUN fail where `WORKDIR` would create it. WORKDIR
documents the working directory once, for every following instruction.

## Example
```dockerfile
FROM golang:1.22
COPY . /src
RUN cd /src && go build -o /usr/local/bin/app .
```

## Use instead
```dockerfile
FROM golang:1.22
COPY . /src
WORKDIR /src
RUN go build -o /usr/local/bin/app .
```

## Fix safety
Offered when the RUN starts with `cd /absolute/dir && …`: the `cd` becomes a
`WORKDIR /absolute/dir` line before the RUN. The fix is unsafe: WORKDIR persists for every
later instruction of the stage (and creates the directory when it is missing), so relative
paths in later COPY/RUN/CMD instructions resolve differently.

## Differences from hadolint
A `cd` inside a subshell, `( cd docs && make html )`, or a command substitution,
`$(cd /opt && pwd)`, is not flagged: it is a deliberate, local change of directory that
WORKDIR cannot express.
"#,
    opt_in: false,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in ctx.instructions() {
        let run = &ctx.runs[i];
        let cds: Vec<&Command> = run.commands.iter().filter(|c| c.program() == "cd").collect();
        if cds.is_empty() {
            continue;
        }
        let subshells = &run.subshells;
        let mut first = true;
        for cd in cds {
            if inside(&cd.range, subshells) {
                continue;
            }
            let msg = match cd.args.first() {
                Some(dir) => format!("`cd {}` lasts only for this RUN; use `WORKDIR {}`", dir.value, dir.value),
                None => "`cd` lasts only for this RUN; use WORKDIR to set the working directory".to_string(),
            };
            let mut finding = Finding::new(cd.name_range.clone(), msg);
            if first {
                if let Some(fix) = workdir_fix(ctx, ins, cd) {
                    finding = finding.with_fix(fix);
                }
            }
            first = false;
            out.push(finding);
        }
    }
}

/// `RUN [flags] cd /abs && rest` → `WORKDIR /abs` + `RUN [flags] rest`.
fn workdir_fix(ctx: &Context, ins: &Instruction, cd: &Command) -> Option<Fix> {
    let Args::Shell(shell) = &ins.args else { return None };
    if !ins.heredocs.is_empty() || cd.wrapper.is_some() {
        return None;
    }
    let text = ctx.text;
    let body = &text[shell.range.clone()];
    let lead = body.len() - body.trim_start().len();
    if shell.range.start + lead != cd.range.start {
        return None;
    }
    let [dir] = cd.args.as_slice() else { return None };
    let raw = ctx.src(&dir.range);
    let plain = raw == dir.value && dir.value.starts_with('/') && !dir.value.contains(['$', '*', '?', '[', '~', '`', '\\']);
    if !plain {
        return None;
    }
    // `&&`, then blanks and line continuations, then the rest of the script.
    let after = &text[cd.range.end..shell.range.end];
    let rest = after.trim_start_matches([' ', '\t']).strip_prefix("&&")?;
    let esc = ctx.df.escape;
    let mut chars = rest.char_indices().peekable();
    let mut skip = rest.len();
    while let Some((off, c)) = chars.next() {
        let continuation = c == esc && matches!(chars.peek(), Some((_, '\n' | '\r')));
        if !c.is_whitespace() && !continuation {
            skip = off;
            break;
        }
    }
    let rest_start = shell.range.end - rest.len() + skip;
    if rest_start >= shell.range.end || text[rest_start..].starts_with('#') {
        return None;
    }
    let indent = indentation(text, ins.range.start);
    let kw = if ins.keyword.chars().any(|c| c.is_ascii_lowercase()) { "workdir" } else { "WORKDIR" };
    Some(Fix::unsafe_(
        format!("Replace `cd {}` with `WORKDIR {}`", dir.value, dir.value),
        vec![
            Edit { range: ins.range.start..ins.range.start, text: format!("{kw} {}\n{indent}", dir.value) },
            Edit { range: cd.range.start..rest_start, text: String::new() },
        ],
    ))
}
