//! The HTTP side: manifests, config blobs and the anonymous token dance, with ureq.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;

use super::sbom::{self, Sbom};
use super::{host_of, Error, Platform, Reference, Settings};

/// Every manifest kind we can read, indexes first (they list all platforms in one request).
pub(super) const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Manifests and configs are small; anything bigger is not what we asked for.
pub(super) const MAX_BODY: u64 = 4 << 20;
/// An SBOM lists every file of the image: megabytes are normal, more than this is refused.
const MAX_SBOM: u64 = 64 << 20;
/// Downloading an SBOM of tens of MB takes longer than the per-request timeout.
const SBOM_BUDGET: Duration = Duration::from_secs(60);
/// What an attestation manifest is served as.
const ACCEPT_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// HTTP agents by (timeout, loopback): an agent keeps its connection pool and TLS setup.
/// Shared by the registry client and the OSV client.
#[derive(Default)]
pub struct Agents(Mutex<HashMap<(Duration, bool), ureq::Agent>>);

impl Agents {
    /// Non-2xx answers are returned, not errors (401 and 404 are answers to read); https only,
    /// except on loopback, where no proxy from the environment may capture the request.
    pub fn get(&self, timeout: Duration, loopback: bool) -> ureq::Agent {
        let mut agents = self.0.lock().unwrap_or_else(|e| e.into_inner());
        agents
            .entry((timeout, loopback))
            .or_insert_with(|| {
                let config = ureq::Agent::config_builder()
                    .timeout_global(Some(timeout))
                    .http_status_as_error(false)
                    .user_agent(concat!("dockls/", env!("CARGO_PKG_VERSION")));
                let config = if loopback { config.proxy(None) } else { config.https_only(true) };
                config.build().into()
            })
            .clone()
    }
}

#[derive(Default)]
pub struct Http {
    agents: Agents,
    /// Bearer tokens by base URL and repository, until they expire: the next request to the
    /// same repository sends its token at once instead of being answered 401 and asking the
    /// token service again. Memory only (a token may stand for the user's credentials).
    tokens: Mutex<HashMap<String, (String, std::time::Instant)>>,
}

/// A token's life when the service does not say (the distribution spec's default).
const TOKEN_LIFE: Duration = Duration::from_secs(60);
/// A cached token is no longer sent this close to its end (it could expire on the way).
const TOKEN_MARGIN: Duration = Duration::from_secs(10);

/// The base URL for `r`'s registry: its mirror, else `https://<api host>`. Plain `http://` is
/// refused except on loopback, so a typo cannot send requests in clear over the network.
pub fn base_url(settings: &Settings, r: &Reference) -> Result<String, Error> {
    match settings.mirrors.get(&r.registry) {
        Some(url) => {
            let url = url.trim().trim_end_matches('/').to_string();
            check_url(&url)?;
            Ok(url)
        }
        None => {
            // Docker talks plain HTTP to loopback registries and to those listed as insecure.
            let host = r.api_host();
            let plain = is_loopback(&format!("http://{host}")) || settings.insecure.iter().any(|h| h.eq_ignore_ascii_case(&r.registry));
            Ok(format!("{}://{host}", if plain { "http" } else { "https" }))
        }
    }
}

pub(super) fn check_url(url: &str) -> Result<(), Error> {
    if url.starts_with("https://") || (url.starts_with("http://") && is_loopback(url)) {
        Ok(())
    } else {
        Err(Error::Invalid(format!("`{url}`: registry URLs must use https:// (http:// only for loopback addresses)")))
    }
}

