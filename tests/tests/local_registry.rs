//! The registry client against a real registry (distribution 2.8 on loopback, filled by
//! skopeo; see `dockls_tests::local_registry`): tags, ordering, digests, image configs per
//! platform, the exact tag of a moving one, and the cache when the registry goes away.
//! Skipped with a warning when `docker-registry` or `skopeo` is not installed.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dockls::registry::{tag_order, Error, Reference, Registry, Settings};
use dockls_tests::local_registry::{LocalRegistry, TokenPolicy, TokenProxy, PROXY_TOKEN};

/// One registry for the read-only tests of this file (starting it and pushing takes seconds).
fn shared() -> Option<&'static LocalRegistry> {
    static REGISTRY: OnceLock<Option<LocalRegistry>> = OnceLock::new();
    let r = REGISTRY.get_or_init(LocalRegistry::start).as_ref();
    if r.is_none() {
        eprintln!("warning: docker-registry or skopeo not installed; real-registry tests skipped (scripts/test installs them)");
    }
    r
}

fn settings(cache: &Path) -> Settings {
    Settings { offline: false, cache_dir: Some(cache.to_path_buf()), timeout: Duration::from_secs(5), ..Settings::default() }
}

fn image(reg: &LocalRegistry, name: &str) -> Reference {
    Reference::parse(&format!("{}/{name}", reg.host)).unwrap()
}

#[test]
fn tags_are_listed_and_offered_most_specific_first() {
    let Some(reg) = shared() else { return };
    let cache = tempfile::tempdir().unwrap();
    let tags = Registry::new().fetch_tags(&settings(cache.path()), &image(reg, "app")).unwrap();
    let mut names = tags.names.clone();
    names.sort();
    assert_eq!(names, ["1", "1-slim", "1.1.0", "1.2", "1.2-slim", "1.2.3", "1.2.3-slim", "latest"]);
    let offered: Vec<&str> = tag_order::offer(&tags.names, "", None).into_iter().map(|s| s.as_str()).collect();
    assert_eq!(offered, ["1.2.3-slim", "1.2.3", "1.2-slim", "1.2", "1.1.0", "1-slim", "1", "latest"]);
    let slim: Vec<&str> = tag_order::offer(&tags.names, "1.", Some("slim")).into_iter().map(|s| s.as_str()).collect();
    assert_eq!(slim, ["1.2.3-slim", "1.2-slim"]);
}

#[test]
fn schema2_image_config_facts_and_digest() {
    let Some(reg) = shared() else { return };
    let cache = tempfile::tempdir().unwrap();
    let s = settings(cache.path());
    let registry = Registry::new();
    let info = registry.fetch_image(&s, &image(reg, "app:1.2")).unwrap();
    // Asked with the Accept list, the registry serves schema 2, not its schema 1 conversion.
    assert_eq!(info.media_type.as_deref(), Some("application/vnd.docker.distribution.manifest.v2+json"));
    assert_eq!(info.digest, reg.digest("app:1.2"));
    assert_eq!(registry.fetch_digest(&s, &image(reg, "app:latest")).unwrap(), info.digest);
    let [one] = info.images.as_slice() else { panic!("{info:?}") };
    assert_eq!(one.platform.as_ref().unwrap().to_string(), "linux/amd64");
    let c = &one.config;
    assert_eq!(c.user.as_deref(), Some("app"));
    assert_eq!(c.env_value("APP_HOME"), Some("/srv"));
    assert_eq!(c.working_dir.as_deref(), Some("/srv"));
    assert_eq!(c.exposed_ports, ["8080/tcp"]);
    assert_eq!(c.cmd.as_deref(), Some(&["/bin/app".to_string()][..]));
    assert_eq!(c.labels["org.opencontainers.image.version"], "1.2.3");
    assert_eq!(c.created.as_deref(), Some("2024-05-01T10:00:00Z"));
}

