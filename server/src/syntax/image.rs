//! Image references in FROM: `[registry/]repository[:tag][@digest]`.

use std::ops::Range;

use tree_sitter::Node;

use super::words::{collect_expansions, Expansion};

/// A parsed image reference with the range of each part.
#[derive(Debug, Clone, Default)]
pub struct ImageRef {
    pub range: Range<usize>,
    pub text: String,
    /// Registry host (`ghcr.io`, `localhost:5000`), when the reference names one.
    pub registry: Option<(String, Range<usize>)>,
    /// The path after the registry (`library/python` is written `python`).
    pub repository: (String, Range<usize>),
    /// Tag without the `:`.
    pub tag: Option<(String, Range<usize>)>,
    /// Digest without the `@` (`sha256:…`).
    pub digest: Option<(String, Range<usize>)>,
    pub expansions: Vec<Expansion>,
}

impl ImageRef {
    pub fn from_node(node: Node, src: &str) -> ImageRef {
        let range = node.byte_range();
        let text = src[range.clone()].to_string();
        let mut expansions = Vec::new();
        if text.contains('$') {
            collect_expansions(node, src, &mut expansions);
            expansions.shrink_to_fit();
        }
        let name = node.child_by_field_name("name").map(|n| n.byte_range()).unwrap_or(range.clone());
        let tag = node.child_by_field_name("tag").map(|n| {
            let r = n.start_byte() + 1..n.end_byte();
            (src[r.clone()].to_string(), r)
        });
        let digest = node.child_by_field_name("digest").map(|n| {
            let r = n.start_byte() + 1..n.end_byte();
            (src[r.clone()].to_string(), r)
        });
        let name_text = &src[name.clone()];
        let (registry, repository) = match name_text.find('/') {
            Some(slash) => {
                let first = &name_text[..slash];
                if first.contains('.') || first.contains(':') || first == "localhost" {
                    let reg = (first.to_string(), name.start..name.start + slash);
                    let repo_range = name.start + slash + 1..name.end;
                    (Some(reg), (src[repo_range.clone()].to_string(), repo_range))
                } else {
                    (None, (name_text.to_string(), name.clone()))
                }
            }
            None => (None, (name_text.to_string(), name.clone())),
        };
        ImageRef { range, text, registry, repository, tag, digest, expansions }
    }

    pub fn has_expansions(&self) -> bool {
        !self.expansions.is_empty()
    }

    /// `scratch`, the empty base.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository.0 == "scratch" && self.tag.is_none() && self.digest.is_none()
    }

    /// A Windows base image (`mcr.microsoft.com/windows/servercore`, `…/nanoserver`,
    /// `python:3.12-windowsservercore`, .NET Framework images): RUN's default shell is
    /// `cmd /S /C`, not `/bin/sh -c`.
    pub fn is_windows(&self) -> bool {
        let text = self.text.to_ascii_lowercase();
        ["windows", "nanoserver", "servercore", "dotnet/framework"].iter().any(|w| text.contains(w))
    }

    /// Docker Hub (no registry, or `docker.io`/`index.docker.io`).
    pub fn is_docker_hub(&self) -> bool {
        match &self.registry {
            None => true,
            Some((r, _)) => r == "docker.io" || r == "index.docker.io" || r == "registry-1.docker.io",
        }
    }
}
