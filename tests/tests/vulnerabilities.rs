//! The vulnerability lookup (SBOM attestation from the fake registry, advisories from the fake
//! OSV) and the `image-vulnerabilities` rule end to end through `dockls check` and the language
//! server. Everything is on loopback: nothing here leaves the machine.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use dockls::registry::{Platform, Reference};
use dockls::vulns::{Error, Scanner, Settings, Severity};
use dockls_tests::client::{dockls_binary, file_uri, LspClient};
use dockls_tests::fake_osv::FakeOsv;
use dockls_tests::fake_registry::FakeRegistry;
use serde_json::{json, Value};

fn settings(registry: &FakeRegistry, osv: &FakeOsv, cache: &Path) -> Settings {
    Settings {
        registry: dockls::registry::Settings {
            offline: false,
            mirrors: [("docker.io".to_string(), registry.url.clone())].into_iter().collect(),
            cache_dir: Some(cache.to_path_buf()),
            timeout: Duration::from_secs(5),
            ..Default::default()
        },
        osv_url: osv.url.clone(),
        platform: Platform::parse("linux/amd64").unwrap(),
    }
}

fn image(s: &str) -> Reference {
    Reference::parse(s).unwrap()
}

#[test]
fn the_sbom_packages_are_asked_to_osv_and_rated() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::start());
    let cache = tempfile::tempdir().unwrap();
    let found = Scanner::new().scan(&settings(&registry, &osv, cache.path()), &image("vuln:1.0")).unwrap();
    assert!(found.has_sbom);
    assert_eq!(found.digest.as_deref(), Some("sha256:vuln-amd64"));
    assert_eq!(found.packages, 3, "the package without purl is not counted");
    let c = &found.counts;
    assert_eq!((c.critical, c.high, c.medium, c.low, c.unknown), (2, 1, 1, 0, 0), "{found:#?}");
    let listed: Vec<(&str, Option<Severity>, &str, Option<&str>)> =
        found.vulnerabilities.iter().map(|v| (v.id.as_str(), v.severity, v.package.as_str(), v.fixed.as_deref())).collect();
    assert_eq!(
        listed,
        [
            // 9.8, then the Debian advisory rated by its CVE record (9.1), with Debian 12's fix.
            ("CVE-2023-45853", Some(Severity::Critical), "zlib1g", None),
            ("CVE-2024-5535", Some(Severity::Critical), "openssl", Some("3.0.14-1~deb12u1")),
            ("CVE-2024-0727", Some(Severity::High), "openssl", Some("3.0.13-1~deb12u1")),
            ("CVE-2024-35195", Some(Severity::Medium), "requests", Some("2.32.0")),
        ]
    );
    // Qualifiers are stripped before asking, zlib1g is asked about as its source package
    // (`upstream=zlib`), and openssl's second page was followed.
    let batches = osv.batches.lock().unwrap().clone();
    assert_eq!(batches.len(), 2, "{batches:#?}");
    let first: Vec<&str> = batches[0]["queries"].as_array().unwrap().iter().map(|q| q["package"]["purl"].as_str().unwrap()).collect();
    assert_eq!(first, ["pkg:deb/debian/openssl@3.0.11-1~deb12u1", "pkg:deb/debian/zlib@1:1.2.13.dfsg-1", "pkg:pypi/requests@2.31.0"]);
    assert_eq!(batches[1]["queries"][0], json!({ "package": { "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u1" }, "page_token": "page-1" }));
    // The provenance layer is never downloaded.
    assert_eq!(registry.count("/v2/library/vuln/blobs/sha256:vuln-provenance"), 0);
}

#[test]
fn answers_are_cached_on_disk_and_offline_reads_them() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::start());
    let cache = tempfile::tempdir().unwrap();
    let mut s = settings(&registry, &osv, cache.path());
    s.registry.offline = true;
    assert_eq!(Scanner::new().scan(&s, &image("vuln:1.0")), Err(Error::Offline));
    assert_eq!(registry.request_count() + osv.request_count(), 0, "offline sends nothing");
    s.registry.offline = false;
    let first = Scanner::new().scan(&s, &image("vuln:1.0")).unwrap();
    let sent = (registry.request_count(), osv.request_count());
    // A new scanner (as a new process would have) answers from the disk, even offline.
    s.registry.offline = true;
    let again = Scanner::new();
    assert_eq!(again.cached(&s, &image("vuln:1.0")).as_deref(), Some(&*first));
    assert_eq!(again.scan(&s, &image("docker.io/library/vuln:1.0")).unwrap(), first);
    assert_eq!((registry.request_count(), osv.request_count()), sent);
    // Advisories are cached by id too: another image sharing them asks OSV for none.
    s.registry.offline = false;
    let before = osv.count("/v1/vulns/");
    let other = Scanner::new().scan(&s, &image("clean:1.0")).unwrap();
    assert_eq!(other.counts.critical + other.counts.high, 0);
    assert_eq!(osv.count("/v1/vulns/"), before);
}

