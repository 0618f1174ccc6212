//! The user's registry credentials, as Docker stores them: `$DOCKER_CONFIG/config.json` (else
//! `~/.docker/config.json`) with `credHelpers` (per registry), `credsStore` (default helper)
//! and `auths` (base64 `user:password`). A helper is `docker-credential-<name>`, asked with
//! `get` and the server URL on stdin, answering `{"Username": …, "Secret": …}`.
//! Credentials are held in memory only for the request that needs them: never logged, never
//! cached on disk, and sent only to the registry's own host.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;

use super::Settings;

/// A credential helper that does not answer within this is given up.
const HELPER_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Credential {
    pub username: String,
    secret: String,
}

/// Never printed: a debug print of a session must not leak the secret.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({}, ***)", self.username)
    }
}

impl Credential {
    /// The `Authorization` header value for basic auth.
    pub fn basic(&self) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.username, self.secret)))
    }
}

#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    auths: HashMap<String, Auth>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Auth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// The Docker config file: the settings' own, else `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
fn config_path(settings: &Settings) -> Option<PathBuf> {
    if let Some(p) = &settings.docker_config {
        return Some(p.clone());
    }
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    Some(PathBuf::from(std::env::var_os("HOME")?).join(".docker").join("config.json"))
}

/// The names `registry` may be stored under in `auths` (Docker Hub's is a legacy URL).
fn keys(registry: &str) -> Vec<String> {
    if registry == super::reference::DOCKER_HUB {
        return vec!["https://index.docker.io/v1/".into(), "index.docker.io".into(), "docker.io".into(), "registry-1.docker.io".into()];
    }
    vec![registry.to_string(), format!("https://{registry}"), format!("http://{registry}"), format!("https://{registry}/v1/")]
}

/// The user's credentials for `registry` (as written in references), if any.
pub fn lookup(settings: &Settings, registry: &str) -> Option<Credential> {
    let text = std::fs::read(config_path(settings)?).ok()?;
    let config: Config = serde_json::from_slice(&text).ok()?;
    let keys = keys(registry);
    if let Some(helper) = keys.iter().find_map(|k| config.cred_helpers.get(k)) {
        return from_helper(helper, &keys[0]);
    }
    if let Some(auth) = keys.iter().find_map(|k| config.auths.get(k)) {
        if let Some(encoded) = auth.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
            let (user, secret) = String::from_utf8(decoded).ok()?.split_once(':').map(|(u, s)| (u.to_string(), s.to_string()))?;
            return Some(Credential { username: user, secret });
        }
        if let (Some(u), Some(p)) = (&auth.username, &auth.password) {
            return Some(Credential { username: u.clone(), secret: p.clone() });
        }
    }
    from_helper(config.creds_store.as_deref()?, &keys[0])
}

/// Asks `docker-credential-<helper> get` for `server`; `None` when it fails, is missing, or
/// takes longer than [`HELPER_TIMEOUT`].
fn from_helper(helper: &str, server: &str) -> Option<Credential> {
    if helper.is_empty() || helper.contains(['/', '\\']) {
        return None;
    }
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let _ = child.stdin.take()?.write_all(server.as_bytes());
    let stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.take(1 << 16).read_to_end(&mut out);
        out
    });
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(None) if start.elapsed() < HELPER_TIMEOUT => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            _ => return None,
        }
    }
    let out = reader.join().ok()?;
    let answer: HelperAnswer = serde_json::from_slice(&out).ok()?;
    (!answer.username.is_empty() || !answer.secret.is_empty()).then_some(Credential { username: answer.username, secret: answer.secret })
}

/// Whether a token service at `realm_host` may receive the credentials of `registry` served
/// at `base_host`: the same host name (any port), or Docker Hub's own token service.
pub fn same_host(base_host: &str, realm_host: &str, registry: &str) -> bool {
    let name = |h: &str| -> String {
        match h.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or("").to_ascii_lowercase(),
            None => h.rsplit_once(':').map_or(h, |(n, _)| n).to_ascii_lowercase(),
        }
    };
    name(base_host) == name(realm_host) || (registry == super::reference::DOCKER_HUB && name(realm_host) == "auth.docker.io")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_with(config: &str) -> (tempfile::TempDir, Settings) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, config).unwrap();
        let settings = Settings { docker_config: Some(path), ..Settings::default() };
        (dir, settings)
    }

    #[test]
    fn auths_by_host_and_docker_hubs_legacy_key() {
        let (_d, s) = settings_with(r#"{"auths": {"registry.example.com": {"auth": "dXNlcjpwYTpzcw=="}, "https://index.docker.io/v1/": {"username": "hub", "password": "pw"}}}"#);
        let c = lookup(&s, "registry.example.com").unwrap();
        assert_eq!((c.username.as_str(), c.secret.as_str()), ("user", "pa:ss"));
        assert_eq!(lookup(&s, "docker.io").unwrap().username, "hub");
        assert!(lookup(&s, "other.example.com").is_none());
        assert!(!format!("{c:?}").contains("pa:ss"));
    }

    #[test]
    fn a_missing_helper_or_broken_file_is_no_credential() {
        let (_d, s) = settings_with(r#"{"credHelpers": {"ghcr.io": "dockls-test-no-such-helper"}}"#);
        assert!(lookup(&s, "ghcr.io").is_none());
        let (_d, s) = settings_with("{not json");
        assert!(lookup(&s, "ghcr.io").is_none());
    }

    #[test]
    fn token_services_on_other_hosts_get_nothing() {
        assert!(same_host("127.0.0.1:5000", "127.0.0.1:6000", "127.0.0.1:5000"));
        assert!(same_host("registry-1.docker.io", "auth.docker.io", "docker.io"));
        assert!(!same_host("registry.example.com", "evil.example.net", "registry.example.com"));
    }
}
