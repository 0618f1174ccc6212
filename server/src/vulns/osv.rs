//! The OSV API (`https://api.osv.dev`): `POST /v1/querybatch` answers, per package URL, the
//! ids of the advisories affecting it (paged with `next_page_token`); `GET /v1/vulns/{id}`
//! answers one advisory. Only the fields dockls shows are kept: severity, summary, aliases
//! and fixed versions. Severity comes from a CVSS vector (scored with the `cvss` crate), else
//! from the database's own word (`database_specific.severity`, Ubuntu's priority).

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Error, Severity};

/// OSV accepts at most 1000 queries per batch.
pub const BATCH: usize = 1000;
/// Pages of one batch followed at most (a package with thousands of advisories is not worth
/// more requests: the first pages already show how bad it is).
const MAX_PAGES: usize = 10;
/// A batch answer is ids only; an advisory is a few KB. Anything bigger is refused.
const MAX_BATCH_BODY: u64 = 32 << 20;
const MAX_VULN_BODY: u64 = 4 << 20;

/// Package URL types OSV maps to an ecosystem. Others are not sent: an unknown type can make
/// OSV refuse the whole batch.
const SUPPORTED_TYPES: &[&str] =
    &["apk", "bitnami", "cargo", "composer", "conan", "cran", "deb", "gem", "golang", "hackage", "hex", "maven", "npm", "nuget", "pub", "pypi", "swift"];

/// One advisory, as far as dockls uses it (also the disk cache's format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    /// `aliases` and `upstream` (a distribution's advisory names the CVE it is about there).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    /// CVSS base score, when the severity came from a vector.
    #[serde(default)]
    pub score: Option<f32>,
    /// (ecosystem, package, fixed version) for every affected package with a fix.
    #[serde(default)]
    pub fixed: Vec<(String, String, String)>,
}

impl Advisory {
    /// The CVE this advisory is about: its own id, else the first CVE among its aliases, else
    /// its id. Advisories about one CVE (Debian's, GitHub's, NVD's) are one vulnerability.
    pub fn canonical_id(&self) -> &str {
        if self.id.starts_with("CVE-") {
            return &self.id;
        }
        self.aliases.iter().find(|a| a.starts_with("CVE-")).unwrap_or(&self.id)
    }

    /// The version that fixes `purl`'s package: an affected entry for the package's name (or
    /// its source package, the `upstream` qualifier) in the purl's distribution release first.
    pub fn fixed_for(&self, purl: &Purl) -> Option<&str> {
        let names: Vec<&str> = std::iter::once(purl.name.as_str()).chain(purl.source().map(|(name, _)| name)).collect();
        let candidates: Vec<&(String, String, String)> = self.fixed.iter().filter(|(_, p, _)| names.iter().any(|n| p.eq_ignore_ascii_case(n))).collect();
        let release = purl.release_ecosystem();
        candidates
            .iter()
            .find(|(e, _, _)| release.as_deref().is_some_and(|r| e.eq_ignore_ascii_case(r)))
            .or(candidates.first())
            .map(|(_, _, f)| f.as_str())
    }
}

/// The parts of a package URL dockls needs: `pkg:type/namespace/name@version?qualifiers#sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    qualifiers: Vec<(String, String)>,
}