#[test]
fn images_without_an_sbom_for_the_platform_have_no_findings() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::start());
    let cache = tempfile::tempdir().unwrap();
    let mut s = settings(&registry, &osv, cache.path());
    let scanner = Scanner::new();
    // An index whose attestation-like entry has no annotations, and a single manifest.
    for name in ["multi:1.0", "single:1.0"] {
        let found = scanner.scan(&s, &image(name)).unwrap();
        assert!(!found.has_sbom && found.vulnerabilities.is_empty(), "{name}: {found:?}");
    }
    // The attestation is about the amd64 image only.
    s.platform = Platform::parse("linux/arm64").unwrap();
    assert!(!scanner.scan(&s, &image("vuln:1.0")).unwrap().has_sbom);
    assert_eq!(osv.request_count(), 0);
    assert!(matches!(scanner.scan(&s, &image("nothing:1")), Err(Error::Registry(dockls::registry::Error::NotFound(_)))));
}

#[test]
fn an_osv_that_never_answers_costs_one_timeout() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::silent());
    let cache = tempfile::tempdir().unwrap();
    let mut s = settings(&registry, &osv, cache.path());
    s.registry.timeout = Duration::from_millis(500);
    let scanner = Scanner::new();
    let start = Instant::now();
    let results = scanner.scan_many(&s, &[image("vuln:1.0"), image("clean:1.0")]);
    assert!(results.iter().all(|r| matches!(r, Err(Error::OsvUnreachable { .. }))), "{results:?}");
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    // Known to be down: the next scan does not wait again, and nothing was cached.
    let start = Instant::now();
    assert!(matches!(scanner.scan(&s, &image("vuln:1.0")), Err(Error::OsvUnreachable { .. })));
    assert!(start.elapsed() < Duration::from_millis(300));
    assert!(scanner.cached(&s, &image("vuln:1.0")).is_none());
}

