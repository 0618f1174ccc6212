//! Known vulnerabilities of base images, for the `image-vulnerabilities` rule and the hover on
//! FROM images. The packages come from the SBOM attestation BuildKit stored with the image
//! (read by [`crate::registry::Registry::sbom`]); the advisories about them from OSV
//! ([`osv`]). No login is needed for either.
//!
//! An image's summary is cached in memory and on disk for a day (advisories change even when
//! the image does not), as is every advisory by id (images share most of theirs). Offline,
//! only the cache answers. A dead OSV is not asked again for a minute, so it costs one timeout
//! per run, not one per image. Blocking, like the registry client: callers run it on their own
//! threads. Errors are values; nothing here panics on a bad answer. No LSP types.

mod cache;
pub mod osv;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::registry::sbom::Package;
use crate::registry::{Platform, Reference, Registry};
pub use osv::{Advisory, Purl};

/// Where advisories come from unless configured otherwise.
pub const DEFAULT_OSV_URL: &str = "https://api.osv.dev";
/// An OSV that did not answer is not asked again for this long.
const UNREACHABLE_FOR: Duration = Duration::from_secs(60);
/// Images scanned at once, and advisories fetched at once per image.
const PARALLEL_IMAGES: usize = 4;
const PARALLEL_ADVISORIES: usize = 16;
/// Packages asked about per image, and advisories fetched per image, at most: a huge image
/// must not turn one lint run into thousands of requests.
const MAX_PACKAGES: usize = 10_000;
const MAX_ADVISORIES: usize = 3_000;
/// Vulnerabilities kept per image (most severe first); the counts cover all of them.
const MAX_LISTED: usize = 100;

/// How bad a vulnerability is, in CVSS's bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// `DOCKLS_OSV_URL`, when set and not empty.
pub fn env_osv_url() -> Option<String> {
    std::env::var("DOCKLS_OSV_URL").ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// How to look vulnerabilities up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Registries (mirrors, offline mode, the cache folder, the timeout) are shared with the
    /// platform lookup.
    pub registry: crate::registry::Settings,
    /// OSV's base URL (`https://`, or `http://` on loopback).
    pub osv_url: String,
    /// The platform whose image is scanned: the build's target.
    pub platform: Platform,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Offline and not in the cache.
    Offline,
    /// The registry side (manifest, attestation or SBOM) failed.
    Registry(crate::registry::Error),
    /// OSV could not be reached (or was skipped after such a failure).
    OsvUnreachable { url: String, message: String },
    /// OSV answered with another status than 200.
    OsvStatus { url: String, status: u16 },
    /// An answer that is not what the API promises, or a refused configuration.
    Invalid(String),
}

impl Error {
    /// The host that could not be reached, registry or OSV.
    pub fn unreachable_host(&self) -> Option<String> {
        match self {
            Error::Registry(crate::registry::Error::Unreachable { host, .. }) => Some(host.clone()),
            Error::OsvUnreachable { url, .. } => Some(url.split_once("://").map_or(url.as_str(), |(_, h)| h).split('/').next().unwrap_or(url).to_string()),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Offline => write!(f, "offline and not in the cache"),
            Error::Registry(e) => write!(f, "{e}"),
            Error::OsvUnreachable { url, message } => write!(f, "OSV at {url} unreachable: {message}"),
            Error::OsvStatus { url, status } => write!(f, "{url} answered HTTP {status}"),
            Error::Invalid(m) => write!(f, "{m}"),
        }
    }
}

/// One vulnerability of an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The CVE id when the advisory names one, else the advisory's id.
    pub id: String,
    pub severity: Option<Severity>,
    pub score: Option<f32>,
    pub package: String,
    pub version: String,
    pub fixed: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    /// Advisories without any severity.
    pub unknown: usize,
}

