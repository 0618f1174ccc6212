//! ShellCheck never delays the first diagnostics: the server publishes its own findings at
//! once, checks the RUN bodies in the background (with `$/progress` when that takes a while)
//! and publishes the same version again with ShellCheck's findings merged in. After an edit,
//! unchanged RUN bodies are not checked again: their findings are in the first publish.
//!
//! A stand-in `shellcheck` makes the timing deterministic: it waits for a gate file the test
//! creates, so "ShellCheck is still running" is a fact, not a race.

use std::path::Path;
use std::time::Duration;

use dockls_tests::client::{dockls_binary, file_uri, path_without, range_change, LspClient};
use dockls_tests::fake_shellcheck::{install as fake_shellcheck, started_processes, starts};
use serde_json::{json, Value};

/// A server offline with the stand-in ShellCheck of `bin` first on PATH (the real one left
/// out), its log and gate, and optionally its own TMPDIR.
fn server_with_stand_in(bin: &Path, log: &Path, gate: &Path, tmp: Option<&Path>) -> LspClient {
    let path = format!("{}:{}", bin.display(), path_without("shellcheck"));
    let mut env = vec![
        ("DOCKLS_OFFLINE", Some("1")),
        ("PATH", Some(path.as_str())),
        ("FAKE_SHELLCHECK_LOG", log.to_str()),
        ("FAKE_SHELLCHECK_GATE", gate.to_str()),
    ];
    if let Some(tmp) = tmp {
        env.push(("TMPDIR", tmp.to_str()));
    }
    LspClient::spawn_env(&dockls_binary(), &["serve", "--stdio"], &env)
}

fn codes(published: &Value) -> Vec<String> {
    published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

fn has_sc2086(published: &Value) -> bool {
    codes(published).iter().any(|c| c == "SC2086")
}


#[test]
fn shellcheck_findings_follow_the_first_publish_and_unchanged_runs_are_not_checked_again() {
    let dir = tempfile::tempdir().unwrap();
    let bin = fake_shellcheck(dir.path());
    let (log, gate) = (dir.path().join("starts.log"), dir.path().join("gate"));
    let mut c = server_with_stand_in(&bin, &log, &gate, None);
    c.initialize(&file_uri(dir.path()), json!({}));
    let uri = &file_uri(&dir.path().join("Dockerfile"));
    let text = "FROM alpine:3.20\nRUN echo $x\nEXPOSE 8080\n";
    c.did_open(uri, text);

    // Published while ShellCheck still waits at the gate: our own findings only.
    let first = c.wait_diagnostics(uri, Some(1));
    assert!(!has_sc2086(&first), "the first publish waited for ShellCheck: {:?}", codes(&first));
    assert!(codes(&first).iter().any(|c| c == "image-digest"), "{:?}", codes(&first));
    // The run takes longer than a moment: the client is shown progress.
    let begin = c.wait_notification("$/progress", |m| m["params"]["value"]["kind"] == "begin", Duration::from_secs(20));
    assert_eq!(begin["params"]["value"]["title"], "ShellCheck");
    std::fs::write(&gate, "").unwrap();

    // The same version again, ShellCheck's finding merged in at its exact position.
    let second = c.wait_diagnostics(uri, Some(1));
    assert!(has_sc2086(&second), "{:?}", codes(&second));
    let sc = second["params"]["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "SC2086").unwrap();
    assert_eq!(sc["range"]["start"], json!({"line": 1, "character": 9}), "{sc}");
    assert!(codes(&second).len() == codes(&first).len() + 1, "{:?} then {:?}", codes(&first), codes(&second));
    c.wait_notification("$/progress", |m| m["params"]["value"]["kind"] == "end", Duration::from_secs(20));
    assert_eq!(starts(&log), 1);

    // An edit outside the RUN: its finding is in the first publish, nothing is checked again.
    c.did_change(uri, 2, json!([range_change(2, 7, 2, 11, "9090")]));
    let edited = c.wait_diagnostics(uri, Some(2));
    assert!(has_sc2086(&edited), "{:?}", codes(&edited));
    // An edit inside the RUN: that script (only) is checked again, after the first publish.
    c.did_change(uri, 3, json!([range_change(1, 10, 1, 11, "y")]));
    let before = c.wait_diagnostics(uri, Some(3));
    assert!(!has_sc2086(&before), "{:?}", codes(&before));
    let after = c.wait_diagnostics(uri, Some(3));
    assert!(has_sc2086(&after), "{:?}", codes(&after));
    // Read after the publish that needed it: the version-2 edit started nothing.
    assert_eq!(starts(&log), 2);
    c.shutdown_and_exit();
}

#[test]
fn without_shellcheck_each_version_is_published_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve", "--stdio"]);
    c.initialize(&file_uri(dir.path()), json!({}));
    let uri = &file_uri(&dir.path().join("Dockerfile"));
    c.did_open(uri, "FROM alpine:3.20\nRUN echo $x\n");
    let first = c.wait_diagnostics(uri, Some(1));
    assert!(!has_sc2086(&first));
    let more: Vec<Value> = c
        .drain_for(Duration::from_millis(500))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" || m["method"] == "$/progress")
        .collect();
    assert!(more.is_empty(), "{more:?}");
    c.shutdown_and_exit();
}

#[test]
fn exiting_during_a_run_leaves_no_shellcheck_process_or_scratch_folder() {
    let dir = tempfile::tempdir().unwrap();
    let bin = fake_shellcheck(dir.path());
    let (log, gate, tmp) = (dir.path().join("starts.log"), dir.path().join("gate"), dir.path().join("tmp"));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut c = server_with_stand_in(&bin, &log, &gate, Some(&tmp));
    c.initialize(&file_uri(dir.path()), json!({}));
    let uri = &file_uri(&dir.path().join("Dockerfile"));
    // Two scripts of one dialect: checked as one batch, from files in a scratch folder.
    c.did_open(uri, "FROM alpine:3.20\nRUN echo $x\nRUN echo $y\n");
    c.wait_diagnostics(uri, Some(1));
    c.wait_notification("$/progress", |m| m["params"]["value"]["kind"] == "begin", Duration::from_secs(20));
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 1, "the batch's folder exists while it runs");
    let running = started_processes(&log);
    assert_eq!(running.len(), 1, "one batch, one process");
    c.shutdown_and_exit();
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().path()).collect();
    // The stand-in still waiting at the gate was stopped with the server (it is gone, or a
    // zombie until init reaps it), not left to run on.
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next()))
            .is_some_and(|state| state != 'Z' && state != 'X')
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive(running[0]) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let still_running = alive(running[0]);
    // Lets a stand-in that still waits end.
    std::fs::write(&gate, "").unwrap();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(!still_running, "ShellCheck (the stand-in, pid {}) still runs after the server exited", running[0]);
}
