//! `from-platform-const` and `redundant-target-platform`: the `--platform` flag of FROM.

use super::prelude::*;
use crate::syntax::Flag;

pub static FROM_PLATFORM_CONST: Rule = Rule {
    id: "from-platform-const",
    hadolint: &["DL3029"],
    buildkit: Some("FromPlatformFlagConstDisallowed"),
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Do not hard-code the platform in FROM --platform",
    docs: r#"## What it does
Flags `FROM --platform=<constant>` (`linux/amd64`, `linux/arm64/v8`). As in BuildKit, it is
not flagged when the stage name contains the platform's OS or architecture
(`FROM --platform=linux/amd64 node:20 AS build-amd64`): such a stage is deliberately
per-platform.

## Why is this bad?
A constant platform makes the stage build for that platform whatever `--platform` the build
was asked for: on an Apple Silicon or Graviton machine the image silently runs under emulation,
and a multi-platform build produces an amd64 binary in the arm64 image. Use
`$BUILDPLATFORM` for cross-compiling builder stages, and nothing (the target platform) for the
rest.

## Example
```dockerfile
FROM --platform=linux/amd64 golang:1.23 AS build
```

## Use instead
```dockerfile
FROM --platform=$BUILDPLATFORM golang:1.23 AS build
ARG TARGETOS TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
```

## Differences from hadolint
hadolint's DL3029 flags every `--platform` except a few variables; dockls follows BuildKit and
only flags constants, which are the cause of the problem.
"#,
    opt_in: false,
    check: check_const,
};

pub static REDUNDANT_TARGET_PLATFORM: Rule = Rule {
    id: "redundant-target-platform",
    hadolint: &["DL3065"],
    buildkit: Some("RedundantTargetPlatform"),
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[Tag::Unnecessary],
    summary: "Remove `--platform=$TARGETPLATFORM`: it is the default",
    docs: r#"## What it does
Flags `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).

## Why is this bad?
A stage is built for the target platform unless told otherwise, so the flag does nothing but
suggests to readers that it matters.

## Example
```dockerfile
FROM --platform=$TARGETPLATFORM alpine:3.20
```

## Use instead
```dockerfile
FROM alpine:3.20
```

## Fix safety
Removing the flag is safe: the stage is built for the same platform.
"#,
    opt_in: false,
    check: check_redundant,
};

const OSES: &[&str] = &["linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix", "plan9", "js", "wasip1", "android", "ios"];

/// The (os, architecture) of a platform string, roughly as containerd's `platforms.Parse`.
fn parse_platform(p: &str) -> Option<(String, String)> {
    let p = p.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('/').collect();
    if parts.iter().any(|s| s.is_empty()) || parts.len() > 3 {
        return None;
    }
    match parts.as_slice() {
        [one] if OSES.contains(one) => Some((one.to_string(), String::new())),
        [one] => Some(("linux".to_string(), normalize_arch(one))),
        [os, arch, ..] => Some((os.to_string(), normalize_arch(arch))),
        [] => None,
    }
}

fn normalize_arch(a: &str) -> String {
    match a {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" => "386",
        other => other,
    }
    .to_string()
}

fn platform_flag(ins: &Instruction) -> Option<&Flag> {
    (ins.kind == Kind::From).then(|| ins.flag("platform")).flatten()
}

fn check_const(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        let Some(flag) = platform_flag(ins) else { continue };
        let Some(value) = &flag.value else { continue };
        if value.has_expansions() || value.value.contains('$') {
            continue;
        }
        let Some((os, arch)) = parse_platform(&value.value) else { continue };
        let stage_name = ins.from_args().and_then(|f| f.alias.as_ref()).map(|a| a.value.to_ascii_lowercase()).unwrap_or_default();
        if stage_name.contains(&os) || (!arch.is_empty() && stage_name.contains(&arch)) {
            continue;
        }
        out.push(Finding::new(
            value.range.clone(),
            format!("FROM --platform flag should not use a constant value: `{}` ignores the platform the build asks for", value.value),
        ));
    }
}

fn check_redundant(ctx: &Context, out: &mut Vec<Finding>) {
    // A global `ARG TARGETPLATFORM=…` would give the variable another meaning.
    let redefined = ctx.df.global_instructions().iter().any(|i| {
        i.kind == Kind::Arg && i.pairs().iter().any(|p| p.key.value == "TARGETPLATFORM" && p.value.is_some())
    });
    if redefined {
        return;
    }
    for (_, ins) in ctx.instructions() {
        let Some(flag) = platform_flag(ins) else { continue };
        let Some(value) = &flag.value else { continue };
        let [exp] = value.expansions.as_slice() else { continue };
        let whole = exp.range == value.range || (value.text.starts_with('"') && value.text.trim_matches('"') == ctx.src(&exp.range));
        if !whole || exp.name != "TARGETPLATFORM" || exp.operator.is_some() {
            continue;
        }
        // Remove the flag and the blanks after it.
        let rest = &ctx.text[flag.range.end..];
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let removal = flag.range.start..flag.range.end + blanks;
        out.push(
            Finding::new(flag.range.clone(), format!("`{}` is redundant: stages are built for the target platform by default", ctx.src(&flag.range)))
                .with_fix(Fix::replace("Remove the --platform flag", removal, "")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::parse_platform;

    #[test]
    fn platforms() {
        assert_eq!(parse_platform("linux/amd64"), Some(("linux".into(), "amd64".into())));
        assert_eq!(parse_platform("linux/arm64/v8"), Some(("linux".into(), "arm64".into())));
        assert_eq!(parse_platform("arm64"), Some(("linux".into(), "arm64".into())));
        assert_eq!(parse_platform("linux/x86_64"), Some(("linux".into(), "amd64".into())));
        assert_eq!(parse_platform("linux//"), None);
    }
}
