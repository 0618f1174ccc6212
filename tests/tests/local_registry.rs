//! The registry client against a real registry (distribution 2.8 on loopback, filled by
//! skopeo; see `dockls_tests::local_registry`): tags, ordering, digests, image configs per
//! platform, the exact tag of a moving one, and the cache when the registry goes away.
//! Skipped with a warning when `docker-registry` or `skopeo` is not installed.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dockls::registry::{tag_order, Error, Reference, Registry, Settings};
use dockls_tests::local_registry::LocalRegistry;

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
