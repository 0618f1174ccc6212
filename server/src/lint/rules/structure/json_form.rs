//! `json-single-quotes` and `exec-form-cmd`: exec form (JSON) versus shell form.

use std::ops::Range;

use super::super::prelude::*;

pub static SINGLE_QUOTES: Rule = Rule {
    id: "json-single-quotes",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "JSON arrays need double quotes; with single quotes this is shell form",
    docs: r#"## What it does
Flags an exec-form array written with single quotes, such as `CMD ['node', 'server.js']`, in
RUN, CMD, ENTRYPOINT, COPY, ADD and VOLUME.

## Why is this bad?
Exec form must be valid JSON, and JSON strings use double quotes. Anything else is silently
taken as shell form: `CMD ['node', 'server.js']` runs `/bin/sh -c "['node', 'server.js']"`,
which fails at container start, and `VOLUME ['/data']` creates a volume literally named
`['/data']`.

## Example
```dockerfile
ENTRYPOINT ['/usr/local/bin/app', '--serve']
```

## Use instead
```dockerfile
ENTRYPOINT ["/usr/local/bin/app", "--serve"]
```

## Fix safety
The fix rewrites the array with double quotes. It is unsafe: the instruction switches from
shell form to exec form, which is what was meant but changes what runs.
In exec form the command is seen by the other rules (`pip-pin`, `apt-pin`, …), which may
flag it.

## Differences from hadolint
hadolint only reports these indirectly, as shell-form CMD (DL3025). `SHELL ['…']` is a
build error reported by the syntax check `shell-json-form`.
"#,
    opt_in: false,
    check: check_single_quotes,
};

pub static EXEC_FORM_CMD: Rule = Rule {
    id: "exec-form-cmd",
    hadolint: &["DL3025"],
    buildkit: Some("JSONArgsRecommended"),
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Use exec form (a JSON array) for CMD and ENTRYPOINT",
    docs: r#"## What it does
Flags `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`) in stages where no `SHELL`
instruction chose the shell explicitly.

## Why is this bad?
Shell form runs the command as a child of `/bin/sh -c`. The shell becomes PID 1 and does not
forward signals, so `docker stop` waits for the timeout and then kills the app without a
graceful shutdown. A shell-form ENTRYPOINT also ignores `CMD` and `docker run` arguments.

## Example
```dockerfile
FROM node:20-alpine
CMD node server.js
```

## Use instead
```dockerfile
FROM node:20-alpine
CMD ["node", "server.js"]
```

If you need the shell (variables, `&&`), use `exec` so the app replaces it, or a small
entrypoint script that ends with `exec "$@"`.

## Fix safety
When the command has no shell syntax (no `$`, quotes, `&&`, `|`, `;`, redirections, globs,
`~`, backticks, assignments or builtins), the fix writes it as a JSON array; a leading `exec`
is dropped. Otherwise the fix makes the shell explicit: `["/bin/sh", "-c", "…"]`. Both are
unsafe: the first changes signal handling and how arguments are split; the second keeps the
behaviour on Linux but not on images whose default shell is another one (Windows).

## Differences from hadolint
Like BuildKit, a stage (or a stage it builds on) with a `SHELL` instruction is not flagged:
the shell was chosen deliberately.
"#,
    opt_in: false,
    check: check_exec_form,
};

/// Top-level instructions, ONBUILD triggers and HEALTHCHECK's CMD.
fn all_instructions<'a>(ctx: &'a Context) -> impl Iterator<Item = &'a Instruction> + 'a {
    ctx.instructions().flat_map(|(_, i)| std::iter::once(i).chain(i.nested.as_deref()))
}

/// The source range of an instruction's arguments when they may be an attempt at JSON.
fn args_range(ins: &Instruction) -> Option<Range<usize>> {
    match (&ins.kind, &ins.args) {
        (Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Copy | Kind::Add | Kind::Volume, Args::Shell(s)) => Some(s.range.clone()),
        (Kind::Copy | Kind::Add | Kind::Volume, Args::Words(w)) => Some(w.first()?.range.start..w.last()?.range.end),
        _ => None,
    }
}

/// `['a', 'b']` → the strings, if the text is exactly a single-quoted list.
fn single_quoted_list(text: &str) -> Option<Vec<&str>> {
    let mut rest = text.trim().strip_prefix('[')?;
    let mut items = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(']') {
            return after.trim().is_empty().then_some(items);
        }
        let body = rest.strip_prefix('\'')?;
        let end = body.find('\'')?;
        let item = &body[..end];
        if item.contains(['\\', '\n']) {
            return None;
        }
        items.push(item);
        rest = body[end + 1..].trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.starts_with(']') {
            return None;
        }
    }
}

