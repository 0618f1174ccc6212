//! Opt-in rules: `healthcheck-missing`, `inline-ignore-pragma`,
//! `invalid-definition-description`.

use std::ops::Range;

use super::super::prelude::*;
use crate::lint::suppress::parse_ignore_comment;

pub static HEALTHCHECK_MISSING: Rule = Rule {
    id: "healthcheck-missing",
    hadolint: &["DL3057"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "The final image has no HEALTHCHECK",
    docs: r#"## What it does
Flags the final stage when neither it nor a stage it builds on (`FROM <stage>`) has a
`HEALTHCHECK` instruction. `HEALTHCHECK NONE` counts as a deliberate choice. Off by default.

## Why is this bad?
Without a health check, Docker and Swarm only know whether the process runs, not whether the
service answers; a hung server stays "running" forever.

## Example
```dockerfile
FROM nginx:1.27-alpine
COPY site/ /usr/share/nginx/html/
```

## Use instead
```dockerfile
FROM nginx:1.27-alpine
COPY site/ /usr/share/nginx/html/
HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://localhost/ || exit 1
```

## Differences from hadolint
hadolint accepts a HEALTHCHECK anywhere in the file; dockls looks at the final stage and the
stages it builds on, since a HEALTHCHECK in a builder stage does not reach the image. The base
image may define one; dockls cannot see that (which is one reason the rule is opt-in).
Orchestrators such as Kubernetes ignore HEALTHCHECK and use their own probes.
"#,
    opt_in: true,
    check: check_healthcheck,
};

pub static INLINE_IGNORE_PRAGMA: Rule = Rule {
    id: "inline-ignore-pragma",
    hadolint: &["DL1001"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Avoid inline `# hadolint ignore=` / `# dockls ignore=` comments",
    docs: r#"## What it does
Flags inline suppression comments: `# hadolint ignore=…`, `# dockls ignore=…` and their
`global` variants. Off by default; teams turn it on to keep suppressions in the
configuration file, where they are reviewed in one place.

## Why is this bad?
Inline suppressions are easy to add and forget; they hide problems from later readers.

## Example
```dockerfile
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y curl
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
```
"#,
    opt_in: true,
    check: check_pragma,
};

pub static INVALID_DEFINITION_DESCRIPTION: Rule = Rule {
    id: "invalid-definition-description",
    hadolint: &[],
    buildkit: Some("InvalidDefinitionDescription"),
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "A comment right above ARG or FROM … AS should start with the name it describes",
    docs: r#"## What it does
Flags the comment line directly above an `ARG` or a named `FROM … AS <stage>` when its first
word is not the argument or stage name. Off by default (experimental in BuildKit too).

## Why is this bad?
`docker buildx build --call=outline` and `--call=targets` show such comments as the
description of the argument or stage, but only when they follow the format
`# <name> <description>`. A comment that is not meant as a description should be separated
from the instruction by an empty line.

## Example
```dockerfile
# the Go toolchain to build with
ARG GO_VERSION=1.23
```

## Use instead
```dockerfile
# GO_VERSION is the Go toolchain to build with
ARG GO_VERSION=1.23
```

## Fix safety
Both fixes only touch comments and are safe: insert an empty line (the comment is not a
description), or start the comment with the name.

## Differences from BuildKit
Suppression comments (`# hadolint ignore=…`, `# dockls ignore=…`) are not descriptions and
are not flagged.
"#,
    opt_in: true,
    check: check_description,
};

fn check_healthcheck(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(last) = ctx.final_stage() else { return };
    let mut stage = Some(last);
    for _ in 0..=ctx.df.stages.len() {
        let Some(s) = stage else { break };
        if ctx.df.stage_instructions(s).iter().any(|i| i.kind == Kind::Healthcheck) {
            return;
        }
        stage = s.parent.map(|p| &ctx.df.stages[p]);
    }
    let from = &ctx.df.instructions[last.from];
    out.push(Finding::new(from.keyword_range.clone(), "The final image has no HEALTHCHECK: add one so Docker can tell when the service stops answering"));
}

/// The first line of a comment token (which may carry following blank lines).
fn first_line(ctx: &Context, r: &Range<usize>) -> Range<usize> {
    let text = ctx.src(r);
    let len = text.find('\n').unwrap_or(text.len());
    r.start..r.start + text[..len].trim_end().len()
}

fn check_pragma(ctx: &Context, out: &mut Vec<Finding>) {
    for c in &ctx.df.comments {
        let line = first_line(ctx, c);
        if let Some((global, names)) = parse_ignore_comment(ctx.src(&line)) {
            let scope = if global { "for the whole file" } else { "for the next instruction" };
            out.push(Finding::new(
                line,
                format!("Inline ignore pragma silences {} {scope}; configure suppressions in the configuration file instead", names.join(", ")),
            ));
        }
    }
}

fn check_description(ctx: &Context, out: &mut Vec<Finding>) {
    let text = ctx.text;
    for ins in &ctx.df.instructions {
        let names: Vec<&str> = match ins.kind {
            Kind::Arg => ins.pairs().iter().map(|p| p.key.value.as_str()).collect(),
            Kind::From => ins.from_args().and_then(|f| f.alias.as_ref()).map(|a| a.text.as_str()).into_iter().collect(),
            _ => continue,
        };
        if names.is_empty() {
            continue;
        }
        // The comment line right above the instruction (no blank line in between).
        let line = super::line_start(text, ins.range.start);
        if line == 0 {
            continue;
        }
        let prev = super::line_start(text, line - 1);
        let prev_text = text[prev..line].trim();
        let is_directive = ctx.df.directives.iter().any(|d| d.range.start >= prev && d.range.start < line);
        let Some(body) = prev_text.strip_prefix('#').map(str::trim) else { continue };
        if body.is_empty() || is_directive || parse_ignore_comment(prev_text).is_some() {
            continue;
        }
        let first = body.split(' ').next().unwrap_or("");
        if names.contains(&first) {
            continue;
        }
        let comment = prev + (text[prev..line].len() - text[prev..line].trim_start().len());
        let range = comment..comment + prev_text.len();
        let example = if names.len() == 1 { names[0] } else { "<arg_key>" };
        let what = if ins.kind == Kind::Arg { "ARG" } else { "the stage" };
        let mut f = Finding::new(
            range,
            format!("A comment right above {what} is its description and should read `# {example} <description>`; separate it with an empty line if it is not one"),
        )
        .with_fix(Fix::safe("Separate the comment with an empty line", vec![Edit { range: line..line, text: "\n".into() }]));
        if names.len() == 1 {
            let hash = comment + prev_text.find('#').unwrap_or(0) + 1;
            let body_start = hash + (text[hash..].len() - text[hash..].trim_start().len());
            f.alternatives.push(Fix::safe(
                format!("Start the comment with `{example}`"),
                vec![Edit { range: hash..body_start, text: format!(" {example} ") }],
            ));
        }
        out.push(f);
    }
}