impl Purl {
    pub fn parse(text: &str) -> Option<Purl> {
        let rest = text.strip_prefix("pkg:")?;
        let rest = rest.split('#').next()?;
        let (path, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
        let (path, version) = match path.rsplit_once('@') {
            Some((p, v)) if !v.is_empty() => (p, Some(decode(v))),
            _ => (path, None),
        };
        let mut segments = path.trim_matches('/').split('/');
        let kind = segments.next()?.to_ascii_lowercase();
        let segments: Vec<&str> = segments.collect();
        let (name, namespace) = segments.split_last()?;
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        let namespace = (!namespace.is_empty()).then(|| namespace.iter().map(|s| decode(s)).collect::<Vec<_>>().join("/"));
        let qualifiers = qualifiers.split('&').filter_map(|q| q.split_once('=')).map(|(k, v)| (k.to_ascii_lowercase(), decode(v))).collect();
        Some(Purl { kind, namespace, name: decode(name), version, qualifiers })
    }

    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// What OSV is asked: the purl without qualifiers and subpath (OSV answers nothing for
    /// some qualifiers, e.g. `arch`), `None` for types OSV does not know or without version.
    /// Distribution advisories (Debian, Alpine) name source packages: a binary package with an
    /// `upstream` qualifier (`libssl3` from `openssl`) is asked about as its source package.
    pub fn query(text: &str) -> Option<String> {
        let purl = Purl::parse(text)?;
        if !SUPPORTED_TYPES.contains(&purl.kind.as_str()) || purl.version.is_none() {
            return None;
        }
        if let (true, Some((name, version))) = (matches!(purl.kind.as_str(), "deb" | "apk"), purl.source()) {
            let namespace = purl.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default();
            let version = version.or(purl.version.as_deref())?;
            return Some(format!("pkg:{}/{namespace}{name}@{version}", purl.kind));
        }
        let bare = text.split(['?', '#']).next()?;
        Some(bare.to_string())
    }

    /// The source package from the `upstream` qualifier: `openssl`, or `gcc-12@12.2.0-14` when
    /// its version differs from the binary package's.
    fn source(&self) -> Option<(&str, Option<&str>)> {
        let upstream = self.qualifier("upstream").filter(|u| !u.is_empty())?;
        Some(match upstream.split_once('@') {
            Some((name, version)) => (name, Some(version)),
            None => (upstream, None),
        })
    }

    /// The OSV ecosystem of the purl's distribution release, from `distro=`: `Debian:12` for
    /// `debian-12`, `Alpine:v3.20` for `alpine-3.20.3`.
    fn release_ecosystem(&self) -> Option<String> {
        let distro = self.qualifier("distro")?;
        let (name, version) = distro.split_once('-')?;
        match name {
            "debian" => Some(format!("Debian:{}", version.split('.').next()?)),
            "ubuntu" => Some(format!("Ubuntu:{version}")),
            "alpine" => {
                let mut parts = version.split('.');
                Some(format!("Alpine:v{}.{}", parts.next()?, parts.next()?))
            }
            _ => None,
        }
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

// ------------------------------------------------------------------ answers

#[derive(Serialize)]
struct BatchRequest<'a> {
    queries: Vec<Query<'a>>,
}

#[derive(Serialize)]
struct Query<'a> {
    package: PurlQuery<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<&'a str>,
}

#[derive(Serialize)]
struct PurlQuery<'a> {
    purl: &'a str,
}

#[derive(Deserialize)]
struct BatchResponse {
    #[serde(default)]
    results: Vec<BatchResult>,
}

/// A query without advisories may be answered with an empty object.
#[derive(Deserialize, Default)]
struct BatchResult {
    #[serde(default)]
    vulns: Vec<VulnRef>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct VulnRef {
    id: String,
}

#[derive(Deserialize)]
struct RawVuln {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    affected: Vec<RawAffected>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Vec<RawRange>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(default)]
    events: Vec<HashMap<String, serde_json::Value>>,
}

/// The severity of a CVSS base score (the CVSS v3 bands, used for every version).
pub fn severity_of_score(score: f64) -> Option<Severity> {
    match score {
        s if s >= 9.0 => Some(Severity::Critical),
        s if s >= 7.0 => Some(Severity::High),
        s if s >= 4.0 => Some(Severity::Medium),
        s if s > 0.0 => Some(Severity::Low),
        _ => None,
    }
}

/// A database's own severity word (GitHub's `MODERATE`, Ubuntu's `negligible`).
pub fn severity_of_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" | "important" => Some(Severity::High),
        "moderate" | "medium" => Some(Severity::Medium),
        "low" | "negligible" => Some(Severity::Low),
        _ => None,
    }
}

/// The severity of an advisory's `severity` list: CVSS v3, then v4, then v2 vectors (a bare
/// number is taken as the score), then a word.
fn classify(entries: &[RawSeverity]) -> Option<(Severity, Option<f32>)> {
    for kind in ["CVSS_V3", "CVSS_V4", "CVSS_V2"] {
        for e in entries.iter().filter(|e| e.kind.eq_ignore_ascii_case(kind)) {
            let score = e.score.trim().parse::<cvss::Cvss>().map(|v| v.score()).ok().or_else(|| e.score.trim().parse::<f64>().ok());
            if let Some(s) = score {
                if let Some(sev) = severity_of_score(s) {
                    return Some((sev, Some(s as f32)));
                }
            }
        }
    }
    entries.iter().find_map(|e| severity_of_word(&e.score)).map(|s| (s, None))
}

fn word_in(value: &Option<serde_json::Value>) -> Option<Severity> {
    value.as_ref()?.get("severity")?.as_str().and_then(severity_of_word)
}

/// Reads an advisory (`GET /v1/vulns/{id}`).
pub fn parse_advisory(body: &[u8]) -> Result<Advisory, serde_json::Error> {
    let raw: RawVuln = serde_json::from_slice(body)?;
    let from_affected = || raw.affected.iter().find_map(|a| classify(&a.severity));
    let words = || word_in(&raw.database_specific).or_else(|| raw.affected.iter().find_map(|a| word_in(&a.database_specific))).map(|s| (s, None));
    let severity = classify(&raw.severity).or_else(from_affected).or_else(words);
    let mut fixed = Vec::new();
    for a in &raw.affected {
        let Some(p) = &a.package else { continue };
        for event in a.ranges.iter().flat_map(|r| &r.events) {
            if let Some(f) = event.get("fixed").and_then(|v| v.as_str()) {
                fixed.push((p.ecosystem.clone(), p.name.clone(), f.to_string()));
            }
        }
    }
    let mut aliases = raw.aliases;
    aliases.extend(raw.upstream);
    Ok(Advisory {
        id: raw.id,
        aliases,
        summary: raw.summary.filter(|s| !s.trim().is_empty()),
        severity: severity.map(|(s, _)| s),
        score: severity.and_then(|(_, score)| score),
        fixed,
    })
}