pub fn is_loopback(url: &str) -> bool {
    let host = host_of(url);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[derive(Deserialize)]
pub(super) struct Manifest {
    #[serde(default, rename = "mediaType")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
}

#[derive(Deserialize)]
pub(super) struct Descriptor {
    #[serde(default, rename = "mediaType")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub platform: Option<RawPlatform>,
    #[serde(default)]
    pub annotations: HashMap<String, String>,
}

#[derive(Deserialize)]
pub(super) struct RawPlatform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

impl RawPlatform {
    pub(super) fn platform(&self) -> Option<Platform> {
        let p = Platform::new(&self.os, &self.architecture, self.variant.as_deref());
        (!p.os.is_empty() && !p.architecture.is_empty() && !p.is_unknown()).then_some(p)
    }
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    /// Seconds.
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Http {
    pub(super) fn agent(&self, timeout: Duration, loopback: bool) -> ureq::Agent {
        self.agents.get(timeout, loopback)
    }

    fn token_key(base: &str, r: &Reference) -> String {
        format!("{base} {}", r.repository)
    }

    /// The cached token for `r`'s repository at `base`, unless it is about to expire.
    fn cached_token(&self, base: &str, r: &Reference) -> Option<String> {
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let (token, until) = tokens.get(&Self::token_key(base, r))?;
        (std::time::Instant::now() + TOKEN_MARGIN < *until).then(|| token.clone())
    }

    fn remember_token(&self, base: &str, r: &Reference, token: &str, life: Duration) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        tokens.retain(|_, (_, until)| *until > now);
        tokens.insert(Self::token_key(base, r), (token.to_string(), now + life));
    }

    /// The top-level manifest of `r` (an index or an image manifest): `known` when the caller
    /// has it from a recent request, else fetched.
    pub(super) fn top_manifest(session: &mut Session<'_>, r: &Reference, known: Option<Arc<[u8]>>) -> Result<(String, Arc<[u8]>), Error> {
        let url = format!("{}/v2/{}/manifests/{}", session.base, r.repository, r.manifest_ref());
        if let Some(body) = known {
            return Ok((url, body));
        }
        let body = session.get(&url, ACCEPT).map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound(r.to_string()),
            e => e,
        })?;
        Ok((url, body.into()))
    }

    /// The platforms the image provides: an index's entries, or a single manifest's config.
    /// Also returns the top-level manifest for reuse.
    pub fn platforms(&self, settings: &Settings, base: &str, r: &Reference, known: Option<Arc<[u8]>>) -> Result<(Vec<Platform>, Arc<[u8]>), Error> {
        let mut session = Session::new(self, settings, base, r);
        let (url, body) = Self::top_manifest(&mut session, r, known)?;
        let manifest: Manifest = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a manifest: {e}")))?;
        if let Some(entries) = manifest.manifests {
            let mut out: Vec<Platform> = Vec::new();
            for p in entries.iter().filter_map(|d| d.platform.as_ref()?.platform()) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            return Ok((out, body));
        }
        let digest = manifest.config.and_then(|c| c.digest).ok_or_else(|| Error::Invalid(format!("{url}: neither an index nor an image manifest")))?;
        let url = format!("{base}/v2/{}/blobs/{digest}", r.repository);
        let config = session.get(&url, "application/vnd.oci.image.config.v1+json, application/vnd.docker.container.image.v1+json, application/json")?;
        let config: RawPlatform = serde_json::from_slice(&config).map_err(|e| Error::Invalid(format!("{url}: not an image config: {e}")))?;
        Ok((config.platform().into_iter().collect(), body))
    }
}

impl Http {
    /// The SBOM attestation of `r`'s image for `platform`: `None` when the image has none
    /// (a single-platform manifest, no platform match, no attestation, or no SPDX layer).
    /// `known`: the top-level manifest, when the caller has it (see [`Http::platforms`]).
    pub fn sbom(&self, settings: &Settings, base: &str, r: &Reference, platform: &Platform, known: Option<Arc<[u8]>>) -> Result<(Option<Sbom>, Arc<[u8]>), Error> {
        let mut session = Session::new(self, settings, base, r);
        let (url, body) = Self::top_manifest(&mut session, r, known)?;
        Ok((Self::sbom_of(&mut session, r, platform, &url, &body)?, body))
    }

