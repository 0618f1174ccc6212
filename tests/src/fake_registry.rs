//! A tiny OCI registry on loopback for tests: std `TcpListener`, one thread per connection.
//!
//! Every `/v2/` request without `Authorization: Bearer <TOKEN>` gets a 401 with a
//! `WWW-Authenticate: Bearer realm=…/token,service=…,scope=…` challenge, as Docker Hub does;
//! `/token` hands the token out anonymously. Repositories:
//! * `library/multi`, tag `1.0`: an OCI index with linux/amd64, linux/arm64/v8 and an
//!   `unknown/unknown` attestation entry;
//! * `library/single`, tag `1.0`: one OCI manifest whose config blob says linux/ppc64le;
//! * `library/vuln`, tag `1.0`: an index with linux/amd64 and linux/arm64 images and, as
//!   BuildKit stores them, an attestation manifest about the amd64 image only, whose layers
//!   are a provenance statement and an in-toto statement with an SPDX document ([`SBOM`]:
//!   openssl and zlib1g from Debian 12, requests from PyPI, a package without purl);
//! * `library/clean`, tag `1.0`: the same shape, its SBOM listing only `pkg:npm/left-pad@1.3.0`;
//! * `library/badsbom`, tag `1.0`: the same shape, its SBOM blob is not JSON;
//! * `library/hugesbom`, tag `1.0`: the same shape, its SBOM blob is valid JSON of 65 MB;
//! * `library/paged`: tags `1.0` … `1.4` listed two per page with `Link` headers, and on
//!   Docker Hub's own API (`/v2/repositories/…/tags`) the digest and age of two of them;
//! * anything else: 404.
//!
//! The `Authorization` header of every request (with its path) is kept in `authorizations`.
//!
//! [`FakeRegistry::silent`] accepts connections and never answers (for timeouts).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

pub const TOKEN: &str = "fake-token";
const CONFIG_DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

/// The SPDX SBOM of `library/vuln` (linux/amd64), as an in-toto statement.
pub const SBOM: &str = r#"{
  "_type": "https://in-toto.io/Statement/v0.1",
  "predicateType": "https://spdx.dev/Document",
  "subject": [{"name": "pkg:docker/vuln@1.0?platform=linux%2Famd64", "digest": {"sha256": "aa"}}],
  "predicate": {
    "spdxVersion": "SPDX-2.3",
    "dataLicense": "CC0-1.0",
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "sbom",
    "files": [{"fileName": "/etc/os-release", "SPDXID": "SPDXRef-File-1", "checksums": [{"algorithm": "SHA1", "checksumValue": "00"}]}],
    "packages": [
      {"name": "openssl", "SPDXID": "SPDXRef-1", "versionInfo": "3.0.11-1~deb12u1",
       "externalRefs": [
         {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"},
         {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"}]},
      {"name": "zlib1g", "SPDXID": "SPDXRef-2", "versionInfo": "1:1.2.13.dfsg-1",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12"}]},
      {"name": "requests", "SPDXID": "SPDXRef-3", "versionInfo": "2.31.0",
       "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/requests@2.31.0"}]},
      {"name": "base-files", "SPDXID": "SPDXRef-4", "versionInfo": "12.4"}
    ]
  }
}"#;

const CLEAN_SBOM: &str = r#"{"predicateType": "https://spdx.dev/Document", "predicate": {"spdxVersion": "SPDX-2.3", "packages": [
  {"name": "left-pad", "versionInfo": "1.3.0", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.3.0"}]}]}}"#;

/// An image index with linux/amd64 and linux/arm64 and an attestation manifest about amd64.
fn attested_index(repo: &str) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
        {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{repo}-amd64","size":1,"platform":{{"architecture":"amd64","os":"linux"}}}},
        {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{repo}-arm64","size":1,"platform":{{"architecture":"arm64","os":"linux"}}}},
        {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{repo}-att","size":1,"platform":{{"architecture":"unknown","os":"unknown"}},
          "annotations":{{"vnd.docker.reference.digest":"sha256:{repo}-amd64","vnd.docker.reference.type":"attestation-manifest"}}}}
    ]}}"#
    )
}

/// The attestation manifest: a provenance layer, then the SPDX layer.
fn attestation_manifest(repo: &str) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{CONFIG_DIGEST}","size":1}},
        "layers":[
          {{"mediaType":"application/vnd.in-toto+json","digest":"sha256:{repo}-provenance","size":1,"annotations":{{"in-toto.io/predicate-type":"https://slsa.dev/provenance/v0.2"}}}},
          {{"mediaType":"application/vnd.in-toto+json","digest":"sha256:{repo}-sbom","size":1,"annotations":{{"in-toto.io/predicate-type":"https://spdx.dev/Document"}}}}
        ]}}"#
    )
}

pub struct FakeRegistry {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// Request lines received (`GET /v2/… `), in order.
    pub requests: Arc<Mutex<Vec<String>>>,
    /// (path, `Authorization` header) of every request that had one.
    pub authorizations: Arc<Mutex<Vec<(String, String)>>>,
}

impl FakeRegistry {
    pub fn start() -> FakeRegistry {
        Self::spawn(true)
    }

    /// Accepts connections, reads nothing, answers nothing.
    pub fn silent() -> FakeRegistry {
        Self::spawn(false)
    }