#[test]
fn oci_manifest_and_multi_platform_index() {
    let Some(reg) = shared() else { return };
    let cache = tempfile::tempdir().unwrap();
    let s = settings(cache.path());
    let registry = Registry::new();
    let slim = registry.fetch_image(&s, &image(reg, "app:1-slim")).unwrap();
    assert_eq!(slim.media_type.as_deref(), Some("application/vnd.oci.image.manifest.v1+json"));
    assert!(slim.images[0].config.non_root_user());
    assert_eq!(slim.images[0].config.exposed_ports, ["443/tcp", "80/tcp"]);
    assert_eq!(slim.images[0].config.entrypoint.as_deref(), Some(&["/app".to_string()][..]));

    let multi = registry.fetch_image(&s, &image(reg, "multi:2")).unwrap();
    assert_eq!(multi.media_type.as_deref(), Some("application/vnd.oci.image.index.v1+json"));
    assert_eq!(multi.digest, reg.digest("multi:2.0"));
    let per: Vec<(String, Option<&str>)> = multi.images.iter().map(|i| (i.platform.as_ref().unwrap().to_string(), i.config.env_value("ARCH"))).collect();
    assert_eq!(per, [("linux/amd64".into(), Some("amd64")), ("linux/arm64/v8".into(), Some("arm64"))]);
    assert!(multi.images.iter().all(|i| i.digest.starts_with("sha256:") && i.digest != multi.digest));
    // By digest: the same image.
    let pinned = image(reg, &format!("multi@{}", multi.digest));
    assert_eq!(registry.fetch_image(&s, &pinned).unwrap().images, multi.images);
}

#[test]
fn the_exact_tag_of_a_moving_one() {
    let Some(reg) = shared() else { return };
    let cache = tempfile::tempdir().unwrap();
    let s = settings(cache.path());
    let registry = Registry::new();
    assert_eq!(registry.exact_tag(&s, &image(reg, "app:1.2"), true).as_deref(), Some("1.2.3"));
    assert_eq!(registry.exact_tag(&s, &image(reg, "app:latest"), true).as_deref(), Some("1.2.3"));
    assert_eq!(registry.exact_tag(&s, &image(reg, "app:1-slim"), true).as_deref(), Some("1.2.3-slim"));
    assert_eq!(registry.exact_tag(&s, &image(reg, "app:1.2.3"), true), None, "already exact");
    // Everything it needed is cached now: the same answer offline.
    let offline = Settings { offline: true, ..s.clone() };
    assert_eq!(Registry::new().exact_tag(&offline, &image(reg, "app:1.2"), false).as_deref(), Some("1.2.3"));
}

#[test]
fn the_cache_answers_when_the_registry_is_gone() {
    // Its own registry: this test stops it.
    let Some(mut reg) = LocalRegistry::start() else { return };
    let cache = tempfile::tempdir().unwrap();
    let s = Settings { timeout: Duration::from_secs(1), ..settings(cache.path()) };
    let registry = Registry::new();
    let tags = registry.fetch_tags(&s, &image(&reg, "app")).unwrap();
    let info = registry.fetch_image(&s, &image(&reg, "app:1.2.3")).unwrap();
    reg.stop();
    let start = Instant::now();
    let err = registry.fetch_tags(&s, &image(&reg, "app")).unwrap_err();
    assert!(err.is_unreachable(), "{err:?}");
    // One dead host costs one failure: the next request does not try again.
    assert!(registry.fetch_image(&s, &image(&reg, "app:1.1.0")).unwrap_err().is_unreachable());
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    // A new process (a fresh client) reads the disk cache; offline it never asks.
    let fresh = Registry::new();
    assert_eq!(fresh.cached_tags(&s, &image(&reg, "app")).unwrap().value, tags);
    let cached = fresh.cached_image(&s, &image(&reg, "app:1.2.3")).unwrap();
    assert!(!cached.stale);
    assert_eq!(cached.value, info);
    let offline = Settings { offline: true, ..s };
    assert_eq!(fresh.fetch_tags(&offline, &image(&reg, "app")).unwrap_err(), Error::Offline);
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn the_bearer_flow_in_front_of_the_real_registry_and_its_token_cached() {
    let Some(reg) = shared() else { return };
    let proxy = TokenProxy::start(reg, TokenPolicy::Anonymous);
    let cache = tempfile::tempdir().unwrap();
    let s = settings(cache.path());
    let registry = Registry::new();
    let app = |tag: &str| Reference::parse(&format!("{}/app:{tag}", proxy.host)).unwrap();
    let mut names = registry.fetch_tags(&s, &app("1")).unwrap().names;
    names.sort();
    assert_eq!(names, ["1", "1-slim", "1.1.0", "1.2", "1.2-slim", "1.2.3", "1.2.3-slim", "latest"]);
    let info = registry.fetch_image(&s, &app("1.2")).unwrap();
    assert_eq!(info.digest, reg.digest("app:1.2"));
    let c = &info.images[0].config;
    assert_eq!((c.user.as_deref(), c.working_dir.as_deref(), c.exposed_ports.clone()), (Some("app"), Some("/srv"), vec!["8080/tcp".to_string()]));
    assert_eq!(registry.fetch_digest(&s, &app("1-slim")).unwrap(), reg.digest("app:1-slim"));
    // One challenge and one token for the repository: the later requests sent the cached token.
    assert_eq!((proxy.challenged(), proxy.token_requests()), (1, 1), "{:?}", proxy.requests.lock().unwrap());
    // Another repository is another scope: its own token.
    let multi = registry.fetch_image(&s, &Reference::parse(&format!("{}/multi:2", proxy.host)).unwrap()).unwrap();
    assert_eq!(multi.digest, reg.digest("multi:2"));
    assert_eq!(multi.images.len(), 2);
    assert_eq!((proxy.challenged(), proxy.token_requests()), (2, 2));
    // A new process has no token: the challenge again.
    Registry::new().fetch_digest(&s, &app("1.1.0")).unwrap();
    assert_eq!(proxy.token_requests(), 3);
    // The token never reaches the disk cache.
    for (path, bytes) in files_under(cache.path()) {
        assert!(!String::from_utf8_lossy(&bytes).contains(PROXY_TOKEN), "{}", path.display());
    }
}

/// A Docker config giving `robot:s3cret` for each of `hosts`.
fn docker_config(dir: &Path, hosts: &[&str]) -> std::path::PathBuf {
    let auths: serde_json::Map<String, serde_json::Value> = hosts.iter().map(|h| (h.to_string(), serde_json::json!({"auth": "cm9ib3Q6czNjcmV0"}))).collect();
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::json!({ "auths": auths }).to_string()).unwrap();
    path
}

