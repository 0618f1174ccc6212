//! Stage names and the `AS` keyword: `duplicate-stage-name`, `reserved-stage-name`,
//! `invalid-stage-name`, `from-as-keyword`, `from-as-casing`, `stage-name-casing`.

use super::super::prelude::*;
use crate::semantics::SymbolKind;
use crate::syntax::Word;

pub static DUPLICATE_NAME: Rule = Rule {
    id: "duplicate-stage-name",
    hadolint: &["DL3024"],
    buildkit: Some("DuplicateStageName"),
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "Stage names must be unique",
    docs: r#"## What it does
Flags a `FROM … AS <name>` whose name (compared case-insensitively, as Docker does) was
already used by an earlier stage.

## Why is this bad?
`COPY --from=<name>`, `FROM <name>` and `--target <name>` must designate one stage. BuildKit
rejects duplicate names; older builders silently pick one of them.

## Example
```dockerfile
FROM node:20-alpine AS build
RUN npm ci && npm run build

FROM golang:1.23 AS build
RUN go build ./...
```

## Use instead
```dockerfile
FROM node:20-alpine AS web-build
RUN npm ci && npm run build

FROM golang:1.23 AS api-build
RUN go build ./...
```
"#,
    opt_in: false,
    check: check_duplicate,
};

pub static RESERVED_NAME: Rule = Rule {
    id: "reserved-stage-name",
    hadolint: &["DL3063"],
    buildkit: Some("ReservedStageName"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "Do not name a stage `scratch` or `context`",
    docs: r#"## What it does
Flags a stage named `scratch` or `context` (in any case).

## Why is this bad?
Both words already mean something to Docker: `scratch` is the empty base image and
`context` is the build context. `FROM scratch` or `COPY --from=context` after such a stage
no longer does what it says.

## Example
```dockerfile
FROM alpine:3.20 AS scratch
```

## Use instead
```dockerfile
FROM alpine:3.20 AS base
```
"#,
    opt_in: false,
    check: check_reserved,
};

pub static INVALID_NAME: Rule = Rule {
    id: "invalid-stage-name",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "Stage names start with a letter and use letters, digits, `-`, `_` and `.`",
    docs: r#"## What it does
Flags a stage name that Docker rejects: it must start with a letter and contain only letters,
digits, `-`, `_` and `.` (Docker checks `^[a-z][a-z0-9-_.]*$` after lower-casing it).

## Why is this bad?
The build fails with *"invalid name for build stage"*. Variables are not expanded in stage
names either, so `AS ${TARGET}` is rejected too.

## Example
```dockerfile
FROM golang:1.23 AS 1st-build
FROM golang:1.23 AS build:linux
```

## Use instead
```dockerfile
FROM golang:1.23 AS first-build
FROM golang:1.23 AS build-linux
```
"#,
    opt_in: false,
    check: check_invalid,
};

pub static FROM_AS_KEYWORD: Rule = Rule {
    id: "from-as-keyword",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "Name a stage with `FROM <image> AS <name>`",
    docs: r#"## What it does
Flags a `FROM` whose words after the image are not `AS <name>`: a mistyped keyword
(`FROM golang:1.23 AZ build`) or a missing one (`FROM golang:1.23 build`).

## Why is this bad?
Docker accepts only `FROM [--platform=…] <image> [AS <name>]`; anything else fails the
build with a terse parse error.

## Example
```dockerfile
FROM golang:1.23 SA build
FROM node:20-alpine web
```

## Use instead
```dockerfile
FROM golang:1.23 AS build
FROM node:20-alpine AS web
```

## Fix safety
The fix writes `AS` (replacing the mistyped word, or before the name). It is unsafe because
the intent is a guess: the extra word may have been meant as something else.
"#,
    opt_in: false,
    check: check_as_keyword,
};

pub static FROM_AS_CASING: Rule = Rule {
    id: "from-as-casing",
    hadolint: &[],
    buildkit: Some("FromAsCasing"),
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Write `AS` in the same case as `FROM`",
    docs: r#"## What it does
Flags `FROM … as name` (or `from … AS name`): the `AS` keyword in a different case from the
`FROM` keyword. A `FROM` written in mixed case is left to `instruction-casing`.

## Why is this bad?
Docker accepts any case, but mixing them is inconsistent and harder to scan.

## Example
```dockerfile
FROM golang:1.23 as build
```

## Use instead
```dockerfile
FROM golang:1.23 AS build
```

## Fix safety
Changing the case of `AS` is safe.
"#,
    opt_in: false,
    check: check_as_casing,
};

pub static STAGE_NAME_CASING: Rule = Rule {
    id: "stage-name-casing",
    hadolint: &[],
    buildkit: Some("StageNameCasing"),
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Write stage names in lower case",
    docs: r#"## What it does
Flags a stage name with upper-case letters.

## Why is this bad?
Docker lower-cases stage names, so `AS Builder`, `--from=builder` and `--target BUILDER` all
mean the same stage. Writing them in lower case keeps the Dockerfile, CI scripts and
`--target` arguments consistent.

## Example
```dockerfile
FROM golang:1.23 AS Builder
FROM alpine:3.20
COPY --from=Builder /out/app /app
```

## Use instead
```dockerfile
FROM golang:1.23 AS builder
FROM alpine:3.20
COPY --from=builder /out/app /app
```

## Fix safety
The fix lower-cases the name and every reference to it (`FROM <stage>`, `COPY --from=`,
`RUN --mount=from=`). It is safe: Docker compares stage names case-insensitively.
"#,
    opt_in: false,
    check: check_name_casing,
};

fn named<'a>(ctx: &'a Context) -> impl Iterator<Item = (&'a crate::syntax::Stage, &'a Word)> + 'a {
    ctx.df.stages.iter().filter_map(|s| s.name.as_ref().map(|n| (s, n)))
}

