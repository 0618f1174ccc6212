//! `trusted-registry`, `image-digest` and `slim-base-image`: where the base image comes from,
//! how it is pinned, and how big it is.

use super::common::{base_images, final_chain, is_literal_image, official_name};
use super::prelude::*;
use crate::syntax::ImageRef;

pub static TRUSTED_REGISTRY: Rule = Rule {
    id: "trusted-registry",
    hadolint: &["DL3026"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Pull base images only from the trusted registries",
    docs: r#"## What it does
When trusted registries are configured (`[registries] trusted = [...]` in `.dockls.toml`, or
`trustedRegistries` in `.hadolint.yaml`), flags a `FROM` whose image comes from another
registry. Images without a registry are on Docker Hub, which is `docker.io`. An entry may start
with `*.` to allow every subdomain (`*.gcr.io`). Without configuration the rule does nothing.

## Why is this bad?
Organisations mirror and scan the images they allow; a base image from an arbitrary registry
skips that review and can change or disappear without notice.

## Example
```dockerfile
# trusted: registry.example.com
FROM quay.io/someone/python:3.12
```

## Use instead
```dockerfile
FROM registry.example.com/mirror/python:3.12
```

## Differences from hadolint
hadolint reports DL3026 as an error; dockls uses a warning since the build itself works.
"#,
    opt_in: false,
    check: check_trusted_registry,
};

pub static IMAGE_DIGEST: Rule = Rule {
    id: "image-digest",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Hint,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin the base image to a digest",
    docs: r#"## What it does
Flags a `FROM` whose image has no `@sha256:…` digest. It is a hint: editors show it faintly,
and `dockls check` lists it only when asked for hints.

## Why is this bad?
Tags move: `python:3.12-slim` is rebuilt for every patch release and security update. Two
builds of the same Dockerfile can start from different images. A digest names exactly one
image; a tool such as Renovate or Dependabot can keep the digest and the tag up to date
together.

## Example
```dockerfile
FROM python:3.12-slim
```

## Use instead
```dockerfile
FROM python:3.12-slim@sha256:2b1a4d7c0e0d4f4ee4ba6a3c40b7e6d3f1c5bd7e1a3f6a5d1f0b2c3d4e5f6a7b
```
"#,
    opt_in: false,
    check: check_digest,
};

pub static SLIM_BASE_IMAGE: Rule = Rule {
    id: "slim-base-image",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Use a slim or Alpine variant of the base image for the final stage",
    docs: r#"## What it does
Flags the final stage's base image when it is the full variant of an official image that has
a smaller one: `python`, `node`, `ruby`, `perl`, `rust`, `elixir`, `erlang`, `haskell`,
`debian` (`-slim`), `golang` and `php` (`-alpine`) and `openjdk` (deprecated: use
`eclipse-temurin` with a `-jre` tag). Builder stages are not flagged: they need the compilers
the full images carry.

## Why is this bad?
The full images include compilers, headers and hundreds of packages the application does not
need at run time: hundreds of megabytes to pull and store, and many more packages for a
vulnerability scanner to report.

## Example
```dockerfile
FROM python:3.12
COPY --from=build /venv /venv
CMD ["/venv/bin/python", "-m", "app"]
```

## Use instead
```dockerfile
FROM python:3.12-slim
COPY --from=build /venv /venv
CMD ["/venv/bin/python", "-m", "app"]
```

## Fix safety
For `python`, `node` and `ruby` with a plain version tag (`3.12`, `20.11.1`), the fix appends
`-slim`. It is unsafe: the slim image lacks build tools and some libraries, so a `RUN` that
compiles native extensions or a program that shells out to `git` or `curl` may break.
"#,
    opt_in: false,
    check: check_slim,
};

/// The registries to accept (from `.dockls.toml`, `.hadolint.yaml` or LSP settings).
fn trusted(ctx: &Context) -> Vec<String> {
    ctx.options.trusted_registries.clone()
}

fn normalize_registry(r: &str) -> String {
    let r = r.trim().trim_end_matches('/').to_ascii_lowercase();
    let r = r.strip_prefix("https://").or_else(|| r.strip_prefix("http://")).map(str::to_string).unwrap_or(r);
    match r.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" | "hub.docker.com" => "docker.io".to_string(),
        _ => r,
    }
}