// ------------------------------------------------------------------ HTTP

#[derive(Default)]
pub struct Http {
    agents: crate::registry::Agents,
}

/// The base URL to use: `https://`, or `http://` on loopback only (tests, local mirrors).
pub fn check_url(url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/').to_string();
    if url.starts_with("https://") || (url.starts_with("http://") && crate::registry::is_loopback(&url)) {
        Ok(url)
    } else {
        Err(Error::Invalid(format!("`{url}`: the OSV URL must use https:// (http:// only for loopback addresses)")))
    }
}

impl Http {
    fn agent(&self, timeout: Duration, loopback: bool) -> ureq::Agent {
        self.agents.get(timeout, loopback)
    }

    fn unreachable(base: &str, e: impl std::fmt::Display) -> Error {
        Error::OsvUnreachable { url: base.to_string(), message: e.to_string() }
    }

    /// The advisory ids affecting each purl (in input order), following pages.
    pub fn query_batch(&self, base: &str, timeout: Duration, purls: &[String]) -> Result<Vec<Vec<String>>, Error> {
        let agent = self.agent(timeout, crate::registry::is_loopback(base));
        let url = format!("{base}/v1/querybatch");
        let mut ids: Vec<Vec<String>> = vec![Vec::new(); purls.len()];
        // (index into purls, page token) still to ask.
        let mut pending: Vec<(usize, Option<String>)> = (0..purls.len()).map(|i| (i, None)).collect();
        for _ in 0..MAX_PAGES {
            if pending.is_empty() {
                break;
            }
            let request = BatchRequest {
                queries: pending.iter().map(|(i, token)| Query { package: PurlQuery { purl: &purls[*i] }, page_token: token.as_deref() }).collect(),
            };
            let body = serde_json::to_vec(&request).map_err(|e| Error::Invalid(e.to_string()))?;
            let mut resp = agent.post(&url).header("Content-Type", "application/json").send(&body[..]).map_err(|e| Self::unreachable(base, e))?;
            let status = resp.status().as_u16();
            if status != 200 {
                return Err(Error::OsvStatus { url, status });
            }
            let text = resp.body_mut().with_config().limit(MAX_BATCH_BODY).read_to_vec().map_err(|e| Self::unreachable(base, e))?;
            let answer: BatchResponse = serde_json::from_slice(&text).map_err(|e| Error::Invalid(format!("{url}: not a batch answer: {e}")))?;
            if answer.results.len() != pending.len() {
                return Err(Error::Invalid(format!("{url}: {} answers to {} queries", answer.results.len(), pending.len())));
            }
            let mut next = Vec::new();
            for ((i, _), result) in pending.iter().zip(answer.results) {
                ids[*i].extend(result.vulns.into_iter().map(|v| v.id));
                if let Some(token) = result.next_page_token.filter(|t| !t.is_empty()) {
                    next.push((*i, Some(token)));
                }
            }
            pending = next;
        }
        for list in &mut ids {
            list.sort();
            list.dedup();
        }
        Ok(ids)
    }

