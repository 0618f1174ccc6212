//! A small client of the OCI distribution API (`/v2/…`): which platforms an image provides,
//! and the SBOM attestation BuildKit attached to it (see [`sbom`]).
//! Anonymous bearer-token auth (the `WWW-Authenticate` challenge), a timeout on every request,
//! a memory and disk cache, an offline mode and per-registry mirrors (for tests and air-gapped
//! setups). Blocking: callers run it on their own threads. Errors are values; nothing here
//! panics on a bad answer. No LSP types.

mod cache;
mod client;
pub mod credentials;
pub mod image;
pub mod reference;
pub mod sbom;
pub mod store;
pub mod tag_order;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use reference::{Platform, Reference};
pub use client::{base_url, is_loopback, Agents};
pub use sbom::Sbom;
pub use image::{ImageConfig, ImageInfo, PlatformImage, Tags};
pub use store::Cached;

/// How long a tag's answer is trusted (a digest's never changes).
pub const TAG_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a repository's tag list is trusted before it is refreshed in the background.
pub const TAGS_TTL: Duration = Duration::from_secs(60 * 60);
/// Docker Hub's own API (tag ages and digests in one request).
const DOCKER_HUB_WEB: &str = "https://hub.docker.com";
/// Connect + send + receive, per request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// A registry that did not answer is not asked again for this long (so one dead host costs
/// one timeout, not one per image).
const UNREACHABLE_FOR: Duration = Duration::from_secs(60);
/// Requests in flight at once when fetching many images.
const PARALLEL: usize = 8;
/// A top-level manifest just fetched is reused this long: the SBOM lookup that follows the
/// platform lookup of the same image does not fetch the index again.
const MANIFEST_REUSE: Duration = Duration::from_secs(60);

/// A top-level manifest's body and when it was fetched.
type RecentManifest = (Instant, std::sync::Arc<[u8]>);

/// How to reach registries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// No network at all: answers come from the cache only.
    pub offline: bool,
    /// Registry name (`docker.io`, `ghcr.io`) → base URL to use instead (`http://` only for
    /// loopback hosts).
    pub mirrors: BTreeMap<String, String>,
    /// Where the disk cache lives; `None`: memory only.
    pub cache_dir: Option<PathBuf>,
    pub timeout: Duration,
    /// Registries (as written in references) reached over plain HTTP, as Docker's
    /// `insecure-registries`; loopback registries always are.
    pub insecure: Vec<String>,
    /// The Docker config file with credentials; `None`: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`.
    pub docker_config: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { offline: env_offline(), mirrors: BTreeMap::new(), cache_dir: default_cache_dir(), timeout: DEFAULT_TIMEOUT, insecure: Vec::new(), docker_config: None }
    }
}

/// `DOCKLS_OFFLINE` set to anything but empty, `0` or `false`.
pub fn env_offline() -> bool {
    std::env::var("DOCKLS_OFFLINE").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "no"))
}

/// `$XDG_CACHE_HOME/dockls`, else `~/.cache/dockls`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("dockls"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Offline and not in the cache.
    Offline,
    /// The registry has no such repository, tag or digest.
    NotFound(String),
    /// Any other HTTP status.
    Status { url: String, status: u16 },
    /// Could not connect, timed out, TLS failed, or skipped after such a failure.
    Unreachable { host: String, message: String },
    /// An answer that is not what the API promises, or a refused configuration.
    Invalid(String),
}

impl Error {
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Error::Unreachable { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Offline => write!(f, "offline and not in the cache"),
            Error::NotFound(what) => write!(f, "{what} not found"),
            Error::Status { url, status } => write!(f, "{url} answered HTTP {status}"),
            Error::Unreachable { host, message } => write!(f, "registry {host} unreachable: {message}"),
            Error::Invalid(m) => write!(f, "{m}"),
        }
    }
}

/// One image's platforms, or why they are unknown.
pub type Lookup = Result<Vec<Platform>, Error>;

/// The client with its memory cache. One per process is enough: see [`Registry::shared`].
pub struct Registry {
    memory: Mutex<HashMap<String, cache::Entry>>,
    /// Base URLs that failed at the network level, and when.
    unreachable: Mutex<HashMap<String, Instant>>,
    /// Top-level manifests by cache key, and when they were fetched (see [`MANIFEST_REUSE`]).
    manifests: Mutex<HashMap<String, RecentManifest>>,
    http: client::Http,
    tags: store::Store<Tags>,
    images: store::Store<ImageInfo>,
    /// Tag → digest, from `HEAD` requests (cheaper than a whole image).
    digests: store::Store<String>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl Registry {
    pub fn new() -> Registry {
        Registry {
            memory: Mutex::default(),
            unreachable: Mutex::default(),
            manifests: Mutex::default(),
            http: client::Http::default(),
            tags: store::Store::new("tags"),
            images: store::Store::new("images"),
            digests: store::Store::new("digests"),
        }
    }

    /// The process-wide client (its memory cache is shared by every caller).
    pub fn shared() -> &'static Registry {
        static SHARED: OnceLock<Registry> = OnceLock::new();
        SHARED.get_or_init(Registry::new)
    }