    fn sbom_of(session: &mut Session<'_>, r: &Reference, platform: &Platform, url: &str, body: &[u8]) -> Result<Option<Sbom>, Error> {
        let base = session.base;
        let index: Manifest = serde_json::from_slice(body).map_err(|e| Error::Invalid(format!("{url}: not a manifest: {e}")))?;
        let Some(entries) = index.manifests else { return Ok(None) };
        let Some((digest, attestation)) = sbom::attestation_for(&entries, platform) else { return Ok(None) };
        let url = format!("{base}/v2/{}/manifests/{attestation}", r.repository);
        let body = session.get(&url, ACCEPT_MANIFEST)?;
        let manifest: Manifest = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a manifest: {e}")))?;
        let Some(layer) = sbom::spdx_layer(manifest.layers.as_deref().unwrap_or_default()) else { return Ok(None) };
        let url = format!("{base}/v2/{}/blobs/{layer}", r.repository);
        let resp = session.fetch(&url, "application/vnd.in-toto+json, application/json", Some(SBOM_BUDGET))?;
        // Streamed: the document is never held as text, only the packages are kept.
        let reader = resp.into_body().into_with_config().limit(MAX_SBOM).reader();
        let packages = sbom::read_statement(reader).map_err(|e| Error::Invalid(format!("{url}: not a readable SBOM (at most {} MB): {e}", MAX_SBOM >> 20)))?;
        Ok(Some(Sbom { digest, packages }))
    }
}

/// Requests to one repository, sharing the token once one was needed (and with the next
/// sessions, through [`Http`]'s token cache).
pub(super) struct Session<'a> {
    agent: ureq::Agent,
    http: &'a Http,
    repository: &'a Reference,
    pub base: &'a str,
    token: Option<String>,
    /// The per-request timeout (also the agent's).
    timeout: Duration,
    /// The registry's name in references (`docker.io`), for credentials.
    registry: &'a str,
    /// The user's credentials for this registry, if any (sent to its own host only).
    credential: Option<super::credentials::Credential>,
    /// The registry asked for basic auth.
    basic: bool,
}

