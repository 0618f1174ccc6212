//! `trusted-registry`, `image-digest` and `slim-base-image`: where the base image comes from,
//! how it is pinned, and how big it is.

use super::common::{base_image, base_images, final_chain, is_literal_image, official_name};
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

Only a variant the image publishes for that tag is suggested, from a built-in table of how
these images name their tags: `python:3.12-bookworm` → `python:3.12-slim-bookworm`,
`node:22-bookworm` → `node:22-bookworm-slim`, `debian:bookworm` → `debian:bookworm-slim`,
`php:8.3-fpm` → `php:8.3-fpm-alpine`. A tag outside the table (`php:8.0.9-apache`, which has
no Alpine variant, or `elixir:1.17-otp-27`) gets no finding rather than a guess.

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
For `python`, `node` and `ruby` with a plain version tag (`3.12`, `20.11.1`), the fix switches
to the `-slim` tag. It is unsafe: the slim image lacks build tools and some libraries, so a `RUN` that
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
    // The FROMs this lint run looks at (a rule of `memo::EARLIER`: after a keystroke, the
    // others' findings are kept), not every stage.
    let stages = ctx.instructions().filter(|(_, i)| i.kind == Kind::From).filter_map(|(_, i)| ctx.df.stages.get(i.stage?));
    for img in stages.filter_map(|s| base_image(ctx, s)) {
        if img.digest.is_none() {
            out.push(Finding::new(img.range.clone(), format!("`{}` is not pinned to a digest; the tag can move", img.text)));
        }
    }
}

/// Official images with a smaller variant: (name, how its tags name the variant, the fix
/// may switch to it).
const SLIM: &[(&str, Variant, bool)] = &[
    ("python", Variant::SlimBeforeCodename, true),
    ("node", Variant::SlimAfterCodename, true),
    ("ruby", Variant::SlimBeforeCodename, true),
    ("perl", Variant::SlimBeforeCodename, false),
    ("rust", Variant::SlimBeforeCodename, false),
    ("elixir", Variant::SlimVersionOnly, false),
    ("erlang", Variant::SlimVersionOnly, false),
    ("haskell", Variant::SlimVersionOnly, false),
    ("debian", Variant::Debian, false),
    ("golang", Variant::Alpine, false),
    ("php", Variant::PhpAlpine, false),
];

/// How an official image names its smaller variant, as its tags are published.
#[derive(Clone, Copy)]
enum Variant {
    /// `3.12` → `3.12-slim`, `3.12-bookworm` → `3.12-slim-bookworm`, `latest` → `slim`.
    SlimBeforeCodename,
    /// `22` → `22-slim`, `22-bookworm` → `22-bookworm-slim`, `lts` → `lts-slim`.
    SlimAfterCodename,
    /// `27` → `27-slim`, `latest` → `slim`; other tags have no slim twin.
    SlimVersionOnly,
    /// `12`, `bookworm`, `bookworm-20240701`, `stable` → the same with `-slim`.
    Debian,
    /// `1.23` → `1.23-alpine`, `latest` → `alpine`.
    Alpine,
    /// `8.3`, `8.3-cli`, `8.3-fpm`, `8.3-zts` → `-alpine` appended; `8.3-apache` has none.
    PhpAlpine,
}

/// Debian release names the official images publish variants of.
const CODENAMES: &[&str] = &["trixie", "bookworm", "bullseye", "buster", "stretch", "jessie"];

fn plain_version(tag: &str) -> bool {
    !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_digit() || b == b'.') && tag.as_bytes()[0].is_ascii_digit()
}

/// The tag of the smaller variant of `name:tag`, when the image publishes one for that tag;
/// `None` when dockls does not know that it exists.
fn smaller_tag(variant: Variant, tag: &str) -> Option<String> {
    let (version, rest) = tag.split_once('-').map_or((tag, None), |(v, r)| (v, Some(r)));
    let versioned = plain_version(version);
    match (variant, rest) {
        (Variant::Debian, _) => {
            let release = ["stable", "oldstable", "testing", "unstable", "sid"].contains(&tag) || CODENAMES.contains(&version) || plain_version(version);
            let dated = rest.is_none_or(|r| r.len() == 8 && r.bytes().all(|b| b.is_ascii_digit()));
            match tag {
                "latest" => Some("stable-slim".into()),
                _ if release && dated => Some(format!("{tag}-slim")),
                _ => None,
            }
        }
        (Variant::Alpine | Variant::PhpAlpine, None) if tag == "latest" => Some("alpine".into()),
        (Variant::Alpine | Variant::PhpAlpine, None) if versioned => Some(format!("{tag}-alpine")),
        (Variant::PhpAlpine, Some("cli" | "fpm" | "zts")) if versioned => Some(format!("{tag}-alpine")),
        (_, None) if tag == "latest" => Some("slim".into()),
        (Variant::SlimBeforeCodename | Variant::SlimAfterCodename | Variant::SlimVersionOnly, None) if versioned => Some(format!("{tag}-slim")),
        (Variant::SlimAfterCodename, None) if ["lts", "current"].contains(&tag) => Some(format!("{tag}-slim")),
        (Variant::SlimBeforeCodename, Some(codename)) if versioned && CODENAMES.contains(&codename) => Some(format!("{version}-slim-{codename}")),
        (Variant::SlimAfterCodename, Some(codename)) if (versioned || ["lts", "current"].contains(&version)) && CODENAMES.contains(&codename) => {
            Some(format!("{tag}-slim"))
        }
        _ => None,
    }
}

