//! The OCI registry client against the fake registry on loopback, and the
//! `invalid-base-image-platform` rule end to end through `dockls check` and the language server
//! with a registry mirror pointing at it. Nothing here leaves the machine.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use dockls::registry::{Error, Platform, Reference, Registry, Settings};
use dockls_tests::client::{dockls_binary, file_uri, LspClient};
use dockls_tests::fake_registry::FakeRegistry;
use serde_json::{json, Value};

fn settings(fake: &FakeRegistry, cache: &Path) -> Settings {
    Settings {
        offline: false,
        mirrors: [("docker.io".to_string(), fake.url.clone())].into_iter().collect(),
        cache_dir: Some(cache.to_path_buf()),
        timeout: Duration::from_secs(5),
        ..Settings::default()
    }
}

fn image(s: &str) -> Reference {
    Reference::parse(s).unwrap()
}

fn names(p: &[Platform]) -> Vec<String> {
    p.iter().map(|p| p.to_string()).collect()
}

#[test]
fn index_after_the_token_dance() {
    let fake = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let got = Registry::new().platforms(&settings(&fake, cache.path()), &image("multi:1.0")).unwrap();
    // The attestation entry (unknown/unknown) is not a platform.
    assert_eq!(names(&got), ["linux/amd64", "linux/arm64/v8"]);
    let log = fake.requests.lock().unwrap().clone();
    assert_eq!(log.len(), 3, "401, token, retry: {log:?}");
    assert!(log[1].starts_with("GET /token?service=fake&scope=repository%3Alibrary%2Fmulti%3Apull"), "{log:?}");
}

#[test]
fn single_manifest_reads_the_config_blob() {
    let fake = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let got = Registry::new().platforms(&settings(&fake, cache.path()), &image("docker.io/library/single:1.0")).unwrap();
    assert_eq!(names(&got), ["linux/ppc64le"]);
    assert_eq!(fake.count("/v2/library/single/blobs/"), 1);
}