/// What is known about one image's vulnerabilities for one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageVulnerabilities {
    pub platform: Platform,
    /// The platform image's manifest digest (the SBOM's subject).
    pub digest: Option<String>,
    /// Whether the image has an SBOM attestation; without one nothing is known.
    pub has_sbom: bool,
    /// Packages listed in the SBOM.
    pub packages: usize,
    pub counts: Counts,
    /// Most severe first, at most [`MAX_LISTED`].
    pub vulnerabilities: Vec<Vulnerability>,
}

impl ImageVulnerabilities {
    pub fn without_sbom(platform: &Platform) -> ImageVulnerabilities {
        ImageVulnerabilities { platform: platform.clone(), digest: None, has_sbom: false, packages: 0, counts: Counts::default(), vulnerabilities: Vec::new() }
    }

    /// The critical and high ones, most severe first.
    pub fn critical_high(&self) -> impl Iterator<Item = &Vulnerability> {
        self.vulnerabilities.iter().filter(|v| v.severity >= Some(Severity::High))
    }

    /// Markdown for the hover on the FROM image (`shown`: the image as written).
    pub fn hover_markdown(&self, shown: &str) -> String {
        let mut out = format!("### Vulnerabilities of `{shown}` ({})\n\n", self.platform);
        if !self.has_sbom {
            out.push_str("The image has no SBOM attestation for this platform: its vulnerabilities are unknown.\n");
            return out;
        }
        let c = &self.counts;
        let others: Vec<String> =
            [(c.medium, "medium"), (c.low, "low"), (c.unknown, "unrated")].iter().filter(|(n, _)| *n > 0).map(|(n, s)| format!("{n} {s}")).collect();
        let others = if others.is_empty() { String::new() } else { format!(", {}", others.join(", ")) };
        out.push_str(&format!(
            "**{} critical, {} high**{others} in {} packages (packages from the image's SBOM attestation, advisories from OSV).\n",
            c.critical, c.high, self.packages
        ));
        let top: Vec<&Vulnerability> = self.critical_high().take(10).collect();
        if top.is_empty() {
            out.push_str("\nNo known critical or high vulnerabilities.\n");
            return out;
        }
        out.push_str("\n| vulnerability | severity | package | fixed in |\n|---|---|---|---|\n");
        let cell = |s: &str| s.replace('|', "\\|");
        for v in &top {
            let severity = match (v.severity, v.score) {
                (Some(s), Some(score)) => format!("{} {score:.1}", s.name()),
                (Some(s), None) => s.name().to_string(),
                (None, _) => "?".into(),
            };
            out.push_str(&format!(
                "| [{id}](https://osv.dev/vulnerability/{id}) | {severity} | {} {} | {} |\n",
                cell(&v.package),
                cell(&v.version),
                v.fixed.as_deref().map_or("–".to_string(), cell),
                id = cell(&v.id),
            ));
        }
        let more = c.critical + c.high - top.len();
        if more > 0 {
            out.push_str(&format!("\n…and {more} more critical or high.\n"));
        }
        out
    }
}