    /// One advisory; `Ok(None)` when OSV does not know the id.
    pub fn advisory(&self, base: &str, timeout: Duration, id: &str) -> Result<Option<Advisory>, Error> {
        let agent = self.agent(timeout, crate::registry::is_loopback(base));
        // Ids are `CVE-2024-1`, `GHSA-…`, `DEBIAN-CVE-…`: only odd characters need escaping.
        const ID: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b':');
        let encoded = percent_encoding::utf8_percent_encode(id, ID).to_string();
        let url = format!("{base}/v1/vulns/{encoded}");
        let mut resp = agent.get(&url).call().map_err(|e| Self::unreachable(base, e))?;
        match resp.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            status => return Err(Error::OsvStatus { url, status }),
        }
        let body = resp.body_mut().with_config().limit(MAX_VULN_BODY).read_to_vec().map_err(|e| Self::unreachable(base, e))?;
        parse_advisory(&body).map(Some).map_err(|e| Error::Invalid(format!("{url}: not an advisory: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_are_parsed_and_stripped_for_osv() {
        let p = Purl::parse("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12").unwrap();
        assert_eq!((p.kind.as_str(), p.namespace.as_deref(), p.name.as_str()), ("deb", Some("debian"), "libssl3"));
        assert_eq!(p.version.as_deref(), Some("3.0.11-1~deb12u1"));
        assert_eq!(p.qualifier("upstream"), Some("openssl"));
        assert_eq!(p.release_ecosystem().as_deref(), Some("Debian:12"));
        let npm = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!((npm.namespace.as_deref(), npm.name.as_str()), (Some("@babel"), "core"));
        assert_eq!(Purl::parse("pkg:apk/alpine/busybox@1.36.1-r19?distro=alpine-3.19.1").unwrap().release_ecosystem().as_deref(), Some("Alpine:v3.19"));
        assert_eq!(Purl::query("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64#sub").as_deref(), Some("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1"));
        assert_eq!(Purl::query("pkg:pypi/requests@2.31.0").as_deref(), Some("pkg:pypi/requests@2.31.0"));
        // Binary packages are asked about as their source package.
        assert_eq!(Purl::query("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl").as_deref(), Some("pkg:deb/debian/openssl@3.0.11-1~deb12u1"));
        assert_eq!(Purl::query("pkg:deb/debian/libgcc-s1@12.2.0-14?upstream=gcc-12%4012.2.0-14").as_deref(), Some("pkg:deb/debian/gcc-12@12.2.0-14"));
        assert_eq!(Purl::query("pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&upstream=openssl&distro=alpine-3.20.3").as_deref(), Some("pkg:apk/alpine/openssl@3.3.2-r0"));
        // Not for language packages, whatever their qualifiers.
        assert_eq!(Purl::query("pkg:npm/a@1?upstream=b").as_deref(), Some("pkg:npm/a@1"));
        // Unknown to OSV, or without a version: not asked.
        assert_eq!(Purl::query("pkg:generic/thing@1"), None);
        assert_eq!(Purl::query("pkg:deb/debian/openssl"), None);
        assert_eq!(Purl::parse("cpe:2.3:a:x"), None);
    }

    #[test]
    fn severity_from_vectors_words_and_aliases() {
        let nvd = br#"{"id":"CVE-2024-5535","summary":"SSL_select_next_proto buffer overread",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H"}],
            "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
                "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.14-1~deb12u1"}]}]},
                {"package":{"ecosystem":"Debian:11","name":"openssl"},
                "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1.1w-0+deb11u2"}]}]}]}"#;
        let a = parse_advisory(nvd).unwrap();
        assert_eq!(a.severity, Some(Severity::Critical));
        assert!((a.score.unwrap() - 9.1).abs() < 0.01, "{:?}", a.score);
        let purl = Purl::parse("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?upstream=openssl&distro=debian-12").unwrap();
        assert_eq!(a.fixed_for(&purl), Some("3.0.14-1~deb12u1"));
        assert_eq!(a.canonical_id(), "CVE-2024-5535");

        let v4 = br#"{"id":"GHSA-x","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}"#;
        assert_eq!(parse_advisory(v4).unwrap().severity, Some(Severity::Critical));

        let ghsa = br#"{"id":"GHSA-abcd","aliases":["CVE-2023-1"],"database_specific":{"severity":"MODERATE"}}"#;
        let a = parse_advisory(ghsa).unwrap();
        assert_eq!((a.severity, a.score, a.canonical_id()), (Some(Severity::Medium), None, "CVE-2023-1"));

        let ubuntu = br#"{"id":"UBUNTU-CVE-2024-2","upstream":["CVE-2024-2"],"severity":[{"type":"Ubuntu","score":"high"}]}"#;
        assert_eq!(parse_advisory(ubuntu).unwrap().severity, Some(Severity::High));

        // Debian's advisories carry no score: the severity comes from the CVE (see `mod.rs`).
        let debian = br#"{"id":"DEBIAN-CVE-2024-3","upstream":["CVE-2024-3"],"affected":[{"package":{"ecosystem":"Debian:12","name":"zlib"},"ranges":[{"events":[{"introduced":"0"}]}]}]}"#;
        let a = parse_advisory(debian).unwrap();
        assert_eq!((a.severity, a.canonical_id()), (None, "CVE-2024-3"));

        assert!(parse_advisory(b"{\"summary\": 3}").is_err());
        assert!(parse_advisory(b"<html>").is_err());
    }

    #[test]
    fn score_bands() {
        assert_eq!(severity_of_score(9.8), Some(Severity::Critical));
        assert_eq!(severity_of_score(7.0), Some(Severity::High));
        assert_eq!(severity_of_score(6.9), Some(Severity::Medium));
        assert_eq!(severity_of_score(0.1), Some(Severity::Low));
        assert_eq!(severity_of_score(0.0), None);
        assert_eq!(severity_of_word("negligible"), Some(Severity::Low));
        assert_eq!(severity_of_word("unimportant"), None);
    }
}
