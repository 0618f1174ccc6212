//! Document links: base images to their pages on the registry's website.
//!
//! A link sits on the image *name* (registry and repository, not the tag or digest) of every
//! FROM, except `scratch`, references to an earlier stage (`FROM build`) and names whose
//! registry or repository contains a `$` expansion (it is not known before the build). The
//! `# syntax=` directive's image gets a link the same way.
//!
//! Targets, by registry:
//!
//! | image                                  | page                                                          |
//! |----------------------------------------|---------------------------------------------------------------|
//! | `python`, `library/python` (Docker Hub)| `https://hub.docker.com/_/python`                             |
//! | `owner/name` (Docker Hub)              | `https://hub.docker.com/r/owner/name`                         |
//! | `ghcr.io/owner/path…`                  | `https://github.com/orgs/owner/packages/container/package/path…` (`/` in the path as `%2F`) |
//! | `quay.io/ns/name`                      | `https://quay.io/repository/ns/name`                          |
//! | `mcr.microsoft.com/path…`              | `https://mcr.microsoft.com/artifact/mar/path…`                |
//! | `public.ecr.aws/alias/name…`           | `https://gallery.ecr.aws/alias/name…`                         |
//! | `gcr.io/distroless/…`                  | `https://github.com/GoogleContainerTools/distroless`         |
//!
//! `docker.io`, `index.docker.io` and `registry-1.docker.io` are Docker Hub. Docker Hub images
//! with a literal tag link to the tags page filtered by that tag
//! (`https://hub.docker.com/_/python/tags?name=3.12-slim`): it lists exactly the images the line
//! pulls, per platform, with their digests and sizes. Other registries have no stable tag URL,
//! so their links ignore the tag.
//!
//! For ghcr.io the organisation form of GitHub's package URL is used for every owner: it works
//! for any package of an organisation, whatever repository (if any) it is linked to. Packages
//! of personal accounts live under `/users/` instead; GitHub does not tell the two apart from
//! the image name.
//!
//! No link for other registries (`registry.k8s.io`, private hosts, `localhost:5000`): they have
//! no public web page per image, or none at a predictable address.

use std::ops::Range;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::syntax::{Dockerfile, ImageRef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLink {
    pub range: Range<usize>,
    pub target: String,
    pub tooltip: String,
}

pub fn document_links(df: &Dockerfile) -> Vec<DocLink> {
    let mut out = Vec::new();
    if let Some(d) = df.directive("syntax") {
        if let Some(link) = directive_link(&d.value, d.value_range.start) {
            out.push(link);
        }
    }
    for stage in &df.stages {
        if stage.parent.is_some() {
            continue;
        }
        if let Some(link) = from_link(&stage.image) {
            out.push(link);
        }
    }
    out
}

fn from_link(image: &ImageRef) -> Option<DocLink> {
    if image.is_scratch() || image.range.is_empty() {
        return None;
    }
    let repo_range = &image.repository.1;
    let name_start = image.registry.as_ref().map_or(repo_range.start, |r| r.1.start);
    let name_range = name_start..repo_range.end;
    if image.expansions.iter().any(|e| e.range.start < name_range.end) {
        return None;
    }
    let tag = image
        .tag
        .as_ref()
        .filter(|(_, r)| !image.expansions.iter().any(|e| e.range.start >= r.start && e.range.start < r.end))
        .map(|(t, _)| t.as_str());
    let (target, tooltip) = target(image.registry.as_ref().map(|r| r.0.as_str()), &image.repository.0, tag)?;
    Some(DocLink { range: name_range, target, tooltip })
}

/// `# syntax=docker/dockerfile:1.7` — the value is an image reference (no expansions there).
fn directive_link(value: &str, value_start: usize) -> Option<DocLink> {
    if value.contains('$') || value.chars().any(char::is_whitespace) {
        return None;
    }
    let without_digest = value.split('@').next().unwrap_or(value);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match without_digest[last_slash..].find(':') {
        Some(colon) => (&without_digest[..last_slash + colon], Some(&without_digest[last_slash + colon + 1..])),
        None => (without_digest, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => (Some(first), rest),
        _ => (None, name),
    };
    // The tag of a syntax image is a release channel (`1`, `1.7-labs`): the image's overview
    // page explains them, so no tag filter here.
    let _ = tag;
    let (target, tooltip) = target(registry, repository, None)?;
    Some(DocLink { range: value_start..value_start + name.len(), target, tooltip })
}

/// Characters kept as they are in a path segment or query value.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, KEEP).to_string()
}

/// Repository paths as the distribution spec allows them: lower-case components of
/// `[a-z0-9]` joined by `.`, `_`, `__` or `-`, separated by `/`. Anything else gets no link.
fn valid_repository(repo: &str) -> bool {
    !repo.is_empty()
        && repo.split('/').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
                && c.as_bytes()[0].is_ascii_alphanumeric()
                && c.as_bytes()[c.len() - 1].is_ascii_alphanumeric()
        })
}

/// The page and tooltip for an image on a registry.
fn target(registry: Option<&str>, repository: &str, tag: Option<&str>) -> Option<(String, String)> {
    if !valid_repository(repository) {
        return None;
    }
    let parts: Vec<&str> = repository.split('/').collect();
    let registry = registry.map(|r| r.to_ascii_lowercase());
    match registry.as_deref() {
        None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io") => {
            let (page, shown) = match parts.as_slice() {
                [name] | ["library", name] => (format!("https://hub.docker.com/_/{name}"), name.to_string()),
                [owner, name] => (format!("https://hub.docker.com/r/{owner}/{name}"), format!("{owner}/{name}")),
                _ => return None, // Docker Hub has no nested repositories
            };
            Some(match tag {
                Some(tag) => (format!("{page}/tags?name={}", encode(tag)), format!("{shown} tags matching {tag} on Docker Hub")),
                None => (page, format!("{shown} on Docker Hub")),
            })
        }
        Some("ghcr.io") => match parts.as_slice() {
            [owner, rest @ ..] if !rest.is_empty() => {
                let package = rest.join("/");
                Some((
                    format!("https://github.com/orgs/{owner}/packages/container/package/{}", encode(&package)),
                    format!("{repository} on GitHub Packages"),
                ))
            }
            _ => None,
        },
        Some("quay.io") => match parts.as_slice() {
            [ns, name] => Some((format!("https://quay.io/repository/{ns}/{name}"), format!("{repository} on Quay.io"))),
            _ => None,
        },
        Some("mcr.microsoft.com") => Some((
            format!("https://mcr.microsoft.com/artifact/mar/{repository}"),
            format!("{repository} on Microsoft Artifact Registry"),
        )),
        // An alias and a repository name, which may itself contain slashes.
        Some("public.ecr.aws") if parts.len() >= 2 => Some((
            format!("https://gallery.ecr.aws/{repository}"),
            format!("{repository} on Amazon ECR Public Gallery"),
        )),
        Some("gcr.io") if parts.first() == Some(&"distroless") && parts.len() > 1 => Some((
            "https://github.com/GoogleContainerTools/distroless".to_string(),
            "Distroless images on GitHub (GoogleContainerTools/distroless)".to_string(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
