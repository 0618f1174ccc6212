//! `wget-and-curl` and `wget-progress`: download tools in RUN.

use super::*;

pub static AND_CURL: Rule = Rule {
    id: "wget-and-curl",
    hadolint: &["DL4001"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Use either wget or curl in a stage, not both",
    docs: r#"## What it does
Flags the uses of `wget` in a stage that already uses `curl`, or of `curl` in a stage that
already uses `wget`. The tool used first in the stage is taken as the one to keep.

## Why is this bad?
Both tools do the same job. Needing both means installing (or keeping) two HTTP clients with
their TLS libraries in the image, and two sets of options, retry and error behaviours to get
right (`curl` does not fail on HTTP errors without `-f`; `wget` does).

## Example
```dockerfile
FROM debian:bookworm-slim
RUN curl -fsSLo /tmp/app.tar.gz https://example.com/app.tar.gz
RUN wget -q -O /usr/local/bin/tini https://github.com/krallin/tini/releases/download/v0.19.0/tini
```

## Use instead
```dockerfile
FROM debian:bookworm-slim
RUN curl -fsSLo /tmp/app.tar.gz https://example.com/app.tar.gz
RUN curl -fsSLo /usr/local/bin/tini https://github.com/krallin/tini/releases/download/v0.19.0/tini
```

## Differences from hadolint
Stages are judged separately: a builder stage using `wget` and a final stage using `curl` are
fine, since only one of them ends up in each image. `command -v curl` (a lookup, not a use)
does not count.
"#,
    opt_in: false,
    check: check_and_curl,
};

pub static PROGRESS: Rule = Rule {
    id: "wget-progress",
    hadolint: &["DL3047"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Use `wget --progress=dot:giga` (or `-q`/`-nv`) to keep build logs short",
    docs: r#"## What it does
Flags GNU `wget` without `--progress=…`, `-q`/`--quiet`, `-nv`/`--no-verbose` or a log file
option (`-o`, `-a`).

## Why is this bad?
Without a TTY, wget's default progress output prints a line of dots for every few kilobytes:
downloading a large file floods the build log with thousands of lines, which slows down CI
log viewers and buries the lines that matter.

## Example
```dockerfile
RUN wget https://example.com/toolchain.tar.xz
```

## Use instead
```dockerfile
RUN wget --progress=dot:giga https://example.com/toolchain.tar.xz
```

## Fix safety
Inserting `--progress=dot:giga` only changes what wget prints, so the fix is safe.

## Differences from hadolint
On Alpine and BusyBox images `wget` is BusyBox wget, which has no `--progress` option (the
fix would break the build) and prints a single updating progress line: it is not flagged there
unless the stage installs GNU wget (`apk add wget`).
"#,
    opt_in: false,
    check: check_progress,
};

fn check_and_curl(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        let mut first: Option<&Command> = None;
        for (_, _, run) in stage_runs(ctx, stage) {
            for cmd in &run.commands {
                let p = cmd.program();
                if !(p == "wget" || p == "curl") || is_lookup(ctx, cmd) {
                    continue;
                }
                match first {
                    None => first = Some(cmd),
                    Some(f) if f.program() != p => out.push(
                        Finding::new(
                            cmd.name_range.clone(),
                            format!(
                                "This stage already uses `{}` (line {}); use it here too instead of `{p}`",
                                f.program(),
                                ctx.line_number(f.name_range.start)
                            ),
                        )
                        .with_related(f.name_range.clone(), format!("`{}` is used here", f.program())),
                    ),
                    Some(_) => {}
                }
            }
        }
    }
}

const QUIET: &[&str] = &["--progress", "-q", "--quiet", "-nv", "--no-verbose", "-o", "--output-file", "-a", "--append-output"];

/// Whether GNU wget is installed before offset `before` (in the stage or a stage it builds on).
fn gnu_wget_installed(ctx: &Context, stage: &Stage, before: usize) -> bool {
    stage_chain(ctx, stage).any(|s| {
        stage_runs(ctx, s).any(|(_, _, run)| {
            run.commands.iter().any(|c| {
                c.range.start < before && is_package_install(c) && c.positionals(&[]).any(|a| package_name(&a.value) == "wget")
            })
        })
    })
}

fn check_progress(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins, cmd) in all_commands(ctx) {
        if cmd.program() != "wget" || is_lookup(ctx, cmd) || cmd.has_flag(QUIET) {
            continue;
        }
        let Some(stage) = ins.stage.and_then(|s| ctx.df.stages.get(s)) else { continue };
        if is_busybox_based(ctx, stage) && !gnu_wget_installed(ctx, stage, cmd.range.start) {
            continue;
        }
        let at = cmd.name_range.end;
        out.push(
            Finding::new(cmd.name_range.clone(), "`wget` without `--progress=dot:giga` (or `-q`/`-nv`) floods the build log")
                .with_fix(Fix::safe("Add `--progress=dot:giga`", vec![Edit { range: at..at, text: " --progress=dot:giga".into() }])),
        );
    }
}