/// The summary of an image from its packages, the advisory ids OSV gave for each, and the
/// advisories (ids OSV did not know are skipped). One vulnerability per CVE: the advisories of
/// Debian, GitHub and NVD about one CVE count once, at their highest severity.
pub fn summarize(
    platform: &Platform,
    digest: Option<String>,
    packages: &[Package],
    ids: &[Vec<String>],
    advisories: &HashMap<String, Arc<Advisory>>,
) -> ImageVulnerabilities {
    let rank = |v: &Vulnerability| (v.severity, (v.score.unwrap_or(0.0) * 10.0) as i32);
    let mut found: Vec<Vulnerability> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (package, ids) in packages.iter().zip(ids) {
        let purl = Purl::parse(&package.purl);
        for id in ids {
            let Some(a) = advisories.get(id) else { continue };
            let name = if package.name.is_empty() { purl.as_ref().map(|p| p.name.clone()).unwrap_or_default() } else { package.name.clone() };
            let version = if package.version.is_empty() { purl.as_ref().and_then(|p| p.version.clone()).unwrap_or_default() } else { package.version.clone() };
            let v = Vulnerability {
                id: a.canonical_id().to_string(),
                severity: a.severity,
                score: a.score,
                package: name,
                version,
                fixed: purl.as_ref().and_then(|p| a.fixed_for(p)).map(str::to_string),
                summary: a.summary.clone(),
            };
            match index.get(&v.id) {
                Some(&i) if rank(&v) > rank(&found[i]) => found[i] = v,
                Some(_) => {}
                None => {
                    index.insert(v.id.clone(), found.len());
                    found.push(v);
                }
            }
        }
    }
    let mut counts = Counts::default();
    for v in &found {
        match v.severity {
            Some(Severity::Critical) => counts.critical += 1,
            Some(Severity::High) => counts.high += 1,
            Some(Severity::Medium) => counts.medium += 1,
            Some(Severity::Low) => counts.low += 1,
            None => counts.unknown += 1,
        }
    }
    found.sort_by(|a, b| rank(b).cmp(&rank(a)).then_with(|| a.package.cmp(&b.package)).then_with(|| a.id.cmp(&b.id)));
    found.truncate(MAX_LISTED);
    ImageVulnerabilities { platform: platform.clone(), digest, has_sbom: true, packages: packages.len(), counts, vulnerabilities: found }
}

/// The lookup with its memory caches. One per process is enough: see [`Scanner::shared`].
pub struct Scanner {
    /// `None`: the process-wide registry client (shares its memory of dead registries with
    /// the platform lookup).
    registry: Option<Registry>,
    images: Mutex<HashMap<String, (u64, Arc<ImageVulnerabilities>)>>,
    advisories: Mutex<HashMap<String, (u64, Arc<Advisory>)>>,
    /// OSV base URLs that failed at the network level, and when.
    unreachable: Mutex<HashMap<String, Instant>>,
    http: osv::Http,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Scanner {
    /// A scanner with its own registry client and caches (tests use one each).
    pub fn new() -> Scanner {
        Scanner { registry: Some(Registry::new()), images: Mutex::default(), advisories: Mutex::default(), unreachable: Mutex::default(), http: osv::Http::default() }
    }

    /// The process-wide scanner, on the process-wide registry client.
    pub fn shared() -> &'static Scanner {
        static SHARED: OnceLock<Scanner> = OnceLock::new();
        SHARED.get_or_init(|| Scanner { registry: None, ..Scanner::new() })
    }

    fn registry(&self) -> &Registry {
        self.registry.as_ref().unwrap_or_else(|| Registry::shared())
    }

    /// The cache key of an image: the registry mirror used, the image, the platform and OSV.
    fn image_key(s: &Settings, r: &Reference) -> String {
        let mirror = s.registry.mirrors.get(&r.registry).map_or("", String::as_str);
        format!("{mirror} {r} {} {}", s.platform, s.osv_url.trim_end_matches('/'))
    }

    /// The summary of `r` if the memory or disk cache has a fresh one. No network.
    pub fn cached(&self, s: &Settings, r: &Reference) -> Option<Arc<ImageVulnerabilities>> {
        let key = Self::image_key(s, r);
        if let Some((fetched, v)) = lock(&self.images).get(&key) {
            if cache::fresh(*fetched) {
                return Some(v.clone());
            }
        }
        let (fetched, value) = cache::read::<ImageVulnerabilities>(s.registry.cache_dir.as_deref()?, "images", &key)?;
        let value = Arc::new(value);
        lock(&self.images).insert(key, (fetched, value.clone()));
        Some(value)
    }