    /// The platforms of `r` if the memory or disk cache has a fresh answer. No network.
    pub fn cached(&self, settings: &Settings, r: &Reference) -> Option<Vec<Platform>> {
        let base = client::base_url(settings, r).ok()?;
        let key = cache_key(&base, r);
        if let Some(e) = self.memory.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if e.fresh(r) {
                return Some(e.platforms.clone());
            }
        }
        let entry = cache::read(settings.cache_dir.as_deref()?, &key).filter(|e| e.fresh(r))?;
        let platforms = entry.platforms.clone();
        self.memory.lock().unwrap_or_else(|e| e.into_inner()).insert(key, entry);
        Some(platforms)
    }

    /// The base URL of `r`'s registry, unless that registry failed to answer within the last
    /// [`UNREACHABLE_FOR`] (one dead host costs one timeout, not one per image).
    fn reachable_base(&self, settings: &Settings, r: &Reference) -> Result<String, Error> {
        let base = client::base_url(settings, r)?;
        if self.unreachable.lock().unwrap_or_else(|e| e.into_inner()).get(&base).is_some_and(|t| t.elapsed() < UNREACHABLE_FOR) {
            return Err(Error::Unreachable { host: host_of(&base).to_string(), message: "skipped after an earlier failure".into() });
        }
        Ok(base)
    }

    fn mark_unreachable(&self, base: String) {
        self.unreachable.lock().unwrap_or_else(|e| e.into_inner()).insert(base, Instant::now());
    }

    /// The platforms of `r`: from the cache, else from the registry (unless offline).
    pub fn platforms(&self, settings: &Settings, r: &Reference) -> Result<Vec<Platform>, Error> {
        if let Some(p) = self.cached(settings, r) {
            return Ok(p);
        }
        if settings.offline {
            return Err(Error::Offline);
        }
        let base = self.reachable_base(settings, r)?;
        let key = cache_key(&base, r);
        let result = self.http.platforms(settings, &base, r, self.recent_manifest(&key)).map(|(platforms, body)| {
            self.remember_manifest(key, body);
            platforms
        });
        match &result {
            Ok(platforms) => {
                let key = cache_key(&base, r);
                let entry = cache::Entry::now(&key, platforms.clone());
                if let Some(dir) = &settings.cache_dir {
                    cache::write(dir, &entry);
                }
                self.memory.lock().unwrap_or_else(|e| e.into_inner()).insert(key, entry);
            }
            Err(e) if e.is_unreachable() => self.mark_unreachable(base),
            Err(_) => {}
        }
        result
    }

    /// The SBOM attestation of `r` for `platform` (`None`: the image has none). Not cached
    /// here: callers keep what they derive from it. Offline: [`Error::Offline`].
    pub fn sbom(&self, settings: &Settings, r: &Reference, platform: &Platform) -> Result<Option<Sbom>, Error> {
        if settings.offline {
            return Err(Error::Offline);
        }
        let base = self.reachable_base(settings, r)?;
        let key = cache_key(&base, r);
        let result = self.http.sbom(settings, &base, r, platform, self.recent_manifest(&key)).map(|(sbom, body)| {
            self.remember_manifest(key, body);
            sbom
        });
        if result.as_ref().is_err_and(Error::is_unreachable) {
            self.mark_unreachable(base);
        }
        result
    }

    fn recent_manifest(&self, key: &str) -> Option<std::sync::Arc<[u8]>> {
        let manifests = self.manifests.lock().unwrap_or_else(|e| e.into_inner());
        manifests.get(key).filter(|(t, _)| t.elapsed() < MANIFEST_REUSE).map(|(_, body)| body.clone())
    }

    fn remember_manifest(&self, key: String, body: std::sync::Arc<[u8]>) {
        let mut manifests = self.manifests.lock().unwrap_or_else(|e| e.into_inner());
        manifests.retain(|_, (t, _)| t.elapsed() < MANIFEST_REUSE);
        manifests.insert(key, (Instant::now(), body));
    }

    /// [`Registry::platforms`] of each distinct reference, a few at a time, in input order.
    pub fn platforms_many(&self, settings: &Settings, refs: &[Reference]) -> Vec<Lookup> {
        parallel(refs, |r| self.platforms(settings, r))
    }

    /// What each reference names (digest, platforms, configs), a few at a time, in input
    /// order: a fresh cached answer, else fetched (unless offline); a stale cached answer
    /// when the registry cannot give a new one.
    pub fn images_many(&self, settings: &Settings, refs: &[Reference]) -> Vec<Result<ImageInfo, Error>> {
        parallel(refs, |r| {
            let cached = self.cached_image(settings, r);
            match cached {
                Some(c) if !c.stale => Ok(c.value),
                _ => self.fetch_image(settings, r).or_else(|e| cached.map(|c| c.value).ok_or(e)),
            }
        })
    }
}