#[test]
fn missing_image_is_not_found() {
    let fake = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let err = Registry::new().platforms(&settings(&fake, cache.path()), &image("nothing:1")).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[test]
fn a_registry_that_never_answers_times_out_once() {
    let fake = FakeRegistry::silent();
    let cache = tempfile::tempdir().unwrap();
    let mut s = settings(&fake, cache.path());
    s.timeout = Duration::from_millis(500);
    let registry = Registry::new();
    let start = Instant::now();
    let results = registry.platforms_many(&s, &[image("multi:1.0"), image("single:1.0"), image("other:2")]);
    assert!(results.iter().all(|r| matches!(r, Err(Error::Unreachable { .. }))), "{results:?}");
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    // Known to be down: the next lookup does not wait again.
    let start = Instant::now();
    assert!(registry.platforms(&s, &image("again:1")).unwrap_err().is_unreachable());
    assert!(start.elapsed() < Duration::from_millis(200));
}

#[test]
fn offline_uses_the_cache_only_and_the_disk_cache_survives_the_process() {
    let fake = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let mut s = settings(&fake, cache.path());
    s.offline = true;
    assert_eq!(Registry::new().platforms(&s, &image("multi:1.0")), Err(Error::Offline));
    assert_eq!(fake.request_count(), 0, "offline sends nothing");
    s.offline = false;
    Registry::new().platforms(&s, &image("multi:1.0")).unwrap();
    let sent = fake.request_count();
    // A new client (as a new process would have) answers from the disk, even offline.
    s.offline = true;
    let fresh = Registry::new();
    assert_eq!(names(&fresh.cached(&s, &image("multi:1.0")).unwrap()), ["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(names(&fresh.platforms(&s, &image("docker.io/library/multi:1.0")).unwrap()).len(), 2);
    assert_eq!(fake.request_count(), sent);
}

#[test]
fn plain_http_mirrors_must_be_loopback() {
    let cache = tempfile::tempdir().unwrap();
    let s = Settings {
        offline: false,
        mirrors: [("docker.io".to_string(), "http://192.0.2.1:5000".to_string())].into_iter().collect(),
        cache_dir: Some(cache.path().to_path_buf()),
        timeout: Duration::from_secs(1),
        ..Settings::default()
    };
    assert!(matches!(Registry::new().platforms(&s, &image("multi:1.0")), Err(Error::Invalid(_))));
}

/// A project whose `.dockls.toml` sends docker.io to `mirror` and builds for linux/amd64.
fn project(mirror: &str, dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("[registries]\nmirrors = {{ \"docker.io\" = \"{mirror}\" }}\n[build]\nplatform = \"linux/amd64\"\n");
    std::fs::write(dir.path().join(".dockls.toml"), config).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

/// A language server allowed on the network, its cache in the project, docker.io sent to
/// `mirror`; the project's Dockerfile's URI.
fn server_with_mirror(mirror: &str) -> (tempfile::TempDir, LspClient, String) {
    let dir = project(mirror, "");
    let cache = dir.path().join(".cache");
    let mut c = LspClient::spawn_env(
        &dockls_binary(),
        &["serve", "--stdio"],
        &[("DOCKLS_OFFLINE", None), ("XDG_CACHE_HOME", Some(cache.to_str().unwrap()))],
    );
    c.initialize(&file_uri(dir.path()), json!({}));
    let uri = file_uri(&dir.path().join("Dockerfile"));
    (dir, c, uri)
}

fn check(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let cache = dir.join(".cache");
    let out = Command::new(dockls_binary())
        .args(["check", "--format", "json", "--shellcheck", "never"])
        .args(extra)
        .arg("Dockerfile")
        .current_dir(dir)
        .env_remove("DOCKLS_OFFLINE")
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .expect("running dockls");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn platform_findings(report: &Value) -> Vec<String> {
    report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "invalid-base-image-platform")
        .map(|d| format!("{}:{} {}", d["range"]["start"]["line"], d["range"]["start"]["character"], d["message"].as_str().unwrap()))
        .collect()
}

#[test]
fn check_reports_a_base_image_without_the_target_platform() {
    let fake = FakeRegistry::start();
    let dir = project(&fake.url, "FROM multi:1.0 AS a\nFROM --platform=linux/arm64 multi:1.0 AS b\nFROM single:1.0\n");
    let (_, report, stderr) = check(dir.path(), &[]);
    let found = platform_findings(&report);
    assert_eq!(found.len(), 1, "{found:?}\n{report:#}\nstderr: {stderr}");
    assert!(found[0].starts_with("2:5 ") && found[0].contains("linux/amd64") && found[0].contains("linux/ppc64le"), "{found:?}");
    // Each image once, whatever the number of FROMs using it.
    // (the config lookup that follows reuses the index just fetched).
    assert_eq!(fake.count("/v2/library/multi/manifests/1.0"), 2, "401 then the answer");
    // `--offline` answers from the cache the run above filled, without a request.
    let before = fake.request_count();
    let (_, report, _) = check(dir.path(), &["--offline"]);
    assert_eq!(platform_findings(&report).len(), 1);
    assert_eq!(fake.request_count(), before);
}

#[test]
fn check_survives_an_unreachable_registry() {
    let fake = FakeRegistry::silent();
    let dir = project(&fake.url, "FROM multi:1.0\nFROM single:1.0\nFROM other:1\n");
    let start = Instant::now();
    let (status, report, stderr) = check(dir.path(), &[]);
    assert!(start.elapsed() < Duration::from_secs(12), "took {:?}", start.elapsed());
    assert_ne!(status, 2, "not a failed run: {report:#}\n{stderr}");
    assert!(platform_findings(&report).is_empty());
    assert_eq!(stderr.matches("unreachable").count(), 1, "reported once: {stderr}");
    assert!(stderr.contains("base image platforms, configs and vulnerabilities not checked"), "one line names every lookup: {stderr}");
}

#[test]
fn language_server_shows_the_finding_after_the_background_fetch() {
    let fake = FakeRegistry::start();
    let (_dir, mut c, uri) = server_with_mirror(&fake.url);
    c.did_open(&uri, "FROM single:1.0\n");
    // Published at once, without waiting for the registry…
    let first = c.wait_diagnostics(&uri, Some(1));
    let has = |m: &Value| m["params"]["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["code"] == "invalid-base-image-platform"));
    // …and again when the answer arrives (unless it was already there).
    if !has(&first) {
        let later = c.wait_notification(
            "textDocument/publishDiagnostics",
            |m| m["params"]["uri"] == uri.as_str() && has(m),
            Duration::from_secs(10),
        );
        assert_eq!(later["params"]["version"], 1);
    }
    c.shutdown_and_exit();
}

#[test]
fn a_slow_lookup_shows_progress_and_ends_it() {
    // The registry accepts the connection and never answers: the lookup runs until its
    // timeout, the client is shown work-done progress meanwhile, and it ends.
    let fake = FakeRegistry::silent();
    let (_dir, mut c, uri) = server_with_mirror(&fake.url);
    c.did_open(&uri, "FROM single:1.0\n");
    c.wait_diagnostics(&uri, Some(1));
    let begin = c.wait_notification("$/progress", |m| m["params"]["value"]["kind"] == "begin", Duration::from_secs(10));
    assert_eq!(begin["params"]["value"]["title"], "Registry", "{begin}");
    assert!(begin["params"]["value"]["message"].as_str().unwrap().contains("single:1.0"), "{begin}");
    let token = begin["params"]["token"].clone();
    c.wait_notification("$/progress", |m| m["params"]["token"] == token && m["params"]["value"]["kind"] == "end", Duration::from_secs(30));
    c.shutdown_and_exit();
}

#[test]
fn tag_lists_follow_link_pages() {
    let fake = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let tags = Registry::new().fetch_tags(&settings(&fake, cache.path()), &image("paged")).unwrap();
    assert_eq!(tags.names, ["1.0", "1.1", "1.2", "1.3", "1.4"]);
    assert_eq!(fake.count("/v2/library/paged/tags/list"), 4, "a 401, then three pages");
    // Docker Hub's own API adds digests and ages (here, the fake serves it too).
    let mut s = settings(&fake, cache.path());
    s.mirrors.insert("hub.docker.com".into(), fake.url.clone());
    let tags = Registry::new().fetch_tags(&s, &image("paged")).unwrap();
    assert_eq!(tags.names.len(), 5);
    assert_eq!(tags.known["1.4"], (Some("sha256:1414".to_string()), Some("2024-05-01T10:00:00.123456Z".to_string())));
    assert_eq!(tags.known["1.3"].0, None);
}

/// A registry on loopback that answers every request with `status` and `body`.
fn broken_registry(status: &'static str, body: &'static str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                let mut out = stream;
                let _ = write!(out, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            });
        }
    });
    host
}

#[test]
fn server_errors_and_garbage_are_clear_errors_not_hangs() {
    let cache = tempfile::tempdir().unwrap();
    let s = Settings { offline: false, cache_dir: Some(cache.path().into()), timeout: Duration::from_secs(2), ..Settings::default() };
    let registry = Registry::new();
    let failing = broken_registry("500 Internal Server Error", "{}");
    let err = registry.fetch_tags(&s, &image(&format!("{failing}/app"))).unwrap_err();
    assert!(matches!(err, Error::Status { status: 500, .. }), "{err:?}");
    let garbage = broken_registry("200 OK", "<html>not json</html>");
    let start = Instant::now();
    for r in [format!("{garbage}/app"), format!("{garbage}/app:1")] {
        let tags = registry.fetch_tags(&s, &image(&r));
        assert!(matches!(&tags, Err(Error::Invalid(m)) if m.contains("not a tag list")), "{tags:?}");
        let info = registry.fetch_image(&s, &image(&r));
        assert!(matches!(&info, Err(Error::Invalid(_))), "{info:?}");
    }
    assert!(start.elapsed() < Duration::from_secs(2));
    // Nothing was cached from the failures.
    assert!(registry.cached_tags(&s, &image(&format!("{garbage}/app"))).is_none());
}