impl<'a> Session<'a> {
    /// A session with `r`'s registry at `base`: its agent, and the user's credentials for it
    /// (none for a mirror: credentials belong to the host they were stored for).
    pub(super) fn new(http: &'a Http, settings: &Settings, base: &'a str, r: &'a Reference) -> Session<'a> {
        // Plain HTTP only where `base_url` allowed it (loopback, or listed as insecure).
        let agent = http.agent(settings.timeout, base.starts_with("http://"));
        let own = base == format!("https://{}", r.api_host()) || base == format!("http://{}", r.api_host());
        let credential = if own { super::credentials::lookup(settings, &r.registry) } else { None };
        let token = http.cached_token(base, r);
        Session { agent, http, repository: r, base, token, timeout: settings.timeout, registry: &r.registry, credential, basic: false }
    }

    pub(super) fn unreachable(&self, e: ureq::Error) -> Error {
        Error::Unreachable { host: host_of(self.base).to_string(), message: e.to_string() }
    }

    pub(super) fn get(&mut self, url: &str, accept: &str) -> Result<Vec<u8>, Error> {
        let mut resp = self.fetch(url, accept, None)?;
        resp.body_mut().with_config().limit(MAX_BODY).read_to_vec().map_err(|e| self.unreachable(e))
    }

    /// A 200 answer to `GET url` (after the token dance if the registry asks for one), its
    /// body not read yet. `budget`: a longer total time for a large body (connecting and the
    /// first answer still get the usual timeout).
    pub(super) fn fetch(&mut self, url: &str, accept: &str, budget: Option<Duration>) -> Result<ureq::http::Response<ureq::Body>, Error> {
        self.call(false, url, accept, budget)
    }

    /// `GET` or `HEAD`, answering a 401 once: with a bearer token (anonymous, or with the
    /// user's credentials when the token service is on the registry's own host), or with
    /// basic auth when the registry asks for it and the user has credentials for it.
    pub(super) fn call(&mut self, head: bool, url: &str, accept: &str, budget: Option<Duration>) -> Result<ureq::http::Response<ureq::Body>, Error> {
        for attempt in 0..2 {
            let mut req = if head { self.agent.head(url) } else { self.agent.get(url) }.header("Accept", accept);
            if let Some(t) = &self.token {
                req = req.header("Authorization", format!("Bearer {t}"));
            } else if let (true, Some(c)) = (self.basic, &self.credential) {
                req = req.header("Authorization", c.basic());
            }
            if let Some(total) = budget {
                req = req.config().timeout_global(Some(total)).timeout_connect(Some(self.timeout)).timeout_recv_response(Some(self.timeout)).build();
            }
            let resp = req.call().map_err(|e| self.unreachable(e))?;
            let status = resp.status().as_u16();
            match status {
                200 => return Ok(resp),
                401 if attempt == 0 => {
                    let challenge = resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    if challenge.trim_start().get(..5).is_some_and(|s| s.eq_ignore_ascii_case("basic")) && self.credential.is_some() {
                        self.basic = true;
                        // A cached token from an earlier session would win over basic auth.
                        self.token = None;
                    } else {
                        let (token, life) = self.fetch_token(&challenge)?;
                        self.http.remember_token(self.base, self.repository, &token, life);
                        self.token = Some(token);
                    }
                }
                404 => return Err(Error::NotFound(url.to_string())),
                _ => return Err(Error::Status { url: url.to_string(), status }),
            }
        }
        Err(Error::Status { url: url.to_string(), status: 401 })
    }

    /// Answers a `Bearer realm=…,service=…,scope=…` challenge (anonymously, or with the
    /// user's credentials when the token service is on the registry's host): the token and
    /// how long it lives.
    fn fetch_token(&self, challenge: &str) -> Result<(String, Duration), Error> {
        let params = parse_challenge(challenge).ok_or_else(|| Error::Invalid(format!("unsupported auth challenge `{challenge}`")))?;
        let realm = params.iter().find(|(k, _)| k == "realm").map(|(_, v)| v.clone()).ok_or_else(|| Error::Invalid("auth challenge without realm".into()))?;
        check_url(&realm)?;
        let query: Vec<String> = params
            .iter()
            .filter(|(k, _)| k == "service" || k == "scope")
            .map(|(k, v)| format!("{k}={}", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)))
            .collect();
        let url = if query.is_empty() { realm } else { format!("{realm}{}{}", if realm.contains('?') { '&' } else { '?' }, query.join("&")) };
        let mut req = self.agent.get(&url);
        // The user's credentials go to the token service only when it is on the registry's
        // own host (a challenge must not be able to send them elsewhere).
        if let Some(c) = self.credential.as_ref().filter(|_| super::credentials::same_host(host_of(self.base), host_of(&url), self.registry)) {
            req = req.header("Authorization", c.basic());
        }
        let mut resp = req.call().map_err(|e| self.unreachable(e))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(Error::Status { url, status });
        }
        let body = resp.body_mut().with_config().limit(MAX_BODY).read_to_vec().map_err(|e| self.unreachable(e))?;
        let token: Token = serde_json::from_slice(&body).map_err(|e| Error::Invalid(format!("{url}: not a token: {e}")))?;
        let life = token.expires_in.map_or(TOKEN_LIFE, Duration::from_secs);
        let value = token.token.or(token.access_token).filter(|t| !t.is_empty()).ok_or_else(|| Error::Invalid(format!("{url}: no token in the answer")))?;
        Ok((value, life))
    }
}

/// `Bearer k="v",k2="v2"` → [(k, v), …]; `None` for another scheme.
fn parse_challenge(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim();
    let (scheme, rest) = rest.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect::<String>().trim().to_ascii_lowercase();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key, value.trim().to_string()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let p = parse_challenge(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#).unwrap();
        assert_eq!(p[0], ("realm".into(), "https://auth.docker.io/token".into()));
        assert_eq!(p[2], ("scope".into(), "repository:library/alpine:pull".into()));
        assert!(parse_challenge("Basic realm=x").is_none());
    }

    #[test]
    fn loopback_only_for_http() {
        assert!(is_loopback("http://127.0.0.1:5000"));
        assert!(is_loopback("http://localhost:80/x"));
        assert!(is_loopback("http://[::1]:5000"));
        assert!(!is_loopback("http://example.com:5000"));
        assert!(check_url("http://10.0.0.1:5000").is_err());
        assert!(check_url("https://mirror.example.com").is_ok());
    }
}
