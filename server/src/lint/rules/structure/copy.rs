//! `copy-multi-src-dir-dest`, `copy-from-unknown-stage`, `copy-from-self`.

use super::super::prelude::*;
use crate::diagnostics::did_you_mean;
use crate::syntax::Word;

pub static MULTI_SRC_DIR_DEST: Rule = Rule {
    id: "copy-multi-src-dir-dest",
    hadolint: &["DL3021"],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "With several sources, the COPY/ADD destination must end with `/`",
    docs: r#"## What it does
Flags `COPY` and `ADD` with two or more sources whose destination does not end with `/`.

## Why is this bad?
Several sources can only go into a directory, and Docker requires the destination to say so
with a trailing slash. Without it the build fails with *"When using COPY with more than one
source file, the destination must be a directory and end with a /"*.

## Example
```dockerfile
COPY package.json package-lock.json /app
```

## Use instead
```dockerfile
COPY package.json package-lock.json /app/
```

## Fix safety
Appending `/` is safe: it is the only way the instruction can run.

## Differences from hadolint
hadolint checks COPY only; dockls checks ADD too (Docker has the same requirement), and
counts heredoc sources.
"#,
    opt_in: false,
    check: check_multi,
};

pub static FROM_UNKNOWN_STAGE: Rule = Rule {
    id: "copy-from-unknown-stage",
    hadolint: &["DL3022"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "`--from` should name an earlier stage",
    docs: r#"## What it does
Flags `COPY --from=<name>` (and `RUN --mount=…,from=<name>`) where `<name>` is neither an
earlier stage (by name or index) nor something that looks like an image reference (with
`/`, `:`, `.` or `@`). It suggests the closest stage name.

## Why is this bad?
A name that is not a stage is taken as an image: Docker tries to pull `builder` from Docker
Hub, and the build fails with a confusing "pull access denied", or, worse, copies from an
unrelated public image. It is nearly always a typo or a stage defined further down.

## Example
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
COPY --from=biuld /out/app /app
```

## Use instead
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
```

## Differences from hadolint
dockls does not flag image references such as `--from=nginx:1.27` or
`--from=ghcr.io/acme/tools`, also checks `RUN --mount=from=`, and suggests a stage name. A
named build context passed with `docker buildx build --build-context name=…` is reported as
well; silence it with `# dockls ignore=copy-from-unknown-stage`.
"#,
    opt_in: false,
    check: check_unknown,
};

pub static FROM_SELF: Rule = Rule {
    id: "copy-from-self",
    hadolint: &["DL3023"],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "`--from` cannot refer to the stage it is in",
    docs: r#"## What it does
Flags `COPY --from=<stage>` (and `RUN --mount=…,from=<stage>`) naming the stage the
instruction belongs to, by name or by index.

## Why is this bad?
A stage cannot read its own result while it is being built: the build fails with a
circular-dependency error.

## Example
```dockerfile
FROM node:20-alpine AS web
COPY --from=web /app/dist /usr/share/nginx/html
```

## Use instead
```dockerfile
FROM node:20-alpine AS web-build
RUN npm ci && npm run build

FROM nginx:1.27-alpine AS web
COPY --from=web-build /app/dist /usr/share/nginx/html
```
"#,
    opt_in: false,
    check: check_self,
};

fn check_multi(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in super::with_nested(ctx) {
        if !matches!(ins.kind, Kind::Copy | Kind::Add) {
            continue;
        }
        // `--from build` (no `=`) leaves `build` among the sources; that flag is reported as a
        // syntax error and the count here would be wrong.
        if ins.flags.iter().any(|f| f.value.is_none() && !["link", "parents", "keep-git-dir"].contains(&f.name.as_str())) {
            continue;
        }
        let words = ins.words();
        let Some((dest, sources)) = words.split_last() else { continue };
        if sources.len() < 2 || dest.has_expansions() || dest.text.starts_with("<<") {
            continue;
        }
        let windows_dir = ctx.df.escape == '`' && dest.value.ends_with('\\');
        if dest.value.ends_with('/') || windows_dir {
            continue;
        }
        let at = if ins.is_exec_form() { dest.range.end - 1 } else { dest.range.end };
        out.push(
            Finding::new(
                dest.range.clone(),
                format!(
                    "{} has {} sources, so the destination must be a directory ending with `/`: `{}/`",
                    ins.kind.keyword(),
                    sources.len(),
                    dest.value
                ),
            )
            .with_fix(Fix::safe(format!("Append `/`: `{}/`", dest.value), vec![Edit { range: at..at, text: "/".into() }])),
        );
    }
}

/// The `--from=` flag values and `from=` mount options of a top-level instruction.
fn from_refs(ins: &Instruction) -> Vec<&Word> {
    let mut refs = Vec::new();
    for f in &ins.flags {
        if f.name == "from" {
            refs.extend(f.value.as_ref());
        }
        for opt in &f.mount {
            if opt.key == "from" {
                refs.extend(opt.value.as_ref());
            }
        }
    }
    refs.retain(|w| !w.has_expansions() && !w.value.is_empty());
    refs
}

enum Target<'a> {
    Earlier,
    OwnStage,
    Later(&'a crate::syntax::Stage),
    Image,
    Unknown,
}

fn resolve<'a>(ctx: &'a Context, idx: usize, ins: &Instruction, name: &str) -> Target<'a> {
    let Some(current) = ins.stage else { return Target::Image };
    if let Ok(n) = name.parse::<usize>() {
        return match n.cmp(&current) {
            std::cmp::Ordering::Less => Target::Earlier,
            std::cmp::Ordering::Equal => Target::OwnStage,
            std::cmp::Ordering::Greater => ctx.df.stages.get(n).map_or(Target::Unknown, Target::Later),
        };
    }
    if let Some(s) = ctx.df.stage_named(name, idx) {
        return if s.index == current { Target::OwnStage } else { Target::Earlier };
    }
    let later = ctx.df.stages.iter().find(|s| s.name.as_ref().is_some_and(|n| n.text.eq_ignore_ascii_case(name)));
    if let Some(s) = later {
        return Target::Later(s);
    }
    if name.contains(['/', ':', '.', '@']) || name == "scratch" {
        Target::Image
    } else {
        Target::Unknown
    }
}

