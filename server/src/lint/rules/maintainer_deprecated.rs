//! `maintainer-deprecated`: MAINTAINER → LABEL org.opencontainers.image.authors.

use super::prelude::*;

pub static RULE: Rule = Rule {
    id: "maintainer-deprecated",
    hadolint: &["DL4000"],
    buildkit: Some("MaintainerDeprecated"),
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[Tag::Deprecated],
    summary: "MAINTAINER is deprecated; use a LABEL",
    docs: r#"## What it does
Flags the `MAINTAINER` instruction.

## Why is this bad?
MAINTAINER is deprecated. The OCI annotation `org.opencontainers.image.authors` is the
standard place for the author, and tools read it.

## Example
```dockerfile
MAINTAINER Jane Doe <jane@example.com>
```

## Use instead
```dockerfile
LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
```

## Fix safety
Safe: the author moves from the deprecated field to the standard label.
"#,
    opt_in: false,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != Kind::Maintainer {
            continue;
        }
        let name = ins.words().first().map(|w| ctx.src(&w.range).trim().to_string()).unwrap_or_default();
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        let label = if ins.keyword == "maintainer" { "label" } else { "LABEL" };
        out.push(
            Finding::new(ins.keyword_range.clone(), "MAINTAINER is deprecated; use `LABEL org.opencontainers.image.authors=…`")
                .with_fix(Fix::replace(
                    "Convert to LABEL org.opencontainers.image.authors",
                    ins.range.clone(),
                    format!("{label} org.opencontainers.image.authors=\"{quoted}\""),
                )),
        );
    }
}
