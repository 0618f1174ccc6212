//! `no-sudo`: do not use sudo in RUN.

use super::*;

pub static RULE: Rule = Rule {
    id: "no-sudo",
    hadolint: &["DL3004"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Do not use sudo; switch users with USER",
    docs: r#"## What it does
Flags `sudo` in a RUN instruction, once per RUN (on the first `sudo`; the message counts the
others).

## Why is this bad?
RUN already executes as the current `USER`, root unless you changed it, so `sudo` is either
useless or a sign that a non-root user was given password-less root rights, which defeats
running as non-root. Most base images do not even ship `sudo`, and its TTY and PAM handling
behaves unpredictably in a build. Run the privileged steps before switching to the unprivileged
user, or switch back with `USER root` for them.

## Example
```dockerfile
FROM ubuntu:24.04
USER app
RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl
```

## Use instead
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends curl
USER app
```

## Differences from hadolint
hadolint reports this as an error; dockls uses a warning since the build itself may work.
"#,
    opt_in: false,
    check,
};

/// Once per RUN, on its first `sudo` (the message counts the others).
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let mut current: Option<(usize, Range<usize>, usize)> = None;
    let flush = |c: Option<(usize, Range<usize>, usize)>, out: &mut Vec<Finding>| {
        if let Some((_, range, count)) = c {
            let more = match count {
                1 => String::new(),
                n => format!(" ({n} uses in this RUN)"),
            };
            out.push(Finding::new(range, format!("Do not use `sudo`{more}: RUN already runs as the current USER; use `USER root` for privileged steps")));
        }
    };
    for (i, _, cmd) in all_commands(ctx) {
        // The wrappers the analysis looked through (`sudo -u app env X=1 cmd`), and the name
        // itself when nothing follows (`sudo -i`).
        let prefix = cmd.range.start..cmd.name_range.end;
        let text = &ctx.text[prefix.clone()];
        let mut offset = prefix.start;
        for word in text.split_inclusive(|c: char| c.is_whitespace()) {
            let w = word.trim_end();
            let start = offset;
            offset += word.len();
            if w.rsplit('/').next() == Some("sudo") && (cmd.wrapper.is_some() || cmd.program() == "sudo") {
                match &mut current {
                    Some((run, _, count)) if *run == i => *count += 1,
                    _ => {
                        flush(current.take(), out);
                        current = Some((i, start..start + w.len(), 1));
                    }
                }
            }
        }
    }
    flush(current, out);
}
