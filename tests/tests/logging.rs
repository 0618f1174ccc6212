//! The server talks to the user through `window/logMessage` at the right level: editors show
//! whatever arrives on stderr as an error, so a normal session writes nothing there.

use std::time::Duration;

use dockls_tests::client::{dockls_binary, file_uri, LspClient};
use serde_json::{json, Value};

fn log_messages(messages: &[Value]) -> Vec<(i64, String)> {
    messages
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .map(|m| (m["params"]["type"].as_i64().unwrap_or(0), m["params"]["message"].as_str().unwrap_or("").to_string()))
        .collect()
}

#[test]
fn start_up_and_a_missing_shellcheck_are_info_in_the_log_and_stderr_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve", "--stdio"]);
    c.initialize(&file_uri(dir.path()), json!({}));
    let uri = &file_uri(&dir.path().join("Dockerfile"));
    c.did_open(uri, "FROM alpine:3.20\nRUN echo hi\n");
    c.wait_diagnostics(uri, Some(1));
    let mut messages = c.take_messages();
    messages.extend(c.drain_for(Duration::from_millis(300)));
    let logged = log_messages(&messages);
    // MessageType: 1 error, 2 warning, 3 info, 4 log.
    assert!(logged.iter().any(|(t, m)| *t == 3 && m.starts_with("dockls ") && m.contains("ready")), "{logged:?}");
    assert!(logged.iter().any(|(t, m)| *t == 3 && m.contains("shellcheck not found")), "{logged:?}");
    assert_eq!(logged.iter().filter(|(_, m)| m.contains("shellcheck not found")).count(), 1, "once: {logged:?}");
    c.did_change(uri, 2, json!([{ "text": "FROM alpine:3.20\nRUN echo bye\n" }]));
    c.wait_diagnostics(uri, Some(2));
    let again = log_messages(&c.drain_for(Duration::from_millis(300)));
    assert!(!again.iter().any(|(_, m)| m.contains("shellcheck not found")), "logged again: {again:?}");
    c.shutdown_and_exit();
    assert_eq!(c.stderr().trim(), "", "stderr of a normal session");
}

#[test]
fn settings_that_do_not_parse_are_a_warning_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = LspClient::spawn(&dockls_binary(), &["serve", "--stdio"]);
    // What the client answers to `workspace/configuration`, which the server asks on a change.
    c.set_settings(json!({ "dockls": { "ignore": 5 } }));
    c.initialize(&file_uri(dir.path()), json!({}));
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let warning = c.wait_notification("window/logMessage", |m| m["params"]["type"] == 2, Duration::from_secs(10));
    assert!(!warning["params"]["message"].as_str().unwrap_or("").is_empty());
    c.shutdown_and_exit();
}

/// Creating a `.dockerignore` clears `missing-dockerignore` at once: the server registers a
/// watcher for the files diagnostics read from disk and publishes again when one changes.
#[test]
fn a_new_dockerignore_is_seen_without_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve", "--stdio"]);
    c.initialize(&file_uri(dir.path()), json!({}));
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM alpine:3.20\nCOPY . /app\n").unwrap();
    let uri = &file_uri(&path);
    c.did_open(uri, "FROM alpine:3.20\nCOPY . /app\n");
    let first = c.wait_diagnostics(uri, Some(1));
    let codes = |m: &serde_json::Value| m["params"]["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>();
    assert!(codes(&first).contains(&"missing-dockerignore".to_string()), "{first}");
    let mut messages = c.take_messages();
    messages.extend(c.drain_for(Duration::from_millis(300)));
    let registration = messages.iter().find(|m| m["method"] == "client/registerCapability").expect("a watcher registration");
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(watchers.as_array().unwrap().iter().any(|w| w["globPattern"] == "**/.dockerignore"), "{registration}");

    std::fs::write(dir.path().join(".dockerignore"), ".git\n").unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": file_uri(&dir.path().join(".dockerignore")), "type": 1 }] }));
    let again = c.wait_diagnostics(uri, Some(1));
    assert!(!codes(&again).contains(&"missing-dockerignore".to_string()), "{again}");
    c.shutdown_and_exit();
}