fn check_slim(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(root) = final_chain(ctx).last().copied() else { return };
    let img: &ImageRef = &root.image;
    if root.parent.is_some() || !is_literal_image(img) || img.has_expansions() {
        return;
    }
    let Some(name) = official_name(img) else { return };
    let tag = img.tag.as_ref().map_or("latest", |(t, _)| t.as_str());
    // Already a small or special variant (`openjdk:17-jdk-slim`, `…-alpine`, `…-jre`).
    if name == "openjdk" && !tag.split(['-', '.']).any(|w| ["slim", "alpine", "jre", "windowsservercore", "nanoserver"].contains(&w)) {
        let message = format!("`{}` is the full, deprecated OpenJDK image; use a JRE image such as `eclipse-temurin:21-jre` for the final stage", img.text);
        out.push(Finding::new(img.range.clone(), message));
    }
    let Some(&(_, variant, fixable)) = SLIM.iter().find(|(n, _, _)| *n == name) else { return };
    // Only a variant the image publishes for this tag (`php:8.3-apache` has no `-alpine`).
    let Some(smaller) = smaller_tag(variant, tag) else { return };
    let shown = format!("{name}:{smaller}");
    let message = format!("`{}` is the full image; `{shown}` is much smaller for the final stage", img.text);
    let mut finding = Finding::new(img.range.clone(), message);
    if let (true, Some((t, range)), None) = (fixable, &img.tag, &img.digest) {
        if plain_version(t) {
            finding = finding.with_fix(Fix::unsafe_(format!("Use `{shown}` (unsafe: the smaller image lacks some packages)"), vec![Edit { range: range.clone(), text: smaller }]));
        }
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::{registry_allowed, smaller_tag, Variant};

    /// Only variants the images publish for that tag are suggested.
    #[test]
    fn smaller_variants() {
        let t = |v: Variant, tag: &str| smaller_tag(v, tag);
        assert_eq!(t(Variant::SlimBeforeCodename, "3.12").as_deref(), Some("3.12-slim"));
        assert_eq!(t(Variant::SlimBeforeCodename, "3.12-bookworm").as_deref(), Some("3.12-slim-bookworm"));
        assert_eq!(t(Variant::SlimBeforeCodename, "latest").as_deref(), Some("slim"));
        assert_eq!(t(Variant::SlimAfterCodename, "22-bookworm").as_deref(), Some("22-bookworm-slim"));
        assert_eq!(t(Variant::SlimAfterCodename, "lts").as_deref(), Some("lts-slim"));
        assert_eq!(t(Variant::Debian, "bookworm").as_deref(), Some("bookworm-slim"));
        assert_eq!(t(Variant::Debian, "bookworm-20240701").as_deref(), Some("bookworm-20240701-slim"));
        assert_eq!(t(Variant::Debian, "latest").as_deref(), Some("stable-slim"));
        assert_eq!(t(Variant::Alpine, "1.23").as_deref(), Some("1.23-alpine"));
        assert_eq!(t(Variant::PhpAlpine, "8.3-fpm").as_deref(), Some("8.3-fpm-alpine"));
        // Tags with no smaller twin, or already small: nothing.
        for (v, tag) in [
            (Variant::PhpAlpine, "8.0.9-apache"),
            (Variant::Alpine, "1.23-bookworm"),
            (Variant::SlimVersionOnly, "1.17-otp-27"),
            (Variant::SlimBeforeCodename, "3.12-slim"),
            (Variant::SlimBeforeCodename, "3.12-alpine3.20"),
            (Variant::SlimBeforeCodename, "3.12-windowsservercore-ltsc2022"),
            (Variant::Debian, "bookworm-slim"),
            (Variant::Debian, "bookworm-backports"),
        ] {
            assert_eq!(t(v, tag), None, "{tag}");
        }
    }

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
