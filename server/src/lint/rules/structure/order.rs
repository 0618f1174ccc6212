//! `onbuild-forbidden-trigger` and `first-instruction-from`: instructions where Docker does
//! not allow them.

use super::super::prelude::*;

pub static ONBUILD_FORBIDDEN_TRIGGER: Rule = Rule {
    id: "onbuild-forbidden-trigger",
    hadolint: &["DL3043"],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER",
    docs: r#"## What it does
Flags `ONBUILD ONBUILD …`, `ONBUILD FROM …` and `ONBUILD MAINTAINER …`.

## Why is this bad?
Docker refuses these triggers: chaining ONBUILD is not allowed, and FROM and MAINTAINER
cannot run as part of a downstream build. The build fails.

## Example
```dockerfile
FROM node:20-alpine
ONBUILD FROM node:20-alpine
ONBUILD ONBUILD RUN npm ci
```

## Use instead
```dockerfile
FROM node:20-alpine
ONBUILD COPY package*.json ./
ONBUILD RUN npm ci
```
"#,
    opt_in: false,
    check: check_onbuild,
};

pub static FIRST_INSTRUCTION_FROM: Rule = Rule {
    id: "first-instruction-from",
    hadolint: &["DL3061"],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "Start with FROM: only ARG may come before the first FROM",
    docs: r#"## What it does
Flags instructions other than `ARG` before the first `FROM` (parser directives and comments
are fine), and a Dockerfile with instructions but no `FROM` at all.

## Why is this bad?
Every instruction but a global `ARG` belongs to a stage, and a stage starts with `FROM`.
Docker fails the build with *"no build stage in current context"*.

## Example
```dockerfile
ENV NODE_ENV=production
FROM node:20-alpine
```

## Use instead
```dockerfile
FROM node:20-alpine
ENV NODE_ENV=production
```
"#,
    opt_in: false,
    check: check_first,
};

fn check_onbuild(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in ctx.df.instructions.iter().filter(|i| i.kind == Kind::Onbuild) {
        let Some(trigger) = &ins.nested else { continue };
        let why = match trigger.kind {
            Kind::Onbuild => "chaining ONBUILD is not allowed",
            Kind::From => "FROM cannot be a trigger",
            Kind::Maintainer => "MAINTAINER cannot be a trigger",
            _ => continue,
        };
        out.push(Finding::new(trigger.keyword_range.clone(), format!("ONBUILD {}: {why}", trigger.kind.keyword())));
    }
}

fn check_first(ctx: &Context, out: &mut Vec<Finding>) {
    let has_from = !ctx.df.stages.is_empty();
    for ins in ctx.df.global_instructions() {
        if ins.kind == Kind::Arg {
            continue;
        }
        let msg = if has_from {
            format!("{} before the first FROM: only ARG may come before FROM", ins.kind.keyword())
        } else {
            "This Dockerfile has no FROM: start it with `FROM <image>`".to_string()
        };
        out.push(Finding::new(ins.keyword_range.clone(), msg));
        if !has_from {
            break;
        }
    }
}