fn check_single_quotes(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in all_instructions(ctx) {
        let Some(range) = args_range(ins) else { continue };
        let text = ctx.src(&range);
        let Some(rest) = text.trim_start().strip_prefix('[') else { continue };
        if !rest.trim_start().starts_with('\'') {
            continue;
        }
        let range = range.start + (text.len() - text.trim_start().len())..range.start + text.trim_end().len();
        let mut f = Finding::new(
            range.clone(),
            format!("JSON needs double quotes: with single quotes this is shell form and {}", consequence(ins.kind)),
        );
        if let Some(items) = single_quoted_list(ctx.src(&range)) {
            let json: Vec<String> = items.iter().map(|s| serde_json::to_string(s).expect("strings serialize")).collect();
            f = f.with_fix(Fix::unsafe_("Use double quotes (unsafe: exec form, no shell runs the command)", vec![Edit { range, text: format!("[{}]", json.join(", ")) }]));
        }
        out.push(f);
    }
}

fn consequence(kind: Kind) -> &'static str {
    match kind {
        Kind::Run | Kind::Cmd | Kind::Entrypoint => "runs through `/bin/sh -c`",
        Kind::Volume => "creates volumes named after the quoted words",
        _ => "takes the quoted words as paths",
    }
}

/// Whether a SHELL instruction precedes `idx` in its stage or in a stage it builds on.
fn shell_set(ctx: &Context, stage: usize, before: usize) -> bool {
    let mut current = Some(stage);
    let mut limit = before;
    let mut steps = 0;
    while let Some(s) = current {
        let st = &ctx.df.stages[s];
        if ctx.df.instructions[st.instructions.start..limit.min(st.instructions.end)].iter().any(|i| i.kind == Kind::Shell) {
            return true;
        }
        current = st.parent;
        limit = usize::MAX;
        steps += 1;
        if steps > ctx.df.stages.len() {
            break;
        }
    }
    false
}

/// Characters that make a command line need a shell.
const SHELL_SYNTAX: &[char] = &['$', '&', '|', ';', '<', '>', '*', '?', '[', ']', '(', ')', '{', '}', '~', '\'', '"', '`', '\\', '!', '#'];

const BUILTINS: &[&str] = &[
    "cd", "source", ".", "export", "set", "unset", "ulimit", "umask", "alias", "eval", "trap", "wait", "read", "if",
    "for", "while", "until", "case", "exit", "shift", "local", "readonly",
];

fn check_exec_form(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        if !matches!(ins.kind, Kind::Cmd | Kind::Entrypoint) {
            continue;
        }
        let Args::Shell(shell) = &ins.args else { continue };
        let text = ctx.src(&shell.range);
        if text.trim_start().starts_with('[') || text.trim().is_empty() {
            continue; // Broken JSON: `json-single-quotes` and the syntax checks report it.
        }
        if ins.stage.is_some_and(|s| shell_set(ctx, s, idx)) {
            continue;
        }
        let range = shell.range.start..shell.range.start + text.trim_end().len();
        let mut f = Finding::new(
            range.clone(),
            format!(
                "{} in shell form runs under `/bin/sh -c`, which does not pass signals on; use exec form (a JSON array)",
                ins.kind.keyword()
            ),
        );
        if let Some(fix) = exec_fix(ctx, &range) {
            f = f.with_fix(fix);
        }
        out.push(f);
    }
}

fn exec_fix(ctx: &Context, range: &Range<usize>) -> Option<Fix> {
    if ctx.df.escape != '\\' || ctx.df.comments.iter().any(|c| c.start < range.end && c.end > range.start) {
        return None;
    }
    // Join continuation lines as Docker does.
    let mut joined = String::new();
    let mut lines = ctx.src(range).split('\n').peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end_matches([' ', '\t', '\r']);
        match trimmed.strip_suffix('\\') {
            Some(body) if lines.peek().is_some() => joined.push_str(body),
            _ => joined.push_str(line),
        }
    }
    let joined = joined.trim().to_string();
    let json = |words: &[&str]| {
        let parts: Vec<String> = words.iter().map(|w| serde_json::to_string(w).expect("strings serialize")).collect();
        format!("[{}]", parts.join(", "))
    };
    let mut words: Vec<&str> = joined.split_whitespace().collect();
    let first = *words.first()?;
    let simple = !joined.contains(SHELL_SYNTAX) && !first.contains('=') && !BUILTINS.contains(&first);
    if simple {
        if first == "exec" && words.len() > 1 {
            words.remove(0);
        }
        let text = json(&words);
        return Some(Fix::unsafe_(format!("Convert to exec form: {text} (unsafe: signals reach the process; no shell expansion)"), vec![Edit { range: range.clone(), text }]));
    }
    let text = json(&["/bin/sh", "-c", &joined]);
    Some(Fix::unsafe_("Make the shell explicit: [\"/bin/sh\", \"-c\", …] (unsafe: ignores a SHELL instruction)", vec![Edit { range: range.clone(), text }]))
}
