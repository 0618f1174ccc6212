//! Tags and image facts: `/v2/<repo>/tags/list` (following `Link` pages), a tag's digest
//! (`HEAD` of its manifest), and what each platform's image config says (user, env, working
//! dir, ports, entrypoint, cmd, labels, creation time). Docker Hub's own API adds each tag's
//! last update. No LSP types.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::Digest as _;

use serde::{Deserialize, Serialize};

use super::client::{Http, Manifest, RawPlatform, Session, ACCEPT};
use super::{Error, Platform, Reference, Settings};

/// At most this many `Link` pages are followed (a registry that links to itself forever
/// costs this many requests, not a hang).
const MAX_PAGES: usize = 50;
/// At most this many platforms' configs are read for one image.
const MAX_PLATFORMS: usize = 16;
const ACCEPT_CONFIG: &str = "application/vnd.oci.image.config.v1+json, application/vnd.docker.container.image.v1+json, application/json";

/// What an image's config says about how it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    pub user: Option<String>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    /// `8080/tcp`, sorted.
    pub exposed_ports: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub labels: BTreeMap<String, String>,
    /// RFC 3339, as the config has it.
    pub created: Option<String>,
}

impl ImageConfig {
    /// The value of `name` in the image's environment.
    pub fn env_value(&self, name: &str) -> Option<&str> {
        self.env.iter().find_map(|e| e.split_once('=').filter(|(n, _)| *n == name).map(|(_, v)| v))
    }

    /// Runs as someone other than root (a name or uid that is not `root`/`0`).
    pub fn non_root_user(&self) -> bool {
        self.user.as_deref().map(|u| u.split(':').next().unwrap_or("")).is_some_and(|u| !u.is_empty() && u != "root" && u != "0")
    }
}

/// One platform's image in a (multi-platform) image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformImage {
    pub platform: Option<Platform>,
    /// The platform manifest's digest.
    pub digest: String,
    pub config: ImageConfig,
}

/// An image as its tag or digest names it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The top-level manifest's digest (what `@sha256:…` pins).
    pub digest: String,
    pub media_type: Option<String>,
    pub images: Vec<PlatformImage>,
}

impl ImageInfo {
    pub fn platforms(&self) -> Vec<Platform> {
        self.images.iter().filter_map(|i| i.platform.clone()).collect()
    }

    /// The image for `wanted` (else the first one): what a build on that platform starts from.
    pub fn for_platform(&self, wanted: &Platform) -> Option<&PlatformImage> {
        self.images.iter().find(|i| i.platform.as_ref().is_some_and(|p| p.serves(wanted))).or(self.images.first())
    }
}

/// A repository's tags, with what the registry says about each when it says more than the
/// name (Docker Hub: digest and last update).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    pub names: Vec<String>,
    /// Tag → (digest, last update as RFC 3339), where known.
    pub known: BTreeMap<String, (Option<String>, Option<String>)>,
}

#[derive(Deserialize)]
struct TagList {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(flatten)]
    platform: RawPlatform,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    config: Option<RawRunConfig>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawRunConfig {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    cmd: Option<Vec<String>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

/// The `rel="next"` target of a `Link` header, resolved against `base`.
fn next_link(header: &str, base: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        if !params.split(';').any(|p| p.trim().replace(' ', "").eq_ignore_ascii_case("rel=\"next\"") || p.trim().eq_ignore_ascii_case("rel=next")) {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        if target.starts_with('/') {
            Some(format!("{base}{target}"))
        } else if target.starts_with(base) {
            Some(target.to_string())
        } else {
            // A link to another host is not followed: credentials and tokens stay home.
            None
        }
    })
}

