//! `apk-update-cache`: `apk update` leaving the package index in the layer.
//!
//! `apk-no-cache` reports `apk add` without `--no-cache`; this rule reports the `apk update`
//! that downloads the index in the first place, only where `apk-no-cache` has nothing to say
//! about the same RUN (every `apk add` there has `--no-cache`, or there is none).

use super::apk::apk_add;
use super::*;

/// apk's global options whose value is the next word (they may come before `update`).
const VALUE_OPTIONS: &[&str] = &["-X", "--repository", "-p", "--root", "--arch", "--keys-dir", "--repositories-file", "--cache-dir"];

pub static RULE: Rule = Rule {
    id: "apk-update-cache",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Drop `apk update` and use `apk add --no-cache`",
    docs: r#"## What it does
Flags `apk update` in a RUN that neither removes `/var/cache/apk/*` nor mounts a cache there,
in a stage whose files end up in an image.

## Why is this bad?
`apk update` downloads the package index of every repository into `/var/cache/apk` (a few
megabytes), and the layer of that RUN keeps it: a later `rm` cannot take it out of the image.
It is also unnecessary: `apk add --no-cache` fetches a fresh index into a temporary place
itself and leaves nothing behind.

## Example
```dockerfile
RUN apk update && apk add --no-cache curl=8.11.1-r0
```

## Use instead
```dockerfile
RUN apk add --no-cache curl=8.11.1-r0
```

Not flagged: `apk --no-cache update`, a RUN with a `--mount=type=cache` (or `tmpfs`) on
`/var/cache/apk` or `/etc/apk/cache`, a RUN that removes `/var/cache/apk/*`, builder stages
(only copied from), and a RUN where an `apk add` lacks `--no-cache` (`apk-no-cache` reports that
one, and its fix makes the index temporary).

## Fix safety
The fix removes `apk update` and the `&&`, `;` or line break after it. It is offered only when the
command that follows is in the same RUN and every apk command of the RUN and of the RUNs after
it has `--no-cache`, so none of them reads the index `apk update` would have left; it is safe
then.
"#,
    opt_in: false,
    check,
};

/// An apk command with `--no-cache` (or `--no-network`: it downloads nothing).
fn without_cache(cmd: &Command) -> bool {
    Cli::parse(&cmd.args, VALUE_OPTIONS).has(&["--no-cache", "--no-network"])
}

fn is_update(cmd: &Command) -> bool {
    cmd.program() == "apk" && Cli::parse(&cmd.args, VALUE_OPTIONS).subcommand().is_some_and(|s| s.value == "update")
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let all: Vec<_> = runs(ctx).collect();
    // Most files run no `apk update`: nothing else to work out (this runs on every keystroke).
    if !all.iter().any(|(_, _, run)| run.commands.iter().any(is_update)) {
        return;
    }
    let shipped = shipped_stages(ctx);
    // The first offset after which every apk command has `--no-cache`: an `apk update` whose
    // RUN ends after it can be dropped without starving a later `apk add` of its index.
    let last_cache_user =
        all.iter().flat_map(|(_, _, run)| run.commands.iter()).filter(|c| c.program() == "apk" && !is_update(c) && !without_cache(c)).map(|c| c.range.start).max();
    for (_, ins, run) in &all {
        if !ships(&shipped, ins)
            || mount_covers(ins, &["cache", "tmpfs"], "/var/cache/apk")
            || mount_covers(ins, &["cache", "tmpfs"], "/etc/apk/cache")
            || removes(run, "/var/cache/apk")
        {
            continue;
        }
        // `apk add` without `--no-cache` here: apk-no-cache's finding covers this RUN.
        if run.commands.iter().any(|c| apk_add(c).is_some() && !without_cache(c)) {
            continue;
        }
        for (i, cmd) in run.commands.iter().enumerate() {
            if !is_update(cmd) || without_cache(cmd) {
                continue;
            }
            let finding = Finding::new(
                cmd.range.clone(),
                "`apk update` leaves the package index in /var/cache/apk in this layer; drop it and use `apk add --no-cache`",
            );
            let fixable = last_cache_user.is_none_or(|at| at < ins.range.start);
            let fix = run.commands.get(i + 1).filter(|_| fixable).and_then(|next| drop_until(ctx, cmd, next));
            out.push(maybe_fix(finding, fix));
        }
    }
}

/// Removes `cmd` and the separator up to `next`, when only blanks, one `&&` or `;`, and line
/// continuations lie between them.
fn drop_until(ctx: &Context, cmd: &Command, next: &Command) -> Option<Fix> {
    if cmd.wrapper.is_some() || next.range.start <= cmd.range.end || !ctx.src(&cmd.range).starts_with("apk") {
        return None;
    }
    let between = &ctx.text[cmd.range.end..next.range.start];
    let separators = between.replace("\\\n", " ").replace("\\\r\n", " ");
    let tokens: Vec<&str> = separators.split_whitespace().collect();
    // A newline separates commands in a heredoc script.
    let newline = tokens.is_empty() && between.contains('\n');
    if !(newline || tokens == ["&&"] || tokens == [";"]) {
        return None;
    }
    Some(Fix::safe("Remove `apk update`", vec![Edit { range: cmd.range.start..next.range.start, text: String::new() }]))
}
