//! `image-vulnerabilities`: the base image has known critical or high vulnerabilities. The
//! rule only reads `LintOptions::image_vulnerabilities`; looking them up (the image's SBOM in
//! its registry, advisories from OSV) is the caller's job (`check`, the language server), so
//! the rule stays pure.

use super::invalid_base_image_platform::base_images;
use super::prelude::*;
use crate::registry::Platform;
use crate::vulns::{ImageVulnerabilities, Vulnerability};

pub static RULE: Rule = Rule {
    id: "image-vulnerabilities",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Start from a base image without known critical or high vulnerabilities",
    docs: r#"## What it does
Looks up the known vulnerabilities of every `FROM` image (a registry image: not a stage, not
`scratch`; build args are resolved, an image that does not resolve is skipped) and flags the
image when it has critical or high ones, with the worst of them in the message. Hover the
image for the list: id, severity, package and the version that fixes it. Medium and low ones
are only counted there.

Where the data comes from: the SBOM that BuildKit attached to the image (an SPDX attestation
in the image index, as Docker's official images have) lists its packages, for the platform the
build targets (`[build] platform`, else this machine's); [OSV](https://osv.dev) says which
advisories affect those package versions. An image without an SBOM attestation is not
flagged. Answers are cached for a day under `~/.cache/dockls`. `dockls check` looks the
images up before linting; the language server shows the finding once its background lookup is
done. Offline (`--offline`, `DOCKLS_OFFLINE=1`, `[registries] offline = true`) only cached
answers are used.

Privacy: the names and versions of the packages in your public base images are sent to OSV
(`api.osv.dev`, or `DOCKLS_OSV_URL` / `[vulnerabilities] osv-url`); nothing about your own
Dockerfile is. Turn the lookup off with `[vulnerabilities] enabled = false` in `.dockls.toml`,
the editor setting `dockls.vulnerabilities: false`, or by disabling the rule.

## Why is this bad?
Everything in the base image ships in yours: a vulnerable base is the largest attack surface
of most images, and scanners in CI and registries will flag your image for it.

## Example
```dockerfile
# debian:12.1 has an openssl with critical vulnerabilities
FROM debian:12.1
```

## Use instead
```dockerfile
FROM debian:12.8-slim
```
A newer tag of the same image usually carries the fixes; a slimmer variant (`-slim`,
`alpine`, distroless) has fewer packages to be vulnerable in the first place.
"#,
    opt_in: false,
    check,
};

/// Vulnerabilities named in the message; the hover lists more.
const NAMED: usize = 5;

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.options.image_vulnerabilities.is_empty() {
        return;
    }
    let build = ctx.options.build_platform.clone().unwrap_or_else(Platform::host);
    for image in base_images(ctx.text, ctx.df, ctx.sem, &build) {
        let Some(found) = ctx.options.image_vulnerabilities.get(&image.reference.to_string()) else { continue };
        if found.counts.critical + found.counts.high == 0 {
            continue;
        }
        out.push(Finding::new(image.range.clone(), message(&image.shown, found)));
    }
}

/// `` `debian:12.1` (linux/amd64) has 2 critical and 9 high vulnerabilities — openssl
/// 3.0.11-1~deb12u1: CVE-…, CVE-…; zlib1g 1:1.2.13: CVE-… (and 8 more); a newer tag may fix
/// them ``
fn message(shown: &str, found: &ImageVulnerabilities) -> String {
    let c = &found.counts;
    let parts: Vec<String> = [(c.critical, "critical"), (c.high, "high")].iter().filter(|(n, _)| *n > 0).map(|(n, s)| format!("{n} {s}")).collect();
    let total = c.critical + c.high;
    let noun = if total == 1 { "vulnerability" } else { "vulnerabilities" };
    // The most severe ones, grouped by package in order of first appearance.
    let named: Vec<&Vulnerability> = found.critical_high().take(NAMED).collect();
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for v in &named {
        let package = format!("{} {}", v.package, v.version).trim().to_string();
        match groups.iter_mut().find(|(p, _)| *p == package) {
            Some((_, ids)) => ids.push(&v.id),
            None => groups.push((package, vec![&v.id])),
        }
    }
    let list: Vec<String> = groups.iter().map(|(p, ids)| format!("{p}: {}", ids.join(", "))).collect();
    let more = if total > named.len() { format!(" (and {} more)", total - named.len()) } else { String::new() };
    format!("{shown} ({}) has {} {noun} — {}{more}; a newer tag may fix them", found.platform, parts.join(" and "), list.join("; "))
}