fn check_duplicate(ctx: &Context, out: &mut Vec<Finding>) {
    // The first stage of each name, from the model's index of stage names.
    for (stage, name) in named(ctx) {
        let Some(first) = ctx.df.stages_named(&name.text).next().filter(|first| first.index != stage.index) else { continue };
        let Some(earlier) = &first.name else { continue };
        out.push(
            Finding::new(name.range.clone(), format!("Stage name `{}` is already used by an earlier stage", name.text))
                .with_related(earlier.range.clone(), "first defined here"),
        );
    }
}

fn check_reserved(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, name) in named(ctx) {
        let lower = name.text.to_ascii_lowercase();
        if lower == "scratch" || lower == "context" {
            let meaning = if lower == "scratch" { "the empty base image" } else { "the build context" };
            out.push(Finding::new(
                name.range.clone(),
                format!("`{}` is reserved: it means {meaning}; choose another stage name", name.text),
            ));
        }
    }
}

/// Docker's stage name check, after lower-casing.
pub(super) fn valid_stage_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

fn check_invalid(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, name) in named(ctx) {
        if valid_stage_name(&name.text) {
            continue;
        }
        let why = if name.text.contains('$') {
            "variables are not expanded in stage names"
        } else if !name.text.starts_with(|c: char| c.is_ascii_alphabetic()) {
            "it must start with a letter"
        } else {
            "only letters, digits, `-`, `_` and `.` are allowed"
        };
        out.push(Finding::new(name.range.clone(), format!("Invalid stage name `{}`: {why}", name.text)));
    }
}

