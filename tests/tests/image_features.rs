//! Registry-backed editor features end to end, the language server against a real registry
//! on loopback (see `dockls_tests::local_registry`): completion of tags and digests, answering
//! at once from its cache and marking the answer incomplete while it asks the registry; hover
//! facts of a FROM image; the pin actions. And against registries that hang or refuse
//! connections, where it still answers at once.

use std::time::{Duration, Instant};

use dockls_tests::client::{dockls_binary, file_uri, LspClient};
use dockls_tests::fake_registry::FakeRegistry;
use dockls_tests::local_registry::LocalRegistry;
use serde_json::{json, Value};

fn server(cache: &std::path::Path) -> LspClient {
    let mut c = LspClient::spawn_env(&dockls_binary(), &["serve", "--stdio"], &[("DOCKLS_OFFLINE", None), ("XDG_CACHE_HOME", Some(cache.to_str().unwrap()))]);
    c.initialize(&file_uri(cache), json!({}));
    c
}

/// The completion answer at (line, character): its items and whether it is incomplete, and
/// how long it took.
fn complete(c: &mut LspClient, uri: &str, line: u32, character: u32) -> (Vec<Value>, bool, Duration) {
    let start = Instant::now();
    let answer = c
        .request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}, "context": {"triggerKind": 1}}))
        .unwrap();
    let took = start.elapsed();
    match answer.as_array() {
        Some(items) => (items.clone(), false, took),
        None => (answer["items"].as_array().cloned().unwrap_or_default(), answer["isIncomplete"] == true, took),
    }
}

fn labels(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["label"].as_str().unwrap_or("").to_string()).collect()
}

/// Asks again (as a client does while the list is incomplete) until it is complete.
fn complete_until_done(c: &mut LspClient, uri: &str, line: u32, character: u32) -> Vec<Value> {
    let params = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}, "context": {"triggerKind": 1}});
    // Complete answers are plain arrays (incomplete ones are lists).
    ask_until(c, "textDocument/completion", params, Value::is_array).as_array().cloned().unwrap_or_default()
}

/// The real registry, or `None` with a warning when it cannot run here.
fn local_registry() -> Option<LocalRegistry> {
    let r = LocalRegistry::start();
    if r.is_none() {
        eprintln!("warning: docker-registry or skopeo not installed; skipped (scripts/test installs them)");
    }
    r
}

#[test]
fn tags_and_digests_from_a_real_registry() {
    let Some(reg) = local_registry() else { return };
    let cache = tempfile::tempdir().unwrap();
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    let host = &reg.host;
    let text = format!("FROM {host}/app:1.2\nFROM {host}/app:1.2-slim\nFROM {host}/multi:2@\n");
    c.did_open(&uri, &text);
    let tag_col = (format!("FROM {host}/app:").len()) as u32;
    // Nothing cached yet: an empty, incomplete answer at once.
    let (items, incomplete, took) = complete(&mut c, &uri, 0, tag_col);
    assert!(incomplete && items.is_empty() && took < Duration::from_secs(1), "{items:?} {incomplete} {took:?}");
    let items = complete_until_done(&mut c, &uri, 0, tag_col);
    assert_eq!(labels(&items), ["1.2.3-slim", "1.2.3", "1.2-slim", "1.2", "1.1.0", "1-slim", "1", "latest"]);
    // The whole tag is replaced.
    assert_eq!(items[0]["textEdit"]["range"], json!({"start": {"line": 0, "character": tag_col}, "end": {"line": 0, "character": tag_col + 3}}));
    // The variant already chosen (`-slim`) narrows the list; tags are cached now: no wait.
    let (items, incomplete, _) = complete(&mut c, &uri, 1, tag_col);
    assert!(!incomplete);
    assert_eq!(labels(&items), ["1.2.3-slim", "1.2-slim", "1-slim"]);
    // After `@`: the digest of the tag before it.
    let at_col = format!("FROM {host}/multi:2@").len() as u32;
    let items = complete_until_done(&mut c, &uri, 2, at_col);
    assert_eq!(labels(&items), [reg.digest("multi:2")]);
    c.shutdown_and_exit();

    // Another server, offline, on the same cache folder: the answers are there at once and
    // complete, and nothing is asked.
    let mut offline = LspClient::spawn_env(&dockls_binary(), &["serve", "--stdio"], &[("DOCKLS_OFFLINE", Some("1")), ("XDG_CACHE_HOME", Some(cache.path().to_str().unwrap()))]);
    offline.initialize(&file_uri(cache.path()), json!({}));
    offline.did_open(&uri, &text);
    let (items, incomplete, _) = complete(&mut offline, &uri, 1, tag_col);
    assert!(!incomplete);
    assert_eq!(labels(&items), ["1.2.3-slim", "1.2-slim", "1-slim"]);
    let (items, incomplete, _) = complete(&mut offline, &uri, 0, tag_col - 4);
    assert!(!incomplete && items.iter().all(|i| i["label"] != "1.2.3"), "a name, not tags: {items:?}");
    offline.shutdown_and_exit();
}

