//! `invalid-base-image-platform`: the base image has no build for the platform the stage is
//! built for. The rule only reads `LintOptions::image_platforms`; fetching them from the
//! registries is the caller's job (`check`, the language server), so the rule stays pure.

use super::prelude::*;
use crate::registry::{Platform, Reference};
use crate::semantics::resolve::{self, Values};
use crate::semantics::Semantics;
use crate::syntax::{Dockerfile, Stage};

pub static RULE: Rule = Rule {
    id: "invalid-base-image-platform",
    hadolint: &[],
    buildkit: Some("InvalidBaseImagePlatform"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "The base image must provide the platform the stage is built for",
    docs: r#"## What it does
Looks up which platforms a `FROM` image provides in its registry (the image index, or the
config of a single-platform image) and flags the `FROM` when none of them is the platform the
stage is built for: the `--platform` value when it is a constant or resolves
(`$BUILDPLATFORM` and `$TARGETPLATFORM` are the build platform), else the build platform. The
build platform is the machine dockls runs on, or `[build] platform = "linux/arm64"` in
`.dockls.toml`.

The lookup needs the network: `dockls check` fetches the images before linting (with a
timeout, and a cache under `~/.cache/dockls`), the language server shows the finding once the
background fetch is done. Offline (`--offline`, `DOCKLS_OFFLINE=1`, `[registries] offline =
true`) only cached answers are used; an image that could not be looked up is not flagged.

## Why is this bad?
Docker then pulls a build for another platform: the build fails with `exec format error`
at the first `RUN`, or the image runs slowly under emulation, or `docker build` refuses the
image outright.

## Example
```dockerfile
# the image only has linux/amd64
FROM --platform=linux/arm64 example/tool:1.0
```

## Use instead
```dockerfile
FROM --platform=linux/amd64 example/tool:1.0
```
or a base image that is published for the platform you build for.
"#,
    opt_in: false,
    check,
};

/// The values FROM lines see: the predefined platform args for `target`, then global ARG
/// defaults (an `ARG TARGETPLATFORM` without default keeps the automatic value).
fn from_values(text: &str, df: &Dockerfile, sem: &Semantics, target: &Platform) -> Values {
    let mut values = Values::new();
    let variant = target.variant.clone().unwrap_or_default();
    for prefix in ["TARGET", "BUILD"] {
        values.insert(format!("{prefix}PLATFORM"), Some(target.to_string()));
        values.insert(format!("{prefix}OS"), Some(target.os.clone()));
        values.insert(format!("{prefix}ARCH"), Some(target.architecture.clone()));
        values.insert(format!("{prefix}VARIANT"), Some(variant.clone()));
    }
    // The global ARGs: what every FROM sees, wherever it is.
    for (name, value) in sem.values_at(text, df, None, 0) {
        if value.is_some() {
            values.insert(name, value);
        }
    }
    values
}

fn resolved(df: &Dockerfile, raw: &str, values: &Values) -> String {
    crate::syntax::unquote(&resolve::expand(raw, values, df.escape), df.escape)
}

/// The registry image a stage starts from, with ARGs resolved: `None` for `scratch`, an
/// earlier stage, or what does not resolve to an image name.
fn stage_image(df: &Dockerfile, stage: &Stage, values: &Values, names: &StageNames) -> Option<Reference> {
    if stage.parent.is_some() || stage.image.is_scratch() || stage.image.text.is_empty() {
        return None;
    }
    let name = resolved(df, &stage.image.text, values);
    let earlier_stage = names.get(&name.to_ascii_lowercase()).is_some_and(|&i| i < stage.index);
    if earlier_stage || name == "scratch" {
        return None;
    }
    Reference::parse(&name)
}

/// Each stage name (lowercase, as Docker compares them) with the first stage that has it: an
/// image that resolves to one of them, in a later stage, is that stage, not a registry image.
type StageNames = std::collections::HashMap<String, usize>;

fn stage_names(df: &Dockerfile) -> StageNames {
    let mut names = StageNames::new();
    for s in &df.stages {
        if let Some(n) = &s.name {
            names.entry(n.text.as_str().to_ascii_lowercase()).or_insert(s.index);
        }
    }
    names
}

/// The values FROM lines see, computed only when an image names a variable (a plain name
/// resolves to itself) and then once: they are the global ARGs and the platform args, the
/// same for every FROM (at 5,000 lines there are 200 FROMs, and this runs per keystroke).
fn values_for<'v>(text: &str, df: &Dockerfile, sem: &Semantics, target: &Platform, stage: &Stage, shared: &'v std::cell::OnceCell<Values>, empty: &'v Values) -> &'v Values {
    if stage.parent.is_none() && stage.image.text.contains('$') {
        shared.get_or_init(|| from_values(text, df, sem, target))
    } else {
        empty
    }
}

/// A stage's registry image, as written and as resolved.
#[derive(Debug, Clone)]
pub struct BaseImage {
    /// The image reference token in FROM.
    pub range: std::ops::Range<usize>,
    /// How to name it in a message: `` `alpine:3.20` ``, or `` `$IMG` (`alpine:3.20`) ``.
    pub shown: String,
    /// The image name with build args resolved (`alpine:3.20`).
    pub name: String,
    pub reference: Reference,
}

/// The registry image of every stage that has one, in order (a reference may repeat), with
/// ARGs resolved for `target` as the rule resolves them.
pub fn base_images(text: &str, df: &Dockerfile, sem: &Semantics, target: &Platform) -> Vec<BaseImage> {
    let names = stage_names(df);
    let (shared, empty) = (std::cell::OnceCell::new(), Values::new());
    // Each image text resolved and parsed once (many FROMs share one, as `debian:${V}-slim`):
    // its name, lower-cased name and reference. The values are the same for every FROM.
    let mut by_text: std::collections::HashMap<&str, (String, String, Option<Reference>)> = std::collections::HashMap::new();
    df.stages
        .iter()
        .filter_map(|s| {
            // As `stage_image`, which the rules use one stage at a time.
            if s.parent.is_some() || s.image.is_scratch() || s.image.text.is_empty() {
                return None;
            }
            let written = &s.image.text;
            let (name, lower, reference) = by_text.entry(written.as_str()).or_insert_with(|| {
                let name = resolved(df, written, values_for(text, df, sem, target, s, &shared, &empty));
                let reference = if name == "scratch" { None } else { Reference::parse(&name) };
                let lower = name.to_ascii_lowercase();
                (name, lower, reference)
            });
            if names.get(lower.as_str()).is_some_and(|&i| i < s.index) {
                return None;
            }
            let reference = reference.clone()?;
            let shown = if written.contains('$') { format!("`{written}` (`{name}`)") } else { format!("`{written}`") };
            Some(BaseImage { range: s.image.range.clone(), shown, name: name.clone(), reference })
        })
        .collect()
}

/// The config of the registry image stage `index` is built on (through `FROM <earlier stage>`
/// chains) for the build platform, when its registry's answer is known; else `None`.
pub fn base_config<'a>(ctx: &Context<'a>, index: usize) -> Option<&'a crate::registry::ImageConfig> {
    if ctx.options.image_configs.is_empty() {
        return None;
    }
    let mut stage = ctx.df.stages.get(index)?;
    for _ in 0..ctx.df.stages.len() {
        match stage.parent.or_else(|| ctx.stage_through_variables(stage).map(|p| p.index)) {
            Some(p) if p < stage.index => stage = ctx.df.stages.get(p)?,
            _ => break,
        }
    }
    let build = ctx.options.build_platform.clone().unwrap_or_else(Platform::host);
    let values = if stage.image.text.contains('$') { from_values(ctx.text, ctx.df, ctx.sem, &build) } else { Values::new() };
    let reference = stage_image(ctx.df, stage, &values, &stage_names(ctx.df))?;
    ctx.options.image_configs.get(&reference.to_string())
}

