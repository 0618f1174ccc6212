//! `workdir-absolute`: WORKDIR should be an absolute path.

use super::prelude::*;

pub static RULE: Rule = Rule {
    id: "workdir-absolute",
    hadolint: &["DL3000"],
    buildkit: Some("WorkdirRelativePath"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "Use an absolute path in WORKDIR",
    docs: r#"## What it does
Flags a `WORKDIR` whose path is relative (`WORKDIR app`).

## Why is this bad?
A relative WORKDIR is resolved against the previous WORKDIR, which may be set by the base
image and change when the base image changes. An absolute path says where files go, whatever
the base image does.

## Example
```dockerfile
FROM node:20-alpine
WORKDIR app
```

## Use instead
```dockerfile
FROM node:20-alpine
WORKDIR /app
```

## Fix safety
The fix prefixes `/`. It is unsafe: if the base image sets a WORKDIR other than `/`, the
directory changes.
"#,
    opt_in: false,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != Kind::Workdir {
            continue;
        }
        let Some(path) = ins.words().first() else { continue };
        let v = &path.value;
        // Variables may expand to an absolute path; Windows paths (`C:\`, `\app`) are absolute.
        let absolute = v.starts_with('/')
            || v.starts_with('$')
            || v.starts_with('\\')
            || v.chars().nth(1) == Some(':');
        if !absolute {
            out.push(
                Finding::new(path.range.clone(), format!("WORKDIR `{v}` is relative; use an absolute path such as `/{v}`"))
                    .with_fix(Fix::unsafe_(
                        format!("Make absolute: `/{v}` (unsafe: no longer below the previous WORKDIR)"),
                        vec![Edit { range: path.range.start..path.range.start, text: "/".into() }],
                    )),
            );
        }
    }
}
