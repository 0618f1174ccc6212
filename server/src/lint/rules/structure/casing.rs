//! `instruction-casing` and `directive-casing`.

use super::super::prelude::*;

pub static INSTRUCTION_CASING: Rule = Rule {
    id: "instruction-casing",
    hadolint: &[],
    buildkit: Some("ConsistentInstructionCasing"),
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Write instruction keywords in one case, like most of the file",
    docs: r#"## What it does
Counts the instruction keywords written all in upper case and all in lower case, and flags
the keywords that do not follow the majority (upper case on a tie), including mixed-case
ones such as `Run`. ONBUILD triggers count too.

## Why is this bad?
Docker accepts keywords in any case, but a file that mixes `RUN` and `run` is harder to read
and to search. Upper case is the convention of the Dockerfile reference.

## Example
```dockerfile
FROM alpine:3.20
run apk add --no-cache curl
Copy app /app
```

## Use instead
```dockerfile
FROM alpine:3.20
RUN apk add --no-cache curl
COPY app /app
```

## Fix safety
Changing the case of a keyword is safe.

## Differences from other tools
BuildKit's check is the same. docker-langserver (dockerfile-utils) asks for upper case
everywhere; dockls, like BuildKit, accepts a consistently lower-case file.
"#,
    opt_in: false,
    check: check_instructions,
};

pub static DIRECTIVE_CASING: Rule = Rule {
    id: "directive-casing",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Write parser directive names in lower case",
    docs: r#"## What it does
Flags a parser directive (`syntax`, `escape`, `check`) whose name is not lower case, such as
`# Syntax=docker/dockerfile:1`.

## Why is this bad?
Docker matches directive names case-insensitively, but the lower-case form is the documented
one, and other tools that look for `# syntax=` may miss the directive.

## Example
```dockerfile
# Syntax=docker/dockerfile:1
FROM alpine:3.20
```

## Use instead
```dockerfile
# syntax=docker/dockerfile:1
FROM alpine:3.20
```

## Fix safety
Lower-casing the name is safe.
"#,
    opt_in: false,
    check: check_directives,
};

fn check_instructions(ctx: &Context, out: &mut Vec<Finding>) {
    let keywords = || super::with_nested(ctx).filter(|i| !i.keyword.is_empty());
    // Byte checks, not lower/upper-cased copies, and no list of the instructions: this runs
    // over every instruction on each edit.
    let is_lower = |kw: &str| !kw.bytes().any(|b| b.is_ascii_uppercase());
    let is_upper = |kw: &str| !kw.bytes().any(|b| b.is_ascii_lowercase());
    let (lower, upper) = keywords().fold((0, 0), |(l, u), i| (l + is_lower(&i.keyword) as usize, u + is_upper(&i.keyword) as usize));
    let majority_lower = lower > upper;
    for ins in keywords() {
        let kw = &ins.keyword;
        if (majority_lower && is_lower(kw)) || (!majority_lower && is_upper(kw)) {
            continue;
        }
        let (want, case) =
            if majority_lower { (kw.to_ascii_lowercase(), "lower") } else { (kw.to_ascii_uppercase(), "upper") };
        if *kw == want {
            continue;
        }
        // A FROM's `AS` follows its case (`from-as-casing`): rewritten in the same fix.
        let mut edits = vec![Edit { range: ins.keyword_range.clone(), text: want.to_string() }];
        if let Some(as_range) = ins.from_args().and_then(|f| f.as_keyword.clone()) {
            let as_want = super::cased_like(&want, "AS");
            if ctx.src(&as_range) != as_want {
                edits.push(Edit { range: as_range, text: as_want });
            }
        }
        out.push(
            Finding::new(
                ins.keyword_range.clone(),
                format!("`{kw}` should be {case} case like most instructions in this file: `{want}`"),
            )
            .with_fix(Fix::safe(format!("Write `{want}`"), edits)),
        );
    }
}

fn check_directives(ctx: &Context, out: &mut Vec<Finding>) {
    for d in &ctx.df.directives {
        let lower = d.name.to_ascii_lowercase();
        if lower == d.name || !["syntax", "escape", "check"].contains(&lower.as_str()) {
            continue;
        }
        out.push(
            Finding::new(d.name_range.clone(), format!("Write the directive name in lower case: `{lower}`"))
                .with_fix(Fix::replace(format!("Write `{lower}`"), d.name_range.clone(), lower)),
        );
    }
}
