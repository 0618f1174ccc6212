//! A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on 127.0.0.1
//! with its storage in a temporary folder, filled by `skopeo` from OCI layouts built here by
//! hand (a one-file tar layer, a config, a manifest; sha256 over the bytes; nothing pulled).
//!
//! Repository `app` (all linux/amd64):
//! * `1.2.3`, `1.2`, `1`, `latest`: one image pushed as Docker schema 2, `User app`,
//!   `Env APP_HOME=/srv`, `WorkingDir /srv`, port `8080/tcp`, `Cmd ["/bin/app"]`;
//! * `1.2.3-slim`, `1.2-slim`, `1-slim`: another image pushed as an OCI manifest,
//!   `User 65532`, `WorkingDir /work`, ports `80/tcp` and `443/tcp`;
//! * `1.1.0`: an older image (schema 2), running as root, no working dir.
//!
//! Repository `multi`: `2.0` and `2` are an OCI index of linux/amd64 and linux/arm64/v8
//! images (each config has its own `Env ARCH=…`).
//!
//! [`TokenProxy`] puts a Bearer token service in front of it (the registry itself asks for none).
//!
//! [`LocalRegistry::start`] returns `None` (and the caller skips with a warning) when the
//! binaries are missing; `scripts/test` installs them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub struct LocalRegistry {
    /// `127.0.0.1:PORT`, as image references name it.
    pub host: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")]).map(|d| d.join(name)).find(|p| p.is_file())
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A ustar archive holding one file (what an image layer is).
fn tar_with(name: &str, content: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    let octal = |field: &mut [u8], value: u64| {
        let text = format!("{:0width$o}\0", value, width = field.len() - 1);
        field.copy_from_slice(text.as_bytes());
    };
    octal(&mut header[100..108], 0o644);
    octal(&mut header[108..116], 0);
    octal(&mut header[116..124], 0);
    octal(&mut header[124..136], content.len() as u64);
    octal(&mut header[136..148], 1_700_000_000);
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u64 = header.iter().map(|b| *b as u64).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// An OCI image layout being written: blobs by digest, refs in `index.json`.
struct Layout {
    dir: PathBuf,
    refs: Vec<Value>,
}

impl Layout {
    fn new(dir: PathBuf) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout { dir, refs: Vec::new() }
    }

    fn blob(&self, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(&digest[7..]), bytes).unwrap();
        digest
    }

    /// An image manifest for `arch` with `run` as its config's `config`; returns its
    /// descriptor.
    fn image(&self, arch: &str, variant: Option<&str>, created: &str, run: Value) -> Value {
        let layer = tar_with("hello.txt", format!("hello from {arch}\n").as_bytes());
        let layer_digest = self.blob(&layer);
        let mut config = json!({
            "architecture": arch, "os": "linux", "created": created, "config": run,
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        });
        if let Some(v) = variant {
            config["variant"] = json!(v);
        }
        let config = serde_json::to_vec(&config).unwrap();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": self.blob(&config), "size": config.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
        });
        let manifest = serde_json::to_vec(&manifest).unwrap();
        let mut platform = json!({"architecture": arch, "os": "linux"});
        if let Some(v) = variant {
            platform["variant"] = json!(v);
        }
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": self.blob(&manifest), "size": manifest.len(), "platform": platform})
    }

    fn index(&self, manifests: Vec<Value>) -> Value {
        let index = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests})).unwrap();
        json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": self.blob(&index), "size": index.len()})
    }

    fn name(&mut self, name: &str, mut descriptor: Value) {
        descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": name});
        self.refs.push(descriptor);
        let index = json!({"schemaVersion": 2, "manifests": self.refs});
        std::fs::write(self.dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    }
}