/// The words after the image in a FROM that the grammar could not place (an ERROR node),
/// for FROMs without a well-formed `AS name`.
fn stray_words<'a>(ctx: &'a Context, ins: &Instruction) -> Option<Vec<(&'a str, std::ops::Range<usize>)>> {
    let from = ins.from_args()?;
    if from.as_keyword.is_some() {
        return None;
    }
    let errors: Vec<_> = ctx
        .df
        .errors
        .iter()
        .filter(|e| e.missing.is_none() && e.range.start >= from.image.range.end && e.range.end <= ins.range.end)
        .collect();
    let [err] = errors.as_slice() else { return None };
    let mut words = Vec::new();
    let mut offset = err.range.start;
    for w in ctx.src(&err.range).split_whitespace() {
        let start = offset + ctx.text[offset..].find(w).unwrap_or(0);
        words.push((w, start..start + w.len()));
        offset = start + w.len();
    }
    Some(words)
}

fn check_as_keyword(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in ctx.df.instructions.iter().filter(|i| i.kind == Kind::From) {
        let Some(words) = stray_words(ctx, ins) else { continue };
        let as_kw = super::cased_like(&ins.keyword, "AS");
        // Naming the stage is no fix when another stage has the name.
        let taken = |name: &str| ctx.df.stages.iter().any(|s| s.name.as_ref().is_some_and(|n| n.text.eq_ignore_ascii_case(name)));
        match words.as_slice() {
            [(kw, kw_range), (name, _)] if !kw.eq_ignore_ascii_case("as") && valid_stage_name(name) => {
                let f = Finding::new(kw_range.clone(), format!("Expected `AS` before the stage name `{name}`, found `{kw}`"));
                out.push(if taken(name) {
                    f
                } else {
                    f.with_fix(Fix::unsafe_(format!("Replace `{kw}` with `{as_kw}` (unsafe: names the stage `{name}`)"), vec![Edit { range: kw_range.clone(), text: as_kw }]))
                });
            }
            [(name, range)] if !name.eq_ignore_ascii_case("as") && valid_stage_name(name) => {
                let f = Finding::new(range.clone(), format!("Unexpected `{name}` after the image; to name the stage, write `{as_kw} {name}`"));
                out.push(if taken(name) {
                    f
                } else {
                    f.with_fix(Fix::unsafe_(
                        format!("Insert `{as_kw}` before `{name}` (unsafe: names the stage `{name}`)"),
                        vec![Edit { range: range.start..range.start, text: format!("{as_kw} ") }],
                    ))
                });
            }
            _ => {}
        }
    }
}

fn check_as_casing(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in ctx.df.instructions.iter().filter(|i| i.kind == Kind::From) {
        let Some(as_range) = ins.from_args().and_then(|f| f.as_keyword.clone()) else { continue };
        let kw = &ins.keyword;
        let as_text = ctx.src(&as_range);
        let (lower, upper) = (kw.to_ascii_lowercase() == *kw, kw.to_ascii_uppercase() == *kw);
        if !lower && !upper {
            continue;
        }
        let want = super::cased_like(kw, "AS");
        if as_text != want {
            out.push(
                Finding::new(as_range.clone(), format!("`{as_text}` and `{kw}` differ in case; write `{want}`"))
                    .with_fix(Fix::replace(format!("Write `{want}`"), as_range, want)),
            );
        }
    }
}

fn check_name_casing(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, name) in named(ctx) {
        let lower = name.text.to_ascii_lowercase();
        if lower == name.text || name.has_expansions() {
            continue;
        }
        let symbol = ctx.sem.symbols.iter().position(|s| s.kind == SymbolKind::Stage && s.range == name.range);
        let ranges = match symbol {
            Some(sym) => ctx.sem.occurrences(sym),
            None => vec![name.range.clone()],
        };
        let edits = ranges.into_iter().map(|r| Edit { text: ctx.src(&r).to_ascii_lowercase(), range: r }).collect();
        out.push(
            Finding::new(name.range.clone(), format!("Stage name `{}` should be lower case: `{lower}`", name.text))
                .with_fix(Fix::safe(format!("Rename the stage to `{lower}`"), edits)),
        );
    }
}