#[test]
fn bad_answers_are_errors_not_findings() {
    let registry = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let malformed = FakeOsv::malformed();
    let scanner = Scanner::new();
    let s = settings(&registry, &malformed, cache.path());
    assert!(matches!(scanner.scan(&s, &image("vuln:1.0")), Err(Error::Invalid(_))));
    assert!(scanner.cached(&s, &image("vuln:1.0")).is_none());
    let failing = FakeOsv::failing();
    let s = settings(&registry, &failing, cache.path());
    assert!(matches!(scanner.scan(&s, &image("vuln:1.0")), Err(Error::OsvStatus { status: 500, .. })));
    // An SBOM blob that is not JSON.
    let osv = FakeOsv::start();
    let s = settings(&registry, &osv, cache.path());
    assert!(matches!(scanner.scan(&s, &image("badsbom:1.0")), Err(Error::Registry(dockls::registry::Error::Invalid(_)))));
    assert_eq!(osv.request_count(), 0);
    // An SBOM over the size limit is refused while it streams in.
    let start = Instant::now();
    match scanner.scan(&s, &image("hugesbom:1.0")) {
        Err(Error::Registry(dockls::registry::Error::Invalid(m))) => assert!(m.contains("at most 64 MB"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    // Plain http to another host is refused before any request.
    let mut s = settings(&registry, &osv, cache.path());
    s.osv_url = "http://192.0.2.1:8080".into();
    assert!(matches!(scanner.scan(&s, &image("vuln:1.0")), Err(Error::Invalid(_))));
}

/// A project whose `.dockls.toml` sends docker.io to the fake registry, OSV to the fake OSV,
/// and builds for linux/amd64.
fn project(registry: &str, osv: &str, extra: &str, dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[registries]\nmirrors = {{ \"docker.io\" = \"{registry}\" }}\n[build]\nplatform = \"linux/amd64\"\n[vulnerabilities]\nosv-url = \"{osv}\"\n{extra}"
    );
    std::fs::write(dir.path().join(".dockls.toml"), config).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

fn check(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::new(dockls_binary())
        .args(["check", "--format", "json", "--shellcheck", "never"])
        .args(extra)
        .arg("Dockerfile")
        .current_dir(dir)
        .env_remove("DOCKLS_OFFLINE")
        .env_remove("DOCKLS_OSV_URL")
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .output()
        .expect("running dockls");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn findings(report: &Value) -> Vec<String> {
    report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "image-vulnerabilities")
        .map(|d| {
            let (s, e) = (&d["range"]["start"], &d["range"]["end"]);
            format!("{}:{}-{} {}", s["line"], s["character"], e["character"], d["message"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn check_reports_critical_and_high_vulnerabilities_of_base_images() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::start());
    let dir = project(&registry.url, &osv.url, "", "ARG IMG=vuln:1.0\nFROM ${IMG} AS a\nFROM clean:1.0\nFROM multi:1.0\nFROM a\n");
    let (status, report, stderr) = check(dir.path(), &[]);
    let found = findings(&report);
    assert_eq!(
        found,
        ["1:5-11 `${IMG}` (`vuln:1.0`) (linux/amd64) has 2 critical and 1 high vulnerabilities — zlib1g 1:1.2.13.dfsg-1: CVE-2023-45853; openssl 3.0.11-1~deb12u1: CVE-2024-5535, CVE-2024-0727; a newer tag may fix them"],
        "{report:#}\nstderr: {stderr}"
    );
    assert_eq!(status, 1, "a warning fails the run by default");
    assert!(stderr.is_empty(), "{stderr}");
    // The index fetched by the platform lookup (401, then the answer) is reused by the SBOM
    // lookup right after.
    assert_eq!(registry.count("/v2/library/vuln/manifests/1.0"), 2);
    // `--offline` answers from the cache the run above filled, without a request.
    let before = (registry.request_count(), osv.request_count());
    let (_, report, _) = check(dir.path(), &["--offline"]);
    assert_eq!(findings(&report).len(), 1);
    assert_eq!((registry.request_count(), osv.request_count()), before);
}

#[test]
fn check_without_the_lookup_asks_nothing() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::start());
    let dir = project(&registry.url, &osv.url, "enabled = false\n", "FROM vuln:1.0\n");
    let (_, report, _) = check(dir.path(), &[]);
    assert!(findings(&report).is_empty());
    assert_eq!(osv.request_count(), 0);
    assert_eq!(registry.count("/v2/library/vuln/blobs/"), 0);
}

#[test]
fn check_survives_an_unreachable_osv() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::silent());
    let dir = project(&registry.url, &osv.url, "", "FROM vuln:1.0\nFROM clean:1.0\n");
    let start = Instant::now();
    let (status, report, stderr) = check(dir.path(), &[]);
    assert!(start.elapsed() < Duration::from_secs(12), "took {:?}", start.elapsed());
    assert_ne!(status, 2, "not a failed run: {report:#}\n{stderr}");
    assert!(findings(&report).is_empty());
    assert_eq!(stderr.matches("unreachable").count(), 1, "reported once: {stderr}");
    assert!(stderr.contains("vulnerabilities not checked"), "{stderr}");
}

#[test]
fn language_server_shows_the_finding_after_the_background_lookup_and_lists_it_on_hover() {
    let (registry, osv) = (FakeRegistry::start(), FakeOsv::start());
    // The OSV URL comes from the environment here (the configuration's is a dead one).
    let dir = project(&registry.url, "http://127.0.0.1:9", "", "");
    let cache = dir.path().join(".cache");
    let mut c = LspClient::spawn_env(
        &dockls_binary(),
        &["serve", "--stdio"],
        &[("DOCKLS_OFFLINE", None), ("XDG_CACHE_HOME", Some(cache.to_str().unwrap())), ("DOCKLS_OSV_URL", Some(&osv.url))],
    );
    c.initialize(&file_uri(dir.path()), json!({}));
    let uri = file_uri(&dir.path().join("Dockerfile"));
    c.did_open(&uri, "FROM vuln:1.0\n");
    let has = |m: &Value| m["params"]["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["code"] == "image-vulnerabilities"));
    let first = c.wait_diagnostics(&uri, Some(1));
    let published = if has(&first) {
        first
    } else {
        c.wait_notification("textDocument/publishDiagnostics", |m| m["params"]["uri"] == uri.as_str() && has(m), Duration::from_secs(15))
    };
    let d = published["params"]["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "image-vulnerabilities").unwrap().clone();
    assert_eq!(d["range"], json!({ "start": { "line": 0, "character": 5 }, "end": { "line": 0, "character": 13 } }));
    assert_eq!(d["severity"], 2);
    let hover = c
        .request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 7 } }))
        .unwrap();
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("Vulnerabilities of `vuln:1.0` (linux/amd64)"), "{text}");
    assert!(text.contains("**2 critical, 1 high**, 1 medium in 3 packages"), "{text}");
    assert!(text.contains("| [CVE-2024-5535](https://osv.dev/vulnerability/CVE-2024-5535) | critical 9.1 | openssl 3.0.11-1~deb12u1 | 3.0.14-1~deb12u1 |"), "{text}");
    // The rule's summary follows the list, in a line (not its whole page).
    assert!(text.contains("**`image-vulnerabilities`**") && !text.contains("## Why is this bad?"), "{text}");
    // The vulnerability lookup ran after the platform lookup and reused its index.
    assert_eq!(registry.count("/v2/library/vuln/manifests/1.0"), 2);
    c.shutdown_and_exit();
}