impl LocalRegistry {
    /// Starts the registry and pushes the images described in the module docs; `None` when
    /// `docker-registry` or `skopeo` is not installed.
    pub fn start() -> Option<LocalRegistry> {
        let (registry, skopeo) = (find("docker-registry")?, find("skopeo")?);
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let host = format!("127.0.0.1:{port}");
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {host}\n",
            dir.path().join("data").display()
        );
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(registry)
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let me = LocalRegistry { host, child, _dir: dir };
        me.wait_ready();
        me.fill(&skopeo);
        Some(me)
    }

    fn wait_ready(&self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if std::net::TcpStream::connect(&self.host).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry did not start on {}", self.host);
    }

    fn fill(&self, skopeo: &Path) {
        let mut layout = Layout::new(self._dir.path().join("layout"));
        let app = layout.image(
            "amd64",
            None,
            "2024-05-01T10:00:00Z",
            json!({"User": "app", "Env": ["PATH=/usr/bin:/bin", "APP_HOME=/srv"], "WorkingDir": "/srv", "ExposedPorts": {"8080/tcp": {}}, "Cmd": ["/bin/app"], "Labels": {"org.opencontainers.image.version": "1.2.3"}}),
        );
        let slim = layout.image("amd64", None, "2024-05-02T10:00:00Z", json!({"User": "65532", "Env": ["PATH=/usr/bin"], "WorkingDir": "/work", "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}, "Entrypoint": ["/app"]}));
        let old = layout.image("amd64", None, "2023-01-01T00:00:00Z", json!({"Env": ["PATH=/usr/bin"], "Cmd": ["sh"]}));
        let amd = layout.image("amd64", None, "2024-06-01T00:00:00Z", json!({"Env": ["ARCH=amd64"]}));
        let arm = layout.image("arm64", Some("v8"), "2024-06-01T00:00:00Z", json!({"Env": ["ARCH=arm64"]}));
        let index = layout.index(vec![amd, arm]);
        layout.name("app", app);
        layout.name("slim", slim);
        layout.name("old", old);
        layout.name("multi", index);
        let push = |source: &str, target: &str, format: &str, all: bool| {
            let mut cmd = Command::new(skopeo);
            cmd.args(["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "--format", format]);
            if all {
                cmd.arg("--all");
            }
            let out = cmd
                .arg(format!("oci:{}:{source}", layout.dir.display()))
                .arg(format!("docker://{}/{target}", self.host))
                .output()
                .expect("run skopeo");
            assert!(out.status.success(), "skopeo copy {source} → {target}: {}", String::from_utf8_lossy(&out.stderr));
        };
        for tag in ["1.2.3", "1.2", "1", "latest"] {
            push("app", &format!("app:{tag}"), "v2s2", false);
        }
        for tag in ["1.2.3-slim", "1.2-slim", "1-slim"] {
            push("slim", &format!("app:{tag}"), "oci", false);
        }
        push("old", "app:1.1.0", "v2s2", false);
        for tag in ["2.0", "2"] {
            push("multi", &format!("multi:{tag}"), "oci", true);
        }
    }

    /// The digest the registry gives `repo:tag` (from a plain HTTP `HEAD`, independent of
    /// the client under test).
    pub fn digest(&self, repo_tag: &str) -> String {
        let (repo, tag) = repo_tag.split_once(':').unwrap();
        let mut stream = std::net::TcpStream::connect(&self.host).unwrap();
        let request = format!(
            "HEAD /v2/{repo}/manifests/{tag} HTTP/1.1\r\nHost: {}\r\nAccept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json\r\nConnection: close\r\n\r\n",
            self.host
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
        answer
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("docker-content-digest")).map(|(_, v)| v.trim().to_string()))
            .unwrap_or_else(|| panic!("no digest for {repo_tag}: {answer}"))
    }

    /// Stops the registry (for the "registry went away" tests).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Who may have a token from a [`TokenProxy`].
#[derive(Clone, Debug)]
pub enum TokenPolicy {
    /// Anyone (a public repository).
    Anonymous,
    /// Only a token request with this `Authorization` header (`Basic …`).
    Basic(String),
}

/// A token service in front of a [`LocalRegistry`] (which itself asks for no auth): every
/// `/v2/` request without `Authorization: Bearer <PROXY_TOKEN>` is answered 401 with a
/// `WWW-Authenticate: Bearer realm=…,service=…,scope=repository:<repo>:pull` challenge, as
/// Docker Hub and GHCR do; `/token` hands the token out under its [`TokenPolicy`]; an
/// authorized request is forwarded to the registry and its answer copied back byte for byte.
///
/// The realm is either on the proxy's own host (`http://127.0.0.1:PORT/token`) or, with
/// [`TokenProxy::start_with_realm_elsewhere`], on another host name (`http://localhost:PORT2/token`,
/// a second listener): a registry's credentials must never go there.
pub struct TokenProxy {
    /// `127.0.0.1:PORT`, as image references name it.
    pub host: String,
    /// The token service's URL, as the challenge names it.
    pub realm: String,
    /// `(request line, Authorization header or "")` of every request, token ones included.
    pub requests: Arc<Mutex<Vec<(String, String)>>>,
}

pub const PROXY_TOKEN: &str = "proxy-token-1";

impl TokenProxy {
    /// The token service on the proxy's own host.
    pub fn start(upstream: &LocalRegistry, policy: TokenPolicy) -> TokenProxy {
        Self::spawn(upstream, policy, false)
    }

    /// The token service on another host name (`localhost` instead of `127.0.0.1`).
    pub fn start_with_realm_elsewhere(upstream: &LocalRegistry, policy: TokenPolicy) -> TokenProxy {
        Self::spawn(upstream, policy, true)
    }

    fn spawn(upstream: &LocalRegistry, policy: TokenPolicy, elsewhere: bool) -> TokenProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let mut listeners = vec![listener];
        let realm = if elsewhere {
            let other = TcpListener::bind("127.0.0.1:0").unwrap();
            let realm = format!("http://localhost:{}/token", other.local_addr().unwrap().port());
            listeners.push(other);
            realm
        } else {
            format!("http://{host}/token")
        };
        let requests = Arc::new(Mutex::new(Vec::new()));
        for listener in listeners {
            let (requests, upstream, realm, policy) = (requests.clone(), upstream.host.clone(), realm.clone(), policy.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (requests, upstream, realm, policy) = (requests.clone(), upstream.clone(), realm.clone(), policy.clone());
                    std::thread::spawn(move || {
                        let _ = proxy_one(stream, &upstream, &realm, &policy, &requests);
                    });
                }
            });
        }
        TokenProxy { host, realm, requests }
    }

    /// How many requests went to the token service.
    pub fn token_requests(&self) -> usize {
        self.requests.lock().unwrap().iter().filter(|(line, _)| line.split(' ').nth(1).is_some_and(|p| p.starts_with("/token"))).count()
    }

    /// How many `/v2/` requests were answered 401 (sent without a valid token).
    pub fn challenged(&self) -> usize {
        let bearer = format!("Bearer {PROXY_TOKEN}");
        self.requests.lock().unwrap().iter().filter(|(line, auth)| line.split(' ').nth(1).is_some_and(|p| p.starts_with("/v2/")) && *auth != bearer).count()
    }
}

/// Serves one connection: one request, then closed.
fn proxy_one(stream: std::net::TcpStream, upstream: &str, realm: &str, policy: &TokenPolicy, log: &Mutex<Vec<(String, String)>>) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let request_line = request_line.trim().to_string();
    let (mut authorization, mut forwarded) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else { continue };
        match name.trim().to_ascii_lowercase().as_str() {
            "authorization" => authorization = value.trim().to_string(),
            "host" | "connection" => {}
            _ => forwarded.push(line.trim_end().to_string()),
        }
    }
    log.lock().unwrap().push((request_line.clone(), authorization.clone()));
    let mut out = stream;
    let respond = |out: &mut std::net::TcpStream, status: &str, extra: &str, body: &str| {
        write!(out, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}", body.len())
    };
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    if path.starts_with("/token") {
        let allowed = match policy {
            TokenPolicy::Anonymous => true,
            TokenPolicy::Basic(expected) => authorization == *expected,
        };
        return if allowed {
            respond(&mut out, "200 OK", "", &format!(r#"{{"token":"{PROXY_TOKEN}","expires_in":300}}"#))
        } else {
            respond(&mut out, "401 Unauthorized", "", r#"{"errors":[{"code":"UNAUTHORIZED","message":"credentials required"}]}"#)
        };
    }
    let Some(rest) = path.strip_prefix("/v2/") else { return respond(&mut out, "404 Not Found", "", "{}") };
    if authorization != format!("Bearer {PROXY_TOKEN}") {
        let repo = ["/manifests/", "/blobs/", "/tags/"].iter().fold(rest, |r, sep| r.split(sep).next().unwrap_or(r));
        let challenge = format!("WWW-Authenticate: Bearer realm=\"{realm}\",service=\"token-proxy\",scope=\"repository:{repo}:pull\"\r\n");
        return respond(&mut out, "401 Unauthorized", &challenge, r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#);
    }
    // Authorized: the same request to the registry, without the token; its answer as is.
    let mut up = std::net::TcpStream::connect(upstream)?;
    let mut head = format!("{request_line}\r\nHost: {upstream}\r\nConnection: close\r\n");
    for h in forwarded {
        head.push_str(&h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    up.write_all(head.as_bytes())?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    out.write_all(&answer)?;
    out.flush()
}