/// The distinct registry images of every stage (for the caller to fetch their platforms or
/// vulnerabilities), resolved as the rules resolve them.
pub fn base_image_references(text: &str, df: &Dockerfile, sem: &Semantics, target: &Platform) -> Vec<Reference> {
    crate::registry::distinct(base_images(text, df, sem, target).into_iter().map(|b| b.reference))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.options.image_platforms.is_empty() {
        return;
    }
    let build = ctx.options.build_platform.clone().unwrap_or_else(Platform::host);
    let names = stage_names(ctx.df);
    let values = from_values(ctx.text, ctx.df, ctx.sem, &build);
    for stage in &ctx.df.stages {
        let Some(image) = stage_image(ctx.df, stage, &values, &names) else { continue };
        let Some(available) = ctx.options.image_platforms.get(&image.to_string()) else { continue };
        if available.is_empty() {
            continue;
        }
        let flag = ctx.df.instructions[stage.from].flag("platform").and_then(|f| f.value.as_ref());
        let (wanted, range) = match flag {
            Some(v) => {
                // A platform that does not resolve (a build arg without default) is unknown.
                let Some(p) = Platform::parse(&resolved(ctx.df, &v.text, &values)) else { continue };
                (p, v.range.clone())
            }
            None => (build.clone(), stage.image.range.clone()),
        };
        if available.iter().any(|a| a.serves(&wanted)) {
            continue;
        }
        let list: Vec<String> = available.iter().map(|p| p.to_string()).collect();
        let written = &stage.image.text;
        let shown = if written.contains('$') { format!("`{written}` (`{}`)", resolved(ctx.df, written, &values)) } else { format!("`{written}`") };
        out.push(Finding::new(range, format!("{shown} has no build for platform `{wanted}` (it provides {})", list.join(", "))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    fn refs(text: &str) -> Vec<String> {
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let sem = Semantics::analyze(text, &df);
        base_image_references(text, &df, &sem, &Platform::parse("linux/arm64").unwrap()).iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn references_resolve_args_and_skip_stages() {
        let text = "ARG V=3.20\nARG IMG=ghcr.io/o/tool\nFROM alpine:${V} AS base\nFROM base\nFROM $IMG:1 AS t\nFROM scratch\nFROM alpine:3.20\nFROM $UNSET\nFROM golang:1-${TARGETARCH}\n";
        assert_eq!(refs(text), ["docker.io/library/alpine:3.20", "ghcr.io/o/tool:1", "docker.io/library/golang:1-arm64"]);
    }

    #[test]
    fn an_arg_naming_an_earlier_stage_is_that_stage_but_a_later_one_is_an_image() {
        // `$EARLY` resolves to the stage above (any case); `$LATE` to a stage defined only
        // after it, so Docker pulls an image of that name.
        let text = "ARG EARLY=Build\nARG LATE=tools\nFROM alpine:3.20 AS build\nFROM ${EARLY}\nFROM ${LATE}\nFROM alpine:3.20 AS tools\n";
        assert_eq!(refs(text), ["docker.io/library/alpine:3.20", "docker.io/library/tools:latest"]);
    }
}