/// `f` of each of `refs` on at most [`PARALLEL`] threads, in input order.
fn parallel<T: Send>(refs: &[Reference], f: impl Fn(&Reference) -> Result<T, Error> + Sync) -> Vec<Result<T, Error>> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<T, Error>>>> = refs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(refs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(r) = refs.get(i) else { break };
                let res = f(r);
                *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(res);
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or(Err(Error::Invalid("not fetched".into()))))
        .collect()
}

/// Tags, digests and image facts: from the cache first ([`Registry::cached_tags`] and the
/// like never touch the network), fetched by [`Registry::tags`] and the like.
impl Registry {
    fn repo_key(settings: &Settings, r: &Reference) -> Option<String> {
        Some(format!("{} {}/{}", client::base_url(settings, r).ok()?, r.registry, r.repository))
    }

    fn image_ttl(r: &Reference) -> Option<Duration> {
        (!r.is_digest()).then_some(TAG_TTL)
    }

    /// `r`'s repository's tags if cached (maybe stale). No network.
    pub fn cached_tags(&self, settings: &Settings, r: &Reference) -> Option<Cached<Tags>> {
        self.tags.get(settings.cache_dir.as_deref(), &Self::repo_key(settings, r)?, Some(TAGS_TTL))
    }

    /// What `r` names (digest, platforms, configs) if cached (maybe stale). No network.
    pub fn cached_image(&self, settings: &Settings, r: &Reference) -> Option<Cached<ImageInfo>> {
        let base = client::base_url(settings, r).ok()?;
        self.images.get(settings.cache_dir.as_deref(), &cache_key(&base, r), Self::image_ttl(r))
    }

    /// The digest `r`'s tag points at if known (from its image or a `HEAD`). No network.
    pub fn cached_digest(&self, settings: &Settings, r: &Reference) -> Option<Cached<String>> {
        if let Some(d) = &r.digest {
            return Some(Cached { value: d.clone(), stale: false });
        }
        let base = client::base_url(settings, r).ok()?;
        let key = cache_key(&base, r);
        let from_image = self.images.get(settings.cache_dir.as_deref(), &key, Self::image_ttl(r)).map(|c| Cached { value: c.value.digest, stale: c.stale });
        match from_image {
            Some(c) if !c.stale => Some(c),
            other => self.digests.get(settings.cache_dir.as_deref(), &key, Some(TAG_TTL)).filter(|d| !d.stale).or(other),
        }
    }

    /// Runs `fetch` against `r`'s registry unless offline or known to be down, noting a
    /// network failure.
    fn online<T>(&self, settings: &Settings, r: &Reference, fetch: impl FnOnce(&str) -> Result<T, Error>) -> Result<T, Error> {
        if settings.offline {
            return Err(Error::Offline);
        }
        let base = self.reachable_base(settings, r)?;
        let result = fetch(&base);
        if result.as_ref().is_err_and(Error::is_unreachable) {
            self.mark_unreachable(base);
        }
        result
    }

    /// Fetches `r`'s repository's tags (every page) and caches them. On Docker Hub, its own
    /// API adds the digest and last update of the 100 most recently updated tags.
    pub fn fetch_tags(&self, settings: &Settings, r: &Reference) -> Result<Tags, Error> {
        let key = Self::repo_key(settings, r).ok_or_else(|| Error::Invalid(format!("no registry URL for {r}")))?;
        let mut tags = self.online(settings, r, |base| self.http.tags(settings, base, r))?;
        // Docker Hub's API, unless Docker Hub is mirrored (a mirror of its API may be given
        // as `hub.docker.com`).
        let hub_mirror = settings.mirrors.get("hub.docker.com");
        if r.registry == reference::DOCKER_HUB && (hub_mirror.is_some() || !settings.mirrors.contains_key(reference::DOCKER_HUB)) {
            let hub = hub_mirror.map_or(DOCKER_HUB_WEB, |s| s.trim_end_matches('/'));
            // Best effort: the tag names are complete without it.
            if let Ok(extra) = client::check_url(hub).and_then(|_| self.http.hub_tags(settings, hub, r)) {
                tags.known = extra.known;
            }
        }
        self.tags.put(settings.cache_dir.as_deref(), &key, tags.clone());
        Ok(tags)
    }

