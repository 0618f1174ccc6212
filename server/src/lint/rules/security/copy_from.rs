//! `copy-whole-stage-root` and `copy-link`: cross-stage `COPY --from`.

use super::common::unquoted_range;
use super::prelude::*;
use crate::syntax::Stage;

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
was deliberately copied into it (the "rootfs" or squash pattern). That includes a stage built
on such a stage, also when a variable chooses it (`FROM scratch AS out-linux` …
`FROM out-${TARGETOS} AS out`, with the predefined platform args of the build platform). Nor
is it flagged for the cross-compilation helper `tonistiigi/xx`, whose documented use is
`FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx` and `COPY --from=xx / /`: its root holds
only the helper scripts.

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

/// Images whose whole filesystem is meant to be copied: the cross-compilation helpers of
/// `tonistiigi/xx` (`COPY --from=xx / /` is its documented use).
const ROOT_COPY_IMAGES: &[&str] = &["tonistiigi/xx"];

/// The repository of an image reference as written (`docker.io/tonistiigi/xx:1.6@sha256:…` →
/// `tonistiigi/xx`).
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let image = match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    };
    let image = image.strip_prefix("docker.io/").or_else(|| image.strip_prefix("index.docker.io/")).unwrap_or(image);
    image.strip_prefix("library/").unwrap_or(image)
}

/// The first stage of the chain a stage is built on (`FROM build`, or through variables as in
/// `FROM out-${TARGETOS}`); `None` when a variable names neither a stage nor a known image.
fn root_of<'a>(ctx: &'a Context, stage: &'a Stage) -> Option<&'a Stage> {
    let mut s = stage;
    for _ in 0..ctx.df.stages.len() {
        let next = match s.parent {
            Some(p) => ctx.df.stages.get(p),
            None => ctx.stage_through_variables(s),
        };
        match next {
            Some(n) if n.index < s.index => s = n,
            _ => break,
        }
    }
    (s.parent.is_none() && !s.image.has_expansions()).then_some(s)
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
        let root = match ctx.df.stage_named(&from.value, i) {
            Some(stage) => root_of(ctx, stage).map(|s| s.image.text.as_str()),
            None => Some(from.value.as_str()),
        };
        // Through a variable that names no stage: unknown.
        let Some(root) = root else { continue };
        if root == "scratch" || ROOT_COPY_IMAGES.contains(&repository(root)) {
            continue;
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

/// Whether `--from=<name>` names a stage before this one (by name or index) or an image.
fn names_earlier_stage_or_image(ctx: &Context, idx: usize, ins: &Instruction, name: &str) -> bool {
    let Some(current) = ins.stage else { return true };
    if let Ok(n) = name.parse::<usize>() {
        return n < current;
    }
    match ctx.df.stage_named(name, idx) {
        Some(s) => s.index != current,
        None => {
            let later = ctx.df.stages.iter().any(|s| s.name.as_ref().is_some_and(|n| n.text.eq_ignore_ascii_case(name)));
            !later && (name.contains(['/', ':', '.', '@']) || name == "scratch")
        }
    }
}

fn check_link(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        if ins.kind != Kind::Copy || ins.flag("link").is_some() {
            continue;
        }
        let Some(from) = ins.flag("from") else { continue };
        let Some(first) = ins.flags.first() else { continue };
        let at = first.range.start;
        // `--from` without a value is a syntax error reported elsewhere.
        let Some(from_text) = from.value.as_ref().map(|v| v.text.as_str()).filter(|t| !t.is_empty()) else { continue };
        // A `--from` that is already wrong (not an earlier stage nor an image: the rules
        // `copy-from-unknown-stage` and `copy-from-self`) is fixed first.
        if from.value.as_ref().is_some_and(|v| !v.has_expansions() && !names_earlier_stage_or_image(ctx, idx, ins, &v.value)) {
            continue;
        }
        out.push(
            Finding::new(
                ins.keyword_range.clone(),
                format!("Add `--link` so the files copied from `{from_text}` form an independent layer that survives base image changes"),
            )
            .with_fix(Fix::unsafe_("Add `--link` (unsafe: the files no longer follow symlinks or see files already at the destination)", vec![Edit { range: at..at, text: "--link ".into() }])),
        );
    }
}
