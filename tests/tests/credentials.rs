//! Registry credentials from the Docker config through a credential helper
//! (`docker-credential-test`, a script written here and put first on `PATH`): they reach the
//! registry they were stored for (its token service on the same host), and no other.
//! One test in this file: it changes the process's `PATH`.

use std::time::Duration;

use dockls::registry::{Reference, Registry, Settings};
use dockls_tests::fake_registry::FakeRegistry;

#[test]
fn helper_credentials_reach_only_their_own_host() {
    let dir = tempfile::tempdir().unwrap();
    let (ours, other) = (FakeRegistry::start(), FakeRegistry::start());
    let ours_host = ours.url.trim_start_matches("http://").to_string();
    let other_host = other.url.trim_start_matches("http://").to_string();
    // The helper protocol: `get`, the server URL on stdin, JSON on stdout.
    let helper = dir.path().join("docker-credential-test");
    std::fs::write(&helper, format!("#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \"{ours_host}\" ] || exit 1\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"robot\",\"Secret\":\"s3cret\"}}'\n")).unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    // SAFETY: the only test of this binary; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("PATH", std::env::join_paths(std::iter::once(dir.path().to_path_buf()).chain(std::env::split_paths(&path))).unwrap()) };
    let config = dir.path().join("config.json");
    std::fs::write(&config, format!(r#"{{"credsStore": "test", "credHelpers": {{"{other_host}": "missing-helper"}}}}"#)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let s = Settings { offline: false, cache_dir: Some(cache.path().into()), timeout: Duration::from_secs(5), docker_config: Some(config), ..Settings::default() };
    let registry = Registry::new();
    let expected = "Basic cm9ib3Q6czNjcmV0"; // robot:s3cret
    registry.platforms(&s, &Reference::parse(&format!("{ours_host}/library/multi:1.0")).unwrap()).unwrap();
    let auths = ours.authorizations.lock().unwrap().clone();
    assert!(auths.iter().any(|(path, a)| path.starts_with("/token") && a == expected), "{auths:?}");
    assert!(auths.iter().all(|(path, a)| path.starts_with("/token") || a.starts_with("Bearer ")), "basic auth only to the token service: {auths:?}");
    registry.platforms(&s, &Reference::parse(&format!("{other_host}/library/multi:1.0")).unwrap()).unwrap();
    let auths = other.authorizations.lock().unwrap().clone();
    assert!(auths.iter().all(|(_, a)| !a.starts_with("Basic")), "{auths:?}");
    // Through a mirror, the mirror's host gets no credentials stored for the real registry.
    let mirrored = Settings { mirrors: [(ours_host.clone(), other.url.clone())].into_iter().collect(), ..s };
    let before = other.authorizations.lock().unwrap().len();
    Registry::new().platforms(&mirrored, &Reference::parse(&format!("{ours_host}/library/single:1.0")).unwrap()).unwrap();
    assert!(other.authorizations.lock().unwrap()[before..].iter().all(|(_, a)| !a.starts_with("Basic")));
}