    /// Fetches what `r` names (its manifests and every platform's config) and caches it.
    pub fn fetch_image(&self, settings: &Settings, r: &Reference) -> Result<ImageInfo, Error> {
        let base = client::base_url(settings, r)?;
        let key = cache_key(&base, r);
        let (image, body) = self.online(settings, r, |base| self.http.image(settings, base, r, self.recent_manifest(&key)))?;
        self.remember_manifest(key, body);
        self.images.put(settings.cache_dir.as_deref(), &cache_key(&base, r), image.clone());
        if !r.is_digest() {
            self.digests.put(settings.cache_dir.as_deref(), &cache_key(&base, r), image.digest.clone());
        }
        Ok(image)
    }

    /// Fetches the digest `r`'s tag points at (a `HEAD`) and caches it.
    pub fn fetch_digest(&self, settings: &Settings, r: &Reference) -> Result<String, Error> {
        if let Some(d) = &r.digest {
            return Ok(d.clone());
        }
        let digest = self.online(settings, r, |base| self.http.digest(settings, base, r))?;
        let base = client::base_url(settings, r)?;
        self.digests.put(settings.cache_dir.as_deref(), &cache_key(&base, r), digest.clone());
        Ok(digest)
    }

    /// The most specific tag of `r`'s repository that names the same image as `r`'s (moving)
    /// tag: the candidates are the tags with the same variant and more version numbers,
    /// most specific first, whose digests are looked up (cache first) until one matches.
    /// `fetch`: whether missing digests may be fetched (else cache only).
    pub fn exact_tag(&self, settings: &Settings, r: &Reference, fetch: bool) -> Option<String> {
        let tag = r.tag.as_deref()?;
        let digest = match self.cached_digest(settings, r) {
            Some(d) => d.value,
            None if fetch => self.fetch_digest(settings, r).ok()?,
            None => return None,
        };
        let tags = match self.cached_tags(settings, r) {
            Some(t) => t.value,
            None if fetch => self.fetch_tags(settings, r).ok()?,
            None => return None,
        };
        for candidate in exact_candidates(&tags.names, tag) {
            let c = Reference { tag: Some(candidate.clone()), digest: None, ..r.clone() };
            let known = tags.known.get(candidate).and_then(|(d, _)| d.clone());
            let d = match known.or_else(|| self.cached_digest(settings, &c).map(|d| d.value)) {
                Some(d) => d,
                None if fetch => match self.fetch_digest(settings, &c) {
                    Ok(d) => d,
                    Err(_) => continue,
                },
                None => continue,
            };
            if d == digest {
                return Some(candidate.clone());
            }
        }
        None
    }
}

/// At most this many tags are asked for their digest when looking for a moving tag's exact one.
const EXACT_CANDIDATES: usize = 24;

/// The tags that could be the exact version of `tag` (`3.12-slim` → `3.12.7-slim`; `latest`
/// and `lts` → every versioned tag without a variant), most specific first.
pub fn exact_candidates<'a>(tags: &'a [String], tag: &str) -> Vec<&'a String> {
    let p = tag_order::parts(tag);
    let named = p.numbers.is_empty();
    let mut out: Vec<&String> = tags
        .iter()
        .filter(|t| t.as_str() != tag)
        .filter(|t| {
            let q = tag_order::parts(t);
            if q.pre.is_some() || q.numbers.is_empty() {
                return false;
            }
            if named {
                // `latest`, `lts`, `bookworm`: a versioned tag with no variant, or with the
                // named tag as its variant (`bookworm` → `3.12.7-bookworm`).
                return q.variant.is_empty() || q.variant == tag;
            }
            q.variant == p.variant && q.numbers.len() > p.numbers.len() && q.numbers.starts_with(&p.numbers)
        })
        .collect();
    out.sort_by(|a, b| tag_order::compare(a, b));
    // The most specific first: more version numbers before fewer.
    out.sort_by_key(|t| std::cmp::Reverse(tag_order::parts(t).numbers.len()));
    out.truncate(EXACT_CANDIDATES);
    out
}

/// The cache key: where the answer came from and the normalized reference (a mirror's answers
/// never stand in for the real registry's).
fn cache_key(base: &str, r: &Reference) -> String {
    format!("{base} {r}")
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// The distinct references among `refs`, in first-seen order.
pub fn distinct(refs: impl IntoIterator<Item = Reference>) -> Vec<Reference> {
    let mut seen = HashSet::new();
    refs.into_iter().filter(|r| seen.insert(r.to_string())).collect()
}
