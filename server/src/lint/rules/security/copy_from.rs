//! `copy-whole-stage-root` and `copy-link`: cross-stage `COPY --from`.

use super::common::unquoted_range;
use super::prelude::*;

pub static COPY_WHOLE_STAGE_ROOT: Rule = Rule {
    id: "copy-whole-stage-root",
    hadolint: &["DL3067"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Copy only the files you need from another stage, not its whole filesystem",
    docs: r#"## What it does
Flags `COPY --from=<stage> / /`: copying the root of another stage or image over the root of
this one.

It is not flagged when the source stage is built `FROM scratch`: such a stage holds only what
was deliberately copied into it (the "rootfs" or squash pattern).

## Why is this bad?
The root of a stage is its whole filesystem: the base image, the compilers, the package
caches, the sources. Copying it defeats the point of a multi-stage build, and it overwrites
the final base image's files (`/etc/passwd`, `/etc/ssl`, the C library) with the builder's.

## Example
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
COPY --from=build / /
```

## Use instead
```dockerfile
FROM golang:1.23 AS build
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
```

## Differences from hadolint
dockls does not flag copying the root of a stage built `FROM scratch` (hadolint does, and
projects that squash their layers this way have to silence DL3067).
"#,
    opt_in: false,
    check: check_whole_root,
};

pub static COPY_LINK: Rule = Rule {
    id: "copy-link",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Cache,
    tags: &[],
    summary: "Use `COPY --link` for files copied from another stage",
    docs: r#"## What it does
Flags `COPY --from=<stage or image>` without `--link`. An explicit `--link=false` is respected.

## Why is this bad?
Without `--link`, the copied files are written on top of the previous layers, so the layer
depends on everything before it: changing the base image invalidates it, and the files are
copied again. With `--link` the files go into an independent layer that BuildKit reuses
whatever the layers below are: after a base image update the layer is reused instead of
copied again.

## Example
```dockerfile
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
```

## Use instead
```dockerfile
FROM gcr.io/distroless/static-debian12
COPY --link --from=build /out/app /app
```

## Fix safety
The fix inserts `--link`. It is unsafe: with `--link` the destination is not resolved against
the earlier layers, so a destination under a symlink of the base image (`/lib` pointing to
`/usr/lib` on merged-/usr systems, `/var/run` to `/run`) becomes a real directory that hides
the link, and `--chown` with user or group names is resolved without the earlier layers'
`/etc/passwd`. It also needs BuildKit (the legacy builder rejects the flag).
"#,
    opt_in: false,
    check: check_link,
};

fn is_root_path(v: &str) -> bool {
    v.starts_with('/') && v.split('/').all(|seg| seg.is_empty() || seg == ".")
}

fn check_whole_root(ctx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in ctx.instructions() {
        if ins.kind != Kind::Copy || !ins.heredocs.is_empty() {
            continue;
        }
        let Some(from) = ins.flag("from").and_then(|f| f.value.as_ref()) else { continue };
        if from.has_expansions() {
            continue;
        }
        if let Some(stage) = ctx.df.stage_named(&from.value, i) {
            if stage.image.is_scratch() {
                continue;
            }
        }
        let words = ins.words();
        let Some((dest, sources)) = words.split_last() else { continue };
        if !is_root_path(&dest.value) {
            continue;
        }
        for src in sources.iter().filter(|s| is_root_path(&s.value)) {
            out.push(Finding::new(
                unquoted_range(src),
                format!("This copies the whole filesystem of `{}` over this image's; copy only the files the image needs", from.value),
            ));
        }
    }
}

fn check_link(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != Kind::Copy || ins.flag("link").is_some() {
            continue;
        }
        let Some(from) = ins.flag("from") else { continue };
        let Some(first) = ins.flags.first() else { continue };
        let at = first.range.start;
        // `--from` without a value is a syntax error reported elsewhere.
        let Some(from_text) = from.value.as_ref().map(|v| v.text.as_str()).filter(|t| !t.is_empty()) else { continue };
        out.push(
            Finding::new(
                ins.keyword_range.clone(),
                format!("Add `--link` so the files copied from `{from_text}` form an independent layer that survives base image changes"),
            )
            .with_fix(Fix::unsafe_("Add `--link`", vec![Edit { range: at..at, text: "--link ".into() }])),
        );
    }
}