const BASIC: &str = "Basic cm9ib3Q6czNjcmV0"; // robot:s3cret

#[test]
fn credentials_reach_the_token_service_on_their_own_host_only() {
    let Some(reg) = shared() else { return };
    let own = TokenProxy::start(reg, TokenPolicy::Basic(BASIC.into()));
    let elsewhere = TokenProxy::start_with_realm_elsewhere(reg, TokenPolicy::Anonymous);
    let elsewhere_wants_them = TokenProxy::start_with_realm_elsewhere(reg, TokenPolicy::Basic(BASIC.into()));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let s = Settings { docker_config: Some(docker_config(dir.path(), &[&own.host, &elsewhere.host, &elsewhere_wants_them.host])), ..settings(&cache) };
    let registry = Registry::new();
    let app = |p: &TokenProxy| Reference::parse(&format!("{}/app:1.2.3-slim", p.host)).unwrap();

    // The token service on the registry's host gets them, and hands out the token only then.
    let info = registry.fetch_image(&s, &app(&own)).unwrap();
    assert_eq!(info.images[0].config.user.as_deref(), Some("65532"));
    let log = own.requests.lock().unwrap().clone();
    assert!(log.iter().any(|(line, auth)| line.starts_with("GET /token") && auth == BASIC), "{log:?}");
    assert!(log.iter().filter(|(line, _)| !line.starts_with("GET /token")).all(|(_, auth)| auth.is_empty() || auth.starts_with("Bearer ")), "the registry itself never gets them: {log:?}");

    // A token service on another host gets nothing (the public repository still works)…
    registry.fetch_image(&s, &app(&elsewhere)).unwrap();
    let log = elsewhere.requests.lock().unwrap().clone();
    assert_eq!(elsewhere.token_requests(), 1);
    assert!(log.iter().all(|(_, auth)| !auth.starts_with("Basic")), "{log:?}");
    // …even when it asks for them: the lookup fails instead.
    let err = registry.fetch_image(&s, &app(&elsewhere_wants_them)).unwrap_err();
    assert!(matches!(&err, Error::Status { status: 401, url } if url.starts_with(&elsewhere_wants_them.realm)), "{err:?}");
    assert!(elsewhere_wants_them.requests.lock().unwrap().iter().all(|(_, auth)| !auth.starts_with("Basic")));
    // Neither the secret nor the header is in the error or the disk cache.
    assert!(!format!("{err} {err:?}").contains("s3cret") && !format!("{err:?}").contains("cm9ib3Q6"));
    for (path, bytes) in files_under(&cache) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("s3cret") && !text.contains("cm9ib3Q6czNjcmV0") && !text.contains(PROXY_TOKEN), "{}", path.display());
    }
}