impl Http {
    /// Every tag of `r`'s repository, page after page.
    pub fn tags(&self, settings: &Settings, base: &str, r: &Reference) -> Result<Tags, Error> {
        let mut session = Session::new(self, settings, base, r);
        let mut url = format!("{base}/v2/{}/tags/list", r.repository);
        let mut names: Vec<String> = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut resp = session.fetch(&url, "application/json", None)?;
            let next = resp.headers().get("link").and_then(|v| v.to_str().ok()).and_then(|l| next_link(l, base));
            let body = resp.body_mut().with_config().limit(super::client::MAX_BODY).read_to_vec().map_err(|e| session.unreachable(e))?;
            let list: TagList = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a tag list: {e}")))?;
            for t in list.tags.unwrap_or_default() {
                if !names.contains(&t) {
                    names.push(t);
                }
            }
            match next {
                Some(n) if n != url => url = n,
                _ => break,
            }
        }
        Ok(Tags { names, known: BTreeMap::new() })
    }

    /// The digest `r`'s tag points at now, from a `HEAD` of its manifest.
    pub fn digest(&self, settings: &Settings, base: &str, r: &Reference) -> Result<String, Error> {
        let mut session = Session::new(self, settings, base, r);
        let url = format!("{base}/v2/{}/manifests/{}", r.repository, r.manifest_ref());
        let resp = session.call(true, &url, ACCEPT, None)?;
        header_digest(&resp).ok_or_else(|| Error::Invalid(format!("{url}: no Docker-Content-Digest in the answer")))
    }

    /// The image `r` names: its digest, and per platform the manifest digest and config.
    /// `known`: its top-level manifest, when the caller has it from a recent request (returned
    /// too, for reuse).
    pub fn image(&self, settings: &Settings, base: &str, r: &Reference, known: Option<Arc<[u8]>>) -> Result<(ImageInfo, Arc<[u8]>), Error> {
        let mut session = Session::new(self, settings, base, r);
        let url = format!("{base}/v2/{}/manifests/{}", r.repository, r.manifest_ref());
        let (body, header_type) = match known {
            Some(body) => (body, None),
            None => {
                let mut resp = session.fetch(&url, ACCEPT, None).map_err(|e| match e {
                    Error::NotFound(_) => Error::NotFound(r.to_string()),
                    e => e,
                })?;
                let media_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(|s| s.split(';').next().unwrap_or(s).trim().to_string());
                let body = resp.body_mut().with_config().limit(super::client::MAX_BODY).read_to_vec().map_err(|e| session.unreachable(e))?;
                (Arc::from(body), media_type)
            }
        };
        // The digest names these exact bytes (what `Docker-Content-Digest` would say).
        let digest = format!("sha256:{:x}", sha2::Sha256::digest(&body));
        let manifest: Manifest = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a manifest: {e}")))?;
        let media_type = manifest.media_type.clone().or(header_type);
        let mut images = Vec::new();
        match manifest.manifests {
            Some(entries) => {
                for entry in entries.iter().filter(|d| d.platform.as_ref().and_then(|p| p.platform()).is_some()).take(MAX_PLATFORMS) {
                    let Some(child) = &entry.digest else { continue };
                    let url = format!("{base}/v2/{}/manifests/{child}", r.repository);
                    let body = session.get(&url, ACCEPT)?;
                    let m: Manifest = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a manifest: {e}")))?;
                    let mut image = config_of(&mut session, r, m.config.and_then(|c| c.digest))?;
                    image.digest = child.clone();
                    image.platform = entry.platform.as_ref().and_then(|p| p.platform()).or(image.platform);
                    images.push(image);
                }
            }
            None => {
                let mut image = config_of(&mut session, r, manifest.config.and_then(|c| c.digest))?;
                image.digest = digest.clone();
                images.push(image);
            }
        }
        Ok((ImageInfo { digest, media_type, images }, body))
    }

    /// Docker Hub's tag list with each tag's digest and last update (newest first, one page
    /// of 100): `hub` is the API's base URL.
    pub fn hub_tags(&self, settings: &Settings, hub: &str, r: &Reference) -> Result<Tags, Error> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            results: Vec<HubTag>,
        }
        #[derive(Deserialize)]
        struct HubTag {
            name: String,
            #[serde(default)]
            digest: Option<String>,
            #[serde(default)]
            last_updated: Option<String>,
        }
        let url = format!("{hub}/v2/repositories/{}/tags?page_size=100&ordering=last_updated", r.repository);
        let agent = self.agent(settings.timeout, hub.starts_with("http://"));
        let mut resp = agent.get(&url).header("Accept", "application/json").call().map_err(|e| Error::Unreachable { host: super::host_of(hub).to_string(), message: e.to_string() })?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(Error::Status { url, status });
        }
        let body = resp.body_mut().with_config().limit(super::client::MAX_BODY).read_to_vec().map_err(|e| Error::Unreachable { host: super::host_of(hub).to_string(), message: e.to_string() })?;
        let page: Page = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a tag page: {e}")))?;
        let mut tags = Tags::default();
        for t in page.results {
            tags.names.push(t.name.clone());
            tags.known.insert(t.name, (t.digest, t.last_updated));
        }
        Ok(tags)
    }
}

