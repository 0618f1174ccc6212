//! A tiny OSV API on loopback for tests: std `TcpListener`, one thread per connection, the
//! advisories of the packages in the fake registry's SBOMs.
//!
//! * `POST /v1/querybatch`: per query, the ids of [`ADVISORIES`] for its purl. openssl's are
//!   answered in two pages (`next_page_token`), packages without advisories get `{}`, as OSV
//!   answers them. A purl with qualifiers is answered `{}` too (OSV would not match it).
//! * `GET /v1/vulns/{id}`: the advisory, or 404.
//!
//! Modes: [`FakeOsv::start`] answers; [`FakeOsv::silent`] accepts connections and never
//! answers (timeouts); [`FakeOsv::malformed`] answers 200 with a body that is not JSON;
//! [`FakeOsv::failing`] answers every request with HTTP 500.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::{json, Value};

/// Advisories by id. openssl has a Debian advisory without score (its CVE record has one) and
/// a CVE record rated high; zlib1g a critical CVE record; requests a GitHub advisory rated
/// MODERATE.
pub const ADVISORIES: &[(&str, &str)] = &[
    (
        "DEBIAN-CVE-2024-5535",
        r#"{"id":"DEBIAN-CVE-2024-5535","upstream":["CVE-2024-5535"],"summary":"openssl: SSL_select_next_proto buffer overread",
           "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.14-1~deb12u1"}]}]}]}"#,
    ),
    (
        "CVE-2024-5535",
        r#"{"id":"CVE-2024-5535","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H"}],"affected":[]}"#,
    ),
    (
        "CVE-2024-0727",
        r#"{"id":"CVE-2024-0727","summary":"PKCS12 NULL dereference","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
           "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]}"#,
    ),
    (
        "CVE-2023-45853",
        r#"{"id":"CVE-2023-45853","summary":"MiniZip integer overflow","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
    ),
    (
        "GHSA-9wx4-h78v-vm56",
        r#"{"id":"GHSA-9wx4-h78v-vm56","aliases":["CVE-2024-35195"],"summary":"Requests Session verify=False persists",
           "database_specific":{"severity":"MODERATE"},
           "affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.32.0"}]}]}]}"#,
    ),
];

/// Advisory ids per purl, as pages.
fn pages(purl: &str) -> Vec<Vec<&'static str>> {
    match purl {
        "pkg:deb/debian/openssl@3.0.11-1~deb12u1" => vec![vec!["DEBIAN-CVE-2024-5535"], vec!["CVE-2024-0727"]],
        // zlib1g's source package.
        "pkg:deb/debian/zlib@1:1.2.13.dfsg-1" => vec![vec!["CVE-2023-45853"]],
        "pkg:pypi/requests@2.31.0" => vec![vec!["GHSA-9wx4-h78v-vm56"]],
        _ => vec![],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Answer,
    Silent,
    Malformed,
    Failing,
}

pub struct FakeOsv {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// Request lines received (`POST /v1/querybatch …`), in order.
    pub requests: Arc<Mutex<Vec<String>>>,
    /// The bodies of the batch queries, in order.
    pub batches: Arc<Mutex<Vec<Value>>>,
}

impl FakeOsv {
    pub fn start() -> FakeOsv {
        Self::spawn(Mode::Answer)
    }

    pub fn silent() -> FakeOsv {
        Self::spawn(Mode::Silent)
    }

    pub fn malformed() -> FakeOsv {
        Self::spawn(Mode::Malformed)
    }

    pub fn failing() -> FakeOsv {
        Self::spawn(Mode::Failing)
    }

    fn spawn(mode: Mode) -> FakeOsv {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let batches = Arc::new(Mutex::new(Vec::new()));
        let (log, bodies) = (requests.clone(), batches.clone());
        thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                if mode == Mode::Silent {
                    // Keep the connection open and silent until the process ends.
                    held.push(stream);
                    continue;
                }
                let (log, bodies) = (log.clone(), bodies.clone());
                thread::spawn(move || {
                    let _ = serve(stream, mode, &log, &bodies);
                });
            }
        });
        FakeOsv { url, requests, batches }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// How many requests asked for `path_prefix…`.
    pub fn count(&self, path_prefix: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|r| r.split(' ').nth(1).is_some_and(|p| p.starts_with(path_prefix))).count()
    }
}

fn serve(stream: TcpStream, mode: Mode, log: &Mutex<Vec<String>>, bodies: &Mutex<Vec<Value>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    log.lock().unwrap().push(request_line.trim().to_string());
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let (status, answer) = match mode {
        Mode::Malformed => ("200 OK", "<html>not json</html>".to_string()),
        Mode::Failing => ("500 Internal Server Error", r#"{"code":13,"message":"internal"}"#.to_string()),
        _ => route(&path, &body, bodies),
    };
    let mut out = stream;
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", answer.len());
    out.write_all(head.as_bytes())?;
    out.write_all(answer.as_bytes())?;
    out.flush()
}

fn route(path: &str, body: &[u8], bodies: &Mutex<Vec<Value>>) -> (&'static str, String) {
    if path == "/v1/querybatch" {
        let Ok(request) = serde_json::from_slice::<Value>(body) else { return ("400 Bad Request", r#"{"message":"invalid JSON"}"#.into()) };
        bodies.lock().unwrap().push(request.clone());
        let results: Vec<Value> = request["queries"]
            .as_array()
            .map(|queries| {
                queries
                    .iter()
                    .map(|q| {
                        let purl = q["package"]["purl"].as_str().unwrap_or("");
                        let page: usize = q["page_token"].as_str().and_then(|t| t.strip_prefix("page-")).and_then(|n| n.parse().ok()).unwrap_or(0);
                        let all = pages(purl);
                        let Some(ids) = all.get(page) else { return json!({}) };
                        let mut result = json!({ "vulns": ids.iter().map(|id| json!({ "id": id, "modified": "2024-07-01T00:00:00Z" })).collect::<Vec<_>>() });
                        if page + 1 < all.len() {
                            result["next_page_token"] = json!(format!("page-{}", page + 1));
                        }
                        result
                    })
                    .collect()
            })
            .unwrap_or_default();
        return ("200 OK", json!({ "results": results }).to_string());
    }
    if let Some(id) = path.strip_prefix("/v1/vulns/") {
        if let Some((_, record)) = ADVISORIES.iter().find(|(i, _)| *i == id) {
            return ("200 OK", record.to_string());
        }
    }
    ("404 Not Found", r#"{"code":5,"message":"Bug not found."}"#.into())
}