fn check_unknown(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        let Some(current) = ins.stage else { continue };
        for w in from_refs(ins) {
            match resolve(ctx, idx, ins, &w.value) {
                Target::Later(s) => {
                    let from = &ctx.df.instructions[s.from];
                    let what = if w.value.parse::<usize>().is_ok() { "Stage" } else { "The stage" };
                    out.push(
                        Finding::new(
                            w.range.clone(),
                            format!("{what} `{}` is defined after this instruction; stages can only use earlier stages", w.value),
                        )
                        .with_related(from.range.clone(), "the stage is defined here"),
                    );
                }
                Target::Unknown => {
                    let earlier: Vec<&str> = ctx.df.stages[..current]
                        .iter()
                        .filter_map(|s| s.name.as_ref().map(|n| n.text.as_str()))
                        .collect();
                    let msg = match did_you_mean(&w.value, earlier.iter().copied()) {
                        Some(s) => format!("`{}` is not a stage defined before this instruction; did you mean `{s}`?", w.value),
                        None if w.value.parse::<usize>().is_ok() => {
                            format!("There is no stage {} before this instruction", w.value)
                        }
                        None => format!("`{}` is not a stage defined before this instruction, so Docker will pull it as an image", w.value),
                    };
                    out.push(Finding::new(w.range.clone(), msg));
                }
                _ => {}
            }
        }
    }
}

fn check_self(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        for w in from_refs(ins) {
            if let Target::OwnStage = resolve(ctx, idx, ins, &w.value) {
                let stage = &ctx.df.stages[ins.stage.expect("own stage")];
                out.push(
                    Finding::new(w.range.clone(), format!("`{}` is the stage this instruction is in; a stage cannot copy from itself", w.value))
                        .with_related(ctx.df.instructions[stage.from].range.clone(), "the stage starts here"),
                );
            }
        }
    }
}