    /// The summary of `r`: from the cache, else from the registry and OSV (unless offline).
    pub fn scan(&self, s: &Settings, r: &Reference) -> Result<Arc<ImageVulnerabilities>, Error> {
        if let Some(hit) = self.cached(s, r) {
            return Ok(hit);
        }
        if s.registry.offline {
            return Err(Error::Offline);
        }
        let base = osv::check_url(&s.osv_url)?;
        self.check_reachable(&base)?;
        let summary = match self.registry().sbom(&s.registry, r, &s.platform).map_err(Error::Registry)? {
            None => ImageVulnerabilities::without_sbom(&s.platform),
            Some(sbom) => {
                let packages: Vec<Package> = sbom.packages.into_iter().take(MAX_PACKAGES).collect();
                // Packages sharing a purl (after stripping qualifiers) are asked about once.
                let mut queries: Vec<String> = Vec::new();
                let mut query_of: Vec<Option<usize>> = Vec::with_capacity(packages.len());
                let mut position: HashMap<String, usize> = HashMap::new();
                for p in &packages {
                    query_of.push(osv::Purl::query(&p.purl).map(|q| {
                        *position.entry(q.clone()).or_insert_with(|| {
                            queries.push(q);
                            queries.len() - 1
                        })
                    }));
                }
                let mut answers: Vec<Vec<String>> = Vec::with_capacity(queries.len());
                for chunk in queries.chunks(osv::BATCH) {
                    answers.extend(self.osv(&base, |http| http.query_batch(&base, s.registry.timeout, chunk))?);
                }
                let ids: Vec<Vec<String>> = query_of.iter().map(|q| q.map(|i| answers[i].clone()).unwrap_or_default()).collect();
                let mut wanted: Vec<String> = Vec::new();
                let mut seen = HashSet::new();
                for id in ids.iter().flatten() {
                    if seen.insert(id.as_str()) {
                        wanted.push(id.clone());
                    }
                }
                wanted.truncate(MAX_ADVISORIES);
                let advisories = self.with_severity(s, &base, self.advisories(s, &base, &wanted)?)?;
                summarize(&s.platform, Some(sbom.digest), &packages, &ids, &advisories)
            }
        };
        let summary = Arc::new(summary);
        let key = Self::image_key(s, r);
        let now = cache::now();
        if let Some(dir) = &s.registry.cache_dir {
            cache::write(dir, "images", &key, now, &*summary);
        }
        lock(&self.images).insert(key, (now, summary.clone()));
        Ok(summary)
    }

    /// [`Scanner::scan`] of each reference, a few at a time, in input order.
    pub fn scan_many(&self, s: &Settings, refs: &[Reference]) -> Vec<Result<Arc<ImageVulnerabilities>, Error>> {
        parallel(refs, PARALLEL_IMAGES, |r| self.scan(s, r))
    }

    fn check_reachable(&self, base: &str) -> Result<(), Error> {
        if lock(&self.unreachable).get(base).is_some_and(|t| t.elapsed() < UNREACHABLE_FOR) {
            return Err(Error::OsvUnreachable { url: base.to_string(), message: "skipped after an earlier failure".into() });
        }
        Ok(())
    }

    /// One OSV request; a network failure marks OSV as unreachable for a while.
    fn osv<T>(&self, base: &str, call: impl FnOnce(&osv::Http) -> Result<T, Error>) -> Result<T, Error> {
        self.check_reachable(base)?;
        let result = call(&self.http);
        if let Err(Error::OsvUnreachable { .. }) = &result {
            lock(&self.unreachable).insert(base.to_string(), Instant::now());
        }
        result
    }