#[test]
fn dead_and_hanging_registries_cost_no_wait() {
    let cache = tempfile::tempdir().unwrap();
    let hanging = FakeRegistry::silent();
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    let hang_host = hanging.url.trim_start_matches("http://");
    c.did_open(&uri, &format!("FROM {hang_host}/app:1\nFROM {refused}/app:1\n"));
    let col = |host: &str| format!("FROM {host}/app:").len() as u32;
    for _ in 0..3 {
        let (items, incomplete, took) = complete(&mut c, &uri, 0, col(hang_host));
        assert!(items.is_empty() && incomplete && took < Duration::from_secs(1), "{items:?} {took:?}");
    }
    // Refused: one clear line in the log, then complete (and empty) answers, no retry storm.
    let (_, _, took) = complete(&mut c, &uri, 1, col(&refused));
    assert!(took < Duration::from_secs(1));
    let log = c.wait_notification("window/logMessage", |m| m["params"]["message"].as_str().is_some_and(|s| s.contains(&refused)), Duration::from_secs(10));
    let message = log["params"]["message"].as_str().unwrap();
    assert!(message.starts_with("tags of `") && message.contains("unreachable"), "{message}");
    let items = complete_until_done(&mut c, &uri, 1, col(&refused));
    assert!(items.is_empty());
    // The hanging registry still holds its fetch; answers stay immediate.
    let (_, _, took) = complete(&mut c, &uri, 0, col(hang_host));
    assert!(took < Duration::from_secs(1));
    c.shutdown_and_exit();
}

/// Asks `method` until `done` holds for the answer (the first asks start background fetches).
fn ask_until(c: &mut LspClient, method: &str, params: Value, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let asked = Instant::now();
        let answer = c.request(method, params.clone()).unwrap();
        assert!(asked.elapsed() < Duration::from_secs(1), "{method} waited {:?}", asked.elapsed());
        if done(&answer) {
            return answer;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "{method}: never got there: {answer}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn hover_facts_and_pin_actions_from_a_real_registry() {
    let Some(reg) = local_registry() else { return };
    let cache = tempfile::tempdir().unwrap();
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    let host = &reg.host;
    let text = format!("FROM {host}/app:1.2\nRUN true\nFROM {host}/app:latest\n");
    c.did_open(&uri, &text);
    let position = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 8}});
    let hover = ask_until(&mut c, "textDocument/hover", position, |h| h["contents"]["value"].as_str().is_some_and(|v| v.contains("| user |")));
    let value = hover["contents"]["value"].as_str().unwrap();
    let digest = reg.digest("app:1.2");
    for row in [format!("| registry | {host} |"), "| repository | app |".into(), "| tag | 1.2 |".into(), format!("| digest | `{digest}` |"), "| platforms | linux/amd64 |".into(), "| user | app |".into(), "| working dir | `/srv` |".into(), "| exposed ports | 8080/tcp |".into(), r#"| cmd | `["/bin/app"]` |"#.into()] {
        assert!(value.contains(&row), "{row} missing in {value}");
    }
    assert!(value.contains("| created | 2024-05-01 ("), "{value}");

    let actions_at = |line: u32| json!({"textDocument": {"uri": uri}, "range": {"start": {"line": line, "character": 6}, "end": {"line": line, "character": 6}}, "context": {"diagnostics": []}});
    let titles = |a: &Value| a.as_array().map(|v| v.iter().filter_map(|x| x["title"].as_str().map(str::to_string)).collect::<Vec<_>>()).unwrap_or_default();
    let actions = ask_until(&mut c, "textDocument/codeAction", actions_at(0), |a| titles(a).iter().any(|t| t.starts_with("Pin to the exact version")));
    let short = &digest[..19];
    let pins: Vec<String> = titles(&actions).into_iter().filter(|t| t.starts_with("Pin to")).collect();
    assert_eq!(pins, [format!("Pin to `1.2.3@{short}`"), "Pin to the exact version `1.2.3`".to_string(), format!("Pin to digest `{short}`")]);
    let exact = actions.as_array().unwrap().iter().find(|a| a["title"] == "Pin to the exact version `1.2.3`").unwrap();
    let edit = &exact["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "1.2.3");
    // `latest`: a quick fix of the `image-latest` finding.
    let actions = ask_until(&mut c, "textDocument/codeAction", actions_at(2), |a| titles(a).iter().any(|t| t.starts_with("Pin to the exact version")));
    let exact = actions.as_array().unwrap().iter().find(|a| a["title"] == "Pin to the exact version `1.2.3`").unwrap();
    assert_eq!(exact["kind"], "quickfix");
    let codes: Vec<&str> = exact["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"image-latest") && codes.contains(&"image-digest"), "{codes:?}");

    // Pinned by digest: an inlay hint says how old the image is (its config's `created`).
    let pinned = format!("FROM {host}/app@{digest}\n");
    c.did_change(&uri, 2, json!([{ "text": pinned }]));
    let range = json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}});
    let hints = ask_until(&mut c, "textDocument/inlayHint", range, |h| h.as_array().is_some_and(|v| !v.is_empty()));
    assert!(hints[0]["label"].as_str().unwrap().starts_with("built ") && hints[0]["label"].as_str().unwrap().ends_with(" ago"), "{hints}");
    assert_eq!(hints[0]["position"]["character"].as_u64().unwrap() as usize, "FROM ".len() + host.len() + "/app@".len() + digest.len());
    c.shutdown_and_exit();
}