/// Seconds since the Unix epoch of an RFC 3339 time (`2024-05-01T10:00:00.123Z`; the offset
/// is ignored: an age in days does not need it).
pub fn epoch_seconds(time: &str) -> Option<u64> {
    let num = |s: &str| -> Option<i64> { s.parse().ok() };
    let (date, clock) = time.get(..19)?.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let mut c = clock.splitn(3, ':');
    let (h, min, sec) = (num(c.next()?)?, num(c.next()?)?, num(c.next()?)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || y < 1970 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + min * 60 + sec).ok()
}

/// `3 days ago`, `5 months ago`: how old `time` (RFC 3339) is at `now` (epoch seconds).
pub fn age(time: &str, now: u64) -> Option<String> {
    let secs = now.checked_sub(epoch_seconds(time)?)?;
    let (n, unit) = match secs {
        s if s < 3600 => return Some("less than an hour ago".into()),
        s if s < 86_400 => (s / 3600, "hour"),
        s if s < 60 * 86_400 => (s / 86_400, "day"),
        s if s < 730 * 86_400 => (s / (30 * 86_400), "month"),
        s => (s / (365 * 86_400), "year"),
    };
    Some(format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" }))
}

fn header_digest(resp: &ureq::http::Response<ureq::Body>) -> Option<String> {
    resp.headers().get("docker-content-digest").and_then(|v| v.to_str().ok()).map(str::trim).filter(|d| d.starts_with("sha256:")).map(str::to_string)
}

/// One platform image's config blob, read into facts (its platform from the config).
fn config_of(session: &mut Session<'_>, r: &Reference, digest: Option<String>) -> Result<PlatformImage, Error> {
    let digest = digest.ok_or_else(|| Error::Invalid(format!("{r}: a manifest without config")))?;
    let url = format!("{}/v2/{}/blobs/{digest}", session.base, r.repository);
    let body = session.get(&url, ACCEPT_CONFIG)?;
    let raw: RawConfig = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not an image config: {e}")))?;
    let c = raw.config.unwrap_or_default();
    Ok(PlatformImage {
        platform: raw.platform.platform(),
        digest: String::new(),
        config: ImageConfig {
            user: c.user.filter(|u| !u.is_empty()),
            env: c.env.unwrap_or_default(),
            working_dir: c.working_dir.filter(|w| !w.is_empty()),
            exposed_ports: c.exposed_ports.map(|p| p.into_keys().collect()).unwrap_or_default(),
            entrypoint: c.entrypoint,
            cmd: c.cmd,
            labels: c.labels.unwrap_or_default(),
            created: raw.created,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let base = "http://127.0.0.1:5000";
        assert_eq!(next_link(r#"</v2/a/tags/list?last=b&n=2>; rel="next""#, base).as_deref(), Some("http://127.0.0.1:5000/v2/a/tags/list?last=b&n=2"));
        assert_eq!(next_link(r#"<http://127.0.0.1:5000/v2/x>; rel=next"#, base).as_deref(), Some("http://127.0.0.1:5000/v2/x"));
        assert_eq!(next_link(r#"<https://evil.example/v2/x>; rel="next""#, base), None);
        assert_eq!(next_link(r#"</v2/x>; rel="prev""#, base), None);
    }

    #[test]
    fn ages() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_seconds("2024-05-01T10:00:00.5Z"), Some(1_714_557_600));
        assert_eq!(epoch_seconds("yesterday"), None);
        let now = 1_714_557_600;
        assert_eq!(age("2024-04-28T10:00:00Z", now).as_deref(), Some("3 days ago"));
        assert_eq!(age("2024-05-01T09:00:00Z", now).as_deref(), Some("1 hour ago"));
        assert_eq!(age("2023-01-01T00:00:00Z", now).as_deref(), Some("16 months ago"));
        assert_eq!(age("2020-01-01T00:00:00Z", now).as_deref(), Some("4 years ago"));
        assert_eq!(age("2030-01-01T00:00:00Z", now), None, "in the future");
    }

    #[test]
    fn non_root_users() {
        let c = |u: Option<&str>| ImageConfig { user: u.map(str::to_string), ..Default::default() };
        assert!(c(Some("nonroot")).non_root_user());
        assert!(c(Some("65532:65532")).non_root_user());
        assert!(!c(Some("root")).non_root_user());
        assert!(!c(Some("0:0")).non_root_user());
        assert!(!c(None).non_root_user());
    }
}
