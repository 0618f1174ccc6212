//! Image references and platforms as the distribution API needs them: the registry host, the
//! full repository path and the tag or digest, normalized so that `alpine`, `library/alpine`
//! and `docker.io/library/alpine:latest` are the same key.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Docker Hub's name in references; its API lives at [`DOCKER_HUB_API`].
pub const DOCKER_HUB: &str = "docker.io";
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry host as written in references (`docker.io`, `ghcr.io`, `localhost:5000`).
    pub registry: String,
    /// Full repository path (`library/alpine`).
    pub repository: String,
    /// Tag, `latest` when neither tag nor digest is given.
    pub tag: Option<String>,
    /// Digest (`sha256:…`); wins over the tag when both are given, as in Docker.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses `[registry/]path[:tag][@digest]`. `None` for empty or unresolved (`$`) text and
    /// for what cannot be an image name.
    pub fn parse(text: &str) -> Option<Reference> {
        let text = text.trim();
        if text.is_empty() || text.contains(['$', ' ', '\t', '"', '\'']) {
            return None;
        }
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) if d.contains(':') => (r, Some(d.to_string())),
            Some(_) => return None,
            None => (text, None),
        };
        // A `:` after the last `/` is the tag; before it, a registry port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(rest[last_slash + i + 1..].to_string())),
            None => (rest, None),
        };
        if name.is_empty() || tag.as_deref() == Some("") {
            return None;
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if first.contains(['.', ':']) || first == "localhost" => (first.to_ascii_lowercase(), path.to_string()),
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => DOCKER_HUB.to_string(),
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') { format!("library/{repository}") } else { repository };
        if repository.split('/').any(str::is_empty) {
            return None;
        }
        let tag = if tag.is_none() && digest.is_none() { Some("latest".to_string()) } else { tag };
        Some(Reference { registry, repository, tag, digest })
    }

    /// What the manifest endpoint is asked for: the digest when there is one, else the tag.
    pub fn manifest_ref(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }

    /// The host the API is on (Docker Hub's API host differs from its name).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// Pinned by content: the answer never changes, so it is cached forever.
    pub fn is_digest(&self) -> bool {
        self.digest.is_some()
    }
}

/// The normalized key (`docker.io/library/alpine:3.20`, `ghcr.io/o/r@sha256:…`).
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        match (&self.digest, &self.tag) {
            (Some(d), _) => write!(f, "@{d}"),
            (None, Some(t)) => write!(f, ":{t}"),
            (None, None) => Ok(()),
        }
    }
}

/// An OCI platform: `os/architecture[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_ascii_lowercase(),
            architecture: normalize_arch(&architecture.to_ascii_lowercase()).to_string(),
            variant: variant.filter(|v| !v.is_empty()).map(|v| v.to_ascii_lowercase()),
        }
    }

    /// `linux/arm64`, `linux/arm/v7`, `windows/amd64`. `None` for anything else (a bare
    /// architecture is not accepted: it is ambiguous in configuration).
    pub fn parse(text: &str) -> Option<Platform> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        if parts.iter().any(|p| p.is_empty() || p.contains(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))) {
            return None;
        }
        match parts.as_slice() {
            [os, arch] => Some(Platform::new(os, arch, None)),
            [os, arch, variant] => Some(Platform::new(os, arch, Some(variant))),
            _ => None,
        }
    }

    /// The machine dockls runs on, in OCI names (what `docker build` targets by default).
    pub fn host() -> Platform {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        // Docker Desktop builds Linux images on macOS and Windows.
        let os = if os == "darwin" || os == "windows" { "linux" } else { os };
        Platform::new(os, std::env::consts::ARCH, None)
    }

    /// Whether an image built for `self` (an available platform) serves a request for
    /// `wanted`. A wanted platform without variant accepts any variant; `arm64` is `arm64/v8`.
    pub fn serves(&self, wanted: &Platform) -> bool {
        if self.os != wanted.os || self.architecture != wanted.architecture {
            return false;
        }
        let variant = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_string()),
            (_, v) => v.map(str::to_string),
        };
        wanted.variant.is_none() || variant(self) == variant(wanted)
    }

    /// Attestation manifests in an index carry `unknown/unknown`: not a platform to run.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" || self.architecture == "unknown"
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Rust's and uname's architecture names to OCI's.
fn normalize_arch(a: &str) -> &str {
    match a {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "i686" | "x86" => "386",
        "powerpc64le" => "ppc64le",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_normalized() {
        let key = |s: &str| Reference::parse(s).map(|r| r.to_string());
        assert_eq!(key("alpine").as_deref(), Some("docker.io/library/alpine:latest"));
        assert_eq!(key("alpine:3.20").as_deref(), Some("docker.io/library/alpine:3.20"));
        assert_eq!(key("docker.io/library/alpine:3.20").as_deref(), Some("docker.io/library/alpine:3.20"));
        assert_eq!(key("index.docker.io/bitnami/redis").as_deref(), Some("docker.io/bitnami/redis:latest"));
        assert_eq!(key("localhost:5000/app").as_deref(), Some("localhost:5000/app:latest"));
        assert_eq!(key("ghcr.io/o/r:1@sha256:abc").as_deref(), Some("ghcr.io/o/r@sha256:abc"));
        assert_eq!(key("$IMAGE"), None);
        assert_eq!(key(""), None);
        let r = Reference::parse("node:20").unwrap();
        assert_eq!((r.api_host(), r.repository.as_str(), r.manifest_ref()), ("registry-1.docker.io", "library/node", "20"));
    }

    #[test]
    fn platforms_match_like_docker() {
        let p = |s: &str| Platform::parse(s).unwrap();
        assert_eq!(p("linux/x86_64"), p("linux/amd64"));
        assert!(p("linux/arm64/v8").serves(&p("linux/arm64")));
        assert!(p("linux/arm64").serves(&p("linux/arm64/v8")));
        assert!(p("linux/arm/v7").serves(&p("linux/arm")));
        assert!(!p("linux/arm/v6").serves(&p("linux/arm/v7")));
        assert!(!p("linux/amd64").serves(&p("linux/arm64")));
        assert_eq!(Platform::parse("arm64"), None);
        assert_eq!(p("linux/arm/v7").to_string(), "linux/arm/v7");
    }
}