#[test]
fn rules_read_the_base_image_config_once_it_arrives() {
    let Some(reg) = local_registry() else { return };
    let cache = tempfile::tempdir().unwrap();
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    // The slim image runs as 65532 and works in /work: neither finding stands once that is known.
    c.did_open(&uri, &format!("FROM {}/app:1.2.3-slim\nCOPY app.py .\nCMD [\"/app\"]\n", reg.host));
    let codes = |m: &Value| -> Vec<String> { m["params"]["diagnostics"].as_array().map(|d| d.iter().filter_map(|d| d["code"].as_str().map(str::to_string)).collect()).unwrap_or_default() };
    let first = c.wait_diagnostics(&uri, Some(1));
    assert!(codes(&first).contains(&"missing-user".to_string()) && codes(&first).contains(&"copy-relative-no-workdir".to_string()), "{:?}", codes(&first));
    let later = c.wait_notification(
        "textDocument/publishDiagnostics",
        |m| m["params"]["uri"] == uri.as_str() && !codes(m).iter().any(|c| c == "missing-user" || c == "copy-relative-no-workdir"),
        Duration::from_secs(15),
    );
    assert_eq!(later["params"]["version"], 1);
    c.shutdown_and_exit();
}

/// A name for this machine that is not loopback by its spelling but resolves to 127.0.0.1
/// (the host name, which `/etc/hosts` maps there on Debian and in containers, or
/// `localhost.localdomain`): a registry reached by it is "remote" to the client, so only the
/// `insecure` setting lets the client use plain HTTP.
fn loopback_alias() -> String {
    use std::net::ToSocketAddrs;
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string();
    let found = [hostname.as_str(), "localhost.localdomain"]
        .into_iter()
        .filter(|name| !name.is_empty() && !dockls::registry::is_loopback(&format!("http://{name}")))
        .find(|name| (*name, 1).to_socket_addrs().is_ok_and(|mut a| a.any(|a| a.ip() == std::net::Ipv4Addr::LOCALHOST)))
        .map(str::to_string)
        .expect("neither the host name nor localhost.localdomain resolves to 127.0.0.1 here");
    found
}

