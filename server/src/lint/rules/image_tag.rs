//! `image-tag-missing` and `image-latest`: pin base images to a version.

use super::prelude::*;

pub static TAG_MISSING: Rule = Rule {
    id: "image-tag-missing",
    hadolint: &["DL3006"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin the base image to a tag",
    docs: r#"## What it does
Flags `FROM image` without a tag or digest.

## Why is this bad?
Without a tag Docker pulls `latest`, which moves: the same Dockerfile builds a different image
next month, and a major version bump of the base can break the build or the app.

## Example
```dockerfile
FROM python
```

## Use instead
```dockerfile
FROM python:3.12-slim
```

A FROM that names an earlier stage is not an image, also when variables name it:
`FROM binaries-$TARGETOS` after `FROM scratch AS binaries-linux` is expanded with the global
ARG defaults and the predefined platform args of the build platform (`TARGETOS`,
`TARGETARCH`, `BUILDOS`, …) before it is taken for an image.
"#,
    opt_in: false,
    check: check_missing,
};

pub static LATEST: Rule = Rule {
    id: "image-latest",
    hadolint: &["DL3007"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Do not use the `latest` tag",
    docs: r#"## What it does
Flags `FROM image:latest`.

## Why is this bad?
`latest` is just the tag most recently pushed: builds are not reproducible and can break
without any change to your Dockerfile.

## Example
```dockerfile
FROM node:latest
```

## Use instead
```dockerfile
FROM node:20.18-alpine
```
"#,
    opt_in: false,
    check: check_latest,
};

/// FROM instructions whose image is a real image (not `scratch`, not an earlier stage, not
/// fully given by a variable).
/// A FROM that names an earlier stage through variables (`FROM binaries-$TARGETOS`, expanded
/// with the global ARG defaults and the predefined platform args of the build platform) is a
/// stage, not an image.
fn base_images<'a>(ctx: &'a Context) -> impl Iterator<Item = (&'a crate::syntax::Stage, &'a crate::syntax::ImageRef)> + 'a {
    ctx.df.stages.iter().filter_map(move |s| {
        let img = &s.image;
        let from_var = img.repository.0.starts_with('$');
        let image = s.parent.is_none() && !img.is_scratch() && !from_var && !img.repository.0.is_empty();
        (image && ctx.stage_through_variables(s).is_none()).then_some((s, img))
    })
}

fn check_missing(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, img) in base_images(ctx) {
        if img.tag.is_none() && img.digest.is_none() {
            out.push(Finding::new(
                img.range.clone(),
                format!("`{}` has no tag, so it means `{}:latest`; pin a version", img.text, img.text),
            ));
        }
    }
}

fn check_latest(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, img) in base_images(ctx) {
        if let Some((tag, range)) = &img.tag {
            if tag == "latest" && img.digest.is_none() {
                out.push(Finding::new(range.clone(), "`latest` moves with every release; pin a version tag or a digest"));
            }
        }
    }
}