    /// The advisories with these ids: from the caches, the others from OSV a few at a time.
    /// Ids OSV does not know are left out.
    fn advisories(&self, s: &Settings, base: &str, ids: &[String]) -> Result<HashMap<String, Arc<Advisory>>, Error> {
        let key = |id: &str| format!("{base} {id}");
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        {
            let memory = lock(&self.advisories);
            for id in ids {
                match memory.get(&key(id)) {
                    Some((fetched, a)) if cache::fresh(*fetched) => {
                        found.insert(id.clone(), a.clone());
                    }
                    _ => missing.push(id.clone()),
                }
            }
        }
        let mut to_fetch = Vec::new();
        for id in missing {
            match s.registry.cache_dir.as_deref().and_then(|dir| cache::read::<Advisory>(dir, "osv", &key(&id))) {
                Some((fetched, a)) => {
                    let a = Arc::new(a);
                    lock(&self.advisories).insert(key(&id), (fetched, a.clone()));
                    found.insert(id, a);
                }
                None => to_fetch.push(id),
            }
        }
        // After the first failure the other workers stop: one dead OSV costs one timeout.
        let failed = AtomicBool::new(false);
        let results = parallel(&to_fetch, PARALLEL_ADVISORIES, |id| {
            if failed.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let r = self.osv(base, |http| http.advisory(base, s.registry.timeout, id));
            if r.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            r
        });
        let now = cache::now();
        for (id, result) in to_fetch.into_iter().zip(results) {
            let Some(a) = result? else { continue };
            if let Some(dir) = &s.registry.cache_dir {
                cache::write(dir, "osv", &key(&id), now, &a);
            }
            let a = Arc::new(a);
            lock(&self.advisories).insert(key(&id), (now, a.clone()));
            found.insert(id, a);
        }
        Ok(found)
    }

    /// Advisories without a severity (a distribution's, which rate urgency, not impact) take
    /// the severity of the CVE record they are about.
    fn with_severity(&self, s: &Settings, base: &str, mut advisories: HashMap<String, Arc<Advisory>>) -> Result<HashMap<String, Arc<Advisory>>, Error> {
        let unrated = |a: &Advisory| a.severity.is_none() && a.canonical_id() != a.id;
        let mut seen = HashSet::new();
        let cves: Vec<String> = advisories
            .values()
            .filter(|a| unrated(a))
            .map(|a| a.canonical_id().to_string())
            .filter(|c| !advisories.contains_key(c) && seen.insert(c.clone()))
            .collect();
        let upstream = self.advisories(s, base, &cves)?;
        let updates: Vec<(String, Advisory)> = advisories
            .iter()
            .filter(|(_, a)| unrated(a))
            .filter_map(|(id, a)| {
                let cve = a.canonical_id();
                let rated = upstream.get(cve).or_else(|| advisories.get(cve)).filter(|u| u.severity.is_some())?;
                Some((id.clone(), Advisory { severity: rated.severity, score: rated.score, ..(**a).clone() }))
            })
            .collect();
        for (id, a) in updates {
            advisories.insert(id, Arc::new(a));
        }
        Ok(advisories)
    }
}