#[test]
fn insecure_registries_setting_turns_plain_http_on_after_a_configuration_change() {
    let fake = FakeRegistry::start();
    let port = fake.url.rsplit(':').next().unwrap();
    let host = format!("{}:{port}", loopback_alias());
    let cache = tempfile::tempdir().unwrap();
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    c.did_open(&uri, &format!("FROM {host}/library/paged:\n"));
    let col = format!("FROM {host}/library/paged:").len() as u32;
    // Not loopback by name and not listed: HTTPS, which the plain-HTTP registry cannot answer.
    let log = {
        let (_, incomplete, _) = complete(&mut c, &uri, 0, col);
        assert!(incomplete);
        c.wait_notification("window/logMessage", |m| m["params"]["message"].as_str().is_some_and(|s| s.contains(&host)), Duration::from_secs(10))
    };
    assert!(log["params"]["message"].as_str().unwrap().contains("unreachable"), "{log}");
    assert!(complete_until_done(&mut c, &uri, 0, col).is_empty());
    assert_eq!(fake.count("/v2/"), 0, "no HTTP request reached it: {:?}", fake.requests.lock().unwrap());
    // The client's settings now list it (pulled with workspace/configuration on the change).
    c.set_settings(json!({ "dockls": { "registries": { "insecure": [host] } } }));
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let params = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": col}, "context": {"triggerKind": 1}});
    let answer = ask_until(&mut c, "textDocument/completion", params, |a| a.as_array().is_some_and(|v| !v.is_empty()));
    assert_eq!(labels(answer.as_array().unwrap()), ["1.4", "1.3", "1.2", "1.1", "1.0"]);
    assert!(fake.count("/v2/library/paged/tags/list") >= 3, "{:?}", fake.requests.lock().unwrap());
    c.shutdown_and_exit();
}

#[test]
fn expose_knows_the_ports_the_base_image_exposes() {
    let Some(reg) = local_registry() else { return };
    let cache = tempfile::tempdir().unwrap();
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    // The slim image exposes 80/tcp and 443/tcp; the app image 8080/tcp.
    c.did_open(&uri, &format!("FROM {host}/app:1.2.3-slim\nEXPOSE 80 8080\nFROM {host}/app:1.2.3\nEXPOSE 80 8080/tcp\n", host = reg.host));
    let found = |m: &Value| -> Vec<(u64, u64, String)> {
        m["params"]["diagnostics"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter(|d| d["code"] == "expose-inherited")
                    .map(|d| (d["range"]["start"]["line"].as_u64().unwrap(), d["range"]["start"]["character"].as_u64().unwrap(), d["message"].as_str().unwrap().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Unknown at first: nothing; once both configs arrive, one finding per inherited port.
    assert!(found(&c.wait_diagnostics(&uri, Some(1))).is_empty());
    let later = c.wait_notification("textDocument/publishDiagnostics", |m| m["params"]["uri"] == uri.as_str() && found(m).len() == 2, Duration::from_secs(15));
    let found = found(&later);
    assert_eq!((found[0].0, found[0].1, found[1].0, found[1].1), (1, 7, 3, 10), "{found:?}");
    assert_eq!(found[0].2, format!("the base image `{}/app:1.2.3-slim` already exposes 80/tcp", reg.host));
    assert_eq!(found[1].2, format!("the base image `{}/app:1.2.3` already exposes 8080/tcp", reg.host));
    // Hover on the EXPOSE: the base image's ports (from the cache the rule read).
    let hover = c.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}})).unwrap();
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains(&format!("The base image `{}/app:1.2.3-slim` exposes `443/tcp`, `80/tcp` already", reg.host)), "{value}");
    c.shutdown_and_exit();
}

/// `$` in a stage offers its base image's ENV (from the real registry's config, fetched in
/// the background after the first ask), under the Dockerfile's own variables.
#[test]
fn variables_include_the_base_image_env() {
    let Some(reg) = local_registry() else { return };
    let cache = tempfile::tempdir().unwrap();
    let mut c = server(cache.path());
    let uri = file_uri(&cache.path().join("Dockerfile"));
    // The app image's config: `Env PATH=/usr/bin:/bin, APP_HOME=/srv`.
    c.did_open(&uri, &format!("FROM {}/app:1.2.3\nENV PATH=/opt/bin:$PATH\nRUN echo $\n", reg.host));
    c.wait_diagnostics(&uri, Some(1));
    let params = json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 10}, "context": {"triggerKind": 1}});
    let has_app_home = |v: &Value| {
        let items = v.as_array().or_else(|| v["items"].as_array()).cloned().unwrap_or_default();
        items.iter().any(|i| i["label"] == "APP_HOME")
    };
    let answer = ask_until(&mut c, "textDocument/completion", params, has_app_home);
    let items = answer.as_array().or_else(|| answer["items"].as_array()).cloned().unwrap_or_default();
    let detail = |name: &str| items.iter().find(|i| i["label"] == name).and_then(|i| i["detail"].as_str()).map(str::to_string);
    assert_eq!(detail("APP_HOME").as_deref(), Some("= /srv (the base image's ENV)"));
    // The Dockerfile's own PATH wins over the image's.
    assert!(detail("PATH").is_some_and(|d| d.starts_with("= /opt/bin:") && !d.contains("base image")), "{:?}", detail("PATH"));
    c.shutdown_and_exit();
}
