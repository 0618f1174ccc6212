//! `missing-dockerignore` and `copy-ignored-file`: the build context and its `.dockerignore`.

use super::common::unquoted_range;
use super::dockerignore::{clean, DockerIgnore};
use super::prelude::*;
use crate::syntax::Word;

pub static MISSING_DOCKERIGNORE: Rule = Rule {
    id: "missing-dockerignore",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Add a .dockerignore before copying the whole build context",
    docs: r#"## What it does
Flags `COPY . <dest>` and `ADD . <dest>` (the whole build context) when the build context is
known and has no `.dockerignore` (nor a `<Dockerfile>.dockerignore` next to the Dockerfile).
The finding is on the `.` source.

## Why is this bad?
Without a `.dockerignore`, everything in the directory goes into the image: `.git` (with its
history), `.env` files and local credentials, `node_modules` or virtualenvs built for the host,
build outputs. That leaks secrets into the image, makes it bigger, and invalidates the layer
cache whenever any of those files changes.

## Example
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY . .
```
in a directory without `.dockerignore`.

## Use instead
Add a `.dockerignore` next to the Dockerfile:
```text
.git
.env*
node_modules
dist
*.log
```
or copy only what the image needs (`COPY package.json package-lock.json ./`, `COPY src ./src`).
"#,
    opt_in: false,
    check: check_missing,
};

pub static COPY_IGNORED_FILE: Rule = Rule {
    id: "copy-ignored-file",
    hadolint: &[],
    buildkit: Some("CopyIgnoredFile"),
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "Do not COPY or ADD a path that .dockerignore excludes",
    docs: r#"## What it does
Flags a `COPY` or `ADD` source from the build context that the context's `.dockerignore`
excludes, itself or through a parent directory. Sources with wildcards or variables, `--from`
copies, heredocs and URLs are not checked. The patterns follow Docker's rules: they are relative
to the context root (`node_modules` does not match `src/node_modules`), `*` and `?` do not cross
`/`, `**` matches any number of directories, and the last matching pattern wins (`!` re-includes).

## Why is this bad?
Excluded files are never sent to the builder, so the build fails with
`"/config.yaml": not found` — or, for a directory, part of it is silently missing.

## Example
```dockerfile
# .dockerignore contains: *.md
FROM nginx:1.27-alpine
COPY README.md /usr/share/nginx/html/
```

## Use instead
Remove the path from `.dockerignore` (or re-include it with `!README.md`), or stop copying it.

## Differences from BuildKit
BuildKit's `CopyIgnoredFile` gives up on any `.dockerignore` that contains a `!` pattern.
dockls evaluates `!` patterns and only stays silent when one of them may re-include something
below the copied directory.
"#,
    opt_in: false,
    check: check_ignored,
};

/// The context sources of a COPY/ADD: none for `--from`, heredocs and remote ADD sources.
fn context_sources(ins: &Instruction) -> &[Word] {
    if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() || !ins.heredocs.is_empty() {
        return &[];
    }
    match ins.words().split_last() {
        Some((_, sources)) => sources,
        None => &[],
    }
}

fn is_remote(v: &str) -> bool {
    v.contains("://") || v.starts_with("git@")
}

fn check_missing(ctx: &Context, out: &mut Vec<Finding>) {
    if !ctx.options.context_known || ctx.options.dockerignore.is_some() {
        return;
    }
    for (_, ins) in ctx.instructions() {
        for src in context_sources(ins) {
            if !src.has_expansions() && clean(&src.value) == "." {
                out.push(Finding::new(
                    unquoted_range(src),
                    format!(
                        "`{} .` sends the whole build context into the image and there is no .dockerignore; add one to leave out .git, secrets and build outputs",
                        ins.kind.keyword()
                    ),
                ));
            }
        }
    }
}

fn check_ignored(ctx: &Context, out: &mut Vec<Finding>) {
    if !ctx.options.context_known {
        return;
    }
    let Some(text) = &ctx.options.dockerignore else { return };
    let ignore = DockerIgnore::parse(text);
    if ignore.patterns.is_empty() {
        return;
    }
    for (_, ins) in ctx.instructions() {
        for src in context_sources(ins) {
            let v = &src.value;
            if src.has_expansions() || v.contains('$') || is_remote(v) || v.contains(['*', '?', '[']) {
                continue;
            }
            let path = clean(v.trim_start_matches('/'));
            if path.starts_with("..") {
                continue;
            }
            let verdict = ignore.verdict(&path);
            let Some(idx) = verdict.pattern else { continue };
            if !verdict.excluded || ignore.may_reinclude_below(&path, idx) {
                continue;
            }
            let pattern = &ignore.patterns[idx].text;
            let what = if path == "." { "the build context".to_string() } else { format!("`{path}`") };
            out.push(Finding::new(
                unquoted_range(src),
                format!("{what} is excluded by .dockerignore (pattern `{pattern}`), so {} will not find it", ins.kind.keyword()),
            ));
        }
    }
}
