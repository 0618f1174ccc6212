//! `cd-in-run`: change directory with WORKDIR rather than `cd` in RUN.

use super::*;
use crate::semantics::workdir::{join, Workdir};

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

The suggested WORKDIR is the absolute path the `cd` goes to: `cd bench` under `WORKDIR /src`
suggests `WORKDIR /src/bench` (a relative WORKDIR would depend on the one before it). When the
working directory is not known (no WORKDIR, and the base image sets its own), a relative `cd`
gets no path.

## Fix safety
Offered when the RUN starts with `cd <dir> && …` and the directory's absolute path is known:
the `cd` becomes a `WORKDIR /absolute/dir` line before the RUN. When the `cd` is in the middle
of an `&&` chain (`mkdir -p /src && cd /src && make`), the RUN is split there: `RUN mkdir -p
/src`, `WORKDIR /src`, `RUN make` (the RUN's flags on both); its title says when the commands
after the `cd` relied on shell state (a variable, `export`, `set`) set before it. The fix is unsafe: WORKDIR persists for every
later instruction of the stage (and creates the directory when it is missing), so relative
paths in later COPY/RUN/CMD instructions resolve differently.
The RUN left before a split may follow another short RUN: `consecutive-run` then offers
to merge them.

## Differences from hadolint
A `cd` inside a subshell, `( cd docs && make html )`, or a command substitution,
`$(cd /opt && pwd)`, is not flagged: it is a deliberate, local change of directory that
WORKDIR cannot express.
"#,
    opt_in: false,
    check,
};

/// A directory as the shell reads it literally (no variable, glob, `~`, `-` or escape).
fn plain_dir(raw: &str, value: &str) -> bool {
    raw == value && !value.is_empty() && value != "-" && !value.contains(['$', '*', '?', '[', '~', '`', '\\'])
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let has_cd = |i: usize| ctx.runs[i].commands.iter().any(|c| c.program() == "cd");
    // The working directory of each RUN with a `cd`, to say where a relative `cd` goes.
    let mut workdirs: std::collections::HashMap<usize, Workdir> = std::collections::HashMap::new();
    if ctx.instructions().any(|(i, _)| has_cd(i)) {
        crate::semantics::workdir::walk(ctx.df, |i, _, wd| {
            if has_cd(i) {
                workdirs.insert(i, wd.clone());
            }
        });
    }
    for (i, ins) in ctx.instructions() {
        let run = &ctx.runs[i];
        let cds: Vec<&Command> = run.commands.iter().filter(|c| c.program() == "cd").collect();
        if cds.is_empty() {
            continue;
        }
        let subshells = &run.subshells;
        // The directory the script is in, as far as known: the WORKDIR, then each `cd`.
        let mut dir: Option<String> = match workdirs.get(&i) {
            Some(Workdir::Known(d)) => Some(d.clone()),
            _ => None,
        };
        let mut first = true;
        for cd in cds {
            if inside(&cd.range, subshells) {
                continue;
            }
            let arg = cd.args.first().filter(|a| plain_dir(ctx.src(&a.range), &a.value));
            let target = arg.and_then(|a| if a.value.starts_with('/') { Some(join("/", &a.value)) } else { dir.as_deref().map(|d| join(d, &a.value)) });
            let msg = match (cd.args.first(), &target) {
                (Some(a), Some(t)) => format!("`cd {}` lasts only for this RUN; use `WORKDIR {t}`", a.value),
                (Some(a), None) if arg.is_some() => format!(
                    "`cd {}` lasts only for this RUN; use WORKDIR with the absolute path of that directory",
                    a.value
                ),
                // A variable (`cd $PHP_INI_DIR`): WORKDIR expands ENV variables too.
                (Some(a), None) if a.value.starts_with('$') => format!("`cd {}` lasts only for this RUN; use `WORKDIR {}`", a.value, a.value),
                (Some(a), None) => format!("`cd {}` lasts only for this RUN; use WORKDIR to set the working directory", a.value),
                (None, _) => "`cd` lasts only for this RUN; use WORKDIR to set the working directory".to_string(),
            };
            let mut finding = Finding::new(cd.name_range.clone(), msg);
            if first {
                let fix = target.as_deref().and_then(|t| {
                    workdir_fix(ctx, ins, cd, t).or_else(|| {
                        let plain = cd.args.len() == 1 && plain_dir(ctx.src(&cd.args[0].range), &cd.args[0].value);
                        plain.then(|| crate::actions::split_cd::split(ctx.text, ctx.df, run, i, cd, t)).flatten()
                    })
                });
                if let Some(fix) = fix {
                    finding = finding.with_fix(fix);
                }
            }
            first = false;
            dir = target;
            out.push(finding);
        }
    }
}

/// `RUN [flags] cd dir && rest` → `WORKDIR <dir as an absolute path>` + `RUN [flags] rest`.
fn workdir_fix(ctx: &Context, ins: &Instruction, cd: &Command, target: &str) -> Option<Fix> {
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
    if !plain_dir(ctx.src(&dir.range), &dir.value) {
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
        format!("Replace `cd {}` with `WORKDIR {target}` (unsafe: WORKDIR stays for later instructions)", dir.value),
        vec![
            Edit { range: ins.range.start..ins.range.start, text: format!("{kw} {target}\n{indent}") },
            Edit { range: cd.range.start..rest_start, text: String::new() },
        ],
    ))
}