    fn spawn(answer: bool) -> FakeRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let authorizations = Arc::new(Mutex::new(Vec::new()));
        let (log, base, auths) = (requests.clone(), url.clone(), authorizations.clone());
        thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                if !answer {
                    // Keep the connection open and silent until the process ends.
                    held.push(stream);
                    continue;
                }
                let (log, base, auths) = (log.clone(), base.clone(), auths.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &base, &log, &auths);
                });
            }
        });
        FakeRegistry { url, requests, authorizations }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// How many requests asked for `path_prefix…`.
    pub fn count(&self, path_prefix: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| r.split(' ').nth(1).is_some_and(|p| p.starts_with(path_prefix))).count()
    }
}

fn serve(stream: TcpStream, base: &str, log: &Mutex<Vec<String>>, auths: &Mutex<Vec<(String, String)>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorized = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorized |= value.trim() == format!("Bearer {TOKEN}");
                let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
                auths.lock().unwrap().push((path, value.trim().to_string()));
            }
        }
    }
    log.lock().unwrap().push(request_line.trim().to_string());
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let (status, content_type, body, extra) = route(&path, authorized, base);
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())?;
    out.flush()
}

fn route(path: &str, authorized: bool, base: &str) -> (&'static str, &'static str, String, String) {
    const JSON: &str = "application/json";
    // Docker Hub's own API (no auth): the tags of `library/paged` with digests and ages.
    if path == "/v2/repositories/library/paged/tags?page_size=100&ordering=last_updated" {
        let body = r#"{"count":2,"results":[
            {"name":"1.4","digest":"sha256:1414","last_updated":"2024-05-01T10:00:00.123456Z"},
            {"name":"1.3","last_updated":"2023-01-01T00:00:00Z"}]}"#;
        return ("200 OK", JSON, body.into(), String::new());
    }
    if path.starts_with("/token") {
        return ("200 OK", JSON, format!(r#"{{"token":"{TOKEN}","expires_in":300}}"#), String::new());
    }
    let Some(rest) = path.strip_prefix("/v2/") else { return ("404 Not Found", JSON, "{}".into(), String::new()) };
    if !authorized {
        let repo = rest.split("/manifests/").next().unwrap_or("").split("/blobs/").next().unwrap_or("");
        let challenge = format!("WWW-Authenticate: Bearer realm=\"{base}/token\",service=\"fake\",scope=\"repository:{repo}:pull\"\r\n");
        return ("401 Unauthorized", JSON, r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.into(), challenge);
    }
    if let Some(query) = rest.strip_prefix("library/paged/tags/list") {
        let (tags, next) = match query {
            "" => (r#"["1.0","1.1"]"#, Some("1.1")),
            "?n=2&last=1.1" => (r#"["1.2","1.3"]"#, Some("1.3")),
            "?n=2&last=1.3" => (r#"["1.4"]"#, None),
            _ => return ("400 Bad Request", JSON, "{}".into(), String::new()),
        };
        let link = next.map_or(String::new(), |last| format!("Link: </v2/library/paged/tags/list?n=2&last={last}>; rel=\"next\"\r\n"));
        return ("200 OK", JSON, format!(r#"{{"name":"library/paged","tags":{tags}}}"#), link);
    }
    match rest {
        "library/multi/manifests/1.0" => (
            "200 OK",
            "application/vnd.oci.image.index.v1+json",
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aa","size":1,"platform":{"architecture":"amd64","os":"linux"}},
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bb","size":1,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:cc","size":1,"platform":{"architecture":"unknown","os":"unknown"}}
            ]}"#
            .into(),
            String::new(),
        ),
        "library/single/manifests/1.0" => (
            "200 OK",
            "application/vnd.oci.image.manifest.v1+json",
            format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{CONFIG_DIGEST}","size":1}},"layers":[]}}"#
            ),
            String::new(),
        ),
        r if r == format!("library/single/blobs/{CONFIG_DIGEST}") => {
            ("200 OK", "application/vnd.oci.image.config.v1+json", r#"{"architecture":"ppc64le","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.into(), String::new())
        }
        _ => attested(rest).unwrap_or_else(|| ("404 Not Found", JSON, r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#.into(), String::new())),
    }
}

/// The routes of the images with SBOM attestations.
fn attested(rest: &str) -> Option<(&'static str, &'static str, String, String)> {
    let (repo, what) = rest.strip_prefix("library/")?.split_once('/')?;
    if !matches!(repo, "vuln" | "clean" | "badsbom" | "hugesbom") {
        return None;
    }
    // Built only when asked for (the huge one is 65 MB).
    let sbom = || match repo {
        "vuln" => SBOM.to_string(),
        "clean" => CLEAN_SBOM.to_string(),
        "hugesbom" => format!("{{\"predicate\": {{\"packages\": [{}]}}}}", " ".repeat(65 << 20)),
        _ => "{\"predicate\": {\"packages\": [".to_string(),
    };
    let answer = match what {
        "manifests/1.0" => ("application/vnd.oci.image.index.v1+json", attested_index(repo)),
        w if w == format!("manifests/sha256:{repo}-att") => ("application/vnd.oci.image.manifest.v1+json", attestation_manifest(repo)),
        w if w == format!("blobs/sha256:{repo}-sbom") => ("application/vnd.in-toto+json", sbom()),
        w if w == format!("blobs/sha256:{repo}-provenance") => ("application/vnd.in-toto+json", r#"{"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{}}"#.to_string()),
        _ => return None,
    };
    Some(("200 OK", answer.0, answer.1, String::new()))
}
