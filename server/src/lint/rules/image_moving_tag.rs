//! `image-moving-tag`: a base image tag that names a release channel or a major version only.

use super::prelude::*;
use crate::syntax::ImageRef;

pub static RULE: Rule = Rule {
    id: "image-moving-tag",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin the base image to a release, not to a tag that moves",
    docs: r#"## What it does
Flags a FROM tag that follows a moving target instead of naming a release:

- a release channel: `lts`, `stable`, `edge`, `rolling`, `current`, `mainline`, `testing`,
  `unstable`, `sid`, `nightly`, `devel`, `next`, alone or with a variant (`node:lts-alpine`,
  `debian:stable-slim`), and `latest-…` variants (`tensorflow:latest-gpu`);
- a major version only: `python:3`, `node:20-alpine`, `ruby:2`, `alpine:3`;
- a variant without any version: `node:alpine`, `python:slim`, `php:apache`, `java:jre-alpine`
  (the variant of whatever release is newest).

## Why is this bad?
These tags are moved to a new image whenever a new release comes out. `python:3` went from
3.11 to 3.12 to 3.13, `alpine:3` from 3.19 to 3.20, `node:lts` from 18 to 20 to 22: the same
Dockerfile builds with a different interpreter, libc or package set each time, and a build that
worked yesterday can fail, or behave differently, without any change to the repository.

## Example
```dockerfile
FROM node:lts-alpine
FROM python:3
```

## Use instead
```dockerfile
FROM node:22.12-alpine3.21
FROM python:3.13.1-slim-bookworm
```

A tag with a minor version (`python:3.13`, `alpine:3.21`) still receives patch releases, but not
new features: it is not flagged. Not flagged either: `latest` (reported by `image-latest`), a
digest (`@sha256:…` pins the image whatever the tag says), stage names, tags given by a
variable, Debian, Fedora and Amazon Linux releases (`debian:12`, `fedora:41`: the number is the
release), and numbers of four digits or more (`ltsc2022`, `1809`, dates).
"#,
    opt_in: false,
    check,
};

/// Words of a tag that name a release channel rather than a release.
const CHANNELS: &[&str] =
    &["lts", "stable", "edge", "rolling", "current", "mainline", "testing", "unstable", "sid", "nightly", "devel", "next"];

/// Variant words that, with no version next to them, mean "the newest release, as this variant".
const VARIANTS: &[&str] = &["alpine", "slim", "jre", "jdk", "apache", "fpm", "cli", "zts"];

/// Images whose major version number is the release itself (its tags move only with security
/// updates, like any release tag).
const RELEASE_NUMBERED: &[&str] = &["debian", "fedora", "amazonlinux"];

/// Why the tag moves, or `None` when it names a release.
fn moving(img: &ImageRef, tag: &str) -> Option<String> {
    let tag = tag.to_ascii_lowercase();
    let parts: Vec<&str> = tag.split('-').collect();
    let first = parts[0];
    if tag == "latest" {
        return None;
    }
    if first == "latest" {
        return Some(format!("`{tag}` follows the newest release"));
    }
    if CHANNELS.contains(&first) {
        return Some(format!("`{tag}` follows the `{first}` channel and moves to each new release in it"));
    }
    let repo = img.repository.0.to_ascii_lowercase();
    let name = repo.rsplit('/').next().unwrap_or(&repo);
    if !first.is_empty() && first.len() <= 3 && first.bytes().all(|b| b.is_ascii_digit()) {
        if RELEASE_NUMBERED.contains(&name) {
            return None;
        }
        return Some(format!("`{tag}` names major version {first} only and moves to each new {first}.x release"));
    }
    if parts.iter().all(|p| VARIANTS.contains(p)) && name != first {
        return Some(format!("`{tag}` names no version: it is the `{tag}` variant of whatever release is newest"));
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        let img = &stage.image;
        if stage.parent.is_some() || img.digest.is_some() || img.has_expansions() || img.is_scratch() {
            continue;
        }
        let Some((tag, range)) = &img.tag else { continue };
        if let Some(why) = moving(img, tag) {
            out.push(Finding::new(range.clone(), format!("{why}; pin a release tag (or a digest)")));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::ImageRef;

    fn moves(image: &str) -> bool {
        let (repo, tag) = image.split_once(':').unwrap();
        let img = ImageRef { repository: (repo.to_string(), 0..0), ..Default::default() };
        super::moving(&img, tag).is_some()
    }

    #[test]
    fn which_tags_move() {
        for i in ["node:lts", "node:LTS-alpine", "python:3", "ruby:2", "alpine:edge", "debian:stable", "ubuntu:rolling", "nginx:mainline", "node:current-slim", "x/y:latest-cuda", "node:20-alpine", "php:apache", "java:jre-alpine", "debian:sid-slim"] {
            assert!(moves(i), "{i}");
        }
        for i in ["node:latest", "python:3.13", "alpine:3.21", "debian:12", "fedora:41", "debian:bookworm", "ubuntu:24.04", "windows/servercore:ltsc2022", "windows:1809", "buildpack-deps:bookworm", "alpine:alpine", "node:22.12.0-alpine3.21"] {
            assert!(!moves(i), "{i}");
        }
    }
}
