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
are fine), and a Dockerfile without any `FROM`.

An empty Dockerfile (or one with only comments, parser directives or global `ARG`s) is
flagged too: there is nothing to build.

## Why is this bad?
Every instruction but a global `ARG` belongs to a stage, and a stage starts with `FROM`.
Docker fails the build with *"no build stage in current context"*, or *"file with no
instructions"* for an empty one.

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
    // Nothing but global ARGs, comments and directives, or nothing at all: nothing to build.
    // Not when a line failed to parse (`RUNN x`): that error says more.
    if !has_from && ctx.df.errors.is_empty() && ctx.df.instructions.iter().all(|i| i.kind == Kind::Arg) {
        let msg = if ctx.df.instructions.is_empty() {
            "This Dockerfile has no instructions: Docker fails with \"file with no instructions\"; start it with `FROM <image>`"
        } else {
            "This Dockerfile has no FROM, only ARG: there is no stage to build; add `FROM <image>`"
        };
        // After the last ARG, or at the start of an empty file (a zero-width range there).
        let at = ctx.df.instructions.last().map_or(0, |i| i.keyword_range.start);
        let range = ctx.df.instructions.last().map_or(at..at, |i| i.keyword_range.clone());
        out.push(Finding::new(range, msg.to_string()));
        return;
    }
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

#[cfg(test)]
mod tests {
    use crate::document::Snapshot;
    use crate::lint::{lint, LintOptions, RuleSelection};
    use crate::semantics::Semantics;
    use crate::syntax::Dockerfile;

    fn findings(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let sem = Semantics::analyze(text, &df);
        let selection = RuleSelection { enabled: vec!["first-instruction-from".into()], ..Default::default() };
        lint(text, &df, &sem, &LintOptions::default(), &selection)
            .into_iter()
            .map(|d| d.diagnostic)
            .filter(|d| d.code == "first-instruction-from")
            .map(|d| (d.range, d.message.to_string()))
            .collect()
    }

    #[test]
    fn a_dockerfile_with_nothing_to_build_is_flagged() {
        for empty in ["", "\n\n", "# syntax=docker/dockerfile:1\n# only a comment\n"] {
            let f = findings(empty);
            assert_eq!(f.len(), 1, "{empty:?}");
            assert_eq!(f[0].0, 0..0);
            assert!(f[0].1.contains("no instructions"), "{}", f[0].1);
        }
        let f = findings("ARG A=1\nARG B\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, 8..11, "the last ARG");
        assert!(f[0].1.contains("only ARG"), "{}", f[0].1);
        assert!(findings("ARG A=1\nFROM alpine:3.20\n").is_empty());
        assert!(findings("RUNN x\n").is_empty(), "the unknown instruction is the error to show");
    }
}
