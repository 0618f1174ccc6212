//! Completion of image tags and digests end to end: the language server against a real
//! registry on loopback (see `dockls_tests::local_registry`), answering at once from its cache
//! and marking the answer incomplete while it asks the registry; and against registries that
//! hang or refuse connections, where it still answers at once.

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
    let start = Instant::now();
    loop {
        let (items, incomplete, took) = complete(c, uri, line, character);
        assert!(took < Duration::from_secs(1), "completion waited {took:?}");
        if !incomplete {
            return items;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "still incomplete");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn tags_and_digests_from_a_real_registry() {
    let Some(reg) = LocalRegistry::start() else {
        eprintln!("warning: docker-registry or skopeo not installed; skipped (scripts/test installs them)");
        return;
    };
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
