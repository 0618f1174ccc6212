//! `expose-inherited`: an EXPOSE port the base image's config already exposes.

use super::prelude::*;
use crate::registry::{ImageConfig, Platform};
use crate::semantics::Semantics;
use crate::syntax::{Dockerfile, Stage};

pub static RULE: Rule = Rule {
    id: "expose-inherited",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Hint,
    category: Category::Maintainability,
    tags: &[Tag::Unnecessary],
    summary: "EXPOSE of a port the base image already exposes",
    docs: r#"## What it does
Flags an `EXPOSE` port that the base image's config already exposes (with the same protocol),
when that config is known: the language server reads it from the image's registry, and
`dockls check` does too unless it runs offline. A stage built `FROM` an earlier stage inherits
that stage's base image.

## Why is this bad?
It is harmless: exposed ports are inherited, so the image records the port either way. The
line only repeats what the base image says, and reads as if this Dockerfile were the one that
opens the port.

## Example
```dockerfile
FROM nginx:1.27-alpine
# nginx's image already exposes 80/tcp
EXPOSE 80
```

## Use instead
```dockerfile
FROM nginx:1.27-alpine
```

Keep the line if you want the Dockerfile to document the port by itself, and turn the rule off
(`# dockls ignore=expose-inherited`). Ports written with a variable and port ranges are not
checked.
"#,
    opt_in: false,
    check,
};

/// `80`, `80/tcp`, `53/UDP` → `80/tcp`, `80/tcp`, `53/udp` (as image configs key ports); `None`
/// for a range, a variable or anything that is not a port.
pub fn normalized_port(word: &str) -> Option<String> {
    let (port, proto) = word.split_once('/').unwrap_or((word, "tcp"));
    let port: u16 = port.parse().ok()?;
    let proto = proto.to_ascii_lowercase();
    matches!(proto.as_str(), "tcp" | "udp" | "sctp").then(|| format!("{port}/{proto}"))
}

/// The stage whose FROM names the registry image stage `index` is built on: itself, or the
/// first stage of its `FROM <earlier stage>` chain; `through(stage)` is the earlier stage a
/// variable names, if any.
fn root_stage(df: &Dockerfile, index: usize, through: impl Fn(&Stage) -> Option<usize>) -> Option<&Stage> {
    let mut stage = df.stages.get(index)?;
    for _ in 0..df.stages.len() {
        match stage.parent.or_else(|| through(stage)) {
            Some(p) if p < stage.index => stage = df.stages.get(p)?,
            _ => break,
        }
    }
    Some(stage)
}

/// The base image stage `index` is built on, among `bases` (from [`super::base_images`],
/// worked out once by the caller); `None` for `scratch` or an unresolvable name. For hover
/// (`lsp::images`).
pub fn stage_base_image<'b>(text: &str, df: &Dockerfile, sem: &Semantics, target: &Platform, bases: &'b [super::BaseImage], index: usize) -> Option<&'b super::BaseImage> {
    let platform = crate::semantics::platform_values(&target.os, &target.architecture, target.variant.as_deref());
    let root = root_stage(df, index, |s| sem.stage_through_variables(text, df, s, &platform).map(|p| p.index))?;
    bases.iter().find(|b| b.range == root.image.range)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.options.image_configs.is_empty() {
        return;
    }
    let target = ctx.options.build_platform.clone().unwrap_or_else(Platform::host);
    // Every stage's base image once per lint run (by where its FROM names it), and each
    // stage's answer once, whatever its number of EXPOSE lines: linear in the file.
    let bases = std::cell::OnceCell::new();
    let by_start = || -> &std::collections::HashMap<usize, super::BaseImage> {
        bases.get_or_init(|| super::base_images(ctx.text, ctx.df, ctx.sem, &target).into_iter().map(|b| (b.range.start, b)).collect())
    };
    let mut per_stage: std::collections::HashMap<usize, Option<(&super::BaseImage, &ImageConfig)>> = Default::default();
    for (_, ins) in ctx.instructions() {
        let (Kind::Expose, Some(stage)) = (ins.kind, ins.stage) else { continue };
        let known = per_stage.entry(stage).or_insert_with(|| {
            let root = root_stage(ctx.df, stage, |s| ctx.stage_through_variables(s).map(|p| p.index))?;
            let base = by_start().get(&root.image.range.start)?;
            Some((base, ctx.options.image_configs.get(&base.reference.to_string())?))
        });
        let Some((base, config)) = known else { continue };
        for word in ins.words() {
            if word.text.contains('$') {
                continue;
            }
            let Some(port) = normalized_port(&word.value) else { continue };
            if config.exposed_ports.iter().any(|p| p.eq_ignore_ascii_case(&port)) {
                out.push(Finding::new(word.range.clone(), format!("the base image {} already exposes {port}", base.shown)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_as_configs_write_them() {
        assert_eq!(normalized_port("80").as_deref(), Some("80/tcp"));
        assert_eq!(normalized_port("53/UDP").as_deref(), Some("53/udp"));
        assert_eq!(normalized_port("8000-8010"), None);
        assert_eq!(normalized_port("$PORT"), None);
        assert_eq!(normalized_port("80/http"), None);
    }
}