/// `dockls check --format json` in `dir` (its cache in `dir/.cache`), with `env` added; the
/// report's (code, line, character) findings, and stderr.
fn check(dir: &Path, extra: &[&str], env: &[(&str, std::ffi::OsString)]) -> (Vec<(String, u64, u64)>, String) {
    let out = std::process::Command::new(dockls_tests::client::dockls_binary())
        .args(["check", "--format", "json", "--shellcheck", "never"])
        .args(extra)
        .arg("Dockerfile")
        .current_dir(dir)
        .env_remove("DOCKLS_OFFLINE")
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("running dockls");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let found = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap_or("").to_string(), d["range"]["start"]["line"].as_u64().unwrap(), d["range"]["start"]["character"].as_u64().unwrap()))
        .collect();
    (found, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn check_reads_base_image_configs_through_the_token_flow_with_helper_credentials() {
    let Some(reg) = shared() else { return };
    let proxy = TokenProxy::start(reg, TokenPolicy::Basic(BASIC.into()));
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join(".dockls.toml"), "[build]\nplatform = \"linux/amd64\"\n").unwrap();
    // The slim image runs as 65532, works in /work and exposes 80 and 443.
    std::fs::write(project.join("Dockerfile"), format!("FROM {}/app:1.2.3-slim\nCOPY app.py .\nEXPOSE 80 8080\nCMD [\"/app\"]\n", proxy.host)).unwrap();
    // The credential helper protocol: `get`, the server on stdin, JSON on stdout; this one
    // knows the proxy only.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let helper = bin.join("docker-credential-test");
    std::fs::write(&helper, format!("#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \"{}\" ] || exit 1\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"robot\",\"Secret\":\"s3cret\"}}'\n", proxy.host)).unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let docker = dir.path().join("docker");
    std::fs::create_dir(&docker).unwrap();
    std::fs::write(docker.join("config.json"), r#"{"credsStore": "test"}"#).unwrap();
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    let env = [("PATH", path), ("DOCKER_CONFIG", docker.into_os_string())];
    let config_rules = |found: &[(String, u64, u64)]| -> Vec<(String, u64, u64)> {
        found.iter().filter(|(c, _, _)| ["missing-user", "copy-relative-no-workdir", "expose-inherited"].contains(&c.as_str())).cloned().collect()
    };

    let (found, stderr) = check(&project, &[], &env);
    // Known config: a non-root user and a WORKDIR, and port 80 inherited.
    assert_eq!(config_rules(&found), [("expose-inherited".to_string(), 2, 7)], "{found:?}\n{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let log = proxy.requests.lock().unwrap().clone();
    assert!(log.iter().any(|(line, auth)| line.starts_with("GET /token") && auth == BASIC), "{log:?}");
    assert!(log.iter().any(|(line, _)| line.contains("/blobs/sha256:")), "the config blob came through the proxy: {log:?}");
    // Offline, from the disk cache the run above filled: the same findings, no request.
    let before = proxy.requests.lock().unwrap().len();
    let (offline, _) = check(&project, &["--offline"], &env);
    assert_eq!(config_rules(&offline), config_rules(&found));
    assert_eq!(proxy.requests.lock().unwrap().len(), before);
    // The secret is in neither the output nor the cache.
    for (path, bytes) in files_under(&project.join(".cache")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("s3cret") && !text.contains("cm9ib3Q6czNjcmV0") && !text.contains(PROXY_TOKEN), "{}", path.display());
    }
    // Offline with nothing cached: the config is unknown, so the rules say what they say
    // without it.
    std::fs::remove_dir_all(project.join(".cache")).unwrap();
    let (unknown, stderr) = check(&project, &["--offline"], &env);
    let mut codes: Vec<String> = config_rules(&unknown).into_iter().map(|(c, _, _)| c).collect();
    codes.sort();
    assert_eq!(codes, ["copy-relative-no-workdir", "missing-user"], "{unknown:?}");
    assert!(!stderr.contains("s3cret"));
    assert_eq!(proxy.requests.lock().unwrap().len(), before);
}

#[test]
fn check_goes_on_when_the_registry_is_down() {
    // Its own registry: this test stops it.
    let Some(mut reg) = LocalRegistry::start() else { return };
    let host = reg.host.clone();
    reg.stop();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), format!("FROM {host}/app:1.2.3-slim\nCOPY app.py .\nEXPOSE 80\nFROM {host}/app:1\n")).unwrap();
    let start = Instant::now();
    let (found, stderr) = check(dir.path(), &[], &[]);
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    assert!(found.iter().any(|(c, _, _)| c == "copy-relative-no-workdir") && !found.iter().any(|(c, _, _)| c == "expose-inherited"), "{found:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line for the dead registry: {stderr}");
    assert!(lines[0].contains(&format!("registry {host} unreachable")) && lines[0].ends_with("base image platforms, configs and vulnerabilities not checked"), "{stderr}");
}