/// `f` over `items` on up to `width` threads, results in input order.
pub(crate) fn parallel<T: Sync, R: Send>(items: &[T], width: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..width.min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                *lock(&results[i]) = Some(r);
            });
        }
    });
    results.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).expect("every item is processed")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, version: &str, purl: &str) -> Package {
        Package { name: name.into(), version: version.into(), purl: purl.into() }
    }

    fn advisory(id: &str, aliases: &[&str], severity: Option<Severity>, score: Option<f32>, fixed: &[(&str, &str, &str)]) -> Arc<Advisory> {
        Arc::new(Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            summary: None,
            severity,
            score,
            fixed: fixed.iter().map(|(e, p, f)| (e.to_string(), p.to_string(), f.to_string())).collect(),
        })
    }

    #[test]
    fn one_vulnerability_per_cve_most_severe_first() {
        let platform = Platform::parse("linux/amd64").unwrap();
        let packages = [
            package("libssl3", "3.0.11-1~deb12u1", "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?upstream=openssl&distro=debian-12"),
            package("openssl", "3.0.11-1~deb12u1", "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"),
            package("zlib1g", "1.2.13", "pkg:deb/debian/zlib1g@1.2.13"),
        ];
        let ids = vec![vec!["DEBIAN-CVE-2024-1".to_string(), "GHSA-low".to_string()], vec!["CVE-2024-1".to_string()], vec!["CVE-2024-9".to_string(), "UNKNOWN-1".to_string()]];
        let advisories: HashMap<String, Arc<Advisory>> = [
            ("DEBIAN-CVE-2024-1", advisory("DEBIAN-CVE-2024-1", &["CVE-2024-1"], Some(Severity::High), None, &[("Debian:12", "openssl", "3.0.14-1~deb12u1")])),
            ("CVE-2024-1", advisory("CVE-2024-1", &[], Some(Severity::Critical), Some(9.8), &[])),
            ("GHSA-low", advisory("GHSA-low", &[], Some(Severity::Low), None, &[])),
            ("CVE-2024-9", advisory("CVE-2024-9", &[], None, None, &[])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let s = summarize(&platform, Some("sha256:aa".into()), &packages, &ids, &advisories);
        assert_eq!(s.counts, Counts { critical: 1, high: 0, medium: 0, low: 1, unknown: 1 });
        let listed: Vec<(&str, &str)> = s.vulnerabilities.iter().map(|v| (v.id.as_str(), v.package.as_str())).collect();
        assert_eq!(listed, [("CVE-2024-1", "openssl"), ("GHSA-low", "libssl3"), ("CVE-2024-9", "zlib1g")]);
        assert_eq!(s.critical_high().count(), 1);
        let md = s.hover_markdown("debian:12");
        assert!(md.contains("**1 critical, 0 high**, 1 low, 1 unrated in 3 packages"), "{md}");
        assert!(md.contains("| [CVE-2024-1](https://osv.dev/vulnerability/CVE-2024-1) | critical 9.8 | openssl 3.0.11-1~deb12u1 | – |"), "{md}");
        // The Debian advisory (high) lost to the CVE record (critical) for the same CVE; the
        // fixed version is the one of the package the kept advisory was found for.
        let only_debian: HashMap<String, Arc<Advisory>> = advisories.iter().filter(|(k, _)| k.starts_with("DEBIAN")).map(|(k, v)| (k.clone(), v.clone())).collect();
        let s = summarize(&platform, None, &packages, &ids, &only_debian);
        assert_eq!(s.vulnerabilities[0].fixed.as_deref(), Some("3.0.14-1~deb12u1"));
        assert_eq!(s.counts.high, 1);
    }

    #[test]
    fn hover_without_sbom_or_without_critical_ones() {
        let platform = Platform::parse("linux/arm64").unwrap();
        let md = ImageVulnerabilities::without_sbom(&platform).hover_markdown("alpine:3.20");
        assert!(md.contains("no SBOM attestation"), "{md}");
        let s = summarize(&platform, None, &[package("a", "1", "pkg:npm/a@1")], &[vec![]], &HashMap::new());
        assert!(s.hover_markdown("x").contains("No known critical or high vulnerabilities"));
    }

    #[test]
    fn offline_without_cache_is_an_error_and_sends_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            registry: crate::registry::Settings { offline: true, mirrors: Default::default(), cache_dir: Some(dir.path().into()), timeout: Duration::from_secs(1), ..Default::default() },
            osv_url: "http://127.0.0.1:9".into(),
            platform: Platform::parse("linux/amd64").unwrap(),
        };
        let r = Reference::parse("debian:12").unwrap();
        assert_eq!(Scanner::new().scan(&settings, &r), Err(Error::Offline));
        // A summary on disk (from another process) answers, even offline.
        let summary = ImageVulnerabilities::without_sbom(&settings.platform);
        cache::write(dir.path(), "images", &Scanner::image_key(&settings, &r), cache::now(), &summary);
        assert_eq!(Scanner::new().scan(&settings, &r).unwrap().as_ref(), &summary);
    }

    #[test]
    fn plain_http_osv_must_be_loopback() {
        assert!(osv::check_url("http://127.0.0.1:8080/").is_ok());
        assert!(osv::check_url("https://api.osv.dev").is_ok());
        assert!(matches!(osv::check_url("http://osv.example.com"), Err(Error::Invalid(_))));
    }
}
