//! `copy-relative-no-workdir`: COPY/ADD to a relative destination before any WORKDIR.

use super::prelude::*;

pub static RULE: Rule = Rule {
    id: "copy-relative-no-workdir",
    hadolint: &["DL3045"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Set WORKDIR before copying to a relative destination",
    docs: r#"## What it does
Flags `COPY`/`ADD` whose destination is a relative path when no `WORKDIR` was set earlier in
the stage (or in the stages it is built `FROM`), unless the base image's config sets one
(known when the language server or `dockls check`, unless offline, has its registry's answer).

## Why is this bad?
A relative destination is resolved against the working directory, which then comes from the
base image and can change with it (often `/`). Files end up somewhere the rest of the
Dockerfile does not expect.

## Example
```dockerfile
FROM node:20-alpine
COPY package.json .
```

## Use instead
```dockerfile
FROM node:20-alpine
WORKDIR /app
COPY package.json .
```

Not flagged in a stage built `FROM scratch` (or on such a stage): its working directory is
always `/`, there is no base image to change it.

## Differences from hadolint
Like hadolint, a WORKDIR in a parent stage (`FROM build`) counts, also when a variable names
the parent (`FROM build-${TARGETOS}`, with the predefined platform args of the build platform). Destinations that start with
a variable (`$APP_HOME/`) or a Windows drive are not flagged.
"#,
    opt_in: false,
    check,
};

fn is_relative(dest: &str) -> bool {
    !(dest.starts_with('/')
        || dest.starts_with('$')
        || dest.starts_with('\\')
        || dest.chars().nth(1) == Some(':')
        || dest.is_empty())
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // Whether each stage has set a WORKDIR so far (inherited from its parent stage).
    // `FROM scratch` works in `/`, always: it counts as set.
    let mut has_workdir = vec![false; ctx.df.stages.len()];
    for (_, ins) in ctx.instructions() {
        let Some(stage) = ins.stage else { continue };
        if ins.kind == Kind::From {
            let s = &ctx.df.stages[stage];
            // The parent stage, also when a variable names it (`FROM build-${TARGETOS}`).
            let parent = s.parent.or_else(|| ctx.stage_through_variables(s).map(|p| p.index));
            has_workdir[stage] = match parent {
                Some(p) => has_workdir.get(p).copied().unwrap_or(false),
                // A base image whose config sets a WORKDIR (when its registry's answer is known).
                None => s.image.is_scratch() || crate::lint::rules::base_config(ctx, stage).is_some_and(|c| c.working_dir.is_some()),
            };
            continue;
        }
        if ins.kind == Kind::Workdir {
            has_workdir[stage] = true;
            continue;
        }
        if !matches!(ins.kind, Kind::Copy | Kind::Add) || has_workdir[stage] {
            continue;
        }
        let words = ins.words();
        if words.len() < 2 {
            continue;
        }
        let dest = &words[words.len() - 1];
        if is_relative(&dest.value) {
            out.push(Finding::new(
                dest.range.clone(),
                format!("`{}` is relative but no WORKDIR is set: it depends on the base image's working directory", dest.value),
            ));
        }
    }
}