fn registry_allowed(registry: &str, trusted: &[String]) -> bool {
    let registry = normalize_registry(registry);
    trusted.iter().any(|t| {
        let t = normalize_registry(t);
        if t == "*" {
            return true;
        }
        match t.strip_prefix("*.") {
            Some(suffix) => registry == suffix || registry.ends_with(&format!(".{suffix}")),
            None => registry == t,
        }
    })
}

fn check_trusted_registry(ctx: &Context, out: &mut Vec<Finding>) {
    let trusted = trusted(ctx);
    if trusted.is_empty() {
        return;
    }
    for (_, img) in base_images(ctx) {
        let (registry, range) = match &img.registry {
            Some((r, range)) => (r.clone(), range.clone()),
            None => ("docker.io".to_string(), img.repository.1.clone()),
        };
        if !registry_allowed(&registry, &trusted) {
            let shown = if img.registry.is_some() { format!("`{registry}`") } else { "Docker Hub (`docker.io`)".to_string() };
            out.push(Finding::new(range, format!("{shown} is not a trusted registry (trusted: {})", trusted.join(", "))));
        }
    }
}

fn check_digest(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, img) in base_images(ctx) {
        if img.digest.is_none() {
            out.push(Finding::new(img.range.clone(), format!("`{}` is not pinned to a digest; the tag can move", img.text)));
        }
    }
}

/// Official images with a smaller variant: (name, variant suffix, fix appends the suffix).
const SLIM: &[(&str, &str, bool)] = &[
    ("python", "-slim", true),
    ("node", "-slim", true),
    ("ruby", "-slim", true),
    ("perl", "-slim", false),
    ("rust", "-slim", false),
    ("elixir", "-slim", false),
    ("erlang", "-slim", false),
    ("haskell", "-slim", false),
    ("debian", "-slim", false),
    ("golang", "-alpine", false),
    ("php", "-alpine", false),
    ("openjdk", "", false),
];

/// Tag words that already name a small or special variant.
const SMALL: &[&str] = &["slim", "alpine", "minimal", "distroless", "busybox", "jre", "windowsservercore", "nanoserver", "onbuild"];

fn plain_version(tag: &str) -> bool {
    !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_digit() || b == b'.') && tag.as_bytes()[0].is_ascii_digit()
}

fn check_slim(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(root) = final_chain(ctx).last().copied() else { return };
    let img: &ImageRef = &root.image;
    if root.parent.is_some() || !is_literal_image(img) || img.has_expansions() {
        return;
    }
    let Some(name) = official_name(img) else { return };
    let Some(&(_, suffix, fixable)) = SLIM.iter().find(|(n, _, _)| *n == name) else { return };
    let tag = img.tag.as_ref().map_or("latest", |(t, _)| t.as_str());
    if tag.split(['-', '.']).any(|w| SMALL.contains(&w)) || tag.contains("slim") || tag.contains("alpine") {
        return;
    }
    let message = if name == "openjdk" {
        format!("`{}` is the full, deprecated OpenJDK image; use a JRE image such as `eclipse-temurin:21-jre` for the final stage", img.text)
    } else {
        format!("`{}` is the full image; the `{suffix}` variant is much smaller for the final stage", img.text)
    };
    let mut finding = Finding::new(img.range.clone(), message);
    if let (true, Some((t, range)), None) = (fixable, &img.tag, &img.digest) {
        if plain_version(t) {
            finding = finding.with_fix(Fix::unsafe_(
                format!("Use `{name}:{t}{suffix}`"),
                vec![Edit { range: range.end..range.end, text: suffix.to_string() }],
            ));
        }
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::registry_allowed;

    #[test]
    fn registries() {
        let t = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(registry_allowed("docker.io", &t(&["docker.io"])));
        assert!(registry_allowed("index.docker.io", &t(&["docker.io"])));
        assert!(registry_allowed("eu.gcr.io", &t(&["*.gcr.io"])));
        assert!(!registry_allowed("gcr.io.evil.com", &t(&["*.gcr.io"])));
        assert!(registry_allowed("localhost:5000", &t(&["localhost:5000"])));
        assert!(!registry_allowed("quay.io", &t(&["docker.io", "ghcr.io"])));
    }
}
